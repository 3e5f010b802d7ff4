"""The referred-pain body map: every region drawable, cropped views, shading where the data says."""

from __future__ import annotations

import io
from dataclasses import replace

import pypdfium2 as pdfium
import pytest
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import SimpleDocTemplate

from handouts import bodymap as shapes
from handouts.errors import RenderError
from handouts.library import load_library
from handouts.models import Library, Muscle
from handouts.pdf import bodymap
from handouts.pdf.fonts import register_family
from handouts.pdf.styles import Styles, make_styles

# A narrow column, a letter page's frame, and the large-print frame (wider margins, 18 pt).
WIDTHS = [
    pytest.param(250.0, (12.0, 18.0), id="narrow"),
    pytest.param(468.0, (12.0,), id="letter"),
    pytest.param(612.0 - 144.0, (18.0,), id="large-print"),
]
MARGIN = 0.75 * inch
SCALE = 2.0  # pixels per point when rasterising
RING = [(1, 0), (0, 1), (-1, 0), (0, -1), (0.7, 0.7), (-0.7, 0.7), (0.7, -0.7), (-0.7, -0.7)]


@pytest.fixture(scope="module")
def library() -> Library:
    return load_library().library


@pytest.fixture(scope="module")
def styles() -> Styles:
    return make_styles(register_family(), "#1d4e63", "#8a3b12", 12.0)


@pytest.fixture(scope="module")
def large_print() -> Styles:
    return make_styles(register_family(), "#1d4e63", "#8a3b12", 18.0)


def with_pain(muscle: Muscle, main: list[str], spill: list[str], knots: list[str]) -> Muscle:
    pain = replace(muscle.pain, main=main, spillover=spill, trigger_points=knots)
    return replace(muscle, pain=pain)


def render(muscle: Muscle, library: Library, styles: Styles, **kw: object):
    """A one-page PDF holding only the map; returns (pdf bytes, drawing, its page origin)."""
    flowables = bodymap.bodymap_flowables(
        muscle, library.regions, width=LETTER[0] - 2 * MARGIN, styles=styles, **kw
    )
    drawing = flowables[0]
    origin: dict[str, float] = {}
    draw_on = drawing.drawOn

    def record(canvas, x, y, _sW=0):  # noqa: ANN001, ANN202 - reportlab's signature
        origin["x"], origin["y"] = drawing._hAlignAdjust(x, _sW), y
        return draw_on(canvas, x, y, _sW)

    drawing.drawOn = record
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=LETTER,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        invariant=1,
    )
    doc.build(flowables)
    return buf.getvalue(), drawing, (origin["x"], origin["y"])


def rasterise(pdf: bytes):  # noqa: ANN201 - a PIL image
    doc = pdfium.PdfDocument(pdf)
    try:
        return doc[0].render(scale=SCALE, grayscale=True).to_pil().convert("L")
    finally:
        doc.close()


def pixel(image, origin: tuple[float, float], point: tuple[float, float]) -> int:  # noqa: ANN001
    """Grey level at a point of the drawing (its own coordinates, y up)."""
    x = (origin[0] + point[0]) * SCALE
    y = (LETTER[1] - origin[1] - point[1]) * SCALE
    return image.getpixel((round(x), round(y)))


def window_mean(image, origin, point, r: int = 5) -> float:  # noqa: ANN001
    cx = round((origin[0] + point[0]) * SCALE)
    cy = round((LETTER[1] - origin[1] - point[1]) * SCALE)
    values = [
        image.getpixel((cx + dx, cy + dy)) for dx in range(-r, r + 1) for dy in range(-r, r + 1)
    ]
    return sum(values) / len(values)


# --------------------------------------------------------------------------- the outline data


def test_every_vocabulary_region_has_a_shape(library):
    assert set(library.regions) <= shapes.region_shapes()


def test_region_shapes_name_only_vocabulary_regions(library):
    # A typo in an SVG id would leave a region without its shape.
    assert shapes.region_shapes() <= set(library.regions)


