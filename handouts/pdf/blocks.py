"""One maker per markup tag: a parsed :class:`Block` -> reportlab flowables."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm, inch, mm
from reportlab.platypus import (
    Flowable,
    FrameBreak,
    HRFlowable,
    Image,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from handouts.brand import DEFAULT_BRAND, Brand
from handouts.errors import RenderError
from handouts.languages import long_date, when
from handouts.markup import TAGS, Block, find_image, widths
from handouts.models import Personal
from handouts.pdf import internals
from handouts.pdf.keeping import (
    Stack,
    Stacked,
    continued_heading,
    fill,
    gives_way,
    keep_headings_with_next,
)
from handouts.pdf.pagerefs import Anchors, PageRef
from handouts.pdf.paragraphs import Para, TextCache
from handouts.pdf.structure import Node, TableArtifacts, artifact, tag, tag_list
from handouts.pdf.styles import Styles


@dataclass
class BlockContext:
    styles: Styles
    width: float  # width of the text frame, in points
    image_dirs: Sequence[Path] = ()
    personal: Personal = field(default_factory=Personal)
    brand: Brand = DEFAULT_BRAND
    booklet: bool = False
    # Words the builders print themselves ("Prepared for"), in the handout's language.
    gettext: Callable[[str], str] = str
    lang: str = "en"
    bodymap: Callable[[Block, BlockContext], list[Flowable]] | None = None
    # The structure element the built blocks belong to; None: the document.
    parent: Node | None = None
    # Inside <keep> or a table cell, whose content never breaks across pages:
    # builders add no keep-together groups of their own, because reportlab moves
    # a group nested in another to a new page even when it fits, and cannot lay
    # one out in a table cell at all.
    keeping: bool = False
    # In a booklet: where its anchored headings land, for <pageref>.
    anchors: Anchors | None = None
    # A technique id -> its drawing, caption and alt text (the library's).
    technique: Callable[[str], tuple[Any, str, str]] | None = None
    # Parsed paragraphs and their lines, shared by the handouts of one typesetter.
    text_cache: TextCache | None = None

    def inside(self, **changes: object) -> BlockContext:
        return BlockContext(**{**self.__dict__, **changes})


def length(value: str, ctx: BlockContext | None, of: float | None = None) -> float:
    """'2in', '50mm', '12', '40%' (of ``of``, else of the frame width) -> points."""
    m = re.match(r"^(\d+(?:\.\d+)?)(pt|in|mm|cm|%)?$", value.strip())
    assert m, value  # the parser already checked the pattern
    n, unit = float(m.group(1)), m.group(2) or "pt"
    if unit == "%":
        whole = of if of is not None else (ctx.width if ctx is not None else 0.0)
        return whole * n / 100
    return n * {"pt": 1, "in": inch, "mm": mm, "cm": cm}[unit]


def _para(ctx: BlockContext, text: str, style, node: Node | None,  # noqa: ANN001
          outline: tuple[str, int] | None = None) -> Paragraph:
    para = tag(Para(text, style, cache=ctx.text_cache), node)
    if outline:
        para._outline = outline  # read by the document template after it is drawn
    return para


def _heading(level: int) -> Callable[[Block, BlockContext], list[Flowable]]:
    def build(block: Block, ctx: BlockContext) -> list[Flowable]:
        # Sections (h1, h2) get outline entries; sub-headings would only add noise.
        title = block.attrs.get("bookmark") or block.plain_text()
        outline = (title, level - 1) if level <= 2 else None
        para = _para(ctx, block.text, ctx.styles.by_name(f"h{level}"),
                     Node(f"H{level}", ctx.parent), outline)
        if "anchor" in block.attrs:
            para._anchor = block.attrs["anchor"]  # recorded by the document template
        return [para]

    return build


class OutlineMark(Flowable):
    """An invisible mark that starts an outline entry where it lands."""

    def __init__(self, title: str, level: int) -> None:
        super().__init__()
        self._outline = (title, level)
        self.width = self.height = 0

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        pass


# A paragraph that is only a bold lead ending in a colon ("Never press or roll on:")
# introduces the list after it, and goes on with its first items as a heading does.
_LEAD_IN = re.compile(r"\s*<b>[^<]*:</b>\s*")


def make_p(block: Block, ctx: BlockContext) -> list[Flowable]:
    para = _para(ctx, block.text, ctx.styles.by_name(block.attrs.get("style", "body")),
                 Node("P", ctx.parent))
    if _LEAD_IN.fullmatch(block.text):
        para._lead_in = True
    return [para]


def make_pageref(block: Block, ctx: BlockContext) -> list[Flowable]:
    style = ctx.styles.by_name(block.attrs.get("style", "body"))
    node = Node("P", ctx.parent)
    if ctx.anchors is None:  # the markup check allows it only in a booklet
        raise RenderError("a page reference can only be printed in a booklet", line=block.line)
    return [PageRef(block.text, style, node, ctx.anchors, block.attrs["to"], Para)]


def _list(block: Block, ctx: BlockContext, ordered: bool) -> list[Flowable]:
    st = ctx.styles
    # The item paragraphs are tagged as LBody by tag_list, once the list exists.
    texts = [li.text for li in block.children]
    if block.attrs.get("columns") == "2" and len(texts) > 1:
        half = (len(texts) + 1) // 2
        lst = Node("L", ctx.parent)
        left, right = (_list_flowable(part, ctx, ordered, block, lst)
                       for part in (texts[:half], texts[half:]))
        return [_table([[left, right]], [("VALIGN", (0, 0), (-1, -1), "TOP"), *_NO_PADDING],
                       st.family.regular, colWidths=["50%", "50%"], spaceAfter=st.space(0.5))]
    return [_list_flowable(texts, ctx, ordered, block, None, ctx.parent)]


def _list_flowable(texts: list[str], ctx: BlockContext, ordered: bool, block: Block,
                   lst: Node | None, parent: Node | None = None) -> ListFlowable:
    st = ctx.styles
    items = [ListItem(Para(text, st.list_item, cache=ctx.text_cache)) for text in texts]
    kw = dict(
        bulletFontName=st.family.bold if ordered else st.family.regular,
        bulletFontSize=st.base_size,
        bulletColor=st.primary,
        leftIndent=st.base_size * 1.8,
        spaceAfter=st.space(0.5),
    )
    if ordered:
        flowable = ListFlowable(items, bulletType="1", bulletFormat="%s.",
                                start=int(block.attrs.get("start", "1")), **kw)
    else:
        flowable = ListFlowable(items, bulletType="bullet", start="\u2022", **kw)
    tag_list(flowable, parent, lst)
    return flowable


def make_table(block: Block, ctx: BlockContext) -> list[Flowable]:
    st = ctx.styles
    rows = []
    ncols = max(len(r.children) for r in block.children)
    header = (
        1
        if block.children[0].children and all(c.tag == "th" for c in block.children[0].children)
        else 0
    )
    node = Node("Table", ctx.parent)
    for i, r in enumerate(block.children):
        # Every row has all its cells in the tree, even empty ones.
        row = Node("TR", node, eager=True)
        cells: list[object] = []
        for c in r.children:
            if c.tag == "th":
                cell = Node("TH", row, attrs={"Scope": "Column" if i < header else "Row"})
            else:
                cell = Node("TD", row)
            cells.append(_para(ctx, c.text, st.header_cell if c.tag == "th" else st.cell, cell))
        for _ in range(ncols - len(cells)):
            Node("TD", row)
            cells.append("")
        rows.append(cells)
    col_widths = None
    if "widths" in block.attrs:  # as many as the columns: markup.check_blocks saw to it
        col_widths = _shares(widths(block.attrs["widths"]))
    style = [
        ("GRID", (0, 0), (-1, -1), 0.75, colors.HexColor("#777777")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]
    if header:
        style += [
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
            ("LINEBELOW", (0, 0), (-1, 0), 1.5, colors.HexColor("#333333")),
        ]
    # Rows stay whole: a row broken mid-sentence, with the header repeated in the
    # middle of it, cannot be read as one.
    table = _table(rows, style, ctx.styles.family.regular, colWidths=col_widths, repeatRows=header)
    return [table, Spacer(1, st.space(0.6))]


def _shares(parts: Sequence[float]) -> list[str]:
    """Column widths as shares of the width the table gets where it lands: a page's
    frame, or one of its columns (handouts lay out later pages in two)."""
    total = sum(parts)
    return [f"{100 * p / total:.4f}%" for p in parts]


class ShareTable(internals.CellSplitInsidePadding):
    """A table whose pieces, when it breaks across columns or pages, keep its
    column widths as shares and measure their rows again where they land.

    ``min_first`` is the least height of body rows (below the repeated ones) the
    first piece must hold: a box whose title would stand alone at the foot of a
    column moves on whole instead."""

    # A box's outline entry (its title), read by the document off the first piece placed.
    outline: tuple[str, int] | None = None

    def __init__(self, rows: list, *, min_first: float = 0.0, min_last: int = 0,
                 **kw: Any) -> None:
        super().__init__(rows, **kw)
        given = kw.get("colWidths")
        self.widths = list(given) if given else [None] * max((len(r) for r in rows), default=0)
        self.min_first = min_first
        self.min_last = min_last  # rows the last piece holds at least (a note and days)

    def _offered(self, aw: float) -> None:
        if aw != getattr(self, "offered_width", None):
            internals.forget_table_width(self)
            self.offered_width = aw

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self._offered(aw)
        return super().wrap(aw, ah)

    # A box says where it goes on: (the title again, "(continued)"; the line under
    # its first piece). None for a table of data, whose header row says enough.
    continued: tuple[Callable[[Flowable], Flowable], Callable[[], Flowable]] | None = None
    # The last block of a handout (the tracker): its last piece is the last page.
    ends_the_handout = False

    def split(self, aw: float, ah: float) -> list[Flowable]:
        note = self.continued[1]() if self.continued and self._longer_than_a_frame(aw, ah) else None
        room = ah - (note.wrapOn(None, aw, ah)[1] + note.getSpaceBefore() if note else 0)
        pieces = self._pieces(aw, room)
        # Measured again where it lands, a first piece can come out a hair taller
        # than the room it was split for (its row heights are summed again): then
        # nothing of the table is placed and a hole is left. Split for that much
        # less room instead.
        for _ in range(2):
            if len(pieces) < 2:
                break
            _, height = pieces[0].wrap(aw, room)
            if height <= room:
                break
            pieces = self._pieces(aw, room - (height - room) - 0.5)
        if len(pieces) == 2 and self.ends_the_handout:
            return self._fuller_last_page(aw, ah, pieces)
        if not self.continued or len(pieces) != 2 or not self.repeatRows:
            return pieces
        first, rest = pieces
        title = internals.first_cell(rest)
        if not getattr(title, "_continued", False):
            again = self.continued[0](title)
            again._continued = True
            internals.set_first_cell(rest, again)
        return [GoesOn(first, note) if note else first, rest]

    def _longer_than_a_frame(self, aw: float, ah: float) -> bool:
        """Too long for a whole page (or column): where it is split, the line under
        its first piece says where it goes on. A shorter box that splits says so
        only with its title again; the line would cost a line's room each time."""
        frame = internals.current_frame(getattr(self, "canv", None))
        return frame is not None and self.wrap(aw, ah)[1] > internals.frame_room(frame)

    def _pieces(self, aw: float, ah: float) -> list[Flowable]:
        self._offered(aw)
        pieces = super().split(aw, ah)
        if len(pieces) == 2 and self.min_last:
            pieces = self._last_holds(aw, pieces)
        if len(pieces) > 1 and self.min_first:
            heights = internals.table_row_heights(pieces[0])
            if sum(h or 0 for h in heights[self.repeatRows:]) < self.min_first:
                return []
        for i, piece in enumerate(pieces):
            internals.reset_table_sizes(piece, self.widths, keep_heights=i == 0)
            piece.widths, piece.min_first = self.widths, self.min_first
            piece.min_last, piece.continued = self.min_last, self.continued
            piece.ends_the_handout = self.ends_the_handout
        if pieces:
            pieces[0].outline = self.outline
        return pieces

    def _fuller_last_page(self, aw: float, ah: float, pieces: list[Flowable]
                          ) -> list[Flowable]:
        """Pieces split higher up, so the last page holds at least a third of a page,
        as long as the page before stays under a fifth empty: a tracker whose
        last two days were alone on a page moves a few more days there."""
        frame = internals.current_frame(getattr(self, "canv", None))
        if frame is None:
            return pieces
        room = internals.frame_room(frame)
        heights = internals.table_row_heights(self)
        head = sum(heights[:self.repeatRows])
        first = keep = internals.table_row_count(pieces[0])
        # Of a frame: a little over a third and just under a fifth, as a page's body
        # (from its header to its footer's rule) is the frame and the space over it.
        # At 0.19 the last page of 13 large-print handouts on A4 held only 29 %.
        while (keep - 1 > self.repeatRows and head + sum(heights[keep:]) < room * 0.37
               and ah - sum(heights[:keep - 1]) <= room * 0.196):
            keep -= 1
        if keep == first:
            return pieces
        shorter = self._pieces(aw, sum(heights[:keep]) + 0.01)
        if len(shorter) != 2:
            return pieces
        # Else the frame would fill the room left under the first piece with the
        # days just moved.
        return [shorter[0], FrameBreak(), shorter[1]]

    def _last_holds(self, aw: float, pieces: list[Flowable]) -> list[Flowable]:
        """Pieces split higher up, so the last holds ``min_last`` rows; none (the
        table goes on whole) when the first would then hold no row of its own."""
        heights = internals.table_row_heights(self)
        first = internals.table_row_count(pieces[0])
        moved = self.min_last - (len(heights) - first)
        if moved <= 0:
            return pieces
        keep = first - moved
        if keep <= self.repeatRows:
            return []
        return super().split(aw, sum(heights[:keep]) + 0.01)

    @property
    def _outline(self) -> tuple[str, int] | None:
        return self.outline


