"""PDF 1.5 object and cross-reference streams: the file's small objects, packed.

A structure tree has an object per heading, paragraph, list item and table
cell: several hundred for a handout, a third again on the file as plain
objects, a few kilobytes packed. reportlab writes only plain objects and a
classic cross-reference table, so its final step is replaced by one that
packs every object that is not a stream into one compressed object stream
and writes a compressed cross-reference stream.
"""

from __future__ import annotations

import struct
import zlib
from typing import Any

from handouts.pdf import internals

VERSION = (1, 7)


def pack_objects(doc: Any) -> None:
    """Have ``doc`` write itself with packed objects when it is saved."""
    if internals.is_encrypted(doc):
        return  # encrypted objects cannot be packed this way; keep reportlab's own writer
    internals.replace_writer(doc, _write_packed)


def _write_packed(doc: Any) -> bytes:
    out, objects, (catalog, info) = internals.formatted_objects(doc, VERSION)
    # xref entries: (type, field 2, field 3): 0 free, 1 at an offset, 2 in a stream.
    entries: dict[int, tuple[int, int, int]] = {0: (0, 0, 0xFFFF)}
    packed: list[tuple[int, bytes]] = []
    for number, body in objects:
        if body.rstrip().endswith(b"endstream"):
            data = b"%d 0 obj\n%s\nendobj\n" % (number, body.rstrip())
            entries[number] = (1, internals.add_to_file(out, data), 0)
        else:
            packed.append((number, body.strip()))
    stm = len(objects) + 1
    head, bodies, offset = [], [], 0
    for i, (n, body) in enumerate(packed):
        head.append(b"%d %d" % (n, offset))
        bodies.append(body)
        offset += len(body) + 1
        entries[n] = (2, stm, i)
    first = b" ".join(head) + b"\n"
    data = zlib.compress(first + b"\n".join(bodies) + b"\n")
    entries[stm] = (1, internals.add_to_file(out, (
        b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\n"
        b"stream\n%s\nendstream\nendobj\n" % (stm, len(packed), len(first), len(data), data))),
        0)
    xref = stm + 1
    where = internals.file_offset(out)
    entries[xref] = (1, where, 0)
    rows = zlib.compress(b"".join(struct.pack(">BIH", *entries[n]) for n in range(xref + 1)))
    file_id = internals.file_id(doc)
    internals.add_to_file(out, (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root %s /Info %s /ID [<%s><%s>] "
        b"/Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream\nendobj\nstartxref\n%d\n"
        b"%%%%EOF\n" % (xref, xref + 1, catalog, info, file_id, file_id, len(rows), rows, where)))
    return internals.finish_file(out, doc)
