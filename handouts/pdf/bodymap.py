"""The referred-pain body map: our own outline figures, shaded where a muscle's pain is felt.

The figures are SVG files in ``handouts/assets/bodymap/`` (one per view), drawn
by us and read by the small reader below, which understands only the subset of
SVG those files use. Each file holds ``<g class="piece">`` groups painted in
order (a later piece covers an earlier one, as the arm covers the hip in the
side view). A piece has one ``class="outline"`` shape, optional
``class="detail"`` lines, and the region shapes that sit on it, each with
``id`` = a region id from ``data/regions.yaml``. A region shape is clipped to
its piece, so it may spill past the body's edge. ``class="edge"`` marks a
region that the view shows only as a glimpse at its side; ``data-marker="x y"``
says where the knot marker goes when the shape's middle is a poor spot.

Pain is drawn on the figure's right side: the viewer's left on the front view,
the viewer's right on the back view; the side view shows the right side.
"""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from html import escape
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.units import inch
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph

from handouts.errors import OutlineError, RenderError
from handouts.models import Muscle, Region
from handouts.pdf.structure import Node, artifact_on, content_on, tag
from handouts.pdf.styles import INK, Styles

ASSET_DIR = Path(__file__).resolve().parents[1] / "assets" / "bodymap"

# Painting order on the page, left to right, and the order views are tried in
# when several sets of views would show the same regions equally well.
VIEWS: tuple[str, ...] = ("front", "back", "side", "sole")
FIGURE_VIEWS = ("front", "back", "side")  # standing figures that share one height scale

DEFAULT_LABELS = {
    "main": "Pain is often felt here",
    "spillover": "Pain is sometimes felt here",
    "marker": "Tender knots are often here",
    "front": "Front",
    "back": "Back",
    "side": "Side",
    "sole": "Sole of foot",
}

BODY_FILL = colors.HexColor("#f4f4f2")
BODY_LINE = colors.HexColor("#8a8a8a")
DETAIL_LINE = colors.HexColor("#bdbdbd")
FRAME_LINE = colors.HexColor("#d2d2d2")
WHITE = colors.white

Point = tuple[float, float]
# Path operations, all absolute: ("M", x, y), ("L", x, y), ("C", x1, y1, x2, y2, x, y), ("Z",)
Op = tuple


# --------------------------------------------------------------------------- outline data


_PDF_OP = {"M": "m", "L": "l", "C": "c"}


@dataclass(frozen=True)
class Shape:
    ops: tuple[Op, ...]
    bbox: tuple[float, float, float, float]  # of the control points: a little generous

    @classmethod
    def from_ops(cls, ops: Sequence[Op]) -> Shape:
        xs = [v for op in ops for v in op[1::2]]
        ys = [v for op in ops for v in op[2::2]]
        return cls(tuple(ops), (min(xs), min(ys), max(xs), max(ys)))

    @cached_property
    def code(self) -> str:
        """The path as PDF operators in figure units.

        The map is drawn through a scaling transform, so this text is the same
        for every map: it is written once per process, when first drawn.
        """
        return " ".join(
            "h" if op[0] == "Z" else " ".join(f"{v:.2f}" for v in op[1:]) + " " + _PDF_OP[op[0]]
            for op in self.ops
        )


@dataclass(frozen=True)
class RegionShape:
    region: str
    shape: Shape
    piece: int
    edge: bool
    marker: Point


@dataclass(frozen=True)
class Piece:
    outline: Shape
    details: tuple[Shape, ...]
    points: tuple[Point, ...]  # the outline flattened, for how wide the body is at a height


@dataclass(frozen=True)
class View:
    name: str
    pieces: tuple[Piece, ...]
    regions: dict[str, RegionShape]


_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
# Every letter but e/E (which only appears in exponents) is a command.
_TOKEN_RE = re.compile(rf"[A-DF-Za-df-z]|{_NUMBER}")
_SPACE_RE = re.compile(r"[\s,]+")
_ARITY = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "Q": 4, "Z": 0}


