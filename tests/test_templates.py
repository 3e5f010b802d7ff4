"""Template errors name the template file and line; overrides and escaping work."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import BUILTIN_TEMPLATES, pdf_text, run


def build_with(templates: Path, body: str, tmp_path: Path, name: str = "mine"):
    (templates / f"{name}.html.j2").write_text(body, encoding="utf-8")
    return run(
        "build",
        "gluteus-minimus",
        "--templates",
        str(templates),
        "--template",
        name,
        "--out",
        str(tmp_path / "out"),
    )


def test_syntax_error(templates, tmp_path):
    r = build_with(templates, "<h1>x</h1>\n{% if %}\n", tmp_path)
    assert r.exit_code == 1
    assert "mine.html.j2:2: template syntax error" in r.output


def test_undefined_variable(templates, tmp_path):
    r = build_with(templates, "<h1>x</h1>\n<p>{{ muscle.nmae }}</p>\n", tmp_path)
    assert r.exit_code == 1
    assert "mine.html.j2:2: undefined variable" in r.output and "nmae" in r.output


def test_unknown_tag_and_attribute(templates, tmp_path):
    r = build_with(templates, "<h1>x</h1>\n\n<blink>y</blink>\n", tmp_path)
    assert r.exit_code == 1 and "mine.html.j2:3: unknown tag <blink>" in r.output
    r = build_with(templates, '<h1>x</h1>\n<p colour="red">y</p>\n', tmp_path)
    assert r.exit_code == 1
    assert "mine.html.j2:2: <p> has no attribute 'colour' (allowed: style)" in r.output


def test_wrong_nesting_in_an_override(templates, tmp_path):
    body = (
        '{% extends "full.html.j2" %}\n{% block symptoms %}\n<h2>Signs</h2>\n'
        "<p>x<h3>y</h3></p>\n{% endblock %}\n"
    )
    r = build_with(templates, body, tmp_path)
    assert r.exit_code == 1
    assert "mine.html.j2:4: <h3> cannot go inside <p>" in r.output


def test_override_extends_and_replaces_blocks(templates, tmp_path):
    body = (
        '{% extends "full.html.j2" %}\n'
        "{% block strain %}{% endblock %}\n"
        "{% block doctor %}{{ super() }}\n<h2>Book your follow-up</h2>\n"
        "<p>Call us to book.</p>\n{% endblock %}\n"
    )
    r = build_with(templates, body, tmp_path)
    assert r.exit_code == 0, r.output
    text = pdf_text(tmp_path / "out" / "gluteus-minimus-mine.pdf")
    assert "Book your follow-up" in text and "When to see a doctor" in text
    assert "Strain grades" not in text and "Where you may feel it" in text


def test_same_name_replaces_builtin(templates, tmp_path):
    r = build_with(templates, "<h1>Our own {{ muscle.name }}</h1>\n", tmp_path, name="full")
    assert r.exit_code == 0, r.output
    text = pdf_text(tmp_path / "out" / "gluteus-minimus.pdf")
    assert "Our own Gluteus minimus" in text and "Where you may feel it" not in text


def test_template_by_path(templates, tmp_path):
    path = templates / "onefile.html.j2"
    path.write_text("<h1>By path</h1>\n", encoding="utf-8")
    r = run("build", "gluteus-minimus", "--template", str(path), "--out", str(tmp_path))
    assert r.exit_code == 0, r.output
    assert "By path" in pdf_text(tmp_path / "gluteus-minimus-onefile.pdf")


def test_data_text_is_printed_literally(data, tmp_path):
    pir = data / "muscles" / "piriformis.yaml"
    hostile = "<b>bold</b> </para> &amp; {{ 7*7 }} {% include 'x' %} ${HOME}"
    text = pir.read_text(encoding="utf-8").replace(
        "name: Piriformis", f"name: {json.dumps(hostile)}", 1
    )
    pir.write_text(text, encoding="utf-8")
    r = run("build", "piriformis", "--data", str(data), "--out", str(tmp_path))
    assert r.exit_code == 0, r.output
    assert hostile in pdf_text(tmp_path / "piriformis.pdf")


def test_check_lints_template_source(templates):
    (templates / "mine.html.j2").write_text("<h1>x</h1>\n<p>\n<marquee/></p>\n")
    r = run("check", "--templates", str(templates))
    assert r.exit_code == 1
    assert "mine.html.j2:3: unknown tag <marquee>" in r.output


def test_a_clinic_full_template_extends_the_builtin_one(templates, tmp_path):
    body = ('{% extends "builtin/full.html.j2" %}\n'
            "{% block disclaimer %}{{ super() }}\n<p>Our clinic's own last word.</p>\n"
            "{% endblock %}\n")
    r = build_with(templates, body, tmp_path, name="full")
    assert r.exit_code == 0, r.output
    text = pdf_text(tmp_path / "out" / "gluteus-minimus.pdf")
    assert "Our clinic's own last word." in text and "Where you may feel it" in text


def test_a_mistake_deep_in_a_copy_of_a_builtin_is_found_at_its_line(templates, tmp_path):
    source = (BUILTIN_TEMPLATES / "summary.html.j2").read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(source, 1) if "<ol>" in text)
    source[line - 1] = source[line - 1].replace("<ol>", "<ol reversed='1'>")
    (templates / "copy.html.j2").write_text("\n".join(source) + "\n", encoding="utf-8")
    expected = f"copy.html.j2:{line}: <ol> has no attribute 'reversed'"
    r = run("build", "masseter", "--templates", str(templates), "--template", "copy",
            "--out", str(tmp_path))
    assert r.exit_code == 1 and expected in r.output, r.output
    r = run("check", "--templates", str(templates), "--lang", "en")
    assert r.exit_code == 1 and expected in r.output, r.output


def test_check_finds_what_only_a_build_used_to_find(templates, tmp_path):
    body = ("<h1>{{ muscle.name }}</h1>\n\n<table widths='50,50'>\n"
            "  <tr><td>a</td><td>b</td><td>c</td></tr>\n</table>\n")
    (templates / "wide.html.j2").write_text(body, encoding="utf-8")
    expected = "wide.html.j2:3: <table>: widths gives 2 columns, the table has 3"
    r = run("check", "--templates", str(templates), "--lang", "en")
    assert r.exit_code == 1 and expected in r.output, r.output
    r = run("build", "piriformis", "--templates", str(templates), "--template", "wide",
            "--out", str(tmp_path))
    assert r.exit_code == 1 and expected in r.output, r.output


def test_compiled_templates_are_kept_and_an_edited_one_is_compiled_again(tmp_path, monkeypatch):
    from handouts.templating import Templates

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "card.html.j2").write_text("<p>First words</p>\n", encoding="utf-8")
    first, _ = Templates([mine]).render("card", {})
    kept = list((tmp_path / "cache" / "handouts" / "templates").iterdir())
    assert first == "<p>First words</p>\n" and len(kept) == 1
    assert Templates([mine]).render("card", {})[0] == first  # read from the cache
    (mine / "card.html.j2").write_text("<p>Second words</p>\n", encoding="utf-8")
    assert Templates([mine]).render("card", {})[0] == "<p>Second words</p>\n"


def test_a_cache_folder_that_cannot_be_written_costs_only_the_compiling(tmp_path, monkeypatch):
    from handouts.templating import Templates

    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "card.html.j2").write_text("<p>Words</p>\n", encoding="utf-8")
    assert Templates([mine]).render("card", {})[0] == "<p>Words</p>\n"
