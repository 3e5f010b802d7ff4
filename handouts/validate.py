"""Turn parsed YAML into typed dataclass models, collecting every problem.

The models' type hints are the schema: ``str`` is text, ``list[T]`` a list,
``T | None`` optional, a dataclass a nested mapping, ``Literal[...]`` a
choice, ``datetime.date`` a ``YYYY-MM-DD`` date. Field metadata adds
``ref`` (an id that must exist in a named vocabulary), ``choices`` (the
allowed words), ``pattern`` and ``unique`` (no item twice in a list).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import functools
import re
import types
import typing
import unicodedata
from collections.abc import Mapping
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

from handouts.errors import DataError, ErrorList
from handouts.yamlfile import PathKey, YamlDocument

if typing.TYPE_CHECKING:
    from handouts.models import Personal

T = TypeVar("T")

_INVALID = object()
_WS = re.compile(r"\s+")
# Characters that are there but cannot be seen: control characters (a stray
# escape, a paste from a word processor) and format characters (zero-width
# spaces and joiners, soft hyphens, direction marks, byte-order marks).
_INVISIBLE = ("Cc", "Cf")


def clean_text(value: str) -> str:
    """Text as it is printed: runs of whitespace folded to one space, ends trimmed,
    and invisible control and format characters dropped.

    Dropped rather than refused: no font can draw them, so they would print as
    empty boxes or break the block markup, and nobody meant to type them. Every
    text that reaches a handout (data files, brand files, the command line's
    patient details) goes through here.
    """
    text = _WS.sub(" ", value)
    if not text.isprintable():  # the fast path: almost every text is printable
        text = "".join(ch for ch in text if unicodedata.category(ch) not in _INVISIBLE)
        text = _WS.sub(" ", text)
    return text.strip()


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    # Annotations are strings (postponed evaluation); resolving them is slow.
    return get_type_hints(cls)


@functools.cache
def _fields(cls: type) -> dict[str, dataclasses.Field]:
    return {f.name: f for f in dataclasses.fields(cls) if not f.metadata.get("internal")}


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (dt.date, dt.datetime)):
        return "a date"
    return type(value).__name__


class Validator:
    """Converts one document; ``refs`` maps a vocabulary name to its allowed ids."""

    def __init__(self, doc: YamlDocument, refs: Mapping[str, typing.Collection[str]] | None = None):
        self.doc = doc
        self.refs = refs or {}
        self.errors: list[DataError] = []

    def fail(self, key: PathKey, message: str) -> object:
        self.errors.append(self.doc.error(key, message))
        return _INVALID

    def convert(self, tp: Any, value: Any, key: PathKey, meta: Mapping[str, Any]) -> Any:
        origin = get_origin(tp)
        if origin in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            if value is None:
                return None
            return self.convert(args[0], value, key, meta)
        if tp is str:
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                return self.fail(key, f"expected text, got {_type_name(value)}")
            if not isinstance(value, str):
                return self.fail(key, f"expected text, got {_type_name(value)} (put it in quotes)")
            text = clean_text(value)
            if not text:
                return self.fail(key, "must not be empty")
            pattern = meta.get("pattern")
            if pattern is not None and not re.match(pattern, text):
                return self.fail(key, f"expected {meta.get('expect', 'text matching ' + pattern)}"
                                      f", got {text!r}")
            choices = meta.get("choices")
            if choices is not None and text not in choices:
                hint = difflib.get_close_matches(text, list(choices), n=1)
                extra = f" (did you mean '{hint[0]}'?)" if hint else ""
                return self.fail(key, f"expected one of {', '.join(choices)}, got {text!r}{extra}")
            ref = meta.get("ref")
            if ref is not None:
                known = self.refs.get(ref)
                if known is not None and text not in known:
                    hint = difflib.get_close_matches(text, list(known), n=1)
                    extra = f" (did you mean '{hint[0]}'?)" if hint else ""
                    return self.fail(key, f"unknown {ref} '{text}'{extra}")
            return text
        if tp is int:
            if isinstance(value, bool) or not isinstance(value, int):
                return self.fail(key, f"expected a whole number, got {_type_name(value)}")
            lo, hi = meta.get("min"), meta.get("max")
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                return self.fail(key, f"expected a number from {lo} to {hi}, got {value}")
            return value
        if tp is dt.date:
            if isinstance(value, dt.datetime):
                return value.date()
            if isinstance(value, dt.date):
                return value
            if isinstance(value, str):
                try:
                    return dt.date.fromisoformat(value.strip())
                except ValueError:
                    pass
            return self.fail(key, f"expected a date like 2026-11-27, got {value!r}")
        if origin is Literal:
            choices = get_args(tp)
            if value not in choices:
                hint = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1)
                extra = f" (did you mean '{hint[0]}'?)" if hint else ""
                return self.fail(
                    key, f"expected one of {', '.join(map(str, choices))}, got {value!r}{extra}"
                )
            return value
        if origin is list:
            (item_tp,) = get_args(tp)
            if not isinstance(value, list):
                return self.fail(key, f"expected a list, got {_type_name(value)}")
            if not value:
                return self.fail(key, "the list is empty")
            items = [self.convert(item_tp, v, key + (i,), meta) for i, v in enumerate(value)]
            if meta.get("unique"):
                seen: set[Any] = set()
                for i, item in enumerate(items):
                    if item in seen and item is not _INVALID:
                        self.fail(key + (i,), f"'{item}' is listed twice")
                    seen.add(item)
            return _INVALID if any(i is _INVALID for i in items) else items
        if dataclasses.is_dataclass(tp):
            return self.convert_mapping(tp, value, key)
        raise TypeError(f"unsupported schema type {tp!r}")  # a bug in our models, not user input

    def convert_mapping(self, cls: type[T], value: Any, key: PathKey) -> T | object:
        if not isinstance(value, dict):
            return self.fail(key, f"expected a mapping of fields, got {_type_name(value)}")
        hints = _hints(cls)
        fields = _fields(cls)
        for name in value:
            if name not in fields:
                hint = difflib.get_close_matches(name, list(fields), n=1, cutoff=0.6)
                extra = f" (did you mean '{hint[0]}'?)" if hint else ""
                self.fail(key + (name,), f"unknown field{extra}")
        kwargs: dict[str, Any] = {}
        ok = True
        for name, f in fields.items():
            required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            if name not in value or value[name] is None:
                if required:
                    self.fail(key, f"missing required field '{name}'")
                    ok = False
                continue
            converted = self.convert(hints[name], value[name], key + (name,), f.metadata)
            if converted is _INVALID:
                ok = False
            else:
                kwargs[name] = converted
        if not ok:
            return _INVALID
        return cls(**kwargs)


def validate(
    cls: type[T], doc: YamlDocument, refs: Mapping[str, typing.Collection[str]] | None = None
) -> T:
    """Build ``cls`` from ``doc``; raise :class:`ErrorList` with every problem found."""
    v = Validator(doc, refs)
    result = v.convert_mapping(cls, doc.data, ())
    if v.errors:
        raise ErrorList(v.errors)
    assert result is not _INVALID
    return typing.cast(T, result)


def parse_follow_up(text: str) -> dt.date | dt.datetime:
    """A follow-up visit as typed: '2026-12-15', or with a 24-hour time,
    '2026-12-15 10:30'. ValueError for anything else."""
    m = re.fullmatch(r"\s*(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}):(\d{2}))?\s*", text)
    if m is None:
        raise ValueError(text)
    day = dt.date.fromisoformat(m.group(1))
    if m.group(2) is None:
        return day
    return dt.datetime.combine(day, dt.time(int(m.group(2)), int(m.group(3))))


def personal_details(patient: str | None, clinician: str | None, date: dt.date | None,
                     notes: typing.Iterable[str] = (), plan: typing.Iterable[str] = (),
                     follow_up: dt.date | dt.datetime | None = None) -> Personal:
    """The patient's details as typed (on the command line or the web page): cleaned
    like text from the data files, empty ones dropped, and today's date when a name
    or a note is given without one."""
    from handouts.models import Personal

    patient = clean_text(patient) if patient else None
    clinician = clean_text(clinician) if clinician else None
    notes = tuple(n for n in (clean_text(x) for x in notes) if n)
    if date is None and (patient or clinician or notes):
        date = dt.date.today()
    return Personal(patient=patient or None, clinician=clinician or None, date=date,
                    notes=notes, plan=tuple(n for n in (clean_text(x) for x in plan) if n),
                    follow_up=follow_up)