class GoesOn(Stacked):
    """The first piece of a split box with the line under it that says it goes on."""

    def __init__(self, piece: Flowable, note: Flowable) -> None:
        super().__init__()
        self.piece, self.note = piece, note

    def parts(self) -> list[Flowable]:
        return [self.piece, self.note]

    def split(self, aw: float, ah: float) -> list[Flowable]:
        return []  # made to fit where it was split

    @property
    def _outline(self) -> tuple[str, int] | None:
        return getattr(self.piece, "outline", None)


class GoesOnNote(Flowable):
    """ "Continued on the next page", or "in the next column": which one is known
    only where it is drawn, so both are measured and the one that is true drawn."""

    def __init__(self, on_page: str, in_column: str, style: ParagraphStyle) -> None:
        super().__init__()
        self.texts = {True: on_page, False: in_column}
        self.style = style
        self.spaceBefore = style.fontSize * 0.3

    def _para(self, last_frame: bool) -> Paragraph:
        from html import escape

        return Paragraph(f"<i>{escape(self.texts[last_frame])}</i>", self.style)

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width = aw
        self.height = max(self._para(k).wrap(aw, ah)[1] for k in (True, False))
        return aw, self.height

    def draw(self) -> None:
        para = self._para(internals.is_last_frame(self.canv))
        _, h = para.wrap(self.width, self.height)
        para.drawOn(self.canv, 0, self.height - h)


