"""Building a set of handouts: which files, from which inputs, and what failed."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handouts import __version__
from handouts.errors import BuildFailure, DataWarning, HandoutError
from handouts.models import Personal
from handouts.resources import TEMPLATE_SUFFIX as SUFFIX
from handouts.resources import template_search_path


@dataclass
class BuildRequest:
    muscles: list[str] | None  # None: every muscle
    out: Path = Path("output")
    data: Path | None = None
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


# The renderers of this process, one per language. Set before worker processes
# fork, so each worker starts with fonts, styles, templates and the library loaded.
_RENDERERS: dict[str, Any] = {}
_PERSONAL: Personal = Personal()
_PAPER: str | None = None


def _build_one(job: Job) -> tuple[Job, tuple[str | None, int | None, str | None, str] | None]:
    """Build one handout; returns the failure as plain parts (they cross processes)."""
    from handouts.pdf.typesetter import Options

    renderer = _RENDERERS[job.lang]
    muscle = renderer.library.muscles[job.muscle]
    options = Options(template=job.template, paper=_PAPER, personal=_PERSONAL)
    try:
        renderer.build(muscle, job.target, options)
        return job, None
    except HandoutError as exc:
        return job, (exc.file, exc.line, exc.field, exc.detail)
    except Exception as exc:  # a bug of ours: report it, keep building the rest
        path = renderer.muscle_file(muscle)
        return job, (str(path) if path else None, None, None,
                     f"unexpected {type(exc).__name__}: {exc} (please report this)")


def run_build(request: BuildRequest,
              progress: Callable[[int, int], None] | None = None) -> BuildReport:
    """Build every handout asked for: in parallel, skipping those whose inputs are unchanged."""
    global _PERSONAL, _PAPER
    from handouts.brand import brand_from_env_or, brand_warnings
    from handouts.library import load_library

    start = time.perf_counter()
    report = BuildReport()
    brand = brand_from_env_or(request.brand)
    report.warnings.extend(brand_warnings(brand))
    data_dir = request.data or _builtin_data()
    dirs = list(request.template_dirs)
    if brand.template_dir is not None:
        dirs.append(brand.template_dir)
    templates = request.templates or [request.template]
    langs = request.langs or [default_lang(brand)]
    # Personalised handouts are always built and never recorded: patient details
    # stay out of the record, and the next plain build replaces them.
    personal = request.personal != Personal()
    record = BuildRecord(request.out)
    incremental = not personal and not request.force

    if incremental:
        unchanged = _all_unchanged(request, record, dirs, brand, data_dir, templates, langs)
        if unchanged is not None:
            # Nothing to do, found without parsing the library or importing reportlab.
            report.unchanged = unchanged
            report.seconds = time.perf_counter() - start
            return report

    result = load_library(request.data, request.muscles)
    report.failed.extend(result.problems)
    lib = result.library
    if lib is None:
        report.seconds = time.perf_counter() - start
        return report
    wanted = request.muscles if request.muscles is not None else list(lib.muscles)
    jobs = [job for job in _jobs(request, wanted, templates, langs) if job.muscle in lib.muscles]
    fp = Fingerprints(template_search_path(dirs), brand, data_dir, request.paper, request.strict)
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

    from handouts.i18n import localize
    from handouts.pdf.typesetter import Renderer
    from handouts.templating import Templates

    found = Templates(dirs)
    for name in dict.fromkeys(job.template for job in jobs):
        # A broken template fails every handout the same way: say so once, up front.
        found.load(name)
    for lang in dict.fromkeys(job.lang for job in jobs):
        localized = localize(lib, lang, data_dir, request.strict)
        report.warnings.extend(localized.warnings)
        _RENDERERS[lang] = Renderer(localized.library, brand=brand,
                                    template_dirs=request.template_dirs, data_dir=data_dir,
                                    lang=lang)
    _PERSONAL, _PAPER = request.personal, request.paper
    workers = min(request.jobs or os.cpu_count() or 1, len(jobs))
    try:
        for n, (job, failure) in enumerate(_run(jobs, workers), 1):
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


def _jobs(request: BuildRequest, muscles: list[str], templates: list[str],
          langs: list[str]) -> list[Job]:
    jobs = []
    for lang in langs:
        folder = request.out if lang == "en" else request.out / lang
        for t in templates:
            for mid in muscles:
                name = output_name(mid, t)
                key = name if lang == "en" else f"{lang}/{name}"
                jobs.append(Job(mid, t, lang, folder / name, key))
    return jobs


def _all_unchanged(request: BuildRequest, record: BuildRecord, dirs: list[Path], brand: Any,
                   data_dir: Path, templates: list[str], langs: list[str]) -> list[Path] | None:
    """Every output's target, when every one is recorded as built from today's inputs.

    Uses only file hashes and the related muscles recorded at the last build
    (if a muscle's own file is unchanged, so is its list of related muscles).
    None when anything may need building: then the library is loaded as usual.
    """
    from handouts.library import muscle_files

    try:
        files = muscle_files(data_dir)
    except HandoutError:
        return None
    wanted = request.muscles if request.muscles is not None else list(files)
    if not wanted or any(m not in files for m in wanted):
        return None
    fp = Fingerprints(template_search_path(dirs), brand, data_dir, request.paper, request.strict)
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


def _run(jobs: list[Job], workers: int) -> Iterator[tuple[Job, Any]]:
    if workers <= 1:
        for job in jobs:
            yield _build_one(job)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Fork keeps the loaded renderer; elsewhere workers would have to rebuild it.
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
    if ctx.get_start_method() != "fork":
        for job in jobs:
            yield _build_one(job)
        return
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_start)
    try:
        # Results in job order, so output and the record do not depend on timing.
        yield from pool.map(_build_one, jobs, chunksize=max(1, len(jobs) // (workers * 4)))
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _worker_start() -> None:
    """Ctrl-C reaches every process of the terminal; only the main one handles it.

    The main process stops handing out work and waits for the handouts being
    written (each is written whole, then renamed); a worker that stopped by
    itself would print a traceback from wherever it was waiting.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Fingerprints:
    """A hash of everything an output depends on, so unchanged outputs can be skipped."""

    def __init__(self, template_dirs: list[Path], brand: Any, data_dir: Path,
                 paper: str | None, strict: bool = False) -> None:
        self.data_dir = data_dir
        h = hashlib.sha256()
        h.update(__version__.encode())
        package = Path(__file__).parent
        for f in sorted(package.rglob("*")):
            if f.suffix in (".py", ".svg", ".yaml") and "__pycache__" not in f.parts:
                h.update(f.relative_to(package).as_posix().encode() + _digest(f))
        for name in ("shared.yaml", "regions.yaml"):
            h.update(_digest(data_dir / name))
        for d in template_dirs:
            for f in sorted([*Path(d).glob("*.j2"), *Path(d).glob("i18n/*.yaml")]):
                h.update(f.name.encode() + _digest(f))
        if brand.file is not None:
            h.update(_digest(Path(brand.file)))
            for rel in (brand.logo, brand.fonts.regular, brand.fonts.bold):
                if rel:
                    h.update(_digest(brand.path(rel)))
        h.update(repr((paper, brand.paper, strict)).encode())
        self.common = h.digest()
        self._muscle: dict[str, bytes] = {}

    def _muscle_digest(self, mid: str, lang: str) -> bytes:
        key = f"{mid}.{lang}"
        if key not in self._muscle:
            folder = self.data_dir / "muscles"
            d = _digest(folder / f"{mid}.yaml")
            if lang != "en":
                d += _digest(folder / f"{mid}.{lang}.yaml")
            self._muscle[key] = d
        return self._muscle[key]

    def of(self, job: Job, related: list[str]) -> str:
        h = hashlib.sha256(self.common)
        h.update(f"{job.template}\0{job.lang}".encode())
        h.update(self._muscle_digest(job.muscle, job.lang))
        # A handout prints its related muscles' names.
        for other in related:
            h.update(other.encode() + self._muscle_digest(other, job.lang))
        if job.lang != "en":
            for name in (f"shared.{job.lang}.yaml", f"regions.{job.lang}.yaml"):
                h.update(_digest(self.data_dir / name))
        return h.hexdigest()


def _digest(path: Path | None) -> bytes:
    if path is None:
        return b"-"
    try:
        return hashlib.sha256(path.read_bytes()).digest()
    except OSError:
        return b"missing"


def _builtin_data() -> Path:
    from handouts.resources import builtin_data_dir

    return builtin_data_dir()


class BuildRecord:
    """Input fingerprints of the outputs in a folder, kept beside them."""

    NAME = ".handouts-build.json"

    def __init__(self, folder: Path) -> None:
        self.path = folder / self.NAME
        self.entries: dict[str, str] = {}
        # The related muscles each output printed, so an unchanged batch can be
        # recognised without parsing the library.
        self.related: dict[str, list[str]] = {}
        self.changed = False
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and isinstance(data.get("outputs"), dict):
                self.entries = {str(k): str(v) for k, v in data["outputs"].items()}
                related = data.get("related")
                if isinstance(related, dict):
                    self.related = {str(k): [str(x) for x in v] for k, v in related.items()
                                    if isinstance(v, list)}
        except (OSError, ValueError):
            pass  # no record (or a damaged one) just means everything is rebuilt

    def get(self, name: str) -> str | None:
        return self.entries.get(name)

    def set(self, name: str, fingerprint: str, related: list[str]) -> None:
        self.entries[name] = fingerprint
        self.related[name] = list(related)
        self.changed = True

    def forget(self, name: str) -> None:
        self.related.pop(name, None)
        if self.entries.pop(name, None) is not None:
            self.changed = True

    def save(self) -> None:
        if not self.changed:
            return
        related = {k: self.related[k] for k in sorted(self.entries) if k in self.related}
        text = json.dumps({"version": 1, "outputs": dict(sorted(self.entries.items())),
                           "related": related}, indent=1)
        tmp = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".handouts-build.", suffix=".tmp",
                                       dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, self.path)
        except BaseException as exc:
            # Losing the record costs only a rebuild next time; never leave half of one.
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
            if not isinstance(exc, OSError):
                raise


