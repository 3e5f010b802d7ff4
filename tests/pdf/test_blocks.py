"""Block makers: one parsed block into tagged flowables, drawn on an in-memory canvas."""

from __future__ import annotations

import io
import sys
from pathlib import Path

from handouts.markup import parse
from handouts.pdf import internals
from handouts.pdf.blocks import BlockContext, make_flowables
from handouts.pdf.document import Metadata, PageSetup, frame_width, typeset
from handouts.pdf.fonts import register_family
from handouts.pdf.structure import ARTIFACT, Node
from handouts.pdf.styles import make_styles

STYLES = make_styles(register_family(), "#1d4e63", "#8a3b12")
WIDTH = frame_width("letter", PageSetup())


def flowables(markup: str, **ctx: object) -> list:
    return make_flowables(parse(markup).children, BlockContext(styles=STYLES, width=WIDTH, **ctx))


def tags_of(flowables: list) -> list:
    """The structure roles the flowables (and what they hold) will draw as."""
    out = []
    for f in flowables:
        t = getattr(f, "_tag", None)
        if isinstance(t, Node):
            out.append(t.role)
        elif t == ARTIFACT:
            out.append(ARTIFACT)
        for inner in getattr(f, "_content", []):
            out += tags_of([inner])
        if hasattr(f, "parts"):  # a heading kept with what it heads
            out += tags_of(f.parts())
    return out


def test_a_paragraph_is_a_p_and_a_heading_its_level():
    assert tags_of(flowables("<h2>Where</h2><p>Text.</p>")) == ["H2", "P"]


def test_a_rule_and_write_in_lines_are_artifacts():
    roles = tags_of(flowables("<hr/><lines count='2'/>"))
    assert roles and set(roles) == {ARTIFACT}


def test_a_list_is_l_li_lbl_lbody():
    (lst,) = flowables("<ol><li>One</li><li>Two</li></ol>")
    node = internals.item_body(internals.list_items(lst)[0])._tag
    assert (node.role, node.parent.role, node.parent.parent.role) == ("LBody", "LI", "L")
    assert [c.role for c in node.parent.children] == ["Lbl", "LBody"]


def test_a_table_has_every_cell_and_header_scope():
    (table, _space) = flowables("<table><tr><th>A</th><th>B</th></tr><tr><td>1</td></tr>"
                                "</table>")
    first = table._cellvalues[0][0]._tag
    row = first.parent
    assert (first.role, first.attrs, row.role, row.parent.role) == (
        "TH", {"Scope": "Column"}, "TR", "Table")
    second_row = row.parent.children[1]
    assert [c.role for c in second_row.children] == ["TD", "TD"]  # the empty cell too


def test_compact_spacing_never_changes_the_type():
    compact = make_styles(register_family(), "#1d4e63", "#8a3b12", gap=0.5)
    assert compact.body.fontSize == STYLES.body.fontSize == 12
    assert compact.h2.spaceBefore < STYLES.h2.spaceBefore


def test_flowables_draw_into_a_tagged_pdf_in_memory():
    story = flowables("<h1>Probe</h1><p>Text.</p><callout title='Box' kind='urgent'>"
                      "<ul><li>Sign.</li></ul></callout>")
    pdf = typeset(story, brand=__import__("handouts.brand").brand.DEFAULT_BRAND, styles=STYLES,
                  setup=PageSetup(), meta=Metadata("T", "S", (), __import__("datetime").date(
                      2026, 1, 1)), paper="letter")
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1 and "Sign." in reader.pages[0].extract_text()
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]


def _two_column_pdf(story: list, tmp_path: Path) -> Path:
    import dataclasses
    import datetime

    from handouts.brand import DEFAULT_BRAND

    setup = dataclasses.replace(PageSetup(), columns=2)
    pdf = typeset(story, brand=DEFAULT_BRAND, styles=STYLES, setup=setup,
                  meta=Metadata("T", "S", (), datetime.date(2026, 1, 1)), paper="letter")
    out = tmp_path / "probe.pdf"
    out.write_bytes(pdf)
    return out


