from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from handouts.cli import cli
from handouts.resources import builtin_data_dir, builtin_templates_dir


def run(*args: str, catch: bool = True):
    """Run the CLI in-process; returns click's Result (exit_code, output, stderr)."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=catch)


def pdf_text(path: Path, body_only: bool = True) -> str:
    """Text of a PDF with whitespace folded, so wrapped lines compare like the source.

    With ``body_only``, the page header and footer are left out, so a sentence
    that runs onto the next page reads as one. Read with pdfium, which is many
    times faster than a Python PDF reader.
    """
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(path))
    try:
        parts = []
        for n, page in enumerate(doc):
            width, height = page.get_size()
            textpage = page.get_textpage()
            if body_only:
                # The first page's header holds the logo and clinic details; later pages a band.
                top = height - (70 if n == 0 else 45)
                parts.append(textpage.get_text_bounded(0, 60, width, top))
            else:
                parts.append(textpage.get_text_range())
        return norm(" ".join(parts))
    finally:
        doc.close()


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A few muscles' full handouts with the neutral brand on letter paper."""
    out = tmp_path_factory.mktemp("built")
    result = run("build", "gluteus-minimus", "masseter", "soleus", "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


# A clinic outside North America: every PDF of the library is built with it once.
CLINIC_BRAND = """\
clinic: Lakeside Clinic
phone: "+41 44 000 00 00"
paper: a4
emergency_number: "112"
"""


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build) -> Path:  # noqa: ANN001
    """A folder of PDFs made by ``build(folder)`` once for the whole run: with several
    test workers, the first builds it (on every core) while the others wait for it,
    rather than each building its own."""
    import fcntl
    import os

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's folder, above each worker's
    root = shared / name
    out = root / "out"
    root.mkdir(exist_ok=True)
    with open(root / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "done").exists():
            build(out)
            (root / "done").touch()
    return out


@pytest.fixture(scope="session")
def library_pdfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every muscle in every built-in template, in English (OUT/) and Spanish (OUT/es/),
    for a clinic whose emergency number is 112 (built once per run)."""

    def build(out: Path) -> None:
        brand = out.parent / "brand.yaml"
        brand.write_text(CLINIC_BRAND, encoding="utf-8")
        result = run("build", "--all", "--template", "full,summary,large-print", "--lang",
                     "en,es", "--strict", "--brand", str(brand), "--out", str(out))
        assert result.exit_code == 0, result.output

    return built_once(tmp_path_factory, "library", build)


def page_texts(path: Path) -> list[str]:
    """The text of each page in reading order, whitespace folded (pdfium)."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(path))
    try:
        return [norm(page.get_textpage().get_text_range()) for page in doc]
    finally:
        doc.close()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A writable copy of the built-in library, for breaking on purpose."""
    dst = tmp_path / "data"
    shutil.copytree(builtin_data_dir(), dst)
    return dst


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    dst = tmp_path / "templates"
    dst.mkdir()
    return dst


BUILTIN_TEMPLATES = builtin_templates_dir()


def make_hard(path: Path, hard: str) -> None:
    """Replace every sentence the patient reads in a muscle file with ``hard``."""
    import yaml

    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key in ("summary", "location", "relief"):
        doc[key] = hard
    for key in ("actions", "symptoms", "causes", "prevention"):
        doc[key] = [hard] * len(doc[key])
    for sign in doc.get("warning_signs", []):
        sign["text"] = hard
    doc["strain"]["about"] = hard
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