def _table(rows: list, commands: list, font: str, **kw: Any) -> Table:
    """Every table the builders make, for data or for layout: its rules, shading
    and plain-string cells are artifacts, and those cells are set in ``font``
    (the table's default is Helvetica, which is not embedded)."""
    table = ShareTable(rows, hAlign="LEFT", renderCB=TableArtifacts(), **kw)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), font), *commands]))
    return table


def make_img(block: Block, ctx: BlockContext) -> list[Flowable]:
    src = block.attrs["src"]
    path = find_image(src, ctx.image_dirs)
    if path is None:  # markup.check_blocks looked already; the file went meanwhile
        raise RenderError(f"image '{src}' not found", file=src)
    try:
        from reportlab.lib.utils import ImageReader

        iw, ih = ImageReader(str(path)).getSize()
    except Exception as exc:  # reportlab/PIL raise many kinds for a bad image
        raise RenderError(f"cannot read image: {exc}", file=path) from None
    width = length(block.attrs["width"], ctx) if "width" in block.attrs else min(ctx.width, iw)
    width = min(width, ctx.width)
    img = Image(str(path), width=width, height=width * ih / iw)
    img.hAlign = block.attrs.get("align", "center").upper()
    return [tag(img, Node("Figure", ctx.parent, alt=block.attrs["alt"]))]