def parse_path(d: str) -> list[Op]:
    """SVG path data (M, L, H, V, C, Q, Z, absolute and relative) as absolute operations."""
    tokens = _TOKEN_RE.findall(d)
    if sum(map(len, tokens)) != len(_SPACE_RE.sub("", d)):
        raise ValueError(f"unreadable path data near {_SPACE_RE.sub(' ', d)[:40]!r}")
    groups: list[tuple[str, list[float]]] = []
    for tok in tokens:
        if tok.isalpha():
            groups.append((tok, []))
        elif groups:
            groups[-1][1].append(float(tok))
        else:
            raise ValueError("path data must start with a command")
    ops: list[Op] = []
    x = y = sx = sy = 0.0
    for cmd, nums in groups:
        upper, rel = cmd.upper(), cmd.islower()
        if upper not in _ARITY:
            raise ValueError(f"unsupported path command {cmd!r}; use M, L, H, V, C, Q or Z")
        n = _ARITY[upper]
        if upper == "Z":
            if nums:
                raise ValueError("Z takes no numbers")
            ops.append(("Z",))
            x, y = sx, sy
            continue
        if not nums or len(nums) % n:
            raise ValueError(f"{cmd!r} needs numbers in groups of {n}")
        for i in range(0, len(nums), n):
            a = nums[i : i + n]
            if upper == "H":
                x = a[0] + (x if rel else 0)
                ops.append(("L", x, y))
                continue
            if upper == "V":
                y = a[0] + (y if rel else 0)
                ops.append(("L", x, y))
                continue
            if rel:
                a = [v + (y if k % 2 else x) for k, v in enumerate(a)]
            if upper == "M" and i == 0:
                ops.append(("M", a[0], a[1]))
                sx, sy = a[0], a[1]
            elif upper in ("M", "L"):  # pairs after a moveto are linetos (SVG rule)
                ops.append(("L", a[0], a[1]))
            elif upper == "C":
                ops.append(("C", *a))
            else:  # Q: the same curve as a cubic
                qx, qy, ex, ey = a
                ops.append(
                    ("C", x + 2 / 3 * (qx - x), y + 2 / 3 * (qy - y),
                     ex + 2 / 3 * (qx - ex), ey + 2 / 3 * (qy - ey), ex, ey)
                )  # fmt: skip
            x, y = a[-2], a[-1]
    if ops and ops[0][0] != "M":
        raise ValueError("path data must start with M")
    return ops


def _ellipse_ops(cx: float, cy: float, rx: float, ry: float) -> list[Op]:
    k = 0.5522847498  # control-point distance of a quarter circle as a cubic
    return [
        ("M", cx + rx, cy),
        ("C", cx + rx, cy + k * ry, cx + k * rx, cy + ry, cx, cy + ry),
        ("C", cx - k * rx, cy + ry, cx - rx, cy + k * ry, cx - rx, cy),
        ("C", cx - rx, cy - k * ry, cx - k * rx, cy - ry, cx, cy - ry),
        ("C", cx + k * rx, cy - ry, cx + rx, cy - k * ry, cx + rx, cy),
        ("Z",),
    ]


def _flatten(ops: Sequence[Op], steps: int = 5) -> list[Point]:
    pts: list[Point] = []
    x = y = 0.0
    for op in ops:
        if op[0] in ("M", "L"):
            x, y = op[1], op[2]
            pts.append((x, y))
        elif op[0] == "C":
            x1, y1, x2, y2, x3, y3 = op[1:]
            for k in range(1, steps + 1):
                t = k / steps
                u = 1 - t
                pts.append(
                    (
                        u**3 * x + 3 * u * u * t * x1 + 3 * u * t * t * x2 + t**3 * x3,
                        u**3 * y + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t**3 * y3,
                    )
                )
            x, y = x3, y3
    return pts


def _floats(text: str) -> list[float]:
    return [float(v) for v in re.findall(_NUMBER, text)]


def _element_ops(el: ET.Element) -> list[Op]:
    tag = el.tag.rsplit("}", 1)[-1]
    g = el.attrib.get
    if tag == "path":
        return parse_path(g("d", ""))
    if tag in ("polygon", "polyline"):
        nums = _floats(g("points", ""))
        if len(nums) < 6 or len(nums) % 2:
            raise ValueError("a polygon needs at least three x,y pairs")
        pairs = list(zip(nums[::2], nums[1::2], strict=True))
        ops: list[Op] = [("M", *pairs[0])] + [("L", *p) for p in pairs[1:]]
        return ops + [("Z",)] if tag == "polygon" else ops
    if tag == "rect":
        x, y = float(g("x", 0)), float(g("y", 0))
        w, h = float(g("width")), float(g("height"))
        return [("M", x, y), ("L", x + w, y), ("L", x + w, y + h), ("L", x, y + h), ("Z",)]
    if tag == "ellipse":
        return _ellipse_ops(float(g("cx", 0)), float(g("cy", 0)), float(g("rx")), float(g("ry")))
    if tag == "circle":
        r = float(g("r"))
        return _ellipse_ops(float(g("cx", 0)), float(g("cy", 0)), r, r)
    if tag == "line":
        return [("M", float(g("x1", 0)), float(g("y1", 0))), ("L", float(g("x2")), float(g("y2")))]
    raise ValueError(f"<{tag}> is not supported; use path, polygon, rect, ellipse or circle")


