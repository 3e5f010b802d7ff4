"""``handouts check``: validate the library and templates without building PDFs.

It renders every template for every muscle to block markup and parses it,
so template mistakes show up here rather than in the middle of a batch, and
runs the health-literacy check (``handouts.check.literacy``) on every muscle, and
on every translation found beside them (``<id>.es.yaml``, ``shared.es.yaml``).
reportlab is never imported, which keeps the check fast.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from handouts.check import literacy, readability, safety
from handouts.check.readability import scale_of
from handouts.errors import (
    DataError,
    DataWarning,
    HandoutError,
    Located,
    TemplateError,
    display_path,
    flatten,
)
from handouts.i18n import translate, translate_muscle
from handouts.languages import LANGUAGES
from handouts.library import load_library
from handouts.markup import Setting, lint_template_source
from handouts.models import Library, Muscle, Shared, texts
from handouts.resources import builtin_data_dir
from handouts.sources import Sources
from handouts.templating import (
    BOOKLET_TEMPLATE,
    Templates,
    booklet_context,
    read_source,
    template_context,
)
from handouts.yamlfile import YamlDocument, format_key, load_yaml

T = TypeVar("T")

JARGON_FILE = "jargon.yaml"
# The word list for a language other than English: jargon.es.yaml.
JARGON_FILE_LANG = "jargon.{lang}.yaml"


def check_templates(templates: Templates) -> list[HandoutError]:
    problems: list[HandoutError] = []
    paths = [path for _name, path, _desc in templates.available()]
    for d in templates.dirs:
        paths += sorted(Path(d).glob("_*.html.j2"))
    for path in paths:
        try:
            source = read_source(path)
        except TemplateError as exc:
            problems.append(exc)
            continue
        for line, problem in lint_template_source(source):
            problems.append(TemplateError(problem, file=path, line=line))
    return problems


def _check_markup(templates: Templates, available: list[tuple[str, Path, str]], lib: Library,
                  data_dir: Path, found: list[Located], booklet: bool = True) -> list[Located]:
    """Every template rendered for every muscle, its markup read and checked as a build
    reads it: each mistake at the template line that printed it. ``booklet``: the
    booklet's own template too."""
    out: list[Located] = []
    bad = {p.file or "" for p in found if isinstance(p, TemplateError)}
    image_dirs = (*templates.dirs, data_dir)
    techniques = frozenset(t.id for t in lib.shared.techniques)
    for name, path, _ in available:
        if display_path(path) in bad:  # errors name files that way
            continue
        for muscle in lib.muscles.values():
            try:
                templates.markup(name, template_context(lib, muscle),
                                 Setting(muscle=True, image_dirs=image_dirs,
                                         techniques=techniques))
            except HandoutError as exc:
                out.append(exc)
                break  # one report per template is enough
    muscles = list(lib.muscles.values())[:2]
    if booklet and muscles and BOOKLET_TEMPLATE not in bad:
        context = booklet_context(lib, muscles, "Booklet")
        try:
            templates.markup(BOOKLET_TEMPLATE, context,
                             Setting(muscle=False, booklet=True, image_dirs=image_dirs))
        except HandoutError as exc:
            out.append(exc)
    return out


@dataclass
class Translation:
    """The literacy check of one language other than English."""

    lang: str
    reports: list[literacy.Report] = field(default_factory=list)
    shared: literacy.Report | None = None
    # Muscles (and "shared") with no report: "missing" file, or a file that "fails" to load.
    unchecked: dict[str, str] = field(default_factory=dict)
    # This language's messages; CheckResult.messages holds them too.
    messages: list[Located] = field(default_factory=list)

    @property
    def scale(self) -> literacy.Scale:
        return scale_of(self.lang)

    @property
    def median(self) -> float | None:
        return literacy.median_level(self.reports)

    @property
    def hardest(self) -> float | None:
        levels = [r.level for r in self.reports]
        return max(levels, key=self.scale.difficulty) if levels else None

    def to_json(self) -> dict[str, Any]:
        key = self.scale.json_key
        median, hardest = self.median, self.hardest
        return {
            "lang": self.lang,
            "scale": f"{self.scale.name} {self.scale.measure}",
            "higher_is_easier": self.scale.higher_is_easier,
            f"median_{key}": round(median, 1) if median is not None else None,
            ("lowest_" if self.scale.higher_is_easier else "highest_") + key: (
                round(hardest, 1) if hardest is not None else None
            ),
            "muscles": [r.to_json() for r in self.reports],
            "shared": self.shared.to_json() if self.shared else None,
            "unchecked": self.unchecked,
        }


