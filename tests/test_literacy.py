"""The health-literacy check: reading grade, lists, sentences, jargon, missing parts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import make_hard, run

from handouts.check import run_check
from handouts.check.literacy import (
    DEFAULTS,
    Jargon,
    Thresholds,
    check_muscle,
    library_names,
    load_jargon,
    reading_grade,
)
from handouts.check.readability import split_sentences, syllables
from handouts.errors import display_path
from handouts.languages import LANGUAGES
from handouts.library import load_library
from handouts.resources import builtin_data_dir

LIB = load_library().library
MAX_GRADE, AIM_GRADE = LANGUAGES["en"].reading_limit, LANGUAGES["en"].reading_aim
JARGON = load_jargon(builtin_data_dir() / "jargon.yaml")
NAMES = library_names(LIB.muscles.values())
REVIEWED = LIB.muscles["piriformis"].reviewed

EASY = "The cat sat on the mat. It was warm. We had a nap in the sun."
HARD = (
    "Considerable discomfort frequently originates from unaccustomed, repetitive "
    "occupational activities involving prolonged immobility."
)


def muscle(**changes):
    """Piriformis with some fields changed."""
    return dataclasses.replace(LIB.muscles["piriformis"], **changes)


def check(m, **kw):
    kw.setdefault("today", REVIEWED)
    return check_muscle(m, names=NAMES, jargon=JARGON, **kw)


def kinds(report, kind):
    return [f for f in report.findings if f.kind == kind]


# --- reading grade ---------------------------------------------------------------


def test_easy_and_hard_text_are_either_side_of_the_limits():
    assert reading_grade(EASY) < 2
    assert reading_grade(HARD) > 16


def test_syllable_counts_of_common_words():
    # pyphen alone says "about" and "body" have one syllable; the vowel guess
    # alone says "fluid" has one.
    expected = {"the": 1, "about": 2, "body": 2, "fluid": 2, "muscle": 2, "ankle": 2}
    expected |= {"makes": 1, "turned": 1, "started": 2, "activities": 4, "30": 2}
    assert {w: syllables(w) for w in expected} == expected


def test_sentences_split_on_full_stops_but_not_abbreviations():
    assert split_sentences("Rest it. Then walk. Does it hurt? Ask.") == [
        "Rest it.",
        "Then walk.",
        "Does it hurt?",
        "Ask.",
    ]
    assert len(split_sentences("Use heat, e.g. a warm pack. Then rest.")) == 2
    assert split_sentences("Basketball and volleyball") == ["Basketball and volleyball"]


def test_muscle_names_are_replaced_before_scoring():
    text = "Press the tensor fasciae latae gently."
    plain = reading_grade(text)
    masked = reading_grade(text, ["Tensor fasciae latae"])
    assert masked < plain - 3
    assert masked == pytest.approx(reading_grade("Press the Name gently."))


def all_hard():
    """Piriformis with every top-level paragraph and list made hard."""
    m = LIB.muscles["piriformis"]
    lists = ("actions", "symptoms", "causes", "prevention", "similar_conditions")
    return muscle(
        summary=HARD,
        location=HARD,
        relief=HARD,
        **{k: [HARD] * len(getattr(m, k)) for k in lists},
    )


def test_grade_above_the_limit_fails_and_shows_the_hardest_sentences():
    report = check(all_hard())
    assert report.grade > MAX_GRADE
    assert report.status == "fail"
    grade = kinds(report, "grade")
    assert grade[0].severity == "error" and "above the limit of 8" in grade[0].message
    notes = [f for f in grade if f.severity == "note"]
    assert len(notes) == DEFAULTS.worst_sentences
    assert all("Considerable discomfort" in n.message for n in notes)
    assert report.sections["relief"].grade > 16


def test_grade_between_aim_and_limit_is_a_warning():
    limits = Thresholds(reading={"en": (MAX_GRADE, 1.0)})
    report = check(LIB.muscles["piriformis"], limits=limits)
    assert [f.severity for f in kinds(report, "grade")] == ["warning"]
    assert report.status == "warn"


def test_a_hard_section_in_an_easy_handout_is_a_warning():
    report = check(muscle(relief=HARD))
    assert report.grade <= MAX_GRADE
    (warning,) = kinds(report, "grade")
    assert warning.severity == "warning" and warning.path == ("relief",)


# --- lists and sentences ---------------------------------------------------------


def test_list_of_more_than_seven_items():
    items = [f"Pain in spot {i}." for i in range(8)]
    report = check(muscle(symptoms=items))
    (finding,) = kinds(report, "list")
    assert finding.path == ("symptoms",)
    assert "list of 8 items (limit 7)" in finding.message
    assert not kinds(check(muscle(symptoms=items[:7])), "list")


def test_sentence_of_more_than_twenty_words():
    long = "Then " + " ".join(["word"] * 20) + "."
    report = check(muscle(summary="Short one. " + long))
    (finding,) = kinds(report, "sentence")
    assert finding.path == ("summary",) and "21 words (limit 20)" in finding.message
    just_fits = " ".join(["word"] * 20) + "."
    assert not kinds(check(muscle(summary=just_fits)), "sentence")


def test_list_items_are_checked_one_by_one():
    long = " ".join(["word"] * 25)
    report = check(muscle(causes=["Fine.", long]))
    (finding,) = kinds(report, "sentence")
    assert finding.path == ("causes", 1)


def test_warning_signs_are_checked_like_any_text():
    from handouts.models import WarningSign

    long = " ".join(["word"] * 25)
    report = check(muscle(warning_signs=[WarningSign("Fine.", "soon"), WarningSign(long, "soon")]))
    (finding,) = kinds(report, "sentence")
    assert finding.path == ("warning_signs", 1, "text")


# --- jargon ----------------------------------------------------------------------


def jargon_in(*texts: str) -> list[str]:
    report = check(muscle(causes=list(texts)))
    return [f.message.split("'")[1] for f in kinds(report, "jargon")]


def test_jargon_is_found_with_the_plain_word():
    report = check(muscle(causes=["Pain on the lateral side of the hip."]))
    (finding,) = kinds(report, "jargon")
    assert finding.path == ("causes", 0)
    assert "'lateral' is medical jargon: say 'outer side'" in finding.message
    assert jargon_in("Chronic pain.", "Referred pain from trigger points.") == [
        "Chronic",
        "Referred pain",
        "trigger points",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Pain on the lateral (outer) side.",
        "Pain from lateral epicondylitis (tennis elbow).",
        "Inflamed fluid sac on the outer hip (trochanteric bursitis)",
        "Wry neck (torticollis, a sudden stiff neck with the head tilted to one side)",
        "Four muscles hold the joint. Together they are called the rotator cuff.",
        "Use a lumbar support when you sit.",
    ],
)
def test_explained_jargon_is_accepted(text):
    assert jargon_in(text) == []


def test_a_long_bracket_does_not_explain_a_term_at_its_end():
    text = "Hip pain (a tight buttock muscle pressing on a nerve, often chronic)"
    assert jargon_in(text) == ["chronic"]


def test_only_the_first_use_in_the_handout_needs_the_explanation():
    assert jargon_in("Acute (new) pain.", "Acute pain again.") == []
    assert jargon_in("Acute pain.", "Acute (new) pain.") == ["Acute"]


def test_word_boundaries_and_muscle_names():
    # "lateralis" is not "lateral", and a muscle name is not jargon.
    assert jargon_in("Press on the lateralis part.") == []
    assert jargon_in("Check the tibialis anterior and the vastus lateralis too.") == []
    assert jargon_in("Pain in the anterior hip.") == ["anterior"]
    assert jargon_in("A trigger-point knot.") == ["trigger-point"]
    assert jargon_in("Sit on a lumbar pillow.") == ["lumbar"]


def test_the_muscles_own_names_are_ignored():
    m = muscle(name="Lateral thing", other_names=["anterior bit"])
    report = check_muscle(
        dataclasses.replace(m, causes=["The lateral thing and the anterior bit hurt."]),
        jargon=JARGON,
        today=REVIEWED,
    )
    assert not kinds(report, "jargon")


def test_jargon_file_is_validated(tmp_path):
    bad = tmp_path / "jargon.yaml"
    bad.write_text("terms:\n  lateral: outer side\n  medial:\nallowed: []\n", encoding="utf-8")
    with pytest.raises(Exception) as exc:
        load_jargon(bad)
    assert "jargon.yaml:3: terms.medial: expected the plain words as text" in str(exc.value)
    ok = Jargon({"Lateral": "outer side"})
    assert [t for t, _ in ok.find("LATERAL pain", set())] == ["lateral"]


# --- missing parts and review date -------------------------------------------------


def test_missing_parts_are_errors():
    m = LIB.muscles["piriformis"]
    report = check(muscle(self_care=dataclasses.replace(m.self_care, steps=[])))
    paths = {f.path for f in kinds(report, "missing")}
    assert paths == {("self_care", "steps")}
    assert report.status == "fail"
    report = check(muscle(reviewed=None))
    assert [f.message for f in kinds(report, "missing")] == ["no review date"]


def test_old_review_date_is_a_warning_not_an_error():
    m = LIB.muscles["piriformis"]
    report = check(m, today=m.reviewed + dt.timedelta(days=731))
    (finding,) = kinds(report, "review")
    assert finding.severity == "warning" and "2 years ago" in finding.message
    assert report.status == "warn"
    assert not kinds(check(m, today=m.reviewed + dt.timedelta(days=730)), "review")


# --- the built-in library ------------------------------------------------------------


def test_every_builtin_muscle_passes():
    result = run_check(None, [])
    assert [p for p in result.problems if p.severity == "error"] == []
    assert len(result.reports) == len(LIB.muscles)
    for r in result.reports:
        assert r.grade <= MAX_GRADE, r.id
        assert r.longest_sentence <= DEFAULTS.max_sentence_words, r.id
        assert r.jargon_count == 0, r.id
        assert r.status != "fail", r.id
    assert result.median_grade <= AIM_GRADE
    assert result.shared is not None and result.shared.status != "fail"


# --- the command line ------------------------------------------------------------


def line_of(path: Path, needle: str) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith(needle):
            return n
    raise AssertionError(needle)


def test_cli_check_fails_on_a_hard_muscle(data):
    pir = data / "muscles" / "piriformis.yaml"
    make_hard(pir, HARD)
    result = run("check", "--data", str(data))
    assert result.exit_code == 1, result.output
    out = result.output
    assert "Traceback" not in out
    assert "piriformis.yaml: reading grade" in out and "above the limit of 8" in out
    notes = [line for line in out.splitlines() if line.startswith("note:")]
    assert len(notes) == 3 and all("Considerable discomfort" in n for n in notes)
    assert f"piriformis.yaml:{line_of(pir, 'summary:')}: summary: grade" in out
    errors = [line for line in out.splitlines() if line.startswith("error:") and ".yaml" in line]
    assert len(errors) == 1, out


def test_cli_check_reports_jargon_with_file_line_and_field(data):
    pir = data / "muscles" / "piriformis.yaml"
    text = pir.read_text(encoding="utf-8")
    pir.write_text(text.replace("causes:\n  - ", "causes:\n  - Chronic posture. ", 1))
    line = line_of(pir, "  - Chronic posture.")
    result = run("check", "--data", str(data))
    assert result.exit_code == 1
    expected = f"error: {display_path(pir)}:{line}: causes[0]: 'Chronic' is medical jargon"
    assert expected + ": say 'long-lasting'" in result.output


def test_cli_warnings_do_not_fail(data):
    pir = data / "muscles" / "piriformis.yaml"
    text = pir.read_text(encoding="utf-8")
    pir.write_text(text.replace(f"reviewed: {REVIEWED.isoformat()}", "reviewed: 2020-01-02"))
    result = run("check", "--data", str(data))
    assert result.exit_code == 0, result.output
    assert "warning:" in result.output and "reviewed: last reviewed 2020-01-02" in result.output
    assert "no problems, 1 warning" in result.output and "1 warnings" not in result.output


def test_cli_report_table():
    result = run("check", "--report")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["muscle", "grade", "longest", "jargon", "status"]
    rows = {line.split()[0]: line.split() for line in lines[1:] if line.split()}
    for mid in LIB.muscles:
        grade, longest, jargon, status = rows[mid][1:]
        assert float(grade) <= 8 and int(longest) <= 20 and jargon == "0"
        assert status in ("ok", "warn")
    assert "(shared)" in rows
    median = lines[len(LIB.muscles) + 2]
    assert median.startswith("library median grade ") and "(aim 6, limit 8)" in median


def test_cli_json(data):
    make_hard(data / "muscles" / "piriformis.yaml", HARD)
    result = run("check", "--data", str(data), "--json")
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out["ok"] is False
    assert out["thresholds"]["reading"]["en"] == {"limit": 8, "aim": 6}
    muscles = {m["id"]: m for m in out["muscles"]}
    assert set(muscles) == set(LIB.muscles)
    pir = muscles["piriformis"]
    assert pir["status"] == "fail" and pir["grade"] > 8
    assert pir["sections"]["summary"] > 8
    found = {(f["severity"], f["kind"]) for f in pir["findings"]}
    assert {("error", "grade"), ("note", "grade")} <= found
    assert muscles["soleus"]["status"] in ("ok", "warn")
    errors = [p for p in out["problems"] if p["severity"] == "error" and ".yaml" in p["file"]]
    assert len(errors) == 1 and errors[0]["file"].endswith("piriformis.yaml")
    assert out["median_grade"] <= 8


def test_cli_json_and_report_together_is_a_usage_error():
    assert run("check", "--json", "--report").exit_code == 2


def test_check_imports_neither_reportlab_nor_pyphen_early():
    code = (
        "import sys\n"
        "import handouts.check.literacy, handouts.check\n"
        "assert 'pyphen' not in sys.modules\n"
        "from click.testing import CliRunner\n"
        "from handouts.cli import cli\n"
        "r = CliRunner().invoke(cli, ['check'])\n"
        "assert r.exit_code == 0, r.output\n"
        "assert not [m for m in sys.modules if m.startswith('reportlab')]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_cli_checks_shared_text_too(data):
    shared = data / "shared.yaml"
    text = shared.read_text(encoding="utf-8")
    shared.write_text(
        text.replace("    steps:\n      - ", "    steps:\n      - After an acute strain. ", 1)
    )
    line = line_of(shared, "      - After an acute strain.")
    result = run("check", "--data", str(data))
    assert result.exit_code == 1
    expected = f"shared.yaml:{line}: first_aid.limb.steps[0]: 'acute' is medical jargon"
    assert expected in result.output


def test_syllable_counts_are_kept_between_checks(tmp_path, monkeypatch):
    from handouts.check import readability

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("HANDOUTS_CACHE", raising=False)
    monkeypatch.setattr(readability, "KNOWN", readability.KnownCounts())
    first = run_check(None, [], langs=["en"], parallel=False)
    (kept,) = (tmp_path / "handouts" / "syllables").glob("en-*.json")
    counts = json.loads(kept.read_text(encoding="utf-8"))
    assert counts["shoulder"] == 2 and len(counts) > 500

    # The next check counts nothing again: the dictionary is never loaded.
    def no_dictionary(lang: str = "en") -> None:
        raise AssertionError("the hyphenation dictionary was loaded")

    monkeypatch.setattr(readability, "KNOWN", readability.KnownCounts())
    monkeypatch.setattr(readability, "_hyphenator", no_dictionary)
    again = run_check(None, [], langs=["en"], parallel=False)
    assert again.to_json() == first.to_json()


def test_a_broken_or_switched_off_syllable_cache_only_costs_time(tmp_path, monkeypatch):
    from handouts.check import readability

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(readability, "KNOWN", readability.KnownCounts())
    path = readability.KNOWN._file("en")
    path.write_text('{"shoulder": 9, "arm": "x"', encoding="utf-8")  # cut short
    assert readability.syllables("shoulder") == 2
    readability.KNOWN.keep()
    assert json.loads(path.read_text(encoding="utf-8")) == {"shoulder": 2}
    off = tmp_path / "off"
    monkeypatch.setenv("XDG_CACHE_HOME", str(off))
    monkeypatch.setenv("HANDOUTS_CACHE", "off")
    monkeypatch.setattr(readability, "KNOWN", readability.KnownCounts())
    assert readability.syllables("shoulder") == 2
    readability.KNOWN.keep()
    assert not off.exists()