def _shape(el: ET.Element) -> Shape:
    return Shape.from_ops(_element_ops(el))


def _classes(el: ET.Element) -> set[str]:
    return set(el.attrib.get("class", "").split())


def _svg_pieces(path: Path) -> list[ET.Element]:
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise OutlineError(f"cannot read body-map outline: {exc}", file=path) from None
    return [g for g in root.iter() if g.tag.rsplit("}", 1)[-1] == "g" and "piece" in _classes(g)]


def _is_region(el: ET.Element) -> bool:
    return "id" in el.attrib and not _classes(el) & {"outline", "detail"}


def read_view(path: Path) -> View:
    """Read one view's SVG file; errors name the file and the element."""
    pieces: list[Piece] = []
    regions: dict[str, RegionShape] = {}
    for group in _svg_pieces(path):
        outline: Shape | None = None
        details: list[Shape] = []
        for el in group:
            where = el.attrib.get("id") or el.tag.rsplit("}", 1)[-1]
            try:
                shape = _shape(el)
            except (ValueError, TypeError) as exc:
                raise OutlineError(f"<{where}>: {exc}", file=path) from None
            cls = _classes(el)
            if "outline" in cls:
                if outline is not None:
                    raise OutlineError("a piece has more than one outline", file=path)
                outline = shape
            elif "detail" in cls:
                details.append(shape)
            elif _is_region(el):
                rid = el.attrib["id"]
                if rid in regions:
                    raise OutlineError(f"region '{rid}' is drawn twice in one view", file=path)
                marker = el.attrib.get("data-marker")
                if marker:
                    mx, my = _floats(marker)[:2]
                else:
                    x0, y0, x1, y1 = shape.bbox
                    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
                regions[rid] = RegionShape(rid, shape, len(pieces), "edge" in cls, (mx, my))
        if outline is None:
            raise OutlineError("a piece has no outline", file=path)
        pieces.append(Piece(outline, tuple(details), tuple(_flatten(outline.ops))))
    if not pieces:
        raise OutlineError('no <g class="piece"> groups', file=path)
    return View(path.stem, tuple(pieces), regions)


@cache
def load_view(name: str) -> View:
    """One view, read when a map first needs it and kept for the rest of the process."""
    return read_view(ASSET_DIR / f"{name}.svg")


def load_views() -> dict[str, View]:
    return {name: load_view(name) for name in VIEWS}


@lru_cache(maxsize=1)
def region_index() -> dict[str, dict[str, bool]]:
    """For each view, its region ids and whether each is only a glimpse at the edge.

    Enough to choose views without reading any shape, so a map reads only the
    files of the views it shows.
    """
    return {
        name: {
            el.attrib["id"]: "edge" in _classes(el)
            for group in _svg_pieces(ASSET_DIR / f"{name}.svg")
            for el in group
            if _is_region(el)
        }
        for name in VIEWS
    }


REGION_SHAPES: set[str] = {rid for ids in region_index().values() for rid in ids}


# --------------------------------------------------------------------------- choosing views


@dataclass(frozen=True)
class Roles:
    main: tuple[str, ...]
    spillover: tuple[str, ...]
    markers: tuple[str, ...]

    @property
    def used(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.main + self.spillover + self.markers))


def _roles(muscle: Muscle) -> Roles:
    main = tuple(dict.fromkeys(muscle.pain.main))
    spill = tuple(r for r in dict.fromkeys(muscle.pain.spillover) if r not in main)
    return Roles(main, spill, tuple(dict.fromkeys(muscle.pain.trigger_points)))


def _check_shapes(ids: Iterable[str]) -> None:
    missing = sorted(set(ids) - REGION_SHAPES)
    if missing:
        raise RenderError(
            "the body map has no shape for region "
            + ", ".join(f"'{r}'" for r in missing)
            + f"; add one to the SVG files in {ASSET_DIR}"
        )


def choose_views(roles: Roles) -> tuple[str, ...]:
    """The fewest views that show every region well, in page order.

    A region a view shows only at its edge counts against it: more than a whole
    extra view for a main area or a knot, which must be plain to see, a little
    for spill-over.
    """
    index = region_index()
    important = set(roles.main) | set(roles.markers)
    best: tuple[float, tuple[str, ...]] | None = None
    for n in range(1, len(VIEWS) + 1):
        for combo in itertools.combinations(VIEWS, n):
            cost = float(n)
            for rid in roles.used:
                edges = [index[v][rid] for v in combo if rid in index[v]]
                if not edges:
                    cost = math.inf
                    break
                if all(edges):
                    cost += 1.25 if rid in important else 0.25
            if best is None or cost < best[0]:
                best = (cost, combo)
    assert best is not None and best[0] < math.inf  # _check_shapes ran first
    return best[1]


