"""The clinic's identity: what goes on every page, and how it looks.

A brand file is YAML, validated like the muscle files. Paths inside it are
relative to the brand file and may not leave its folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from handouts.errors import DataError, DataWarning, ErrorList
from handouts.models import FirstAid, FirstAidBlocks
from handouts.regions import FIRST_AID_KINDS
from handouts.validate import validate
from handouts.yamlfile import YamlDocument, load_yaml

HEX = r"^#[0-9a-fA-F]{6}$"
# WCAG 2 AA for normal-size text.
MIN_CONTRAST = 4.5
ENV_VAR = "HANDOUTS_BRAND"
DEFAULT_EMERGENCY_NUMBER = "911"
COLOUR = {"pattern": HEX, "expect": "a colour like #1d4e63"}


@dataclass(frozen=True)
class Colors:
    primary: str = field(default="#1d4e63", metadata=COLOUR)
    accent: str = field(default="#8a3b12", metadata=COLOUR)


@dataclass(frozen=True)
class Fonts:
    regular: str | None = None
    bold: str | None = None


@dataclass(frozen=True)
class FirstAidOverrides:
    """The clinic's own first-aid wording, for any of the body-part blocks."""

    limb: FirstAid | None = None
    neck: FirstAid | None = None
    jaw: FirstAid | None = None
    trunk: FirstAid | None = None

    def over(self, blocks: FirstAidBlocks) -> FirstAidBlocks:
        return FirstAidBlocks(**{k: getattr(self, k) or getattr(blocks, k)
                                 for k in FIRST_AID_KINDS})

    def __bool__(self) -> bool:
        return any(getattr(self, k) for k in FIRST_AID_KINDS)


@dataclass(frozen=True)
class Overrides:
    disclaimer: str | None = None
    first_aid: FirstAidOverrides = field(default_factory=FirstAidOverrides)
    help_line: str | None = None


@dataclass(frozen=True)
class BrandText:
    """The brand's own sentences in another language than its main one."""

    tagline: str | None = None
    footer_note: str | None = None
    overrides: Overrides = field(default_factory=Overrides)


@dataclass(frozen=True)
class Translations:
    es: BrandText | None = None


@dataclass(frozen=True)
class Brand:
    clinic: str = "Your clinic"
    tagline: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    logo: str | None = None
    colors: Colors = field(default_factory=Colors)
    fonts: Fonts = field(default_factory=Fonts)
    paper: Literal["letter", "a4"] = "letter"
    # The number a patient calls in an emergency, printed wherever the handout
    # says to call for help: 911 in the US and Canada, 112 in most of Europe.
    emergency_number: str = field(default=DEFAULT_EMERGENCY_NUMBER, metadata={
        "pattern": r"^\+?[0-9][0-9 -]{0,14}$", "expect": "a phone number such as \"112\""})
    language: str = field(default="en-US", metadata={
        "pattern": r"^[a-z]{2}(-[A-Z]{2})?$", "expect": "a language code like en-US"})
    booking_url: str | None = field(default=None, metadata={
        "pattern": r"^https?://\S+$", "expect": "a web address starting with https://"})
    footer_note: str | None = None
    templates: str | None = None
    overrides: Overrides = field(default_factory=Overrides)
    translations: Translations = field(default_factory=Translations)
    # The brand file's folder: relative paths inside the file start here.
    folder: Path | None = field(default=None, metadata={"internal": True})
    file: Path | None = field(default=None, metadata={"internal": True})

    def in_language(self, lang: str) -> Brand:
        """The brand for a handout in ``lang``.

        Its sentences (tagline, footer note, overrides) are written in the
        brand's own language; in another language they come from
        ``translations.<lang>``, and are left out when not translated, so no
        English line lands in a Spanish handout.
        """
        if self.language.split("-")[0] == lang:
            return self
        text = getattr(self.translations, lang, None) or BrandText()
        return replace(self, tagline=text.tagline, footer_note=text.footer_note,
                       overrides=text.overrides)

    def contact_line(self) -> str:
        return "  ·  ".join(x for x in (self.phone, self.website or self.email) if x)

    def path(self, name: str | None) -> Path | None:
        return (self.folder / name) if (name and self.folder) else None

    @property
    def logo_path(self) -> Path | None:
        return self.path(self.logo)

    @property
    def template_dir(self) -> Path | None:
        return self.path(self.templates)


DEFAULT_BRAND = Brand()


def _luminance(hex_colour: str) -> float:
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio between two #rrggbb colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _inside(folder: Path, rel: str) -> bool:
    p = Path(rel)
    if p.is_absolute() or ".." in p.parts:
        return False
    return (folder / p).resolve().is_relative_to(folder.resolve())


_FIRST_AID_FIELDS = {"title", "intro", "steps", "after"}


