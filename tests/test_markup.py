"""The block markup: the parser, the checks between tags, and the line marks that
find the template line of a mistake."""

from __future__ import annotations

import pytest

from handouts.errors import MarkupError
from handouts.markup import Setting, check_blocks, parse
from handouts.templating import mark_lines


def test_blocks_text_and_lines():
    root = parse("<h1>Title</h1>\n<ul>\n  <li>One <b>bold</b></li>\n</ul>\n")
    h1, ul = root.children
    assert (h1.tag, h1.text, h1.line) == ("h1", "Title", 1)
    assert ul.children[0].text == "One <b>bold</b>" and ul.children[0].line == 3


@pytest.mark.parametrize(("markup", "message", "line"), [
    ("<p>a</p>\n<blink/>", "unknown tag <blink>", 2),
    ("<p>a<h3>b</h3></p>", "<h3> cannot go inside <p>; close <p> first", 1),
    ("<p colour='red'>a</p>", "<p> has no attribute 'colour' (allowed: style)", 1),
    ("<ul><p>a</p></ul>", "<p> cannot go inside <ul>", 1),
    ("loose text", "text outside any block: 'loose text' (wrap it in <p>)", 1),
    ("<p>a &nbsp; b</p>", "undefined entity", 1),
    ("<hr>x</hr>", "text directly inside <hr>: 'x'", 1),
])
def test_mistakes_say_what_and_where(markup, message, line):
    with pytest.raises(MarkupError) as info:
        parse(markup)
    assert message in info.value.detail and info.value.output_line == line


@pytest.mark.parametrize(("markup", "setting", "message"), [
    ("<table widths='1,2'><tr><td>a</td><td>b</td><td>c</td></tr></table>", Setting(),
     "widths gives 2 columns, the table has 3"),
    ("<columns widths='1'><column><p>a</p></column><column><p>b</p></column></columns>",
     Setting(), "widths gives 1 columns, there are 2"),
    ("<contents/>", Setting(), "a contents list can only be printed in a booklet"),
    ("<bodymap/>", Setting(muscle=False), "a body map can only be drawn in a muscle's"),
    ("<img src='x.png' alt='x'/>", Setting(), "image 'x.png' not found"),
    ("<page/><page/>", Setting(), "a handout has one <page> at most"),
    ("<prepared plan='yes'/>", Setting(), 'give it layout="line" too'),
])
def test_checks_between_tags(markup, setting, message):
    with pytest.raises(MarkupError) as info:
        check_blocks(parse(markup), setting)
    assert message in info.value.detail


def test_line_marks_change_no_output_line_and_name_the_template_line():
    source = ("{% for x in xs %}\n<p>{{ x }}</p>\n{% endfor %}\n<callout title='{{ t }}'\n"
              "  kind='note'><p>a</p></callout>\n")
    marked = mark_lines(source, "t.html.j2")
    assert marked.count("\n") == source.count("\n")
    assert "<?at t.html.j2:2?><p>" in marked and "<?at t.html.j2:4?><callout" in marked
    # Never inside a jinja2 statement or a markup tag that spans lines.
    assert "<?at t.html.j2:1?>" not in marked and "<?at t.html.j2:5?>" not in marked
    root = parse("<?at t.html.j2:7?><p>x</p>")
    assert root.children[0].source == ("t.html.j2", 7)
    with pytest.raises(MarkupError) as info:
        parse("<p>ok</p>\n<?at t.html.j2:9?><blink/>")
    assert (info.value.file, info.value.line, info.value.output_line) == ("t.html.j2", 9, 2)