# --------------------------------------------------------------------------- cropping

MAX_HEIGHT = 4.5 * inch  # of the figures, however wide the frame
# Figure units: the standing figure is 200 tall, head top at 0, soles at 201.
MIN_BAND = 48.0  # never zoom closer than a head and shoulders
FIGURE_TOP, FIGURE_BOTTOM = -3.0, 204.0
SOLE_SHARE = 0.62  # of the panel height, when the sole sits beside the figures


@dataclass(frozen=True)
class Panel:
    view: str
    crop: tuple[float, float, float, float]  # x0, y0, x1, y1 in figure units

    @property
    def w(self) -> float:
        return self.crop[2] - self.crop[0]

    @property
    def h(self) -> float:
        return self.crop[3] - self.crop[1]


def _x_extent(pieces: Iterable[Piece], y0: float, y1: float) -> tuple[float, float]:
    """Horizontal extent of the body between two heights."""
    xs: list[float] = []
    for piece in pieces:
        pts = piece.points
        for (ax, ay), (bx, by) in zip(pts, pts[1:] + pts[:1], strict=True):
            if y0 <= ay <= y1:
                xs.append(ax)
            for yc in (y0, y1):
                if (ay - yc) * (by - yc) < 0:
                    xs.append(ax + (bx - ax) * (yc - ay) / (by - ay))
    return min(xs), max(xs)


def _panels(roles: Roles, names: Sequence[str]) -> list[Panel]:
    views = {n: load_view(n) for n in names}
    used = set(roles.used)
    figures = [n for n in names if n in FIGURE_VIEWS]
    panels: dict[str, Panel] = {}
    if figures:
        # One height band for every standing figure, so the views line up side by side.
        ys = [
            y
            for n in figures
            for rid, rs in views[n].regions.items()
            if rid in used
            for y in rs.shape.bbox[1::2]
        ]
        y0, y1 = (min(ys), max(ys)) if ys else (FIGURE_TOP, FIGURE_BOTTOM)
        margin = max(7.0, 0.12 * (y1 - y0))
        y0, y1 = y0 - margin, y1 + margin
        if y1 - y0 < MIN_BAND:
            mid = (y0 + y1) / 2
            y0, y1 = mid - MIN_BAND / 2, mid + MIN_BAND / 2
        # A face or a foot cut in half looks broken, and a body without its
        # head is hard to place: show all of them.
        if y0 < 30:
            y0 = FIGURE_TOP
        if y1 > 180:
            y1 = FIGURE_BOTTOM
        if y0 < FIGURE_TOP:
            y0, y1 = FIGURE_TOP, max(y1, FIGURE_TOP + MIN_BAND)
        if y1 > FIGURE_BOTTOM:
            y0, y1 = min(y0, FIGURE_BOTTOM - MIN_BAND), FIGURE_BOTTOM
        for n in figures:
            x0, x1 = _x_extent(views[n].pieces, y0, y1)
            panels[n] = Panel(n, (x0 - 3, y0, x1 + 3, y1))
    if "sole" in names:
        x0, y0, x1, y1 = _bounds(views["sole"])
        panels["sole"] = Panel("sole", (x0 - 3, y0 - 3, x1 + 3, y1 + 3))
    return [panels[n] for n in names]


def _bounds(view: View) -> tuple[float, float, float, float]:
    boxes = [p.outline.bbox for p in view.pieces]
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


# --------------------------------------------------------------------------- colours


def _mix(a: colors.Color, b: colors.Color, t: float) -> colors.Color:
    return colors.Color(
        a.red + (b.red - a.red) * t,
        a.green + (b.green - a.green) * t,
        a.blue + (b.blue - a.blue) * t,
    )


def _luma(c: colors.Color) -> float:
    return 0.299 * c.red + 0.587 * c.green + 0.114 * c.blue


@dataclass(frozen=True)
class Palette:
    main: colors.Color
    spill_fill: colors.Color
    hatch: colors.Color
    marker: colors.Color

    @classmethod
    def from_styles(cls, styles: Styles) -> Palette:
        # Main areas must read as near-black on a grey-scale printer whatever the
        # brand colour, so darken it until it is.
        main = _mix(styles.primary, colors.black, 0.25)
        while _luma(main) > 0.22:
            main = _mix(main, colors.black, 0.2)
        marker = styles.accent
        while _luma(marker) > 0.35:
            marker = _mix(marker, colors.black, 0.2)
        return cls(main, _mix(styles.primary, WHITE, 0.84), main, marker)


# --------------------------------------------------------------------------- drawing


