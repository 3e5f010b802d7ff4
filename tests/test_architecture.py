"""The shape of the code: what may import what, and where each fact lives."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "handouts"
# Only the PDF layer draws; these are its libraries.
DRAWING = ("reportlab", "svglib", "PIL", "rl_accel")
# The pipeline, first to last: a module may import only from its own step or earlier ones.
STEPS = [
    {"errors", "regions", "languages", "resources", "yamlfile", "atomic", "sources", "cache"},
    {"validate", "models"},
    {"library", "i18n", "brand", "bodymap", "workspace"},
    {"markup"},
    {"templating"},
    {"pdf"},
    {"check", "record", "batch", "web"},
    {"cli", "__main__"},
]


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module)
    return out


def _step(name: str) -> int:
    return next(i for i, step in enumerate(STEPS) if name in step)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_pdf_package_imports_drawing_libraries(path):
    if path.relative_to(PACKAGE).parts[0] == "pdf":
        return
    bad = [m for m in _imports(path) if m.split(".")[0] in DRAWING]
    assert not bad, f"{path.name} imports {bad}: only handouts/pdf/ may"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_data_flows_one_way(path):
    """No module reaches back up the pipeline (load -> template -> markup -> PDF)."""
    own = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    if own == "__init__":
        return
    for name in _imports(path):
        parts = name.split(".")
        if parts[0] != "handouts" or len(parts) < 2:
            continue
        other = parts[1]
        assert _step(other) <= _step(own), f"{own} imports {name}, a later step"


def test_commands_that_do_not_draw_start_without_reportlab():
    code = ("import sys; from handouts import cli, check, library, templating, batch; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            f"{DRAWING!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_body_regions_are_named_in_one_place():
    from handouts.regions import BODY_REGION_IDS

    for path in _modules():
        if path.name == "regions.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert '"shoulder-arm"' not in text and "'shoulder-arm'" not in text, path.name
    assert BODY_REGION_IDS == ("head-neck", "shoulder-arm", "trunk", "hip", "leg")


def test_languages_are_named_in_one_place():
    for path in _modules():
        if path.name == "languages.py":
            continue
        text = path.read_text(encoding="utf-8")
        for word in ('"Español"', '"Spanish"', '"es-US"', '"enero"'):
            assert word not in text, (path.name, word)
