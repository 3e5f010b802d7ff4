"""Every kind of mistake a clinic can make: never a crash, never a half-written
file, never text that acts as code.

Each failure must be one clear line (file, line and field where there are
any), exit status 1 and no traceback; text from the data and the command line
is printed as typed, less invisible control and zero-width characters (dropped
by ``handouts.validate.clean_text``). Bad inputs already covered by test_errors.py,
test_brand.py, test_templates.py and test_batch.py are not repeated here.
"""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from conftest import pdf_text, run
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader

from handouts.library import muscle_files
from handouts.pdf.fonts import register_family
from handouts.pdf.logo import MAX_LOGO_BYTES
from handouts.resources import builtin_data_dir
from handouts.templating import MAX_OUTPUT_CHARS
from handouts.validate import clean_text

# ---------------------------------------------------------------- helpers


def build(data: Path | None, out: Path, *args: str):
    extra = ["--data", str(data)] if data is not None else []
    return run("build", *(args or ("piriformis",)), *extra, "--out", str(out))


def assert_fails_cleanly(result, *expected: str) -> None:
    """Exit 1 through our own error path, no traceback, each expected text on one error line."""
    assert result.exit_code == 1, result.output
    # CliRunner turns an unhandled exception into exit code 1 too: it must be a clean exit.
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    for text in expected:
        hits = [line for line in lines if text in line]
        assert hits, f"{text!r} not in:\n{result.output}"
        assert all(line.startswith("error: ") for line in hits), result.output


def assert_built(result) -> None:
    assert result.exit_code == 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def temporary_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith(".tmp"))


def line_of(path: Path, needle: str) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return n
    raise AssertionError(needle)


def set_block(path: Path, key: str, block: str) -> None:
    """Replace a top-level field of a YAML file (its key line and indented lines)."""
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(rf"^{re.escape(key)}:.*\n(?:(?:[ \t].*)?\n)*", re.M)
    assert pattern.search(text), key
    path.write_text(pattern.sub(lambda _: block.rstrip("\n") + "\n\n", text, count=1),
                    encoding="utf-8")


def quoted(value: str) -> str:
    """A YAML double-quoted scalar holding exactly ``value`` (escapes for anything unusual)."""
    return yaml.safe_dump(value, default_style='"', allow_unicode=False,
                          width=10**9).strip().removesuffix("...").strip()


def squash(text: str) -> str:
    """Without whitespace: a narrow table cell wraps where the source has no space."""
    return re.sub(r"\s+", "", text)


@pytest.fixture
def pir(data: Path) -> Path:
    return data / "muscles" / "piriformis.yaml"


@pytest.fixture
def brand_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "brand"
    assert run("brand", "init", str(folder)).exit_code == 0
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# ---------------------------------------------------------------- 1. bad input


@pytest.mark.parametrize(("file", "content", "message"), [
    ("muscles/piriformis.yaml", "Piriformis\n", "expected a mapping of fields, got text"),
    ("muscles/piriformis.yaml", "~\n", "expected a mapping of fields, got nothing"),
    ("shared.yaml", "42\n", "expected a mapping of fields, got a number"),
    ("regions.yaml", "hip\n", "expected a mapping of body-region groups"),
])
def test_top_level_scalar(data, tmp_path, file, content, message):
    (data / file).write_text(content, encoding="utf-8")
    result = build(data, tmp_path / "out")
    assert_fails_cleanly(result, f"{Path(file).name}:1: {message}")
    assert not (tmp_path / "out" / "piriformis.pdf").exists()


def test_top_level_scalar_in_a_brand_file(brand_dir, tmp_path):
    (brand_dir / "brand.yaml").write_text("Riverside Physical Therapy\n", encoding="utf-8")
    for result in (run("brand", "check", str(brand_dir / "brand.yaml")),
                   run("build", "piriformis", "--brand", str(brand_dir / "brand.yaml"),
                       "--out", str(tmp_path))):
        assert_fails_cleanly(result, "brand.yaml:1: expected a mapping of fields, got text")


