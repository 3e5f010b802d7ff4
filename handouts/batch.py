"""A batch of handouts: which files, from which inputs, made in parallel, and what failed."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handouts.atomic import write_atomic
from handouts.errors import BuildFailure, DataWarning, HandoutError
from handouts.models import Personal
from handouts.record import BuildRecord, Fingerprints
from handouts.regions import BODY_REGIONS
from handouts.resources import TEMPLATE_SUFFIX as SUFFIX
from handouts.resources import template_search_path
from handouts.sources import Sources


@dataclass
class BuildRequest:
    muscles: list[str] | None  # None: every muscle
    out: Path = Path("output")
    data: Path | Sources | None = None  # a library, or a workspace over the installed one
    template_dirs: list[Path] = field(default_factory=list)
    template: str = "full"
    templates: list[str] = field(default_factory=list)  # several layouts in one batch
    paper: str | None = None
    brand: Path | None = None
    personal: Personal = field(default_factory=Personal)
    jobs: int | None = None  # worker processes; None: one per CPU
    force: bool = False
    langs: list[str] = field(default_factory=list)  # empty: the brand's language
    strict: bool = False  # a missing translation is an error, not a warning
    target: Path | None = None  # the one PDF's file, in place of OUT/<muscle>.pdf


@dataclass
class BuildReport:
    built: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    failed: list[HandoutError] = field(default_factory=list)
    warnings: list[DataWarning] = field(default_factory=list)
    seconds: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "built": [str(p) for p in self.built],
            "unchanged": [str(p) for p in self.unchanged],
            "failed": [{"file": e.file, "line": e.line, "field": e.field, "message": e.detail}
                       for e in self.failed],
            "warnings": [e.message for e in self.warnings],
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class Job:
    muscle: str
    template: str
    lang: str
    target: Path
    key: str  # the output's path inside the output folder, for the build record


def output_name(muscle_id: str, template: str) -> str:
    """File names come from validated ids and template names, never from free text."""
    stem = Path(template).name
    if stem.endswith(SUFFIX):
        stem = stem[: -len(SUFFIX)]
    return f"{muscle_id}.pdf" if stem == "full" else f"{muscle_id}-{stem}.pdf"


@dataclass(frozen=True)
class Workshop:
    """What every handout of a batch is made with: a typesetter per language, and the
    paper and patient details of the request. Handed to each worker process when it
    starts, so workers start with fonts, styles, templates and the library loaded."""

    typesetters: dict[str, Any]  # language -> handouts.pdf.typesetter.Typesetter
    paper: str | None = None
    personal: Personal = field(default_factory=Personal)


Failure = tuple[str | None, int | None, str | None, str]


def _make_one(workshop: Workshop, job: Job) -> tuple[Job, Failure | None]:
    """Make one handout; returns the failure as plain parts (they cross processes)."""
    from handouts.pdf.typesetter import Options

    typesetter = workshop.typesetters[job.lang]
    muscle = typesetter.library.muscles[job.muscle]
    options = Options(template=job.template, paper=workshop.paper, personal=workshop.personal)
    try:
        typesetter.write(muscle, job.target, options)
        return job, None
    except HandoutError as exc:
        return job, (exc.file, exc.line, exc.field, exc.detail)
    except Exception as exc:  # a bug of ours: report it, keep building the rest
        path = typesetter.muscle_file(muscle)
        return job, (str(path) if path else None, None, None,
                     f"unexpected {type(exc).__name__}: {exc} (please report this)")


def run_build(request: BuildRequest,
              progress: Callable[[int, int], None] | None = None) -> BuildReport:
    """Build every handout asked for: in parallel, skipping those whose inputs are unchanged."""
    from handouts.brand import brand_from_env_or, brand_warnings
    from handouts.library import load_library

    start = time.perf_counter()
    report = BuildReport()
    brand = brand_from_env_or(request.brand)
    report.warnings.extend(brand_warnings(brand))
    sources = Sources.of(request.data)
    data_dir = sources.base
    dirs = list(request.template_dirs)
    if brand.template_dir is not None:
        dirs.append(brand.template_dir)
    templates = request.templates or [request.template]
    langs = request.langs or [default_lang(brand)]
    # Personalised handouts are always built and never recorded: patient details
    # stay out of the record. So is a handout written to a file of its own (-o).
    personal = request.personal != Personal() or request.target is not None
    record = BuildRecord(request.out)
    incremental = not personal and not request.force

    if incremental:
        unchanged = _all_unchanged(request, record, dirs, brand, sources, templates, langs)
        if unchanged is not None:
            # Nothing to do, found without parsing the library or importing reportlab.
            report.unchanged = unchanged
            report.seconds = time.perf_counter() - start
            return report

    result = load_library(sources, request.muscles)
    report.failed.extend(result.problems)
    lib = result.library
    if lib is None:
        report.seconds = time.perf_counter() - start
        return report
    wanted = request.muscles if request.muscles is not None else list(lib.muscles)
    jobs = [job for job in _jobs(request, wanted, templates, langs) if job.muscle in lib.muscles]
    fp = Fingerprints(template_search_path(dirs), brand, sources, request.paper, request.strict)
    related = {mid: m.related_muscles for mid, m in lib.muscles.items()}
    fingerprints = {job: fp.of(job, related[job.muscle]) for job in jobs}
    if incremental:
        todo = []
        for job in jobs:
            if record.get(job.key) == fingerprints[job] and job.target.is_file():
                report.unchanged.append(job.target)
            else:
                todo.append(job)
        jobs = todo
    if not jobs:
        report.seconds = time.perf_counter() - start
        return report

    workshop, untranslated = _workshop_for(request, lib, brand, dirs, data_dir, jobs, report)
    # With --strict, a handout whose translation is missing or out of date fails; the
    # others still build.
    jobs = [job for job in jobs if (job.lang, job.muscle) not in untranslated
            and (job.lang, None) not in untranslated]
    if not jobs:
        report.seconds = time.perf_counter() - start
        return report
    workers = min(request.jobs or os.cpu_count() or 1, len(jobs))
    try:
        for n, (job, failure) in enumerate(_run(workshop, jobs, workers), 1):
            if failure is None:
                report.built.append(job.target)
                if personal:
                    record.forget(job.key)
                else:
                    record.set(job.key, fingerprints[job], related[job.muscle])
            else:
                file, line, fld, message = failure
                report.failed.append(BuildFailure(message, file=file, line=line, field=fld))
                record.forget(job.key)
            if progress is not None:
                progress(n, len(jobs))
    finally:
        record.save()  # what finished before an interruption still counts
    report.seconds = time.perf_counter() - start
    return report


def _workshop_for(request: BuildRequest, lib: Any, brand: Any, dirs: list[Path],
                  data_dir: Path, jobs: list[Job], report: BuildReport
                  ) -> tuple[Workshop, set[tuple[str, str | None]]]:
    """A typesetter for each language the jobs need; translation warnings go to the
    report. With --strict they are errors instead, and the second value says which
    handouts they fail: (language, muscle id), or (language, None) for all of one
    language (its shared text or body regions are not translated)."""
    from handouts.i18n import localize
    from handouts.pdf.typesetter import Typesetter
    from handouts.templating import Templates

    found = Templates(dirs)
    for name in dict.fromkeys(job.template for job in jobs):
        # A broken template fails every handout the same way: say so once, up front.
        found.load(name)
    typesetters = {}
    untranslated: set[tuple[str, str | None]] = set()
    wanted = {job.muscle for job in jobs}
    for lang in dict.fromkeys(job.lang for job in jobs):
        localized = localize(lib, lang, data_dir)
        if not request.strict:
            report.warnings.extend(localized.warnings)
        for w in localized.warnings if request.strict else []:
            name = Path(w.file or "").name
            mid = name[: -len(f".{lang}.yaml")] if name.endswith(f".{lang}.yaml") else None
            if mid in lib.muscles:
                if mid in wanted:
                    untranslated.add((lang, mid))
                    report.failed.append(w.as_error())
            else:
                untranslated.add((lang, None))
                report.failed.append(w.as_error())
        typesetters[lang] = Typesetter(localized.library, brand=brand,
                                       template_dirs=request.template_dirs, data_dir=data_dir,
                                       lang=lang)
    return Workshop(typesetters, request.paper, request.personal), untranslated


def _jobs(request: BuildRequest, muscles: list[str], templates: list[str],
          langs: list[str]) -> list[Job]:
    jobs = []
    for lang in langs:
        folder = request.out if lang == "en" else request.out / lang
        for t in templates:
            for mid in muscles:
                name = output_name(mid, t)
                key = name if lang == "en" else f"{lang}/{name}"
                jobs.append(Job(mid, t, lang, request.target or folder / name, key))
    return jobs


def _all_unchanged(request: BuildRequest, record: BuildRecord, dirs: list[Path], brand: Any,
                   sources: Sources, templates: list[str], langs: list[str]
                   ) -> list[Path] | None:
    """Every output's target, when every one is recorded as built from today's inputs.

    Uses only file hashes and the related muscles recorded at the last build
    (if a muscle's own file is unchanged, so is its list of related muscles).
    None when anything may need building: then the library is loaded as usual.
    """
    from handouts.library import muscle_files

    try:
        files = muscle_files(sources)
    except HandoutError:
        return None
    wanted = request.muscles if request.muscles is not None else list(files)
    if not wanted or any(m not in files for m in wanted):
        return None
    fp = Fingerprints(template_search_path(dirs), brand, sources, request.paper, request.strict)
    targets = []
    for job in _jobs(request, wanted, templates, langs):
        related = record.related.get(job.key)
        if (related is None or not job.target.is_file()
                or record.get(job.key) != fp.of(job, related)):
            return None
        targets.append(job.target)
    return targets


def default_lang(brand: Any) -> str:
    from handouts.languages import LANGUAGES, SOURCE_LANGUAGE

    lang = brand.language.split("-")[0]
    return lang if lang in LANGUAGES else SOURCE_LANGUAGE


def _run(workshop: Workshop, jobs: list[Job], workers: int
         ) -> Iterator[tuple[Job, Failure | None]]:
    import multiprocessing

    # Fork hands the loaded typesetters to the workers for free; elsewhere each
    # worker would have to load everything again, which costs more than it saves.
    fork = "fork" in multiprocessing.get_all_start_methods()
    if workers <= 1 or not fork:
        for job in jobs:
            yield _make_one(workshop, job)
        return
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_worker_start, initargs=(workshop,))
    try:
        # Results in job order, so output and the record do not depend on timing.
        yield from pool.map(_in_worker, jobs, chunksize=2)
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


# The workshop of a worker process, set once by the pool's initializer; never
# set in the main process.
_workshop: Workshop | None = None


def _worker_start(workshop: Workshop) -> None:
    """Keep the workshop, and leave Ctrl-C to the main process.

    Ctrl-C reaches every process of the terminal; the main one stops handing
    out work and waits for the handouts being written (each is written whole,
    then renamed); a worker that stopped by itself would print a traceback
    from wherever it was waiting.
    """
    import signal

    global _workshop
    _workshop = workshop
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _in_worker(job: Job) -> tuple[Job, Failure | None]:
    assert _workshop is not None, "only in a worker process"
    return _make_one(_workshop, job)


def run_booklet(request: BuildRequest, target: Path, title: str | None,
                region: str | None, duplex: bool = False) -> Path:
    """One PDF with a cover, contents and each muscle's handout, in the order given
    (a muscle named twice is in it once)."""
    from handouts.brand import brand_from_env_or, brand_warnings
    from handouts.errors import ErrorList
    from handouts.library import load_library
    from handouts.pdf.typesetter import Options, Typesetter

    sources = Sources.of(request.data)
    result = load_library(sources, request.muscles)
    if result.problems or result.library is None:
        raise ErrorList(result.problems)
    lib = result.library
    ids = list(dict.fromkeys(request.muscles or []))
    if region:
        ids += [m.id for m in lib.muscles.values() if m.in_region(region) and m.id not in ids]
    if not ids:
        raise HandoutError(f"no muscles in the region '{region}'" if region else
                           "name the muscles for the booklet, or use --region")
    brand = brand_from_env_or(request.brand)
    for w in brand_warnings(brand):
        w.show()
    from handouts.i18n import localize

    lang = request.langs[0] if request.langs else default_lang(brand)
    data_dir = sources.base
    localized = localize(lib, lang, data_dir, request.strict)
    for w in localized.warnings:
        w.show()
    lib = localized.library
    typesetter = Typesetter(lib, brand=brand, template_dirs=request.template_dirs,
                            data_dir=data_dir, lang=lang)
    typesetter.templates.load(request.template)
    options = Options(template=request.template, paper=request.paper, personal=request.personal)
    words = BODY_REGIONS[region].words if region else None
    default_title = typesetter._(f"Your {words} muscle guide" if words
                                 else "Your muscle care guide")
    pdf = typesetter.booklet([lib.muscles[i] for i in ids], options, title or default_title,
                             duplex=duplex)
    return write_atomic(target, pdf, what="the PDF")
