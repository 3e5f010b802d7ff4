"""Clinic branding: the brand file, logos, colours, fonts and the 'Prepared for' box."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import pdf_text, run
from PIL import Image
from pypdf import PdfReader

from handouts.brand import contrast


@pytest.fixture
def brand_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "brand"
    r = run("brand", "init", str(folder))
    assert r.exit_code == 0, r.output
    return folder


def test_the_starter_brand_warns_until_it_is_the_clinics_own(brand_dir, tmp_path):
    r = run("brand", "check", str(brand_dir / "brand.yaml"))
    assert r.exit_code == 0
    assert "brand.yaml:8: clinic: still the starter brand's clinic, address, phone" in r.output
    r = build(brand_dir, tmp_path)
    assert r.exit_code == 0 and "still the starter brand's" in r.output
    edit(brand_dir, "clinic: Riverside Physical Therapy", "clinic: Lakeside Physio")
    r = run("brand", "check", str(brand_dir / "brand.yaml"))
    assert "still the starter brand's address, phone" in r.output
    assert "'120 River Road, Suite 4, Springfield'" in r.output


def edit(brand_dir: Path, old: str, new: str) -> Path:
    path = brand_dir / "brand.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def build(brand_dir: Path, out: Path, *extra: str):
    return run("build", "gluteus-minimus", "--brand", str(brand_dir / "brand.yaml"),
               "--out", str(out), *extra)


def test_init_writes_starter_and_refuses_to_overwrite(brand_dir):
    assert (brand_dir / "brand.yaml").is_file() and (brand_dir / "logo.svg").is_file()
    again = run("brand", "init", str(brand_dir))
    assert again.exit_code == 1 and "use --force" in again.output
    assert run("brand", "init", str(brand_dir), "--force").exit_code == 0


def test_starter_brand_checks_and_builds(brand_dir, tmp_path):
    r = run("brand", "check", str(brand_dir / "brand.yaml"))
    assert r.exit_code == 0 and "no problems" in r.output
    r = build(brand_dir, tmp_path)
    assert r.exit_code == 0, r.output
    reader = PdfReader(str(tmp_path / "gluteus-minimus.pdf"))
    assert reader.metadata.author == "Riverside Physical Therapy"
    for page in reader.pages:
        text = page.extract_text()
        assert "Riverside Physical Therapy" in text and "(555) 010-0199" in text
    text = pdf_text(tmp_path / "gluteus-minimus.pdf", body_only=False)
    assert "https://example.org/book" in text  # the QR code's address, written out
    assert "call us at (555) 010-0199" in text  # the help-line override


def test_env_var_names_the_default_brand(brand_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("HANDOUTS_BRAND", str(brand_dir / "brand.yaml"))
    r = run("build", "piriformis", "--out", str(tmp_path))
    assert r.exit_code == 0, r.output
    assert PdfReader(str(tmp_path / "piriformis.pdf")).metadata.author == \
        "Riverside Physical Therapy"


@pytest.mark.parametrize("kind", ["png", "jpeg", "svg"])
def test_logo_kinds(brand_dir, tmp_path, kind):
    if kind != "svg":
        Image.new("RGB", (300, 100), "#1d4e63").save(brand_dir / f"logo.{kind}")
        edit(brand_dir, "logo: logo.svg", f"logo: logo.{kind}")
    r = build(brand_dir, tmp_path)
    assert r.exit_code == 0, r.output
    page = PdfReader(str(tmp_path / "gluteus-minimus.pdf")).pages[0]
    xobjects = page["/Resources"].get("/XObject", {})
    if kind == "svg":
        assert not xobjects  # drawn as vectors, not an image
    else:
        assert xobjects
    # Every stream is binary: ASCII85 would make the file a quarter larger.
    assert b"ASCII85Decode" not in (tmp_path / "gluteus-minimus.pdf").read_bytes()


def test_huge_logo_is_downsampled(brand_dir, tmp_path):
    Image.new("RGB", (6000, 6000), "#1d4e63").save(brand_dir / "big.png")
    edit(brand_dir, "logo: logo.svg", "logo: big.png")
    r = build(brand_dir, tmp_path)
    assert r.exit_code == 0, r.output
    page = PdfReader(str(tmp_path / "gluteus-minimus.pdf")).pages[0]
    (img,) = page["/Resources"]["/XObject"].values()
    assert img.get_object()["/Width"] <= 800
    assert (tmp_path / "gluteus-minimus.pdf").stat().st_size < 200_000


@pytest.mark.parametrize(("setup", "message"), [
    (lambda d: edit(d, "logo: logo.svg", "logo: missing.png"),
     "logo: file 'missing.png' not found"),
    (lambda d: (d / "bad.png").write_text("not an image") and
     edit(d, "logo: logo.svg", "logo: bad.png"), "the file is not a PNG or JPEG image"),
    (lambda d: (d / "empty.png").write_bytes(b"") or
     edit(d, "logo: logo.svg", "logo: empty.png"), "the logo file is empty"),
    (lambda d: edit(d, 'primary: "#1d4e63"', 'primary: "#7fb3d5"'),
     "colors.primary: #7fb3d5 on white has a contrast ratio of 2.2"),
    (lambda d: edit(d, 'primary: "#1d4e63"', 'primary: "blue"'),
     "colors.primary: expected a colour like #1d4e63, got 'blue'"),
    (lambda d: edit(d, "# fonts:\n#   regular: fonts/MyFont-Regular.ttf",
                    "fonts:\n  regular: fonts/MyFont-Regular.ttf"),
     "fonts.regular: file 'fonts/MyFont-Regular.ttf' not found"),
    (lambda d: edit(d, "logo: logo.svg", "logo: ../../etc/passwd"), "outside the brand's folder"),
    (lambda d: edit(d, "paper: letter", "paper: legal"), "paper: expected one of letter, a4"),
    (lambda d: edit(d, "clinic:", "clinc:"), "clinc: unknown field (did you mean 'clinic'?)"),
    (lambda d: edit(d, 'emergency_number: "911"', "emergency_number: 112"),
     "emergency_number: expected text, got a number (put it in quotes)"),
    (lambda d: edit(d, 'emergency_number: "911"', 'emergency_number: "call us"'),
     "emergency_number: expected a phone number such as \"112\", got 'call us'"),
    (lambda d: edit(d, "  # first_aid:\n  #   limb:\n  #     title:",
                    "  first_aid:\n    title: Ours\n  #     title:"),
     "overrides.first_aid: first aid now has one block per body part (limb, neck, jaw, "
     "trunk); put this block under 'limb:'"),
])
def test_bad_brand_settings(brand_dir, tmp_path, setup, message):
    setup(brand_dir)
    for r in (build(brand_dir, tmp_path), run("brand", "check", str(brand_dir / "brand.yaml"))):
        assert r.exit_code == 1, r.output
        assert "brand.yaml" in r.output or "logo" in r.output
        assert message in r.output, r.output
        assert "Traceback" not in r.output
    assert not (tmp_path / "gluteus-minimus.pdf").exists()


def test_svg_logo_with_external_reference_is_refused(brand_dir, tmp_path):
    (brand_dir / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'width="10" height="10"><image xlink:href="file:///etc/passwd"/></svg>')
    r = build(brand_dir, tmp_path)
    assert r.exit_code == 1 and "refers to another file" in r.output


def test_font_that_lacks_a_character(brand_dir, tmp_path):
    edit(brand_dir, "clinic: Riverside Physical Therapy", "clinic: Riverside \u0416 Therapy")
    r = build(brand_dir, tmp_path)
    assert r.exit_code == 1
    assert "cannot draw '\u0416' (U+0416 CYRILLIC CAPITAL LETTER ZHE)" in r.output
    assert "clinic" in r.output and "brand.yaml" in r.output


def test_custom_font(brand_dir, tmp_path):
    dejavu = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not dejavu.is_file():
        pytest.skip("DejaVu Sans is not installed")
    (brand_dir / "fonts").mkdir()
    shutil.copy(dejavu, brand_dir / "fonts" / "DejaVuSans.ttf")
    edit(brand_dir, "# fonts:\n#   regular: fonts/MyFont-Regular.ttf",
         "fonts:\n  regular: fonts/DejaVuSans.ttf")
    r = build(brand_dir, tmp_path)
    assert r.exit_code == 0, r.output
    fonts = {str(f.get_object()["/BaseFont"]).split("+")[-1]
             for p in PdfReader(str(tmp_path / "gluteus-minimus.pdf")).pages
             for f in p["/Resources"]["/Font"].values()}
    assert fonts == {"DejaVuSans"}


def test_long_clinic_name_stays_inside_the_page(brand_dir, tmp_path):
    name = "The Very Long Name Community Physical Therapy, Massage and Chiropractic " \
           "Wellness Center of Springfield"
    assert len(name) > 100
    edit(brand_dir, "clinic: Riverside Physical Therapy", f"clinic: {name}")
    r = build(brand_dir, tmp_path)
    assert r.exit_code == 0, r.output
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from handouts.pdf.fonts import register_family

    family = register_family()
    page = PdfReader(str(tmp_path / "gluteus-minimus.pdf")).pages[0]
    width = float(page.mediabox.width)
    spans = []

    def visitor(text, cm, tm, font, size):
        if text.strip() and font:
            bold = "Bold" in str(font["/BaseFont"])
            x = tm[4] * cm[0] + cm[4]
            w = stringWidth(text.strip(), family.bold if bold else family.regular, size)
            spans.append((x, x + w * cm[0]))

    page.extract_text(visitor_text=visitor)
    assert spans
    assert min(x for x, _ in spans) >= 0.25 * 72  # the printable area
    assert max(right for _, right in spans) <= width - 0.25 * 72
    assert "Very Long Name" in page.extract_text()


def test_prepared_for_box(tmp_path):
    r = run("build", "piriformis", "--out", str(tmp_path), "--patient", "Maria Lopez",
            "--clinician", "Sam Lee", "--date", "2026-11-27", "--note", "Walk daily")
    assert r.exit_code == 0, r.output
    # Beside the library's copy, never named for the patient.
    assert [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.pdf")] == [
        "personal/piriformis.pdf"]
    text = pdf_text(tmp_path / "personal" / "piriformis.pdf")
    for value in ("Prepared for", "Maria Lopez", "Sam Lee", "November 27, 2026", "Walk daily"):
        assert value in text


def test_bad_date(tmp_path):
    r = run("build", "piriformis", "--out", str(tmp_path), "--date", "27/11/2026")
    assert r.exit_code == 2 and "expected a date like 2026-11-27" in r.output


def test_contrast_ratio():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#1d4e63", "#ffffff") > 4.5


def test_emergency_number_is_the_clinics_in_every_language(brand_dir, tmp_path):
    edit(brand_dir, 'emergency_number: "911"', 'emergency_number: "144"')
    r = build(brand_dir, tmp_path, "--lang", "en,es", "--template", "full,summary")
    assert r.exit_code == 0, r.output
    for name in ("gluteus-minimus.pdf", "gluteus-minimus-summary.pdf",
                 "es/gluteus-minimus.pdf", "es/gluteus-minimus-summary.pdf"):
        text = pdf_text(tmp_path / name, body_only=False)
        assert "911" not in text and ("Call 144" in text or "Llame al 144" in text), name


def test_a4_brand_with_the_us_number_gets_a_warning(brand_dir, tmp_path):
    edit(brand_dir, "phone: (555) 010-0199", "phone: (555) 222-3344")
    edit(brand_dir, "clinic: Riverside Physical Therapy", "clinic: Lakeside Physio")
    edit(brand_dir, "address: 120 River Road, Suite 4, Springfield", "address: 9 Lake St")
    edit(brand_dir, "paper: letter", "paper: a4")
    r = run("brand", "check", str(brand_dir / "brand.yaml"))
    assert r.exit_code == 0, r.output
    assert "warning: " in r.output and "emergency_number: the paper is A4" in r.output
    assert "no problems, 1 warning" in r.output
    r = build(brand_dir, tmp_path)
    assert r.exit_code == 0 and "the paper is A4" in r.output
    edit(brand_dir, 'emergency_number: "911"', 'emergency_number: "112"')
    r = run("brand", "check", str(brand_dir / "brand.yaml"))
    assert "warning" not in r.output


def test_first_aid_override_of_one_body_part(brand_dir, tmp_path):
    edit(brand_dir, "  # first_aid:\n  #   limb:\n  #     title: First aid for a new strain\n"
         "  #     intro: For the first 1 to 3 days.\n  #     steps:\n"
         "  #       - Protect the muscle and rest it.\n"
         "  #     after: Then start to move again, a little at a time.",
         "  first_aid:\n    limb:\n      title: Our first aid\n      intro: Days 1 to 3.\n"
         "      steps:\n        - Protect it, then load it gently.\n"
         "      after: Then build up.")
    r = run("build", "gluteus-minimus", "masseter", "--brand", str(brand_dir / "brand.yaml"),
            "--out", str(tmp_path))
    assert r.exit_code == 0, r.output
    assert "Protect it, then load it gently." in pdf_text(tmp_path / "gluteus-minimus.pdf")
    jaw = pdf_text(tmp_path / "masseter.pdf")
    assert "Protect it, then load it gently." not in jaw and "Eat soft foods" in jaw


def test_svg_logo_text_is_drawn_in_the_embedded_font(brand_dir, tmp_path):
    (brand_dir / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60">'
        '<text x="10" y="40" font-family="Helvetica" font-size="30">Lakeside</text></svg>',
        encoding="utf-8")
    r = build(brand_dir, tmp_path)
    assert r.exit_code == 0, r.output
    from pypdf import PdfReader

    fonts = set()
    for page in PdfReader(str(tmp_path / "gluteus-minimus.pdf")).pages:
        for f in page["/Resources"]["/Font"].values():
            f = f.get_object()
            fonts.add((str(f["/BaseFont"]), "/FontDescriptor" in f or "/DescendantFonts" in f))
    assert not any("Helvetica" in name for name, _ in fonts), fonts
    assert all(embedded for _, embedded in fonts), fonts


def test_a_huge_image_logo_is_refused_in_words(brand_dir, tmp_path):
    import struct
    import zlib

    # A valid PNG header claiming 20000 x 20000 pixels (never decoded).
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 20000, 20000, 8, 2,
                                                            0, 0, 0))
           + chunk(b"IDAT", zlib.compress(b"\x00" * 10)) + chunk(b"IEND", b""))
    (brand_dir / "big.png").write_bytes(png)
    edit(brand_dir, "logo: logo.svg", "logo: big.png")
    r = run("brand", "check", str(brand_dir / "brand.yaml"))
    assert r.exit_code == 1
    assert "the image is 20000 x 20000 pixels (400 megapixels); the limit is" in r.output
    assert "Error" not in r.output.replace("error:", "")
