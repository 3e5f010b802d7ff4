"""The block markup templates produce, and its parser.

A template renders a sequence of blocks (``<h2>``, ``<p>``, ``<ul>``, ...).
Inside a block that holds text, the content is reportlab's own paragraph
markup (``<b>``, ``<i>``, ``<br/>``, ``<font>``, ``<a>``), passed through
after checking, so there is no second inline language. The tag table below
is the single source of truth: the parser enforces it, the builders in
``handouts.pdf.blocks`` implement it, and ``docs/templates.md`` documents it
(a test keeps the three in step).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from xml.parsers import expat

from handouts.errors import MarkupError


@dataclass(frozen=True)
class Attr:
    doc: str
    required: bool = False
    choices: tuple[str, ...] = ()
    pattern: str | None = None  # regular expression the value must match


@dataclass(frozen=True)
class Tag:
    doc: str
    content: str  # "inline", "empty", or "blocks"
    children: frozenset[str] = frozenset()  # for "blocks": which tags may appear inside
    attrs: dict[str, Attr] = field(default_factory=dict)
    example: str = ""


LENGTH = r"^\d+(\.\d+)?(pt|in|mm|cm|%)?$"

_FLOW = frozenset(
    {
        "withmap",
        "h1",
        "h2",
        "h3",
        "p",
        "ul",
        "ol",
        "table",
        "img",
        "hr",
        "callout",
        "keep",
        "pagebreak",
        "lines",
        "spacer",
        "bodymap",
        "prepared",
        "qr",
        "page",
        "contents",
        "columns",
        "pageref",
        "technique",
        "tracker",
    }
)
_IN_BOX = frozenset({"h3", "p", "ul", "ol", "table", "img", "lines", "spacer", "pageref",
                     "technique"})

ANCHOR = r"^[a-z0-9][a-z0-9-]*$"

HEADING_ATTRS = {
    "bookmark": Attr("Text for the PDF outline entry; by default the heading's own text."),
    "anchor": Attr("A name for the heading's page, printed by <pageref to=\"...\">. In a "
                   "booklet an anchored <h1> is also listed in the contents.",
                   pattern=ANCHOR),
}

TAGS: dict[str, Tag] = {
    "h1": Tag(
        "Title of the handout. Starts a top-level outline entry.",
        "inline",
        attrs=HEADING_ATTRS,
        example="<h1>{{ muscle.name }}</h1>",
    ),
    "h2": Tag(
        "Section heading. Each one gets an entry in the PDF outline, and is kept on "
        "the same page as what follows it.",
        "inline",
        attrs=HEADING_ATTRS,
        example="<h2>Where you may feel it</h2>",
    ),
    "h3": Tag(
        "Sub-heading inside a section.",
        "inline",
        attrs=HEADING_ATTRS,
        example="<h3>Signs of a strain</h3>",
    ),
    "p": Tag(
        "A paragraph of text.",
        "inline",
        attrs={
            "style": Attr("How the paragraph looks.", choices=("body", "lead", "small", "caption")),
        },
        example='<p style="lead">{{ muscle.summary }}</p>',
    ),
    "ul": Tag(
        "A bulleted list. Keep lists to 7 items or fewer.",
        "blocks",
        frozenset({"li"}),
        attrs={
            "columns": Attr("2 sets a list of short items (a few words each) in two "
                            "columns, read down the first and then the second.",
                            choices=("1", "2")),
        },
        example="<ul>{% for s in muscle.symptoms %}<li>{{ s }}</li>{% endfor %}</ul>",
    ),
    "ol": Tag(
        "A numbered list, for steps the reader follows in order.",
        "blocks",
        frozenset({"li"}),
        attrs={
            "start": Attr("Number of the first item.", pattern=r"^\d+$"),
        },
        example="<ol>{% for s in muscle.self_care.steps %}<li>{{ s }}</li>{% endfor %}</ol>",
    ),
    "li": Tag(
        "One list item; only inside <ul> or <ol>.",
        "inline",
        example="<li>Warm up before sport.</li>",
    ),
    "table": Tag(
        "A simple table. The first row, if it holds <th> cells, repeats on each page.",
        "blocks",
        frozenset({"tr"}),
        attrs={
            "widths": Attr(
                "Column widths as percentages, comma-separated.",
                pattern=r"^\s*\d+(\.\d+)?%?(\s*,\s*\d+(\.\d+)?%?)*\s*$",
            ),
        },
        example='<table widths="20,40,40"><tr><th>Grade</th><th>What it is</th>'
        "<th>Recovery</th></tr><tr><td>1</td><td>Mild</td>"
        "<td>1 to 3 weeks</td></tr></table>",
    ),
    "tr": Tag(
        "A table row; only inside <table>.",
        "blocks",
        frozenset({"th", "td"}),
        example="<tr><td>1</td><td>Mild</td></tr>",
    ),
    "th": Tag("A header cell; only inside <tr>.", "inline", example="<th>Grade</th>"),
    "td": Tag("A data cell; only inside <tr>.", "inline", example="<td>Mild</td>"),
    "img": Tag(
        "An image file (PNG or JPEG), looked up next to the templates, then in the data folder.",
        "empty",
        attrs={
            "src": Attr(
                "File name, relative to a template folder or the data folder.", required=True
            ),
            "alt": Attr("What the image shows, for readers who cannot see it.", required=True),
            "width": Attr(
                "Width: a number of points, or with pt, in, mm, cm or %.", pattern=LENGTH
            ),
            "align": Attr("Where the image sits.", choices=("left", "center", "right")),
        },
        example='<img src="stretch.png" alt="A person leaning on a wall" width="50%"/>',
    ),
    "hr": Tag("A thin horizontal rule.", "empty", example="<hr/>"),
    "callout": Tag(
        "A box that stands out from the page, e.g. 'When to see a doctor'. The kind "
        "sets the border, so it reads in black and white too.",
        "blocks",
        _IN_BOX,
        attrs={
            "title": Attr("Heading printed at the top of the box; it also gets an outline entry."),
            "kind": Attr(
                "note: thin border; warning: thick border; urgent: thick "
                "border and a tinted background.",
                choices=("note", "warning", "urgent"),
            ),
        },
        example='<callout title="When to see a doctor" kind="urgent">'
        "<p>Call 911 if ...</p></callout>",
    ),
    "keep": Tag(
        "Keeps its blocks together on one page when they fit.",
        "blocks",
        _FLOW - {"pagebreak", "keep"},
        attrs={
            "float": Attr("yes: where the group does not fit the rest of the page, the next "
                          "few blocks that fit there whole go first, and the group starts "
                          "the next page, rather than leave its space empty.",
                          choices=("yes", "no")),
        },
        example="<keep><h3>First aid</h3><ol><li>Rest.</li></ol></keep>",
    ),
    "pagebreak": Tag("Starts a new page.", "empty", example="<pagebreak/>"),
    "lines": Tag(
        "Blank lines to write on by hand, with an optional label before them.",
        "empty",
        attrs={
            "count": Attr("How many lines (1 to 20).", pattern=r"^([1-9]|1\d|20)$"),
            "least": Attr("Fewer lines, down to this many, where the page has no room for "
                          "all of them (rather than moving them on and leaving a gap).",
                          pattern=r"^([1-9]|1\d|20)$"),
            "label": Attr("Text printed before the first line."),
        },
        example='<lines count="3" label="Notes from your therapist"/>',
    ),
    "spacer": Tag(
        "Vertical space.",
        "empty",
        attrs={
            "height": Attr(
                "Height: a number of points, or with pt, in, mm or cm.",
                required=True,
                pattern=LENGTH,
            ),
        },
        example='<spacer height="6mm"/>',
    ),
    "bodymap": Tag(
        "The referred-pain body map of the muscle being printed, with its legend.",
        "empty",
        attrs={
            "caption": Attr("Caption printed under the map."),
            "legend": Attr("with: the map and its legend; none: the map alone; "
                           "only: the legend (and caption) alone, e.g. full width under "
                           "columns.",
                           choices=("with", "none", "only")),
            "width": Attr("Width of the map: a number of points, or with a unit.", pattern=LENGTH),
            "height": Attr("How tall each view of the map is: a number of points, or with a "
                           "unit; it is made narrower only if the page is too narrow.",
                           pattern=LENGTH),
        },
        example='<bodymap caption="Shaded: where pain from this muscle is often felt"/>',
    ),
    "withmap": Tag(
        "The muscle's body map with the blocks inside it beside the map when the page is "
        "wide enough for both, else under it.",
        "blocks",
        frozenset({"h3", "p", "ul", "ol", "callout", "lines", "spacer", "keep", "mapnote"}),
        attrs={
            "caption": Attr("Caption printed under the map."),
            "height": Attr("How tall each view of the map is: a number of points, or with a "
                           "unit.", pattern=LENGTH),
            "side": Attr("Where the map goes: left of the blocks, with its key under them, "
                         "or right of them, with its key under the map.",
                         choices=("left", "right")),
            "share": Attr("The largest share of the width the map may take, in percent.",
                          pattern=r"^\d+(\.\d+)?%?$"),
            "title": Attr("A heading over the map; it also gets an outline entry."),
        },
        example='<withmap height="2.4in"><p><b>Often felt:</b> ...</p></withmap>',
    ),
    "mapnote": Tag("How to read the map: paragraphs that go with its key wherever the key "
                   "goes (under the blocks beside the map, or under the map), so they are "
                   "never apart from it; only inside <withmap>.", "blocks", frozenset({"p"}),
                   example='<withmap height="2.4in"><p><b>Often felt:</b> ...</p><mapnote>'
                           "<p><b>Using the map:</b> press where the ringed dot is.</p>"
                           "</mapnote></withmap>"),
    "qr": Tag("The clinic's booking or website link (booking_url in the brand file) as a QR "
              "code, with the address written beside it. Prints nothing when the brand has "
              "no link.", "empty", attrs={
                  "label": Attr("Text printed above the address."),
              }, example='<qr label="Book your next visit"/>'),
    "columns": Tag("Blocks side by side, e.g. the body map beside the list of pain areas. The "
                   "row is kept on one page, so keep columns short; large-print templates "
                   "should not use them.", "blocks", frozenset({"column"}), attrs={
                       "widths": Attr("Column widths as percentages, comma-separated.",
                                      pattern=r"^\s*\d+(\.\d+)?%?(\s*,\s*\d+(\.\d+)?%?)*\s*$"),
                   }, example='<columns widths="45,55"><column><bodymap/></column>'
                              "<column><p>...</p></column></columns>"),
    "column": Tag("One column; only inside <columns>.", "blocks",
                  frozenset({"h3", "p", "ul", "ol", "table", "img", "lines", "spacer", "bodymap",
                             "qr", "callout", "technique"}),
                  example="<column><p>Often felt in the outer hip.</p></column>"),
    "contents": Tag("The booklet's contents: each muscle's name and the page it starts on. "
                    "Only in the booklet cover template.", "empty",
                    example="<h2>Contents</h2><contents/>"),
    "pageref": Tag("A paragraph that says on which page an anchored heading is: "
                   "{page} in its text becomes the page number, linked to the page. Only "
                   "in a booklet, whose shared sections each muscle's part points to.",
                   "inline", attrs={
                       "to": Attr("The heading's anchor.", required=True, pattern=ANCHOR),
                       "style": Attr("How the paragraph looks.",
                                     choices=("body", "lead", "small", "caption")),
                   }, example='<pageref to="grades">Strain grades: page {page}.</pageref>'),
    "page": Tag("Page set-up for the whole handout: at most one, at the top level. A larger "
                "body size scales headings, lists and the page header with it.", "empty", attrs={
                    "body": Attr("Body text size in points, 12 to 24.",
                                 pattern=r"^(1[2-9]|2[0-4])(\.\d+)?$"),
                    "margin": Attr("Page margins: a number of points, or with pt, in, mm or cm.",
                                   pattern=r"^\d+(\.\d+)?(pt|in|mm|cm)?$"),
                    "header": Attr("The first page's header: full (logo and every clinic "
                                   "detail) or compact (a shorter header, for one-page "
                                   "layouts).", choices=("full", "compact")),
                    "footer": Attr("The footer: full (the clinic, its phone and the page "
                                   "number) or slim (only the clinic's footer note, if it "
                                   "has one), for a one-page layout whose header already "
                                   "gives the clinic's name and phone.",
                                   choices=("full", "slim")),
                    "columns": Attr("How many columns the pages after the first have: 1, or "
                                    "2 for short lines that use the paper well.",
                                    choices=("1", "2")),
                    "spacing": Attr("Space between blocks: normal; compact for a page that "
                                    "must hold a lot; dense, with lines 1.3 times the type "
                                    "size instead of 1.4, as a last resort; auto: compact, "
                                    "but when a closer spacing could save the last page "
                                    "(it is less than half full, or on a long handout "
                                    "less than an eighth of a page per page) or another "
                                    "page is short of full (page 1 over 15 %, a page in "
                                    "between over 20 % empty), the "
                                    "spacing of the fewest pages, then with no half-empty "
                                    "page, then the fewest pages short of full, then no "
                                    "light last page, and on a tie the most space. The type "
                                    "size never changes.",
                                    choices=("normal", "compact", "dense", "auto")),
                    "fit": Attr("Most pages the handout may take. The template is rendered "
                                "with its `limit` and `tight` variables set "
                                "tighter and tighter until it fits; text is never made "
                                "smaller.", pattern=r"^[1-9]$"),
                }, example='<page body="18" margin="1in"/>'),
    "technique": Tag(
        "The drawing of a self-care technique (an id of shared.yaml's techniques), with "
        "its caption beside it and its alt text for screen readers.", "empty",
        attrs={
            "id": Attr("The technique's id, e.g. ball-wall.", required=True, pattern=ANCHOR),
            "width": Attr("The drawing's width (default 40%), when the caption is beside it.",
                          pattern=LENGTH),
            "caption": Attr("beside (default), or under for a narrow column: the drawing "
                            "is as wide as the column.", choices=("beside", "under")),
        },
        example='<technique id="ball-wall" width="35%"/>',
    ),
    "tracker": Tag(
        "A self-care tracker to fill in: a row a day with the date, a box to tick for "
        "each session and the pain score, then the 0 to 10 pain scale with its words.",
        "empty",
        attrs={
            "days": Attr("How many days (rows), 1 to 31; default 14.",
                         pattern=r"^([1-9]|[12][0-9]|3[01])$"),
            "sessions": Attr("Boxes to tick each day, 1 to 6; default 3.", pattern=r"^[1-6]$"),
            "note": Attr("A line in bold under the days, such as when to call: it goes on "
                         "with the last days, never alone on a page."),
        },
        example='<tracker days="14" sessions="3" note="If your pain is not going down, '
                'call us."/>',
    ),
    "prepared": Tag(
        "The 'Prepared for' box: the patient's name, the clinician, the date and "
        "notes, or blank lines to fill in by hand when none are given.",
        "empty",
        attrs={"layout": Attr("box: three cells and the notes under them; line: what was "
                              "given on one line, for a one-page layout (nothing to fill "
                              "in by hand).", choices=("box", "line")),
               "plan": Attr("yes: with layout line, the clinician's plan and the next "
                            "visit run on in the same box, when given (a box of their own "
                            "would cost a one-page layout about two lines).",
                            choices=("yes",))},
        example="<prepared/>",
    ),
}

# Inline tags are reportlab's paragraph markup; only these are allowed.
INLINE: dict[str, dict[str, Attr]] = {
    "b": {},
    "i": {},
    "u": {},
    "strike": {},
    "sup": {},
    "sub": {},
    "br": {},
    "font": {
        "size": Attr("Font size in points.", pattern=r"^\d+(\.\d+)?$"),
        "color": Attr("A colour as #rrggbb.", pattern=r"^#[0-9a-fA-F]{6}$"),
    },
    "a": {
        "href": Attr(
            "Web, e-mail (mailto:) or phone (tel:) link.",
            required=True,
            pattern=r"^(https?://|mailto:|tel:)\S+$",
        )
    },
}

ROOT = "handout"


@dataclass
class Block:
    """One block of the markup: a tag, its attributes, and its text or child blocks."""

    tag: str
    attrs: dict[str, str]
    line: int  # in the template's output
    children: list[Block] = field(default_factory=list)
    text: str = ""  # reportlab paragraph markup, for inline-content tags
    # The template file and line that printed it, when the output was rendered
    # with line marks (only to find where a mistake is: see handouts.templating).
    source: tuple[str, int] | None = None

    def plain_text(self) -> str:
        """The text a reader sees, without inline tags (for outlines and alt text)."""
        return _strip_tags(self.text)


def _strip_tags(markup: str) -> str:
    import html

    no_tags = re.sub(r"<br\s*/?>", " ", markup)
    no_tags = re.sub(r"<[^>]+>", "", no_tags)
    return " ".join(html.unescape(no_tags).split())


def _check_attrs(tag: str, attrs: dict[str, str], spec: dict[str, Attr], fail) -> None:  # noqa: ANN001
    for name, value in attrs.items():
        a = spec.get(name)
        if a is None:
            allowed = ", ".join(spec) or "none"
            fail(f"<{tag}> has no attribute '{name}' (allowed: {allowed})")
        elif a.required and not value.strip():
            fail(f'<{tag} {name}="{value}">: cannot be blank ({a.doc.rstrip(".")})')
        elif a.choices and value not in a.choices:
            fail(f'<{tag} {name}="{value}">: expected one of {", ".join(a.choices)}')
        elif a.pattern and not re.match(a.pattern, value):
            fail(f'<{tag} {name}="{value}">: {a.doc.rstrip(".")}')
    for name, a in spec.items():
        if a.required and name not in attrs:
            fail(f"<{tag}> needs the attribute '{name}' ({a.doc.rstrip('.')})")


# A line mark in a template's output: <?at FILE:LINE?> (see handouts.templating).
MARK = "at"


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.root = Block(ROOT, {}, 1)
        self.stack: list[Block] = [self.root]
        self.inline_depth = 0  # >0 while inside a text block
        self.inline_open: list[str] = []
        self.where: tuple[str, int] | None = None  # the last line mark passed
        self.p = expat.ParserCreate()
        self.p.StartElementHandler = self.start
        self.p.EndElementHandler = self.end
        self.p.CharacterDataHandler = self.chars
        self.p.ProcessingInstructionHandler = self.mark
        self.p.buffer_text = True

    def fail(self, message: str, tag: str | None = None) -> None:
        raise _MarkupProblem(message, self.p.CurrentLineNumber, tag, self.where)

    def mark(self, target: str, data: str) -> None:
        if target == MARK:
            file, _, line = data.rpartition(":")
            self.where = (file, int(line))

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if self.inline_depth:
            spec = INLINE.get(tag)
            if spec is None:
                where = self.stack[-1].tag
                if tag in TAGS:
                    self.fail(f"<{tag}> cannot go inside <{where}>; close <{where}> first")
                self.fail(
                    f"unknown inline tag <{tag}> inside <{where}> (allowed: {', '.join(INLINE)})"
                )
            _check_attrs(tag, attrs, spec, self.fail)
            attr_text = "".join(f' {k}="{escape(v, quote=True)}"' for k, v in attrs.items())
            self.stack[-1].text += f"<{tag}{attr_text}>" if tag != "br" else "<br/>"
            self.inline_depth += 1
            self.inline_open.append(tag)
            return
        if tag == ROOT and len(self.stack) == 1 and not self.root.children and self._at_root:
            self._at_root = False
            return
        parent = self.stack[-1]
        spec = TAGS.get(tag)
        if spec is None:
            if tag in INLINE:
                self.fail(f"<{tag}> is inline markup; put it inside a <p> or heading")
            self.fail(f"unknown tag <{tag}> (allowed: {', '.join(TAGS)})")
        allowed = _FLOW if parent.tag == ROOT else TAGS[parent.tag].children
        if tag not in allowed:
            if tag in ("li",):
                self.fail("<li> must be inside <ul> or <ol>")
            if tag in ("tr", "th", "td"):
                self.fail(f"<{tag}> must be inside a table row structure (<table><tr><td>)")
            self.fail(f"<{tag}> cannot go inside <{parent.tag}>")
        _check_attrs(tag, attrs, spec.attrs, self.fail)
        block = Block(tag, dict(attrs), self.p.CurrentLineNumber, source=self.where)
        parent.children.append(block)
        self.stack.append(block)
        if spec.content == "inline":
            self.inline_depth = 1

    _at_root = True

    def end(self, tag: str) -> None:
        if self.inline_depth > 1:
            self.inline_depth -= 1
            self.inline_open.pop()
            if tag != "br":
                self.stack[-1].text += f"</{tag}>"
            return
        if tag == ROOT and len(self.stack) == 1:
            return
        block = self.stack.pop()
        self.inline_depth = 0
        spec = TAGS[block.tag]
        if spec.content == "empty" and (block.children or block.text.strip()):
            self.fail(f"<{block.tag}> must be empty; write <{block.tag} .../>")
        if spec.content == "blocks" and not block.children and block.tag != "keep":
            self.fail(f"<{block.tag}> is empty")
        block.text = block.text.strip()

    def chars(self, data: str) -> None:
        if self.inline_depth:
            self.stack[-1].text += escape(data, quote=False)
        elif data.strip():
            where = self.stack[-1].tag
            snippet = " ".join(data.split())[:40]
            if where == ROOT:
                self.fail(f"text outside any block: '{snippet}' (wrap it in <p>)")
            self.fail(f"text directly inside <{where}>: '{snippet}'")

    def parse(self) -> Block:
        self.p.Parse(f"<{ROOT}>", False)
        # The wrapper's line is 1 and the template's first line is line 1 too.
        self.p.Parse(self.source, False)
        self.p.Parse(f"</{ROOT}>", True)
        return self.root


class _MarkupProblem(Exception):
    def __init__(self, message: str, line: int, tag: str | None,
                 where: tuple[str, int] | None) -> None:
        super().__init__(message)
        self.message, self.line, self.tag, self.where = message, line, tag, where


def parse(source: str) -> Block:
    """Parse a template's output into a tree of blocks, or raise MarkupError."""
    parser = _Parser(source)
    try:
        return parser.parse()
    except _MarkupProblem as exc:
        raise _error(exc.message, exc.line, exc.where, exc.tag) from None
    except expat.ExpatError as exc:
        reason = expat.errors.messages[exc.code]
        hint = ""
        if "undefined entity" in reason:
            hint = " (only &amp; &lt; &gt; &quot; &#39; and numeric entities like &#160; exist)"
        elif "mismatched tag" in reason:
            hint = " (every tag must be closed, and closed in order)"
        elif "invalid token" in reason or "not well-formed" in reason:
            hint = " (empty tags are written <hr/>, and text cannot hold control characters)"
        raise _error(reason + hint, exc.lineno, parser.where, parser.stack[-1].tag) from None


