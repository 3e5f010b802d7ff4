"""From block markup to a tagged PDF: the only package that imports reportlab.

Importing it first defers one regular expression reportlab compiles when its
paragraph module is imported: a case-insensitive pattern for web addresses
over most of Unicode, which takes about 60 ms to compile (as long as laying
out a page) and is only used to split a long web address over lines. It is
compiled when it is first used.
"""

from __future__ import annotations

import re
import sys
from typing import Any

# The start of reportlab's pattern (paragraph.py, derived from Django's URL
# validator); any other pattern is compiled as usual.
_DEFERRED = "(^(?:[a-z0-9\\.\\-\\+]*)://)"


class _Deferred:
    """A compiled pattern, compiled on first use."""

    def __init__(self, pattern: str, flags: int) -> None:
        self._args = (pattern, flags)
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            self._compiled = re.compile(*self._args)
        return getattr(self._compiled, name)


def _import_paragraph() -> None:
    if "reportlab.platypus.paragraph" in sys.modules:
        return
    compile_ = re.compile

    def deferring(pattern: Any, flags: int = 0) -> Any:
        if isinstance(pattern, str) and pattern.startswith(_DEFERRED):
            return _Deferred(pattern, flags)
        return compile_(pattern, flags)

    # Only while the module is imported (once, under Python's import lock);
    # another thread compiling meanwhile gets its pattern as usual.
    re.compile = deferring  # type: ignore[assignment]
    try:
        import reportlab.platypus.paragraph  # noqa: F401
    finally:
        re.compile = compile_


_import_paragraph()
