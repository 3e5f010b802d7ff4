from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from handouts.cli import cli
from handouts.resources import builtin_data_dir, builtin_templates_dir


def run(*args: str, catch: bool = True):
    """Run the CLI in-process; returns click's Result (exit_code, output, stderr)."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=catch)


def pdf_text(path: Path) -> str:
    """Text of a PDF with whitespace folded, so wrapped lines compare like the source."""
    reader = PdfReader(str(path))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return norm(text)


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every built-in muscle built once with the full template."""
    out = tmp_path_factory.mktemp("built")
    result = run("build", "--all", "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


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
