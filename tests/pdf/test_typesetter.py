"""The typesetter: a plain object a server can hold and call again, from several threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from reportlab.lib.units import inch

from handouts.library import load_library
from handouts.models import Personal
from handouts.pdf.typesetter import Options, Typesetter
from handouts.resources import builtin_data_dir

LIB = load_library().library


def test_same_bytes_every_time_and_from_several_threads():
    typesetter = Typesetter(LIB, data_dir=builtin_data_dir())
    muscles = [LIB.muscles[m] for m in ("piriformis", "masseter", "soleus")]
    once = [typesetter.handout(m) for m in muscles]
    with ThreadPoolExecutor(3) as pool:
        again = list(pool.map(typesetter.handout, muscles * 2))
    assert again == once * 2


def test_patient_details_stay_in_the_pdf_they_were_given_to():
    typesetter = Typesetter(LIB, data_dir=builtin_data_dir())
    muscle = LIB.muscles["piriformis"]
    mine = typesetter.handout(muscle, Options(personal=Personal(patient="Ana Núñez")))
    plain = typesetter.handout(muscle)
    assert mine != plain
    assert typesetter.handout(muscle) == plain  # nothing of Ana is left behind


def test_auto_spacing_tries_closer_spacing_for_a_last_page_under_half_full():
    # Some large-print handout ends, compact, on a page between a third and a half
    # full (the tracker moves days onto a light last page until it holds a third);
    # a closer spacing saves a page there, and the handout is printed in it.
    import io

    from pypdf import PdfReader

    from handouts.pdf.typesetter import LIGHT_LAST_PAGE, TRY_CLOSER

    typesetter = Typesetter(LIB, data_dir=builtin_data_dir())
    options = Options(template="large-print")
    cache = typesetter.text_cache(options)

    def layout(muscle, spacing):
        return typesetter._measure(typesetter.compose(muscle, options, spacing=spacing,
                                                      cache=cache))

    for mid in sorted(LIB.muscles):
        muscle = LIB.muscles[mid]
        compact = layout(muscle, "compact")
        if not LIGHT_LAST_PAGE <= compact.last_page_used < TRY_CLOSER:
            continue
        pages = {s: layout(muscle, s).pages for s in ("dense", "normal")}
        if pages["dense"] < compact.pages:
            break
    else:
        raise AssertionError("no handout whose last page a closer spacing saves")
    printed = len(PdfReader(io.BytesIO(typesetter.handout(muscle, options))).pages)
    assert printed == min(compact.pages, *pages.values()) < compact.pages


def test_auto_spacing_tries_closer_spacing_on_a_long_handout_whose_last_page_is_full():
    # Dense spacing takes 5 to 12 % less height: on 14 large-print pages that is a
    # page, even when the last page is nearly full (adductor longus).
    from handouts.pdf.typesetter import TRY_CLOSER

    typesetter = Typesetter(LIB, data_dir=builtin_data_dir())
    options = Options(template="large-print")
    cache = typesetter.text_cache(options)
    muscle = LIB.muscles["adductor-longus"]
    compact = typesetter._measure(typesetter.compose(muscle, options, spacing="compact",
                                                     cache=cache))
    assert compact.last_page_used > 0.9 > TRY_CLOSER and compact.pages >= 10
    chosen, _ = typesetter._settled(muscle, options, cache)
    assert typesetter._measure(chosen).pages < compact.pages


def test_auto_spacing_tries_the_other_spacings_for_a_page_in_between_short_of_full():
    # The Spanish tibialis anterior in large print, compact: its cautions box cannot
    # start at the foot of page 5, which is left over a fifth empty. In another
    # spacing the page is used; that is the one printed, in no more pages.
    from handouts.i18n import localize
    from handouts.pdf.typesetter import FULL_FIRST_PAGE, FULL_PAGE

    lib = localize(LIB, "es", builtin_data_dir()).library
    typesetter = Typesetter(lib, data_dir=builtin_data_dir(), lang="es")
    options = Options(template="large-print")
    cache = typesetter.text_cache(options)
    muscle = lib.muscles["tibialis-anterior"]
    compact = typesetter._measure(typesetter.compose(muscle, options, spacing="compact",
                                                     cache=cache))
    assert compact.last_page_used >= 0.5 and compact.least_inner_used >= 0.5
    assert compact.short_pages(FULL_FIRST_PAGE, FULL_PAGE) > 0
    chosen, _ = typesetter._settled(muscle, options, cache)
    printed = typesetter._measure(chosen)
    assert printed.pages <= compact.pages
    assert (printed.short_pages(FULL_FIRST_PAGE, FULL_PAGE)
            < compact.short_pages(FULL_FIRST_PAGE, FULL_PAGE))


def test_a_drawn_trial_prints_what_the_chosen_story_prints_laid_out_again():
    # The dense trial is drawn, and its PDF kept when dense is chosen: it must be
    # the PDF the chosen story gives when it is laid out on its own.
    typesetter = Typesetter(LIB, data_dir=builtin_data_dir())
    for template in ("full", "large-print"):
        options = Options(template=template)
        for mid in sorted(LIB.muscles):  # the first that dense prints
            muscle = LIB.muscles[mid]
            chosen, drawn = typesetter._settled(muscle, options,
                                                typesetter.text_cache(options),
                                                draw_tagged=True)
            if drawn is not None:
                break
        else:
            raise AssertionError(f"dense is never chosen for {template}")
        fresh = Typesetter(LIB, data_dir=builtin_data_dir())
        story, _ = fresh._settled(muscle, options, fresh.text_cache(options))
        assert fresh._typeset(story, muscle, True)[0] == drawn
        assert typesetter.handout(muscle, options) == drawn


def test_the_summary_fits_the_same_wherever_the_search_for_its_cut_starts(monkeypatch):
    from handouts.pdf import typesetter as module

    muscle, options = LIB.muscles["soleus"], Options(template="summary")
    printed = set()
    for start in (module.FIT_GUESS, 0, 5, len(module.FIT_LIMITS) - 1):
        monkeypatch.setattr(module, "FIT_GUESS", start)
        printed.add(Typesetter(LIB, data_dir=builtin_data_dir()).handout(muscle, options))
    assert len(printed) == 1
    monkeypatch.undo()
    # From where most summaries fit, it takes a few trial layouts, not five.
    typesetter = Typesetter(LIB, data_dir=builtin_data_dir())
    measured = []
    real = typesetter._measure
    monkeypatch.setattr(typesetter, "_measure", lambda c: measured.append(c) or real(c))
    assert typesetter.handout(muscle, options) in printed
    assert len(measured) <= 4


def test_a_summary_prints_the_same_whatever_was_made_before_it():
    # The Spanish quadratus lumborum card on A4 fits with its map whole, but not
    # with the map a little smaller (its view names wrap onto another line): a
    # search that started where the card before it fitted found another cut.
    from handouts.i18n import localize

    lib = localize(LIB, "es", builtin_data_dir()).library
    options = Options(template="summary", paper="a4")

    def card(*before: str) -> bytes:
        typesetter = Typesetter(lib, data_dir=builtin_data_dir(), lang="es")
        for mid in before:
            typesetter.handout(lib.muscles[mid], options)
        return typesetter.handout(lib.muscles["quadratus-lumborum"], options)

    assert card() == card("paraspinals") == card("iliopsoas", "temporalis")


@pytest.fixture
def map_views(monkeypatch):
    """The height of each body map's views as it is drawn (cleared by the test)."""
    from handouts.pdf import bodymap

    drawn: list[float] = []
    real = bodymap.BodyMap.drawOn

    def record(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        drawn.append(self.views_height / inch)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(bodymap.BodyMap, "drawOn", record)
    return drawn


def test_the_summary_map_views_are_at_least_1_7_inches_tall(map_views):
    from handouts.i18n import localize

    # English cards fit with their maps whole; a Spanish card, which runs longer,
    # may draw it smaller rather than lose its signs, habits or healing times,
    # but never leaves it out.
    for lang, paper, least in (("en", "letter", 1.7), ("en", "a4", 1.7), ("es", "a4", 1.2)):
        lib = localize(LIB, lang, builtin_data_dir()).library
        typesetter = Typesetter(lib, data_dir=builtin_data_dir(), lang=lang)
        for mid, muscle in lib.muscles.items():
            map_views.clear()
            typesetter.handout(muscle, Options(template="summary", paper=paper))
            assert map_views and min(map_views) >= least - 0.001, (lang, paper, mid, map_views)


def test_the_full_handout_map_views_are_at_least_2_4_inches_tall(map_views):
    # Two wide views beside the "Get help now" box on page 1 take up to 54.5 % of
    # the width; only the quadratus lumborum's (two trunk views, arms and all)
    # would need more, and the box would then push "What to remember" off page 1.
    typesetter = Typesetter(LIB, data_dir=builtin_data_dir())
    for paper in ("letter", "a4"):
        for mid, muscle in LIB.muscles.items():
            map_views.clear()
            typesetter.handout(muscle, Options(template="full", paper=paper))
            least = 2.2 if mid == "quadratus-lumborum" else 2.4
            assert map_views and min(map_views) >= least - 0.001, (paper, mid, map_views)