class _Transform:
    """Figure units (y down) to page points (y up) for one panel."""

    def __init__(self, crop: tuple[float, float, float, float], s: float, ox: float, oy: float):
        self.x0, self.y1, self.s, self.ox, self.oy = crop[0], crop[3], s, ox, oy

    def __call__(self, x: float, y: float) -> Point:
        return self.ox + (x - self.x0) * self.s, self.oy + (self.y1 - y) * self.s


def _hatch_lines(box: tuple[float, float, float, float], gap: float) -> list[tuple[Point, Point]]:
    """Parallel 45-degree lines covering a box, at a fixed phase so neighbouring shapes agree.

    In figure units (y down) the lines are x + y = c, which is a rising 45-degree
    line on the page once y is flipped.
    """
    x0, y0, x1, y1 = box
    lines = []
    for k in range(math.floor((x0 + y0) / gap), math.ceil((x1 + y1) / gap) + 1):
        c = k * gap
        lines.append(((c - y0, y0), (c - y1, y1)))
    return lines


# A unit circle as four cubic arcs, in PDF operators.
_K = 0.5523
_UNIT_CIRCLE = (
    f"1 0 m 1 {_K} {_K} 1 0 1 c -{_K} 1 -1 {_K} -1 0 c -1 -{_K} -{_K} -1 0 -1 c "
    f"{_K} -1 1 -{_K} 1 0 c h"
)


def draw_marker(canv, x: float, y: float, r: float, palette: Palette) -> None:  # noqa: ANN001
    """A dark dot in a white ring with a dark rim: reads on dark, hatched and bare body."""
    canv.saveState()
    canv.transform(r, 0, 0, r, x, y)
    canv.setLineWidth(max(0.8, r * 0.16) / r)
    canv.setStrokeColor(palette.main)
    canv.setFillColor(WHITE)
    canv.addLiteral(f"{_UNIT_CIRCLE} B")
    canv.setFillColor(palette.marker)
    canv.addLiteral(f"0.56 0 0 0.56 0 0 cm {_UNIT_CIRCLE} f")
    canv.restoreState()


def _fill_hatched(canv, code: str, bbox, palette: Palette, gap: float, lw: float) -> None:  # noqa: ANN001
    """A light fill crossed by dark lines, clipped to the shape (figure units)."""
    canv.setFillColor(palette.spill_fill)
    canv.addLiteral(f"{code} f")
    canv.saveState()
    canv.addLiteral(f"{code} W n")
    canv.setStrokeColor(palette.hatch)
    canv.setLineWidth(lw)
    lines = " ".join(
        f"{a:.2f} {b:.2f} m {c:.2f} {d:.2f} l" for (a, b), (c, d) in _hatch_lines(bbox, gap)
    )
    canv.addLiteral(f"{lines} S")
    canv.restoreState()


def _draw_hatched_swatch(canv, path, size: float, palette: Palette, gap: float, lw: float) -> None:  # noqa: ANN001
    canv.setFillColor(palette.spill_fill)
    canv.drawPath(path, stroke=0, fill=1)
    canv.saveState()
    canv.clipPath(path, stroke=0, fill=0)
    canv.setStrokeColor(palette.hatch)
    canv.setLineWidth(lw)
    # Mirrored, as figure units are: the swatch's lines then run like the map's.
    for (ax, ay), (bx, by) in _hatch_lines((0, 0, size, size), gap):
        canv.line(ax, size - ay, bx, size - by)
    canv.restoreState()


@dataclass(frozen=True)
class _Box:
    panel: Panel
    x: float  # left edge of the panel's frame, in the drawing
    width: float
    scale: float  # points per figure unit
    label_size: float
    label_lines: tuple[str, ...]  # the view's name, wrapped when its frame is narrow

    def transform(self, floor: float) -> _Transform:
        # Centred across the frame, standing on its floor.
        ox = self.x + (self.width - self.panel.w * self.scale) / 2
        return _Transform(self.panel.crop, self.scale, ox, floor)


@dataclass(frozen=True)
class _Layout:
    width: float
    height: float
    panel_height: float
    label_height: float
    gap: float
    boxes: tuple[_Box, ...]


