"""Built-in templates: summary on one page, large print at 18 pt, booklets, the docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import norm, page_texts, pdf_text, run
from pages import body_text_sizes, pages
from pypdf import PdfReader

from handouts.library import load_library
from handouts.markup import reference_markdown

LIB = load_library().library
DOCS = Path(__file__).resolve().parents[1] / "docs" / "templates.md"


def font_sizes(path: Path) -> list[float]:
    sizes: list[float] = []

    def visitor(text, cm, tm, font, size):
        if text.strip():
            sizes.append(round(size * tm[3] if tm[3] else size, 1))

    for page in PdfReader(str(path)).pages:
        page.extract_text(visitor_text=visitor)
    return sizes


@pytest.fixture(scope="module")
def summaries(library_pdfs):
    """Every muscle's summary (built once for the session, with the other layouts)."""
    return library_pdfs


@pytest.mark.slow
@pytest.mark.parametrize("mid", sorted(LIB.muscles))
def test_summary_is_one_page_for_every_muscle(summaries, mid):
    path = summaries / f"{mid}-summary.pdf"
    reader = PdfReader(str(path))
    assert len(reader.pages) == 1
    text = pdf_text(path)
    m = LIB.muscles[mid]
    assert m.name in text and "Call 112 or go to the emergency room now if:" in text
    assert "Often felt" in text and "Tender knot" in text  # the map's key
    # Every self-care step (the last is often a safety note) and every emergency
    # and same-day sign: the page makes room by leaving other things out first.
    for step in m.self_care.steps:
        assert step in text
    signs = LIB.shared.signs_for(m)
    for sign in signs.emergency + signs.same_day:
        assert sign in text
    # "Book a visit" signs are trimmed in order, from the end.
    soon = [s for s in signs.soon if s in text]
    assert soon == signs.soon[: len(soon)]
    # The card's other contents (in English they always fit): two signs of
    # the muscle, two habits, the healing times, and the clinic's phone.
    assert all(s in text for s in m.symptoms[:2]) and all(p in text for p in m.prevention[:2])
    healing = "; ".join(f"{g.name}: {g.recovery_short}" for g in LIB.shared.grades_for(m))
    assert healing + "." in text
    assert "Clinic: +41 44 000 00 00" in text


def test_summary_prints_the_patients_details_on_one_line(tmp_path):
    r = run("build", "piriformis", "--template", "summary", "--patient", "Ana Núñez",
            "--clinician", "Sam Lee", "--note", "Twice a day", "--plan", "Steps 1 to 4",
            "--plan", "twice a day", "--follow-up", "2026-12-15 10:30", "--out", str(tmp_path))
    assert r.exit_code == 0, r.output
    path = tmp_path / "personal" / "piriformis-summary.pdf"
    text = pdf_text(path)
    assert "Prepared for: Ana Núñez · By: Sam Lee" in text and "Notes: Twice a day" in text
    # The plan runs on in the same box, so the card keeps its signs.
    assert ("Notes: Twice a day · Your plan: Steps 1 to 4; twice a day · "
            "Next visit: December 15, 2026") in text
    assert len(PdfReader(str(path)).pages) == 1
    m = LIB.muscles["piriformis"]
    assert all(s in text for s in m.symptoms[:2]) and all(p in text for p in m.prevention[:2])
    plain = run("build", "piriformis", "--template", "summary", "--out", str(tmp_path / "p"))
    assert plain.exit_code == 0
    assert "Prepared for" not in pdf_text(tmp_path / "p" / "piriformis-summary.pdf")


def test_summary_header_says_where_the_clinic_is_and_how_to_call_it(tmp_path):
    # The card's header holds two lines: the tagline gives way to the address and phone.
    brand = tmp_path / "brand.yaml"
    brand.write_text("clinic: Riverside Physical Therapy\ntagline: Helping you move\n"
                     "address: 120 River Road, Springfield\nphone: (555) 010-0199\n"
                     "website: https://example.org\n", encoding="utf-8")
    r = run("build", "piriformis", "--template", "summary", "--brand", str(brand),
            "--out", str(tmp_path))
    assert r.exit_code == 0, r.output
    first = page_texts(tmp_path / "piriformis-summary.pdf")[0]
    assert "120 River Road, Springfield · (555) 010-0199" in first
    assert "Helping you move" not in first
    # The full handout's first page has room for every line.
    r = run("build", "piriformis", "--brand", str(brand), "--out", str(tmp_path))
    first = page_texts(tmp_path / "piriformis.pdf")[0]
    assert "Helping you move" in first and "120 River Road, Springfield" in first


