"""Tagged PDF (PDF/UA-1): the structure tree, marked content, artifacts and metadata."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from conftest import norm, run
from pypdf import PdfReader
from structure import check

from handouts.pdf import structure as tagging

ROOT = Path(__file__).resolve().parent.parent
MUSCLES = ("upper-trapezius", "gluteus-minimus", "soleus")  # head and neck, hip, leg


def _load_verapdf():  # noqa: ANN202
    spec = importlib.util.spec_from_file_location("pdfua_check", ROOT / "tools/pdfua/check.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # its dataclasses look themselves up there
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def brand(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A full brand: logo, tagline, booking link (QR code and a link), footer note."""
    d = tmp_path_factory.mktemp("brand")
    result = run("brand", "init", str(d / "clinic"))
    assert result.exit_code == 0, result.output
    return d / "clinic" / "brand.yaml"


@pytest.fixture(scope="session")
def raster_brand(tmp_path_factory: pytest.TempPathFactory, brand: Path) -> Path:
    """Another clinic: a PNG logo, A4 paper, and its own font where one is installed."""
    from PIL import Image

    d = tmp_path_factory.mktemp("raster") / "clinic"
    shutil.copytree(brand.parent, d)
    Image.new("RGB", (600, 200), "#1d4e63").save(d / "logo.png")
    text = (d / "brand.yaml").read_text(encoding="utf-8")
    text = text.replace("logo: logo.svg", "logo: logo.png").replace("paper: letter", "paper: a4")
    dejavu = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if dejavu.is_file():
        (d / "fonts").mkdir()
        shutil.copy(dejavu, d / "fonts" / "DejaVuSans.ttf")
        text = text.replace("# fonts:\n#   regular: fonts/MyFont-Regular.ttf",
                            "fonts:\n  regular: fonts/DejaVuSans.ttf")
    (d / "brand.yaml").write_text(text, encoding="utf-8")
    return d / "brand.yaml"


@pytest.fixture(scope="session")
def every_kind(tmp_path_factory: pytest.TempPathFactory, brand: Path, raster_brand: Path
               ) -> list[Path]:
    """Every built-in template, plain and with two brands, in English and (with the
    brand) Spanish, and booklets."""
    from conftest import built_once

    muscles = list(MUSCLES)

    def build(out: Path) -> None:
        for template in ("full", "summary", "large-print"):
            for extra, where in (((), "plain"),
                                 (("--brand", str(brand), "--patient", "Ana Núñez",
                                   "--note", "Twice a day"), "brand"),
                                 (("--brand", str(raster_brand)), "raster")):
                if where == "raster" and template != "full":
                    continue  # a raster logo changes only the page header: one template shows it
                # Spanish once, with the brand: the tags do not change with the brand.
                langs = "en,es" if where == "brand" else "en"
                result = run("build", *muscles, "--template", template, "--lang", langs,
                             "--out", str(out / where / template), "-q", *extra)
                assert result.exit_code == 0, result.output
        for lang in ("en", "es"):
            result = run("booklet", *muscles[:3], "--lang", lang, "--brand", str(brand),
                         "--output", str(out / f"booklet-{lang}.pdf"))
            assert result.exit_code == 0, result.output

    out = built_once(tmp_path_factory, "tagged", build)
    pdfs = sorted(out.rglob("*.pdf"))
    assert len(pdfs) == (3 * (1 + 2) + 1) * len(muscles) + 2
    return pdfs


@pytest.mark.slow
def test_every_pdf_passes_our_structure_check(every_kind):
    for pdf in every_kind:
        report = check(pdf)
        assert report.problems == [], (pdf, report.problems[:10])
        roles = report.roles()
        assert roles[0] == "Document" and "H1" in roles and "Figure" in roles, (pdf, roles)


def test_no_text_runs_over_other_text_in_any_kind(every_kind):
    # Booklets, brands and patient details too (the library's own PDFs: test_paper).
    from pages import pages

    over = [(pdf.name, page.number) for pdf in every_kind for page in pages(pdf)
            if page.text_over_text()]
    assert over == []


@pytest.mark.slow
def test_every_pdf_passes_verapdf_pdfua1(every_kind):
    verapdf = _load_verapdf()
    reason = verapdf.unavailable_reason()
    if reason and not (shutil.which("java") and shutil.which("javac")):
        pytest.skip(f"veraPDF needs Java: {reason}")
    if reason and not os.environ.get("CI"):
        pytest.skip(f"{reason} (.ci/run installs it; CI fails without it)")
    assert reason is None, reason
    results = verapdf.validate(every_kind)
    failed = {str(p): [f.rule + " " + f.description for f in fs] for p, fs in results.items() if fs}
    assert failed == {}
    assert len(results) == len(every_kind)


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="pdfinfo (poppler-utils) not installed")
def test_pdfinfo_says_tagged(every_kind):
    info = subprocess.run(["pdfinfo", str(every_kind[0])], capture_output=True, text=True).stdout
    assert "Tagged:          yes" in info


