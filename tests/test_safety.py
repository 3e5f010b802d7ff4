"""Safety: the right warning signs, under the right heading, on every handout.

Every assertion reads the built PDFs: what a patient holds in their hand.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from conftest import page_texts, run

from handouts.i18n import localize
from handouts.library import load_library
from handouts.models import URGENCIES, Muscle, SharedSign, WarningSign
from handouts.regions import ALL_REGIONS, BODY_REGIONS
from handouts.resources import builtin_data_dir
from handouts.templating import URGENCY_HEADINGS

LIB = load_library().library
LANGS = {"en": LIB, "es": localize(LIB, "es", builtin_data_dir()).library}
# The Spanish words of the fixed headings, from the catalogue.
ES_CATALOGUE = __import__("yaml").safe_load(
    (Path(__file__).resolve().parents[1] / "templates" / "i18n" / "es.yaml").read_text("utf-8"))
TEMPLATES = {"full": "{mid}.pdf", "summary": "{mid}-summary.pdf",
             "large-print": "{mid}-large-print.pdf"}
CASES = [(mid, t, lang) for mid in sorted(LIB.muscles) for t in TEMPLATES for lang in LANGS]


def heading(level: str, lang: str, number: str = "112") -> str:
    text = URGENCY_HEADINGS[level]
    if lang != "en":
        text = ES_CATALOGUE[text]
    return text.format(number=number)


def pdf_of(root: Path, mid: str, template: str, lang: str) -> Path:
    folder = root if lang == "en" else root / lang
    return folder / TEMPLATES[template].format(mid=mid)


def foreign_signs(lib, muscle: Muscle) -> list[str]:
    """Shared signs that do not apply to the muscle's body region (unless it has the
    same sign of its own: the iliopsoas, a trunk muscle, has the hip's groin sign)."""
    own = {s.text for s in muscle.warning_signs}
    return [s.text for s in lib.shared.warning_signs if s.text not in own
            and muscle.body_region not in s.regions and ALL_REGIONS not in s.regions]


@pytest.mark.slow
@pytest.mark.parametrize(("mid", "template", "lang"), CASES)
def test_warning_signs_fit_the_body_region_and_urgency(library_pdfs, mid, template, lang):
    lib = LANGS[lang]
    muscle = lib.muscles[mid]
    signs = lib.shared.signs_for(muscle)
    pages = page_texts(pdf_of(library_pdfs, mid, template, lang))
    text = " ".join(pages)
    # No sign of another body region: a jaw handout has no bladder signs.
    assert not [s for s in foreign_signs(lib, muscle) if s in text]
    # Every emergency sign is on the first page, under the emergency heading,
    # before any lower level's heading.
    first = pages[0]
    top = first.index(heading("emergency", lang))
    for sign in signs.emergency:
        assert sign in first, sign
        assert top < first.index(sign)
    lower = [text.find(heading(level, lang)) for level in ("same_day", "soon")]
    lower = [i for i in lower if i >= 0]
    end_of_emergency = max(text.index(s) for s in signs.emergency)
    assert not lower or end_of_emergency < min(lower)
    # Every same-day sign prints, under its own heading.
    for sign in signs.same_day:
        assert sign in text, sign
        assert text.index(heading("same_day", lang)) < text.index(sign)
    # The clinic's emergency number, never the US one.
    assert "911" not in text and "112" in text
    # The cautions come before the self-care steps.
    cautions = lib.shared.cautions
    first_step = text.index(muscle.self_care.steps[0])
    assert text.find(cautions.ask_first.lead) != -1
    assert text.index(cautions.ask_first.lead) < first_step
    for caution in muscle.self_care.cautions:
        assert caution in text and text.index(caution) < first_step


