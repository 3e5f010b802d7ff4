"""Paragraphs that remember how they were parsed and broken into lines.

Breaking lines is the costliest step of laying out a handout, and parsing the
paragraph markup the next. Much of every handout is the same text in the same
style at the same width (first aid, strain grades, warning signs, cautions,
the disclaimer, headings, the tracker), and one handout is laid out more than
once while it is fitted. So a :class:`TextCache`, held by the typesetter,
keeps each paragraph's parsed fragments and its lines per width, and a
paragraph that finds them there skips both steps.

A cache keeps text in memory, so a handout with patient details gets a
private cache of its own, which reads the typesetter's and is dropped when
the handout is done: those details are never kept beyond the PDF they are
printed in.
"""

from __future__ import annotations

import contextlib
import itertools
from typing import Any

from reportlab.platypus import Paragraph

from handouts.pdf import internals

# What a style sets that changes neither how its text parses nor where its lines
# break: the space around a paragraph and between its lines. A handout laid out
# in another spacing (see Typesetter._close_up) finds its text already parsed and
# broken into lines (checked in tests/pdf/test_paragraphs.py).
_SPACING = frozenset({"name", "parent", "leading", "spaceBefore", "spaceAfter"})


class TextCache:
    """Parsed paragraphs and their lines, by text, style and width.

    A style is a key by what it sets for the text (its font, size, colour,
    hyphenation and the rest, not its spacing), worked out once per style: the
    typesetter keeps its styles for its own life, and the cache holds each style
    it has a key for, so no other style can take its id. A cache made with
    :meth:`private` reads this one and keeps what it adds to itself. Each table
    keeps the ``limit`` entries used last: the text every handout shares stays,
    and a worker that makes hundreds of handouts does not grow without end.
    """

    def __init__(self, base: TextCache | None = None, limit: int = 2000) -> None:
        self.base = base
        self.limit = limit
        self.parsed: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self.lines: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self._styles: dict[int, tuple[Any, int]] = {}  # id -> (style, its key)
        # Each distinct text setting gets a number, the key: every look-up hashes
        # its key, and a number hashes far faster than the setting it stands for.
        self._settings: dict[Any, int] = {}
        self._numbers = itertools.count()

    def style_key(self, style: Any) -> int:
        """A number for what in ``style`` its text's parsing and line breaks
        depend on: the same for styles that differ only in their spacing."""
        known = self._styles.get(id(style))
        if known is not None and known[0] is style:
            return known[1]
        if self.base is not None:
            return self.base.style_key(style)
        setting: Any = tuple(sorted((k, v) for k, v in vars(style).items()
                                    if k not in _SPACING))
        try:
            hash(setting)
        except TypeError:  # a value that cannot be a key: the style is its own
            setting = ("style", id(style))
        number = self._settings.setdefault(setting, next(self._numbers))
        if len(self._styles) >= self.limit:
            # Some styles are made for one handout (a box's note): the numbers
            # stay, only which style had which is worked out again.
            self._styles = {}
        self._styles[id(style)] = (style, number)
        return number

    def private(self) -> TextCache:
        """A cache for one handout with patient details: dropped with it."""
        return TextCache(self, limit=10**9)

    def get(self, table: str, key: tuple[Any, ...]) -> tuple[Any, ...] | None:
        entries = getattr(self, table)
        try:
            hit = entries.pop(key)  # and put back last: used most recently
        except KeyError:
            return self.base.get(table, key) if self.base is not None else None
        entries[key] = hit
        return hit

    def put(self, table: str, key: tuple[Any, ...], value: tuple[Any, ...]) -> None:
        entries = getattr(self, table)
        entries[key] = value
        # Another thread may drop the same entry first: then it is gone anyway.
        with contextlib.suppress(KeyError, RuntimeError, StopIteration):
            while len(entries) > self.limit:
                del entries[next(iter(entries))]

    def __len__(self) -> int:
        return len(self.parsed) + len(self.lines)


class Para(Paragraph):
    """A paragraph that keeps its last line breaking, and shares what it parsed
    and broke with the paragraphs of the same text through a :class:`TextCache`.

    Layout asks a paragraph's size at the same width several times (a
    keep-together group measures its content, then the frame places it).
    The pieces a paragraph splits into are built from its lines, not from
    text, so they are never cached.
    """

    def __init__(self, text: str | None, style: Any = None, bulletText: Any = None,  # noqa: N803
                 frags: Any = None, caseSensitive: int = 1, encoding: str = "utf8",  # noqa: N803
                 cache: TextCache | None = None) -> None:
        self._cache = cache if text is not None and frags is None else None
        if self._cache is None:
            super().__init__(text, style, bulletText, frags, caseSensitive, encoding)
            return
        key = (text, self._cache.style_key(style), bulletText)
        self._key = key
        hit = self._cache.get("parsed", key)
        if hit is None:
            super().__init__(text, style, bulletText, frags, caseSensitive, encoding)
            if self.style is style:  # else the markup set a style of its own
                self._cache.put("parsed", key, (self.text, self.frags, self.bulletText))
            else:
                self._cache = None
            return
        self.caseSensitive, self.encoding, self.debug = caseSensitive, encoding, 0
        self.style = style
        self.text, self.frags, self.bulletText = hit

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        last = self.__dict__.get("_wrapped")
        # split() drops the lines when the paragraph moves on whole: break again then.
        if last is not None and last[0] == aw and internals.has_lines(self):
            return last[1]
        size = super().wrap(aw, ah)
        self._wrapped = (aw, size)
        return size

    def breakLines(self, width: Any) -> Any:  # noqa: N802 - reportlab's name
        cache = self.__dict__.get("_cache")
        if cache is None:
            return super().breakLines(width)
        # Before breaking: reportlab narrows the list of widths it is given.
        widths = tuple(width) if isinstance(width, (list, tuple)) else (width,)
        key = (*self._key, widths)
        hit = cache.get("lines", key)
        if hit is None:
            lines = super().breakLines(width)
            # What breaking sets on the paragraph besides its lines (the
            # fragments it turned into words, the widest line), to set again.
            cache.put("lines", key, (lines, self.frags, self._width_max,
                                     self._splitLongWordCount, self._hyphenations))
            return lines
        lines, self.frags, self._width_max, self._splitLongWordCount, self._hyphenations = hit
        self.height = 0
        return lines