def test_structure_of_a_handout(every_kind):
    # With a patient's name, a handout goes to OUT/personal/.
    pdf = next(p for p in every_kind if p.parts[-4:-1] == ("brand", "full", "personal"))
    report = check(pdf)
    elems = report.walk()
    # Page 1's header (logo and clinic details) leads the document.
    assert elems[1].role == "Sect" and elems[2].role == "Figure"
    assert elems[2].alt == "Riverside Physical Therapy"  # the logo reads as the clinic's name
    assert report.text_of(elems[3]).strip() == "Riverside Physical Therapy"
    lists = [e for e in elems if e.role == "L"]
    assert lists
    for lst in lists:
        for li in lst.kids:
            assert li.role == "LI" and [k.role for k in li.kids] == ["Lbl", "LBody"]
            assert report.text_of(li.kids[1]).strip()
    tables = [e for e in elems if e.role == "Table"]
    assert tables
    for t in tables:
        widths = {len(tr.kids) for tr in t.kids}
        assert len(widths) == 1 and all(tr.role == "TR" for tr in t.kids)
        assert {k.role for k in t.kids[0].kids} == {"TH"}
    figures = [e for e in elems if e.role == "Figure"]
    body_map = next(f for f in figures if (f.alt or "").startswith(("Body map", "Mapa")))
    assert "Marker" in body_map.alt or "marca" in body_map.alt.lower()
    links = [e for e in elems if e.role == "Link"]
    assert links and all(lk.objrs == 1 for lk in links)


def test_metadata_for_pdfua(every_kind):
    pdf = every_kind[0]
    reader = PdfReader(str(pdf))
    cat = reader.trailer["/Root"]
    xmp = cat["/Metadata"].get_data().decode()
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp
    title = reader.metadata.title
    assert f'<rdf:li xml:lang="x-default">{title}</rdf:li>' in xmp.replace("&amp;", "&")
    assert cat["/ViewerPreferences"]["/DisplayDocTitle"]
    assert cat["/MarkInfo"]["/Marked"]
    assert str(cat["/Lang"]) == ("es-US" if "es" in pdf.parts else "en-US")
    for page in reader.pages:
        assert page["/Tabs"] == "/S"
    for annot_page in reader.pages:
        for a in annot_page.get("/Annots", []) or []:
            a = a.get_object()
            assert "/StructParent" in a and a["/Contents"]


def test_spanish_pdf_language_and_alt_text(every_kind):
    pdf = next(p for p in every_kind if p.parts[-4:-1] == ("full", "personal", "es"))
    assert str(PdfReader(str(pdf)).trailer["/Root"]["/Lang"]).startswith("es")
    alts = [e.alt for e in check(pdf).walk() if e.role == "Figure"]
    body_map = next(a for a in alts if a.startswith("Mapa del cuerpo"))
    assert "Marca en:" in body_map and " and " not in body_map and "Shaded" not in body_map


# --------------------------------------------------------------------------- custom templates

LONG_WORDS = " ".join(f"word{i} at home" for i in range(400))


def _build(tmp_path: Path, source: str, *extra: str) -> Path:
    tdir = tmp_path / "tpl"
    tdir.mkdir(exist_ok=True)
    (tdir / "probe.html.j2").write_text(source, encoding="utf-8")
    out = tmp_path / "out"
    result = run("build", "upper-trapezius", "--templates", str(tdir), "--template", "probe",
                 "--out", str(out), *extra)
    assert result.exit_code == 0, result.output
    return next(out.rglob("*.pdf"))


def test_wrapped_lines_keep_their_space(tmp_path):
    pdf = _build(tmp_path, f"<h1>Probe</h1><p>{LONG_WORDS}</p><bodymap/>")
    report = check(pdf)
    assert report.problems == []
    para = next(e for e in report.walk() if e.role == "P" and "word0" in report.text_of(e))
    # One element, one piece on each page it runs over.
    assert len({page for page, _ in para.mcids}) >= 2
    assert norm(report.text_of(para)) == LONG_WORDS
    assert "athome" not in report.text_of(para) and "homeword" not in report.text_of(para)


