"""An installed wheel, not just the checkout, finds its templates and data."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (REPO / "pyproject.toml").is_file():
        pytest.skip("not running from a source checkout")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out),
                    str(REPO)], check=True)
    (whl,) = out.glob("handouts-*.whl")
    return whl


@pytest.mark.slow
def test_wheel_carries_templates_and_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "handouts/_builtin/templates/full.html.j2" in names
    assert "handouts/_builtin/data/shared.yaml" in names
    assert "handouts/_builtin/data/regions.yaml" in names
    assert "handouts/_builtin/data/muscles/gluteus-minimus.yaml" in names
    assert "handouts/_builtin/data/muscles/gluteus-minimus.es.yaml" in names
    assert "handouts/_builtin/templates/i18n/es.yaml" in names
    assert "handouts/assets/bodymap/front.svg" in names
    assert "handouts/assets/brand/brand.yaml" in names


@pytest.mark.slow
def test_installed_wheel_builds_from_another_folder(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import handouts, handouts.resources as r;"
        "assert handouts.__file__.startswith(sys.argv[1]), handouts.__file__;"
        "print(r.builtin_templates_dir());"
        "from handouts.cli import cli;"
        "cli.main(['build', 'gluteus-minimus', '--lang', 'en,es', '--template', 'full,summary'],"
        " standalone_mode=False)"
    )
    proc = subprocess.run([sys.executable, "-c", script, str(target)], cwd=work,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert str(target) in proc.stdout
    for name in ("gluteus-minimus.pdf", "gluteus-minimus-summary.pdf",
                 "es/gluteus-minimus.pdf"):
        assert (work / "output" / name).stat().st_size > 10_000
