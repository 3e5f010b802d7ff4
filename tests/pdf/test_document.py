"""Trial layouts: where a story falls, without drawing it, and the story still as new."""

from __future__ import annotations

import datetime as dt

from reportlab.platypus import KeepTogether, PageBreak, Spacer

from handouts.brand import DEFAULT_BRAND
from handouts.pdf.document import Metadata, PageSetup, measure, typeset_measured
from handouts.pdf.fonts import register_family
from handouts.pdf.paragraphs import Para
from handouts.pdf.styles import make_styles

STYLES = make_styles(register_family(), "#1d4e63", "#8a3b12")
SETUP = PageSetup()
META = Metadata(title="Trial", subject="", keywords=(), date=dt.date(2026, 1, 1))


def story() -> list:
    words = " ".join(["Hold the stretch for a slow count of ten."] * 12)
    out = [Para(f"Section {i}. {words}", STYLES.body) for i in range(4)]
    # A group too tall for what is left of page 2: it moves on whole and leaves a hole.
    out.insert(3, KeepTogether([Spacer(1, 500), Para("The end of the group.", STYLES.body)]))
    return [*out[:1], PageBreak(), *out[1:]]


def test_a_trial_layout_says_how_full_each_page_is():
    layout = measure(story(), brand=DEFAULT_BRAND, styles=STYLES, setup=SETUP, paper="letter")
    assert layout.pages == len(layout.pages_used) >= 3
    assert layout.pages_used[0] < 0.5  # the page break ends page 1 early
    assert layout.least_inner_used < 0.7  # the group that moved on left a hole
    assert layout.short_pages(0.85, 0.8) >= 2


def test_a_measured_story_typesets_as_a_fresh_one_does():
    measured = story()
    trial = measure(measured, brand=DEFAULT_BRAND, styles=STYLES, setup=SETUP, paper="letter")
    again, layout = typeset_measured(measured, brand=DEFAULT_BRAND, styles=STYLES, setup=SETUP,
                                     meta=META, paper="letter")
    fresh, _ = typeset_measured(story(), brand=DEFAULT_BRAND, styles=STYLES, setup=SETUP,
                                meta=META, paper="letter")
    assert again == fresh
    assert layout == trial


def test_a_trial_layout_draws_nothing():
    drawn = []

    class Watched(Para):
        def drawOn(self, *args, **kwargs):  # noqa: N802
            drawn.append(self)
            return super().drawOn(*args, **kwargs)

    flowables = [Watched("Rest, then move gently.", STYLES.body)]
    measure(flowables, brand=DEFAULT_BRAND, styles=STYLES, setup=SETUP, paper="letter")
    assert drawn == []
    typeset_measured(flowables, brand=DEFAULT_BRAND, styles=STYLES, setup=SETUP, meta=META,
                     paper="letter")
    assert len(drawn) == 1