def test_a_card_has_no_page_number_but_keeps_the_clinics_footer_note(tmp_path):
    # One page whose header gives the clinic and its phone: "Page 1 of 1" and the
    # clinic's line again would cost the card two lines. A note of the clinic's own
    # stays, under the card's last line and clear of the paper's edge.
    brand = tmp_path / "brand.yaml"
    brand.write_text("clinic: Riverside Physical Therapy\nphone: (555) 010-0199\n"
                     "footer_note: Questions? Call us during office hours.\n"
                     "translations:\n  es:\n    footer_note: ¿Preguntas? Llámenos.\n",
                     encoding="utf-8")
    for args in ((), ("--brand", str(brand))):
        r = run("build", "scalenes", "--template", "summary", "--lang", "es", *args,
                "--out", str(tmp_path / str(len(args))))
        assert r.exit_code == 0, r.output
        path = tmp_path / str(len(args)) / "es" / "scalenes-summary.pdf"
        text = page_texts(path)[0]
        assert "Página 1 de 1" not in text and "Información general" in text
        assert ("¿Preguntas? Llámenos." in text) == bool(args)
        (page,) = pages(path)
        assert page.text_over_text() == [] and page.nearest_edge() >= 18


def test_spanish_cards_keep_what_a_card_is_for_where_the_page_allows(summaries):
    # Spanish runs longer: a card that cannot hold the lists runs them in, then draws
    # its map smaller, and leaves them out only as a last resort. On A4 every card
    # keeps its signs, habits and healing times.
    from handouts.i18n import localize
    from handouts.resources import builtin_data_dir

    lib = localize(LIB, "es", builtin_data_dir()).library
    signs = habits = healing = 0
    for mid, m in lib.muscles.items():
        text = pdf_text(summaries / "es" / f"{mid}-summary.pdf")
        signs += all(norm(s) in text for s in m.symptoms[:2])
        habits += all(norm(p) in text for p in m.prevention[:2])
        healing += "el tiempo para sanar es:" in text
    assert signs == habits == healing == 30, (signs, habits, healing)


def test_summary_leaves_out_habits_then_repeated_text_then_the_introduction(tmp_path):
    from handouts.pdf.typesetter import FIT_LIMITS, Limit

    order = [f.tight for f in FIT_LIMITS]
    assert order == sorted(order) and FIT_LIMITS[0] == Limit(7)
    # With a long enough self-care text the summary goes tight: the words for
    # where pain is felt give way to the map, the introduction last of all.
    r = run("build", "scalenes", "--template", "summary", "--lang", "es", "--out", str(tmp_path))
    assert r.exit_code == 0, r.output
    text = pdf_text(tmp_path / "es" / "scalenes-summary.pdf")
    assert "Dónde puede sentirlo" not in text and "Antes de empezar" in text


def test_summary_text_is_at_least_12pt(summaries):
    assert min(font_sizes(summaries / "piriformis-summary.pdf")) >= 10  # footer
    body = [s for s in font_sizes(summaries / "piriformis-summary.pdf") if s > 10]
    assert min(body) >= 12


def test_large_print_is_18pt_with_wide_margins(tmp_path):
    r = run("build", "piriformis", "--template", "large-print", "--out", str(tmp_path))
    assert r.exit_code == 0, r.output
    path = tmp_path / "piriformis-large-print.pdf"
    # Every line a patient reads is 18 pt: notes, the disclaimer and the sources too.
    small = {size for size, _ in body_text_sizes(path) if size < 18}
    assert small == set()
    # Page furniture scales up too; only it may be under 18 pt, and never under 12.
    assert min(font_sizes(path)) >= 12
    full = run("build", "piriformis", "--out", str(tmp_path))
    assert full.exit_code == 0
    assert len(PdfReader(str(path)).pages) > len(PdfReader(str(tmp_path / "piriformis.pdf")).pages)
    assert LIB.muscles["piriformis"].relief in pdf_text(path)


def test_templates_command_lists_builtins_and_user_templates(templates):
    (templates / "mine.html.j2").write_text("{#- description: Ours -#}\n<h1>x</h1>\n")
    r = run("templates", "--templates", str(templates))
    assert r.exit_code == 0
    names = [line.split()[0] for line in r.output.splitlines()]
    assert names == ["full", "large-print", "mine", "summary"]
    assert "Ours" in r.output and "One page" in r.output