@pytest.mark.parametrize(("key", "block", "needle", "field", "message"), [
    ("pain", "pain:\n  - a deep ache\n", "pain:", "pain",
     "expected a mapping of fields, got a list"),
    ("self_care", "self_care:\n  steps:\n    first: lie down\n  how_long: 1 minute\n"
     "  how_often: daily\n", "  steps:", "self_care.steps", "expected a list, got a mapping"),
    ("sources", "sources:\n  - Travell and Simons\n", "- Travell", "sources[0]",
     "expected a mapping of fields, got text"),
    ("strain", "strain:\n  about: A tear.\n  symptoms: Sudden pain.\n  causes: [Falls.]\n",
     "  symptoms:", "strain.symptoms", "expected a list, got text"),
    ("actions", "actions: 4\n", "actions:", "actions", "expected a list, got a number"),
    ("related_muscles", "related_muscles:\n  soleus: yes\n", "related_muscles:",
     "related_muscles", "expected a list, got a mapping"),
    ("sources", "sources:\n  - title: [a, list]\n    publisher: NIH\n", "title:",
     "sources[0].title", "expected text, got a list"),
])
def test_wrong_type_at_a_nested_level_names_the_field(data, pir, tmp_path, key, block, needle,
                                                      field, message):
    set_block(pir, key, block)
    line = line_of(pir, needle)
    assert_fails_cleanly(build(data, tmp_path),
                         f"piriformis.yaml:{line}: {field}: {message}")


def test_unreadable_muscle_file(data, pir, tmp_path, monkeypatch):
    # Tests run as root, where chmod 000 does not stop reading: refuse it here instead.
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == pir.name and self.parent.name == "muscles":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = build(data, tmp_path / "out", "piriformis", "soleus")
    assert_fails_cleanly(result, "piriformis.yaml: cannot read file: permission denied")
    assert "1 built, 0 unchanged, 1 failed" in result.output  # the other muscle still builds


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root can read a chmod 000 file; the monkeypatched test covers it")
def test_unreadable_muscle_file_for_real(data, pir, tmp_path):
    pir.chmod(0)
    try:
        assert_fails_cleanly(build(data, tmp_path), "piriformis.yaml: cannot read file")
    finally:
        pir.chmod(0o644)