class BodyMap(Flowable):
    """The chosen views side by side, each framed, with its name under it."""

    def __init__(
        self,
        roles: Roles,
        panels: Sequence[Panel],
        *,
        width: float,
        styles: Styles,
        labels: Mapping[str, str],
    ) -> None:
        super().__init__()
        self.roles, self.panels = roles, tuple(panels)
        self.max_width, self.styles, self.labels = width, styles, labels
        self.palette = Palette.from_styles(styles)
        self.text_size = max(12.0, styles.base_size)
        self.marker_radius = max(5.0, self.text_size * 0.44)
        self.hAlign = "CENTER"
        self._layout = self.layout(width)
        shown = [region_index()[p.view] for p in self.panels]
        # A knot goes on every view that shows its region plainly; on a view
        # that shows it only at the edge when no view shows it better.
        self._marked = {rid for rid in roles.markers if all(v[rid] for v in shown if rid in v)}

    def layout(self, avail: float) -> _Layout:
        size = self.text_size
        gap = size * 1.1
        label_h = size * 1.9
        max_h = min(MAX_HEIGHT, 0.66 * avail)
        font = self.styles.family.bold
        label_w = [stringWidth(self.labels[p.view], font, size) + size for p in self.panels]
        figures = [p for p in self.panels if p.view in FIGURE_VIEWS] or list(self.panels)
        tallest = max(p.h for p in figures)
        # The sole is a close-up beside the figures, not drawn to their scale.
        zoom = [1.0 if p in figures else min(tallest * SOLE_SHARE / p.h, 1.8) for p in self.panels]
        fixed = gap * (len(self.panels) - 1)
        sized = list(zip(self.panels, zoom, label_w, strict=True))

        def frames(s: float) -> list[float]:
            return [max(p.w * s * z, lw) for p, z, lw in sized]

        s = min(max_h / tallest, max_h / MIN_BAND)
        for _ in range(4):
            if fixed + sum(frames(s)) <= avail:
                break
            s *= (avail - fixed) / sum(frames(s))
        widths = frames(s)
        if fixed + sum(widths) > avail:
            # Only very long view names get here: narrow the frames to fit.
            widths = [w * (avail - fixed) / sum(widths) for w in widths]
        boxes = []
        x = 0.0
        for p, z, w, lw in zip(self.panels, zoom, widths, label_w, strict=True):
            scale = min(s * z, w / p.w)
            label_size = size if lw <= w else max(12.0, size * w / lw)
            # A name that still does not fit its frame at 12 pt wraps, rather than
            # running into the next view's name.
            lines = tuple(simpleSplit(self.labels[p.view], font, label_size, w + gap * 0.8))
            boxes.append(_Box(p, x, w, scale, label_size, lines))
            x += w + gap
        panel_h = tallest * s
        extra = max(len(b.label_lines) for b in boxes) - 1
        label_h += extra * size * 1.2
        return _Layout(x - gap, panel_h + label_h, panel_h, label_h, gap, tuple(boxes))

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self._layout = self.layout(min(self.max_width, aw))
        return self._layout.width, self._layout.height

    def _box(self, view: str) -> _Box:
        for box in self._layout.boxes:
            if box.panel.view == view:
                return box
        raise KeyError(view)

    def figure_point(self, view: str, x: float, y: float) -> Point:
        """Where a point of a view's figure lands in this drawing, after wrap()."""
        return self._box(view).transform(self._layout.label_height)(x, y)

    def region_point(self, view: str, region: str) -> Point:
        """The knot-marker spot of a region on a view: a point inside its shape."""
        return self.figure_point(view, *load_view(view).regions[region].marker)

    def draw(self) -> None:
        lay = self._layout
        canv = self.canv
        radius = lay.label_height * 0.2
        for box in lay.boxes:
            canv.saveState()
            frame = canv.beginPath()
            frame.roundRect(box.x, lay.label_height, box.width, lay.panel_height, radius)
            canv.clipPath(frame, stroke=0, fill=0)
            self._draw_view(load_view(box.panel.view), box.transform(lay.label_height))
            canv.restoreState()
            canv.setStrokeColor(FRAME_LINE)
            canv.setLineWidth(0.75)
            canv.roundRect(box.x, lay.label_height, box.width, lay.panel_height, radius)
            canv.setFillColor(INK)
            canv.setFont(self.styles.family.bold, box.label_size)
            for n, line in enumerate(box.label_lines, start=1):
                canv.drawCentredString(box.x + box.width / 2,
                                       lay.label_height - box.label_size * 1.2 * n, line)

    def _draw_view(self, view: View, tf: _Transform) -> None:
        """Paint the pieces in order, each with the regions on it clipped to it.

        Paths go out as PDF operators in figure units under one scaling
        transform, so their text is made once per process, not per map.
        """
        canv, pal, roles = self.canv, self.palette, self.roles
        by_piece: dict[int, list[RegionShape]] = {}
        # Spill-over first, so a main area drawn over it keeps its solid edge.
        for rid in roles.spillover + roles.main:
            rs = view.regions.get(rid)
            if rs is not None:
                by_piece.setdefault(rs.piece, []).append(rs)
        main = set(roles.main)
        unit = 1 / tf.s  # one point, in figure units
        gap = max(2.6, self.text_size * 0.24) * unit
        hatch_w = max(0.8, self.text_size * 0.07) * unit
        canv.saveState()
        canv.transform(tf.s, 0, 0, -tf.s, tf.ox - tf.x0 * tf.s, tf.oy + tf.y1 * tf.s)
        canv.setLineCap(1)
        canv.setLineJoin(1)
        for i, piece in enumerate(view.pieces):
            outline = piece.outline.code
            canv.setFillColor(BODY_FILL)
            canv.addLiteral(f"{outline} f")
            if i in by_piece:
                canv.saveState()
                canv.addLiteral(f"{outline} W n")
                for rs in by_piece[i]:
                    code = rs.shape.code
                    if rs.region in main:
                        canv.setFillColor(pal.main)
                        canv.addLiteral(f"{code} f")
                        continue
                    _fill_hatched(canv, code, rs.shape.bbox, pal, gap, hatch_w)
                canv.restoreState()
            if piece.details:
                canv.setStrokeColor(DETAIL_LINE)
                canv.setLineWidth(0.7 * unit)
                canv.addLiteral(" ".join(d.code for d in piece.details) + " S")
            canv.setStrokeColor(BODY_LINE)
            canv.setLineWidth(unit)
            canv.addLiteral(f"{outline} S")
        canv.restoreState()
        # Markers last, in page units so they stay round, and on top of every piece.
        for rid in roles.markers:
            rs = view.regions.get(rid)
            if rs is None or (rs.edge and rid not in self._marked):
                continue
            draw_marker(canv, *tf(*rs.marker), self.marker_radius, pal)


