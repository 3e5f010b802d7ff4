"""Keeping blocks together without holes: a block kept whole (a map, a box that
floats) that gives way to the blocks after it, and labels kept with their lines."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

from reportlab.platypus import KeepTogether, ListFlowable, ListItem, PageBreak, Paragraph, Spacer

from handouts.brand import DEFAULT_BRAND
from handouts.pdf.blocks import WriteInLines
from handouts.pdf.document import Metadata, PageSetup, typeset
from handouts.pdf.fonts import register_family
from handouts.pdf.keeping import (
    MOST_GIVING_WAY,
    Headed,
    continued_heading,
    gives_way,
    keep_headings_with_next,
)
from handouts.pdf.styles import make_styles

sys.path.insert(0, str(Path(__file__).parents[1]))
from conftest import page_texts  # noqa: E402

STYLES = make_styles(register_family(), "#1d4e63", "#8a3b12")


def _pages(story: list, tmp_path: Path) -> list[str]:
    pdf = typeset(story, brand=DEFAULT_BRAND, styles=STYLES, setup=PageSetup(),
                  meta=Metadata("T", "S", (), datetime.date(2026, 1, 1)), paper="letter")
    out = tmp_path / "probe.pdf"
    out.write_bytes(pdf)
    return page_texts(out)


def _story(*after: object, giving: bool = True, in_part: bool = True) -> list:
    """Filler to most of page 1, a map too tall for the rest, and what comes after it."""
    filler = [Paragraph(f"Filler line {i} to take up most of the first page.", STYLES.body)
              for i in range(20)]
    tall = KeepTogether([Spacer(1, 300), Paragraph("The map and its key.", STYLES.body)])
    return [*filler, gives_way(tall, in_part) if giving else tall, *after]


def _headed_list(items: int) -> Headed:
    heading = Paragraph("Questions", STYLES.h3)
    listing = ListFlowable([ListItem(Paragraph(f"Question {i}.", STYLES.body))
                            for i in range(items)])
    return keep_headings_with_next([heading, listing], continued_heading("continued"))[0]


def _headed_words(words: int) -> Headed:
    heading = Paragraph("Where is this muscle?", STYLES.h2)
    text = Paragraph(" ".join(f"Word{i}" for i in range(words)), STYLES.body)
    return keep_headings_with_next([heading, text], continued_heading("continued"))[0]


def _short(n: int) -> list:
    return [Paragraph(f"Short block {i}.", STYLES.body) for i in range(n)]


def test_the_blocks_after_a_map_that_does_not_fit_go_first(tmp_path):
    texts = _pages(_story(*_short(2)), tmp_path)
    assert "Short block 0." in texts[0] and "Short block 1." in texts[0]
    assert "The map and its key." in texts[1]
    assert texts[0].index("Short block 0.") < texts[0].index("Short block 1.")
    # Without it, they go on after the map and leave its space empty.
    texts = _pages(_story(*_short(2), giving=False), tmp_path)
    assert "Short block 0." in texts[1] and "Short block 0." not in texts[0]


def test_only_a_few_whole_blocks_go_first(tmp_path):
    texts = _pages(_story(*_short(MOST_GIVING_WAY + 3)), tmp_path)
    assert f"Short block {MOST_GIVING_WAY - 1}." in texts[0]
    assert f"Short block {MOST_GIVING_WAY}." in texts[1]
    assert texts[1].index("The map and its key.") < texts[1].index(
        f"Short block {MOST_GIVING_WAY}.")
    # A block too tall for what is left stops them: nothing after it goes first.
    long = Paragraph(" ".join(["A long block of words."] * 60), STYLES.body)
    texts = _pages(_story(long, *_short(1)), tmp_path)
    assert "A long block" not in texts[0] and "Short block 0." not in texts[0]


def test_nothing_goes_first_past_a_page_break_or_a_block_kept_with_the_next(tmp_path):
    texts = _pages(_story(PageBreak(), *_short(1)), tmp_path)
    assert "Short block 0." not in texts[0] and "The map and its key." in texts[1]
    heading = Paragraph("A heading", STYLES.h3)
    assert heading.getKeepWithNext()
    texts = _pages(_story(heading, *_short(1)), tmp_path)
    assert "A heading" not in texts[0]


def test_a_list_goes_first_in_part_only_where_the_block_lets_it(tmp_path):
    # Beside a map a list may go in part and read on after it; a box that floats
    # (the plan) lets only whole blocks go, so it never cuts a list in two.
    texts = _pages(_story(_headed_list(30)), tmp_path)
    assert "Question 0." in texts[0] and "Questions (continued)" in " ".join(texts[1:])
    texts = _pages(_story(_headed_list(30), in_part=False), tmp_path)
    assert "Question 0." not in texts[0] and "Questions (continued)" not in texts[1]
    assert texts[1].index("The map and its key.") < texts[1].index("Question 0.")


def test_a_label_goes_on_with_its_lines_to_write_on():
    label = Paragraph("Next visit (date and time)", STYLES.h3)
    lines = WriteInLines(1, 300, 29)
    kept = keep_headings_with_next([label, lines], continued_heading("continued"))
    assert len(kept) == 1 and isinstance(kept[0], Headed)
    # With only the label's room left, both go on: the label is never left alone.
    assert kept[0].split(300, label.wrap(300, 100)[1] + 10) == []


def test_a_block_made_to_fit_whole_goes_first(tmp_path):
    # Notes with three lines to write on, or two: where only two fit under the
    # filler, they go first with two, and the box that floats starts the next page.
    def notes(least: int) -> Headed:
        heading = Paragraph("Notes", STYLES.h3)
        lines = WriteInLines(3, 300, 60, least=least)  # 180 pt for three, 120 for two
        return keep_headings_with_next([heading, lines], continued_heading("continued"))[0]

    texts = _pages(_story(notes(least=2), in_part=False), tmp_path)
    assert "Notes" in texts[0] and "The map and its key." in texts[1]
    texts = _pages(_story(notes(least=3), in_part=False), tmp_path)
    assert "Notes" not in texts[0]


def test_a_paragraph_under_its_heading_goes_first_in_part_and_reads_on_before_the_map(
        tmp_path):
    # Where the paragraph after a map that moved on is too long for the rest of the
    # page, it begins there and reads on over the page before the map: the map never
    # cuts it in two, and the page is not left a fifth empty.
    headed = _headed_words(150)
    assert isinstance(headed, Headed) and not headed.repeat
    texts = _pages(_story(headed, *_short(1)), tmp_path)
    assert "Where is this muscle? Word0 " in texts[0] and "Word149" not in texts[0]
    assert (texts[1].index("Word149") < texts[1].index("The map and its key.")
            < texts[1].index("Short block 0."))
    assert "Where is this muscle?" not in texts[1]  # the heading is not repeated
    # A box that floats (the plan) lets only whole blocks go first.
    texts = _pages(_story(headed, in_part=False), tmp_path)
    assert "Word0" not in texts[0]


def test_a_paragraph_that_goes_first_in_part_leaves_more_than_a_line_over_the_page(tmp_path):
    # Never one word alone at the top of the next page, over the map.
    width = 612 - 2 * PageSetup().margin  # letter, as _pages lays it out
    split = 0
    for n in range(60, 200, 4):
        texts = _pages(_story(_headed_words(n)), tmp_path)
        if "Word0" not in texts[0] or f"Word{n - 1}" in texts[0]:
            continue  # went whole, or not at all
        split += 1
        rest = texts[1][:texts[1].index("The map and its key.")]
        assert len(Paragraph(rest, STYLES.body).breakLines([width]).lines) >= 2, (n, rest)
    assert split > 10
