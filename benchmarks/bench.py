"""Speed and size figures for handouts, printed for the machine it runs on.

    python benchmarks/bench.py            # after installing the project

Targets (2-core machine): per-handout cost at most 1.3x the hand-written
Platypus baseline; batch under 9 ms per handout with 2 workers; no-op rebuild
under 0.3 s; `handouts --help` under 0.15 s; a full handout under 60 KB;
tagging for PDF/UA adds at most 20 % to the time and the size of a handout.
These are figures to watch, not tests that fail on a slow machine.
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def median_time(fn, n: int) -> float:  # noqa: ANN001
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def handouts(*args: str, cwd: Path) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "handouts", *args], cwd=cwd, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def baseline_story(muscle, lib, styles, width):  # noqa: ANN001, ANN201
    """The full handout's content, laid out with hand-written Platypus code.

    Same sections, same kinds of flowables and the same styles as the `full`
    template, so the difference is what templates and block markup cost.
    """
    from html import escape as esc

    from reportlab.lib import colors
    from reportlab.platypus import (
        KeepTogether,
        ListFlowable,
        ListItem,
        Paragraph,
        Spacer,
        Table,
        TableStyle,
    )

    st = styles
    font = [("FONTNAME", (0, 0), (-1, -1), st.family.regular)]

    def bullets(items, ordered=False):  # noqa: ANN001, ANN202
        return ListFlowable([ListItem(Paragraph(esc(i), st.list_item)) for i in items],
                            bulletType="1" if ordered else "bullet",
                            start="1" if ordered else "\u2022", bulletFontName=st.family.regular,
                            bulletFontSize=st.base_size, leftIndent=st.base_size * 1.8,
                            spaceAfter=st.base_size * 0.5)

    def section(title, *flow):  # noqa: ANN001, ANN202
        return [KeepTogether([Paragraph(title, st.h2), flow[0]]), *flow[1:]]

    def labels(ids):  # noqa: ANN001, ANN202
        return ", ".join(lib.regions[i].label for i in ids)

    m, sh = muscle, lib.shared
    box = Table([[Paragraph("<b>Prepared for</b>", st.cell), Paragraph("<b>By</b>", st.cell),
                  Paragraph("<b>Date</b>", st.cell)]], colWidths=[width / 3] * 3)
    box.setStyle(TableStyle(font + [("BOX", (0, 0), (-1, -1), 1, colors.grey)]))
    story = [Paragraph(esc(m.name), st.h1),
             Paragraph("Also called: " + esc(", ".join(m.other_names)), st.small),
             Paragraph(esc(m.summary), st.lead), box, Spacer(1, 10)]
    story += section("Where is this muscle?", Paragraph(esc(m.location), st.body))
    story += [KeepTogether([Paragraph("What it does", st.h3), bullets(m.actions)])]
    from handouts.pdf.bodymap import bodymap_flowables

    pain_map = bodymap_flowables(m, lib.regions, width=width * 0.46, styles=st,
                                 caption="Shaded: where pain from this muscle is often felt")
    story += section("Where you may feel it", Paragraph(esc(m.pain.description), st.body),
                     *pain_map,
                     Paragraph("<b>Often:</b> " + esc(labels(m.pain.main)), st.body),
                     Paragraph("<b>Sometimes:</b> " + esc(labels(m.pain.spillover)), st.body),
                     Paragraph("<b>Knots:</b> " + esc(labels(m.pain.trigger_points)), st.body))
    for title, items in (("Signs this muscle may be involved", m.symptoms),
                         ("What can cause it", m.causes), ("How to prevent it", m.prevention)):
        story += section(title, bullets(items))
    story += section("What you can do at home", bullets(m.self_care.steps, True),
                     Paragraph(f"<b>How long:</b> {esc(m.self_care.how_long)}<br/>"
                               f"<b>How often:</b> {esc(m.self_care.how_often)}", st.body),
                     Paragraph(esc(m.self_care.heat_and_cold or ""), st.body),
                     Paragraph("When will it feel better?", st.h3),
                     Paragraph(esc(m.relief), st.body))
    story += section("If the muscle is strained (torn)", Paragraph(esc(m.strain.about), st.body))
    for title, items in (("Signs of a strain", m.strain.symptoms),
                         ("What can cause a strain", m.strain.causes),
                         ("Sports and activities", m.strain.activities)):
        story += [KeepTogether([Paragraph(title, st.h3), bullets(items)])]
    aid = sh.first_aid_for(m)
    story += [KeepTogether([Paragraph(esc(aid.title), st.h3),
                            Paragraph(esc(aid.intro), st.body),
                            bullets(aid.steps, True)]),
              Paragraph(esc(aid.after), st.body)]
    rows = [[Paragraph("Grade", st.header_cell), Paragraph("What it means", st.header_cell),
             Paragraph("Usual healing time", st.header_cell)]] + [
        [Paragraph(esc(f"{g.grade} {g.name}"), st.cell), Paragraph(esc(g.what_it_is), st.cell),
         Paragraph(esc(g.recovery), st.cell)] for g in sh.grades_for(m)]
    grades = Table(rows, repeatRows=1, colWidths=[width * 0.18, width * 0.52, width * 0.30])
    grades.setStyle(TableStyle(font + [("GRID", (0, 0), (-1, -1), 0.75, colors.grey)]))
    story += [KeepTogether([Paragraph("Strain grades and healing times", st.h3), grades]),
              Paragraph(esc(sh.grades_note), st.small),
              KeepTogether([Paragraph("Helping a strain heal", st.h3), bullets(m.strain.healing)])]
    story += section("Problems that can feel the same", bullets(m.similar_conditions))
    story += section("Other muscles to check", bullets([r.name for r in lib.related(m)]))
    signs = sh.signs_for(m)
    doctor = [[Paragraph("When to see a doctor", st.callout_title)]]
    for level, items in signs.levels():
        doctor += [[Paragraph(esc(level), st.h3)], [bullets(items)]]
    doctor += [[Paragraph(esc(sh.call_line), st.body)]]
    callout = Table(doctor, colWidths=[width])
    callout.setStyle(TableStyle(font + [("BOX", (0, 0), (-1, -1), 3, st.accent)]))
    story += [KeepTogether([callout]), Paragraph("About this handout", st.h2),
              Paragraph(esc(sh.disclaimer), st.small),
              Paragraph("; ".join(esc(f"{s.publisher}, {s.title}") for s in m.sources), st.small)]
    return story


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def paper_figures(tmp: Path) -> None:
    """Pages and empty space per template, English and Spanish, letter and A4."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from pages import pages  # the same measure the paper tests use

    limits = {"full": 4, "summary": 1, "large-print": None}
    for paper in ("letter", "a4"):
        out = tmp / f"paper-{paper}"
        handouts("build", "--all", "--template", "full,summary,large-print", "--lang", "en,es",
                 "--paper", paper, "--jobs", "2", "--out", str(out), cwd=tmp)
        sheets = 0
        for template, most in limits.items():
            suffix = "" if template == "full" else f"-{template}"
            counts: dict[int, int] = {}
            inner_over, last_light, first_over, n_inner, edge = 0, 0, 0, 0, 1e9
            for pdf in sorted(out.glob(f"*{suffix}.pdf")) + sorted(out.glob(f"es/*{suffix}.pdf")):
                if template == "full" and pdf.stem.endswith(("-summary", "-large-print")):
                    continue
                ps = pages(pdf)
                cols = 2 if template == "full" else 1
                blank = [p.blank_share(1 if p.number == 1 else cols) for p in ps]
                counts[len(ps)] = counts.get(len(ps), 0) + 1
                sheets += (len(ps) + 1) // 2
                n_inner += max(0, len(ps) - 2)
                inner_over += sum(b > 0.2 for b in blank[1:-1])
                first_over += len(ps) > 1 and blank[0] > 0.15
                last_light += len(ps) > 1 and 1 - blank[-1] < 1 / 3
                edge = min(edge, *(p.nearest_edge() for p in ps))
            shown = ", ".join(f"{k} pages: {v}" for k, v in sorted(counts.items()))
            fit = "" if most is None else f"  {verdict(max(counts) <= most)} (at most {most})"
            print(f"{paper:6} {template:11} {shown}{fit}")
            print(f"{'':18} inner pages over 20 % blank: {inner_over} of {n_inner} "
                  f"{verdict(inner_over == 0)}; page 1 over 15 %: {first_over} "
                  f"{verdict(first_over == 0)}; last page under 1/3 used: {last_light} "
                  f"{verdict(last_light == 0)}; nearest the edge {edge:.1f} pt "
                  f"{verdict(edge >= 18)}")
        print(f"{paper:6} sheets for the whole library, both sides, every template and "
              f"language: {sheets}")