def run_booklet(request: BuildRequest, target: Path, title: str | None,
                region: str | None) -> Path:
    """One PDF with a cover, contents and each muscle's handout, in the order given."""
    from handouts.brand import brand_from_env_or, brand_warnings
    from handouts.errors import ErrorList
    from handouts.library import load_library
    from handouts.pdf.typesetter import Options, Renderer

    result = load_library(request.data, request.muscles)
    if result.problems or result.library is None:
        raise ErrorList(result.problems)
    lib = result.library
    ids = list(request.muscles or [])
    if region:
        ids += [m.id for m in lib.muscles.values() if m.body_region == region and m.id not in ids]
    if not ids:
        raise HandoutError(f"no muscles in the region '{region}'" if region else
                           "name the muscles for the booklet, or use --region")
    brand = brand_from_env_or(request.brand)
    for w in brand_warnings(brand):
        w.show()
    from handouts.i18n import localize

    lang = request.langs[0] if request.langs else default_lang(brand)
    data_dir = request.data or _builtin_data()
    localized = localize(lib, lang, data_dir, request.strict)
    for w in localized.warnings:
        w.show()
    lib = localized.library
    renderer = Renderer(lib, brand=brand, template_dirs=request.template_dirs,
                        data_dir=data_dir, lang=lang)
    renderer.templates.load(request.template)
    options = Options(template=request.template, paper=request.paper, personal=request.personal)
    default_title = renderer._(f"Your {REGION_WORDS[region]} muscle guide" if region
                               else "Your muscle care guide")
    return renderer.booklet([lib.muscles[i] for i in ids], target, options,
                            title or default_title)


REGION_WORDS = {"head-neck": "head and neck", "shoulder-arm": "shoulder and arm",
                "trunk": "back and trunk", "hip": "hip", "leg": "leg"}