def _old_first_aid(doc: YamlDocument) -> list[DataError]:
    """A first-aid override written as one block, from before blocks by body part.

    One block would print limb first aid (wrap it, raise it) on neck and jaw
    handouts too, so it is an error that says where the block now goes.
    """
    data = doc.data if isinstance(doc.data, dict) else {}
    places = [("overrides",)]
    translations = data.get("translations")
    if isinstance(translations, dict):
        places += [("translations", lang, "overrides") for lang in translations]
    errors = []
    for place in places:
        node: object = data
        for part in place:
            node = node.get(part) if isinstance(node, dict) else None
        block = node.get("first_aid") if isinstance(node, dict) else None
        if isinstance(block, dict) and _FIRST_AID_FIELDS & set(block):
            errors.append(doc.error(place + ("first_aid",), (
                "first aid now has one block per body part (limb, neck, jaw, trunk); put "
                "this block under 'limb:' and it stays off neck, jaw and trunk handouts")))
    return errors


def load_brand(path: str | os.PathLike[str]) -> Brand:
    """Read and check a brand file; every problem is reported at once."""
    path = Path(path)
    doc: YamlDocument = load_yaml(path)
    old = _old_first_aid(doc)
    if old:
        raise ErrorList(old)
    if isinstance(doc.data, dict) and isinstance(doc.data.get("paper"), str):
        doc.data["paper"] = doc.data["paper"].strip().lower()  # A4 and a4 alike
    brand = validate(Brand, doc)
    folder = path.resolve().parent
    brand = replace(brand, folder=folder, file=path)
    errors: list[DataError] = []
    # Both colours carry text: white on the primary (header band) and either on white.
    for name in ("primary", "accent"):
        value = getattr(brand.colors, name)
        ratio = contrast(value, "#ffffff")
        if ratio < MIN_CONTRAST:
            errors.append(doc.error(
                ("colors", name),
                f"{value} on white has a contrast ratio of {ratio:.2f}:1; text needs at least "
                f"{MIN_CONTRAST}:1 (choose a darker colour)",
            ))
    for key, rel in (("logo", brand.logo), ("fonts.regular", brand.fonts.regular),
                     ("fonts.bold", brand.fonts.bold), ("templates", brand.templates)):
        if rel is None:
            continue
        parts = tuple(key.split("."))
        if not _inside(folder, rel):
            errors.append(doc.error(parts, f"'{rel}' is outside the brand's folder; keep files "
                                           "next to the brand file"))
            continue
        target = folder / rel
        if key == "templates":
            if not target.is_dir():
                errors.append(doc.error(parts, f"template folder '{rel}' not found"))
        elif not target.is_file():
            errors.append(doc.error(parts, f"file '{rel}' not found"))
        elif key == "logo" and target.suffix.lower() not in (".png", ".jpg", ".jpeg", ".svg"):
            errors.append(doc.error(parts, "the logo must be a PNG, JPEG or SVG file"))
    if brand.fonts.bold and not brand.fonts.regular:
        errors.append(doc.error(("fonts",), "give fonts.regular as well as fonts.bold"))
    if errors:
        raise ErrorList(errors)
    return brand


# The starter brand's details (handouts/assets/brand/brand.yaml): a brand file
# that still has one of them was never made the clinic's own.
PLACEHOLDER_DETAILS = {
    "clinic": "Riverside Physical Therapy",
    "address": "120 River Road, Suite 4, Springfield",
    "phone": "(555) 010-0199",
}


def brand_warnings(brand: Brand) -> list[DataWarning]:
    """What is allowed but probably wrong: said by ``brand check`` and by every build."""
    out = []
    if brand.file is not None:
        left = [k for k, v in PLACEHOLDER_DETAILS.items() if getattr(brand, k) == v]
        if left:
            doc = load_yaml(brand.file)
            out.append(DataWarning(
                f"still the starter brand's {', '.join(left)}: every page would print "
                f"{PLACEHOLDER_DETAILS[left[0]]!r}; put in your clinic's own",
                file=brand.file, line=doc.lines.get((left[0],)), field=left[0]))
    if brand.paper == "a4" and brand.emergency_number == DEFAULT_EMERGENCY_NUMBER:
        line = None
        if brand.file is not None:
            doc = load_yaml(brand.file)
            line = doc.lines.get(("emergency_number",)) or doc.lines.get(("paper",))
        out.append(DataWarning(
            f"the paper is A4 but the emergency number is still {DEFAULT_EMERGENCY_NUMBER}, "
            "the US and Canada's; set emergency_number to your country's (112 in most of "
            "Europe, 999 in the UK, 000 in Australia)",
            file=brand.file, line=line, field="emergency_number"))
    return out


def brand_from_env_or(path: str | os.PathLike[str] | None) -> Brand:
    """The brand named on the command line, else by HANDOUTS_BRAND, else the neutral default."""
    chosen = path or os.environ.get(ENV_VAR) or None
    return load_brand(chosen) if chosen else DEFAULT_BRAND
