"""``handouts brand check``: the brand file, and its logo and fonts opened as a build opens them."""

from __future__ import annotations

from pathlib import Path

from handouts.brand import Brand, load_brand
from handouts.errors import ErrorList, HandoutError


def check_brand(path: Path) -> Brand:
    """Load the brand and open its logo and fonts, reporting every problem at once.

    The logo and fonts are opened as a build opens them (``handouts.pdf``), so
    what passes here builds. Warnings (:func:`brand_warnings`) are the caller's
    to show.
    """
    brand = load_brand(path)
    problems: list[HandoutError] = []
    if brand.logo_path is not None:
        from handouts.pdf.logo import load_logo

        try:
            load_logo(brand.logo_path)
        except HandoutError as exc:
            problems.append(exc)
    # Every text of the brand against the font a build prints it in: the brand's
    # own, else the default one, so a name the build would refuse fails here too.
    from handouts.pdf.fonts import check_coverage, register_family

    try:
        family = register_family(
            str(brand.path(brand.fonts.regular)) if brand.fonts.regular else None,
            str(brand.path(brand.fonts.bold)) if brand.fonts.bold else None)
        check_coverage(brand, family, path)
    except HandoutError as exc:
        problems.append(exc)
    if problems:
        raise ErrorList(problems)
    return brand
