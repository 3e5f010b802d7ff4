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
:class:`TaggedCanvas` writes the tree, the parent tree, the page keys, the
mark info and the XMP metadata through reportlab's own document objects.

Everything here that leans on reportlab internals is gathered in the section
"reportlab internals" at the end, and ``tests/test_tagging.py`` checks each of
them, so an upgrade that moves one fails loudly rather than writing a PDF
that looks right and reads wrong.
"""

from __future__ import annotations

import contextlib
import struct
import types
import zlib
from collections.abc import Iterator
from html import escape
from typing import Any

from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus import Flowable

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
        with tagger.drawing(self, self._tag):
            super().drawOn(canvas, x, y, _sW)

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


class _Elem:
    __slots__ = ("role", "parent", "alt", "attrs", "kids", "ref")

    def __init__(self, role: str, parent: _Elem | None, alt: str | None = None,
                 attrs: dict[str, str] | None = None) -> None:
        self.role, self.parent, self.alt = role, parent, alt
        self.attrs = attrs or {}
        # _Elem, (page, mcid) for marked content, or ("annot", name, page)
        self.kids: list[Any] = []
        self.ref: Any = None


class Tagger:
    """Marked content and structure elements for one canvas (one layout pass)."""

    def __init__(self) -> None:
        self.root = _Elem("Document", None)
        self._front = 0  # how many elements lead the document (page 1's header)
        self._elems: dict[Node, _Elem] = {}
        self._mcids: dict[int, list[_Elem]] = {}  # page -> owner of each MCID
        self._open: list[_Elem | None] = []  # None: an artifact
        self._drawn: dict[int, object] = {}
        self._last_heading = 0
        self.annotations: list[tuple[_Elem, object]] = []  # (its Link, the annotation)
        self.canvas: Canvas | None = None

    # -- elements

    def element(self, node: Node) -> _Elem:
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
        elem = self._elems[node] = _Elem(role, parent, node.alt, node.attrs)
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

    @contextlib.contextmanager
    def drawing(self, flowable: object, what: Node | str) -> Iterator[None]:
        """Draw ``flowable`` as ``what``; a second drawing of the same flowable
        (a repeated table header) is an artifact."""
        key = id(flowable)
        if key in self._drawn and self._drawn[key] is flowable:
            what = ARTIFACT
        self._drawn[key] = flowable
        if what == ARTIFACT:
            with self.artifact():
                yield
        else:
            with self.content(what):
                yield

    @contextlib.contextmanager
    def content(self, node: Node) -> Iterator[None]:
        if self._open:  # inside other content: it is part of that
            yield
            return
        elem = self.element(node)
        page = self._canvas().getPageNumber()
        owners = self._mcids.setdefault(page, [])
        mcid = len(owners)
        owners.append(elem)
        elem.kids.append((page, mcid))
        with self._marked(f"/{elem.role} <</MCID {mcid}>> BDC", elem):
            yield

    @contextlib.contextmanager
    def artifact(self) -> Iterator[None]:
        if self._open:
            yield
            return
        with self._marked("/Artifact BMC", None):
            yield

    @contextlib.contextmanager
    def _marked(self, begin: str, elem: _Elem | None) -> Iterator[None]:
        canvas = self._canvas()
        canvas.addLiteral(begin)
        self._open.append(elem)
        try:
            yield
        finally:
            self._open.pop()
            canvas.addLiteral("EMC")

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
        link = _Elem("Link", owner)
        owner.kids.append(link)
        link.kids.append(("annot", name, self._canvas().getPageNumber()))
        self.annotations.append((link, annotation))


# --------------------------------------------------------------------------- the canvas


_enabled = True


@contextlib.contextmanager
def untagged() -> Iterator[None]:
    """Write untagged PDFs meanwhile: only to measure what tagging costs and
    to show it changes nothing on the page (the benchmark and the tests)."""
    global _enabled
    _enabled = False
    try:
        yield
    finally:
        _enabled = True


class TaggedCanvas(Canvas):
    """A canvas that tags what it draws and writes the structure tree at save."""

    tagging = True  # False for a trial layout that is never saved for a reader

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tagger: Tagger | None = Tagger() if _enabled and self.tagging else None
        if self.tagger is not None:
            self.tagger.canvas = self

    def beginText(self, x: float = 0, y: float = 0, direction: str | None = None  # noqa: N802
                  ) -> PDFTextObject:
        if self.tagger is None:
            return super().beginText(x, y, direction=direction)
        return _SpacedText(self, x, y, direction=direction)

    def _addAnnotation(self, annotation: object, name: str | None = None,  # noqa: N802
                       addtopage: int = 1) -> None:
        if self.tagger is not None:
            name = name or f"NUMBER{self._annotationCount + 1}"
            _allow_struct_parent(annotation)
            self.tagger.annotation(annotation, name)
        super()._addAnnotation(annotation, name, addtopage)

    def write_structure(self, title: str, lang: str) -> None:
        """Call after the last page is shown and before ``save``."""
        if self.tagger is not None:
            _write(self, self.tagger, title, lang)


class _Raw(pdfdoc.PDFObject):
    """An object already written out: the tree has hundreds of small dictionaries,
    and building them as bytes is several times faster than reportlab's
    general formatter."""

    def __init__(self) -> None:
        self.body = b""

    def format(self, document: Any) -> bytes:
        return self.body


def _write(canvas: Canvas, tagger: Tagger, title: str, lang: str) -> None:
    doc = canvas._doc
    pages = _pages(canvas)
    npages = len(pages)
    numbers = doc.idToObjectNumberAndVersion

    def ref(name: str) -> bytes:
        return b"%d 0 R" % numbers[name][0]

    page_refs = {n: ref(f"Page{n}") for n in range(1, npages + 1)}
    # Every element's number first, so parents and children can name each other.
    elems: list[tuple[_Elem, _Raw]] = []

    def collect(e: _Elem) -> None:
        raw = _Raw()
        e.ref = ref(doc.Reference(raw).name)
        elems.append((e, raw))
        for k in e.kids:
            if isinstance(k, _Elem):
                collect(k)

    collect(tagger.root)
    root_ref = doc.Reference(_Raw(), "__StructTreeRoot__")
    # Parent-tree keys: one per page, then one per link annotation.
    for i, (_, annotation) in enumerate(tagger.annotations):
        _set_annotation(annotation, npages + i)

    for e, raw in elems:
        parent = ref(root_ref.name) if e.parent is None else e.parent.ref
        out = [b"<< /S /%s /P %s" % (e.role.encode(), parent)]
        first_page = next((k[0] for k in e.kids if isinstance(k, tuple) and k[0] != "annot"),
                          None)
        if first_page is not None:
            out.append(b"/Pg " + page_refs[first_page])
        kids = []
        for k in e.kids:
            if isinstance(k, _Elem):
                kids.append(k.ref)
            elif k[0] == "annot":
                obj = ref(doc.refAnnotation(k[1]).name)
                kids.append(b"<< /Type /OBJR /Obj %s /Pg %s >>" % (obj, page_refs[k[2]]))
            elif k[0] == first_page:
                kids.append(b"%d" % k[1])
            else:
                kids.append(b"<< /Type /MCR /Pg %s /MCID %d >>" % (page_refs[k[0]], k[1]))
        if kids:
            out.append(b"/K " + (kids[0] if len(kids) == 1 else b"[" + b" ".join(kids) + b"]"))
        if e.alt:
            out.append(b"/Alt " + pdfdoc.PDFString(e.alt).format(doc))
        if e.attrs:
            owner = b"Table" if e.role in ("TH", "TD", "TR", "Table") else b"Layout"
            attrs = b" ".join(b"/%s /%s" % (k.encode(), v.encode()) for k, v in e.attrs.items())
            out.append(b"/A << /O /%s %s >>" % (owner, attrs))
        out.append(b">>")
        raw.body = b" ".join(out)

    nums: list[bytes] = []
    for n in range(1, npages + 1):
        owners = tagger._mcids.get(n, [])
        nums.append(b"%d [%s]" % (n - 1, b" ".join(o.ref for o in owners)))
    for i, (link, _) in enumerate(tagger.annotations):
        nums.append(b"%d %s" % (npages + i, link.ref))
    parent_tree = _Raw()
    parent_tree.body = b"<< /Nums [" + b"\n".join(nums) + b"] >>"
    tree_ref = ref(doc.Reference(parent_tree).name)
    doc.idToObject[root_ref.name].body = (
        b"<< /Type /StructTreeRoot /K %s /ParentTree %s /ParentTreeNextKey %d >>"
        % (tagger.root.ref, tree_ref, npages + len(tagger.annotations)))
    for n, page in enumerate(pages, start=1):
        _set_page_keys(page, struct_parents=n - 1)
    catalog = doc.Catalog
    catalog.StructTreeRoot = root_ref
    catalog.MarkInfo = pdfdoc.PDFDictionary({"Marked": pdfdoc.PDFtrue})
    _pack_objects(doc)
    catalog.Metadata = pdfdoc.XMP(creator=lambda _doc: _xmp(title, lang).encode("utf-8"))


def _xmp(title: str, lang: str) -> str:
    t = escape(title, quote=False)
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{t}</rdf:li></rdf:Alt></dc:title>
   <dc:language><rdf:Bag><rdf:li>{escape(lang)}</rdf:li></rdf:Bag></dc:language>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
   <pdfuaid:part>1</pdfuaid:part>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


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
            cm = tagger.artifact()
            cm.__enter__()
            table._tag_open = cm
        elif cmd in ("endBG", "endLines", "endCell"):
            cm = table.__dict__.pop("_tag_open", None)
            if cm is not None:
                cm.__exit__(None, None, None)


def tag_list(flowable: Any, parent: Node | None) -> Node:
    """Tag a ListFlowable as L > LI > Lbl + LBody; returns the L node."""
    lst = Node("L", parent)
    for indenter in _list_items(flowable):
        item = Node("LI", lst)
        label, body = Node("Lbl", item), Node("LBody", item)
        bullet = _item_bullet(indenter)
        if bullet is not None:
            _set_item_bullet(indenter, _TaggedBullet(bullet, label))
        tag(_item_body(indenter), body)
    return lst


class _TaggedBullet:
    """Draws a list item's number or bullet as its Lbl."""

    def __init__(self, bullet: Any, node: Node) -> None:
        self._bullet, self._node = bullet, node

    def __getattr__(self, name: str) -> Any:
        return getattr(self._bullet, name)

    def drawOn(self, indenter: Any, canv: Canvas, x: float, y: float, _sW: float = 0  # noqa: N802
               ) -> None:
        with content_on(canv, self._node):
            self._bullet.drawOn(indenter, canv, x, y, _sW)


