"""Writing the structure tree, the parent tree and the XMP metadata PDF/UA-1 asks for.

The tagger (``handouts.pdf.structure``) records, while pages are drawn, which
element each piece of marked content and each link belongs to; this module
writes that record into the document at save: one object per element, the
parent tree that maps marked content back to its element, the page keys, the
mark info and the XMP packet with the PDF/UA identifier.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from reportlab.pdfbase import pdfdoc

from handouts.pdf import internals
from handouts.pdf.objstream import pack_objects

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

    from handouts.pdf.structure import Tagger


class Element:
    """One structure element as drawing made it: what the tree writer writes."""

    __slots__ = ("role", "parent", "alt", "attrs", "kids", "ref")

    def __init__(self, role: str, parent: Element | None, alt: str | None = None,
                 attrs: dict[str, str] | None = None) -> None:
        self.role, self.parent, self.alt = role, parent, alt
        self.attrs = attrs or {}
        # Element, (page, mcid) for marked content, or ("annot", name, page)
        self.kids: list[Any] = []
        self.ref: Any = None


class _Raw(pdfdoc.PDFObject):
    """An object already written out: the tree has hundreds of small dictionaries,
    and building them as bytes is several times faster than reportlab's
    general formatter."""

    def __init__(self) -> None:
        self.body = b""

    def format(self, document: Any) -> bytes:
        return self.body


def write_tree(canvas: Canvas, tagger: Tagger, title: str, lang: str) -> None:
    """Write the tagger's elements into the canvas's document; call before saving."""
    doc = internals.document(canvas)
    pages = internals.pages(canvas)
    npages = len(pages)
    def ref(name: str) -> bytes:
        return b"%d 0 R" % internals.reference_number(doc, name)

    page_refs = {n: ref(f"Page{n}") for n in range(1, npages + 1)}
    # Every element's number first, so parents and children can name each other.
    elems: list[tuple[Element, _Raw]] = []

    def collect(e: Element) -> None:
        raw = _Raw()
        e.ref = ref(internals.add_object(doc, raw))
        elems.append((e, raw))
        for k in e.kids:
            if isinstance(k, Element):
                collect(k)

    collect(tagger.root)
    root_name = internals.add_object(doc, _Raw(), "__StructTreeRoot__")
    # Parent-tree keys: one per page, then one per link annotation.
    for i, (_, annotation) in enumerate(tagger.annotations):
        internals.set_annotation(annotation, npages + i)

    for e, raw in elems:
        parent = ref(root_name) if e.parent is None else e.parent.ref
        out = [b"<< /S /%s /P %s" % (e.role.encode(), parent)]
        first_page = next((k[0] for k in e.kids if isinstance(k, tuple) and k[0] != "annot"),
                          None)
        if first_page is not None:
            out.append(b"/Pg " + page_refs[first_page])
        kids = []
        for k in e.kids:
            if isinstance(k, Element):
                kids.append(k.ref)
            elif k[0] == "annot":
                obj = ref(internals.annotation_name(doc, k[1]))
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
    tree_ref = ref(internals.add_object(doc, parent_tree))
    internals.object_named(doc, root_name).body = (
        b"<< /Type /StructTreeRoot /K %s /ParentTree %s /ParentTreeNextKey %d >>"
        % (tagger.root.ref, tree_ref, npages + len(tagger.annotations)))
    for n, page in enumerate(pages, start=1):
        internals.set_page_keys(page, struct_parents=n - 1)
    catalog = internals.catalog(doc)
    catalog.StructTreeRoot = pdfdoc.PDFObjectReference(root_name)
    catalog.MarkInfo = pdfdoc.PDFDictionary({"Marked": pdfdoc.PDFtrue})
    pack_objects(doc)
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


