from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import run

from handouts.library import load_library


def test_list_shows_every_muscle_with_region():
    result = run("list")
    assert result.exit_code == 0, result.output
    lib = load_library().library
    for m in lib.muscles.values():
        assert m.id in result.output and m.name in result.output
    assert "gluteus-minimus" in result.output and "hip" in result.output


def test_list_region_filter_and_json():
    result = run("list", "--region", "hip", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows and all("hip" in r["regions"] for r in rows)
    assert {r["id"]: r["region"] for r in rows}["iliopsoas"] == "trunk"  # listed with the hip
    assert "gluteus-minimus" in {r["id"] for r in rows}
    assert "peroneus-longus" not in {r["id"] for r in rows}


def test_check_is_clean_on_builtin_library():
    result = run("check")
    assert result.exit_code == 0, result.output
    assert "no problems" in result.output


def test_python_dash_m_runs_the_same_cli():
    out = subprocess.run(
        [sys.executable, "-m", "handouts", "--help"], capture_output=True, text=True, check=True
    )
    assert "handouts build" in out.stdout


def test_build_needs_a_muscle_or_all():
    result = run("build")
    assert result.exit_code == 2
    assert "--all" in result.output


def test_unknown_muscle_suggests_a_name(tmp_path):
    result = run("build", "gluteus-minimis", "--out", str(tmp_path))
    assert result.exit_code == 1
    assert "no muscle 'gluteus-minimis'" in result.output
    assert "did you mean 'gluteus-minimus'" in result.output
    assert not list(tmp_path.iterdir())


def test_templates_lists_builtin_with_description():
    result = run("templates")
    assert result.exit_code == 0
    assert result.output.startswith("full")
    assert "Every section" in result.output


@pytest.mark.parametrize("words, expected", [
    ("handouts build sol", "soleus"),
    ("handouts build --template f", "full"),
    ("handouts build --lang en,e", "en,es"),
    ("handouts muscle copy piri", "piriformis"),
])
def test_tab_completion(words, expected, tmp_path):
    import os

    env = {**os.environ, "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - 1),
           "_HANDOUTS_COMPLETE": "bash_complete"}
    out = subprocess.run([sys.executable, "-m", "handouts"], env=env, cwd=tmp_path,
                         capture_output=True, text=True).stdout
    assert f"plain,{expected}" in out.splitlines()
