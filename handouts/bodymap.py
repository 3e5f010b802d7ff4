"""The body map's figures and what to show of them: reading our SVG outlines, choosing
views and crops for a muscle, and the map's description in words. No drawing here
(that is ``handouts.pdf.bodymap``), so ``handouts check`` can use it without reportlab.

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
from functools import cache, cached_property
from pathlib import Path

from handouts.errors import OutlineError, RenderError
from handouts.models import Muscle, Region
from handouts.regions import HEAD_NECK, LEG, SHOULDER_ARM, TRUNK

ASSET_DIR = Path(__file__).resolve().parent / "assets" / "bodymap"
INCH = 72.0

# Painting order on the page, left to right, and the order views are tried in
# when several sets of views would show the same regions equally well.
VIEWS: tuple[str, ...] = ("front", "back", "side", "sole")
FIGURE_VIEWS = ("front", "back", "side")  # standing figures that share one height scale

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


@cache
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


@cache
def region_shapes() -> frozenset[str]:
    """Every region drawn on some view (read from the outlines the first time it is asked)."""
    return frozenset(rid for ids in region_index().values() for rid in ids)


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
    missing = sorted(set(ids) - region_shapes())
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

MAX_HEIGHT = 4.5 * INCH  # of the figures, however wide the frame
# Figure units: the standing figure is 200 tall, head top at 0, soles at 201.
MIN_BAND = 48.0  # never zoom closer than a head and shoulders
FIGURE_TOP, FIGURE_BOTTOM = -3.0, 204.0
SOLE_SHARE = 0.62  # of the panel height, when the sole sits beside the figures
MIN_ASPECT = 0.75  # a close-up's width to its height, at the least


# Where each part of the standing figure is (figure units, top down): a cropped
# view is labelled with the parts it runs from and to.
SPAN_WORDS = ((0.0, "head"), (30.0, "neck"), (42.0, "shoulders"), (65.0, "chest"),
              (95.0, "waist"), (112.0, "hips"), (140.0, "thighs"), (160.0, "knees"),
              (180.0, "calves"), (198.0, "feet"))


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

    def span(self) -> tuple[str, str] | None:
        """The parts a cropped standing figure runs from and to; None for a whole one."""
        if self.view not in FIGURE_VIEWS:
            return None
        y0, y1 = self.crop[1], self.crop[3]
        if y0 <= FIGURE_TOP + 1 and y1 >= FIGURE_BOTTOM - 1:
            return None
        top = [w for y, w in SPAN_WORDS if y <= y0 + 8][-1] if y0 > 8 else "head"
        bottom = next((w for y, w in SPAN_WORDS if y >= y1 - 8), "feet")
        return top, bottom


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
        if y0 <= FIGURE_TOP:
            # A head shown whole is a band of at least MIN_BAND too, down to the
            # shoulders, so it is drawn as tall as any other view.
            y0, y1 = FIGURE_TOP, max(y1, FIGURE_TOP + MIN_BAND)
        if y1 > FIGURE_BOTTOM:
            y0, y1 = min(y0, FIGURE_BOTTOM - MIN_BAND), FIGURE_BOTTOM
        for n in figures:
            x0, x1 = _x_extent(views[n].pieces, y0, y1)
            # A close-up is only as wide as the painted parts need, so a head and
            # neck can be shown large beside its text; never narrower than it is tall
            # times MIN_ASPECT, so it still reads as a body.
            xs = [x for rid, rs in views[n].regions.items() if rid in used
                  for x in rs.shape.bbox[0::2]]
            if xs and y1 - y0 < FIGURE_BOTTOM - FIGURE_TOP - 1:
                pad = max(8.0, 0.2 * (y1 - y0))
                want = max(max(xs) - min(xs) + 2 * pad, MIN_ASPECT * (y1 - y0))
                mid = (min(xs) + max(xs)) / 2
                x0, x1 = max(x0, mid - want / 2), min(x1, mid + want / 2)
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


# --------------------------------------------------------------------------- the map of a muscle


def plan(muscle: Muscle) -> tuple[Roles, list[Panel]]:
    """Which regions get which mark, and the views and crops that show them."""
    roles = _roles(muscle)
    _check_shapes(roles.used)
    return roles, _panels(roles, choose_views(roles))


# --------------------------------------------------------------------------- in words


_FOOT = {"heel", "arch", "top-of-foot", "outer-foot", "big-toe"}
_CHEST_BELLY_GROIN = {"chest", "belly", "groin"}
_PART_ORDER = (
    "head", "neck", "shoulder", "arm", "chest", "middle of the back", "low back", "belly", "groin",
    "hip", "leg",
    "foot",
)  # fmt: skip


def _part(region: Region) -> str:
    rid = region.id
    if region.group == HEAD_NECK:
        return "neck" if rid.endswith("neck") else "head"
    if region.group == SHOULDER_ARM:
        return "shoulder" if "shoulder" in rid else "arm"
    if region.group == TRUNK:
        if rid in _CHEST_BELLY_GROIN:
            return rid
        # Not "back", which names the view from behind.
        return "middle of the back" if rid == "mid-back" else "low back"
    if region.group == LEG:
        return "foot" if rid in _FOOT else "leg"
    return region.group


def _parts(ids: Iterable[str], regions: Mapping[str, Region]) -> list[str]:
    """Plain words for the body parts the regions are on, head to foot."""
    found = {_part(regions[r]) for r in ids if r in regions}
    return [p for p in _PART_ORDER if p in found]


def describe(roles: Roles, panels: Sequence[Panel], regions: Mapping[str, Region],
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