def test_inner_regions_and_sole_are_drawable():
    views = {v: shapes.load_view(v) for v in shapes.VIEWS}
    for rid in ("inner-knee", "inner-ankle", "inner-thigh"):
        assert rid in views["front"].regions
    assert "arch" in views["sole"].regions


def test_views_are_parsed_once():
    assert shapes.load_view("front") is shapes.load_view("front")


def test_path_reader_handles_relative_commands_and_quadratics():
    ops = shapes.parse_path("m1 2 l3 0 h2 v-1 H1 V0 q1 1 2 0 c0 1 1 1 1 0 z M5,5 6,6")
    assert ops[0] == ("M", 1, 2)
    assert ops[1:5] == [("L", 4, 2), ("L", 6, 2), ("L", 6, 1), ("L", 1, 1)]
    assert ops[5] == ("L", 1, 0)
    quad = ops[6]
    assert quad[0] == "C" and quad[-2:] == (3, 0)
    assert ops[7] == ("C", 3, 1, 4, 1, 4, 0)
    assert ops[8] == ("Z",)
    assert ops[9:] == [("M", 5, 5), ("L", 6, 6)]


def test_path_reader_rejects_arcs():
    with pytest.raises(ValueError, match="unsupported"):
        shapes.parse_path("M0 0 A1 1 0 0 1 2 2")


# --------------------------------------------------------------------------- drawing


@pytest.mark.parametrize(("width", "sizes"), WIDTHS)
def test_each_region_draws_alone_within_the_width(library, width, sizes):
    base = library.muscles["gluteus-minimus"]
    canvas = Canvas(io.BytesIO())
    for size in sizes:
        st = make_styles(register_family(), "#1d4e63", "#8a3b12", size)
        for rid in library.regions:
            muscle = with_pain(base, [rid], [], [rid])
            flowables = bodymap.bodymap_flowables(muscle, library.regions, width=width, styles=st)
            for f in flowables:
                w, h = f.wrap(width, 10_000)
                assert w <= width + 0.01, (rid, width, w)
                assert h > 0
            flowables[0].drawOn(canvas, 0, 0)


def test_a_region_without_a_shape_is_a_clear_error(library, styles):
    muscle = with_pain(library.muscles["gluteus-minimus"], ["elbow-of-the-knee"], [], [])
    with pytest.raises(RenderError, match="no shape for region 'elbow-of-the-knee'"):
        bodymap.bodymap_flowables(muscle, library.regions, width=468, styles=styles)


def test_every_muscle_fits_and_stays_a_sensible_size(library, styles):
    for mid, muscle in library.muscles.items():
        drawing, legend = bodymap.bodymap_flowables(
            muscle, library.regions, width=468, styles=styles
        )
        w, h = drawing.wrap(468, 10_000)
        assert w <= 468
        # About 1.5 to 4.5 inches of figure, plus the view names under it.
        assert 1.5 * inch <= h - drawing._layout.label_height <= 4.5 * inch, mid


def test_views_follow_the_regions(library):
    def views(mid: str) -> list[str]:
        return [p.view for p in shapes.plan(library.muscles[mid])[1]]

    assert views("gluteus-minimus") == ["back", "side"]
    assert views("pectoralis-major") == ["front"]
    assert views("peroneus-longus") == ["side"]
    assert views("gastrocnemius") == ["back", "sole"]


def test_the_figure_is_cropped_to_the_part_in_use(library):
    def band(muscle: Muscle) -> tuple[float, float]:
        panel = shapes.plan(muscle)[1][0]
        return panel.crop[1], panel.crop[3]

    base = library.muscles["gluteus-minimus"]
    neck_top, neck_bottom = band(with_pain(base, ["side-of-neck", "jaw"], [], ["jaw"]))
    assert neck_top < 0 and neck_bottom < 60  # head and shoulders
    calf_top, calf_bottom = band(with_pain(base, ["back-of-calf"], [], ["back-of-calf"]))
    assert calf_top > 120 and calf_bottom > 200  # knee to foot
    hip_top, hip_bottom = band(library.muscles["gluteus-minimus"])
    assert 60 < hip_top < 100 and hip_bottom > 200  # hip to ankle


