"""The document: page set-up, metadata and outline, and flowables laid out into PDF bytes.

Nothing here writes a file: :func:`typeset` returns the PDF's bytes, so a
server can send a handout without it touching the disk, and the command line
writes them with ``handouts.atomic``.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Spacer
from reportlab.platypus.doctemplate import LayoutError

from handouts.brand import Brand
from handouts.errors import RenderError
from handouts.pdf import internals
from handouts.pdf.furniture import make_furniture
from handouts.pdf.keeping import give_way
from handouts.pdf.pagerefs import anchor_key
from handouts.pdf.structure import TaggedCanvas
from handouts.pdf.styles import Styles

PAPER = {"letter": LETTER, "a4": A4}


@dataclass(frozen=True)
class PageSetup:
    """Where the text, the header and the footer go on a page; large print wants more room."""

    margin: float = 0.75 * inch
    header: float = 0.6 * inch  # height of the band on pages after the first
    first_header: float = 1.25 * inch  # logo and clinic details on page 1
    footer: float = 0.55 * inch
    # Only the brand's footer note, at the margin: on a one-page card "Page 1 of 1"
    # and the clinic line under a header that gives both cost two lines of the card.
    slim_footer: bool = False
    furniture_size: float = 10.0  # footer text; the header band is a little larger
    # Between the page's text and its header and footer; less on a compact page.
    gap: float = 0.25 * inch
    # Pages after the first flow in this many columns.
    columns: int = 1
    column_gap: float = 0.25 * inch

    @classmethod
    def for_margin(cls, margin: float, body_size: float) -> PageSetup:
        """Larger type gets a taller header and footer, so they stay readable."""
        k = max(1.0, body_size / 12.0)
        return cls(margin=margin, header=0.6 * inch * k, first_header=1.25 * inch * k ** 0.5,
                   footer=0.55 * inch * k ** 0.5, furniture_size=10.0 * k ** 0.7)


@dataclass(frozen=True)
class Metadata:
    title: str
    subject: str
    keywords: Sequence[str]
    date: dt.date  # fixed creation date, so the same inputs give the same bytes
    language: str | None = None  # the PDF's language tag; None: the brand's


def frame_width(paper: str, setup: PageSetup) -> float:
    return PAPER[paper][0] - 2 * setup.margin


class PagedCanvas(TaggedCanvas):
    """Holds pages back until the end, so the footer can say "Page X of Y"."""

    def __init__(self, *args: Any, furniture: Callable[[Canvas, int, int], None],
                 doc_title: str, doc_lang: str, stamp: str, tagged: bool = True,
                 **kwargs: Any) -> None:
        super().__init__(*args, tagged=tagged, **kwargs)
        self._furniture, self._title, self._lang = furniture, doc_title, doc_lang
        self._held: list[dict[str, Any]] = []
        self.setDateFormatter(lambda *_: stamp)
        self.showOutline()

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._held.append(internals.hold_page(self))

    def save(self) -> None:
        total = len(self._held)
        internals.rewind_page_counter(self, total)
        for n, state in enumerate(self._held, start=1):
            internals.restore_page(self, state)
            self._furniture(self, n, total)
            Canvas.showPage(self)
        self.write_structure(self._title, self._lang)
        Canvas.save(self)


@dataclass(frozen=True)
class Layout:
    """How a story fell on the pages."""

    pages: int
    # How much of the last page's text area the story reaches down to, 0 to 1,
    # counting each column in turn (a page with one full column of two is 0.5).
    last_page_used: float
    # The same for every page, the last one too (a box that moved on whole
    # leaves a hole on the page before it).
    pages_used: tuple[float, ...] = ()

    @property
    def least_inner_used(self) -> float:
        """How much the emptiest page between the first and the last is used."""
        return min(self.pages_used[1:-1], default=1.0)

    def short_pages(self, first: float, inner: float) -> int:
        """Pages used less than ``first`` (page 1) or ``inner`` (those in between)."""
        if self.pages < 2:
            return 0
        return ((self.pages_used[0] < first)
                + sum(u < inner for u in self.pages_used[1:-1]))


class _End(Flowable):
    """Marks where the story ends, for :class:`Layout`."""

    ends_story = True  # nothing goes past it (handouts.pdf.keeping.give_way)

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        pass


def _not_drawn(*args: Any, **kwargs: Any) -> None:
    pass


class _TrialFrame(Frame):
    """Places flowables without drawing them: a trial layout needs only where
    they fall, and drawing is about half the cost of laying out."""

    def _add(self, flowable: Flowable, canv: Canvas, trySplit: int = 0) -> int:  # noqa: N803
        flowable.__dict__["drawOn"] = _not_drawn
        try:
            return super()._add(flowable, canv, trySplit)
        finally:
            flowable.__dict__.pop("drawOn", None)

    add = _add


class HandoutDoc(BaseDocTemplate):
    def beforeDocument(self) -> None:  # noqa: N802 - reportlab's name
        # A booklet is laid out more than once (for its contents page).
        self._last_level = -1
        self._outline_keys = 0
        self.last_page_used = 1.0
        self.pages_used: list[float] = []
        self._frames_used: dict[int, float] = {}

    def _note_frame(self) -> None:
        frame, frames = self.frame, self.pageTemplate.frames
        if frame is not None and frame in frames:
            used = (frame.y1 + frame.height - internals.frame_cursor(frame)) / frame.height
            self._frames_used[frames.index(frame)] = used

    def handle_flowable(self, flowables: list[Flowable]) -> None:
        frame = getattr(self, "frame", None)  # none before the first page starts
        if frame is not None:
            give_way(flowables, frame, self.canv)
        super().handle_flowable(flowables)

    def handle_frameEnd(self, resume: int = 0) -> None:  # noqa: N802 - reportlab's name
        self._note_frame()
        super().handle_frameEnd(resume)

    def handle_pageEnd(self) -> None:  # noqa: N802 - reportlab's name
        self._note_frame()  # a page break ends a page from inside a frame
        n = len(self.pageTemplate.frames)
        self.pages_used.append(sum(self._frames_used.get(i, 0.0) for i in range(n)) / n)
        self._frames_used = {}
        super().handle_pageEnd()

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 - reportlab's name
        if isinstance(flowable, _End):
            frames = self.pageTemplate.frames
            frame = self.frame
            down = (frame.y1 + frame.height - internals.frame_cursor(frame)) / frame.height
            self.last_page_used = (frames.index(frame) + down) / len(frames)
            return
        anchor = getattr(flowable, "_anchor", None)
        if anchor:
            self.canv.bookmarkPage(anchor_key(anchor))
            self.notify("Anchor", (anchor, self.page))
        outline = getattr(flowable, "_outline", None)
        if not outline:
            return
        title, level = outline
        self._outline_keys += 1
        key = f"s{self._outline_keys}"
        self.canv.bookmarkPage(key)
        # Outline levels cannot skip: clamp to one below the previous entry.
        level = min(level, self._last_level + 1)
        self.canv.addOutlineEntry(title, key, level=level, closed=False)
        self._last_level = level
        toc = getattr(flowable, "_toc", None)
        if toc:
            self.notify("TOCEntry", (0, toc, self.page, key))


def typeset(story: list[Flowable], *, brand: Brand, styles: Styles, setup: PageSetup,
            meta: Metadata, paper: str, gettext: Callable[[str], str] = str,
            tagged: bool = True) -> bytes:
    """Lay ``story`` out on pages with the brand's furniture; the PDF's bytes."""
    return typeset_measured(story, brand=brand, styles=styles, setup=setup, meta=meta,
                            paper=paper, gettext=gettext, tagged=tagged)[0]


def typeset_measured(story: list[Flowable], *, brand: Brand, styles: Styles,
                     setup: PageSetup, meta: Metadata, paper: str,
                     gettext: Callable[[str], str] = str, tagged: bool = True
                     ) -> tuple[bytes, Layout]:
    """The PDF's bytes, and how the story fell on its pages."""
    buf = io.BytesIO()
    layout = _lay_out(story, buf, brand=brand, styles=styles, setup=setup, meta=meta,
                      paper=paper, gettext=gettext, tagged=tagged)
    return buf.getvalue(), layout