def test_repeated_table_header_is_read_once(tmp_path):
    rows = "".join(f"<tr><td>Row {i}</td><td>{i} days</td></tr>" for i in range(120))
    pdf = _build(tmp_path, f"<h1>Probe</h1><table><tr><th>Grade</th><th>Healing</th></tr>{rows}"
                           f"</table><bodymap/>")
    report = check(pdf)
    assert report.problems == []
    assert len(PdfReader(str(pdf)).pages) >= 3
    table = next(e for e in report.walk() if e.role == "Table")
    assert len(table.kids) == 121
    th = table.kids[0].kids[0]
    assert th.role == "TH" and len(th.mcids) == 1 and report.text_of(th).strip() == "Grade"
    # The header printed again on later pages is there, as an artifact.
    assert sum(t.strip() == "Grade" for t in report.artifact_text) >= 2


def test_heading_levels_never_skip(tmp_path):
    pdf = _build(tmp_path, "<h1>Probe</h1><h3>Straight to three</h3><p>Text.</p>"
                           "<h2>Two</h2><h3>Three</h3><bodymap/>")
    report = check(pdf)
    assert report.problems == []
    assert [r for r in report.roles() if r.startswith("H")] == ["H1", "H2", "H2", "H3"]


def test_every_markup_tag_in_a_template_of_ones_own(tmp_path, brand):
    """A clinic's own template using every tag is tagged as fully as the built-in ones."""
    from PIL import Image

    from handouts.markup import TAGS

    skip = {"li", "tr", "th", "td", "column", "contents", "pageref", "page", "h1"}
    body = "".join(t.example for name, t in TAGS.items() if name not in skip)
    tdir = tmp_path / "tpl"
    tdir.mkdir()
    Image.new("RGB", (300, 200), "#88aa88").save(tdir / "stretch.png")
    pdf = _build(tmp_path, f"{TAGS['page'].example}<h1>{{{{ muscle.name }}}}</h1>{body}",
                 "--brand", str(brand))
    report = check(pdf)
    assert report.problems == []
    roles = set(report.roles())
    assert {"H1", "H2", "H3", "P", "L", "LI", "Lbl", "LBody", "Table", "TR", "TH", "TD",
            "Figure", "Sect", "Link"} <= roles
    alts = [e.alt for e in report.walk() if e.role == "Figure"]
    assert "A person leaning on a wall" in alts and any(a.startswith("QR code: ") for a in alts)
    _verapdf_passes(pdf)


def test_every_tag_in_every_box(tmp_path, brand):
    """Each tag a callout, a <keep> or a column may hold, in each of them: it lays
    out on one page, is fully tagged and passes PDF/UA-1."""
    from PIL import Image

    from handouts.markup import TAGS

    tdir = tmp_path / "tpl"
    tdir.mkdir()
    Image.new("RGB", (300, 200), "#88aa88").save(tdir / "stretch.png")
    wrap = {"callout": '<callout title="Box">{}</callout>', "keep": "<keep>{}<p>After.</p></keep>",
            "column": "<columns><column>{}</column><column><p>Right.</p></column></columns>"}
    names = []
    for box, outer in wrap.items():
        for child in sorted(TAGS[box].children - {"contents", "pageref", "page"}):
            name = f"{box}-{child}"
            body = outer.format(TAGS[child].example)
            (tdir / f"{name}.html.j2").write_text(
                f"<h1>{{{{ muscle.name }}}}</h1><p>Before.</p>{body}<p>End.</p>", encoding="utf-8")
            names.append(name)
    out = tmp_path / "out"
    result = run("build", "piriformis", "--templates", str(tdir), "--template", ",".join(names),
                 "--brand", str(brand), "--out", str(out), "-q")
    assert result.exit_code == 0, result.output
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) == len(names) > 30
    for pdf in pdfs:
        assert len(PdfReader(str(pdf)).pages) == 1, pdf.name
        assert check(pdf).problems == [], pdf.name
    _verapdf_passes(*pdfs)


def _verapdf_passes(*pdfs: Path) -> None:
    verapdf = _load_verapdf()
    if verapdf.unavailable_reason() and not (os.environ.get("CI") and shutil.which("java")):
        return  # the session test above says why veraPDF cannot run here
    results = verapdf.validate(list(pdfs))
    assert {p.name: [f.rule for f in fs] for p, fs in results.items() if fs} == {}


