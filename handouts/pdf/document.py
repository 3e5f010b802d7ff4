"""Page furniture, PDF metadata, outline, and writing the file safely."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch, mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph

from handouts.brand import Brand
from handouts.errors import RenderError, os_reason
from handouts.pdf.logo import load_logo
from handouts.pdf.structure import Node, TaggedCanvas, artifact_on, content_on, tag
from handouts.pdf.styles import Styles

PAPER = {"letter": LETTER, "a4": A4}

# ASCII85 text streams are a quarter larger and slower to write than binary
# ones, and every PDF reader since 1993 reads binary; this process only writes
# handouts, so the global setting is ours to choose.
rl_config.useA85 = 0


@dataclass(frozen=True)
class Layout:
    """Page geometry; large print wants wider margins."""

    margin: float = 0.75 * inch
    header: float = 0.5 * inch  # height of the band on pages after the first
    first_header: float = 1.25 * inch  # logo and clinic details on page 1
    footer: float = 0.55 * inch
    furniture_size: float = 10.0  # footer text; the header band is a little larger
    # Between the page's text and its header and footer; less on a compact page.
    gap: float = 0.25 * inch

    @classmethod
    def for_margin(cls, margin: float, body_size: float) -> Layout:
        """Larger type gets a taller header and footer, so they stay readable."""
        k = max(1.0, body_size / 12.0)
        return cls(margin=margin, header=0.5 * inch * k, first_header=1.25 * inch * k ** 0.5,
                   footer=0.55 * inch * k ** 0.5, furniture_size=10.0 * k ** 0.7)


@dataclass(frozen=True)
class Metadata:
    title: str
    subject: str
    keywords: Sequence[str]
    date: dt.date  # fixed creation date, so the same inputs give the same bytes
    language: str | None = None  # the PDF's language tag; None: the brand's


def count_pages(story: list[Flowable], *, brand: Brand, styles: Styles, layout: Layout,
                paper: str) -> int:
    """Lay out ``story`` without writing a file; how many pages it takes."""
    import io

    buf = io.BytesIO()
    meta = Metadata(title="", subject="", keywords=(), date=dt.date(2000, 1, 1))
    # Tags change nothing on the page, so a trial layout goes without them.
    return _layout(story, buf, brand=brand, styles=styles, layout=layout, meta=meta,
                   paper=paper, tagged=False)


def frame_width(paper: str, layout: Layout) -> float:
    return PAPER[paper][0] - 2 * layout.margin


class _PagedCanvas(TaggedCanvas):
    """Holds pages back until the end, so the footer can say "Page X of Y"."""

    furniture = None  # set per document: callable(canvas, page, total)
    doc_title = ""
    doc_lang = "en"

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()
        # Bookmarks name pages by this counter while they are drawn; keep it
        # moving as if each page had been written, then rewind before writing.
        self._doc.pageCounter += 1

    def save(self) -> None:
        total = len(self._pages)
        self._doc.pageCounter -= total
        for n, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            if self.furniture is not None:
                self.furniture(self, n, total)
            Canvas.showPage(self)
        self.write_structure(self.doc_title, self.doc_lang)
        Canvas.save(self)


class HandoutDoc(BaseDocTemplate):
    def beforeDocument(self) -> None:  # noqa: N802 - reportlab's name
        # A booklet is laid out more than once (for its contents page).
        self._last_level = -1
        self._outline_keys = 0

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 - reportlab's name
        outline = getattr(flowable, "_outline", None)
        if not outline:
            return
        title, level = outline
        self._outline_keys += 1
        key = f"s{self._outline_keys}"
        self.canv.bookmarkPage(key)
        # Outline levels cannot skip: clamp to one below the previous entry.
        level = min(level + getattr(flowable, "_outline_shift", 0), self._last_level + 1)
        self.canv.addOutlineEntry(title, key, level=level, closed=False)
        self._last_level = level
        toc = getattr(flowable, "_toc", None)
        if toc:
            self.notify("TOCEntry", (0, toc, self.page, key))


def _furniture(brand: Brand, styles: Styles, layout: Layout, gettext: Callable[[str], str]):  # noqa: ANN202
    """Draws the header (logo and clinic details on page 1, a slim band after) and footer."""
    fam = styles.family
    primary = styles.primary
    logo = load_logo(brand.logo_path) if brand.logo_path else None
    muted = colors.HexColor("#333333")

    def first_header(c: Canvas, w: float, h: float, m: float) -> None:
        # Who gave the handout, and how to reach them, is content: it leads
        # the document when read aloud, although it is drawn last.
        header = Node("Sect", front=True)
        top = h - 0.35 * inch
        box_h = layout.first_header - 0.35 * inch - 10
        text_x, text_w = m, w - 2 * m
        if logo is not None:
            with content_on(c, Node("Figure", header, alt=brand.clinic)):
                used = logo.draw(c, m, top - box_h, 2.0 * inch, box_h, fam.regular)
            text_x, text_w = m + used + 14, w - 2 * m - used - 14
        name_style = ParagraphStyle("clinic", fontName=fam.bold, fontSize=15, leading=17,
                                    textColor=primary,
                                    alignment=TA_RIGHT if logo is not None else TA_LEFT)
        detail_style = ParagraphStyle("details", parent=name_style, fontName=fam.regular,
                                      fontSize=10, leading=12, textColor=muted)
        details = [x for x in (brand.tagline, brand.address, brand.contact_line()) if x]
        # Long names shrink, then wrap, but never leave the header box.
        for size in (15, 14, 13, 12, 11, 10, 9):
            name_style.fontSize, name_style.leading = size, size * 1.15
            parts = [Paragraph(escape(brand.clinic), name_style)]
            parts += [Paragraph(escape(d), detail_style) for d in details]
            total = sum(p.wrap(text_w, box_h)[1] for p in parts)
            if total <= box_h:
                break
        y = top
        for p in parts:
            _, ph = p.wrap(text_w, box_h)
            if y - ph < top - box_h - 1:
                break
            tag(p, Node("P", header)).drawOn(c, text_x, y - ph)
            y -= ph
        with artifact_on(c):
            c.setFillColor(primary)
            c.rect(0, h - layout.first_header, w, 4, stroke=0, fill=1)

    def band(c: Canvas, w: float, h: float, m: float) -> None:
        band_h = layout.header
        c.setFillColor(primary)
        c.rect(0, h - band_h, w, band_h, stroke=0, fill=1)
        c.setFillColor(colors.white)
        size = layout.furniture_size * 1.2
        right = brand.phone or ""
        right_w = c.stringWidth(right, fam.regular, size)
        c.setFont(fam.bold, size)
        y = h - band_h + (band_h - size) / 2 + 2
        c.drawString(m, y, _fit(c, brand.clinic, fam.bold, size, w - 2 * m - right_w - 16))
        c.setFont(fam.regular, size)
        c.drawRightString(w - m, y, right)

    def draw(c: Canvas, page: int, total: int) -> None:
        w, h = c._pagesize
        m = layout.margin
        c.saveState()
        if page == 1:
            first_header(c, w, h, m)
        else:
            with artifact_on(c):
                band(c, w, h, m)
        with artifact_on(c):
            footer(c, page, total, w, m)
        c.restoreState()

    def footer(c: Canvas, page: int, total: int, w: float, m: float) -> None:
        c.setFillColor(muted)
        c.setStrokeColor(colors.HexColor("#999999"))
        c.setLineWidth(0.5)
        fs = layout.furniture_size
        y = layout.footer
        c.line(m, y + fs * 1.4, w - m, y + fs * 1.4)
        c.setFont(fam.regular, fs)
        page_text = gettext("Page {page} of {total}").format(page=page, total=total)
        c.drawRightString(w - m, y, page_text)
        contact = " · ".join(x for x in (brand.clinic, brand.phone) if x)
        room = w - 2 * m - c.stringWidth(page_text, fam.regular, fs) - 12
        c.drawString(m, y, _fit(c, contact, fam.regular, fs, room))
        if brand.footer_note:
            c.drawString(m, y - fs * 1.2, _fit(c, brand.footer_note, fam.regular, fs, w - 2 * m))

    return draw


def _fit(c: Canvas, text: str, font: str, size: float, width: float) -> str:
    if c.stringWidth(text, font, size) <= width:
        return text
    while text and c.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def render_pdf(
    story: list[Flowable],
    target: Path,
    *,
    brand: Brand,
    styles: Styles,
    layout: Layout,
    meta: Metadata,
    gettext: Callable[[str], str] = str,
    paper: str,
) -> Path:
    """Lay out ``story`` and write it to ``target`` atomically."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RenderError(
            f"cannot create the output folder: {os_reason(exc)}", file=target.parent
        ) from None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
    except OSError as exc:  # a read-only folder, or a disk with no room for one more file
        raise RenderError(f"cannot write the PDF: {os_reason(exc)}", file=target) from None
    try:
        _layout(
            story,
            tmp,
            brand=brand,
            styles=styles,
            layout=layout,
            meta=meta,
            gettext=gettext,
            paper=paper,
        )
        os.replace(tmp, target)
    except OSError as exc:
        _remove(tmp)
        raise RenderError(f"cannot write the PDF: {os_reason(exc)}", file=target) from None
    except BaseException:
        _remove(tmp)
        raise
    return target


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _layout(
    story: list[Flowable],
    filename: str,
    *,
    brand: Brand,
    styles: Styles,
    layout: Layout,
    meta: Metadata,
    gettext: Callable[[str], str] = str,
    paper: str,
    tagged: bool = True,
) -> None:
    from reportlab.platypus.doctemplate import LayoutError

    pagesize = PAPER[paper]
    w, h = pagesize
    m = layout.margin
    bottom = layout.footer + layout.furniture_size * 1.4 + layout.gap
    if brand.footer_note:
        # The note sits under the contact line, so the footer needs no more room
        # unless the note would touch the page edge.
        bottom = max(bottom, layout.furniture_size * 3.2 + layout.gap)

    def frame(top: float) -> Frame:
        return Frame(m, bottom, w - 2 * m, h - top - bottom, id="body",
                     leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)

    top = layout.header + 0.3 * inch
    first = PageTemplate(id="first", frames=[frame(layout.first_header + layout.gap)],
                         autoNextPageTemplate="later")
    later = PageTemplate(id="later", frames=[frame(top)])
    doc = HandoutDoc(
        filename,
        pagesize=pagesize,
        pageTemplates=[first, later],
        leftMargin=m,
        rightMargin=m,
        topMargin=top,
        bottomMargin=bottom,
        title=meta.title,
        author=brand.clinic,
        subject=meta.subject,
        keywords=list(meta.keywords),
        creator="handouts",
        producer="handouts (reportlab)",
        lang=meta.language or brand.language,
        displayDocTitle=1,
        # Otherwise every page names Helvetica, a font that is not embedded.
        initialFontName=styles.family.regular,
        initialFontSize=styles.base_size,
        invariant=1,
        pageCompression=1,
    )
    stamp = _pdf_date(meta.date)

    class Paged(_PagedCanvas):
        furniture = staticmethod(_furniture(brand, styles, layout, gettext))
        doc_title = meta.title
        doc_lang = meta.language or brand.language
        tagging = tagged

        def __init__(self, *a, **kw) -> None:  # noqa: ANN002, ANN003
            super().__init__(*a, **kw)
            self.setDateFormatter(lambda *_: stamp)
            self.showOutline()

    from reportlab.platypus.tableofcontents import TableOfContents

    try:
        if any(isinstance(f, TableOfContents) for f in story):
            # Page numbers in the contents are known only after a first pass.
            doc.multiBuild(story, canvasmaker=Paged, maxPasses=4)
        else:
            doc.build(story, canvasmaker=Paged)
    except LayoutError as exc:
        raise RenderError(f"cannot lay out the page: {exc}".split("\n")[0][:300]) from None
    return doc.page


def _pdf_date(date: dt.date) -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        t = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        return t.strftime("D:%Y%m%d%H%M%S+00'00'")
    return date.strftime("D:%Y%m%d000000+00'00'")


__all__ = ["Layout", "Metadata", "render_pdf", "frame_width", "mm"]