def _error(message: str, line: int, where: tuple[str, int] | None,
           tag: str | None) -> MarkupError:
    file, template_line = where if where is not None else (None, None)
    return MarkupError(message, output_line=line, file=file, line=template_line, tag=tag)


@dataclass(frozen=True)
class Setting:
    """What a handout's markup may hold, for :func:`check_blocks`."""

    muscle: bool = True  # <bodymap> draws the muscle's map
    booklet: bool = False  # <contents> lists the booklet's muscles
    image_dirs: tuple[Path, ...] = ()  # where <img src> is looked for
    techniques: frozenset[str] | None = None  # the ids <technique> may draw; None: any


# A muscle's own handout, no images: what most templates are rendered for.
HANDOUT = Setting()


def check_blocks(root: Block, setting: Setting = HANDOUT) -> None:
    """What the tag table alone cannot say: raise MarkupError for the first mistake.

    Parsing checks each tag and attribute on its own; this checks them
    against each other and against the handout (a table's widths against its
    columns, a contents list outside a booklet, an image that is not there),
    so ``handouts check`` finds everything a build would, without building.
    """
    pages = [b for b in root.children if b.tag == "page"]
    if len(pages) > 1:
        raise _block_error(pages[1], "a handout has one <page> at most")
    for block in walk(root):
        problem = _block_problem(block, setting)
        if problem:
            raise _block_error(block, problem)


