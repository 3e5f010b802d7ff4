"""Every place we touch something reportlab does not document, and nothing else.

Tagged PDF, "Page X of Y" and the packed object streams need a few of
reportlab's private attributes. Each one is reached through a function here,
and ``tests/pdf/test_internals.py`` exercises every function against the
installed reportlab, so an upgrade that moves one fails there, loudly, rather
than writing a PDF that looks right and reads wrong. Nothing outside this
module names a private reportlab attribute.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from reportlab import rl_config
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus import Table

# --------------------------------------------------------------------------- text


class SpacedText(PDFTextObject):
    """Keeps the space at a line wrap in the text, so "at home" split over two
    lines reads "at home" and not "athome" when the page is read aloud or copied.

    Paragraphs end each line with a T* (next line) in ``_textOut``; a space
    before it draws nothing and moves nothing that is drawn after.
    """

    def _textOut(self, text: str, TStar: int = 0) -> None:  # noqa: N803
        if TStar and text and not text.endswith(" "):
            text += " "
        super()._textOut(text, TStar)


def has_lines(paragraph: Any) -> bool:
    """Whether a paragraph still holds the lines it last broke into (split() drops them)."""
    return "blPara" in paragraph.__dict__


def line_count(paragraph: Any) -> int:
    """How many lines a paragraph broke into when it was last wrapped."""
    return len(getattr(paragraph.blPara, "lines", ()))


# --------------------------------------------------------------------------- lists and contents


def list_items(flowable: Any) -> list[Any]:
    """The items of a ListFlowable, each an indenter with a bullet and a body."""
    return list(flowable._content)


def item_bullet(indenter: Any) -> Any:
    return indenter._bullet


def set_item_bullet(indenter: Any, bullet: Any) -> None:
    indenter._bullet = bullet


def item_body(indenter: Any) -> Any:
    return indenter._flowable


def toc_entries(toc: Any) -> list[tuple[int, str, int, str | None]]:
    """(level, text, page, bookmark key) of a contents list, as the last layout
    pass found them; a placeholder on the first pass."""
    return list(toc._lastEntries) or [(0, "", 0, None)]


# --------------------------------------------------------------------------- tables


class CellSplitInsidePadding(Table):
    """A table that splits a cell's blocks at the width they are drawn at.

    reportlab's in-row split hands a cell's blocks the width of its column,
    padding and all, so they break their lines longer than they are drawn:
    the piece then holds more text than its row, and the text runs over the
    next row (a warning sign under the next heading). The cell is split
    here at the width inside its padding."""

    def _splitCell(self, value: Any, style: Any, oldHeight: float,  # noqa: N802, N803
                   newHeight: float, width: float) -> Any:  # noqa: N803
        inner = style.copy()
        inner.leftPadding = inner.rightPadding = 0
        return super()._splitCell(value, inner, oldHeight, newHeight,
                                  width - style.leftPadding - style.rightPadding)


def reset_table_sizes(table: Any, widths: list[Any], keep_heights: bool) -> None:
    """Give a piece of a split table back its column widths as given (shares of
    where it lands) and, unless it is drawn where it was split, forget the row
    heights measured there. reportlab hands the pieces the widths and heights it
    measured at the split, which is wrong when the rest goes on in a narrower
    column: text then runs out of its box."""
    table._argW = table._colWidths = list(widths)
    if not keep_heights:
        table._argH = table._rowHeights = [None] * len(table._cellvalues)


def forget_table_width(table: Any) -> None:
    """Let a table measure its columns again: reportlab measures them once, at the
    first width it is offered, so a box tried at the foot of a full-width page
    and then set in a column would be drawn page-wide, over the next column."""
    table.__dict__.pop("_width_calculated_once", None)


def table_row_heights(table: Any) -> list[float]:
    """The row heights of a table as its last wrap measured them."""
    return list(table._rowHeights)


def table_row_count(table: Any) -> int:
    """How many rows a table (or a piece of one) holds, repeated ones too."""
    return len(table._cellvalues)


def first_cell(table: Any) -> Any:
    """The flowable in a table's first cell (reportlab keeps a cell's flowables in a tuple)."""
    cell = table._cellvalues[0][0]
    return cell[0] if isinstance(cell, (list, tuple)) else cell


def set_first_cell(piece: Any, flowable: Any) -> None:
    """Put ``flowable`` in a split piece's first cell: the row is the piece's own,
    since the pieces of a split share their rows with the table they came from."""
    piece._cellvalues[0] = [flowable, *piece._cellvalues[0][1:]]


# --------------------------------------------------------------------------- frames


def frame_cursor(frame: Any) -> float:
    """How far down a frame is filled: the y of its next line, in points from the page's foot."""
    return float(frame._y)