def _draw_swatch(canv, kind: str, x: float, y: float, size: float, palette: Palette) -> None:  # noqa: ANN001
    if kind == "marker":
        draw_marker(canv, x + size / 2, y + size / 2, size * 0.36, palette)
        return
    canv.saveState()
    canv.translate(x, y)
    path = canv.beginPath()
    path.roundRect(0, 0, size, size, size * 0.15)
    if kind == "main":
        canv.setFillColor(palette.main)
        canv.drawPath(path, stroke=0, fill=1)
    else:
        gap, lw = max(2.6, size * 0.2), max(0.8, size * 0.06)
        _draw_hatched_swatch(canv, path, size, palette, gap, lw)
    canv.setStrokeColor(BODY_LINE)
    canv.setLineWidth(0.75)
    canv.drawPath(path, stroke=1, fill=0)
    canv.restoreState()


class Legend(Flowable):
    """The keys of the map: on one line when they fit, else one per line, wrapped."""

    def __init__(self, keys: Sequence[tuple[str, str]], styles: Styles,
                 parent: Node | None = None) -> None:
        super().__init__()
        self.keys = list(keys)  # (kind, text)
        # Each key's words are a paragraph; the swatches are decoration.
        self.nodes = {kind: Node("P", parent) for kind, _ in self.keys}
        self.font = styles.family.regular
        self.size = max(12.0, styles.base_size)
        self.palette = Palette.from_styles(styles)
        self.hAlign = "CENTER"
        self.spaceBefore = self.spaceAfter = self.size * 0.3
        self._rows: list[list[tuple[str, list[str], float]]] = []

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        size = self.size
        swatch, pad, sep = size * 1.5, size * 0.45, size * 1.6
        widths = [stringWidth(text, self.font, size) for _, text in self.keys]
        if sum(widths) + len(widths) * (swatch + pad) + sep * (len(widths) - 1) <= aw:
            self._rows = [[(k, [t], w) for (k, t), w in zip(self.keys, widths, strict=True)]]
        else:
            room = max(size * 4, aw - swatch - pad)
            self._rows = []
            for kind, text in self.keys:
                lines = simpleSplit(text, self.font, size, room)
                width = max(stringWidth(line, self.font, size) for line in lines)
                self._rows.append([(kind, lines, width)])
        row_widths = [
            sum(swatch + pad + w for _, _, w in row) + sep * (len(row) - 1) for row in self._rows
        ]
        self.width = min(aw, max(row_widths))
        self.height = sum(self._row_height(row) for row in self._rows)
        return self.width, self.height

    def _row_height(self, row: list[tuple[str, list[str], float]]) -> float:
        lines = max(len(lines) for _, lines, _ in row)
        return max(self.size * 1.5, lines * self.size * 1.25) + self.size * 0.35

    def draw(self) -> None:
        canv, size = self.canv, self.size
        swatch, pad, sep = size * 1.5, size * 0.45, size * 1.6
        leading = size * 1.25
        top = self.height
        canv.setFont(self.font, size)
        for row in self._rows:
            h = self._row_height(row)
            mid = top - h / 2
            x = 0.0
            for kind, lines, width in row:
                with artifact_on(canv):
                    _draw_swatch(canv, kind, x, mid - swatch / 2, swatch, self.palette)
                # The text block centred on the swatch (0.35 em: half a capital's height).
                y = mid + (len(lines) - 1) * leading / 2 - size * 0.35
                canv.setFillColor(INK)
                with content_on(canv, self.nodes[kind]):
                    for line in lines:
                        canv.drawString(x + swatch + pad, y, line)
                        y -= leading
                x += swatch + pad + width + sep
            top -= h