@pytest.mark.slow
@pytest.mark.parametrize("mid", sorted(LIB.muscles))
def test_full_handout_prints_every_sign_and_the_first_aid_of_its_body_part(library_pdfs, mid):
    for lang, lib in LANGS.items():
        muscle = lib.muscles[mid]
        text = " ".join(page_texts(pdf_of(library_pdfs, mid, "full", lang)))
        signs = lib.shared.signs_for(muscle)
        for level in URGENCIES:
            for sign in getattr(signs, level):
                assert sign in text, (lang, level, sign)
        first_aid = lib.shared.first_aid_for(muscle)
        assert all(step in text for step in first_aid.steps)
        kind = muscle.first_aid or BODY_REGIONS[muscle.body_region].first_aid
        others = [getattr(lib.shared.first_aid, k) for k in ("limb", "neck", "jaw", "trunk")
                  if k != kind]
        for block in others:
            assert not [s for s in block.steps if s in text and s not in first_aid.steps]
        for grade in lib.shared.grades_for(muscle):
            assert grade.what_it_is in text


@pytest.mark.slow
def test_neck_and_jaw_handouts_never_wrap_or_raise(library_pdfs):
    for mid, muscle in LIB.muscles.items():
        if muscle.body_region not in ("head-neck", "trunk"):
            continue
        for template in ("full", "large-print"):
            text = " ".join(page_texts(pdf_of(library_pdfs, mid, template, "en")))
            assert "elastic bandage" not in text and "Raise the sore" not in text, mid
            assert "stand on" not in text, mid
            assert not re.search(r"bladder|bowels|groin", text) or muscle.body_region == "trunk"


def test_leg_grades_speak_of_the_leg_and_others_of_the_muscle(library_pdfs):
    leg = " ".join(page_texts(pdf_of(library_pdfs, "soleus", "full", "en")))
    jaw = " ".join(page_texts(pdf_of(library_pdfs, "masseter", "full", "en")))
    assert "stand on it" in leg and "stand on" not in jaw
    assert "use the muscle at all" in jaw


def test_signs_of_a_muscle_are_its_regions_and_its_own():
    shared = LIB.shared
    jaw = LIB.muscles["masseter"]
    signs = shared.signs_for(jaw)
    flat = signs.emergency + signs.same_day + signs.soon
    assert not any("urine" in s or "groin" in s for s in flat)
    assert any("sudden, very bad headache" in s for s in signs.emergency)
    assert all(s.text in flat for s in jaw.warning_signs)
    # Hip muscles share the low-back nerve emergencies.
    hip = shared.signs_for(LIB.muscles["piriformis"])
    assert any("urine" in s for s in hip.emergency)
    # A sign given twice prints once.
    twice = dataclasses.replace(jaw, warning_signs=[
        WarningSign(signs.emergency[0], "emergency")])
    assert shared.signs_for(twice).emergency.count(signs.emergency[0]) == 1


def test_emergency_number_defaults_to_911(tmp_path):
    r = run("build", "masseter", "--template", "summary", "--out", str(tmp_path))
    assert r.exit_code == 0, r.output
    assert "Call 911 or go to the emergency room now if:" in page_texts(
        tmp_path / "masseter-summary.pdf")[0]


def test_default_brand_speaks_spanish(tmp_path):
    r = run("build", "masseter", "--lang", "es", "--template", "summary", "--out", str(tmp_path))
    assert r.exit_code == 0, r.output
    text = page_texts(tmp_path / "es" / "masseter-summary.pdf")[0]
    assert "Su clínica" in text and "Your clinic" not in text


# --- the checks of `handouts check` ------------------------------------------------


def _muscle_file(data: Path, mid: str) -> Path:
    return data / "muscles" / f"{mid}.yaml"


def _set_signs(data: Path, mid: str, block: str) -> Path:
    path = _muscle_file(data, mid)
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^warning_signs:\n(?:  .*\n|\n)*?(?=^\S)", "", text)
    path.write_text(text.rstrip("\n") + "\n\n" + block, encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text("utf-8").splitlines(), 1)
                if needle in line)


