"""What is printed where on each page of a PDF: for the paper and blank-space rules.

Read with pdfium: every text run, line, shape and image, with its box in points.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium_c

TEXT, PATH, IMAGE, SHADING, FORM = (pdfium_c.FPDF_PAGEOBJ_TEXT, pdfium_c.FPDF_PAGEOBJ_PATH,
                                    pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_SHADING,
                                    pdfium_c.FPDF_PAGEOBJ_FORM)


@dataclass(frozen=True)
class Mark:
    kind: int
    left: float
    bottom: float
    right: float
    top: float

    @property
    def height(self) -> float:
        return self.top - self.bottom

    @property
    def width(self) -> float:
        return self.right - self.left


@dataclass
class Page:
    number: int
    width: float
    height: float
    marks: list[Mark]
    # The body: between the header (band or first-page rule) and the footer rule.
    body_top: float
    body_bottom: float

    def body_marks(self) -> list[Mark]:
        return [m for m in self.marks
                if m.top > self.body_bottom - 6 and m.top <= self.body_top + 1]

    def blank_share(self, columns: int = 1) -> float:
        """How much of the body is empty below its content, averaged over the columns."""
        height = self.body_top - self.body_bottom
        marks = self.body_marks()
        shares = []
        for c in range(columns):
            x0 = self.width * c / columns
            x1 = self.width * (c + 1) / columns
            here = [m for m in marks if x0 <= (m.left + m.right) / 2 < x1]
            low = min((m.bottom for m in here), default=self.body_top)
            shares.append((low - self.body_bottom) / height)
        return max(0.0, sum(shares) / len(shares))

    def text_over_text(self) -> list[tuple[Mark, Mark]]:
        """Pairs of text runs drawn over each other: a line across another line."""
        runs = sorted((m for m in self.marks if m.kind == TEXT and m.height > 4),
                      key=lambda m: -m.top)
        out = []
        for i, a in enumerate(runs):
            for b in runs[i + 1:]:
                if b.top <= a.bottom:
                    break  # sorted from the top: the rest are all lower
                dx = min(a.right, b.right) - max(a.left, b.left)
                dy = min(a.top, b.top) - max(a.bottom, b.bottom)
                if dx > 3 and dy > 0.5 * min(a.height, b.height):
                    out.append((a, b))
        return out

    def nearest_edge(self) -> float:
        """The smallest distance from anything printed to the paper's edge, in points.

        A filled band (the header's colour) may bleed; only its text counts.
        """
        out = float("inf")
        for m in self.marks:
            if m.kind == PATH:
                # Shapes are often clipped (the body map), so their own boxes say
                # little; rules count, and bands across the page may bleed.
                if m.width > self.width * 0.9 or m.height > 2:
                    continue
            out = min(out, m.left, m.bottom, self.width - m.right, self.height - m.top)
        return out


def _marks(page: pypdfium2.PdfPage) -> list[Mark]:
    out = []
    for obj in page.get_objects(max_depth=2):
        if obj.type not in (TEXT, PATH, IMAGE):
            continue
        left, bottom, right, top = obj.get_bounds()
        if right - left <= 0 and top - bottom <= 0:
            continue
        out.append(Mark(obj.type, left, bottom, right, top))
    return out


def pages(path: Path) -> list[Page]:
    doc = pypdfium2.PdfDocument(str(path))
    try:
        out = []
        for n, page in enumerate(doc, start=1):
            width, height = page.get_size()
            marks = _marks(page)
            rules = [m for m in marks if m.kind == PATH and m.height < 1.5 and m.width > width / 2]
            footer = max((m.bottom for m in rules if m.bottom < height * 0.2), default=0.0)
            # Page 1: the thin rule under the clinic's details; later pages: the band.
            header_marks = [m for m in marks if m.kind == PATH and m.width > width * 0.9
                            and m.top >= height - 1]
            band = min((m.bottom for m in header_marks), default=None)
            head_rule = [m for m in marks if m.kind == PATH and m.width > width * 0.9
                         and 2 < m.height < 6 and m.bottom > height * 0.7]
            top = band if band is not None else (
                min(m.bottom for m in head_rule) if head_rule else height)
            # The text frame ends a little above the footer's rule (PageSetup.gap).
            out.append(Page(n, width, height, marks, top - 1, footer + 9))
        return out
    finally:
        doc.close()


def body_text_sizes(path: Path) -> list[tuple[float, str]]:
    """(font size, character) of every character printed in the pages' bodies,
    the header and footer apart."""
    out = []
    laid = pages(path)
    doc = pypdfium2.PdfDocument(str(path))
    try:
        for page, info in zip(doc, laid, strict=True):
            text = page.get_textpage()
            for i in range(text.count_chars()):
                ch = text.get_text_range(i, 1)
                if not ch.strip():
                    continue
                left, bottom, right, top = text.get_charbox(i)
                if bottom < info.body_bottom - 6 or top > info.body_top + 1:
                    continue
                out.append((round(pdfium_c.FPDFText_GetFontSize(text.raw, i), 1), ch))
    finally:
        doc.close()
    return out