# --------------------------------------------------------------------------- reportlab internals
# Each function here touches something reportlab does not document; the
# tests in tests/test_tagging.py::test_reportlab_internals exercise all of them.


class _SpacedText(PDFTextObject):
    """Keeps the space at a line wrap in the text, so "at home" split over two
    lines reads "at home" and not "athome" when the page is read aloud or copied.

    Paragraphs end each line with a T* (next line) in ``_textOut``; a space
    before it draws nothing and moves nothing that is drawn after.
    """

    def _textOut(self, text: str, TStar: int = 0) -> None:  # noqa: N803
        if TStar and text and not text.endswith(" "):
            text += " "
        super()._textOut(text, TStar)


def _list_items(flowable: Any) -> list[Any]:
    return list(flowable._content)


def _item_bullet(indenter: Any) -> Any:
    return indenter._bullet


def _set_item_bullet(indenter: Any, bullet: Any) -> None:
    indenter._bullet = bullet


def _item_body(indenter: Any) -> Any:
    return indenter._flowable


def toc_entries(toc: Any) -> list[tuple[int, str, int, str | None]]:
    """(level, text, page, bookmark key) of a contents list, as the last layout
    pass found them; a placeholder on the first pass."""
    return list(toc._lastEntries) or [(0, "", 0, None)]


