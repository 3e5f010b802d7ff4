"""The YAML reader: values with the line of each, and clear errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from handouts.errors import DataError
from handouts.yamlfile import format_key, parse_yaml

FILE = Path("muscle.yaml")


def test_every_value_knows_its_line():
    doc = parse_yaml("name: A\nlist:\n  - one\n  - two\nmap:\n  key: v\n", FILE)
    assert doc.data == {"name": "A", "list": ["one", "two"], "map": {"key": "v"}}
    assert doc.line_of(("list", 1)) == 4 and doc.line_of(("map", "key")) == 6
    # A path below a known one takes the nearest ancestor's line.
    assert doc.line_of(("map", "key", 3)) == 6


def test_error_names_file_line_and_field():
    doc = parse_yaml("a:\n  b: [1, 2]\n", FILE)
    err = doc.error(("a", "b", 1), "expected text")
    assert (err.file, err.line, err.field, err.detail) == ("muscle.yaml", 2, "a.b[1]",
                                                           "expected text")
    assert err.formatted() == "muscle.yaml:2: a.b[1]: expected text"


@pytest.mark.parametrize(("text", "line", "message"), [
    ("a: 1\na: 2\n", 2, "duplicate key 'a' (first on line 1)"),
    ("a: &x [1]\nb: *x\n", None, None),  # aliases are refused by the validator, not here
    ("", None, "the file is empty"),
    ("a: 'open\n", None, "invalid YAML"),
])
def test_bad_yaml(text, line, message):
    if message is None:
        parse_yaml(text, FILE)
        return
    with pytest.raises(DataError) as info:
        parse_yaml(text, FILE)
    assert message in info.value.detail
    if line is not None:
        assert info.value.line == line


def test_keys_format_as_the_user_writes_them():
    assert format_key(("strain", "symptoms", 2)) == "strain.symptoms[2]"
    assert format_key(()) is None
