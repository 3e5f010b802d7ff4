"""The typesetter: a plain object a server can hold and call again, from several threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

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
    # Compact, the large-print levator scapulae ends on a page about a third full
    # (the tracker moves days onto it); a closer spacing saves two pages.
    import io

    from pypdf import PdfReader

    typesetter = Typesetter(LIB, data_dir=builtin_data_dir())
    muscle, options = LIB.muscles["levator-scapulae"], Options(template="large-print")
    cache = typesetter.text_cache(options)
    pages = {}
    for spacing in ("compact", "dense", "normal"):
        layout = typesetter._measure(typesetter.compose(muscle, options, spacing=spacing,
                                                        cache=cache))
        pages[spacing] = (layout.pages, layout.last_page_used)
    assert 1 / 3 <= pages["compact"][1] < 0.5 and pages["dense"][0] < pages["compact"][0]
    printed = len(PdfReader(io.BytesIO(typesetter.handout(muscle, options))).pages)
    assert printed == min(p for p, _ in pages.values())


def test_a_drawn_trial_prints_what_the_chosen_story_prints_laid_out_again():
    # The dense trial is drawn, and its PDF kept when dense is chosen: it must be
    # the PDF the chosen story gives when it is laid out on its own.
    typesetter = Typesetter(LIB, data_dir=builtin_data_dir())
    for mid, template in (("piriformis", "full"), ("levator-scapulae", "large-print")):
        muscle, options = LIB.muscles[mid], Options(template=template)
        chosen, drawn = typesetter._settled(muscle, options, typesetter.text_cache(options),
                                            drawn=True)
        assert drawn is not None  # dense was tried and chosen
        fresh = Typesetter(LIB, data_dir=builtin_data_dir())
        story, _ = fresh._settled(muscle, options, fresh.text_cache(options))
        assert fresh._typeset(story, muscle, True)[0] == drawn
        assert typesetter.handout(muscle, options) == drawn