def test_booklet_contents_page_numbers_match(tmp_path):
    out = tmp_path / "hip-pack.pdf"
    r = run("booklet", "gluteus-minimus", "piriformis", "--region", "hip", "-o", str(out),
            "--patient", "Ana Ruiz")
    assert r.exit_code == 0, r.output
    reader = PdfReader(str(out))
    assert reader.metadata.title == "Your hip muscle guide"
    import pypdfium2

    # The contents is on the cover. pdfium keeps each contents line in reading order
    # (pypdf splits off the dots).
    contents = pypdfium2.PdfDocument(str(out))[0].get_textpage().get_text_range()
    contents = contents.replace("\r\n", "\n")
    hip = [m for m in LIB.muscles.values() if m.in_region("hip")]
    assert "iliopsoas" in {m.id for m in hip}  # a trunk muscle, listed with the hip too
    order = ["gluteus-minimus", "piriformis"] + sorted(
        m.id for m in hip if m.id not in ("gluteus-minimus", "piriformis"))
    outline = reader.outline
    top = [o for o in outline if not isinstance(o, list)]
    shared = "For every muscle in this booklet"
    assert [o.title for o in top] == ["Your hip muscle guide", shared] + [
        LIB.muscles[i].name for i in order]
    for name in [shared] + [LIB.muscles[i].name for i in order]:
        m = re.search(re.escape(name) + r"[ .]*?(\d+)\s*$", contents, re.M)
        assert m, contents
        listed = int(m.group(1))
        entry = next(o for o in top if o.title == name)
        assert reader.get_destination_page_number(entry) + 1 == listed
        assert name in reader.pages[listed - 1].extract_text()
    # Sections nest under each muscle's name.
    nested = outline[outline.index(top[2]) + 1]
    assert isinstance(nested, list) and "Where you may feel it" in [o.title for o in nested]
    cover = reader.pages[0].extract_text()
    assert "Ana Ruiz" in cover
    # The cover says how to use the booklet, on the cover itself.
    assert "How to use this booklet" in cover



def test_booklet_prints_shared_sections_once_and_points_to_them(tmp_path):

    out = tmp_path / "hip.pdf"
    hip = [m for m in LIB.muscles.values() if m.body_region == "hip"]
    assert run("booklet", *(m.id for m in hip), "-o", str(out)).exit_code == 0
    text, pages = pdf_text(out), page_texts(out)
    shared = LIB.shared
    # Printed once: the first aid, the strain grades, the cautions, the disclaimer.
    limb = shared.first_aid.limb
    for once in (limb.steps[0], limb.after, shared.grades_note, shared.strain_grades[2].recovery,
                 shared.cautions.never_press.items[0], shared.disclaimer):
        assert text.count(norm(once)) == 1, once
    # A 5-muscle booklet once took 32 pages: each part repeated the shared sections.
    assert len(pages) <= 23
    for m in hip:
        signs = shared.signs_for(m)
        # Each part keeps all of its emergency signs, on its own first page.
        first = next(p for p in pages if p.startswith(f"{m.name} {norm(m.summary)[:30]}"))
        assert all(norm(s) in first for s in signs.emergency), m.id
        # Its same-day and soon signs are in the booklet: in the part, or once for all.
        assert all(norm(s) in text for s in signs.same_day + signs.soon)
    # Every "page N" reference lands on the page with that section's heading.
    refs = {"The first aid steps are on page": limb.title,
            "The strain grades and their healing times are on page":
                "How bad is it? Strain grades and healing times",
            "read the cautions for every muscle on page": shared.cautions.title,
            "Please read “About this booklet” on page": "About this booklet",
            "need a doctor today or within a few days are on page": "When to see a doctor"}
    for lead, heading in refs.items():
        found = re.findall(re.escape(lead) + r" (\d+)\.", text)
        assert len(found) == len(hip), lead
        for n in set(found):
            assert norm(heading) in pages[int(n) - 1], (lead, n)


def test_booklet_first_aid_for_each_body_part_it_holds(tmp_path):
    out = tmp_path / "mix.pdf"
    assert run("booklet", "masseter", "piriformis", "-o", str(out)).exit_code == 0
    text = pdf_text(out)
    fa = LIB.shared.first_aid
    assert text.count(norm(fa.jaw.steps[0])) == 1 and text.count(norm(fa.limb.steps[0])) == 1
    assert norm(fa.neck.steps[0]) not in text


def test_booklet_duplex_starts_each_muscle_on_a_right_hand_page(tmp_path):

    heads = [f"{m.name} {norm(m.summary)[:30]}"
             for m in (LIB.muscles[i] for i in ("piriformis", "masseter", "soleus"))]
    for flag, odd in (("--duplex", True), (None, False)):
        out = tmp_path / f"b{odd}.pdf"
        args = ["booklet", "piriformis", "masseter", "soleus", "piriformis", "-o", str(out)]
        assert run(*args, *([flag] if flag else [])).exit_code == 0
        pages = page_texts(out)
        starts = [i for h in heads for i, p in enumerate(pages, 1) if p.startswith(h)]
        assert len(starts) == 3  # piriformis, named twice, is in it once
        if odd:
            assert all(n % 2 == 1 for n in starts), starts


