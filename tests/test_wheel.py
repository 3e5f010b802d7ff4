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
def test_installed_wheel_serves_a_clinic_workspace(wheel, tmp_path):
    """A clinic makes its folder, edits its brand and one muscle, and builds its
    whole library: the edited muscle from its file, the others from the wheel."""
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(target), str(wheel)], check=True)

    def handouts(cwd: Path, *args: str) -> subprocess.CompletedProcess:
        script = ("import sys; sys.path.insert(0, sys.argv[1]); import handouts;"
                  "assert handouts.__file__.startswith(sys.argv[1]), handouts.__file__;"
                  "from handouts.cli import main; sys.argv = ['handouts', *sys.argv[2:]];"
                  "main()")
        return subprocess.run([sys.executable, "-c", script, str(target), *args], cwd=cwd,
                              capture_output=True, text=True)

    assert handouts(tmp_path, "new", "clinic").returncode == 0
    clinic = tmp_path / "clinic"
    brand = clinic / "brand" / "brand.yaml"
    brand.write_text(brand.read_text(encoding="utf-8").replace(
        "Riverside Physical Therapy", "Lakeside Physio"), encoding="utf-8")
    cfg = clinic / "handouts.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace(
        "templates: [full, summary]", "templates: [full]"), encoding="utf-8")
    # The installed wheel finds its templates and catalogues from anywhere, in Spanish too.
    proc = handouts(tmp_path, "build", "soleus", "--lang", "es", "--template", "summary")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "output" / "es" / "soleus-summary.pdf").stat().st_size > 10_000
    assert handouts(clinic, "muscle", "copy", "soleus").returncode == 0
    own = clinic / "muscles" / "soleus.yaml"
    own.write_text(own.read_text(encoding="utf-8").replace(
        "summary: >-\n", "summary: >-\n  Edited at Lakeside.\n", 1), encoding="utf-8")
    proc = handouts(clinic, "build", "--all", "-q")
    assert proc.returncode == 0, proc.stderr
    pdfs = sorted((clinic / "output").glob("*.pdf"))
    assert len(pdfs) == 30
    import pypdfium2

    def text(name: str) -> str:
        return " ".join(p.get_textpage().get_text_range()
                        for p in pypdfium2.PdfDocument(str(clinic / "output" / name)))

    assert "Edited at Lakeside." in text("soleus.pdf")
    assert "Edited at Lakeside." not in text("piriformis.pdf")
    assert "Lakeside Physio" in text("piriformis.pdf")
    listed = handouts(clinic, "list").stdout
    assert any(line.startswith("soleus ") and line.endswith("muscles/soleus.yaml")
               for line in listed.splitlines())