_STRUCT_PARENT_ANNOTS: dict[type, type] = {}


def _allow_struct_parent(annotation: object) -> None:
    # reportlab's annotation classes refuse keys they do not list.
    cls = annotation.__class__
    if isinstance(annotation, pdfdoc.Annotation) and "StructParent" not in cls.permitted:
        sub = _STRUCT_PARENT_ANNOTS.get(cls)
        if sub is None:
            sub = _STRUCT_PARENT_ANNOTS[cls] = type(
                cls.__name__, (cls,), {"permitted": (*cls.permitted, "StructParent")})
        annotation.__class__ = sub


def _set_annotation(annotation: object, key: int) -> None:
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


def _pack_objects(doc: Any) -> None:
    """Write the document's small objects into one compressed object stream.

    A structure tree has an object per heading, paragraph, list item and
    table cell: several hundred for a handout, a third again on the file
    as plain objects, a few kilobytes packed. reportlab writes only plain
    objects and a classic cross-reference table, so this replaces its final
    ``format`` step with one that writes PDF 1.5 object and xref streams.
    """
    if doc.encrypt.info():
        return  # encrypted objects cannot be packed this way; keep reportlab's own writer
    doc.format = types.MethodType(_format_packed, doc)


def _format_packed(doc: Any) -> bytes:
    doc.encrypt.prepare(doc)
    cat, info = doc.Reference(doc.Catalog), doc.Reference(doc.info)
    out = doc.__accum__ = pdfdoc.PDFFile((1, 7))
    entries: dict[int, tuple[int, int, int]] = {0: (0, 0, 0xFFFF)}
    packed: list[tuple[int, bytes]] = []
    number = 0
    while True:
        number += 1
        oid = doc.numberToId.get(number)
        if oid is None:
            break
        body = pdfdoc.format(doc.idToObject[oid], doc, toplevel=1)
        if body.rstrip().endswith(b"endstream"):
            entries[number] = (1, out.add(b"%d 0 obj\n%s\nendobj\n" % (number, body.rstrip())), 0)
        else:
            packed.append((number, body.strip()))
    del doc.__accum__
    last = number - 1
    stm = last + 1
    head, bodies, offset = [], [], 0
    for i, (n, body) in enumerate(packed):
        head.append(b"%d %d" % (n, offset))
        bodies.append(body)
        offset += len(body) + 1
        entries[n] = (2, stm, i)
    first = b" ".join(head) + b"\n"
    data = zlib.compress(first + b"\n".join(bodies) + b"\n")
    entries[stm] = (1, out.add(b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode "
                                b"/Length %d >>\nstream\n%s\nendstream\nendobj\n"
                                % (stm, len(packed), len(first), len(data), data)), 0)
    xref = stm + 1
    where = out.offset
    entries[xref] = (1, where, 0)
    rows = b"".join(struct.pack(">BIH", *entries[n]) for n in range(xref + 1))
    rows = zlib.compress(rows)
    digest = doc.signature.digest().hex().encode()
    out.add(b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root %s /Info %s "
            b"/ID [<%s><%s>] /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream\n"
            b"endobj\nstartxref\n%d\n%%%%EOF\n"
            % (xref, xref + 1, cat.format(doc), info.format(doc), digest, digest, len(rows), rows,
               where))
    return out.format(doc)


def _pages(canvas: Canvas) -> list[Any]:
    return list(canvas._doc.Pages.pages)


def _set_page_keys(page: Any, struct_parents: int) -> None:
    # PDFPage writes only the keys its class lists.
    page.StructParents = struct_parents
    page.Tabs = pdfdoc.PDFName("S")
    if "StructParents" not in page.__NoDefault__:
        page.__NoDefault__ = [*page.__NoDefault__, "StructParents", "Tabs"]


__all__ = ["Node", "tag", "artifact", "Tagger", "TaggedCanvas", "content_on",
           "artifact_on", "untagged", "TableArtifacts", "tag_list", "toc_entries", "ARTIFACT",
           "ROLES"]
