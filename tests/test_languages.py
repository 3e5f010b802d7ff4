"""Spanish handouts: catalogues, translated content, fallbacks and file names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import BUILTIN_TEMPLATES, pdf_text, run
from pypdf import PdfReader

from handouts.i18n import localize
from handouts.languages import long_date
from handouts.library import load_library
from handouts.resources import builtin_data_dir

LIB = load_library().library
ES_STEPS = {mid: m.self_care.steps for mid, m in
            localize(LIB, "es", builtin_data_dir()).library.muscles.items()}
ENGLISH_WORDS = ["Where you may feel it", "What you can do at home", "When to see a doctor",
                 "Page 1 of", "Prepared for", "Often felt"]


@pytest.fixture(scope="module")
def spanish(library_pdfs):
    """Every muscle in every layout in Spanish, built with --strict (so no warning)."""
    return library_pdfs / "es"


@pytest.mark.slow
@pytest.mark.parametrize("mid", sorted(LIB.muscles))
def test_every_muscle_builds_in_spanish_in_every_template(spanish, mid):
    for name in (f"{mid}.pdf", f"{mid}-summary.pdf", f"{mid}-large-print.pdf"):
        text = pdf_text(spanish / name, body_only=False)
        for english in ENGLISH_WORDS:
            assert english not in text, (name, english)
    text = pdf_text(spanish / f"{mid}.pdf", body_only=False)
    assert "Dónde puede sentirlo" in text and "Cuándo ver a un médico" in text
    assert "Página 1 de" in text
    # The one-page summary keeps every self-care step in Spanish too.
    summary = pdf_text(spanish / f"{mid}-summary.pdf")
    assert len(PdfReader(str(spanish / f"{mid}-summary.pdf")).pages) == 1
    steps = ES_STEPS[mid]
    assert all(step in summary for step in steps), [s for s in steps if s not in summary]


def test_spanish_metadata_and_dates(spanish):
    reader = PdfReader(str(spanish / "piriformis.pdf"))
    assert reader.trailer["/Root"]["/Lang"] == "es-US"
    assert reader.metadata.title == "Piriforme: información para el paciente"
    assert long_date(LIB.muscles["piriformis"].reviewed, "es") in pdf_text(spanish /
                                                                           "piriformis.pdf")
    assert long_date(__import__("datetime").date(2026, 11, 27), "es") == "27 de noviembre de 2026"


def test_both_languages_side_by_side(tmp_path):
    r = run("build", "piriformis", "--lang", "en,es", "--out", str(tmp_path))
    assert r.exit_code == 0, r.output
    assert (tmp_path / "piriformis.pdf").is_file()
    assert (tmp_path / "es" / "piriformis.pdf").is_file()
    assert PdfReader(str(tmp_path / "piriformis.pdf")).trailer["/Root"]["/Lang"] == "en-US"


def test_brand_language_is_the_default(tmp_path):
    assert run("brand", "init", str(tmp_path / "b")).exit_code == 0
    brand = tmp_path / "b" / "brand.yaml"
    brand.write_text(brand.read_text().replace("language: en-US", "language: es-MX"))
    r = run("build", "soleus", "--brand", str(brand), "--out", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    reader = PdfReader(str(tmp_path / "out" / "es" / "soleus.pdf"))
    assert reader.trailer["/Root"]["/Lang"] == "es-MX"


def test_missing_translation_falls_back_with_a_warning(data, tmp_path):
    (data / "muscles" / "soleus.es.yaml").unlink()
    r = run("build", "soleus", "--lang", "es", "--data", str(data), "--out", str(tmp_path))
    assert r.exit_code == 0, r.output
    assert "warning:" in r.output and "no Spanish translation of soleus; using English" in r.output
    text = pdf_text(tmp_path / "es" / "soleus.pdf")
    assert LIB.muscles["soleus"].summary in text  # English content...
    assert "Dónde puede sentirlo" in text  # ...under Spanish headings
    # --strict fails that handout and builds the others.
    strict = run("build", "soleus", "piriformis", "--lang", "es", "--strict", "--data",
                 str(data), "--out", str(tmp_path / "strict"))
    assert strict.exit_code == 1
    assert "error:" in strict.output and "soleus.es.yaml" in strict.output
    assert (tmp_path / "strict" / "es" / "piriformis.pdf").is_file()
    assert not (tmp_path / "strict" / "es" / "soleus.pdf").exists()


def test_out_of_date_and_untranslated_fields(data, tmp_path):
    f = data / "muscles" / "soleus.es.yaml"
    text = f.read_text(encoding="utf-8").replace("translates: 2026-11-27", "translates: 2025-01-01")
    text = re.sub(r"\nrelief: >-\n(  .*\n)+", "\n", text)
    f.write_text(text, encoding="utf-8")
    r = run("build", "soleus", "--lang", "es", "--data", str(data), "--out", str(tmp_path))
    assert r.exit_code == 0, r.output
    assert "translates the English text of 2025-01-01" in r.output
    assert "relief: not translated; using English" in r.output


def test_list_length_must_match_english(data, tmp_path):
    f = data / "muscles" / "soleus.es.yaml"
    text = f.read_text(encoding="utf-8")
    f.write_text(text.replace("symptoms:\n", "symptoms:\n  - Uno de más.\n", 1), encoding="utf-8")
    r = run("build", "soleus", "--lang", "es", "--data", str(data), "--out", str(tmp_path))
    assert r.exit_code == 1
    assert "soleus.es.yaml" in r.output and "like the English file" in r.output


def test_unknown_language(tmp_path):
    r = run("build", "soleus", "--lang", "fr", "--out", str(tmp_path))
    assert r.exit_code == 2 and "unknown language 'fr'" in r.output


def test_every_template_word_has_a_spanish_translation():
    import yaml

    catalogue = yaml.safe_load((BUILTIN_TEMPLATES / "i18n" / "es.yaml").read_text("utf-8"))
    used = set()
    for t in BUILTIN_TEMPLATES.glob("*.j2"):
        used |= set(re.findall(r'_\("([^"]+)"\)', t.read_text("utf-8")))
        used |= set(re.findall(r"_\('([^']+)'\)", t.read_text("utf-8")))
    package = Path(__file__).resolve().parents[1] / "handouts"
    for py in package.glob("*.py"):
        used |= set(re.findall(r'(?:_|gettext)\("([^"]+)"\)', py.read_text("utf-8")))
    missing = sorted(u for u in used - {"..."} if u not in catalogue)
    assert not missing, missing


def test_brand_sentences_are_never_printed_in_the_wrong_language(tmp_path):
    assert run("brand", "init", str(tmp_path / "b")).exit_code == 0
    brand = tmp_path / "b" / "brand.yaml"
    r = run("build", "soleus", "--brand", str(brand), "--lang", "en,es", "--out",
            str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    english = pdf_text(tmp_path / "out" / "soleus.pdf", body_only=False)
    spanish = pdf_text(tmp_path / "out" / "es" / "soleus.pdf", body_only=False)
    assert "Questions? Call us during office hours." in english
    assert "Questions?" not in spanish and "call us at" not in spanish
    assert "¿Preguntas? Llámenos en horario de oficina." in spanish
    assert "llámenos al (555) 010-0199" in spanish
    # Without a Spanish translation the English sentences are left out.
    text = brand.read_text(encoding="utf-8")
    brand.write_text(text[: text.index("translations:")], encoding="utf-8")
    r = run("build", "soleus", "--brand", str(brand), "--lang", "es", "--force", "--out",
            str(tmp_path / "out2"))
    assert r.exit_code == 0, r.output
    spanish = pdf_text(tmp_path / "out2" / "es" / "soleus.pdf", body_only=False)
    assert "Questions?" not in spanish and "Helping you move" not in spanish
    assert "Si no está seguro" in spanish  # the shared Spanish help line