def walk(block: Block) -> list[Block]:
    out = []
    for child in block.children:
        out.append(child)
        out += walk(child)
    return out


def _block_error(block: Block, message: str) -> MarkupError:
    return _error(f"<{block.tag}>: {message}", block.line, block.source, block.tag)


def widths(value: str) -> list[float]:
    """A widths attribute ("46,54" or "20%, 80%") as numbers."""
    return [float(p.strip().rstrip("%")) for p in value.split(",")]


def _block_problem(block: Block, setting: Setting) -> str | None:
    if block.tag == "table" and "widths" in block.attrs:
        ncols = max(len(r.children) for r in block.children)
        n = len(widths(block.attrs["widths"]))
        if n != ncols:
            return f"widths gives {n} columns, the table has {ncols}"
    if block.tag == "columns" and "widths" in block.attrs:
        n, have = len(widths(block.attrs["widths"])), len(block.children)
        if n != have:
            return f"widths gives {n} columns, there are {have}"
    if block.tag == "contents" and not setting.booklet:
        return "a contents list can only be printed in a booklet"
    if block.tag == "pageref" and not setting.booklet:
        return "a page reference can only be printed in a booklet"
    if (block.tag == "prepared" and block.attrs.get("plan")
            and block.attrs.get("layout") != "line"):
        return 'plan="yes" runs the plan on in a line: give it layout="line" too'
    if block.tag in ("bodymap", "withmap") and not setting.muscle:
        return "a body map can only be drawn in a muscle's handout"
    if block.tag == "technique":
        known = setting.techniques
        if not setting.muscle:
            return "a technique can only be drawn in a muscle's handout"
        if known is not None and block.attrs["id"] not in known:
            hint = difflib.get_close_matches(block.attrs["id"], sorted(known), n=1)
            return (f"unknown technique '{block.attrs['id']}'"
                    + (f" (did you mean '{hint[0]}'?)" if hint else
                       "; the techniques are listed in shared.yaml"))
    if block.tag == "img" and find_image(block.attrs["src"], setting.image_dirs) is None:
        return (f"image '{block.attrs['src']}' not found in the template or data folders "
                "(paths cannot leave those folders)")
    return None


