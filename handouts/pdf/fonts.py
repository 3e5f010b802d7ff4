"""Embedded TrueType fonts, and the check that they can draw every character.

reportlab's built-in Helvetica cannot draw most of the world's text and
prints black boxes without complaint, so every handout uses an embedded
TrueType font, and text is checked against the font before rendering.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from handouts.errors import RenderError
from handouts.models import READ, texts
from handouts.yamlfile import format_key


@dataclass(frozen=True)
class FontFamily:
    regular: str  # reportlab font names
    bold: str
    italic: str
    bold_italic: str
    charset: frozenset[int]


def _atkinson_dir() -> Path:
    import fontpkg_atkinson_hyperlegible as pkg

    return Path(pkg.__file__).parent / "files"


@lru_cache(maxsize=8)
def register_family(regular: str | None = None, bold: str | None = None) -> FontFamily:
    """Register a family once per process; defaults to Atkinson Hyperlegible."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    if regular is None:
        d = _atkinson_dir()
        files = {
            "regular": d / "AtkinsonHyperlegible-Regular.ttf",
            "bold": d / "AtkinsonHyperlegible-Bold.ttf",
            "italic": d / "AtkinsonHyperlegible-Italic.ttf",
            "bold_italic": d / "AtkinsonHyperlegible-BoldItalic.ttf",
        }
        base = "Atkinson"
    else:
        b = bold or regular
        files = {
            "regular": Path(regular),
            "bold": Path(b),
            "italic": Path(regular),
            "bold_italic": Path(b),
        }
        base = "Brand-" + Path(regular).stem
    names = {}
    charset: set[int] | None = None
    for style, path in files.items():
        name = f"{base}-{style}"
        names[style] = name
        if name in pdfmetrics.getRegisteredFontNames():
            font = pdfmetrics.getFont(name)
        else:
            try:
                font = TTFont(name, str(path))
            except (OSError, TTFError) as exc:
                raise RenderError(f"cannot use font: {exc}", file=path) from None
            pdfmetrics.registerFont(font)
        if style == "regular":
            charset = set(font.face.charToGlyph)
    addMapping(names["regular"], 0, 0, names["regular"])
    addMapping(names["regular"], 1, 0, names["bold"])
    addMapping(names["regular"], 0, 1, names["italic"])
    addMapping(names["regular"], 1, 1, names["bold_italic"])
    return FontFamily(
        names["regular"],
        names["bold"],
        names["italic"],
        names["bold_italic"],
        frozenset(charset or ()),
    )


def uncovered(text: str, charset: frozenset[int]) -> list[str]:
    """Characters of ``text`` the font cannot draw (spaces and invisible marks excepted)."""
    missing = []
    for ch in set(text):
        if ord(ch) in charset or ch.isspace() or unicodedata.category(ch) in ("Cf", "Cc"):
            continue
        missing.append(ch)
    return sorted(missing)


def describe_char(ch: str) -> str:
    name = unicodedata.name(ch, "unnamed character")
    return f"'{ch}' (U+{ord(ch):04X} {name})"


def check_coverage(obj: object, family: FontFamily, file: Path | str | None) -> None:
    """Raise RenderError naming the first character the font cannot draw, and where it is."""
    for path, text in texts(obj, READ):
        missing = uncovered(text, family.charset)
        if missing:
            chars = ", ".join(describe_char(c) for c in missing[:3])
            raise RenderError(
                f"the font {family.regular.split('-')[0]} cannot draw {chars}; "
                "remove the character or choose a font that has it",
                file=file,
                field=format_key(path),
            )