# --------------------------------------------------------------------------- public API


def plan(muscle: Muscle) -> tuple[Roles, list[Panel]]:
    """Which regions get which mark, and the views and crops that show them."""
    roles = _roles(muscle)
    _check_shapes(roles.used)
    return roles, _panels(roles, choose_views(roles))


def bodymap_flowables(
    muscle: Muscle,
    regions: Mapping[str, Region],
    *,
    width: float,
    styles: Styles,
    caption: str | None = None,
    labels: Mapping[str, str] | None = None,
    parent: Node | None = None,
    gettext: Callable[[str], str] = str,
) -> list[Flowable]:
    """The map, its legend and the caption if given; none wider than ``width``.

    They keep together with the next one, so a page never breaks between the
    map and its legend.
    """
    words = {**DEFAULT_LABELS, **(labels or {})}
    roles, panels = plan(muscle)
    drawing = BodyMap(roles, panels, width=width, styles=styles, labels=words)
    tag(drawing, Node("Figure", parent, alt=_alt_text(roles, panels, regions, gettext)))
    kinds = ["main"] + (["spillover"] if roles.spillover else []) + ["marker"]
    legend = Legend([(k, words[k]) for k in kinds], styles, parent)
    out: list[Flowable] = [drawing, legend]
    if caption:
        out.append(tag(Paragraph(escape(caption), styles.caption), Node("P", parent)))
    for f in out[:-1]:
        f.keepWithNext = True
    return out


_FOOT = {"heel", "arch", "top-of-foot", "outer-foot", "big-toe"}
_CHEST_BELLY_GROIN = {"chest", "belly", "groin"}
_PART_ORDER = (
    "head", "neck", "shoulder", "arm", "chest", "middle of the back", "low back", "belly", "groin",
    "hip", "leg",
    "foot",
)  # fmt: skip


def _part(region: Region) -> str:
    rid = region.id
    if region.group == "head-neck":
        return "neck" if rid.endswith("neck") else "head"
    if region.group == "shoulder-arm":
        return "shoulder" if "shoulder" in rid else "arm"
    if region.group == "trunk":
        if rid in _CHEST_BELLY_GROIN:
            return rid
        # Not "back", which names the view from behind.
        return "middle of the back" if rid == "mid-back" else "low back"
    if region.group == "leg":
        return "foot" if rid in _FOOT else "leg"
    return region.group


def _parts(ids: Iterable[str], regions: Mapping[str, Region]) -> list[str]:
    """Plain words for the body parts the regions are on, head to foot."""
    found = {_part(regions[r]) for r in ids if r in regions}
    return [p for p in _PART_ORDER if p in found]


def alt_text(muscle: Muscle, regions: Mapping[str, Region],
             gettext: Callable[[str], str] = str) -> str:
    """A sentence for screen readers and for anyone who cannot see the map."""
    return _alt_text(*plan(muscle), regions, gettext)


def _alt_text(roles: Roles, panels: Sequence[Panel], regions: Mapping[str, Region],
              gettext: Callable[[str], str] = str) -> str:
    """Which views, which areas are shaded or hatched, and where the marker is;
    sentence frames in the handout's language (``gettext``), region names as the
    localized library gives them."""
    _ = gettext
    names = [p.view for p in panels]
    figures = [n for n in names if n != "sole"]
    parts = [_(p) for p in _parts(roles.used, regions)]

    def join(words: Sequence[str]) -> str:
        if len(words) <= 1:
            return "".join(words)
        return _("{items} and {last}").format(items=", ".join(words[:-1]), last=words[-1])

    def label(ids: Sequence[str]) -> str:
        return ", ".join(regions[r].label if r in regions else r for r in ids)

    if not figures:
        text = _("Body map of the sole of the foot.")
    else:
        views = join([_(n) for n in figures])
        views = (_("{views} views") if len(figures) > 1 else _("{views} view")).format(
            views=views)
        text = _("Body map, {views} of the {parts}").format(views=views, parts=join(parts))
        text += _(", with the sole of the foot.") if "sole" in names else "."
    text += " " + _("Shaded dark where pain is often felt: {regions}.").format(
        regions=label(roles.main))
    if roles.spillover:
        text += " " + _("Hatched where it is sometimes felt: {regions}.").format(
            regions=label(roles.spillover))
    text += " " + _("Marker on: {regions}.").format(regions=label(roles.markers))
    return text
