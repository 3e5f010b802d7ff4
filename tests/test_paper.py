"""How the handouts use the paper, read from the PDFs: pages, empty space, and the
strip at the edge that office printers cannot print.

Every muscle in every template, in English and Spanish, on A4 for a clinic with
a phone number (the library built once per run).
"""

from __future__ import annotations

import pytest
from pages import pages

from handouts.library import load_library

LIB = load_library().library
TEMPLATES = {"full": "{mid}.pdf", "summary": "{mid}-summary.pdf",
             "large-print": "{mid}-large-print.pdf"}
# Nothing is printed nearer the edge than this (a filled band may bleed; its text may not).
PRINTABLE_MARGIN = 18.0
# The full handout: its pages after the first flow in two columns. Three sheets
# printed on both sides, with the technique drawings, the plan, the notes and the
# tracker (docs/paper.md has the page counts).
FULL_MOST_PAGES = 6
FIRST_PAGE_MOST_BLANK = 0.15
INNER_PAGE_MOST_BLANK = 0.20
LAST_PAGE_LEAST_USED = 1 / 3
# Large print sets boxes at 18 pt on one column: a page may end early where the
# start of the next box does not fit (the map gives way to what follows it, a
# box of cautions cannot), but never more than this empty (docs/paper.md).
LARGE_PRINT_INNER_MOST_BLANK = 0.3
# Pages in between over a fifth empty, of the 120 large-print handouts: where the
# cautions box cannot start at the foot of a page in any spacing (they come before
# the steps, so they may not give way as the map does). This may only shrink.
LARGE_PRINT_PAGES_OVER_A_FIFTH = 1


def _pdfs(root, template):
    for lang in ("en", "es"):
        folder = root if lang == "en" else root / lang
        for mid in sorted(LIB.muscles):
            yield lang, mid, folder / TEMPLATES[template].format(mid=mid)


@pytest.mark.slow
@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_nothing_is_printed_in_the_strip_at_the_edge(library_pdfs, template):
    near = {(lang, mid): round(min(p.nearest_edge() for p in pages(path)), 1)
            for lang, mid, path in _pdfs(library_pdfs, template)}
    assert {k: v for k, v in near.items() if v < PRINTABLE_MARGIN} == {}


@pytest.mark.slow
def test_full_handout_pages_are_used_well(library_pdfs):
    problems = []
    for lang, mid, path in _pdfs(library_pdfs, "full"):
        ps = pages(path)
        blank = [p.blank_share(1 if p.number == 1 else 2) for p in ps]
        if len(ps) > FULL_MOST_PAGES:
            problems.append((lang, mid, f"{len(ps)} pages"))
        if blank[0] > FIRST_PAGE_MOST_BLANK:
            problems.append((lang, mid, f"page 1 {blank[0]:.0%} blank"))
        for n, b in enumerate(blank[1:-1], start=2):
            if b > INNER_PAGE_MOST_BLANK:
                problems.append((lang, mid, f"page {n} {b:.0%} blank"))
        if 1 - blank[-1] < LAST_PAGE_LEAST_USED:
            problems.append((lang, mid, f"last page {1 - blank[-1]:.0%} used"))
    assert problems == []


@pytest.mark.slow
def test_summary_is_one_page_and_large_print_has_no_page_a_third_empty(library_pdfs):
    problems = []
    for lang, mid, path in _pdfs(library_pdfs, "summary"):
        if len(pages(path)) != 1:
            problems.append((lang, mid, "summary"))
    over_a_fifth = []
    for lang, mid, path in _pdfs(library_pdfs, "large-print"):
        ps = pages(path)
        for p in ps[1:-1]:
            if p.blank_share() > LARGE_PRINT_INNER_MOST_BLANK:
                problems.append((lang, mid, f"large print page {p.number}"))
            if p.blank_share() > INNER_PAGE_MOST_BLANK:
                over_a_fifth.append((lang, mid, p.number))
    assert problems == []
    assert len(over_a_fifth) <= LARGE_PRINT_PAGES_OVER_A_FIFTH, over_a_fifth



@pytest.mark.slow
def test_no_text_is_drawn_over_other_text(library_pdfs):
    # A box split inside a row once ran its last warning sign under the next heading.
    problems = []
    for template in TEMPLATES:
        for lang, mid, path in _pdfs(library_pdfs, template):
            for page in pages(path):
                for a, b in page.text_over_text():
                    problems.append((lang, mid, template, page.number, round(a.top), round(b.top)))
    assert problems == []
