"""The models' field metadata: the one answer to "which fields does a patient read?"."""

from __future__ import annotations

import dataclasses
import typing

from handouts import models
from handouts.library import load_library
from handouts.models import READ, Muscle, Shared, lists, texts, translated

LIB = load_library().library


def _text_fields(cls: type, path: tuple = (), kind: str = models.PROSE
                 ) -> list[tuple[tuple, str, dataclasses.Field]]:
    """Every field of ``cls`` (and of the models in it) that holds text, with its kind."""
    out = []
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if f.metadata.get("internal"):
            continue
        tp = hints[f.name]
        args = [a for a in typing.get_args(tp) if a is not type(None)] or [tp]
        inner = typing.get_args(args[0]) or args
        target = inner[0] if typing.get_origin(args[0]) is list else args[0]
        own = f.metadata.get("text", kind)
        if dataclasses.is_dataclass(target):
            out += _text_fields(target, (*path, f.name), own)
        elif target is str or typing.get_origin(target) is typing.Literal:
            out.append(((*path, f.name), own, f))
    return out


def test_every_prose_field_is_read_checked_and_translated():
    """A new field is prose unless it says otherwise, so nothing misses it silently."""
    muscle = LIB.muscles["piriformis"]
    read = {tuple(p for p in path if not isinstance(p, int)) for path, _ in texts(muscle)}
    for path, kind, f in _text_fields(Muscle):
        if kind == models.PROSE:
            assert translated(f), path
            value = muscle
            for part in path:
                value = getattr(value, part) if not isinstance(value, list) else value
            if value:
                assert path in read or any(p[: len(path)] == path for p in read), path


def test_codes_are_neither_read_nor_translated():
    muscle = LIB.muscles["masseter"]
    paths = {p[0] for p, _ in texts(muscle, READ)}
    assert "body_region" not in paths and "first_aid" not in paths
    assert "related_muscles" not in paths and "name" in paths and "sources" in paths
    sign = dataclasses.fields(models.WarningSign)
    assert [f.name for f in sign if translated(f)] == ["text"]


def test_printed_lists_are_held_to_the_list_limit_and_inline_ones_are_not():
    muscle_lists = {p for p, _ in lists(LIB.muscles["masseter"])}
    assert ("symptoms",) in muscle_lists and ("self_care", "steps") in muscle_lists
    assert ("pain", "main") not in muscle_lists and ("other_names",) not in muscle_lists
    shared_lists = {p for p, _ in lists(LIB.shared)}
    assert ("warning_signs",) not in shared_lists  # each handout prints some: safety counts
    assert ("cautions", "ask_first", "items") in shared_lists
    assert Shared.__dataclass_fields__["warning_signs"].metadata["listed"] is False