def test_a_long_box_goes_on_in_the_next_column_at_that_column_width(tmp_path):
    """A box tried at the foot of the page-wide first page and set in a narrower
    column must be drawn column-wide, and every one of its lines printed once."""
    sys.path.insert(0, str(Path(__file__).parents[1]))
    from conftest import page_texts
    from pages import PATH, pages

    filler = "".join(f"<p>Filler line {i} to take up most of the first page.</p>"
                     for i in range(24))
    signs = "".join(f"<li>Warning sign number {i} here.</li>" for i in range(40))
    kept = "".join(f"<li>Kept point {i}.</li>" for i in range(12))
    story = flowables(f"{filler}<keep><callout title='Remember'><ul>{kept}</ul></callout></keep>"
                      f"{filler}<callout title='When to get help' kind='urgent'>"
                      f"<h3>Call now if:</h3><ul>{signs}</ul></callout>")
    path = _two_column_pdf(story, tmp_path)
    texts = page_texts(path)
    assert "Kept point 0." not in texts[0] and "Warning sign number 0 here." in texts[1]
    text = " ".join(texts)
    assert all(text.count(f"Warning sign number {i} here.") == 1 for i in range(40))
    column = (WIDTH - PageSetup().column_gap) / 2
    for page in pages(path)[1:]:
        rules = [m for m in page.body_marks() if m.kind == PATH]
        assert rules and max(m.width for m in rules) <= column + 8, page.number  # a border's stroke


def _map_beside(height: float, paragraphs: int = 3):
    from reportlab.lib.units import inch
    from reportlab.platypus import Paragraph

    from handouts.library import load_library
    from handouts.pdf.blocks import Beside
    from handouts.pdf.bodymap import bodymap_flowables

    lib = load_library().library
    drawing, *key = bodymap_flowables(lib.muscles["tibialis-anterior"], lib.regions,
                                      width=WIDTH, styles=STYLES, height=height * inch,
                                      caption="Shaded: where pain is often felt")
    words = [Paragraph("Pain is often felt in the front of the ankle and the big toe. "
                       "It is sometimes felt along the shin.", STYLES.body)
             for _ in range(paragraphs)]
    return Beside(drawing, words, STYLES, key=key, share=0.5)


def test_a_map_made_smaller_to_fit_keeps_its_views_at_least_2_4_inches_tall():
    from reportlab.lib.units import inch

    from handouts.pdf.blocks import Beside

    for asked in (2.4, 3.0):
        _, height = _map_beside(asked).wrapOn(None, WIDTH, 10_000)
        smaller_seen = False
        for room in range(int(height) - 1, int(height * 0.5), -12):
            beside = _map_beside(asked)
            beside.wrapOn(None, WIDTH, room)  # as a frame does before it splits
            for part in beside.splitOn(None, WIDTH, room):
                if isinstance(part, Beside):
                    part.wrapOn(None, WIDTH, room)
                    views = part.drawing.views_height
                    assert views >= 2.4 * inch - 0.01, (asked, room, views / inch)
                    smaller_seen |= views < asked * inch - 1
        # A 3-inch map does get smaller where that makes it fit; a 2.4-inch one never.
        assert smaller_seen == (asked > 2.4)


def test_words_too_long_to_go_whole_begin_on_the_page_and_go_on_beside_the_map():
    from handouts.pdf.blocks import Beside
    from handouts.pdf.keeping import Stack

    beside = _map_beside(2.4, paragraphs=8)
    words = Stack(beside.blocks).wrapOn(None, WIDTH, 10_000)[1]
    column = Stack(beside._column()).wrapOn(None, WIDTH, 10_000)[1]
    room = min(words, column) * 0.6  # neither the words nor the map fits whole
    beside.wrapOn(None, WIDTH, room)
    *here, rest = beside.splitOn(None, WIDTH, room)
    assert here and Stack(here).wrapOn(None, WIDTH, room)[1] <= room
    assert isinstance(rest, Beside) and rest.drawing is beside.drawing
    assert rest.key == beside.key  # the map goes on with its key

    def text(flowables: list) -> str:
        return " ".join(" ".join(w.text if hasattr(w, "text") else w
                                 for line in f.blPara.lines for w in line[1])
                        for f in flowables)

    for f in [*here, *rest.blocks, *beside.blocks]:
        f.wrapOn(None, WIDTH / 2, 10_000)
    assert text(here + rest.blocks).split() == text(beside.blocks).split()


def test_the_map_key_goes_under_the_shorter_column():
    for paragraphs, under_map in ((1, False), (8, True)):
        beside = _map_beside(2.4, paragraphs)
        _, height = beside.wrapOn(None, WIDTH, 10_000)
        (left, _right), = beside._inner._cellvalues
        assert (beside.key[0] in left) is under_map, paragraphs
        lowest = min(a.wrapOn(None, WIDTH, 10_000)[1] for a in beside._arrangements(WIDTH))
        assert height == lowest