def find_image(src: str, dirs: Sequence[Path]) -> Path | None:
    """Find ``src`` in the allowed folders; never outside them."""
    rel = Path(src)
    if rel.is_absolute() or ".." in rel.parts:
        return None
    for d in dirs:
        p = (d / rel).resolve()
        if p.is_file() and p.is_relative_to(d.resolve()):
            return p
    return None


_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_TAG = re.compile(r"<(/?)([A-Za-z][\w-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_ATTR = re.compile(r"([A-Za-z_][\w-]*)\s*=")


def lint_template_source(source: str) -> list[tuple[int, str]]:
    """Find unknown tags and attributes in a template's own text, with line numbers.

    The output of a template cannot point back at template lines, so ``check``
    also reads each template's source: jinja2 code is blanked out (keeping
    line breaks) and every remaining tag is checked against the tag table.
    """
    blanked = _JINJA.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), source)
    problems = []
    for m in _TAG.finditer(blanked):
        closing, tag, rest = m.group(1), m.group(2), m.group(3)
        line = blanked.count("\n", 0, m.start()) + 1
        if tag in TAGS:
            spec = TAGS[tag].attrs
        elif tag in INLINE:
            spec = INLINE[tag]
        else:
            problems.append((line, f"unknown tag <{tag}>"))
            continue
        if closing:
            continue
        for a in _ATTR.findall(rest):
            if a not in spec:
                problems.append(
                    (line, f"<{tag}> has no attribute '{a}' (allowed: {', '.join(spec) or 'none'})")
                )
    return problems