@dataclass
class CheckResult:
    """What ``handouts check`` found: located messages in report order, and the
    literacy reports behind them."""

    messages: list[Located] = field(default_factory=list)
    reports: list[literacy.Report] = field(default_factory=list)
    shared: literacy.Report | None = None
    summary: str = ""
    limits: literacy.Thresholds = literacy.DEFAULTS
    # One per language other than English, in LANGUAGES order.
    translations: list[Translation] = field(default_factory=list)

    @property
    def problems(self) -> list[Located]:
        """The messages that fail the check."""
        return [m for m in self.messages if m.severity == "error"]

    @property
    def warnings(self) -> list[Located]:
        return [m for m in self.messages if m.severity == "warning"]

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
            "translations": {t.lang: t.to_json() for t in self.translations},
            "problems": [
                {
                    "severity": m.severity,
                    "file": m.file,
                    "line": m.line,
                    "field": m.field,
                    "message": m.detail,
                }
                for m in flatten(self.messages)
            ],
        }


def _counts(messages: list[Located]) -> str:
    errors = sum(m.severity == "error" for m in messages)
    warnings = sum(m.severity == "warning" for m in messages)
    text = _plural(errors, "problem") if errors else "no problems"
    return text + (f", {_plural(warnings, 'warning')}" if warnings else "")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def run_check(
    data: Path | None,
    template_dirs: list[Path],
    limits: literacy.Thresholds = literacy.DEFAULTS,
    today: dt.date | None = None,
    langs: list[str] | None = None,
    parallel: bool = True,
) -> CheckResult:
    """Validate the library and templates, then run the health-literacy check.

    ``langs`` limits the literacy check to those languages ("en", "es"); by
    default English and every language that has a translation file.
    ``parallel``: check the translations and some of the templates in a second
    process where that can help (the result is the same).
    """
    out = CheckResult(limits=limits)
    sources = Sources.of(data)
    result = load_library(sources)
    out.messages += result.problems
    templates = Templates(template_dirs)
    out.messages += check_templates(templates)
    lib = result.library
    if lib is None:
        out.summary = "the library could not be loaded"
        return out
    available = templates.available()
    data_dir = sources.base
    others = [lang for lang in LANGUAGES if lang != "en" and (
        lang in langs if langs is not None else lang in sources.translation_langs())]
    # If there is a second CPU, a second process checks the translations and a third
    # of the templates while this one checks the English and the rest: measured,
    # the two then take about as long.
    third = len(available) // 3
    rest = _later(_check_markup_and_translations, parallel, templates, available[:third], lib,
                  data_dir, list(out.messages), others, limits, result.failed)
    markup = _check_markup(templates, available[third:], lib, data_dir, out.messages)
    english: list[Located] = []
    if langs is None or "en" in langs:
        messages, out.messages = out.messages, english
        _check_literacy(out, lib, data_dir, today)
        out.messages = messages
    first_markup, translations = rest()
    out.messages += first_markup + markup + english
    out.translations += translations
    readability.KNOWN.keep()
    # The first line counts the English library and the templates; each
    # translation has a line of its own.
    translated = {id(m) for t in out.translations for m in t.messages}
    n = len(lib.muscles) + len(result.failed)
    summary = f"checked {n} muscles and {len(available)} templates: " + _counts(
        [m for m in out.messages if id(m) not in translated]
    )
    if out.reports:
        grades = [r.grade for r in out.reports]
        summary += (
            f"; reading grade median {out.median_grade:.1f}, highest {max(grades):.1f}"
            " (aim {1:g}, limit {0:g})".format(*limits.limits("en"))
        )
    for t in out.translations:
        out.messages += t.messages
        summary += "\n" + _translation_summary(t, limits)
    out.summary = summary
    return out


