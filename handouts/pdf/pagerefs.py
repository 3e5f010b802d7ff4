"""Page numbers known only after layout: a booklet's "see page N" lines.

A heading with an ``anchor`` is recorded where it lands (the document template
notifies :class:`Anchors`), and a :class:`PageRef` prints that page on the
next pass. reportlab's multi-pass build repeats the layout until the pages no
longer change, as it does for the contents list.
"""

from __future__ import annotations

from reportlab.platypus import Flowable, NextPageTemplate, PageBreak
from reportlab.platypus.tableofcontents import IndexingFlowable

from handouts.pdf import internals
from handouts.pdf.structure import Node, tag

# Printed on the first pass, before any page is known; as wide as most numbers.
UNKNOWN = "00"


class Anchors(IndexingFlowable):
    """Where each anchored heading fell: this pass's pages, and the last pass's."""

    def __init__(self) -> None:
        super().__init__()
        self.width = self.height = 0
        self.pages: dict[str, int] = {}  # from the last complete pass
        self._seen: dict[str, int] = {}
        self.wanted: set[str] = set()  # the anchors references point to

    def notify(self, kind: str, stuff: object) -> None:
        if kind == "Anchor":
            name, page = stuff  # type: ignore[misc]
            self._seen.setdefault(name, page)

    def beforeBuild(self) -> None:  # noqa: N802 - reportlab's name
        self.pages, self._seen = self._seen, {}

    def isSatisfied(self) -> bool:  # noqa: N802 - reportlab's name
        return self._seen == self.pages

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        pass


def anchor_key(name: str) -> str:
    """The PDF destination a reference links to."""
    return f"at-{name}"


class PageRef(Flowable):
    """A paragraph whose ``{page}`` is the page the anchor ``to`` landed on,
    linked to it."""

    def __init__(self, text: str, style: object, node: Node, anchors: Anchors, to: str,
                 make: object) -> None:
        super().__init__()
        self.text, self.style, self.node, self.anchors, self.to = text, style, node, anchors, to
        self._make = make  # builds a paragraph: (text, style) -> Paragraph
        anchors.wanted.add(to)
        self._para: Flowable | None = None
        self._page: object = None

    def _paragraph(self) -> Flowable:
        page = self.anchors.pages.get(self.to)
        if self._para is None or page != self._page:
            # Linked only once known: a link to a page no heading marks spoils the PDF.
            link = UNKNOWN if page is None else f'<a href="#{anchor_key(self.to)}">{page}</a>'
            self._para = tag(self._make(self.text.replace("{page}", link), self.style),
                             self.node)
            self._page = page
        return self._para

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width, self.height = self._paragraph().wrapOn(self.canv, aw, ah)
        return self.width, self.height

    def getSpaceBefore(self) -> float:  # noqa: N802 - reportlab's name
        return self._paragraph().getSpaceBefore()

    def getSpaceAfter(self) -> float:  # noqa: N802 - reportlab's name
        return self._paragraph().getSpaceAfter()

    def draw(self) -> None:
        self._paragraph().drawOn(self.canv, 0, 0)


class ToRightPage(Flowable):
    """After a page break: one more, blank, when the page it reached is a left-hand
    (even) one, so a part printed on both sides starts on a right-hand page.
    ``template`` is the page template that part starts with."""

    def __init__(self, template: str) -> None:
        super().__init__()
        self.template = template
        self._done: tuple[int, int] | None = None

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        doc = internals.doc_template(self.canv)
        # Layout may ask the size more than once; one blank page is enough.
        here = (id(self.canv), doc.page)
        if doc.page % 2 == 0 and self._done != here:
            doc.frame.add_generated_content(NextPageTemplate(self.template), PageBreak())
            self._done = here
        return 0, 0

    def draw(self) -> None:
        pass