def doc_template(canvas: Any) -> Any:
    """The document template laying out onto ``canvas`` (while it builds), else None."""
    return getattr(canvas, "_doctemplate", None)


def current_frame(canvas: Any) -> Any:
    """The frame being filled, while a document is laid out on ``canvas``; else None."""
    return getattr(doc_template(canvas), "frame", None)


def is_last_frame(canvas: Any) -> bool:
    """True when the frame being filled is the last of its page (or no page is laid out)."""
    doc = doc_template(canvas)
    frames = doc.pageTemplate.frames if doc is not None else []
    return not frames or doc.frame is frames[-1]


def frame_room(frame: Any) -> float:
    """The height a frame holds when it is empty."""
    return float(frame._y2 - frame._y1p - frame._topPadding)


def frame_free(frame: Any) -> float:
    """The height left in a frame under what it holds."""
    return float(frame._y - frame._y1p)


def frame_at_top(frame: Any) -> bool:
    """True while nothing has been placed in the frame."""
    return bool(frame._atTop)


def frame_available_width(frame: Any) -> float:
    """The width a flowable placed in the frame is given."""
    return float(frame._getAvailableWidth())


# --------------------------------------------------------------------------- annotations

_STRUCT_PARENT_ANNOTS: dict[type, type] = {}


def allow_struct_parent(annotation: object) -> None:
    """Let an annotation carry /StructParent: reportlab's classes refuse keys they do not list."""
    cls = annotation.__class__
    if isinstance(annotation, pdfdoc.Annotation) and "StructParent" not in cls.permitted:
        sub = _STRUCT_PARENT_ANNOTS.get(cls)
        if sub is None:
            sub = _STRUCT_PARENT_ANNOTS[cls] = type(
                cls.__name__, (cls,), {"permitted": (*cls.permitted, "StructParent")})
        annotation.__class__ = sub


def set_annotation(annotation: object, key: int) -> None:
    """Give a link annotation its parent-tree key and the /Contents PDF/UA asks for."""
    if isinstance(annotation, pdfdoc.PDFDictionary):
        annotation["StructParent"] = key
        if "Contents" not in annotation.dict:
            uri = annotation.dict.get("A")
            target = uri.dict.get("URI") if isinstance(uri, pdfdoc.PDFDictionary) else None
            annotation["Contents"] = target if target is not None else pdfdoc.PDFString("Link")
    else:
        annotation.otherkw["StructParent"] = key
        if not getattr(annotation, "Contents", None):
            annotation.Contents = "Link"


def next_annotation_name(canvas: Canvas) -> str:
    """The name reportlab itself would give the next unnamed annotation."""
    return f"NUMBER{canvas._annotationCount + 1}"


# --------------------------------------------------------------------------- canvas and pages


def document(canvas: Canvas) -> Any:
    """The PDF document object a canvas writes into."""
    return canvas._doc


def page_size(canvas: Canvas) -> tuple[float, float]:
    return canvas._pagesize


def hold_page(canvas: Canvas) -> dict[str, Any]:
    """Everything the canvas holds for the page just drawn, and a fresh page to draw on.

    "Page X of Y" is known only at the end, so pages are held back and given
    their header and footer then (:func:`restore_page`). Bookmarks name pages
    by the document's page counter while they are drawn, so it moves on as if
    the page had been written.
    """
    state = dict(canvas.__dict__)
    canvas._startPage()
    canvas._doc.pageCounter += 1
    return state


