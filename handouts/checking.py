"""``handouts check``: validate the library and templates without building PDFs.

It renders every template for every muscle to block markup and parses it,
so template mistakes show up here rather than in the middle of a batch, and
runs the health-literacy check (``handouts.literacy``) on every muscle.
reportlab is never imported, which keeps the check fast.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handouts import literacy
from handouts.errors import ErrorList, HandoutError, TemplateError
from handouts.library import load_library
from handouts.markup import lint_template_source, parse
from handouts.models import Library
from handouts.resources import builtin_data_dir
from handouts.templating import Templates, template_context
from handouts.yamlfile import YamlDocument, load_yaml

JARGON_FILE = "jargon.yaml"


def check_templates(templates: Templates) -> list[HandoutError]:
    problems: list[HandoutError] = []
    for _name, path, _desc in templates.available():
        source = path.read_text(encoding="utf-8")
        for line, problem in lint_template_source(source):
            problems.append(TemplateError(problem, file=path, line=line))
    for d in templates.dirs:
        for path in sorted(Path(d).glob("_*.html.j2")):
            for line, problem in lint_template_source(path.read_text(encoding="utf-8")):
                problems.append(TemplateError(problem, file=path, line=line))
    return problems


@dataclass
class CheckResult:
    """What ``handouts check`` found: located messages in report order, and the
    literacy reports behind them."""

    messages: list[HandoutError] = field(default_factory=list)
    reports: list[literacy.Report] = field(default_factory=list)
    shared: literacy.Report | None = None
    summary: str = ""
    limits: literacy.Thresholds = literacy.DEFAULTS

    @property
    def problems(self) -> list[HandoutError]:
        """The messages that fail the check."""
        return [m for m in self.messages if _severity(m) == "error"]

    @property
    def warnings(self) -> list[HandoutError]:
        return [m for m in self.messages if _severity(m) == "warning"]

    @property
    def median_grade(self) -> float | None:
        return literacy.median_grade(self.reports)

    def to_json(self) -> dict[str, Any]:
        grades = [r.grade for r in self.reports]
        median = self.median_grade
        return {
            "ok": not self.problems,
            "summary": self.summary,
            "thresholds": literacy.thresholds_json(self.limits),
            "median_grade": round(median, 1) if median is not None else None,
            "max_grade": round(max(grades), 1) if grades else None,
            "muscles": [r.to_json() for r in self.reports],
            "shared": self.shared.to_json() if self.shared else None,
            "problems": [
                {
                    "severity": _severity(m),
                    "file": m.file,
                    "line": m.line,
                    "field": m.field,
                    "message": m.detail,
                }
                for m in _flat(self.messages)
            ],
        }


def _flat(messages: list[HandoutError]) -> list[HandoutError]:
    # A broken file's problems come bundled; scripts want one entry each.
    out: list[HandoutError] = []
    for m in messages:
        out += _flat(m.errors) if isinstance(m, ErrorList) else [m]
    return out


def _severity(problem: HandoutError) -> str:
    return getattr(problem, "severity", "error")


def run_check(
    data: Path | None,
    template_dirs: list[Path],
    limits: literacy.Thresholds = literacy.DEFAULTS,
    today: dt.date | None = None,
) -> CheckResult:
    """Validate the library and templates, then run the health-literacy check."""
    out = CheckResult(limits=limits)
    result = load_library(data)
    out.messages += result.problems
    templates = Templates(template_dirs)
    out.messages += check_templates(templates)
    lib = result.library
    if lib is None:
        out.summary = "the library could not be loaded"
        return out
    available = templates.available()
    bad_templates: set[str] = {p.file or "" for p in out.messages if isinstance(p, TemplateError)}
    for name, path, _ in available:
        if str(path) in bad_templates:
            continue
        for muscle in lib.muscles.values():
            try:
                text, tmpl = templates.render(name, template_context(lib, muscle))
                parse(text, tmpl.filename)
            except HandoutError as exc:
                out.messages.append(exc)
                break  # one report per template is enough
    _check_literacy(out, lib, Path(data) if data else builtin_data_dir(), today)
    n = len(lib.muscles) + len(result.failed)
    errors, warnings = len(out.problems), len(out.warnings)
    summary = f"checked {n} muscles and {len(available)} templates: " + (
        f"{errors} problems" if errors else "no problems"
    )
    if warnings:
        summary += f", {warnings} warnings"
    if out.reports:
        grades = [r.grade for r in out.reports]
        summary += (
            f"; reading grade median {out.median_grade:.1f}, highest {max(grades):.1f}"
            f" (aim {limits.aim_grade:g}, limit {limits.max_grade:g})"
        )
    out.summary = summary
    return out


def _check_literacy(out: CheckResult, lib: Library, data_dir: Path, today: dt.date | None) -> None:
    jargon_path = data_dir / JARGON_FILE
    if not jargon_path.is_file():
        # A clinic's own library may not carry a word list; ours still applies.
        jargon_path = builtin_data_dir() / JARGON_FILE
    try:
        jargon = literacy.load_jargon(jargon_path)
    except HandoutError as exc:
        out.messages.append(exc)
        jargon = literacy.Jargon({})
    names = literacy.library_names(lib.muscles.values())
    for mid in sorted(lib.muscles):
        path = data_dir / "muscles" / f"{mid}.yaml"
        report = literacy.check_muscle(
            lib.muscles[mid],
            names=names,
            jargon=jargon,
            limits=out.limits,
            today=today,
            file=path,
        )
        out.reports.append(report)
        # Parsing the file again costs more than the check itself: only for
        # the line numbers of what was found.
        out.messages += literacy.as_problems(report, _doc(path) if report.findings else None)
    path = data_dir / "shared.yaml"
    out.shared = literacy.check_shared(
        lib.shared, names=names, jargon=jargon, limits=out.limits, file=path
    )
    doc = _doc(path) if out.shared.findings else None
    out.messages += literacy.as_problems(out.shared, doc)


def _doc(path: Path) -> YamlDocument | None:
    """The file again, only for the line numbers of fields."""
    try:
        return load_yaml(path)
    except HandoutError:
        return None


def format_table(result: CheckResult) -> str:
    """The ``--report`` table: one row per muscle, then the library's median grade."""
    rows = [("muscle", "grade", "longest", "jargon", "status")]
    rows += [
        (r.id, f"{r.grade:.1f}", str(r.longest_sentence), str(r.jargon_count), r.status)
        for r in result.reports
    ]
    if result.shared is not None:
        s = result.shared
        rows.append(
            ("(shared)", f"{s.grade:.1f}", str(s.longest_sentence), str(s.jargon_count), s.status)
        )
    width = max(len(r[0]) for r in rows)
    lines = [f"{a:<{width}}  {b:>5}  {c:>7}  {d:>6}  {e}" for a, b, c, d, e in rows]
    median = result.median_grade
    if median is not None:
        lines.append(
            f"library median grade {median:.1f} (aim {result.limits.aim_grade:g}, "
            f"limit {result.limits.max_grade:g}); longest is the longest sentence in words"
        )
    return "\n".join(lines)


def check_library(data: Path | None, template_dirs: list[Path]) -> tuple[list[HandoutError], str]:
    """Return every problem that fails the check, and a one-line summary."""
    result = run_check(data, template_dirs)
    return result.problems, result.summary