def test_unreadable_brand_logo_and_template(brand_dir, templates, tmp_path, monkeypatch):
    import jinja2.loaders

    real_read_text = Path.read_text

    def read_text(self: Path, *args, **kwargs) -> str:
        if self.name == "logo.svg":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real_read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", read_text)
    brand = str(brand_dir / "brand.yaml")
    assert_fails_cleanly(run("brand", "check", brand),
                         "logo.svg: logo: cannot read the logo: Permission denied")
    assert_fails_cleanly(run("build", "piriformis", "--brand", brand, "--out", str(tmp_path)),
                         "logo.svg: logo: cannot read the logo: Permission denied")
    monkeypatch.undo()

    (templates / "mine.html.j2").write_text("<h1>{{ muscle.name }}</h1>\n", encoding="utf-8")

    def deny(file, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        if str(file).endswith("mine.html.j2"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(file))
        return open(file, *args, **kwargs)

    monkeypatch.setattr(jinja2.loaders, "open", deny, raising=False)
    result = run("build", "piriformis", "--templates", str(templates), "--template", "mine",
                 "--out", str(tmp_path))
    assert_fails_cleanly(result, "mine.html.j2: cannot read the template: Permission denied")


@pytest.mark.parametrize("command", ["build", "list", "check"])
def test_missing_data_folder(tmp_path, command):
    args = [command, "--data", str(tmp_path / "no-such-folder")]
    if command == "build":
        args += ["piriformis", "--out", str(tmp_path / "out")]
    assert_fails_cleanly(run(*args), "no-such-folder: data folder not found")
    (tmp_path / "empty").mkdir()
    args = [a.replace("no-such-folder", "empty") for a in args]
    assert_fails_cleanly(run(*args), "empty: no 'muscles' folder in the data folder")


def test_enormous_logo_is_refused_without_reading_it(brand_dir, tmp_path):
    with open(brand_dir / "huge.png", "wb") as f:
        f.truncate(MAX_LOGO_BYTES + 1)  # sparse: no disk space, and never read
    edit(brand_dir / "brand.yaml", "logo: logo.svg", "logo: huge.png")
    start = time.monotonic()
    result = run("build", "piriformis", "--brand", str(brand_dir / "brand.yaml"),
                 "--out", str(tmp_path / "out"))
    assert_fails_cleanly(result, "huge.png: logo: the logo file is too large")
    assert time.monotonic() - start < 5
    assert_fails_cleanly(run("brand", "check", str(brand_dir / "brand.yaml")),
                         "the logo file is too large")
    assert not (tmp_path / "out" / "piriformis.pdf").exists()


@pytest.mark.parametrize("damage", ["garbage-after-header", "truncated"])
def test_corrupt_png_logo(brand_dir, tmp_path, damage):
    Image.new("RGB", (300, 100), "#1d4e63").save(brand_dir / "good.png")
    raw = (brand_dir / "good.png").read_bytes()
    if damage == "garbage-after-header":
        bad = raw[:8] + os.urandom(4000)  # the PNG signature, then noise
    else:
        bad = raw[:40] + b"\0" * 100  # a valid header chunk, then the data cut off
    (brand_dir / "bad.png").write_bytes(bad)
    edit(brand_dir / "brand.yaml", "logo: logo.svg", "logo: bad.png")
    for result in (run("brand", "check", str(brand_dir / "brand.yaml")),
                   run("build", "piriformis", "--brand", str(brand_dir / "brand.yaml"),
                       "--out", str(tmp_path / "out"))):
        assert_fails_cleanly(result, "bad.png: logo: cannot read the logo: the file is not a PNG")
    assert temporary_files(tmp_path) == []


RUNAWAY = {
    # The loop from the issue: it prints, so the output limit stops it.
    "output": ("<h1>x</h1><p>{% for i in range(100000) %}{% for j in range(100000) %}x"
               "{% endfor %}{% endfor %}</p>\n",
               f"larger than {MAX_OUTPUT_CHARS} characters; is there a loop that never ends?"),
    # The same loop printing nothing: the clock stops it.
    "silent": ("<h1>x</h1>\n{% for i in range(100000) %}{% for j in range(100000) %}"
               "{% endfor %}{% endfor %}\n",
               "mine.html.j2:2: the template took longer than"),
    "range": ("<h1>x</h1>\n<p>{% for i in range(10 ** 9) %}x{% endfor %}</p>\n",
              "mine.html.j2:2: error: Range too big"),
    "repeat": ("<h1>x</h1>\n\n<p>{{ 'x' * 10 ** 10 }}</p>\n",
               "mine.html.j2:3: error: repeating a value 10000000000 times"),
    "power": ("<h1>x</h1>\n<p>{{ 10 ** (10 ** 10) }}</p>\n",
              "mine.html.j2:2: error: 10 ** 10000000000 is too large a number"),
    "include-self": ("<h1>x</h1>\n{% include 'mine.html.j2' %}\n",
                     "mine.html.j2:2: template calls itself without end"),
    "macro": ("{% macro f() %}{{ f() }}{% endmacro %}<h1>x</h1>{{ f() }}\n",
              "template calls itself without end"),
}


@pytest.mark.parametrize("kind", RUNAWAY)
def test_runaway_template_stops_quickly_with_a_clear_message(templates, tmp_path, kind):
    body, message = RUNAWAY[kind]
    (templates / "mine.html.j2").write_text(body, encoding="utf-8")
    start = time.monotonic()
    result = run("build", "piriformis", "--templates", str(templates), "--template", "mine",
                 "--out", str(tmp_path / "out"))
    assert time.monotonic() - start < 5
    assert_fails_cleanly(result, message)
    assert "mine.html.j2" in result.output
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_template_that_is_not_utf8(templates, tmp_path):
    (templates / "mine.html.j2").write_bytes("<h1>x</h1>\n<p>Caf\u00e9</p>\n".encode("latin-1"))
    (templates / "uses.html.j2").write_text("<h1>y</h1>\n{% include 'mine.html.j2' %}\n",
                                            encoding="utf-8")
    expected = "mine.html.j2:2: not valid UTF-8 text (byte 0xe9); save the file as UTF-8"
    for name in ("mine", "uses"):
        result = run("build", "piriformis", "--templates", str(templates), "--template", name,
                     "--out", str(tmp_path))
        assert_fails_cleanly(result, expected)
    (templates / "uses.html.j2").unlink()
    result = run("check", "--templates", str(templates))
    assert_fails_cleanly(result, expected)
    assert result.output.count(expected) == 1  # said once, though it cannot be rendered either
    assert run("templates", "--templates", str(templates)).exit_code == 0


def _full_disk_on_save(monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.fdopen

    class HalfFull:
        """Half of the file fits on the disk, then no more."""

        def __init__(self, f):  # noqa: ANN001
            self.f = f

        def __enter__(self):  # noqa: ANN204
            return self

        def __exit__(self, *exc):  # noqa: ANN002, ANN204
            self.f.close()

        def write(self, data):  # noqa: ANN001, ANN202
            self.f.write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def fdopen(fd, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        return HalfFull(real(fd, *args, **kwargs))

    monkeypatch.setattr(os, "fdopen", fdopen)


def _full_disk_on_rename(monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.replace

    def replace(src, dst, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        if str(dst).endswith(".pdf"):
            raise OSError(errno.ENOSPC)  # no message of its own: we must still say why
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)


def _full_disk_on_create(monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.open

    def open_(path, flags, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        name = os.path.basename(str(path))
        if name.startswith(".p") and name.endswith(".tmp"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", open_)


@pytest.mark.parametrize("command", ["build", "booklet"])
@pytest.mark.parametrize("fill", [_full_disk_on_save, _full_disk_on_rename, _full_disk_on_create],
                         ids=["while-writing", "while-renaming", "no-room-for-the-file"])
def test_disk_full_keeps_the_previous_pdf(tmp_path, monkeypatch, command, fill):
    out = tmp_path / "out"
    if command == "build":
        args = ["build", "piriformis", "--out", str(out), "--force"]
        target = out / "piriformis.pdf"
    else:
        args = ["booklet", "piriformis", "-o", str(out / "pack.pdf")]
        target = out / "pack.pdf"
    assert_built(run(*args))
    good = target.read_bytes()
    fill(monkeypatch)
    result = run(*args)
    assert_fails_cleanly(result, "cannot write the PDF: No space left on device")
    assert target.name in result.output
    assert target.read_bytes() == good
    assert temporary_files(tmp_path) == []
    monkeypatch.undo()
    assert_built(run(*args))  # and once there is room again, it builds


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs POSIX process groups")
def test_ctrl_c_in_a_parallel_batch(tmp_path):
    out = tmp_path / "out"
    assert_built(run("build", "piriformis", "--out", str(out)))  # a record from before
    proc = subprocess.Popen(
        [sys.executable, "-m", "handouts", "build", "--all", "--template", "full,summary",
         "--jobs", "2", "--force", "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
        start_new_session=True)
    try:
        # Ctrl-C once the batch is under way (about half a second in, when its first
        # new PDF appears); a terminal sends it to every process of the job.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None:
            if any(p.name != "piriformis.pdf" for p in out.glob("*.pdf")):
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the batch ended before it could be interrupted"
        os.killpg(proc.pid, signal.SIGINT)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode != 0
    assert proc.returncode in (1, 130, -signal.SIGINT), stderr
    assert "Traceback" not in stderr, stderr
    assert temporary_files(tmp_path) == []
    pdfs = sorted(out.glob("*.pdf"))
    assert len(pdfs) < 2 * len(muscle_files(builtin_data_dir())), "it was not interrupted"
    for pdf in pdfs:
        assert pdf.read_bytes().rstrip().endswith(b"%%EOF"), pdf.name
        assert len(PdfReader(str(pdf)).pages) >= 1
    record = json.loads((out / ".handouts-build.json").read_text(encoding="utf-8"))
    assert isinstance(record["outputs"], dict)
    # What was recorded is really there, so the next build may trust it.
    assert all((out / name).is_file() for name in record["outputs"])


# ---------------------------------------------------------------- 2. text is only text

LITERAL = [
    "<b>",
    "</para>",
    "&amp;",
    "&#65;",
    "{{ 7*7 }}",
    "{% include 'x' %}",
    "${HOME}",
    "%(name)s {0} {name}",
    "https://example.com/a?b=1&c=2#top",
    '<font size="40" color="#ff0000">big</font>',
    "<img src=\"/etc/passwd\" alt=\"x\"/>",
]


@pytest.mark.parametrize("value", LITERAL)
def test_markup_and_code_in_text_print_literally(data, pir, tmp_path, value):
    set_block(pir, "summary", f"summary: {quoted(f'Start {value} end.')}")
    out = tmp_path / "out"
    result = build(data, out, "piriformis", "--patient", f"Pat {value} end",
                   "--note", f"Note {value} end")
    assert_built(result)
    text = pdf_text(out / "personal" / "piriformis.pdf")
    assert f"Start {value} end." in text
    assert f"Note {value} end" in text
    assert squash(f"Pat {value} end") in squash(text)
    if value == "{{ 7*7 }}":
        assert "49" not in text  # never worked out
    if value == "${HOME}" and len(os.environ.get("HOME", "")) > 1:
        assert os.environ["HOME"] not in text  # never expanded


def _drawn_outside(pdf: Path) -> list[tuple[int, str]]:
    """Text pieces any part of which lies outside the page box."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    family = register_family()
    outside = []
    for n, page in enumerate(PdfReader(str(pdf)).pages):
        width, height = float(page.mediabox.width), float(page.mediabox.height)

        def visit(text, cm, tm, font, size, n=n, width=width, height=height):  # noqa: ANN001
            piece = text.strip()
            if not piece or not font:
                return
            bold = "Bold" in str(font["/BaseFont"])
            x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
            w = stringWidth(piece, family.bold if bold else family.regular, size * tm[0]) * cm[0]
            if x < -0.5 or x + w > width + 0.5 or not 0 <= y <= height:
                outside.append((n, piece[:30]))

        page.extract_text(visitor_text=visit)
    return outside


def test_a_10000_character_word_breaks_inside_the_page(data, pir, tmp_path):
    word = "Pneumonoultramicroscopic" * 417  # 10,008 letters, no space
    set_block(pir, "summary", f"summary: Before {word} after.")
    edit(pir, "name: Piriformis", f"name: P{word[:4000]}")
    out = tmp_path / "out"
    assert_built(build(data, out, "piriformis", "--patient", word, "--note", word,
                       "--clinician", word[:3000]))
    pdf = out / "personal" / "piriformis.pdf"
    assert _drawn_outside(pdf) == []
    text = squash(pdf_text(pdf))
    assert squash(f"Before {word} after.") in text
    assert text.count(word) >= 2  # the summary and the note, each whole
    # The patient's cell runs over several pages, beside the other cells of its row.
    assert "Preparedfor" + word[:200] in text


@pytest.mark.parametrize(("value", "char"), [
    ("שלום", "U+05D5 HEBREW LETTER VAV"),
    ("مرحبا", "U+0627 ARABIC LETTER ALEF"),
    ("Feel better \U0001F600", "U+1F600 GRINNING FACE"),
    ("\U0001F44D\U0001F3FD", "U+1F44D THUMBS UP SIGN"),
    ("\U0001F468\u200d\U0001F469\u200d\U0001F467", "U+1F467 GIRL"),
])
def test_text_the_font_cannot_draw(data, pir, tmp_path, value, char):
    set_block(pir, "summary", f"summary: {quoted(f'A summary {value}')}")
    result = build(data, tmp_path / "a")
    assert_fails_cleanly(result, "piriformis.yaml: summary: the font Atkinson cannot draw")
    assert char in result.output
    result = build(None, tmp_path / "b", "piriformis", "--patient", value)
    assert_fails_cleanly(result, "error: patient: the font Atkinson cannot draw")
    assert char in result.output
    result = build(None, tmp_path / "c", "piriformis", "--note", value)
    assert_fails_cleanly(result, "notes[0]: the font Atkinson cannot draw")
    assert not list(tmp_path.rglob("*.pdf"))


INVISIBLE = "Zero\u200bwidth \u200djoiner bell\u0007 nul\u0000 mark\u200f esc\u001b[31m end"
VISIBLE = "Zerowidth joiner bell nul mark esc[31m end"


def test_invisible_characters_are_dropped(data, pir, tmp_path):
    assert clean_text(INVISIBLE) == VISIBLE
    set_block(pir, "summary", f"summary: {quoted(INVISIBLE)}")
    edit(pir, "name: Piriformis", f"name: {quoted('Piri' + chr(0x200B) + 'formis')}")
    out = tmp_path / "out"
    assert_built(build(data, out, "piriformis", "--patient", INVISIBLE, "--note", INVISIBLE,
                       "--clinician", "\u200b\u0007"))
    text = pdf_text(out / "personal" / "piriformis.pdf", body_only=False)
    assert VISIBLE in text and "Piriformis" in text
    assert squash(VISIBLE) in squash(text.split("Prepared for", 1)[1])
    assert "\x00" not in text  # no empty box drawn for a character the font lacks
    # The booklet's --title is typed too.
    result = run("booklet", "piriformis", "-o", str(tmp_path / "pack.pdf"),
                 "--title", "Hip\u0007 and \u200bback guide")
    assert_built(result)
    assert "Hip and back guide" in pdf_text(tmp_path / "pack.pdf")
    # A value that is only invisible characters is empty, and says so.
    set_block(pir, "summary", f"summary: {quoted(chr(0x200B) + chr(7))}")
    assert_fails_cleanly(build(data, tmp_path / "b"),
                         f"piriformis.yaml:{line_of(pir, 'summary:')}: summary: must not be empty")


def test_control_character_written_into_the_file(data, pir, tmp_path):
    edit(pir, "  - Sitting on a wallet", "  - Sitting on a \u0007wallet")
    line = line_of(pir, "Sitting on a \u0007wallet")
    assert_fails_cleanly(build(data, tmp_path),
                         f"piriformis.yaml:{line}: invalid YAML: the character U+0007 is not "
                         "allowed in a YAML file; remove it")


# ---------------------------------------------------------------- 3. paths


@pytest.mark.parametrize("src", ["../../etc/passwd", "/etc/passwd", "../outside.png",
                                 "link.png"])
def test_image_outside_the_template_and_data_folders_is_refused(templates, tmp_path, src):
    Image.new("RGB", (20, 20), "#1d4e63").save(tmp_path / "outside.png")
    (templates / "link.png").symlink_to(tmp_path / "outside.png")
    (templates / "mine.html.j2").write_text(f'<h1>x</h1>\n<img src="{src}" alt="x"/>\n',
                                            encoding="utf-8")
    result = run("build", "piriformis", "--templates", str(templates), "--template", "mine",
                 "--out", str(tmp_path / "out"))
    assert_fails_cleanly(result, f"<img>: image '{src}' not found in the template or data "
                                 "folders (paths cannot leave those folders)")
    assert not (tmp_path / "out" / "piriformis-mine.pdf").exists()


@pytest.mark.parametrize("logo", ["absolute", "symlink"])
def test_brand_logo_outside_the_brand_folder_is_refused(brand_dir, tmp_path, logo):
    Image.new("RGB", (20, 20), "#1d4e63").save(tmp_path / "outside.png")
    if logo == "absolute":
        value = str(tmp_path / "outside.png")
    else:
        (brand_dir / "logo.png").symlink_to(tmp_path / "outside.png")
        value = "logo.png"
    edit(brand_dir / "brand.yaml", "logo: logo.svg", f"logo: {value}")
    line = line_of(brand_dir / "brand.yaml", "logo: ")
    for result in (run("brand", "check", str(brand_dir / "brand.yaml")),
                   run("build", "piriformis", "--brand", str(brand_dir / "brand.yaml"),
                       "--out", str(tmp_path / "out"))):
        assert_fails_cleanly(result, f"brand.yaml:{line}: logo: '{value}' is outside the "
                                     "brand's folder")


# ---------------------------------------------------------------- 4. nothing lost


@pytest.mark.parametrize("breakage", ["yaml", "font"])
def test_failed_rebuild_keeps_the_previous_pdf(data, pir, tmp_path, breakage):
    out = tmp_path / "out"
    assert_built(build(data, out, "piriformis", "soleus"))
    good = {p.name: p.read_bytes() for p in out.glob("*.pdf")}
    original = pir.read_text(encoding="utf-8")
    if breakage == "yaml":
        edit(pir, "name: Piriformis", 'name: "Piriformis')
    else:
        edit(pir, "name: Piriformis", "name: Piriformis \u0416")
    result = build(data, out, "piriformis", "soleus", "--force")
    assert_fails_cleanly(result, "piriformis.yaml")
    assert result.output.strip().splitlines()[-1].startswith("1 built, 0 unchanged, 1 failed")
    assert (out / "piriformis.pdf").read_bytes() == good["piriformis.pdf"]
    assert temporary_files(tmp_path) == []
    # Put it right: the handout is the same as before, byte for byte.
    pir.write_text(original, encoding="utf-8")
    assert_built(build(data, out, "piriformis", "soleus"))
    assert {p.name: p.read_bytes() for p in out.glob("*.pdf")} == good


# ---------------------------------------------------------------- 5. any text at all

COVERED = frozenset(register_family().charset)
PROPERTY = settings(max_examples=25, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
# Any Unicode at all, and text the font can draw, so both outcomes are exercised.
DRAWABLE = st.sampled_from(sorted(chr(c) for c in COVERED if chr(c).isprintable()))
ANY_TEXT = st.one_of(st.text(), st.text(DRAWABLE, min_size=1))


def _check_outcome(result, value: str, pdf: Path, empty_is_error: bool) -> None:
    """Built with the text on the page, or the documented error; never anything else."""
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert "Traceback" not in result.output
    expected = clean_text(value)
    if not expected:
        event("empty")
        if empty_is_error:
            assert result.exit_code == 1 and "must not be empty" in result.output, result.output
        else:
            assert result.exit_code == 0, result.output
        return
    drawable = all(ord(c) in COVERED for c in expected)
    event("built" if drawable else "cannot draw")
    if drawable:
        assert result.exit_code == 0, result.output
        # Short texts, all on the first page: reading only that page keeps this quick.
        assert squash(expected) in squash(PdfReader(str(pdf)).pages[0].extract_text())
    else:
        assert result.exit_code == 1, result.output
        assert "cannot draw" in result.output, result.output
        assert not pdf.exists()


@pytest.mark.slow
@PROPERTY
@given(value=ANY_TEXT)
def test_any_text_in_a_muscle_field(data, pir, short, tmp_path_factory, value):
    set_block(pir, "summary", f"summary: {quoted(value)}")
    out = tmp_path_factory.mktemp("out")
    result = build(data, out, "piriformis", *short)
    _check_outcome(result, value, out / "piriformis-short.pdf", empty_is_error=True)


@pytest.fixture
def short(templates: Path) -> list[str]:
    """A one-page layout with the header and the 'Prepared for' box: quicker to build."""
    (templates / "short.html.j2").write_text(
        "<h1>{{ muscle.name }}</h1>\n<p>{{ muscle.summary }}</p>\n<prepared/>\n",
        encoding="utf-8")
    return ["--templates", str(templates), "--template", "short"]


@pytest.mark.slow
@PROPERTY
@given(value=st.one_of(st.text(max_size=40), st.text(DRAWABLE, min_size=1, max_size=40)))
def test_any_text_as_the_clinic_name(brand_dir, short, tmp_path_factory, value):
    brand = brand_dir / "brand.yaml"
    text = brand.read_text(encoding="utf-8")
    brand.write_text(re.sub(r"^clinic: .*$", lambda _: f"clinic: {quoted(value)}", text,
                            count=1, flags=re.M), encoding="utf-8")
    out = tmp_path_factory.mktemp("out")
    result = run("build", "piriformis", *short, "--brand", str(brand), "--out", str(out))
    _check_outcome(result, value, out / "piriformis-short.pdf", empty_is_error=True)


@pytest.mark.slow
@PROPERTY
@given(value=ANY_TEXT)
def test_any_text_as_the_patient(short, tmp_path_factory, value):
    out = tmp_path_factory.mktemp("out")
    result = run("build", "piriformis", *short, f"--patient={value}", "--out", str(out))
    _check_outcome(result, value, out / "personal" / "piriformis-short.pdf",
                   empty_is_error=False)