def restore_page(canvas: Canvas, state: dict[str, Any]) -> None:
    canvas.__dict__.update(state)


def rewind_page_counter(canvas: Canvas, pages: int) -> None:
    canvas._doc.pageCounter -= pages


def pages(canvas: Canvas) -> list[Any]:
    return list(canvas._doc.Pages.pages)


def set_page_keys(page: Any, struct_parents: int) -> None:
    """/StructParents and /Tabs on a page: PDFPage writes only the keys its class lists."""
    page.StructParents = struct_parents
    page.Tabs = pdfdoc.PDFName("S")
    if "StructParents" not in page.__NoDefault__:
        page.__NoDefault__ = [*page.__NoDefault__, "StructParents", "Tabs"]


_binary = {"users": 0, "before": None}
_binary_lock = threading.Lock()


@contextlib.contextmanager
def binary_streams() -> Iterator[None]:
    """Write streams as plain binary, not ASCII85, while a PDF is laid out and saved.

    ASCII85 is a quarter larger and slower, and every reader since 1993 reads
    binary. reportlab reads the setting from its process-wide config as each
    image and page stream is written, so it is set while a PDF is made and
    put back after the last one in the process is done (several threads may
    make PDFs at once), rather than changed for the whole process at import.
    """
    with _binary_lock:
        if _binary["users"] == 0:
            _binary["before"] = rl_config.useA85
            rl_config.useA85 = 0
        _binary["users"] += 1
    try:
        yield
    finally:
        with _binary_lock:
            _binary["users"] -= 1
            if _binary["users"] == 0:
                rl_config.useA85 = _binary["before"]


# --------------------------------------------------------------------------- document objects


def reference_number(doc: Any, name: str) -> int:
    """The object number of a named object."""
    return doc.idToObjectNumberAndVersion[name][0]


def add_object(doc: Any, obj: Any, name: str | None = None) -> str:
    """Add an object to the document; its name (for :func:`reference_number`)."""
    return doc.Reference(obj, name).name


def object_named(doc: Any, name: str) -> Any:
    return doc.idToObject[name]


def annotation_name(doc: Any, name: str) -> str:
    """The document-level name of a page's annotation, for an OBJR."""
    return doc.refAnnotation(name).name


def catalog(doc: Any) -> Any:
    return doc.Catalog


def is_encrypted(doc: Any) -> bool:
    return bool(doc.encrypt.info())


def replace_writer(doc: Any, writer: Any) -> None:
    """Have ``writer(doc) -> bytes`` write the file instead of reportlab's own format step."""
    import types

    doc.format = types.MethodType(writer, doc)


def formatted_objects(doc: Any, version: tuple[int, int]
                      ) -> tuple[Any, list[tuple[int, bytes]], tuple[bytes, bytes]]:
    """The file being written, every object as PDF bytes by object number, and the
    references to the catalog and the info dictionary for the trailer.

    Streams need the file to write themselves into (reportlab's ``__accum__``),
    so it is made here and returned for the caller to finish.
    """
    doc.encrypt.prepare(doc)
    # Referenced first, so both are numbered before the objects are written.
    cat, info = doc.Reference(doc.Catalog), doc.Reference(doc.info)
    out = doc.__accum__ = pdfdoc.PDFFile(version)
    objects = []
    number = 0
    try:
        while True:
            number += 1
            oid = doc.numberToId.get(number)
            if oid is None:
                break
            objects.append((number, pdfdoc.format(doc.idToObject[oid], doc, toplevel=1)))
    finally:
        del doc.__accum__
    return out, objects, (cat.format(doc), info.format(doc))


def file_id(doc: Any) -> bytes:
    """The file's id for the trailer: a digest of what was written."""
    return doc.signature.digest().hex().encode()


def add_to_file(out: Any, data: bytes) -> int:
    """Append bytes to the file being written; the offset they start at."""
    return out.add(data)


def file_offset(out: Any) -> int:
    return out.offset


def finish_file(out: Any, doc: Any) -> bytes:
    return out.format(doc)