def _check_markup_and_translations(
    templates: Templates, available: list[tuple[str, Path, str]], lib: Library,
    data_dir: Path, found: list[Located], langs: list[str], limits: literacy.Thresholds,
    failed: dict[str, HandoutError],
) -> tuple[list[Located], list[Translation]]:
    out = (_check_markup(templates, available, lib, data_dir, found, booklet=False),
           [_check_translation(lib, data_dir, lang, limits, failed) for lang in langs])
    readability.KNOWN.keep()  # in this process, which may be the second one
    return out


def _later(work: Callable[..., T], apart: bool, *args: Any) -> Callable[[], T]:
    """``work(*args)``, started now in a forked process when ``apart`` and it can
    run beside this one; the function returned waits for its result.

    Only a process with one thread is forked (a thread holding a lock would
    leave the copy stuck), and only where the system forks. Whatever goes
    wrong in the copy, the work is done here instead: the result never depends
    on it.
    """
    import multiprocessing
    import threading

    if not (apart and (os.cpu_count() or 1) > 1 and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods()):
        return lambda: work(*args)
    # Imported before the fork: the copy then never waits on the import lock, and
    # both need them (the word lists and translations are YAML).
    import yaml  # noqa: F401

    from handouts.check.readability import preload

    preload()
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_send_result, args=(send, work, args), daemon=True)
    process.start()
    send.close()

    def result() -> T:
        try:
            found = receive.recv()
        except (EOFError, OSError):
            found = None
        finally:
            receive.close()
            process.join()
        return found[0] if found is not None else work(*args)

    return result


