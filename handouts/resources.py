"""Where the built-in library and templates live, in a checkout or an installed wheel."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
# Templates are named NAME.html.j2: the markup is HTML-like, and editors know the suffix.
TEMPLATE_SUFFIX = ".html.j2"


def _builtin(name: str) -> Path:
    # A wheel carries them inside the package; a checkout (or editable
    # install) keeps them at the top of the repository.
    installed = _PACKAGE / "_builtin" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def builtin_data_dir() -> Path:
    return _builtin("data")


def builtin_templates_dir() -> Path:
    return _builtin("templates")


def builtin_assets_dir() -> Path:
    return _PACKAGE / "assets"


def template_search_path(user_dirs: Sequence[Path] = ()) -> list[Path]:
    """The user's folders first, so a clinic template replaces a built-in one of the same name."""
    return [Path(d) for d in user_dirs] + [builtin_templates_dir()]


def builtin_techniques_dir() -> Path:
    """Our drawings of the self-care techniques (shared.yaml's techniques)."""
    return builtin_assets_dir() / "techniques"
