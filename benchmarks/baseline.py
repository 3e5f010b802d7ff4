"""The yardstick for batch speed: a hand-written reportlab Platypus document.

Two letter pages of headings, paragraphs and bullet lists in an embedded
TrueType font (the one our handouts use), with text unique to each document,
so nothing one document lays out can be reused by the next. It is what a
programmer would write by hand for one such page with no templates, no block
markup, no tags and no fitting: the cost of Platypus itself.
"""

from __future__ import annotations

import io
import random

# Plain words of the kind a handout uses; drawn at random per document.
WORDS = """
muscle pain back neck shoulder hip knee leg arm hand foot sleep walk sit stand
stretch warm cold gentle slow breath hold press ball wall floor chair towel day
week month doctor clinic help sore tight knot ache feel often sometimes after
before during move rest heat ice swelling strain heal easy hard long short side
front top bottom left right both each every most some many few small large deep
light strong weak tired work home sport run lift carry bend turn reach push pull
""".split()

FONT = "BaselineSans"


def register_font() -> None:
    """The same TrueType files as the handouts, registered under a name of our own."""
    from pathlib import Path

    import fontpkg_atkinson_hyperlegible as pkg
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    files = Path(pkg.__file__).parent / "files"
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(FONT, str(files / "AtkinsonHyperlegible-Regular.ttf")))
    pdfmetrics.registerFont(TTFont(FONT + "-Bold", str(files / "AtkinsonHyperlegible-Bold.ttf")))
    for bold, italic, name in ((0, 0, FONT), (1, 0, FONT + "-Bold"), (0, 1, FONT),
                               (1, 1, FONT + "-Bold")):
        addMapping(FONT, bold, italic, name)


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 14))]
    return " ".join(words).capitalize() + "."


def document(seed: int) -> bytes:
    """Two pages of text unique to ``seed``, as PDF bytes."""
    from reportlab.lib.pagesizes import LETTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import inch
    from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate

    rng = random.Random(seed)
    body = ParagraphStyle("body", fontName=FONT, fontSize=12, leading=16, spaceAfter=6)
    h1 = ParagraphStyle("h1", parent=body, fontName=FONT + "-Bold", fontSize=22, leading=26)
    h2 = ParagraphStyle("h2", parent=body, fontName=FONT + "-Bold", fontSize=15, leading=19,
                        spaceBefore=8, keepWithNext=1)
    story = [Paragraph(_sentence(rng), h1)]
    for _ in range(7):
        story.append(Paragraph(_sentence(rng), h2))
        story.append(Paragraph(" ".join(_sentence(rng) for _ in range(4)), body))
        items = [ListItem(Paragraph(_sentence(rng), body)) for _ in range(4)]
        story.append(ListFlowable(items, bulletType="bullet", start="\u2022",
                                  bulletFontName=FONT, leftIndent=20))
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=LETTER, leftMargin=0.75 * inch,
                            rightMargin=0.75 * inch, topMargin=0.75 * inch,
                            bottomMargin=0.75 * inch, invariant=1, pageCompression=1,
                            initialFontName=FONT)
    doc.build(story)
    return out.getvalue()