def reference_markdown() -> str:
    """The tag reference of docs/templates.md, generated from the tag table."""
    out = ["## Block tags", ""]
    for name, tag in TAGS.items():
        kind = {"inline": "holds text with inline markup", "empty": "empty: write <{0}/>",
                "blocks": "holds other blocks"}[tag.content].format(name)
        out.append(f"### `<{name}>`")
        out.append("")
        out.append(f"{tag.doc} ({kind}"
                   + (f": {', '.join(f'`<{c}>`' for c in sorted(tag.children))}"
                      if tag.content == "blocks" else "") + ".)")
        out.append("")
        if tag.attrs:
            out.append("| attribute | required | meaning |")
            out.append("|---|---|---|")
            for a, spec in tag.attrs.items():
                values = f" One of: {', '.join(spec.choices)}." if spec.choices else ""
                out.append(f"| `{a}` | {'yes' if spec.required else 'no'} | {spec.doc}{values} |")
            out.append("")
        out.append("```")
        out.append(tag.example)
        out.append("```")
        out.append("")
    out.append("## Inline tags")
    out.append("")
    out.append("Inside a text block, reportlab's paragraph markup is allowed: "
               + ", ".join(f"`<{t}>`" for t in INLINE) + ".")
    out.append("")
    for t, attrs in INLINE.items():
        for a, spec in attrs.items():
            req = " (required)" if spec.required else ""
            out.append(f"- `<{t} {a}=\"...\">`{req}: {spec.doc}")
    out.append("")
    return "\n".join(out)
