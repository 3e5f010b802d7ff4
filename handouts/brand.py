"""The clinic's identity: what goes on every page, and how it looks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal


@dataclass(frozen=True)
class Colours:
    # Dark enough for white text on it and for dark text beside it (WCAG AA).
    primary: str = "#1d4e63"
    accent: str = "#8a3b12"


@dataclass(frozen=True)
class Fonts:
    regular: str | None = None
    bold: str | None = None


@dataclass(frozen=True)
class Brand:
    clinic: str = "Your clinic"
    tagline: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    logo: str | None = None
    colours: Colours = Colours()
    fonts: Fonts = Fonts()
    paper: Literal["letter", "a4"] = "letter"
    language: str = "en-US"
    footer_note: str | None = None
    # Folder the brand file sits in: relative paths inside it start here.
    folder: Path | None = None

    def contact_line(self) -> str:
        return "  ·  ".join(x for x in (self.phone, self.website or self.email) if x)


DEFAULT_BRAND = Brand()
