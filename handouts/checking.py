"""``handouts check``: validate the library and templates without building PDFs.

It renders every template for every muscle to block markup and parses it,
so template mistakes show up here rather than in the middle of a batch.
reportlab is never imported, which keeps the check fast.
"""

from __future__ import annotations

from pathlib import Path

from handouts.errors import HandoutError, TemplateError
from handouts.library import load_library
from handouts.markup import lint_template_source, parse
from handouts.templating import Templates, template_context


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


def check_library(data: Path | None, template_dirs: list[Path]) -> tuple[list[HandoutError], str]:
    """Return every problem found, and a one-line summary."""
    result = load_library(data)
    problems: list[HandoutError] = list(result.problems)
    templates = Templates(template_dirs)
    problems += check_templates(templates)
    lib = result.library
    if lib is None:
        return problems, "the library could not be loaded"
    available = templates.available()
    bad_templates: set[str] = {p.file or "" for p in problems if isinstance(p, TemplateError)}
    for name, path, _ in available:
        if str(path) in bad_templates:
            continue
        for muscle in lib.muscles.values():
            try:
                text, tmpl = templates.render(name, template_context(lib, muscle))
                parse(text, tmpl.filename)
            except HandoutError as exc:
                problems.append(exc)
                break  # one report per template is enough
    n = len(lib.muscles) + len(result.failed)
    summary = f"checked {n} muscles and {len(available)} templates: " + (
        f"{len(problems)} problems" if problems else "no problems"
    )
    return problems, summary
