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