def make_technique(block: Block, ctx: BlockContext) -> list[Flowable]:
    """A technique's drawing, with its caption beside it."""
    from html import escape

    from handouts.pdf.pictures import Picture

    st = ctx.styles
    if ctx.technique is None:
        raise RenderError("a technique can only be drawn in a muscle's handout", line=block.line)
    drawing, caption, alt = ctx.technique(block.attrs["id"])
    # A share of the width where it lands (a page's frame, or one of its columns).
    share = float(block.attrs.get("width", "40%").rstrip("%")) if block.attrs.get(
        "width", "%").endswith("%") else 100 * length(block.attrs["width"], ctx) / ctx.width
    share = min(max(share, 20.0), 70.0)
    picture = tag(Picture(drawing, st.family.regular), Node("Figure", ctx.parent, alt=alt))
    text = _para(ctx, escape(caption), st.caption_beside, Node("Caption", ctx.parent))
    if block.attrs.get("caption") == "under":
        # For a narrow column: the drawing at its width, the caption under it.
        return [*_together([picture, Spacer(1, 2), text], ctx), Spacer(1, st.space(0.3))]
    t = _table([[picture, text]], [("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                   ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                                   ("LEFTPADDING", (1, 0), (1, 0), st.base_size),
                                   ("TOPPADDING", (0, 0), (-1, -1), 2),
                                   ("BOTTOMPADDING", (0, 0), (-1, -1), 2)],
               st.family.regular, colWidths=_shares([share, 100 - share]))
    return [t, Spacer(1, st.space(0.5))]


class TickBoxes(Flowable):
    """Empty boxes in a row, to tick by hand."""

    def __init__(self, count: int, side: float) -> None:
        super().__init__()
        self.count, self.side = count, side
        self.width, self.height = count * side * 1.6, side

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        c.setStrokeColor(colors.HexColor("#444444"))
        c.setLineWidth(0.9)
        for i in range(self.count):
            c.rect(i * self.side * 1.6, 0, self.side, self.side, stroke=1, fill=0)


def make_tracker(block: Block, ctx: BlockContext) -> list[Flowable]:
    """A self-care tracker to fill in: the 0 to 10 pain scale with its words, then
    a row a day, with a box to tick for each session and the day's pain score."""
    from html import escape

    st = ctx.styles
    _ = ctx.gettext
    days = int(block.attrs.get("days", "14"))
    sessions = int(block.attrs.get("sessions", "3"))
    node = Node("Table", ctx.parent)
    heads = [_("Day"), _("Date"), _("Tick a box each time"), _("Pain (0 to 10)")]
    head = Node("TR", node, eager=True)
    rows: list[list[object]] = [[
        _para(ctx, escape(h), st.header_cell, Node("TH", head, attrs={"Scope": "Column"}))
        for h in heads]]
    box = st.base_size * 0.95
    for day in range(1, days + 1):
        row = Node("TR", node, eager=True)
        number = Node("TH", row, attrs={"Scope": "Row"})
        Node("TD", row)
        Node("TD", row)
        Node("TD", row)
        rows.append([_para(ctx, str(day), st.cell, number), "",
                     artifact(TickBoxes(sessions, box)), ""])
    grid = colors.HexColor("#777777")
    last_day = len(rows) - 1
    note: list[tuple] = []
    if block.attrs.get("note"):
        # A row of the table, so it goes on with the last days: read after the
        # table, as a paragraph of its own.
        rows.append([_para(ctx, f"<b>{escape(block.attrs['note'])}</b>", st.body,
                           Node("P", ctx.parent)), "", "", ""])
        note = [("SPAN", (0, -1), (-1, -1)), ("TOPPADDING", (0, -1), (-1, -1), st.space(0.6)),
                ("LEFTPADDING", (0, -1), (-1, -1), 0), ("VALIGN", (0, -1), (-1, -1), "TOP")]
    table = _table(rows, [
        ("GRID", (0, 0), (-1, last_day), 0.75, grid),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
        ("LINEBELOW", (0, 0), (-1, 0), 1.5, colors.HexColor("#333333")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 5), ("RIGHTPADDING", (0, 0), (-1, -1), 5),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        *note,
    ], st.family.regular, colWidths=_shares([12, 26, 36, 26]), repeatRows=1,
        min_last=3 if note else 0)
    table.ends_the_handout = True  # a tracker comes last, where it can be torn off
    # The scale: the numbers 0 to 10, and under them what each part of it means.
    scale = Node("Table", ctx.parent)
    numbers, words = Node("TR", scale, eager=True), Node("TR", scale, eager=True)
    number_style = ParagraphStyle("scale_head", parent=st.scale_cell,
                                  fontName=st.family.bold)
    cells = [_para(ctx, str(n), number_style, Node("TH", numbers, attrs={"Scope": "Column"}))
             for n in range(11)]
    spans = [(0, 0, _("none")), (1, 3, _("mild")), (4, 6, _("moderate")),
             (7, 10, _("severe"))]
    under: list[object] = [""] * 11
    commands: list[tuple] = [("GRID", (0, 0), (-1, -1), 0.75, grid),
                             ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                             ("LEFTPADDING", (0, 0), (-1, -1), 1),
                             ("RIGHTPADDING", (0, 0), (-1, -1), 1),
                             ("TOPPADDING", (0, 0), (-1, -1), 2),
                             ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]
    word_cells = {}
    for first, last, word in spans:
        word_cells[first] = _para(ctx, escape(word), st.scale_cell, Node("TD", words))
        for _i in range(first + 1, last + 1):
            Node("TD", words)  # spanned over: an empty cell keeps the row whole
        if last > first:
            commands.append(("SPAN", (first, 1), (last, 1)))
    for i, cell in word_cells.items():
        under[i] = cell
    shades = {0: "#ffffff", 1: "#eeeeee", 4: "#d9d9d9", 7: "#c4c4c4"}
    for first, last, _w in spans:
        commands.append(("BACKGROUND", (first, 0), (last, 1), colors.HexColor(shades[first])))
    scale_table = _table([cells, under], commands, st.family.regular,
                         colWidths=_shares([2.5] + [1] * 10))
    # The scale first: it says what the scores mean before there is one to write.
    return [scale_table, Spacer(1, st.space(0.5)), table, Spacer(1, st.space(0.6))]


def make_hr(block: Block, ctx: BlockContext) -> list[Flowable]:
    rule = HRFlowable(width="100%", thickness=0.75, color=colors.HexColor("#888888"),
                      spaceBefore=4, spaceAfter=8)
    return [artifact(rule)]


def make_callout(block: Block, ctx: BlockContext) -> list[Flowable]:
    st = ctx.styles
    kind = block.attrs.get("kind", "note")
    pad = st.base_size * 0.8
    inner_width = ctx.width - 2 * pad
    vpad = st.space(0.8)
    box = Node("Sect", ctx.parent)
    inner = ctx.inside(width=inner_width, parent=box)
    # One row per child, so a long box can break across pages between blocks.
    rows: list[list[Flowable]] = []
    mark = False
    if "title" in block.attrs:
        title = block.attrs["title"]
        from html import escape

        rows.append([_para(ctx, escape(title), st.callout_title, Node("H3", box))])
        mark = True
    # A heading inside the box is one row with what it heads, so a break between
    # rows never leaves it alone at the foot of a column.
    body: list[list[Flowable]] = []
    for f in make_flowables(block.children, inner):
        if body and isinstance(f, Spacer):
            body[-1].append(f)
        else:
            body.append([f])
    rows.extend([Stack(cell)] for cell in body)
    border = {"note": 1.0, "warning": 2.5, "urgent": 3.0}[kind]
    style = [
        ("BOX", (0, 0), (-1, -1), border, st.accent if kind != "note" else st.primary),
        ("LEFTPADDING", (0, 0), (-1, -1), pad),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, 0), vpad * 0.8),
        ("BOTTOMPADDING", (0, -1), (-1, -1), vpad * 0.6),
    ]
    if kind == "urgent":
        style.append(("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#fbf3ee")))
    # A long box goes on in the next column or page under its title again (drawn a
    # second time, the title is an artifact: it is read once). A box that must stay
    # whole is put in <keep>.
    table = _table(rows, style, ctx.styles.family.regular, colWidths=["100%"], splitInRow=1,
                   splitByRow=0, repeatRows=1 if mark else 0, min_first=2 * st.body.leading)
    if mark:
        table.outline = (block.attrs["title"], 1)
        _ = ctx.gettext
        note = ParagraphStyle("goes-on", parent=st.small, alignment=TA_RIGHT, spaceAfter=0)
        table.continued = (continued_heading(_("continued")), lambda: artifact(
            GoesOnNote(_("Continued on the next page"), _("Continued in the next column"),
                       note)))
    return [Spacer(1, st.space(0.4)), table, Spacer(1, st.space(0.8))]