def test_map_keys_share_a_line_when_they_fit():
    beside = _map_beside(2.4)
    legend = beside.key[0]
    one_line = legend.wrap(10_000, 10_000)[1]
    # Too narrow for all three keys on one line, wide enough for two: two lines.
    legend.wrap(legend.wrap(10_000, 10_000)[0] * 0.8, 10_000)
    assert [len(row) for row in legend._rows] == [2, 1]
    assert legend.height < 3 * one_line


def _cautions_box(mid: str) -> str:
    from handouts.library import load_library

    lib = load_library().library
    c, own = lib.shared.cautions, lib.muscles[mid].self_care.cautions

    def items(xs: list[str]) -> str:
        return "<ul>" + "".join(f"<li>{x}</li>" for x in xs) + "</ul>"

    return (f"<callout title='{c.title}' kind='warning'><p><b>With this muscle:</b></p>"
            f"{items(own)}<p><b>{c.ask_first.lead}</b></p>{items(c.ask_first.items)}"
            f"<p><b>{c.never_press.lead}</b></p>{items(c.never_press.items)}<p>{c.stop}</p>"
            "</callout>")


def test_the_first_piece_of_a_split_box_fits_where_it_was_split():
    # Measured again, a piece could come out a hair taller than the room it was
    # split for (300.00000000000006 in 300): nothing of the box was then placed,
    # and a column was left a third empty.
    from handouts.pdf.blocks import ShareTable

    box_markup, width = _cautions_box("hamstrings"), WIDTH / 2 - 9
    for room in range(280, 320):
        (_, box, _) = flowables(box_markup)
        box.wrapOn(None, width, room)
        pieces = box.splitOn(None, width, room)
        assert pieces and isinstance(pieces[0], ShareTable), room
        assert pieces[0].wrapOn(None, width, room)[1] <= room, room


def test_a_bold_lead_in_goes_on_with_its_list():
    from handouts.pdf.keeping import Headed

    (lead,) = flowables("<p><b>Never press or roll on:</b></p><ul><li>A bony point</li></ul>")
    assert isinstance(lead, Headed)
    # A bold start with more after it is a paragraph, not a lead-in.
    assert not any(isinstance(f, Headed) for f in flowables(
        "<p><b>How long:</b> 2 minutes.</p><ul><li>A bony point</li></ul>"))


def test_a_split_lead_in_list_keeps_an_item_and_says_continued():
    from handouts.pdf.keeping import Headed

    markup = ("<p><b>Never press or roll on:</b></p><ul>"
              + "".join(f"<li>part of the body number {i}</li>" for i in range(6)) + "</ul>")
    (lead,) = flowables(markup)
    _, heading_h = lead.heading.wrapOn(None, WIDTH, 1000)
    assert lead.splitOn(None, WIDTH, heading_h + 2) == []  # never the lead alone
    (lead,) = flowables(markup)
    lead.wrapOn(None, WIDTH, 1000)
    first, rest = lead.splitOn(None, WIDTH, lead.height * 0.6)
    assert isinstance(first, Headed) and first.body and isinstance(rest, Headed)
    assert "(continued)" in rest.heading.text and "Never press" in rest.heading.text


def test_a_heading_over_a_sub_heading_goes_on_with_the_start_of_its_list():
    from handouts.pdf.keeping import Headed

    markup = ("<h2>Notes and questions</h2><h3>Questions to ask</h3><ul>"
              + "".join(f"<li>Question number {i} for the clinic?</li>" for i in range(8))
              + "</ul>")
    (section,) = flowables(markup)
    assert isinstance(section, Headed) and isinstance(section.body[-1], Headed)
    _, height = section.wrapOn(None, WIDTH, 10_000)
    # Room for both headings and a few questions, not for all of them.
    first, rest = section.splitOn(None, WIDTH, height * 0.5)
    assert first.wrapOn(None, WIDTH, 10_000)[1] <= height * 0.5
    assert isinstance(rest, Headed) and "(continued)" in rest.heading.text
    assert "(continued)" in rest.body[-1].heading.text  # the sub-heading again too


def test_write_in_lines_under_a_heading_become_fewer_rather_than_move_on():
    from handouts.pdf.keeping import Headed

    (notes, _space) = flowables('<h2>Notes</h2><lines count="3" least="2"/>')
    assert isinstance(notes, Headed)
    _, full = notes.wrapOn(None, WIDTH, 10_000)
    lines = notes.body[-1]
    (fewer,) = notes.splitOn(None, WIDTH, full - lines.gap / 2)
    assert fewer.body[-1].count == 2
    assert notes.splitOn(None, WIDTH, full - lines.gap * 1.5) == []  # never under 2
    # Without least: three or none, and the heading goes on with them (in a box too,
    # where nothing else keeps them together).
    (kept, _space) = flowables('<h2>Notes</h2><lines count="3"/>')
    assert isinstance(kept, Headed)
    _, full = kept.wrapOn(None, WIDTH, 10_000)
    assert kept.splitOn(None, WIDTH, full - lines.gap / 2) == []


