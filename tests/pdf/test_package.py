"""What importing the package does to reportlab: one pattern compiled late."""

from __future__ import annotations

import re

import handouts.pdf  # noqa: F401 - imported first, as by every module of ours


def _lines(uri_pat: object) -> list[str]:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, paragraph

    saved = paragraph.uri_pat
    paragraph.uri_pat = uri_pat
    try:
        style = ParagraphStyle("s", fontName="Helvetica", fontSize=12, leading=14,
                               uriWasteReduce=0.3)
        p = Paragraph("See https://www.example.org/a/long/path/to/a/page/about/muscles.html "
                      "today.", style)
        p.wrap(120, 1000)
        return [" ".join(w if isinstance(w, str) else w.text for w in line[1])
                for line in p.blPara.lines]
    finally:
        paragraph.uri_pat = saved


def test_the_web_address_pattern_is_compiled_when_first_used_and_splits_as_before() -> None:
    from reportlab.platypus import paragraph

    assert type(paragraph.uri_pat).__name__ == "_Deferred"
    assert re.compile("a") is re.compile("a")  # re.compile is itself again
    real = re.compile(*paragraph.uri_pat._args)
    deferred = _lines(paragraph.uri_pat)
    assert deferred == _lines(real)
    assert len(deferred) > 2  # the long address was split over lines
