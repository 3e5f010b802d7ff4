"""The health-literacy check of the Spanish translations: Fernández-Huerta, syllables, CLI."""

from __future__ import annotations

import dataclasses
import json

import pytest
from conftest import make_hard, run

from handouts.check import run_check
from handouts.check.literacy import (
    DEFAULTS,
    Thresholds,
    check_muscle,
    library_names,
    load_jargon,
    reading_ease_es,
)
from handouts.check.readability import fernandez_huerta, split_sentences, syllables
from handouts.i18n import translate_muscle
from handouts.languages import LANGUAGES
from handouts.library import load_library
from handouts.resources import builtin_data_dir
from handouts.yamlfile import load_yaml

DATA = builtin_data_dir()
LIB = load_library().library
MIN_EASE, AIM_EASE = LANGUAGES["es"].reading_limit, LANGUAGES["es"].reading_aim
JARGON_ES = load_jargon(DATA / "jargon.es.yaml")

EASY = "El gato está en la cama. Hace sol. Yo como pan con mi hijo."
# 15 words: hard only because of its long words.
HARD = (
    "La considerable incomodidad frecuentemente se origina en actividades ocupacionales "
    "repetitivas e inhabituales que implican inmovilidad prolongada."
)


def spanish(mid: str = "piriformis"):
    muscle, notes = translate_muscle(
        LIB.muscles[mid], load_yaml(DATA / "muscles" / f"{mid}.es.yaml")
    )
    assert notes == []
    return muscle


PIR = spanish()
NAMES = library_names([PIR], "es") + library_names(LIB.muscles.values())


def check(m, **kw):
    return check_muscle(m, names=NAMES, jargon=JARGON_ES, lang="es", **kw)


def kinds(report, kind):
    return [f for f in report.findings if f.kind == kind]


# --- the formula and syllables ------------------------------------------------------


def test_fernandez_huerta_with_the_correction():
    # 100 words, 5 sentences, 180 syllables: 206.84 - 0.60 x 180 - 1.02 x 20.
    assert fernandez_huerta(100, 5, 180) == pytest.approx(78.44)
    # The often-printed form (1.02 x sentences per 100 words) would give 93.74,
    # and would make shorter sentences harder; the corrected one makes them easier.
    assert fernandez_huerta(100, 10, 180) > fernandez_huerta(100, 5, 180)
    assert fernandez_huerta(0, 0, 0) == 100


def test_formula_on_a_known_sentence():
    # es-ta ho-ja da so-lo in-for-ma-ción ge-ne-ral: 6 words, 14 syllables.
    text = "Esta hoja da solo información general."
    assert sum(syllables(w, "es") for w in text[:-1].split()) == 14
    assert reading_ease_es(text) == pytest.approx(206.84 - 60 * 14 / 6 - 1.02 * 6)


def test_easy_and_hard_spanish_are_either_side_of_the_limits():
    assert reading_ease_es(EASY) > 95
    assert reading_ease_es(HARD) < 20
    assert reading_ease_es(HARD) < MIN_EASE < AIM_EASE


def test_spanish_syllables_follow_diphthong_and_hiatus_rules():
    expected = {
        "día": 2,  # hiatus: accented weak vowel
        "leer": 2,  # hiatus: two strong vowels
        "aéreo": 4,
        "reúne": 3,
        "oído": 3,
        "ciudad": 2,  # diphthong: two weak vowels
        "cuello": 2,
        "agua": 2,
        "hormigueo": 4,  # silent u in gue
        "que": 1,
        "guitarra": 3,
        "pingüino": 3,  # ü is heard, and forms a diphthong
        "muy": 1,  # final y is a consonant...
        "y": 1,
        "rugby": 2,  # ...unless after a consonant
        "adormecimiento": 6,
        "esternocleidomastoideo": 9,
        "Músculo": 3,
        "30": 2,
    }
    assert {w: syllables(w, "es") for w in expected} == expected


def test_pyphen_alone_would_undercount():
    from handouts.check.readability import _hyphenator

    # pyphen's Spanish dictionary never splits two vowels.
    assert len(_hyphenator("es").positions("día")) + 1 == 1
    assert syllables("día", "es") == 2


def test_spanish_sentences_and_words():
    assert split_sentences("¿Le duele? ¡Pare! Él camina. Ñandú.") == [
        "¿Le duele?",
        "¡Pare!",
        "Él camina.",
        "Ñandú.",
    ]
    assert len(split_sentences("Use calor, p. ej. una compresa tibia. Luego descanse.")) == 2


# --- the checks --------------------------------------------------------------------------


def test_builtin_piriformis_passes():
    report = check(PIR)
    assert report.lang == "es" and report.status == "ok", report.findings
    assert report.level >= AIM_EASE
    assert report.to_json()["reading_ease"] == round(report.level, 1)


def test_long_sentence_is_found():
    long = "Luego " + " ".join(["palabra"] * 20) + "."
    (finding,) = kinds(check(dataclasses.replace(PIR, summary="Corta. " + long)), "sentence")
    assert finding.path == ("summary",) and "21 words (limit 20)" in finding.message
    item = " ".join(["casa"] * 21)
    (finding,) = kinds(check(dataclasses.replace(PIR, causes=["Bien.", item])), "sentence")
    assert finding.path == ("causes", 1)


