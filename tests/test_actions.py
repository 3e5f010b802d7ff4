"""What a patient acts on: technique drawings, the tracker, the clinician's plan,
notes and questions, and what to do with the map and each strain grade."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import norm, pdf_text, run
from pypdf import PdfReader
from structure import check

from handouts.library import load_library
from handouts.resources import builtin_techniques_dir

LIB = load_library().library
SHARED = LIB.shared


def test_every_muscle_names_techniques_and_every_technique_has_a_drawing():
    ids = {t.id for t in SHARED.techniques}
    assert len(ids) == len(SHARED.techniques) >= 10
    for t in SHARED.techniques:
        assert (builtin_techniques_dir() / f"{t.id}.svg").is_file(), t.id
    for m in LIB.muscles.values():
        assert m.self_care.techniques, m.id
        assert set(m.self_care.techniques) <= ids


@pytest.mark.parametrize("lang", ["en", "es"])
def test_each_handout_draws_its_techniques_with_alt_text(library_pdfs, lang):
    from handouts.i18n import localize
    from handouts.resources import builtin_data_dir

    shared = localize(LIB, lang, builtin_data_dir(), False).library.shared
    folder = library_pdfs / lang if lang != "en" else library_pdfs
    # Every muscle's full handout prints its techniques' captions...
    for m in LIB.muscles.values():
        text = pdf_text(folder / f"{m.id}.pdf")
        assert all(norm(shared.technique(t).caption) in text for t in m.self_care.techniques)
    # ...and, read from the structure tree of some, draws them as figures with alt text.
    for m in list(LIB.muscles.values())[::5]:
        for template in ("full", "large-print"):
            name = f"{m.id}.pdf" if template == "full" else f"{m.id}-{template}.pdf"
            report = check(folder / name)
            alts = [e.alt for e in report.walk() if e.role == "Figure"]
            for tid in m.self_care.techniques:
                t = shared.technique(tid)
                assert t.alt in alts, (m.id, template, tid)
                assert norm(t.caption) in pdf_text(folder / name)


def test_the_tracker_is_a_table_of_fourteen_days_with_the_pain_words(library_pdfs):
    path = library_pdfs / "piriformis.pdf"
    report = check(path)
    assert report.problems == []
    tables = [e for e in report.walk() if e.role == "Table"]
    rows = [len([k for k in t.kids if k.role == "TR"]) for t in tables]
    assert 15 in rows  # a header row and 14 days
    tracker = tables[rows.index(15)]
    heads = [report.text_of(c) for c in tracker.kids[0].kids]
    # Kerned text reads with gaps inside words here; what matters is the words.
    assert [h.replace(" ", "") for h in heads] == ["Day", "Date", "Tickaboxeachtime",
                                                   "Pain(0to10)"]
    days = [report.text_of(r.kids[0]).replace(" ", "") for r in tracker.kids[1:]]
    assert days == [str(d) for d in range(1, 15)]
    text = pdf_text(path)
    for word in ("none", "mild", "moderate", "severe"):
        assert f" {word} " in f" {text} "
    assert "If your pain score is not going down after two weeks" in text
    es = pdf_text(library_pdfs / "es" / "piriformis.pdf")
    assert "Dolor (0 a 10)" in es and "moderado" in es


def test_when_to_call_goes_on_with_the_last_days_of_the_tracker(library_pdfs):
    from conftest import page_texts

    note = {"en": "If your pain score is not going down after two weeks",
            "es": "Si su dolor no baja después de dos semanas"}
    for lang, folder in (("en", library_pdfs), ("es", library_pdfs / "es")):
        # The full and large-print handouts (the summary has no tracker).
        for path in sorted(p for p in folder.glob("*.pdf") if not p.stem.endswith("-summary")):
            pages = [f" {norm(t)} " for t in page_texts(path)]
            where = [t for t in pages if norm(note[lang]) in t]
            assert len(where) == 1, (path.name, lang)
            # Day 14 and at least one day before it share the page with the line.
            assert " 13 " in where[0] and " 14 " in where[0], (path.name, lang, where[0][:200])


def test_map_line_and_what_to_do_for_each_grade(built):
    text = pdf_text(built / "soleus.pdf")
    assert ("Press where the ringed dot is. The shaded parts show where you may feel the "
            "pain.") in text
    for g in SHARED.strain_grades:
        assert norm(g.action) in text
    assert text.count("What to do:") == 3


def test_plan_box_is_filled_from_the_options(tmp_path):
    out = tmp_path / "out"
    r = run("build", "piriformis", "--template", "full,summary", "--out", str(out),
            "--plan", "Steps 1 to 4, twice a day", "--plan", "Walk 10 minutes after lunch",
            "--follow-up", "2026-12-15 10:30")
    assert r.exit_code == 0, r.output
    for name in ("piriformis.pdf", "piriformis-summary.pdf"):
        text = pdf_text(out / "personal" / name)
        assert "Your plan" in text
        assert "Steps 1 to 4, twice a day" in text and "Walk 10 minutes after lunch" in text
        assert "Next visit: December 15, 2026, at 10:30 AM" in text
        assert "Which steps, and how many times a day" not in text
    assert len(PdfReader(str(out / "personal" / "piriformis-summary.pdf")).pages) == 1
    # Never recorded outside the PDF.
    for f in out.rglob("*"):
        if f.is_file() and f.suffix != ".pdf":
            assert "Walk 10 minutes" not in f.read_text(errors="replace")


def test_follow_up_in_the_language_date_style(tmp_path):
    r = run("build", "piriformis", "--lang", "es", "--out", str(tmp_path),
            "--follow-up", "2026-12-15 16:05")
    assert r.exit_code == 0, r.output
    assert "Próxima visita: 15 de diciembre de 2026, a las 16:05" in pdf_text(
        tmp_path / "personal" / "es" / "piriformis.pdf")
    r = run("build", "piriformis", "--out", str(tmp_path / "d"), "--follow-up", "2027-01-04")
    assert r.exit_code == 0, r.output
    assert "Next visit: January 4, 2027" in pdf_text(
        tmp_path / "d" / "personal" / "piriformis.pdf")


@pytest.mark.parametrize("bad", ["15/12/2026", "2026-12-15 25:00", "2026-02-30", "tomorrow"])
def test_bad_follow_up_is_refused_with_the_expected_form(tmp_path, bad):
    r = run("build", "piriformis", "--out", str(tmp_path), "--follow-up", bad)
    assert r.exit_code == 2
    assert "--follow-up" in r.output and "2026-12-15 10:30" in r.output
    assert "Traceback" not in r.output
    assert not list(tmp_path.rglob("*.pdf"))


def test_without_a_plan_the_box_has_lines_to_write_on(built):
    text = pdf_text(built / "soleus.pdf")
    assert "Your plan" in text and "Which steps, and how many times a day" in text
    assert "Next visit (date and time)" in text


def test_questions_print_when_given(tmp_path, data):
    path = data / "muscles" / "soleus.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["questions"] = ["Which steps should I do first?", "When should I come back?"]
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    r = run("build", "soleus", "--data", str(data), "--out", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    text = pdf_text(tmp_path / "out" / "soleus.pdf")
    assert "Questions to ask your clinician" in text
    assert "Which steps should I do first?" in text and "Notes and questions" in text


def test_unknown_technique_is_reported_with_its_line(data):
    path = data / "muscles" / "soleus.yaml"
    text = path.read_text(encoding="utf-8")
    assert "techniques: [ball-floor]" in text
    path.write_text(text.replace("techniques: [ball-floor]", "techniques: [ball-flor]"),
                    encoding="utf-8")
    line = next(i for i, s in enumerate(path.read_text().splitlines(), 1) if "ball-flor" in s)
    r = run("check", "--data", str(data))
    assert r.exit_code == 1
    assert f"soleus.yaml:{line}" in r.output
    assert "unknown technique 'ball-flor'" in r.output and "ball-floor" in r.output


def test_a_technique_without_a_drawing_is_an_error(data):
    path = data / "shared.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("- id: ball-wall", "- id: ball-walls"), encoding="utf-8")
    r = run("check", "--data", str(data))
    assert r.exit_code == 1
    assert "shared.yaml:" in r.output and "no drawing for the technique 'ball-walls'" in r.output
    # A data folder may bring its own drawing.
    (data / "techniques").mkdir()
    (data / "techniques" / "ball-walls.svg").write_text(
        (builtin_techniques_dir() / "ball-wall.svg").read_text(encoding="utf-8"),
        encoding="utf-8")
    assert "no drawing" not in run("check", "--data", str(data)).output


def test_technique_drawings_draw_whole():
    from handouts.pdf.pictures import read_drawing

    for path in sorted(Path(builtin_techniques_dir()).glob("*.svg")):
        d = read_drawing(path)
        assert abs(d.width / d.height - 1.5) < 0.01, path.name
        assert "<text" not in path.read_text(encoding="utf-8"), path.name


@pytest.mark.parametrize("lang", ["en", "es"])
def test_large_print_gives_every_strain_grade_its_healing_time_and_what_to_do(library_pdfs,
                                                                            lang):
    from handouts.i18n import localize
    from handouts.resources import builtin_data_dir

    shared = localize(LIB, lang, builtin_data_dir(), False).library.shared
    folder = library_pdfs / lang if lang != "en" else library_pdfs
    grade_word = {"en": "Grade", "es": "Grado"}[lang]
    for mid in ("soleus", "masseter"):  # worded for a leg, and for the jaw
        text = pdf_text(folder / f"{mid}-large-print.pdf")
        for g in shared.grades_for(LIB.muscles[mid]):
            assert norm(f"{grade_word} {g.grade}: {g.name}.") in text, (mid, lang, g.grade)
            for part in (g.what_it_is, g.recovery, g.action):
                assert norm(part) in text, (mid, lang, part)
