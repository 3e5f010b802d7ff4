"""Page furniture, PDF metadata, outline, and writing the file safely."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import inch, mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate

from handouts.brand import Brand
from handouts.errors import RenderError
from handouts.styles import Styles

PAPER = {"letter": LETTER, "a4": A4}


@dataclass(frozen=True)
class Layout:
    """Page geometry; large print wants wider margins."""

    margin: float = 0.75 * inch
    header: float = 0.55 * inch  # height of the header band
    footer: float = 0.5 * inch


@dataclass(frozen=True)
class Metadata:
    title: str
    subject: str
    keywords: Sequence[str]
    date: dt.date  # fixed creation date, so the same inputs give the same bytes


def frame_width(paper: str, layout: Layout) -> float:
    return PAPER[paper][0] - 2 * layout.margin


class _PagedCanvas(Canvas):
    """Holds pages back until the end, so the footer can say "Page X of Y"."""

    furniture = None  # set per document: callable(canvas, page, total)

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for n, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            if self.furniture is not None:
                self.furniture(self, n, total)
            Canvas.showPage(self)
        Canvas.save(self)


class HandoutDoc(BaseDocTemplate):
    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 - reportlab's name
        outline = getattr(flowable, "_outline", None)
        if not outline:
            return
        title, level = outline
        key = f"s{self.seq.nextf('outline')}"
        self.canv.bookmarkPage(key)
        # Outline levels cannot skip: clamp to one below the previous entry.
        level = min(level + self._outline_base, self._last_level + 1)
        self.canv.addOutlineEntry(title, key, level=level, closed=False)
        self._last_level = level


def _furniture(brand: Brand, styles: Styles, layout: Layout, labels: dict[str, str]):  # noqa: ANN202
    """Draws the header band, clinic contact line and "Page X of Y" footer."""
    fam = styles.family
    primary = styles.primary

    def draw(c: Canvas, page: int, total: int) -> None:
        w, h = c._pagesize
        m = layout.margin
        c.saveState()
        band_h = layout.header
        c.setFillColor(primary)
        c.rect(0, h - band_h, w, band_h, stroke=0, fill=1)
        c.setFillColor(colors.white)
        size = 14.0
        name = brand.clinic
        # Long clinic names shrink to fit the band rather than run off the page.
        while c.stringWidth(name, fam.bold, size) > w - 2 * m and size > 9:
            size -= 0.5
        c.setFont(fam.bold, size)
        c.drawString(
            m, h - band_h + (band_h - size) / 2 + 2, _fit(c, name, fam.bold, size, w - 2 * m)
        )
        c.setFillColor(colors.HexColor("#333333"))
        c.setStrokeColor(colors.HexColor("#999999"))
        c.setLineWidth(0.5)
        y = layout.footer
        c.line(m, y + 14, w - m, y + 14)
        c.setFont(fam.regular, 10)
        page_text = labels.get("page_of", "Page {page} of {total}").format(page=page, total=total)
        c.drawRightString(w - m, y, page_text)
        contact = brand.contact_line()
        left = brand.clinic + (f"  ·  {contact}" if contact else "")
        c.drawString(
            m,
            y,
            _fit(
                c, left, fam.regular, 10, w - 2 * m - c.stringWidth(page_text, fam.regular, 10) - 12
            ),
        )
        c.restoreState()

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
    labels: dict[str, str],
    paper: str,
) -> Path:
    """Lay out ``story`` and write it to ``target`` atomically."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RenderError(
            f"cannot create the output folder: {exc.strerror}", file=target.parent
        ) from None
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        _layout(
            story,
            tmp,
            brand=brand,
            styles=styles,
            layout=layout,
            meta=meta,
            labels=labels,
            paper=paper,
        )
        os.replace(tmp, target)
    except OSError as exc:
        _remove(tmp)
        raise RenderError(f"cannot write the PDF: {exc.strerror}", file=target) from None
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
    labels: dict[str, str],
    paper: str,
) -> None:
    from reportlab.platypus.doctemplate import LayoutError

    pagesize = PAPER[paper]
    w, h = pagesize
    m = layout.margin
    top = layout.header + 0.3 * inch
    bottom = layout.footer + 14 + 0.25 * inch
    frame = Frame(
        m,
        bottom,
        w - 2 * m,
        h - top - bottom,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc = HandoutDoc(
        filename,
        pagesize=pagesize,
        pageTemplates=[PageTemplate(id="page", frames=[frame])],
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
        lang=brand.language,
        displayDocTitle=1,
        invariant=1,
        pageCompression=1,
    )
    doc._outline_base = 0
    doc._last_level = -1
    stamp = _pdf_date(meta.date)

    class Paged(_PagedCanvas):
        furniture = staticmethod(_furniture(brand, styles, layout, labels))

        def __init__(self, *a, **kw) -> None:  # noqa: ANN002, ANN003
            super().__init__(*a, **kw)
            self.setDateFormatter(lambda *_: stamp)
            self.showOutline()

    try:
        doc.build(story, canvasmaker=Paged)
    except LayoutError as exc:
        raise RenderError(f"cannot lay out the page: {exc}".split("\n")[0][:300]) from None


def _pdf_date(date: dt.date) -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        t = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        return t.strftime("D:%Y%m%d%H%M%S+00'00'")
    return date.strftime("D:%Y%m%d000000+00'00'")


def large_print_layout() -> Layout:
    return Layout(margin=1 * inch, header=0.6 * inch, footer=0.55 * inch)


__all__ = ["Layout", "Metadata", "render_pdf", "frame_width", "large_print_layout", "mm"]