def all_hard():
    lists = ("actions", "symptoms", "causes", "prevention", "similar_conditions")
    return dataclasses.replace(
        PIR,
        summary=HARD,
        location=HARD,
        relief=HARD,
        **{k: [HARD] * len(getattr(PIR, k)) for k in lists},
    )


def test_ease_below_the_limit_fails_and_shows_the_hardest_sentences():
    report = check(all_hard())
    assert report.level < MIN_EASE and report.status == "fail"
    grade = kinds(report, "grade")
    assert grade[0].severity == "error"
    assert "reading ease" in grade[0].message and "(Fernández-Huerta)" in grade[0].message
    assert "below the limit of 65" in grade[0].message
    notes = [f for f in grade if f.severity == "note"]
    assert len(notes) == DEFAULTS.worst_sentences
    assert all("considerable incomodidad" in n.message for n in notes)


def test_ease_between_limit_and_aim_is_a_warning():
    report = check(PIR, limits=Thresholds(reading={"es": (MIN_EASE, 99)}))
    assert [f.severity for f in kinds(report, "grade")] == ["warning"]
    assert "below the aim of 99" in kinds(report, "grade")[0].message


def test_a_hard_section_in_an_easy_handout_is_a_warning():
    report = check(dataclasses.replace(PIR, relief=HARD))
    assert report.level >= MIN_EASE
    (warning,) = [f for f in kinds(report, "grade") if f.path]
    assert warning.severity == "warning" and warning.path == ("relief",)
    assert "reading ease" in warning.message and "below the limit of 65" in warning.message


def test_translation_is_not_held_to_the_review_date_or_required_parts():
    # They are the English file's; the English check reports them once.
    report = check(dataclasses.replace(PIR, self_care=dataclasses.replace(PIR.self_care, steps=[]),
                                       reviewed=None))
    assert not kinds(report, "missing") and not kinds(report, "review")


def jargon_in(*texts: str) -> list[str]:
    report = check(dataclasses.replace(PIR, causes=list(texts)))
    return [f.message.split("'")[1] for f in kinds(report, "jargon")]


def test_spanish_jargon():
    assert jargon_in("Dolor en la parte lateral de la cadera.") == ["lateral"]
    assert jargon_in("Radiculopatía y parestesias.") == ["Radiculopatía", "parestesias"]
    assert jargon_in("Dolor crónico.", "Puntos gatillo.") == ["crónico", "Puntos gatillo"]
    report = check(dataclasses.replace(PIR, causes=["Dolor posterior."]))
    assert "'posterior' is medical jargon: say 'de atrás'" in kinds(report, "jargon")[0].message


@pytest.mark.parametrize(
    "text",
    [
        "Dolor en el lado lateral (de afuera).",
        "Una bolsita de líquido irritada en la cadera (bursitis).",
        "Tendinitis (un tendón adolorido e hinchado).",
        "Cuatro músculos sostienen el hombro. Juntos se llaman el manguito rotador.",
        "Un desgarro anterior en la ingle.",  # "anterior" is also "earlier"
        "El vasto lateral y el tibial anterior.",  # muscle names
        "Use un apoyo lumbar.",
    ],
)
def test_explained_or_plain_spanish_is_accepted(text):
    names = NAMES + library_names([spanish("vastus-lateralis"), spanish("tibialis-anterior")], "es")
    report = check_muscle(
        dataclasses.replace(PIR, causes=[text]), names=names, jargon=JARGON_ES, lang="es"
    )
    assert not kinds(report, "jargon"), report.findings


# --- the built-in library ------------------------------------------------------------------


def test_every_builtin_spanish_file_passes():
    result = run_check(None, [])
    (es,) = result.translations
    assert es.lang == "es" and es.unchecked == {}
    assert {r.id for r in es.reports} == set(LIB.muscles)
    assert [m for m in es.messages if m.severity == "error"] == []
    for r in es.reports:
        assert r.level >= MIN_EASE, r.id
        assert r.longest_sentence <= DEFAULTS.max_sentence_words, r.id
        assert r.jargon_count == 0, r.id
        assert r.status != "fail", r.id
    assert es.shared is not None and es.shared.status != "fail"
    assert es.median >= AIM_EASE
    assert result.problems == []


# --- the command line ----------------------------------------------------------------------


