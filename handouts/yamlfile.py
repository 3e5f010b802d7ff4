"""Safe YAML reading that remembers where every value came from.

Values come back as plain Python objects plus a map from each value's path
(a tuple of keys and list indexes) to its line, so validation can say
``file:line: field: message`` without the models knowing about YAML.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handouts.errors import DataError

# A data file is a page or two of text; anything far bigger is a mistake
# (or an attack) and should be refused before parsing.
MAX_BYTES = 2_000_000
# Aliases can make a tiny file expand to millions of values; stop early.
MAX_VALUES = 200_000

if TYPE_CHECKING:
    import yaml

PathKey = tuple[str | int, ...]


@dataclass
class YamlDocument:
    """A parsed YAML file: its data and the line of every value."""

    path: Path
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_of(self, key: PathKey) -> int | None:
        """The line of ``key``, or of its nearest ancestor we know."""
        while True:
            if key in self.lines:
                return self.lines[key]
            if not key:
                return None
            key = key[:-1]

    def error(self, key: PathKey, message: str) -> DataError:
        return DataError(message, file=self.path, line=self.line_of(key), field=format_key(key))


def format_key(key: PathKey) -> str | None:
    """``("strain", "symptoms", 2)`` -> ``strain.symptoms[2]``."""
    out = ""
    for part in key:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out or None


def read_text(path: Path, *, what: str = "file", max_bytes: int = MAX_BYTES) -> str:
    """Read a UTF-8 text file (a byte-order mark is fine) or raise a clear DataError."""
    if path.is_dir():
        raise DataError(f"expected a {what}, found a folder", file=path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise DataError(f"{what} not found", file=path) from None
    except OSError as exc:
        raise DataError(f"cannot read {what}: {exc.strerror}", file=path) from None
    if size > max_bytes:
        raise DataError(
            f"{what} is too large ({size / 1e6:.1f} MB); the limit is {max_bytes / 1e6:.0f} MB",
            file=path,
        )
    try:
        raw = path.read_bytes()
    except PermissionError:
        raise DataError(f"cannot read {what}: permission denied", file=path) from None
    except OSError as exc:
        raise DataError(f"cannot read {what}: {exc.strerror}", file=path) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(
            f"not valid UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
            file=path,
            line=line,
        ) from None


def load_yaml(path: str | os.PathLike[str]) -> YamlDocument:
    """Parse one YAML file into a :class:`YamlDocument`, or raise DataError."""
    path = Path(path)
    text = read_text(path)
    return parse_yaml(text, path)


def parse_yaml(text: str, path: Path) -> YamlDocument:
    # Imported here: a library read back from the cache needs no parser.
    import yaml

    loader = None
    try:
        # libyaml's parser is about twenty times faster and keeps the same line
        # marks; the pure-Python loader checks the characters as it is made.
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
        node = loader.get_single_node()
    except yaml.reader.ReaderError as exc:
        # A character YAML does not allow in a file (a control character); its
        # own message spans two lines and gives an offset, not a line.
        code = exc.character if isinstance(exc.character, int) else None
        where = text.find(chr(code)) if code is not None else -1
        what = f"the character U+{code:04X}" if code is not None else "a character"
        raise DataError(
            f"invalid YAML: {what} is not allowed in a YAML file; remove it",
            file=path,
            line=text.count("\n", 0, where) + 1 if where >= 0 else None,
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if "\t" in problem or "tab" in problem:
            problem += " (use spaces, not tabs, to indent)"
        raise DataError(
            f"invalid YAML: {problem}", file=path, line=mark.line + 1 if mark else None
        ) from None
    except yaml.YAMLError as exc:
        raise DataError(f"invalid YAML: {' '.join(str(exc).split())}", file=path) from None
    finally:
        if loader is not None:
            loader.dispose()
    if node is None:
        raise DataError("the file is empty", file=path)
    doc = YamlDocument(path=path, data=None)
    counter = [0]
    doc.data = _convert(loader, node, (), doc, counter)
    return doc


def _convert(
    loader: Any, node: yaml.Node, key: PathKey, doc: YamlDocument, counter: list[int]
) -> Any:
    import yaml
    counter[0] += 1
    if counter[0] > MAX_VALUES:
        raise DataError(
            f"too many values (more than {MAX_VALUES}); anchors and aliases may be "
            "expanding without limit",
            file=doc.path,
            line=node.start_mark.line + 1,
        )
    doc.lines.setdefault(key, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        seen: dict[str, int] = {}
        for knode, vnode in node.value:
            line = knode.start_mark.line + 1
            if not isinstance(knode, yaml.ScalarNode) or knode.tag == "tag:yaml.org,2002:merge":
                raise DataError(
                    "keys must be plain words", file=doc.path, line=line, field=format_key(key)
                )
            k = str(knode.value)
            if k in seen:
                raise DataError(
                    f"duplicate key '{k}' (first on line {seen[k]})",
                    file=doc.path,
                    line=line,
                    field=format_key(key + (k,)),
                )
            seen[k] = line
            doc.lines[key + (k,)] = line
            out[k] = _convert(loader, vnode, key + (k,), doc, counter)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(loader, item, key + (i,), doc, counter) for i, item in enumerate(node.value)
        ]
    try:
        return loader.construct_object(node)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        raise DataError(
            f"cannot read value: {problem}",
            file=doc.path,
            line=node.start_mark.line + 1,
            field=format_key(key),
        ) from None


class LayeredDocument(YamlDocument):
    """Mappings laid over each other key by key at the top level: each value, and
    the file and line an error about it names, come from the last that has its key."""

    def __init__(self, docs: list[YamlDocument]) -> None:
        self.docs = docs
        data: dict[str, Any] = {}
        for d in docs:
            data.update(d.data if isinstance(d.data, dict) else {})
        super().__init__(path=docs[-1].path, data=data)

    def owner(self, key: PathKey) -> YamlDocument:
        if key:
            for d in reversed(self.docs):
                if isinstance(d.data, dict) and key[0] in d.data:
                    return d
        return self.docs[-1]

    def line_of(self, key: PathKey) -> int | None:
        return self.owner(key).line_of(key)

    def error(self, key: PathKey, message: str) -> DataError:
        return self.owner(key).error(key, message)