def _send_result(send: Any, work: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        found = (work(*args),)
    except BaseException:  # noqa: BLE001 - the parent does the work again and reports it
        found = None
    send.send(found)
    send.close()


def _translation_summary(t: Translation, limits: literacy.Thresholds) -> str:
    language = LANGUAGES[t.lang].english_name
    files = sum(k != "shared" for k in t.unchecked) + len(t.reports)
    count = f"{len(t.reports)} of {files}" if files != len(t.reports) else str(files)
    text = f"checked {count} {language} ({t.lang}) translations"
    if t.shared is not None:
        text += " and the shared text"
    text += ": " + _counts(t.messages)
    if t.reports and t.median is not None and t.hardest is not None:
        limit, aim = limits.limits(t.lang)
        hardest = "lowest" if t.scale.higher_is_easier else "highest"
        text += (
            f"; {t.scale.measure} ({t.scale.name}) median {t.median:.1f}, {hardest} "
            f"{t.hardest:.1f} (aim {aim:g}, limit {limit:g}"
            + ("; higher is easier)" if t.scale.higher_is_easier else ")")
        )
    return text


def _check_literacy(out: CheckResult, lib: Library, data_dir: Path, today: dt.date | None) -> None:
    jargon = _load_jargon(data_dir, JARGON_FILE, out.messages)
    names = literacy.library_names(lib.muscles.values())
    for mid in sorted(lib.muscles):
        path = lib.sources.muscle(mid)
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
    path = lib.sources.shared_file()
    out.shared = literacy.check_shared(
        lib.shared, names=names, jargon=jargon, limits=out.limits, file=path
    )
    doc = _shared_doc(lib) if out.shared.findings else None
    out.messages += literacy.as_problems(out.shared, doc)
    out.messages += _check_safety(lib, data_dir, out.limits.max_list_items)


def _shared_doc(lib: Library, lang: str = "en") -> YamlDocument | None:
    """The shared text as one document (the workspace's keys over the installed)."""
    from handouts.i18n import shared_translation
    from handouts.library import shared_document

    try:
        if lang == "en":
            return shared_document(lib.sources)
        return shared_translation(lib.sources, lang)
    except HandoutError:
        return None


def _word_list(data_dir: Path, name: str, loader: Any, messages: list[Located]) -> Any:
    """A word list of the library, else the built-in one (a clinic's library may have
    none); None when neither is there or the file is broken (it is reported)."""
    path = data_dir / name
    if not path.is_file():
        path = builtin_data_dir() / name
        if not path.is_file():
            return None
    try:
        return loader(path)
    except HandoutError as exc:
        messages.append(exc)
        return None


def _located(findings: list[safety.Finding], lib: Library, lang: str = "en"
             ) -> list[HandoutError]:
    """Each finding as an error with the file, line and field of what it is about."""
    out: list[HandoutError] = []
    docs: dict[str | None, YamlDocument | None] = {}
    for f in findings:
        if f.owner not in docs:
            docs[f.owner] = (_shared_doc(lib, lang) if f.owner is None
                             else _doc(lib.sources.muscle(f.owner, lang)))
        doc = docs[f.owner]
        if doc is not None:
            out.append(doc.error(f.path, f.message))
        else:
            path = (lib.sources.shared_file(lang) if f.owner is None
                    else lib.sources.muscle(f.owner, lang))
            out.append(DataError(f.message, file=path, field=format_key(f.path)))
    return out


def _check_safety(lib: Library, data_dir: Path, max_items: int) -> list[HandoutError]:
    """Warning signs, knot markers and US spelling of the English library."""
    messages: list[HandoutError] = []
    words = _word_list(data_dir, safety.SAFETY_FILE, safety.load_safety_words, messages)
    spelling = _word_list(data_dir, safety.SPELLING_FILE, safety.load_spelling, messages)
    muscles = [lib.muscles[mid] for mid in sorted(lib.muscles)]
    findings = safety.check_signs(lib.shared, muscles, max_items)
    if words is not None:
        findings += safety.check_wording(lib.shared, muscles, words, "en")
        findings += safety.check_markers(muscles, words)
    if spelling:
        findings += [safety.Finding(None, path, msg) for path, msg in
                     safety.check_spelling(texts(lib.shared), spelling)]
        for m in muscles:
            findings += [safety.Finding(m.id, path, msg) for path, msg in
                         safety.check_spelling(texts(m), spelling)]
    return messages + _located(findings, lib)


def _load_jargon(data_dir: Path, name: str, messages: list[Located]) -> literacy.Jargon:
    return _word_list(data_dir, name, literacy.load_jargon, messages) or literacy.Jargon({})


def _check_translation(
    lib: Library,
    data_dir: Path,
    lang: str,
    limits: literacy.Thresholds,
    failed: dict[str, HandoutError],
) -> Translation:
    """Check every ``muscles/<id>.<lang>.yaml`` and ``shared.<lang>.yaml``.

    Each translation is laid over its English muscle, as a build in that
    language does, and the text a reader would get is checked. A missing or
    out-of-date translation is a warning (the build falls back to English);
    a file that does not load is an error, as it fails the build.
    """
    out = Translation(lang)
    jargon = _load_jargon(data_dir, JARGON_FILE_LANG.format(lang=lang), out.messages)
    loaded = _load_translations(lib, data_dir, lang, out)
    muscles = [m for m, _ in loaded.values()]
    # Names in both languages: a Spanish handout may use the Latin name too.
    names = literacy.library_names(muscles, lang) + literacy.library_names(lib.muscles.values())
    for muscle, path in loaded.values():
        report = literacy.check_muscle(
            muscle, names=names, jargon=jargon, limits=limits, file=path, lang=lang
        )
        out.reports.append(report)
        out.messages += literacy.as_problems(report, _doc(path) if report.findings else None)
    # A translation whose English file is gone is never used. (One whose
    # English file is broken is not mentioned: that error is reported already.)
    folders = [lib.sources.base / "muscles"] + (
        [lib.sources.muscles] if lib.sources.muscles is not None else [])
    for path in sorted(p for d in folders if d.is_dir() for p in d.glob(f"*.{lang}.yaml")):
        mid = path.name[: -len(f".{lang}.yaml")]
        if mid not in lib.muscles and mid not in failed:
            out.messages.append(DataWarning(
                f"no English file {mid}.yaml, so this translation is never used", file=path))
    shared = _check_shared_translation(lib, data_dir, lang, limits, names, jargon, out)
    words = _word_list(data_dir, safety.SAFETY_FILE, safety.load_safety_words, out.messages)
    if words is not None:
        wording = safety.check_wording(shared or lib.shared, muscles, words, lang)
        if shared is None:  # the English shared text is checked in English
            wording = [f for f in wording if f.owner is not None]
        out.messages += _located(wording, lib, lang)
    return out


def _load_translations(lib: Library, data_dir: Path, lang: str, out: Translation
                       ) -> dict[str, tuple[Muscle, Path]]:
    """Each muscle's translation laid over the English, with its file; what is
    missing or broken goes to ``out`` instead."""
    language = LANGUAGES[lang].english_name
    loaded: dict[str, tuple[Muscle, Path]] = {}
    for mid in sorted(lib.muscles):
        path = lib.sources.muscle(mid, lang)
        if not path.is_file():
            out.unchecked[mid] = "missing"
            out.messages.append(DataWarning(
                f"no {language} translation of {mid}; its {language} handout prints in English",
                file=path))
            continue
        try:
            muscle, notes = translate_muscle(lib.muscles[mid], load_yaml(path))
        except HandoutError as exc:
            out.unchecked[mid] = "fail"
            out.messages.append(exc)
            continue
        out.messages += notes  # out of date, or fields left in English
        loaded[mid] = (muscle, path)
    return loaded


def _check_shared_translation(lib: Library, data_dir: Path, lang: str,
                              limits: literacy.Thresholds, names: list[str],
                              jargon: literacy.Jargon, out: Translation) -> Shared | None:
    """The shared text in ``lang``, checked; None when there is none to check."""
    language = LANGUAGES[lang].english_name
    path = lib.sources.shared_file(lang)
    if not path.is_file():
        out.unchecked["shared"] = "missing"
        out.messages.append(DataWarning(
            f"no {language} translation of the shared text; {language} handouts print it "
            "in English", file=path))
        return None
    try:
        doc = _shared_doc(lib, lang)
        if doc is None:
            doc = load_yaml(path)  # says what is wrong with it
        shared, notes = translate(lib.shared, doc)
    except HandoutError as exc:
        out.unchecked["shared"] = "fail"
        out.messages.append(exc)
        return None
    out.messages += notes
    out.shared = literacy.check_shared(
        shared, names=names, jargon=jargon, limits=limits, file=path, lang=lang
    )
    out.messages += literacy.as_problems(out.shared, doc if out.shared.findings else None)
    return shared


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
            "library median grade {2:.1f} (aim {1:g}, limit {0:g}); longest is the longest "
            "sentence in words".format(*result.limits.limits("en"), median)
        )
    for t in result.translations:
        lines += ["", *_translation_table(t, result.limits)]
    return "\n".join(lines)


