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
    import subprocess
    import sys

    from reportlab.platypus import paragraph

    # In a fresh process: in this one, an earlier test may have used it already.
    fresh = subprocess.run(
        [sys.executable, "-c", "import handouts.pdf; from reportlab.platypus import paragraph;"
         " print(type(paragraph.uri_pat).__name__)"],
        capture_output=True, text=True, check=True)
    assert fresh.stdout.strip() == "_Deferred"
    assert re.compile("a") is re.compile("a")  # re.compile is itself again
    pattern = paragraph.uri_pat
    args = pattern._args if hasattr(pattern, "_args") else (pattern.pattern, pattern.flags)
    real = re.compile(*args)
    deferred = _lines(paragraph.uri_pat)
    assert deferred == _lines(real)
    assert len(deferred) > 2  # the long address was split over lines