def test_a_box_longer_than_a_column_says_where_it_goes_on(tmp_path):
    sys.path.insert(0, str(Path(__file__).parents[1]))
    from conftest import page_texts

    filler = "".join(f"<p>Filler line {i} to take up most of the first page.</p>"
                     for i in range(16))
    signs = "".join(f"<li>Warning sign number {i} here.</li>" for i in range(60))
    story = flowables(f"{filler}<callout title='When to get help' kind='urgent'>"
                      f"<ul>{signs}</ul></callout>")
    texts = page_texts(_two_column_pdf(story, tmp_path))
    text = " ".join(texts)
    # Page 1 is one column: the box goes on on the next page, then in the next
    # column, each time under its title again.
    assert "When to get help • Warning sign number 0 here." in texts[0]
    assert "Continued on the next page Your clinic" in texts[0]
    assert "Continued in the next column" in texts[1]
    assert text.count("When to get help (continued)") == text.count("Continued ") == 2
    assert all(text.count(f"Warning sign number {i} here.") == 1 for i in range(60))


def test_a_shorter_box_that_splits_says_so_only_with_its_title_again():
    from handouts.pdf.blocks import ShareTable
    from handouts.pdf.internals import first_cell

    short = "".join(f"<li>Plan point {i}.</li>" for i in range(8))
    (_, box, _) = flowables(f"<callout title='Your plan'><ul>{short}</ul></callout>")
    _, height = box.wrapOn(None, WIDTH, 10_000)
    first, rest = box.splitOn(None, WIDTH, height * 0.6)  # no page: shorter than one
    assert isinstance(first, ShareTable) and isinstance(rest, ShareTable)
    assert first_cell(rest).text == "Your plan <font>(continued)</font>"
    assert first_cell(first).text == "Your plan"


def test_a_tracker_moves_days_onto_a_light_last_page_while_the_page_before_stays_full(
        tmp_path):
    import datetime

    from handouts.brand import DEFAULT_BRAND

    sys.path.insert(0, str(Path(__file__).parents[1]))
    from pages import pages

    tracker = '<tracker days="14" sessions="3" note="Call your clinician if it is not better."/>'
    moved = 0
    for n in range(20, 44):
        filler = "".join(f"<p>Filler line {i} to take up the page.</p>" for i in range(n))
        path = tmp_path / f"tracker-{n}.pdf"
        path.write_bytes(typeset(flowables(filler + tracker), brand=DEFAULT_BRAND,
                                 styles=STYLES, setup=PageSetup(), paper="letter",
                                 meta=Metadata("T", "S", (), datetime.date(2026, 1, 1))))
        ps = pages(path)
        # The space after the tracker never starts a page of its own.
        assert all(p.blank_share() < 1 for p in ps), n
        if len(ps) < 2:
            continue
        last_used, before_blank = 1 - ps[-1].blank_share(), ps[-2].blank_share()
        # A light last page only where moving a day would leave the page before
        # a fifth empty.
        assert last_used >= 1 / 3 or before_blank > 0.2 - 0.06, (n, last_used, before_blank)
        assert before_blank <= 0.2, (n, before_blank)  # and never more than a fifth
        moved += last_used >= 1 / 3 and before_blank > 0.04
    assert moved  # some of them moved days (the page before is a little emptier)


def test_a_map_beside_its_words_is_laid_out_the_same_whatever_came_before():
    # A column left to reportlab to size asks its blocks how narrow they can be,
    # which they answer from the width they were last laid out at: the same
    # handout then came out a point wider or narrower from one batch to the next.
    fresh = _map_beside(2.4)
    fresh.wrapOn(None, WIDTH, 10_000)
    widths = list(fresh._inner._colWidths)
    used = _map_beside(2.4)
    for key in used.key:  # the key laid out elsewhere first, at another width
        key.wrapOn(None, WIDTH * 2, 10_000)
    for block in used.blocks:
        block.wrapOn(None, 40, 10_000)
    used.wrapOn(None, WIDTH, 10_000)
    assert list(used._inner._colWidths) == widths