def _translation_table(t: Translation, limits: literacy.Thresholds) -> list[str]:
    """Rows ``<id>.<lang>``, like the file names, so they never read as English rows."""
    scale = t.scale
    by_id: dict[str, tuple[str, str, str, str]] = {
        r.id: (f"{r.level:.1f}", str(r.longest_sentence), str(r.jargon_count), r.status)
        for r in t.reports
    }
    by_id |= {mid: ("-", "-", "-", why) for mid, why in t.unchecked.items() if mid != "shared"}
    rows = [("translation", scale.unit, "longest", "jargon", "status")]
    rows += [(f"{mid}.{t.lang}", *by_id[mid]) for mid in sorted(by_id)]
    if t.shared is not None:
        s = t.shared
        rows.append(
            (
                f"(shared.{t.lang})",
                f"{s.level:.1f}",
                str(s.longest_sentence),
                str(s.jargon_count),
                s.status,
            )
        )
    elif "shared" in t.unchecked:
        rows.append((f"(shared.{t.lang})", "-", "-", "-", t.unchecked["shared"]))
    width = max(len(r[0]) for r in rows)
    lines = [f"{a:<{width}}  {b:>5}  {c:>7}  {d:>6}  {e}" for a, b, c, d, e in rows]
    if t.median is not None:
        limit, aim = limits.limits(t.lang)
        language = LANGUAGES[t.lang].english_name
        lines.append(
            f"{language} median {scale.measure} {t.median:.1f} ({scale.name}"
            + (", higher is easier" if scale.higher_is_easier else "")
            + f"; aim {aim:g}, limit {limit:g})"
        )
    return lines
