"""Drawing the body map: the figures, shaded where a muscle's pain is felt, and its legend.

What to draw (the outlines, the views, the crops, the description in words)
is ``handouts.bodymap``'s; this module paints it.

Pain is drawn on the figure's right side: the viewer's left on the front view,
the viewer's right on the back view; the side view shows the right side.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

from reportlab.lib import colors
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph

from handouts.bodymap import (
    FIGURE_VIEWS,
    MAX_HEIGHT,
    MIN_BAND,
    SOLE_SHARE,
    Panel,
    Point,
    RegionShape,
    Roles,
    View,
    describe,
    load_view,
    plan,
    region_index,
)
from handouts.models import Muscle, Region
from handouts.pdf.structure import Node, artifact_on, content_on, tag
from handouts.pdf.styles import INK, Styles

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
        height: float | None = None,
    ) -> None:
        super().__init__()
        self.roles, self.panels = roles, tuple(panels)
        self.max_width, self.styles = width, styles
        self.height_wanted = height
        self._given_labels = labels
        # A cropped view says which parts it shows: "Back: hips to feet".
        self.labels = {p.view: _label(p, labels) for p in self.panels}
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
        max_h = self.height_wanted or min(MAX_HEIGHT, 0.66 * avail)
        font = self.styles.family.bold
        # A view's name wraps under it, so only its longest word sets how narrow
        # the frame may be: a long name ("Back: shoulders to thighs") must not
        # shrink the figure.
        label_w = [max(stringWidth(w, font, size) for w in self.labels[p.view].split()) + size
                   for p in self.panels]
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

    def resized(self, height: float) -> BodyMap:
        """The same map with views ``height`` tall (the same structure element)."""
        smaller = BodyMap(self.roles, self.panels, width=self.max_width, styles=self.styles,
                          labels=self._given_labels, height=height)
        return tag(smaller, self._tag) if hasattr(self, "_tag") else smaller

    @property
    def views_height(self) -> float:
        """How tall the views are, as last laid out (the names under them apart)."""
        return self._layout.panel_height

    def natural_width(self) -> float:
        """How wide the map is at its wanted height, with room to spare."""
        return self.layout(10_000.0).width

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
    """The keys of the map: as many on a line as fit, a long one wrapped."""

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
        # As many keys on a line as fit, in order; a key too long for a line of its
        # own wraps.
        room = max(size * 4, aw - swatch - pad)
        self._rows = []
        used = 0.0
        for kind, text in self.keys:
            width = stringWidth(text, self.font, size)
            if self._rows and used + sep + swatch + pad + width <= aw:
                self._rows[-1].append((kind, [text], width))
                used += sep + swatch + pad + width
                continue
            lines = simpleSplit(text, self.font, size, room) if width > room else [text]
            width = max(stringWidth(line, self.font, size) for line in lines)
            self._rows.append([(kind, lines, width)])
            used = swatch + pad + width
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


def _label(panel: Panel, labels: Mapping[str, str]) -> str:
    name = labels[panel.view]
    span = panel.span()
    if span is None:
        return name
    top, bottom = (labels.get(w, w) for w in span)
    return labels.get("span", "{view}: {top} to {bottom}").format(view=name, top=top,
                                                                   bottom=bottom)


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
    height: float | None = None,
) -> list[Flowable]:
    """The map, its legend and the caption if given; none wider than ``width``.

    They keep together with the next one, so a page never breaks between the
    map and its legend.
    """
    words = {**DEFAULT_LABELS, **(labels or {})}
    roles, panels = plan(muscle)
    drawing = BodyMap(roles, panels, width=width, styles=styles, labels=words, height=height)
    tag(drawing, Node("Figure", parent, alt=describe(roles, panels, regions, gettext)))
    kinds = ["main"] + (["spillover"] if roles.spillover else []) + ["marker"]
    legend = Legend([(k, words[k]) for k in kinds], styles, parent)
    out: list[Flowable] = [drawing, legend]
    if caption:
        out.append(tag(Paragraph(escape(caption), styles.caption), Node("P", parent)))
    for f in out[:-1]:
        f.keepWithNext = True
    return out