def test_img_without_alt_text_is_a_template_error(tmp_path):
    tdir = tmp_path / "tpl"
    tdir.mkdir()
    shutil.copy(ROOT / "handouts/assets/bodymap/front.svg", tdir / "x.svg")
    (tdir / "probe.html.j2").write_text('<h1>P</h1><img src="x.png" alt="  "/>')
    result = run("build", "upper-trapezius", "--templates", str(tdir), "--template", "probe",
                 "--out", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert "probe.html.j2" in result.output and "alt" in result.output
    assert "cannot be blank" in result.output
    assert "Traceback" not in result.output
    with pytest.raises(ValueError, match="alt text"):
        tagging.Node("Figure", alt="")


# --------------------------------------------------------------------------- negative checks


@contextlib.contextmanager
def _untagged_furniture(monkeypatch):  # noqa: ANN001, ANN202
    """Draw the page header and footer as if no one had marked them as artifacts."""
    import handouts.pdf.furniture as furniture

    @contextlib.contextmanager
    def nothing(canvas):  # noqa: ANN001, ANN202
        yield

    monkeypatch.setattr(furniture, "artifact_on", nothing)
    yield


def test_untagged_header_fails_the_checks(tmp_path, monkeypatch):
    with _untagged_furniture(monkeypatch):
        pdf = _build(tmp_path, "<h1>Probe</h1><p>Text.</p><pagebreak/><p>More.</p><bodymap/>")
    problems = check(pdf).problems
    assert any("outside tagged content and artifacts" in p for p in problems), problems
    _verapdf_fails(pdf, "7.1-3")


def test_missing_alt_text_fails_the_checks(tmp_path, monkeypatch):
    real = tagging.Element.__init__

    def no_alt(self, role, parent, alt=None, attrs=None):  # noqa: ANN001
        real(self, role, parent, None, attrs)

    monkeypatch.setattr(tagging.Element, "__init__", no_alt)
    pdf = _build(tmp_path, "<h1>Probe</h1><p>Text.</p><bodymap/>")
    assert "a Figure without alt text" in check(pdf).problems
    _verapdf_fails(pdf, "7.3-1")


def _verapdf_fails(pdf: Path, rule: str) -> None:
    verapdf = _load_verapdf()
    if verapdf.unavailable_reason() and not (os.environ.get("CI") and shutil.which("java")):
        return  # veraPDF cannot run here; our own check above has already failed it
    failures = verapdf.validate([pdf])[pdf]
    assert rule in {f.rule for f in failures}, failures


# --------------------------------------------------------------------------- unchanged by tagging


def _render_untagged(tmp_path: Path) -> Path:
    """The same handout with tagging switched off."""
    from handouts.library import load_library
    from handouts.pdf.typesetter import Typesetter
    from handouts.resources import builtin_data_dir

    lib = load_library().library
    pdf = Typesetter(lib, data_dir=builtin_data_dir()).handout(lib.muscles["upper-trapezius"],
                                                                tagged=False)
    out = tmp_path / "untagged.pdf"
    out.write_bytes(pdf)
    return out


def test_text_and_pages_unchanged_by_tagging(tmp_path):
    tagged_dir = tmp_path / "tagged"
    assert run("build", "upper-trapezius", "--out", str(tagged_dir), "-q").exit_code == 0
    tagged = tagged_dir / "upper-trapezius.pdf"
    untagged = _render_untagged(tmp_path)
    assert check(untagged).root is None  # the switch-off worked
    a, b = PdfReader(str(untagged)), PdfReader(str(tagged))
    assert len(a.pages) == len(b.pages)
    for pa, pb in zip(a.pages, b.pages, strict=True):
        ta = [line.rstrip() for line in pa.extract_text().splitlines()]
        tb = [line.rstrip() for line in pb.extract_text().splitlines()]
        assert ta == tb
    if shutil.which("pdftotext"):
        texts = [subprocess.run(["pdftotext", "-layout", str(p), "-"], capture_output=True,
                                text=True).stdout for p in (untagged, tagged)]
        assert [x.rstrip() for x in texts[0].splitlines()] == \
            [x.rstrip() for x in texts[1].splitlines()]
    da, db = pdfium.PdfDocument(str(untagged)), pdfium.PdfDocument(str(tagged))
    for i in range(len(da)):
        ia = da[i].render(scale=1).to_pil().tobytes()
        ib = db[i].render(scale=1).to_pil().tobytes()
        assert ia == ib, f"page {i + 1} looks different"


def test_cost_of_tagging_in_file_size(tmp_path):
    tagged_dir = tmp_path / "tagged"
    assert run("build", "upper-trapezius", "--out", str(tagged_dir), "-q").exit_code == 0
    untagged = _render_untagged(tmp_path)
    size_t = (tagged_dir / "upper-trapezius.pdf").stat().st_size
    size_u = untagged.stat().st_size
    assert size_t <= size_u * 1.2, (size_t, size_u)


# --------------------------------------------------------------------------- reportlab internals


