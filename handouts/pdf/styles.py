"""Paragraph styles for a handout, at normal or large-print size."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle

from handouts.pdf.fonts import FontFamily

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#444444")


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    lead: ParagraphStyle
    small: ParagraphStyle
    caption: ParagraphStyle
    h1: ParagraphStyle
    h2: ParagraphStyle
    h3: ParagraphStyle
    list_item: ParagraphStyle
    cell: ParagraphStyle
    header_cell: ParagraphStyle
    callout_title: ParagraphStyle
    caption_beside: ParagraphStyle  # beside a technique's drawing: read like the steps
    scale_cell: ParagraphStyle  # the pain scale's numbers and words, centred
    base_size: float
    family: FontFamily
    primary: colors.Color
    accent: colors.Color
    # How much of the usual space goes between blocks: 1, or less for a page
    # that must hold a lot (<page spacing="compact">). Type size never changes.
    gap: float = 1.0

    def by_name(self, name: str) -> ParagraphStyle:
        return getattr(self, name)

    def space(self, k: float) -> float:
        """Space between blocks: ``k`` times the body size, scaled by :attr:`gap`."""
        return self.base_size * k * self.gap


LARGE_PRINT = 18.0


def _smaller(body: float) -> float:
    """The size of notes and captions for a body size."""
    return body if body >= LARGE_PRINT else max(12.0, body * 0.9)


def make_styles(family: FontFamily, primary: str, accent: str, base_size: float = 12.0,
                gap: float = 1.0, line_spacing: float = 1.4) -> Styles:
    """Health-literacy sizes: body >= 12 pt, line spacing about 1.4, left aligned."""
    s = base_size
    lead_factor = line_spacing
    p = colors.HexColor(primary)
    a = colors.HexColor(accent)

    def style(name: str, size: float, **kw: object) -> ParagraphStyle:
        kw.setdefault("fontName", family.regular)
        kw.setdefault("textColor", INK)
        kw.setdefault("alignment", TA_LEFT)
        kw.setdefault("leading", size * lead_factor)
        return ParagraphStyle(name, fontSize=size, **kw)

    return Styles(
        body=style("body", s, spaceAfter=s * 0.5 * gap),
        lead=style("lead", s * 1.2, spaceAfter=s * 0.6 * gap),
        # "small" is never below 12 pt: nothing a patient must read is smaller; in
        # large print (18 pt and up) it is not smaller than the body at all.
        small=style("small", _smaller(s), textColor=MUTED, spaceAfter=s * 0.4 * gap),
        caption=style(
            "caption", _smaller(s), textColor=MUTED, spaceBefore=2 * gap,
            spaceAfter=s * 0.5 * gap,
        ),
        h1=style(
            "h1", s * 2.0, fontName=family.bold, textColor=p, leading=s * 2.3,
            spaceAfter=s * 0.3 * gap,
        ),
        h2=style(
            "h2",
            s * 1.4,
            fontName=family.bold,
            textColor=p,
            leading=s * 1.75,
            spaceBefore=s * 0.9 * gap,
            spaceAfter=s * 0.35 * gap,
            keepWithNext=1,
        ),
        h3=style(
            "h3",
            s * 1.15,
            fontName=family.bold,
            leading=s * 1.5,
            spaceBefore=s * 0.5 * gap,
            spaceAfter=s * 0.25 * gap,
            keepWithNext=1,
        ),
        list_item=style("list_item", s, spaceAfter=s * 0.2 * gap),
        cell=style("cell", s, leading=s * 1.3),
        header_cell=style("header_cell", s, fontName=family.bold, leading=s * 1.3),
        callout_title=style(
            "callout_title", s * 1.2, fontName=family.bold, leading=s * 1.5,
            spaceAfter=s * 0.3 * gap,
        ),
        caption_beside=style("caption_beside", s),
        scale_cell=style("scale_cell", s, alignment=TA_CENTER, leading=s * 1.2),
        base_size=s,
        family=family,
        primary=p,
        accent=a,
        gap=gap,
    )
