"""How a heading stays with what follows it, without leaving holes in the page.

A heading must never stand alone at the foot of a page or column. Keeping a
heading together with its whole list or table would do that, but moves the
whole group on when it does not fit, and leaves a hole the size of the
group. So a heading is kept with the first items only: what does not fit
goes on in the next column or page, under the heading again, marked
"continued" (the repeat is an artifact: a screen reader reads the heading
once).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence

from reportlab.platypus import Flowable, KeepTogether, ListFlowable, Paragraph, Spacer, Table
from reportlab.platypus.doctemplate import ActionFlowable

from handouts.pdf import internals
from handouts.pdf.structure import artifact

# A heading goes on with at least this much of what it heads (in points), so
# it never sits with a line or two of its list.
MIN_WITH_HEADING = 36.0


class Stacked(Flowable):
    """Blocks drawn one above the other, spaced as a frame would space them. The
    space before the first and after the last are the stack's own, outside its
    height, as a frame expects."""

    def parts(self) -> list[Flowable]:
        raise NotImplementedError

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        parts = self.parts()
        height = 0.0
        for i, f in enumerate(parts):
            _, h = f.wrapOn(getattr(self, "canv", None), aw, ah)
            height += h + (f.getSpaceBefore() if i else 0)
            height += f.getSpaceAfter() if i < len(parts) - 1 else 0
        self.width, self.height = aw, height
        return aw, height

    def getSpaceBefore(self) -> float:  # noqa: N802 - reportlab's name
        parts = self.parts()
        return parts[0].getSpaceBefore() if parts else 0.0

    def getSpaceAfter(self) -> float:  # noqa: N802 - reportlab's name
        parts = self.parts()
        return parts[-1].getSpaceAfter() if parts else 0.0

    def drawOn(self, canvas, x: float, y: float, _sW: float = 0) -> None:  # noqa: ANN001, N802
        # Drawn whole only when it fits; each part where the frame would put it.
        top = y + self.height
        for i, f in enumerate(self.parts()):
            if i:
                top -= f.getSpaceBefore()
            _, h = f.wrapOn(canvas, self.width, self.height)
            top -= h
            f.drawOn(canvas, x, top, _sW)
            top -= f.getSpaceAfter()


class Headed(Stacked):
    """A heading and the blocks under it, which may split after the first of them."""

    def __init__(self, heading: Flowable, body: Sequence[Flowable],
                 continued: Callable[[Flowable], Flowable], repeat: bool = True,
                 least: float = MIN_WITH_HEADING) -> None:
        super().__init__()
        self.heading, self.body, self.continued = heading, list(body), continued
        self.repeat = repeat  # the heading again over what goes on
        self.least = least  # of what it heads, placed with it

    def parts(self) -> list[Flowable]:
        return [self.heading, *self.body]

    # The document template reads a heading's outline entry and contents title
    # off the flowable it places: when this is placed whole, they are the heading's.
    @property
    def _outline(self) -> object:
        return getattr(self.heading, "_outline", None)

    @property
    def _anchor(self) -> object:
        return getattr(self.heading, "_anchor", None)

    @property
    def _toc(self) -> object:
        return getattr(self.heading, "_toc", None)

    @_toc.setter
    def _toc(self, value: object) -> None:
        self.heading._toc = value

    def split(self, aw: float, ah: float) -> list[Flowable]:
        canv = getattr(self, "canv", None)  # a table cell calls split() bare
        _, hh = self.heading.wrapOn(canv, aw, ah)
        # What it heads is measured from under the heading's space and its own.
        room = ah - hh - self.heading.getSpaceAfter() - (
            self.body[0].getSpaceBefore() if self.body else 0)
        placed, rest, used = fill(canv, aw, room, self.body)
        if not placed or used < min(self.least, self.height - hh):
            return []  # not even the start fits: the whole goes on to the next column
        first = Headed(self.heading, placed, self.continued, self.repeat, self.least)
        if not rest:
            return [first]
        if not self.repeat:
            return [first, *rest]
        return [first, Headed(self.continued(self.heading), rest, self.continued, least=self.least)]


def fill(canv: object, aw: float, room: float,
         blocks: Sequence[Flowable]) -> tuple[list[Flowable], list[Flowable], float]:
    """As many of ``blocks`` as fit in ``room``, the last of them split if it can
    be: (what fits, what goes on, the height used). A group kept together is
    never split here: it goes on whole."""
    placed: list[Flowable] = []
    rest = list(blocks)
    used = 0.0
    while rest:
        f = rest[0]
        _, h = f.wrapOn(canv, aw, room - used)
        need = h + (f.getSpaceBefore() if placed else 0)
        if used + need <= room:
            placed.append(rest.pop(0))
            used += need + f.getSpaceAfter()
            continue
        if isinstance(f, KeepTogether):
            break
        pieces = f.splitOn(canv, aw, room - used - (f.getSpaceBefore() if placed else 0))
        if not pieces or pieces[0] is f:
            break
        if len(pieces) == 1:  # the block made to fit (a smaller map)
            _, fh = pieces[0].wrapOn(canv, aw, room - used)
            if used + fh <= room:
                placed.append(pieces[0])
                used += fh
                rest.pop(0)
            break
        # Its pieces (a list splits into its items) are placed as far as they fit.
        rest[0:1] = pieces
    return placed, rest, used


class Stack(Stacked):
    """Blocks one above the other that split into exactly two stacks.

    A table cell that breaks across columns keeps only the first two pieces a
    block splits into, so a box's rows each hold one Stack: whatever its blocks
    split into, nothing of it is lost."""

    def __init__(self, blocks: Sequence[Flowable]) -> None:
        super().__init__()
        self.blocks = list(blocks)

    def parts(self) -> list[Flowable]:
        return self.blocks

    def split(self, aw: float, ah: float) -> list[Flowable]:
        placed, rest, _ = fill(getattr(self, "canv", None), aw, ah, self.blocks)
        return [Stack(placed), Stack(rest)] if placed else []


def keep_headings_with_next(flowables: list[Flowable],
                            continued: Callable[[Flowable], Flowable]) -> list[Flowable]:
    """Each heading with the block after it: a list or table under a :class:`Headed`,
    anything else (a box, a map) kept together with it.

    reportlab's own keepWithNext skips lists and tables (they are containers),
    so a heading followed by one is grouped here explicitly.
    """
    out: list[Flowable] = []
    i = 0
    while i < len(flowables):
        f = flowables[i]
        # The next block, past the space before it (a box starts with a spacer).
        j = i + 1
        while j < len(flowables) and _no_ink(flowables[j]):
            j += 1
        nxt = flowables[j] if j < len(flowables) else None
        heading = isinstance(f, Paragraph) and getattr(f.style, "keepWithNext", 0)
        if isinstance(f, Paragraph) and getattr(f, "_lead_in", False) and isinstance(
                nxt, ListFlowable):
            # "Never press or roll on:" goes on with at least its first item.
            out.append(Headed(f, flowables[i + 1:j + 1], continued, least=1.0))
            i = j + 1
            continue
        if heading and (isinstance(nxt, (ListFlowable, Table))
                        or getattr(nxt, "fits_under_a_heading", False)):
            # The heading's own space is enough over a box: the space a box
            # keeps over it apart from a heading would only push it down.
            body = [g for g in flowables[i + 1:j + 1] if not isinstance(g, Spacer)]
            out.append(Headed(f, body, continued))
            i = j + 1
            continue
        # A heading over a paragraph goes on with its first lines; the rest of the
        # paragraph reads on in the next column without the heading again.
        if heading and isinstance(nxt, Paragraph) and not getattr(nxt.style, "keepWithNext", 0):
            out.append(Headed(f, flowables[i + 1:j + 1], continued, repeat=False))
            i = j + 1
            continue
        # A heading over a sub-heading goes on with it and the start of what that
        # heads, not with all of it (reportlab would keep the three together whole).
        # A sub-heading with an outline entry or an anchor stays where the document
        # template can see it.
        if (heading and isinstance(nxt, Paragraph) and getattr(nxt.style, "keepWithNext", 0)
                and not getattr(nxt, "_outline", None) and not getattr(nxt, "_anchor", None)):
            tail = keep_headings_with_next(flowables[j:], continued)
            if isinstance(tail[0], Headed):
                out.append(Headed(f, [*flowables[i + 1:j], tail[0]], continued))
                out.extend(tail[1:])
                return out
        if heading and isinstance(nxt, KeepTogether):
            out.append(KeepTogether(flowables[i:j + 1]))
            i = j + 1
            continue
        out.append(f)
        i += 1
    return out


def _no_ink(f: Flowable) -> bool:
    """A spacer, or a box's outline mark: nothing a heading could be left alone with."""
    if isinstance(f, Spacer):
        return True
    # An outline mark draws nothing and takes no room (a box's table has an entry too).
    return (getattr(f, "_outline", None) is not None and not isinstance(f, (Paragraph, Table))
            and not getattr(f, "width", 0) and not getattr(f, "height", 0))