def test_every_view_is_at_least_a_head_and_shoulders_tall(library):
    # A shorter band would be drawn smaller than the height a template asks for:
    # the zoom stops at a head and shoulders.
    for mid, muscle in library.muscles.items():
        for panel in shapes.plan(muscle)[1]:
            if panel.view in shapes.FIGURE_VIEWS:
                assert panel.h >= shapes.MIN_BAND, (mid, panel)
    head = shapes.plan(library.muscles["masseter"])[1][0]
    assert head.crop[1] < 0 and shapes.Panel.span(head) == ("head", "shoulders")


def test_different_pain_areas_give_different_drawings(library, styles):
    first, *_ = render(library.muscles["gluteus-minimus"], library, styles)
    again, *_ = render(library.muscles["gluteus-minimus"], library, styles)
    other, *_ = render(library.muscles["hamstrings"], library, styles)
    assert first == again  # deterministic
    assert rasterise(first).tobytes() != rasterise(other).tobytes()


def test_shading_is_where_the_data_says(library, styles):
    muscle = library.muscles["gluteus-minimus"]
    assert "buttock" in muscle.pain.main and "buttock" not in muscle.pain.trigger_points
    pdf, drawing, origin = render(muscle, library, styles)
    image = rasterise(pdf)
    # A main area is dark, in the middle of its shape.
    assert pixel(image, origin, drawing.region_point("back", "buttock")) < 90
    # The other leg is bare body: light.
    assert pixel(image, origin, drawing.figure_point("back", -9.5, 130)) > 220
    # Spill-over is hatched: between the two on average.
    mean = window_mean(image, origin, drawing.region_point("back", "back-of-thigh"))
    assert 90 < mean < 220
    # The knot marker sits on the outer hip in the side view: its dark centre in a white ring.
    centre = drawing.region_point("side", "outer-hip")
    assert pixel(image, origin, centre) < 150
    r = drawing.marker_radius * 0.75  # the middle of the white ring
    ring = [pixel(image, origin, (centre[0] + dx * r, centre[1] + dy * r)) for dx, dy in RING]
    assert sorted(ring)[len(ring) // 2] > 200


def test_labels_and_legend_are_readable_and_translatable(library, large_print):
    labels = {"back": "Rücken", "side": "Seite", "main": "Oft hier", "spillover": "Manchmal"}
    pdf, drawing, _ = render(
        library.muscles["gluteus-minimus"],
        library,
        large_print,
        labels=labels,
        caption="Where it hurts",
    )
    doc = pdfium.PdfDocument(pdf)
    try:
        text = doc[0].get_textpage().get_text_range()
    finally:
        doc.close()
    for word in ("Rücken", "Seite", "Oft hier", "Manchmal", "Tender knots", "Where it hurts"):
        assert word in text
    assert all(box.label_size >= 12 for box in drawing._layout.boxes)
    assert drawing.text_size == 18


def test_legend_leaves_out_spillover_when_there_is_none(library, styles):
    muscle = with_pain(library.muscles["gluteus-minimus"], ["buttock"], [], ["buttock"])
    _, legend = bodymap.bodymap_flowables(muscle, library.regions, width=468, styles=styles)
    assert [kind for kind, _ in legend.keys] == ["main", "marker"]


@pytest.mark.parametrize("width", [150.0, 250.0, 468.0, 700.0])
def test_legend_wraps_to_fit(library, large_print, width):
    _, legend = bodymap.bodymap_flowables(
        library.muscles["gluteus-minimus"], library.regions, width=width, styles=large_print
    )
    w, h = legend.wrap(width, 10_000)
    assert w <= width and h >= 3 * large_print.base_size
    assert legend.size >= 18


def test_alt_text(library):
    text = shapes.describe(*shapes.plan(library.muscles["gluteus-minimus"]), library.regions)
    assert text == (
        "Body map, back and side views of the hip and leg. "
        "Shaded dark where pain is often felt: outer side of the hip, buttock. "
        "Hatched where it is sometimes felt: outer side of the thigh, back of the thigh, "
        "outer side of the calf, back of the calf, outer ankle bone. "
        "Marker on: outer side of the hip."
    )