def main() -> None:
    from handouts.library import load_library
    from handouts.pdf.document import PageSetup, frame_width, typeset
    from handouts.pdf.typesetter import Typesetter

    lib = load_library().library
    muscle = lib.muscles["gluteus-minimus"]
    typesetter = Typesetter(lib)
    tmp = Path(tempfile.mkdtemp(prefix="handouts-bench-"))
    try:
        typesetter.handout(muscle)  # warm up: fonts, templates, caches
        ours = median_time(lambda: typesetter.handout(muscle), 40)
        tagged_size = len(typesetter.handout(muscle))
        plain_size = len(typesetter.handout(muscle, tagged=False))
        # Tagged and untagged builds alternate, so a busy moment on the machine
        # falls on both; CPU time, fastest of 40 and median.
        cpu_t: list[float] = []
        cpu_u: list[float] = []
        for _ in range(40):
            t = time.process_time()
            typesetter.handout(muscle)
            cpu_t.append(time.process_time() - t)
            t = time.process_time()
            typesetter.handout(muscle, tagged=False)
            cpu_u.append(time.process_time() - t)
        fast = min(cpu_t) / min(cpu_u) - 1
        mid = statistics.median(cpu_t) / statistics.median(cpu_u) - 1
        plain = median_time(lambda: typesetter.handout(muscle, tagged=False), 40)
        styles = typesetter.styles(12.0)
        meta = typesetter.meta(muscle)
        width = frame_width("letter", PageSetup())

        def baseline() -> None:
            # The baseline's flowables carry no tags: compare like with like.
            typeset(baseline_story(muscle, lib, styles, width), brand=typesetter.brand,
                    styles=styles, setup=PageSetup(), meta=meta, paper="letter", tagged=False)

        baseline()
        base = median_time(baseline, 40)

        out = tmp / "out"
        n = len(lib.muscles)
        cold = handouts("build", "--all", "--jobs", "2", "--out", str(out), cwd=tmp)
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        noop = min(handouts("build", "--all", "--out", str(out), cwd=tmp) for _ in range(3))
        help_t = min(handouts("--help", cwd=tmp) for _ in range(5))
        list_t = min(handouts("list", cwd=tmp) for _ in range(3))
        check_t = min(handouts("check", cwd=tmp) for _ in range(2))
        sizes = sorted(p.stat().st_size for p in out.glob("*.pdf"))

        print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
        print(f"warm full handout (median of 40):   {ours * 1000:7.1f} ms")
        print(f"the same handout untagged:          {plain * 1000:7.1f} ms")
        print(f"hand-written Platypus baseline:     {base * 1000:7.1f} ms (untagged)")
        print(f"  ratio untagged ours / baseline:   {plain / base:7.2f}x   (target <= 1.3x)")
        print(f"  CPU time added by tagging:        {fast * 100:+7.1f} % fastest, "
              f"{mid * 100:+.1f} % median (target <= +20 %)")
        print(f"  size tagged / untagged:           {tagged_size / 1024:5.1f} / "
              f"{plain_size / 1024:.1f} KB = {(tagged_size / plain_size - 1) * 100:+.1f} %  "
              "(target <= +20 %)")
        print(f"cold build --all, 2 workers:        {cold:7.2f} s for {n} handouts "
              f"= {cold / n * 1000:.1f} ms each (target < 9 ms)")
        print(f"no-op rebuild of the library:       {noop:7.2f} s   (target < 0.3 s)")
        print(f"handouts --help:                    {help_t:7.3f} s   (target < 0.15 s)")
        print(f"handouts list:                      {list_t:7.3f} s")
        print(f"handouts check:                     {check_t:7.3f} s")
        print(f"peak memory of the batch:           {peak_kb / 1024:7.1f} MB")
        print(f"PDF sizes: min {sizes[0] / 1024:.1f} KB, median "
              f"{statistics.median(sizes) / 1024:.1f} KB, max {sizes[-1] / 1024:.1f} KB "
              f"(target < 60 KB) {verdict(sizes[-1] < 60 * 1024)}")
        paper_figures(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