def test_keep_holding_a_heading_and_a_list_stays_where_it_fits(tmp_path):
    # reportlab moves a keep-together group nested in another to a new page even
    # when it fits; <keep> around a heading and its list must not.
    tdir = tmp_path / "tpl"
    tdir.mkdir()
    (tdir / "probe.html.j2").write_text(
        "<h1>Probe</h1><p>Short.</p><keep><h3>First aid</h3><ol><li>Rest.</li></ol>"
        "<callout title='Help'><p>Call.</p></callout><prepared/><qr/></keep>",
        encoding="utf-8")
    r = run("build", "piriformis", "--templates", str(tdir), "--template", "probe",
            "--out", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    reader = PdfReader(str(tmp_path / "out" / "piriformis-probe.pdf"))
    assert len(reader.pages) == 1
    assert "First aid" in reader.pages[0].extract_text()


def test_booklet_needs_muscles(tmp_path):
    r = run("booklet", "-o", str(tmp_path / "x.pdf"))
    assert r.exit_code == 2 and "--region" in r.output


def test_markup_reference_in_docs_matches_the_code():
    text = DOCS.read_text(encoding="utf-8")
    marker = "a test fails when it differs from the code. -->\n\n"
    assert marker in text
    assert text.split(marker, 1)[1] == reference_markdown(), (
        "docs/templates.md is out of date: regenerate its reference with "
        "'handouts templates --reference'")


def test_boxes_and_qr_code_inside_columns(tmp_path):
    # A table cell cannot hold a keep-together group; boxes inside columns used
    # to fail to lay out with a page "16 million points tall".
    tdir = tmp_path / "tpl"
    tdir.mkdir()
    (tdir / "probe.html.j2").write_text(
        "<h1>Probe</h1><columns><column><qr/><p>left</p></column>"
        "<column><ol><li>Rest.</li></ol><callout title='Box'><p>Nested box.</p></callout>"
        "</column></columns>", encoding="utf-8")
    brand = tmp_path / "clinic"
    assert run("brand", "init", str(brand)).exit_code == 0
    r = run("build", "piriformis", "--templates", str(tdir), "--template", "probe",
            "--brand", str(brand / "brand.yaml"), "--out", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    reader = PdfReader(str(tmp_path / "out" / "piriformis-probe.pdf"))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Nested box." in text and "example.org/book" in text


@pytest.mark.slow
def test_large_print_map_keeps_how_to_read_it_and_gives_way_where_it_does_not_fit(
        library_pdfs):
    words = {"en": ("Using the map:", "Tender knot", "Where is this muscle?"),
             "es": ("Cómo usar el mapa:", "Nudo sensible", "¿Dónde está este músculo?")}
    gave_way = []
    for lang, (using, key, next_section) in words.items():
        folder = library_pdfs if lang == "en" else library_pdfs / "es"
        for mid in sorted(LIB.muscles):
            texts = page_texts(folder / f"{mid}-large-print.pdf")
            on = {w: next(i for i, t in enumerate(texts) if w in t)
                  for w in (using, key, next_section)}
            assert on[using] == on[key], (lang, mid)  # how to read the map, with its key
            if on[next_section] < on[key]:
                gave_way.append((lang, mid))
    # Where the map moved on to the next page, the section after it filled its place.
    assert gave_way


@pytest.mark.slow
def test_large_print_plan_box_is_never_split_and_comes_before_the_tracker(library_pdfs):
    # At 18 pt the box is a fifth of a page: it goes whole, with the things to
    # fill in at the end, and never between the tracker's parts.
    words = {"en": ("Your plan", "Next visit (date and time)", "Your self-care tracker"),
             "es": ("Su plan", "Próxima visita (fecha y hora)", "Su registro de cuidado en casa")}
    for lang, (title, next_visit, tracker) in words.items():
        folder = library_pdfs if lang == "en" else library_pdfs / "es"
        for mid in sorted(LIB.muscles):
            texts = page_texts(folder / f"{mid}-large-print.pdf")
            whole = " ".join(texts)
            assert f"{title} (contin" not in whole, (lang, mid)
            box = next(i for i, t in enumerate(texts) if title in t)
            assert next_visit in texts[box], (lang, mid)
            assert whole.index(title) < whole.index(tracker), (lang, mid)