def measure(story: list[Flowable], *, brand: Brand, styles: Styles, setup: PageSetup,
            paper: str) -> Layout:
    """How ``story`` falls on the pages, without drawing or making the PDF. The
    story can be laid out again afterwards: what the layout changed on its
    flowables is put back."""
    meta = Metadata(title="", subject="", keywords=(), date=dt.date(2000, 1, 1))
    # Tags change nothing on the page, so a trial layout goes without them.
    return _lay_out(story, io.BytesIO(), brand=brand, styles=styles, setup=setup, meta=meta,
                    paper=paper, tagged=False, save=False)


def _lay_out(story: list[Flowable], out: io.BytesIO, *, brand: Brand, styles: Styles,
             setup: PageSetup, meta: Metadata, paper: str,
             gettext: Callable[[str], str] = str, tagged: bool = True, save: bool = True
             ) -> Layout:
    w, h = PAPER[paper]
    m = setup.margin
    bottom = setup.footer + setup.furniture_size * 1.4 + setup.gap
    if setup.slim_footer:
        bottom = setup.margin + (setup.furniture_size * 1.4 + setup.gap if brand.footer_note
                                 else 0)
    elif brand.footer_note:
        # The note sits under the contact line, so the footer needs no more room
        # unless the note would touch the page edge.
        bottom = max(bottom, setup.furniture_size * 3.2 + setup.gap)

    frame = Frame if save else _TrialFrame

    def frames(top: float, columns: int = 1) -> list[Frame]:
        width = (w - 2 * m - setup.column_gap * (columns - 1)) / columns
        return [frame(m + i * (width + setup.column_gap), bottom, width, h - top - bottom,
                      id=f"body{i}", leftPadding=0, rightPadding=0, topPadding=0,
                      bottomPadding=0) for i in range(columns)]

    top = setup.header + 0.3 * inch
    first = PageTemplate(id="first", frames=frames(setup.first_header + setup.gap),
                         autoNextPageTemplate="later")
    later = PageTemplate(id="later", frames=frames(top, setup.columns))
    # A booklet starts each muscle on a page like a handout's first: one column.
    lead = PageTemplate(id="lead", frames=frames(top), autoNextPageTemplate="later")
    lang = meta.language or brand.language
    doc = HandoutDoc(
        out, pagesize=(w, h), pageTemplates=[first, later, lead], leftMargin=m, rightMargin=m,
        topMargin=top, bottomMargin=bottom, title=meta.title, author=brand.clinic,
        subject=meta.subject, keywords=list(meta.keywords), creator="handouts",
        producer="handouts (reportlab)", lang=lang, displayDocTitle=1,
        # Otherwise every page names Helvetica, a font that is not embedded.
        initialFontName=styles.family.regular, initialFontSize=styles.base_size,
        invariant=1, pageCompression=1,
    )
    furniture = make_furniture(brand, styles, setup, gettext)
    stamp = _pdf_date(meta.date)

    def canvas(*args: Any, **kwargs: Any) -> PagedCanvas:
        return PagedCanvas(*args, furniture=furniture, doc_title=meta.title, doc_lang=lang,
                           stamp=stamp, tagged=tagged, **kwargs)

    # Space after the last block (a spacer under the tracker) that does not fit
    # would start a page of its own, and print it empty.
    while story and isinstance(story[-1], Spacer):
        story = story[:-1]
    try:
        with internals.binary_streams():
            if any(f.isIndexing() for f in story):
                # Page numbers in the contents are known only after a first pass.
                doc.multiBuild([*story, _End()], canvasmaker=canvas, maxPasses=4)
            else:
                # A trial layout needs only where things fell, not the PDF's bytes.
                doc._doSave = save
                edits: list[tuple[Any, ...]] = []
                if not save:
                    # Recorded as reportlab records them between the passes of a
                    # multiBuild, and undone, so the story can be laid out again.
                    doc._multiBuildEdits = edits.append
                try:
                    doc.build([*story, _End()], canvasmaker=canvas)
                finally:
                    for undo, *args in edits:
                        undo(*args)
    except LayoutError as exc:
        raise RenderError(f"cannot lay out the page: {exc}".split("\n")[0][:300]) from None
    return Layout(doc.page, doc.last_page_used, tuple(doc.pages_used))


def _pdf_date(date: dt.date) -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        t = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        return t.strftime("D:%Y%m%d%H%M%S+00'00'")
    return date.strftime("D:%Y%m%d000000+00'00'")
