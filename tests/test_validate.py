"""The validator: YAML values into typed models, every problem found at once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest

from handouts.errors import ErrorList
from handouts.validate import clean_text, validate
from handouts.yamlfile import parse_yaml


@dataclass(frozen=True)
class Item:
    text: str
    level: Literal["low", "high"] = "low"


@dataclass(frozen=True)
class Thing:
    name: str
    count: int = field(metadata={"min": 1, "max": 3})
    when: dt.date
    items: list[Item]
    kind: str = field(default="a", metadata={"choices": ("a", "b")})
    tags: list[str] = field(default_factory=list, metadata={"unique": True})


def load(text: str) -> Thing:
    return validate(Thing, parse_yaml(text, Path("t.yaml")))


GOOD = "name: x\ncount: 2\nwhen: 2026-11-27\nitems:\n  - text: hi\n"


def test_valid_file_becomes_a_model():
    t = load(GOOD)
    assert t == Thing("x", 2, dt.date(2026, 11, 27), [Item("hi")])


def test_every_problem_is_reported_with_its_place():
    with pytest.raises(ErrorList) as info:
        load("nmae: x\ncount: 9\nwhen: soon\nitems:\n  - text: [1]\n    level: top\n"
             "kind: c\ntags: [a, a]\n")
    got = {(e.line, e.field, e.detail) for e in info.value.errors}
    assert (1, "nmae", "unknown field (did you mean 'name'?)") in got
    assert (1, None, "missing required field 'name'") in got
    assert (2, "count", "expected a number from 1 to 3, got 9") in got
    assert (3, "when", "expected a date like 2026-11-27, got 'soon'") in got
    assert (5, "items[0].text", "expected text, got a list") in got
    assert (6, "items[0].level", "expected one of low, high, got 'top'") in got
    assert (7, "kind", "expected one of a, b, got 'c'") in got
    assert (8, "tags[1]", "'a' is listed twice") in got


def test_text_is_cleaned_as_it_is_printed():
    assert clean_text("  two\n  lines\u200b\x07 ") == "two lines"
    with pytest.raises(ErrorList) as info:
        load(GOOD.replace("name: x", "name: 12"))
    assert "expected text, got a number (put it in quotes)" in info.value.errors[0].detail