@pytest.mark.parametrize(("block", "message"), [
    ("warning_signs:\n  - text: Your jaw locks.\n",
     "warning_signs[0]: missing required field 'urgency'"),
    ("warning_signs:\n  - text: Your jaw locks.\n    urgency: urgent\n",
     "warning_signs[0].urgency: expected one of emergency, same_day, soon, got 'urgent'"),
    ("warning_signs:\n  - text: Your jaw locks. Call 911.\n    urgency: emergency\n",
     "warning_signs[0].text: names the emergency number 911"),
    ("warning_signs:\n  - text: Your jaw locks. Get help right away.\n    urgency: soon\n",
     "warning_signs[0].text: says 'right away', which belongs to emergency signs, but its "
     "urgency is soon"),
    ("warning_signs:\n  - text: Your jaw locks. See a doctor today.\n    urgency: soon\n",
     "warning_signs[0].text: says 'today', which belongs to same_day signs"),
    ("warning_signs:\n  - text: You have a sudden, very bad headache, the worst you have ever had."
     "\n    urgency: emergency\n",
     "warning_signs[0].text: repeats the shared sign"),
])
def test_check_finds_unsafe_warning_signs(data, block, message):
    path = _set_signs(data, "masseter", block)
    r = run("check", "--data", str(data), "--lang", "en")
    assert r.exit_code == 1
    # The line of the value that is wrong: the sign, or its urgency.
    line = _line_of(path, "urgency: urgent" if "got 'urgent'" in message else "- text:")
    assert f"muscles/masseter.yaml:{line}: {message}" in r.output, r.output


def test_check_finds_a_shared_sign_with_an_unknown_region(data):
    path = data / "shared.yaml"
    text = path.read_text("utf-8").replace("regions: [hip]\n", "regions: [hips]\n", 1)
    path.write_text(text, "utf-8")
    r = run("check", "--data", str(data), "--lang", "en")
    assert r.exit_code == 1
    assert "warning_signs[" in r.output and "got 'hips' (did you mean 'hip'?)" in r.output


def test_check_finds_too_many_signs_at_one_level(data):
    many = "".join(f"  - text: Sign number {n} of the leg.\n    urgency: soon\n" for n in range(3))
    _set_signs(data, "soleus", "warning_signs:\n" + many)
    r = run("check", "--data", str(data), "--lang", "en")
    assert r.exit_code == 1
    assert "warning_signs: the handout would list 10 soon signs" in r.output, r.output


def test_check_finds_a_knot_marker_on_the_throat(data):
    path = _muscle_file(data, "sternocleidomastoid")
    text = path.read_text("utf-8")
    text = re.sub(r"(trigger_points: \[)", r"\1front-of-neck, ", text, count=1)
    path.write_text(text, "utf-8")
    r = run("check", "--data", str(data), "--lang", "en")
    assert r.exit_code == 1
    assert "pain.trigger_points[0]: 'front-of-neck' is a place no one should press" in r.output


def test_check_finds_british_spelling(data):
    path = _muscle_file(data, "piriformis")
    text = path.read_text("utf-8").replace("relief: >-\n", "relief: >-\n  Wear loose trousers.\n")
    path.write_text(text, "utf-8")
    r = run("check", "--data", str(data), "--lang", "en")
    assert r.exit_code == 1
    assert "relief: 'trousers' is British spelling; US readers expect 'pants'" in r.output


def test_builtin_library_passes_the_safety_checks():
    from handouts.check import run_check

    result = run_check(None, [])
    assert not result.problems, [p.message for p in result.problems]


def test_shared_signs_name_known_regions_and_one_urgency_each():
    for sign in LIB.shared.warning_signs:
        assert isinstance(sign, SharedSign) and sign.urgency in URGENCIES
        assert set(sign.regions) <= {ALL_REGIONS, *BODY_REGIONS}
