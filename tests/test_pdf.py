"""What a reader gets: the text, the pages, the fonts and the metadata of built PDFs."""

from __future__ import annotations

import pytest
from conftest import norm, pdf_text, run
from pypdf import PdfReader

from handouts.languages import long_date
from handouts.library import load_library
from handouts.models import READ, texts
from handouts.yamlfile import format_key

LIB = load_library().library


def _expected_texts(muscle):
    """Every text a reader reads as written: the models say which fields those are."""
    for path, text in texts(muscle, READ):
        yield format_key(path), text


def _link_targets(path) -> set[str]:
    reader = PdfReader(str(path))
    return {a.get_object()["/A"]["/URI"] for page in reader.pages
            for a in page.get("/Annots", []) if "/A" in a.get_object()}


def _without_continued(text: str, muscle) -> str:  # noqa: ANN001
    """The text without the "Heading (continued)" over a list that runs on in the next
    column: an artifact a screen reader skips, which can fall inside an item."""
    from handouts.markup import walk
    from handouts.pdf.typesetter import Options, Typesetter

    root = Typesetter(LIB).markup(muscle, Options())
    heads = {b.plain_text() for b in walk(root) if b.tag in ("h2", "h3")}
    heads |= {b.attrs["title"] for b in walk(root) if b.tag == "callout" and "title" in b.attrs}
    for h in sorted(heads, key=len, reverse=True):
        text = text.replace(f" {norm(h)} (continued) ", " ")
    return text


@pytest.mark.slow
@pytest.mark.parametrize("mid", sorted(LIB.muscles))
def test_every_data_item_is_printed(library_pdfs, mid):
    muscle = LIB.muscles[mid]
    text = _without_continued(pdf_text(library_pdfs / f"{mid}.pdf"), muscle)
    # A source's web address is printed as its site and linked in full.
    links = _link_targets(library_pdfs / f"{mid}.pdf")
    missing = [f for f, t in _expected_texts(muscle)
               if (t not in links if f.endswith(".url") else norm(t) not in text)]
    assert not missing, f"{mid}: not in the PDF: {missing}"
    for source in muscle.sources:
        if source.url:
            site = source.url.split("/")[2].removeprefix("www.")
            assert f"({site})" in text
    for region in muscle.pain.main + muscle.pain.spillover + muscle.pain.trigger_points:
        assert LIB.regions[region].label in text
    for other in LIB.related(muscle):
        assert other.name in text
    assert long_date(muscle.reviewed) in text
    shared = LIB.shared
    signs = shared.signs_for(muscle)
    for t in [
        shared.disclaimer,
        *shared.first_aid_for(muscle).steps,
        *signs.emergency, *signs.same_day, *signs.soon,
        *shared.cautions.ask_first.items,
        *(g.recovery for g in shared.strain_grades),
    ]:
        assert norm(t) in text


def test_metadata_page_size_and_bookmarks(built):
    reader = PdfReader(str(built / "gluteus-minimus.pdf"))
    meta = reader.metadata
    assert meta.title == "Gluteus minimus: patient handout"
    assert meta.author == "Your clinic"
    assert meta.subject.startswith("The gluteus minimus is a small muscle")
    assert "Gluteus minimus" in meta["/Keywords"]
    assert reader.trailer["/Root"]["/Lang"] == "en-US"
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)  # US Letter
    titles = [o.title for o in _flatten(reader.outline)]
    assert titles[0] == "Gluteus minimus"
    for section in [
        "Where it is and what it does",
        "Where you may feel it",
        "What you can do at home",
        "Muscle strain",
        "When to see a doctor",
        "About this handout",
    ]:
        assert section in titles
    assert 2 <= len(reader.pages) <= 8
    # Each bookmark opens the page where its section is.
    heading_of = {"Where you may feel it": "Where you may feel it",
                  "Muscle strain": "If the muscle is strained",
                  "When to see a doctor": "When to see a doctor",
                  "About this handout": "About this handout"}
    for entry in _flatten(reader.outline):
        if entry.title in heading_of:
            page = reader.pages[reader.get_destination_page_number(entry)]
            assert heading_of[entry.title] in page.extract_text(), entry.title


def test_page_x_of_y_on_every_page(built):
    reader = PdfReader(str(built / "gluteus-minimus.pdf"))
    n = len(reader.pages)
    for i, page in enumerate(reader.pages, 1):
        assert f"Page {i} of {n}" in page.extract_text()


def test_only_embedded_truetype_fonts(built):
    reader = PdfReader(str(built / "gluteus-minimus.pdf"))
    seen = set()
    for page in reader.pages:
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            name = str(font["/BaseFont"])
            seen.add(name.split("+")[-1])
            descendant = font.get("/DescendantFonts")
            desc = (descendant[0].get_object() if descendant else font)["/FontDescriptor"]
            assert "/FontFile2" in desc, f"{name} is not an embedded TrueType font"
    assert seen and all(n.startswith("Atkinson") for n in seen), seen


def test_a4_paper(tmp_path):
    result = run("build", "gluteus-minimus", "--paper", "a4", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    box = PdfReader(str(tmp_path / "gluteus-minimus.pdf")).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_same_inputs_give_same_bytes(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        assert run("build", "piriformis", "--out", str(d)).exit_code == 0
    assert (a / "piriformis.pdf").read_bytes() == (b / "piriformis.pdf").read_bytes()


def test_no_temporary_files_left(built):
    assert not [p for p in built.iterdir()
                if p.suffix != ".pdf" and p.name != ".handouts-build.json"]


def test_min_font_size_is_12pt(built):
    sizes = _font_sizes(built / "gluteus-minimus.pdf")
    # Page furniture (footer) is 10 pt; everything a patient must read is 12 pt or more.
    body = [s for s in sizes if s != 10]
    assert min(body) >= 12, sorted(set(sizes))


def _font_sizes(path):
    sizes = []

    def visitor(op, args, cm, tm):
        if op == b"Tf":
            sizes.append(float(args[1]))

    for page in PdfReader(str(path)).pages:
        page.extract_text(visitor_operand_before=visitor)
    return sizes


def _flatten(outline):
    for item in outline:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield item
