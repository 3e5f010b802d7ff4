"""Technique drawings: read from SVG once, then from the user's cache folder."""

from __future__ import annotations

import subprocess
import sys

import pytest

from handouts.errors import RenderError
from handouts.pdf import pictures
from handouts.resources import builtin_techniques_dir

SVG = builtin_techniques_dir() / "ball-wall.svg"


def _shapes(drawing) -> list:  # noqa: ANN001
    return [(type(s).__name__, getattr(s, "points", None), getattr(s, "fillColor", None))
            for s in drawing.getContents()[0].getContents()]


def test_a_drawing_read_once_comes_from_the_cache_without_svglib(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("HANDOUTS_CACHE", raising=False)
    first = pictures.read_drawing(SVG)
    (kept,) = (tmp_path / "handouts" / "drawings").glob("*.pickle")
    # A fresh process reads it back without importing svglib at all.
    code = ("import sys; from handouts.pdf.pictures import read_drawing; "
            f"d = read_drawing({str(SVG)!r}); print(d.width, d.height, 'svglib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"XDG_CACHE_HOME": str(tmp_path), "PATH": ""}, check=True)
    assert out.stdout.split() == [str(first.width), str(first.height), "False"]
    assert _shapes(pictures.read_drawing(SVG)) == _shapes(first)
    kept.write_bytes(b"not a pickle")  # cut short, or from elsewhere: read the SVG again
    assert _shapes(pictures.read_drawing(SVG)) == _shapes(first)


def test_an_edited_drawing_is_read_again(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    svg = tmp_path / "mine.svg"
    svg.write_text(SVG.read_text(encoding="utf-8"), encoding="utf-8")
    before = pictures.read_drawing(svg)
    svg.write_text(SVG.read_text(encoding="utf-8").replace('width="240"', 'width="480"'),
                   encoding="utf-8")
    assert pictures.read_drawing(svg).width == 2 * before.width
    svg.write_text("<svg>", encoding="utf-8")
    with pytest.raises(RenderError) as err:
        pictures.read_drawing(svg)
    assert err.value.file and err.value.file.endswith("mine.svg")


def test_pictures_of_one_drawing_share_no_shape():
    # Drawing sets each shape's parent while it draws: two handouts drawn in two
    # threads from one parsed drawing must not touch the same shapes.
    from reportlab.graphics.shapes import Group

    from handouts.pdf.pictures import Picture, read_drawing
    from handouts.resources import builtin_techniques_dir

    drawing = read_drawing(builtin_techniques_dir() / "ball-wall.svg")

    def shapes(node: object) -> list:
        inner = node.contents if isinstance(node, Group) else []
        return [node] + [s for child in inner for s in shapes(child)]

    a, b = (Picture(drawing, "Helvetica") for _ in range(2))
    ids = [{id(s) for s in shapes(p.drawing)} for p in (a, b)]
    assert len(ids[0]) > 5 and not ids[0] & ids[1]
    assert not ids[0] & {id(s) for s in shapes(drawing)}