def make_keep(block: Block, ctx: BlockContext) -> list[Flowable]:
    inner = make_flowables(block.children, ctx.inside(keeping=True))
    # Already kept whole (in a table cell, or in another <keep>): a group in a group
    # would move on even when it fits, and a cell cannot hold one at all.
    if ctx.keeping:
        return inner
    kept = KeepTogether(inner)
    # A group that floats lets only whole blocks go first: a list cut in two by a
    # box it has nothing to do with reads as if the box were part of it.
    return [gives_way(kept, in_part=False) if block.attrs.get("float") == "yes" else kept]


def _together(flowables: list[Flowable], ctx: BlockContext) -> list[Flowable]:
    return flowables if ctx.keeping else [KeepTogether(flowables)]


def make_pagebreak(block: Block, ctx: BlockContext) -> list[Flowable]:
    return [PageBreak()]


class WriteInLines(Flowable):
    """Blank rules for handwriting, spaced for a pen; down to ``least`` of them
    where the page is short."""

    def __init__(self, count: int, width: float, gap: float, least: int | None = None) -> None:
        super().__init__()
        self.count, self.width, self.gap = count, width, gap
        self.least = min(least or count, count)
        self.height = count * gap

    # Under its label (a heading) it goes with the label: in fewer lines where it
    # may have fewer, else whole, never with the label left behind.
    fits_under_a_heading = True

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width = min(self.width, aw)
        return self.width, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        fit = min(int(ah // self.gap), self.count - 1)
        return [WriteInLines(fit, self.width, self.gap)] if fit >= self.least else []

    def draw(self) -> None:
        c = self.canv
        c.setStrokeColor(colors.HexColor("#666666"))
        c.setLineWidth(0.6)
        for i in range(self.count):
            y = self.height - (i + 1) * self.gap + 2
            c.line(0, y, self.width, y)


def make_lines(block: Block, ctx: BlockContext) -> list[Flowable]:
    out: list[Flowable] = []
    if "label" in block.attrs:
        from html import escape

        out.append(_para(ctx, escape(block.attrs["label"]), ctx.styles.h3, Node("H3", ctx.parent)))
    least = int(block.attrs["least"]) if "least" in block.attrs else None
    out.append(artifact(WriteInLines(int(block.attrs.get("count", "3")), ctx.width,
                                     ctx.styles.base_size * 2.4, least)))
    out.append(Spacer(1, ctx.styles.space(0.6)))
    return out


def make_spacer(block: Block, ctx: BlockContext) -> list[Flowable]:
    return [Spacer(1, length(block.attrs["height"], ctx))]


def make_prepared(block: Block, ctx: BlockContext) -> list[Flowable]:
    from html import escape

    st = ctx.styles
    who = ctx.personal
    _ = ctx.gettext
    line_h = st.base_size * 2.2
    box = Node("Sect", ctx.parent)

    def cell(title: str, value: str | None, width: float) -> list[Flowable]:
        head = _para(ctx, f"<b>{escape(title)}</b>", st.cell, Node("P", box))
        if value:
            return [head, _para(ctx, escape(value), st.cell, Node("P", box))]
        return [head, artifact(WriteInLines(1, width, line_h))]

    if block.attrs.get("layout") == "line":
        given = [(_("Prepared for"), who.patient), (_("By"), who.clinician),
                 (_("Date"), long_date(who.date, ctx.lang) if who.date else None),
                 (_("Notes"), "; ".join(who.notes) if who.notes else None)]
        if block.attrs.get("plan") == "yes":
            given += [(_("Your plan"), "; ".join(who.plan)),
                      (_("Next visit"), when(who.follow_up, ctx.lang) if who.follow_up else None)]
        text = "  \u00b7  ".join(f"<b>{escape(k)}:</b> {escape(v)}" for k, v in given if v)
        if not text:
            return []
        t = _table([[_para(ctx, text, st.cell, Node("P", box))]],
                   [("BOX", (0, 0), (-1, -1), 1, colors.HexColor("#777777")),
                    ("LEFTPADDING", (0, 0), (-1, -1), 6), ("RIGHTPADDING", (0, 0), (-1, -1), 6)],
                   st.family.regular, colWidths=["100%"], splitInRow=1)
        return [t, Spacer(1, st.space(0.6))]
    col = (ctx.width - 12) / 3
    row = [
        cell(_("Prepared for"), who.patient, col - 12),
        cell(_("By"), who.clinician, col - 12),
        cell(_("Date"), long_date(who.date, ctx.lang) if who.date else None, col - 12),
    ]
    rows: list[list[object]] = [row]
    style = [
        ("BOX", (0, 0), (-1, -1), 1, colors.HexColor("#777777")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 6),
        ("RIGHTPADDING", (0, 0), (-1, -1), 6),
    ]
    if who.notes:
        notes = [_para(ctx, f"<b>{escape(_('Notes'))}</b>", st.cell, Node("P", box))]
        notes += [_para(ctx, "\u2022 " + escape(n), st.cell, Node("P", box)) for n in who.notes]
        rows.append([notes, "", ""])
        style += [
            ("SPAN", (0, 1), (-1, 1)),
            ("LINEABOVE", (0, 1), (-1, 1), 0.5, colors.HexColor("#999999")),
        ]
    # A very long name or note may run onto the next page, row and all; a box
    # that fits on a page is kept whole.
    t = _table(rows, style, ctx.styles.family.regular, colWidths=_shares([1, 1, 1]),
               splitInRow=1)
    return [*_together([t], ctx), Spacer(1, st.space(0.8))]


def make_qr(block: Block, ctx: BlockContext) -> list[Flowable]:
    """The brand's booking link as a QR code, with the address written out beside it."""
    url = ctx.brand.booking_url
    if not url:
        return []
    from html import escape

    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    st = ctx.styles
    side = 1.15 * inch
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(side, side, transform=[side / (x1 - x0), 0, 0, side / (y1 - y0), 0, 0])
    drawing.add(widget)
    drawing.initialFontName = st.family.regular  # not Helvetica, which is not embedded
    tag(drawing, Node("Figure", ctx.parent, alt=f"{ctx.gettext('QR code')}: {url}"))
    label = block.attrs.get("label", ctx.gettext("Book your next visit"))
    text = [_para(ctx, f"<b>{escape(label)}</b>", st.body, Node("P", ctx.parent)),
            _para(ctx, f'<a href="{escape(url, quote=True)}">{escape(url)}</a>', st.body,
                  Node("P", ctx.parent))]
    t = _table([[drawing, text]], [("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 0)],
               st.family.regular, colWidths=[side + 12, "*"])
    return [*_together([t], ctx), Spacer(1, st.space(0.6))]


def make_columns(block: Block, ctx: BlockContext) -> list[Flowable]:
    gap = ctx.styles.base_size
    n = len(block.children)
    parts = widths(block.attrs["widths"]) if "widths" in block.attrs else [1.0] * n
    usable = ctx.width - gap * (n - 1)
    inner = [usable * p / sum(parts) for p in parts]
    cells = []
    for col, w in zip(block.children, inner, strict=True):
        cells.append(make_flowables(col.children, ctx.inside(width=w, keeping=True)))
    col_widths = _shares([w + (gap if i < n - 1 else 0) for i, w in enumerate(inner)])
    t = _table([cells], [("VALIGN", (0, 0), (-1, -1), "TOP"),
                         ("LEFTPADDING", (0, 0), (-1, -1), 0),
                         ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                         ("RIGHTPADDING", (0, 0), (-2, -1), gap),
                         ("TOPPADDING", (0, 0), (-1, -1), 0),
                         ("BOTTOMPADDING", (0, 0), (-1, -1), 0)],
               ctx.styles.family.regular, colWidths=col_widths)
    return [t, Spacer(1, ctx.styles.space(0.5))]


class Contents(TableOfContents):
    """The booklet's contents: each entry's title and page number, both linked to
    the page, with a dotted leader between them.

    reportlab's own list draws its dots and page number from inside the title
    paragraph, so they would be read before the title; here the title and the
    number are two cells of one TOCI, read in that order, and the leader is
    a table rule, which is an artifact.
    """

    def __init__(self, node: Node, style: ParagraphStyle, **kw: object) -> None:
        super().__init__(**kw)
        self._node = node
        self._style = style
        self._number_style = ParagraphStyle("toc-page", parent=style, alignment=TA_RIGHT)

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        rows = []
        for _level, text, page, key in internals.toc_entries(self):
            item = Node("TOCI", self._node)
            link = (lambda t, k=key: f'<a href="#{k}">{t}</a>') if key else (lambda t: t)
            rows.append([tag(Paragraph(link(text), self._style), item),
                         tag(Paragraph(link(str(page)), self._number_style), item)])
        number_w = self._style.fontSize * 3
        self._table = _table(rows or [["", ""]], [
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("LINEBELOW", (0, 0), (0, -1), 1, colors.HexColor("#888888"), None, (1, 4)),
        ], self._style.fontName, colWidths=(aw - number_w, number_w))
        self.width, self.height = self._table.wrapOn(self.canv, aw, ah)
        return self.width, self.height


def make_contents(block: Block, ctx: BlockContext) -> list[Flowable]:
    st = ctx.styles
    style = ParagraphStyle("toc", parent=st.body, fontSize=st.base_size * 1.15,
                           leading=st.base_size * 1.8, leftIndent=0, firstLineIndent=0)
    return [Contents(Node("TOC", ctx.parent), style)]


# Text beside the body map needs at least this width, or it goes under the map.
MIN_TEXT_BESIDE_MAP = 2.3 * inch
# Where a map does not fit, it may be made smaller down to this (views' height), and
# never under what it was asked to be.
MIN_VIEW_HEIGHT = 2.4 * inch


def make_withmap(block: Block, ctx: BlockContext) -> list[Flowable]:
    """The map at its height, and the blocks beside it when there is room.

    With the map on the left, its key goes under the blocks on the right, so the
    row is no taller than the map; with the map on the right (beside a box), the
    key goes under the map, with the map's title over it.
    """
    from html import escape

    assert ctx.bodymap is not None
    st = ctx.styles
    right = block.attrs.get("side") == "right"
    share = float(block.attrs.get("share", "55").rstrip("%")) / 100
    drawing, *key = ctx.bodymap(block, ctx)
    notes = [c for note in block.children if note.tag == "mapnote" for c in note.children]
    key += make_flowables(notes, ctx.inside(keeping=True))
    inner = make_flowables([b for b in block.children if b.tag != "mapnote"],
                           ctx.inside(keeping=True))
    # The document reads outline entries off what it places itself, and the
    # blocks here are placed inside a table: their entries go just before it.
    marks = [OutlineMark(*f._outline) for f in inner if getattr(f, "_outline", None)]
    title = []
    if "title" in block.attrs:
        title = [_para(ctx, escape(block.attrs["title"]), st.h3, Node("H3", ctx.parent))]
        marks.append(OutlineMark(block.attrs["title"], 1))
    if right:
        beside = Beside(drawing, inner, st, before=title, after=key, share=share, right=True)
    else:
        beside = Beside(drawing, inner, st, before=title, key=key, share=share)
    return [*marks, beside, Spacer(1, st.space(0.5))]


class Beside(Flowable):
    """A drawing beside blocks, or above or below them where the space is too narrow.

    Decided when it is laid out, so it fits wherever it lands: the full width of a
    first page, or one column of a later one.
    """

    # A heading over it goes with it (handouts.pdf.keeping.Headed), and may offer it
    # less room than it wants: it can then be made a little smaller.
    fits_under_a_heading = True

    def __init__(self, drawing: Flowable, blocks: list[Flowable], styles: Styles, *,
                 before: list[Flowable] = (), after: list[Flowable] = (),
                 key: list[Flowable] = (), share: float = 0.55, right: bool = False) -> None:
        super().__init__()
        self.drawing, self.blocks, self.styles = drawing, blocks, styles
        self.before, self.after = list(before), list(after)  # over and under the drawing
        # The map's key: under the blocks beside the map, or under the map when the
        # blocks are under it (a map apart from its key cannot be read).
        self.key = list(key)
        self.share, self.right = share, right
        self.gap = styles.base_size * 1.2
        self.font = styles.family.regular
        self._inner: Flowable | None = None

    def _column(self) -> list[Flowable]:
        """The map with what goes over and under it, when the blocks are not beside it."""
        return [*self.before, self.drawing, *self.after, *self.key]

    def _arrangements(self, aw: float) -> list[Flowable]:
        column = [*self.before, self.drawing, *self.after]
        map_w = min(self.drawing.natural_width(), aw * self.share)
        if aw - map_w - self.gap < MIN_TEXT_BESIDE_MAP:
            column = self._column()
            rows = [[self.blocks], [column]] if self.right else [[column], [self.blocks]]
            return [_table(rows, [("VALIGN", (0, 0), (-1, -1), "TOP"), *_NO_PADDING], self.font,
                           colWidths=["100%"])]
        style = [("VALIGN", (0, 0), (-1, -1), "TOP"), *_NO_PADDING,
                 ("RIGHTPADDING", (0, 0), (0, -1), self.gap)]
        # Both widths given: for a column left to "*" reportlab first asks its blocks
        # how narrow they can be, which each answers from the width it was last laid
        # out at, so the same handout could come out a point wider or narrower.
        words_w = aw - map_w - self.gap
        if self.right:
            return [_table([[self.blocks, column]], style, self.font,
                           colWidths=[words_w, map_w + self.gap])]
        # The key goes under the shorter column: under the words when the map is the
        # taller (the usual case), under the map when the words are.
        widths = [map_w + self.gap, words_w]
        return [_table([[column, [*self.blocks, *self.key]]], style, self.font, colWidths=widths),
                _table([[[*column, *self.key], self.blocks]], style, self.font, colWidths=widths)]

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        arrangements = self._arrangements(aw)
        sizes = [inner.wrapOn(self.canv, aw, ah) for inner in arrangements]
        best = min(range(len(sizes)), key=lambda i: sizes[i][1])
        if best != len(sizes) - 1:
            # The arrangements share their flowables, which keep the last layout
            # they were given: lay out the chosen one again before it is drawn.
            arrangements[best].wrapOn(self.canv, aw, ah)
        self._inner = arrangements[best]
        self.width, self.height = sizes[best]
        return self.width, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        """Where it does not fit: a map a little smaller (see MIN_VIEW_HEIGHT)
        beside the blocks, else the blocks and the map one after the other, each
        kept whole (a map apart from its key cannot be read), so what comes first
        (the emergency signs) stays where it is and the map goes on. A map on the
        left whose column does not fit lets its words go first."""
        wanted = self.drawing.height_wanted
        heights = [wanted * k for k in (0.94, 0.88, 0.82, 0.76, 0.7)] if wanted else []
        heights = [h for h in heights if h >= MIN_VIEW_HEIGHT]

        def smaller(height: float) -> Beside | None:
            candidate = Beside(self.drawing.resized(height), self.blocks, self.styles,
                               before=self.before, after=self.after, key=self.key,
                               share=self.share, right=self.right)
            return candidate if candidate.wrapOn(self.canv, aw, ah)[1] <= ah else None

        # A smaller map never makes it taller, so when the smallest does not fit,
        # none does: tried first, it spares laying out the others.
        if heights and smaller(heights[-1]) is not None:
            for height in heights:
                found = smaller(height)
                if found is not None:
                    return [found]
        blocks = [*self.blocks]
        column = self._column()
        # The part that comes first on the page first; where only the words fit,
        # the words, then the map with its key: less of a hole than moving both.
        orders = [(blocks, column)] if self.right else [(column, blocks), (blocks, column)]
        for first, second in orders:
            # (A KeepTogether says it is endless tall until it is split: measure the parts.)
            if Stack(first).wrapOn(self.canv, aw, ah)[1] <= ah:
                if second is column:  # the map goes on: what follows may fill its place
                    return [*first, gives_way(KeepTogether(second))]
                return [*first, KeepTogether(second)]
        # Not even the words fit whole (long words at 18 pt): they begin here and
        # read on over the page beside the map, rather than a hole.
        placed, rest, _ = fill(self.canv, aw, ah, blocks)
        if not placed:
            return []  # not even the start of the words fits here: all of it goes on
        if not rest:
            return [*placed, gives_way(KeepTogether(column))]
        return [*placed, Beside(self.drawing, rest, self.styles, before=self.before,
                                after=self.after, key=self.key, share=self.share,
                                right=self.right)]

    def drawOn(self, canvas, x: float, y: float, _sW: float = 0) -> None:  # noqa: ANN001, N802
        assert self._inner is not None
        self._inner.drawOn(canvas, x, y, _sW)


_NO_PADDING = [("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
               ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]


def make_bodymap(block: Block, ctx: BlockContext) -> list[Flowable]:
    # Only in a muscle's handout: markup.check_blocks saw to it.
    assert ctx.bodymap is not None
    drawing, *rest = parts = ctx.bodymap(block, ctx)
    if not hasattr(drawing, "resized"):  # legend="only": the key without the map
        return parts
    return [MapWithKey(drawing, rest)]


class MapWithKey(Stacked):
    """The map with its key and caption under it, never apart; where they do not
    fit, the map a little smaller (its views never under MIN_VIEW_HEIGHT, nor
    under what they were asked to be), rather than a hole the size of the map."""

    def __init__(self, drawing: Flowable, rest: Sequence[Flowable]) -> None:
        super().__init__()
        self.drawing, self.rest = drawing, list(rest)

    def parts(self) -> list[Flowable]:
        return [self.drawing, *self.rest]

    def split(self, aw: float, ah: float) -> list[Flowable]:
        self.wrap(aw, ah)
        views = self.drawing.views_height
        least = min(MIN_VIEW_HEIGHT, views)
        for k in (0.95, 0.9, 0.85, 0.8, 0.75, 0.7):
            if views * k < least:
                break
            smaller = MapWithKey(self.drawing.resized(views * k), self.rest)
            if smaller.wrap(aw, ah)[1] <= ah:
                return [smaller]
        return []


MAKERS: dict[str, Callable[[Block, BlockContext], list[Flowable]]] = {
    "h1": _heading(1),
    "h2": _heading(2),
    "h3": _heading(3),
    "p": make_p,
    "pageref": make_pageref,
    "technique": make_technique,
    "tracker": make_tracker,
    "ul": lambda b, c: _list(b, c, ordered=False),
    "ol": lambda b, c: _list(b, c, ordered=True),
    "table": make_table,
    "img": make_img,
    "hr": make_hr,
    "callout": make_callout,
    "keep": make_keep,
    "pagebreak": make_pagebreak,
    "lines": make_lines,
    "spacer": make_spacer,
    "prepared": make_prepared,
    "qr": make_qr,
    "contents": make_contents,
    "columns": make_columns,
    "bodymap": make_bodymap,
    "withmap": make_withmap,
}

# Tags that only appear inside another tag are built by their parent's builder;
# <page> is read by the renderer before any block is built.
NESTED_ONLY = {"li", "tr", "th", "td", "page", "column", "mapnote"}
assert set(MAKERS) | NESTED_ONLY == set(TAGS), "every markup tag needs a builder"


def make_flowables(blocks: Sequence[Block], ctx: BlockContext) -> list[Flowable]:
    """Flowables for ``blocks``, each heading kept with what follows it (unless
    ``ctx.keeping``: then the whole is kept together already)."""
    out: list[Flowable] = []
    for b in blocks:
        out.extend(MAKERS[b.tag](b, ctx))
    return out if ctx.keeping else keep_headings_with_next(out, continued_heading(
        ctx.gettext("continued")))
