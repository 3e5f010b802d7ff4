"""Tagged PDF: the structure tree, marked content and artifacts that PDF/UA-1 asks for.

Block builders say what each flowable *is* by attaching a :class:`Node` to it
(:func:`tag`), or that it is decoration (:func:`artifact`). Nothing is written
then: nodes are only a plan. While a page is drawn, the canvas's
:class:`Tagger` wraps each tagged flowable's drawing in ``BDC``/``EMC`` with a
marked-content id, and creates the structure element for its node the first
time the node draws. A paragraph split over two pages is one element with one
piece per page; a table header row repeated on a later page is the same
flowable drawn twice, and its second drawing is an artifact, so it is read once.
The elements are created in drawing order, which is reading order. At save,
:class:`TaggedCanvas` has ``handouts.pdf.tree`` write the tree, the parent
tree, the page keys, the mark info and the XMP metadata. What this needs of
reportlab's internals goes through ``handouts.pdf.internals``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus import Flowable

from handouts.pdf import internals
from handouts.pdf.tree import Element, write_tree

# Standard structure types only: no RoleMap is needed, and every reader knows them.
ROLES = frozenset(
    "Document Part Sect Div Caption TOC TOCI P H1 H2 H3 H4 H5 H6 L LI Lbl LBody "
    "Table TR TH TD Figure Link Span".split()
)
HEADINGS = ("H1", "H2", "H3", "H4", "H5", "H6")


class Node:
    """One structure element as planned at build time.

    ``parent`` None means the document itself. Children listed with
    ``eager`` on their parent are created with it even if they draw nothing,
    so a table row always has all its cells.
    """

    __slots__ = ("role", "parent", "alt", "attrs", "children", "eager", "front")

    def __init__(self, role: str, parent: Node | None = None, *, alt: str | None = None,
                 attrs: dict[str, str] | None = None, eager: bool = False,
                 front: bool = False) -> None:
        if role not in ROLES:
            raise ValueError(f"not a standard structure type: {role}")
        if role == "Figure" and not (alt or "").strip():
            raise ValueError("a figure needs alt text")
        self.role = role
        self.parent = parent
        self.alt = alt
        self.attrs = attrs or {}
        self.children: list[Node] = []
        self.eager = eager
        self.front = front  # put first in the document (page 1's header is drawn last)
        if parent is not None:
            parent.children.append(self)

    def __repr__(self) -> str:
        return f"Node({self.role})"


ARTIFACT = "artifact"  # the tag of a flowable that is decoration


def tag(flowable: Flowable, node: Node | None) -> Flowable:
    """Mark ``flowable`` (and every piece it splits into) as the content of ``node``;
    ``None`` marks it as an artifact."""
    cls = type(flowable)
    if not issubclass(cls, _TaggedMixin):
        # Drawings check every attribute they are given; this one is ours.
        object.__setattr__(flowable, "__class__", _tagged_class(cls))
        flowable.__dict__.pop("__class__", None)
    object.__setattr__(flowable, "_tag", ARTIFACT if node is None else node)
    return flowable


def artifact(flowable: Flowable) -> Flowable:
    return tag(flowable, None)


class _TaggedMixin:
    _tag: Node | str = ARTIFACT

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802
        tagger = getattr(canvas, "tagger", None)
        if tagger is None:
            super().drawOn(canvas, x, y, _sW)
            return
        opened = tagger.open_drawing(self, self._tag)
        try:
            super().drawOn(canvas, x, y, _sW)
        finally:
            if opened:
                tagger.close()

    def split(self, aw: float, ah: float) -> list[Flowable]:
        parts = super().split(aw, ah)
        for p in parts:
            if p is not self:
                tag(p, None if self._tag == ARTIFACT else self._tag)
        return parts


_CLASSES: dict[type, type] = {}


def _tagged_class(cls: type) -> type:
    tagged = _CLASSES.get(cls)
    if tagged is None:
        tagged = _CLASSES[cls] = type(cls.__name__, (_TaggedMixin, cls), {})
    return tagged


# --------------------------------------------------------------------------- drawing time


class Tagger:
    """Marked content and structure elements for one canvas (one layout pass)."""

    def __init__(self) -> None:
        self.root = Element("Document", None)
        self._front = 0  # how many elements lead the document (page 1's header)
        self._elems: dict[Node, Element] = {}
        self._mcids: dict[int, list[Element]] = {}  # page -> owner of each MCID
        self._open: list[Element | None] = []  # None: an artifact
        self._drawn: dict[int, object] = {}
        self._last_heading = 0
        self.annotations: list[tuple[Element, object]] = []  # (its Link, the annotation)
        self.canvas: Canvas | None = None

    # -- elements

    def element(self, node: Node) -> Element:
        elem = self._elems.get(node)
        if elem is not None:
            return elem
        parent = self.root if node.parent is None else self.element(node.parent)
        elem = self._elems.get(node)
        if elem is not None:  # made just now, with its parent's eager children
            return elem
        role = node.role
        if role in HEADINGS:
            # Levels never skip: an h3 straight after an h1 reads as an h2.
            level = min(int(role[1]), self._last_heading + 1)
            self._last_heading = level
            role = f"H{level}"
        elem = self._elems[node] = Element(role, parent, node.alt, node.attrs)
        if node.front and parent is self.root:
            parent.kids.insert(self._front, elem)
            self._front += 1
        else:
            parent.kids.append(elem)
        if node.eager:
            for child in node.children:
                self.element(child)
        return elem

    # -- marked content

    # Drawing opens and closes marked content around every flowable, a thousand
    # times a handout: plain calls, as a generator-based context manager costs
    # several times more. ``open_*`` say whether they opened anything, and
    # :meth:`close` closes what they opened.

    def open_drawing(self, flowable: object, what: Node | str) -> bool:
        """Draw ``flowable`` as ``what``; a second drawing of the same flowable
        (a repeated table header) is an artifact."""
        key = id(flowable)
        if self._drawn.get(key) is flowable:
            what = ARTIFACT
        self._drawn[key] = flowable
        return self.open_artifact() if what == ARTIFACT else self.open_content(what)

    def open_content(self, node: Node) -> bool:
        if self._open:  # inside other content: it is part of that
            return False
        elem = self.element(node)
        page = self._canvas().getPageNumber()
        owners = self._mcids.setdefault(page, [])
        mcid = len(owners)
        owners.append(elem)
        elem.kids.append((page, mcid))
        self._canvas().addLiteral(f"/{elem.role} <</MCID {mcid}>> BDC")
        self._open.append(elem)
        return True

    def open_artifact(self) -> bool:
        if self._open:
            return False
        self._canvas().addLiteral("/Artifact BMC")
        self._open.append(None)
        return True

    def close(self) -> None:
        self._open.pop()
        self._canvas().addLiteral("EMC")

    @contextlib.contextmanager
    def content(self, node: Node) -> Iterator[None]:
        opened = self.open_content(node)
        try:
            yield
        finally:
            if opened:
                self.close()

    @contextlib.contextmanager
    def artifact(self) -> Iterator[None]:
        opened = self.open_artifact()
        try:
            yield
        finally:
            if opened:
                self.close()

    def _canvas(self) -> Canvas:
        assert self.canvas is not None, "the tagger draws on its canvas only"
        return self.canvas

    # -- annotations

    def annotation(self, annotation: object, name: str) -> None:
        """A link drawn inside content: a Link element under that content's element."""
        owner = next((e for e in reversed(self._open) if e is not None), None)
        if owner is None:
            # A link in an artifact or outside all content still needs a place
            # in the tree: the document's end.
            owner = self.root
        link = Element("Link", owner)
        owner.kids.append(link)
        link.kids.append(("annot", name, self._canvas().getPageNumber()))
        self.annotations.append((link, annotation))


