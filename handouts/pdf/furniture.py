"""Page furniture: the clinic's header on the first page, a slim band after, and the footer."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from handouts.brand import Brand
from handouts.pdf import internals
from handouts.pdf.logo import load_logo
from handouts.pdf.structure import Node, artifact_on, content_on, tag
from handouts.pdf.styles import Styles

if TYPE_CHECKING:
    from handouts.pdf.document import PageSetup

# Nothing printed closer than this to the paper's edge (a quarter inch): many
# office printers cannot print there. A coloured band may bleed; its text may not.
PRINTABLE_MARGIN = 0.25 * inch


def make_furniture(brand: Brand, styles: Styles, setup: PageSetup,
                   gettext: Callable[[str], str]) -> Callable[[Canvas, int, int], None]:
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
        box_h = setup.first_header - 0.35 * inch - 10
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
        # Long names shrink, then wrap, but never leave the header box. Where the
        # box is short (a one-page summary) and a readable name leaves no room for
        # every line, the tagline goes first and the address and phone share a
        # line: how to reach the clinic matters more than its slogan.
        every = [x for x in (brand.tagline, brand.address, brand.contact_line()) if x]
        reach = [x for x in (brand.address, brand.contact_line()) if x]
        choices = [(every, (15, 14, 13, 12)), (reach, (15, 14, 13, 12))]
        if brand.address and brand.phone:
            choices.append(([f"{brand.address}  ·  {brand.phone}"], (15, 14, 13, 12)))
        choices.append((every, (11, 10, 9)))
        for details, size in [(d, size) for d, sizes in choices for size in sizes]:
            name_style.fontSize, name_style.leading = size, size * 1.15
            parts = [Paragraph(escape(brand.clinic), name_style)]
            parts += [Paragraph(escape(d), detail_style) for d in details]
            if sum(p.wrap(text_w, box_h)[1] for p in parts) <= box_h:
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
            c.rect(0, h - setup.first_header, w, 4, stroke=0, fill=1)

    def band(c: Canvas, w: float, h: float, m: float) -> None:
        band_h = setup.header
        c.setFillColor(primary)
        c.rect(0, h - band_h, w, band_h, stroke=0, fill=1)
        c.setFillColor(colors.white)
        size = setup.furniture_size * 1.2
        right = brand.phone or ""
        right_w = c.stringWidth(right, fam.regular, size)
        c.setFont(fam.bold, size)
        # The band may bleed off the top; its text stays in the printable area,
        # low in the band, well clear of the edge many printers cannot reach.
        y = max(h - band_h + (band_h - size) / 2 + 2, h - band_h + size * 0.5)
        y = min(y, h - PRINTABLE_MARGIN - size)
        c.drawString(m, y, _fit(c, brand.clinic, fam.bold, size, w - 2 * m - right_w - 16))
        c.setFont(fam.regular, size)
        c.drawRightString(w - m, y, right)

    def draw(c: Canvas, page: int, total: int) -> None:
        w, h = internals.page_size(c)
        m = setup.margin
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
        fs = setup.furniture_size
        if setup.slim_footer:
            if brand.footer_note:
                c.setFont(fam.regular, fs)
                c.drawString(m, m, _fit(c, brand.footer_note, fam.regular, fs, w - 2 * m))
            return
        c.setStrokeColor(colors.HexColor("#999999"))
        c.setLineWidth(0.5)
        y = setup.footer
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