def continued_heading(word: str) -> Callable[[Flowable], Flowable]:
    """The heading again, as "Heading (continued)": decoration, not a second heading."""

    def make(heading: Flowable) -> Flowable:
        assert isinstance(heading, Paragraph)
        text = getattr(heading, "_source_text", heading.text)
        para = Paragraph(f"{text} <font>({word})</font>", heading.style)
        para._source_text = text
        return artifact(para)

    return make


# At most this many blocks go before a map that gives way: past a few, the map
# would print far from the words it goes with.
MOST_GIVING_WAY = 4


def gives_way(flowable: Flowable, in_part: bool = True) -> Flowable:
    """Mark a block kept whole (a map with its key) as one the blocks after it may
    go before, when it does not fit where it is and they do (see :func:`give_way`).
    ``in_part``: the last of them may be a list that goes in part (beside a map,
    the rest reads on after it); else only whole blocks go."""
    flowable.gives_way = True
    flowable.gives_way_in_part = in_part
    return flowable


def give_way(flowables: list[Flowable], frame: object, canv: object) -> None:
    """Where the first of ``flowables`` gives way and does not fit in what is left
    of ``frame``, the few blocks after it that fit whole go first, so the map
    moves on to the next column or page without leaving its space empty.

    Only whole blocks go, in their order, up to the first that does not fit (a
    list under its heading may go in part). A page break, the story's end
    (``ends_story``), a block kept with the one after it (a lone heading), or
    another block that gives way stops them."""
    f = flowables[0] if flowables else None
    if not getattr(f, "gives_way", False) or internals.frame_at_top(frame):
        return
    room = internals.frame_free(frame)
    width = internals.frame_available_width(frame)
    if f.getSpaceBefore() + _whole_height(f, canv, width, room) <= room:
        return
    n = 0
    after: list[Flowable] = []  # the rest of a list that went first in part
    before: list[Flowable] = []  # the rest of a paragraph that went first in part
    for g in flowables[1:1 + MOST_GIVING_WAY]:
        if (g is None or isinstance(g, ActionFlowable) or getattr(g, "ends_story", False)
                or getattr(g, "gives_way", False) or g.getKeepWithNext()):
            break
        # Space before counted whole (a frame may overlap it with the space after
        # the block above), so what is moved surely fits.
        need = g.getSpaceBefore() + _whole_height(g, canv, width, room)
        if need <= room:
            room -= need + g.getSpaceAfter()
            n += 1
            continue
        # A block under its heading made to fit whole (the notes with two lines to
        # write on, not three) goes. So may a list in part, where the block that
        # gives way lets it: it goes on after the map under its heading again,
        # marked "continued". A paragraph in part reads on over the page before the
        # map, so the map never cuts it in two.
        pieces = g.split(width, room - g.getSpaceBefore()) if isinstance(g, Headed) else []
        in_part = getattr(f, "gives_way_in_part", True)
        if len(pieces) >= 2 and not g.repeat and _one_line(pieces[1], canv, width):
            # Not one word alone over the map on the next page: a line more goes on.
            pieces = g.split(width, room - g.getSpaceBefore() - pieces[1].style.leading)
        if len(pieces) == 1:
            flowables[1 + n] = pieces[0]
            n += 1
        elif len(pieces) == 2 and g.repeat and in_part:
            flowables[1 + n] = pieces[0]
            after = [pieces[1]]
            n += 1
        elif len(pieces) >= 2 and not g.repeat and in_part:
            flowables[1 + n] = pieces[0]
            before = pieces[1:]
            n += 1
        break
    if n:
        # It goes on as a block that no longer gives way: the blocks that went
        # first are all that may (a copy: the story is laid out more than once).
        settled = copy.copy(f)
        settled.gives_way = False
        flowables[0:n + 1] = [*flowables[1:n + 1], *before, settled, *after]


def _one_line(f: Flowable, canv: object, width: float) -> bool:
    """A paragraph's last line alone (the rest of one split at the foot of a page)."""
    if not isinstance(f, Paragraph):
        return False
    f.wrapOn(canv, width, 1e6)
    return internals.line_count(f) < 2


def _whole_height(f: Flowable, canv: object, width: float, room: float) -> float:
    """How tall ``f`` is, placed whole (a KeepTogether says it is endless tall
    until it is split: its parts are measured)."""
    _, h = f.wrapOn(canv, width, room)
    return float(f._H) if isinstance(f, KeepTogether) else h