# --------------------------------------------------------------------------- the canvas


class TaggedCanvas(Canvas):
    """A canvas that tags what it draws and writes the structure tree at save.

    ``tagged=False`` draws the same pages untagged: for a trial layout that no
    reader sees, and to measure what tagging costs.
    """

    def __init__(self, *args: Any, tagged: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tagger: Tagger | None = Tagger() if tagged else None
        if self.tagger is not None:
            self.tagger.canvas = self

    def beginText(self, x: float = 0, y: float = 0, direction: str | None = None  # noqa: N802
                  ) -> PDFTextObject:
        if self.tagger is None:
            return super().beginText(x, y, direction=direction)
        return internals.SpacedText(self, x, y, direction=direction)

    def _addAnnotation(self, annotation: object, name: str | None = None,  # noqa: N802
                       addtopage: int = 1) -> None:
        if self.tagger is not None:
            name = name or internals.next_annotation_name(self)
            internals.allow_struct_parent(annotation)
            self.tagger.annotation(annotation, name)
        super()._addAnnotation(annotation, name, addtopage)

    def write_structure(self, title: str, lang: str) -> None:
        """Call after the last page is shown and before ``save``."""
        if self.tagger is not None:
            write_tree(self, self.tagger, title, lang)


# --------------------------------------------------------------------------- flowable helpers


@contextlib.contextmanager
def content_on(canvas: Canvas, node: Node) -> Iterator[None]:
    """For a flowable that draws several kinds of thing: this part is ``node``'s content."""
    tagger = getattr(canvas, "tagger", None)
    if tagger is None:
        yield
        return
    with tagger.content(node):
        yield


@contextlib.contextmanager
def artifact_on(canvas: Canvas) -> Iterator[None]:
    """For a flowable that draws several kinds of thing: this part is decoration."""
    tagger = getattr(canvas, "tagger", None)
    if tagger is None:
        yield
        return
    with tagger.artifact():
        yield


class TableArtifacts:
    """A Table render callback: backgrounds, rules and plain-string cells are
    artifacts; flowables in cells tag themselves."""

    def __call__(self, table: Any, cmd: str, *args: Any) -> None:
        tagger = getattr(table.canv, "tagger", None)  # None: not tagging
        if tagger is None:
            return
        if cmd in ("startBG", "startLines") or (cmd == "startCell" and isinstance(args[2], str)):
            table._tag_open = tagger.open_artifact()
        elif cmd in ("endBG", "endLines", "endCell"):
            if table.__dict__.pop("_tag_open", False):
                tagger.close()


def tag_list(flowable: Any, parent: Node | None, lst: Node | None = None) -> Node:
    """Tag a ListFlowable as L > LI > Lbl + LBody; returns the L node. Given ``lst``,
    the items join that list (one list set in two columns is still one list)."""
    lst = lst or Node("L", parent)
    for indenter in internals.list_items(flowable):
        item = Node("LI", lst)
        label, body = Node("Lbl", item), Node("LBody", item)
        bullet = internals.item_bullet(indenter)
        if bullet is not None:
            internals.set_item_bullet(indenter, _TaggedBullet(bullet, label))
        tag(internals.item_body(indenter), body)
    return lst


class _TaggedBullet:
    """Draws a list item's number or bullet as its Lbl."""

    def __init__(self, bullet: Any, node: Node) -> None:
        self._inner, self._node = bullet, node

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def drawOn(self, indenter: Any, canv: Canvas, x: float, y: float, _sW: float = 0  # noqa: N802
               ) -> None:
        tagger = getattr(canv, "tagger", None)
        opened = tagger is not None and tagger.open_content(self._node)
        try:
            self._inner.drawOn(indenter, canv, x, y, _sW)
        finally:
            if opened:
                tagger.close()


__all__ = ["Node", "tag", "artifact", "Tagger", "TaggedCanvas", "content_on",
           "artifact_on", "TableArtifacts", "tag_list", "ARTIFACT", "ROLES"]
