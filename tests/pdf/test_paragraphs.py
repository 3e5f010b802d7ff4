"""Paragraphs share what they parsed and broke through the typesetter's cache."""

from __future__ import annotations

import datetime as dt

from handouts.library import load_library
from handouts.models import Personal
from handouts.pdf.paragraphs import Para, TextCache
from handouts.pdf.typesetter import Options, Typesetter
from handouts.resources import builtin_data_dir

LIB = load_library().library


def test_a_warm_cache_gives_the_bytes_a_cold_one_does():
    warm = Typesetter(LIB, data_dir=builtin_data_dir())
    for template in ("full", "summary"):
        warm.handout(LIB.muscles["soleus"], Options(template=template))
    assert len(warm._text) > 300  # what they share is kept
    for template in ("full", "summary"):
        cold = Typesetter(LIB, data_dir=builtin_data_dir())
        opts = Options(template=template)
        assert warm.handout(LIB.muscles["masseter"], opts) == \
            cold.handout(LIB.muscles["masseter"], opts)


def test_patient_details_are_never_kept_in_the_typesetters_cache():
    typesetter = Typesetter(LIB, data_dir=builtin_data_dir())
    muscle = LIB.muscles["piriformis"]
    typesetter.handout(muscle)
    before = len(typesetter._text)
    personal = Personal(patient="Zebedee Quintana", clinician="Dr Orla Vance",
                        notes=("Left side worse since the trip to Oslo",),
                        plan=("Ball against the wall, Tuesdays and Fridays",),
                        follow_up=dt.datetime(2026, 12, 15, 10, 30))
    pdf = typesetter.handout(muscle, Options(personal=personal))
    assert len(typesetter._text) == before
    kept = repr(list(typesetter._text.parsed)) + repr(list(typesetter._text.lines))
    for detail in ("Zebedee", "Orla", "Oslo", "Fridays", "December 15"):
        assert detail not in kept
    assert pdf != typesetter.handout(muscle)


def test_a_private_cache_reads_the_shared_one_and_keeps_its_own():
    shared = TextCache()
    style = Typesetter(LIB).styles(12.0).body
    first = Para("Rest the muscle for a day or two.", style, cache=shared)
    first.wrap(300, 1000)
    private = shared.private()
    again = Para("Rest the muscle for a day or two.", style, cache=private)
    assert again.wrap(300, 1000) == first.wrap(300, 1000)
    assert again.frags is first.frags  # read from the shared cache, not parsed again
    Para("A note for one patient.", style, cache=private).wrap(300, 1000)
    assert len(private) == 2 and len(shared) == 2


def test_text_in_another_spacing_is_not_parsed_or_broken_again():
    # Trials of a handout in another spacing set the same text in styles that
    # differ only in the space around and between lines: they share its parse
    # and its lines, and each paragraph keeps its own spacing.
    typesetter = Typesetter(LIB)
    cache = TextCache()
    text = "Keep the ball on the muscle, <b>not on the bone</b>, for ten slow breaths."
    compact = typesetter.styles(18.0, "compact").body
    dense = typesetter.styles(18.0, "dense").body
    assert compact.leading != dense.leading
    first = Para(text, compact, cache=cache)
    first_size = first.wrap(200, 1000)
    again = Para(text, dense, cache=cache)
    again_size = again.wrap(200, 1000)
    assert again.frags is first.frags and again.style is dense
    assert again.blPara.lines == first.blPara.lines and len(cache) == 2
    lines = len(first.blPara.lines)
    assert (first_size[1], again_size[1]) == (lines * compact.leading, lines * dense.leading)
    # Another size is other text: parsed and broken on its own.
    Para(text, typesetter.styles(12.0, "compact").body, cache=cache).wrap(200, 1000)
    assert len(cache) == 4


def test_the_pieces_of_a_split_paragraph_are_not_cached():
    cache = TextCache()
    style = Typesetter(LIB).styles(12.0).body
    para = Para(" ".join(["Stretch gently and hold."] * 40), style, cache=cache)
    _, height = para.wrap(200, 10_000)
    top, rest = para.split(200, height / 2)
    assert top.__dict__.get("_cache") is None and rest.__dict__.get("_cache") is None
    assert len(cache) == 2  # the paragraph's parse and its lines at 200 pt


def test_the_cache_keeps_the_entries_used_last():
    cache = TextCache(limit=3)
    style = Typesetter(LIB).styles(12.0).body
    for word in ("one", "two", "three"):
        Para(word, style, cache=cache)
    Para("one", style, cache=cache)  # used again: now the newest
    Para("four", style, cache=cache)
    assert [key[0] for key in cache.parsed] == ["three", "one", "four"]


def test_a_booklet_title_is_never_kept_in_the_cache():
    # A clinician may put the client's name in the title of a booklet.
    typesetter = Typesetter(LIB, data_dir=builtin_data_dir())
    muscles = [LIB.muscles["piriformis"], LIB.muscles["gluteus-medius"]]
    pdf = typesetter.booklet(muscles, Options(), "Exercises for Zebedee Quintana")
    assert len(pdf) > 10_000
    kept = repr(list(typesetter._text.parsed)) + repr(list(typesetter._text.lines))
    assert "Zebedee" not in kept and len(typesetter._text) > 100


def test_the_trials_of_a_handout_with_patient_details_share_its_private_cache():
    typesetter = Typesetter(LIB, data_dir=builtin_data_dir())
    options = Options(personal=Personal(patient="Zebedee Quintana"))
    private = typesetter.text_cache(options)
    assert len(private) == 0  # empty, and still the one the trials must fill
    typesetter.compose(LIB.muscles["piriformis"], options, spacing="dense", cache=private)
    assert len(private) > 100 and len(typesetter._text) == 0


def test_styles_made_for_one_handout_do_not_pile_up():
    from reportlab.lib.styles import ParagraphStyle

    cache = TextCache(limit=10)
    body = Typesetter(LIB).styles(12.0).body
    keys = {cache.style_key(ParagraphStyle("note", parent=body)) for _ in range(50)}
    assert len(keys) == 1 and len(cache._styles) <= 10