def test_cli_check_fails_on_a_hard_spanish_file(data):
    make_hard(data / "muscles" / "piriformis.es.yaml", HARD)
    result = run("check", "--data", str(data))
    assert result.exit_code == 1, result.output
    out = result.output
    assert "Traceback" not in out
    assert "piriformis.es.yaml: reading ease" in out and "below the limit of 65" in out
    notes = [line for line in out.splitlines() if line.startswith("note:")]
    assert len(notes) == 3 and all("piriformis.es.yaml" in n for n in notes)
    errors = [line for line in out.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, out
    # English is fine; the Spanish line has the problem.
    assert "checked 30 muscles and 3 templates: no problems;" in out
    assert "checked 30 Spanish (es) translations and the shared text: 1 problem;" in out


def test_cli_json_and_report_show_spanish(data):
    make_hard(data / "muscles" / "piriformis.es.yaml", HARD)
    result = run("check", "--data", str(data), "--json")
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert {m["id"] for m in out["muscles"]} == set(LIB.muscles)  # English only
    es = out["translations"]["es"]
    assert es["scale"] == "Fernández-Huerta reading ease" and es["higher_is_easier"] is True
    muscles = {m["id"]: m for m in es["muscles"]}
    assert set(muscles) == set(LIB.muscles)
    assert muscles["piriformis"]["status"] == "fail" and muscles["piriformis"]["reading_ease"] < 65
    assert muscles["soleus"]["status"] in ("ok", "warn")
    assert es["shared"]["status"] == "ok" and es["lowest_reading_ease"] < 65
    assert out["thresholds"]["reading"]["es"]["limit"] == 65
    errors = [p for p in out["problems"] if p["severity"] == "error"]
    assert [p["file"][-len("piriformis.es.yaml") :] for p in errors] == ["piriformis.es.yaml"]

    table = run("check", "--data", str(data), "--report").stdout.splitlines()
    start = table.index(next(line for line in table if line.startswith("translation")))
    assert table[start].split() == ["translation", "ease", "longest", "jargon", "status"]
    rows = {line.split()[0]: line.split() for line in table[start + 1 :]}
    assert rows["piriformis.es"][-1] == "fail" and rows["soleus.es"][-1] in ("ok", "warn")
    assert "(shared.es)" in rows
    assert table[-1].startswith("Spanish median reading ease ")


def test_cli_missing_and_out_of_date_translations_are_warnings(data):
    (data / "muscles" / "soleus.es.yaml").unlink()
    f = data / "muscles" / "piriformis.es.yaml"
    f.write_text(
        f.read_text(encoding="utf-8").replace("translates: 2026-11-27", "translates: 2025-01-01")
    )
    result = run("check", "--data", str(data), "--report")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "warning: " in out and "soleus.es.yaml: no Spanish translation of soleus" in out
    assert "piriformis.es.yaml:2: translates: translates the English text of 2025-01-01" in out
    assert "checked 29 of 30 Spanish (es) translations" in out
    row = next(line for line in result.stdout.splitlines() if line.startswith("soleus.es "))
    assert row.split()[-1] == "missing"


def test_cli_broken_translation_is_an_error(data):
    f = data / "muscles" / "soleus.es.yaml"
    text = f.read_text(encoding="utf-8")
    f.write_text(text.replace("symptoms:\n", "symptoms:\n  - Uno de más.\n", 1), encoding="utf-8")
    result = run("check", "--data", str(data))
    assert result.exit_code == 1
    assert "soleus.es.yaml" in result.output and "like the English file" in result.output


def test_cli_orphan_translation_is_a_warning(data):
    src = data / "muscles" / "soleus.es.yaml"
    (data / "muscles" / "nothing.es.yaml").write_text(src.read_text(encoding="utf-8"))
    result = run("check", "--data", str(data))
    assert result.exit_code == 0, result.output
    assert "nothing.es.yaml: no English file nothing.yaml" in result.output


def test_cli_shared_text_is_checked(data):
    shared = data / "shared.es.yaml"
    text = shared.read_text(encoding="utf-8")
    first = "    steps:\n      - "
    shared.write_text(text.replace(first, first + "Tiene dolor crónico. ", 1))
    result = run("check", "--data", str(data))
    assert result.exit_code == 1
    assert "shared.es.yaml" in result.output
    assert "first_aid.limb.steps[0]: 'crónico'" in result.output


def test_cli_lang_option_and_libraries_without_translations(data):
    english = run("check", "--lang", "en")
    assert english.exit_code == 0 and "Spanish" not in english.output
    only = run("check", "--lang", "es")
    assert only.exit_code == 0 and "reading grade median" not in only.output
    assert "Spanish (es) translations" in only.output
    for f in [*(data / "muscles").glob("*.es.yaml"), data / "shared.es.yaml"]:
        f.unlink()
    plain = run("check", "--data", str(data))
    assert plain.exit_code == 0 and "Spanish" not in plain.output
    asked = run("check", "--data", str(data), "--lang", "en,es")
    assert asked.exit_code == 0 and "no Spanish translation of soleus" in asked.output


def test_translations_checked_in_a_second_process_give_the_same_result(data, monkeypatch):
    import os
    import threading

    import handouts.check as check

    make_hard(data / "muscles" / "piriformis.es.yaml", HARD)
    (data / "muscles" / "soleus.es.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    # The test runner's own threads would keep the check in one process.
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert check._later(os.getpid, True)() != os.getpid()
    apart = run_check(data, [], parallel=True)
    here = run_check(data, [], parallel=False)
    assert apart.to_json() == here.to_json() and apart.summary == here.summary
    (es,) = apart.translations
    assert es.unchecked == {"soleus": "fail"}
    assert any("piriformis.es.yaml" in (m.file or "") and m.severity == "error"
               for m in es.messages)
