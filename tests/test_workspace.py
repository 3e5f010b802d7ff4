"""A clinic's own folder: handouts.yaml found from where a command runs, its own
muscles and shared text over the installed library, and its defaults."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import pdf_text, run

from handouts.library import load_library

LIB = load_library().library


def _edit_brand(ws: Path) -> None:
    brand = ws / "brand" / "brand.yaml"
    text = brand.read_text(encoding="utf-8")
    for old, new in (("Riverside Physical Therapy", "Lakeside Physio"),
                     ("(555) 010-0199", "(555) 222-3344"),
                     ("120 River Road, Suite 4, Springfield", "9 Lake Street, Lakeside")):
        text = text.replace(old, new)
    brand.write_text(text, encoding="utf-8")


def _config(ws: Path, **values: str) -> None:
    cfg = ws / "handouts.yaml"
    lines = cfg.read_text(encoding="utf-8").splitlines()
    for key, value in values.items():
        lines = [f"{key}: {value}" if line.startswith(f"{key}:") or line.startswith(
            f"# {key}:") else line for line in lines]
    cfg.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def ws(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "clinic"
    r = run("new", str(folder))
    assert r.exit_code == 0, r.output
    for name in ("handouts.yaml", "brand/brand.yaml", "brand/logo.svg", "muscles/README.md",
                 "templates/README.md"):
        assert (folder / name).is_file(), name
    monkeypatch.chdir(folder)
    return folder


def test_a_workspace_muscle_replaces_the_installed_one_and_the_rest_stay(ws):
    _edit_brand(ws)
    _config(ws, templates="[full]")
    r = run("muscle", "copy", "piriformis")
    assert r.exit_code == 0, r.output
    own = ws / "muscles" / "piriformis.yaml"
    assert own.is_file() and (ws / "muscles" / "piriformis.es.yaml").is_file()
    own.write_text(own.read_text(encoding="utf-8").replace(
        "summary: >-\n", "summary: >-\n  Our clinic's own words.\n", 1), encoding="utf-8")
    listed = run("list")
    line = next(x for x in listed.output.splitlines() if x.startswith("piriformis "))
    assert line.endswith("muscles/piriformis.yaml")
    assert next(x for x in listed.output.splitlines() if x.startswith("soleus ")).endswith(
        "built-in")
    assert "(a deep buttock muscle" in line  # other names are listed
    # (The whole library from a workspace is built in test_wheel, from an installed wheel.)
    r = run("build", "piriformis", "soleus", "-q")
    assert r.exit_code == 0, r.output
    assert "Our clinic's own words." in pdf_text(ws / "output" / "piriformis.pdf")
    assert "Our clinic's own words." not in pdf_text(ws / "output" / "soleus.pdf")
    assert "Lakeside Physio" in pdf_text(ws / "output" / "soleus.pdf", body_only=False)


def test_commands_find_the_config_from_a_folder_below(ws):
    _config(ws, templates="[summary]", output="printed")
    below = ws / "muscles"
    import os

    os.chdir(below)
    r = run("build", "soleus")
    assert r.exit_code == 0, r.output
    assert (ws / "printed" / "soleus-summary.pdf").is_file()
    # Options on the command line win over the file.
    r = run("build", "soleus", "--template", "full", "--out", str(ws / "elsewhere"))
    assert r.exit_code == 0, r.output
    assert (ws / "elsewhere" / "soleus.pdf").is_file()
    assert not (ws / "printed" / "soleus.pdf").exists()


def test_config_option_names_a_workspace(ws, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _config(ws, templates="[full]", languages="[es]")
    r = run("--config", str(ws / "handouts.yaml"), "build", "soleus")
    assert r.exit_code == 0, r.output
    assert (ws / "output" / "es" / "soleus.pdf").is_file()


def test_the_starter_brand_is_not_a_clinic(ws):
    r = run("brand", "check")
    assert "still the starter brand's clinic, address, phone" in r.output
    assert "brand/brand.yaml:" in r.output
    r = run("build", "soleus", "--template", "summary")
    assert r.exit_code == 0
    assert "still the starter brand's" in r.output
    _edit_brand(ws)
    assert "starter" not in run("brand", "check").output


def test_workspace_shared_text_overrides_key_by_key(ws):
    (ws / "shared.yaml").write_text(
        "disclaimer: Our own disclaimer for Lakeside patients. Ask us anything.\n",
        encoding="utf-8")
    _config(ws, shared="shared.yaml", templates="[full]", languages="[en, es]")
    r = run("build", "soleus")
    assert r.exit_code == 0, r.output
    text = pdf_text(ws / "output" / "soleus.pdf")
    assert "Our own disclaimer for Lakeside patients." in text
    assert LIB.shared.first_aid.limb.steps[0] in text  # the rest is the installed text
    # The installed translation translates the installed disclaimer: not used for ours.
    es = pdf_text(ws / "output" / "es" / "soleus.pdf")
    assert "Our own disclaimer for Lakeside patients." in es
    assert "shared" in r.output and "disclaimer" in r.output


def test_a_broken_workspace_muscle_fails_alone_and_names_its_file(ws):
    _config(ws, templates="[full]")
    (ws / "muscles" / "soleus.yaml").write_text("name: Soleus\n", encoding="utf-8")
    r = run("build", "soleus", "piriformis")
    assert r.exit_code == 1
    assert "muscles/soleus.yaml" in r.output and "missing required field" in r.output
    assert (ws / "output" / "piriformis.pdf").is_file()
    assert "Traceback" not in r.output


@pytest.mark.parametrize("text, expected", [
    ("tempaltes: [full]\n", "handouts.yaml:1: tempaltes: unknown field (did you mean "
                            "'templates'?)"),
    ("languages: [en, fr]\n", "handouts.yaml:1: languages[1]: expected one of en, es"),
    ("muscles: ours\n", "handouts.yaml:1: muscles: no folder 'ours'"),
    ("paper: legal\n", "handouts.yaml:1: paper: expected one of letter, a4"),
    ("templates: [full\n", "handouts.yaml:2: invalid YAML"),
])
def test_a_broken_config_says_where(ws, text, expected):
    (ws / "handouts.yaml").write_text(text, encoding="utf-8")
    r = run("list")
    assert r.exit_code == 1, r.output
    assert expected in r.output
    assert "Traceback" not in r.output


def test_paper_names_in_any_case(ws):
    _edit_brand(ws)
    _config(ws, paper="A4", templates="[summary]")
    r = run("build", "soleus", "--paper", "A4")
    assert r.exit_code == 0, r.output
    from pypdf import PdfReader

    box = PdfReader(str(ws / "output" / "soleus-summary.pdf")).pages[0].mediabox
    assert round(float(box.width)) == 595


def test_personal_handouts_go_beside_the_library_copy(ws):
    _config(ws, templates="[summary]")
    assert run("build", "soleus").exit_code == 0
    plain = (ws / "output" / "soleus-summary.pdf").read_bytes()
    r = run("build", "soleus", "--patient", "Ana Ruiz")
    assert r.exit_code == 0, r.output
    assert (ws / "output" / "soleus-summary.pdf").read_bytes() == plain
    assert "Ana Ruiz" in pdf_text(ws / "output" / "personal" / "soleus-summary.pdf")
    assert not [p for p in (ws / "output").rglob("*") if "Ana" in p.name]
    r = run("build", "soleus", "-o", str(ws / "for-ana"), "--patient", "Ana Ruiz")
    assert r.exit_code == 0, r.output
    assert (ws / "for-ana.pdf").is_file()
    mode = (ws / "for-ana.pdf").stat().st_mode & 0o777
    import os

    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask
