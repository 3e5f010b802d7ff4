"""Handouts made in a pool of worker processes that stay warm (fonts registered,
templates read, library loaded), so two clinicians are served at once and no
request waits for start-up. Everything stays in memory: a patient's details are
in the request and in the PDF, never on disk or in a log."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handouts.errors import HandoutError, flatten

# Set in each worker by _start: what it renders from, and its typesetters by language.
_worker: dict[str, Any] = {}


@dataclass(frozen=True)
class Setup:
    """What every render reads, the same for the whole server."""

    data: Any  # a library folder or Sources, or None for the installed library
    brand: Path | None
    template_dirs: tuple[Path, ...] = ()
    paper: str | None = None


@dataclass(frozen=True)
class Request:
    """One handout or booklet, as the page or the API asked for it."""

    muscles: tuple[str, ...]
    template: str = "full"
    lang: str = "en"
    paper: str | None = None
    personal: Any = None  # models.Personal
    booklet: bool = False
    title: str | None = None
    duplex: bool = False


@dataclass
class Outcome:
    pdf: bytes | None = None
    # What went wrong, in the form the API answers it: (field, message).
    error: tuple[str | None, str] | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)


def _start(setup: Setup) -> None:
    import signal

    # Ctrl-C in a terminal reaches every process of the server: the server stops
    # its workers itself, so they ignore it (no traceback from each of them).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from handouts.brand import brand_from_env_or
    from handouts.library import load_library

    result = load_library(setup.data)
    if result.library is None:
        raise SystemExit("the library could not be loaded")
    _worker.update(setup=setup, library=result.library, brand=brand_from_env_or(setup.brand),
                   typesetters={})
    # Warm from the start: fonts registered, templates read, the first layout's
    # caches filled, so the first clinician does not wait for them.
    from handouts.pdf.typesetter import Options

    t = _typesetter("en")
    t.handout(next(iter(result.library.muscles.values())), Options())


def _ready() -> bool:
    return bool(_worker)


def _typesetter(lang: str) -> Any:
    from handouts.i18n import localize
    from handouts.pdf.typesetter import Typesetter

    ts = _worker["typesetters"]
    if lang not in ts:
        setup, lib = _worker["setup"], _worker["library"]
        localized = localize(lib, lang, lib.sources.base)
        ts[lang] = Typesetter(localized.library, brand=_worker["brand"],
                              template_dirs=list(setup.template_dirs),
                              data_dir=lib.sources.base, lang=lang)
    return ts[lang]


def _render(req: Request) -> Outcome:
    from handouts.pdf.typesetter import Options

    try:
        t = _typesetter(req.lang)
        lib = t.library
        options = Options(template=req.template, paper=req.paper or _worker["setup"].paper,
                          personal=req.personal)
        if req.booklet:
            title = req.title or t._("Your muscle care guide")
            muscles = [lib.muscles[m] for m in req.muscles]
            return Outcome(pdf=t.booklet(muscles, options, title, duplex=req.duplex))
        return Outcome(pdf=t.handout(lib.muscles[req.muscles[0]], options))
    except HandoutError as exc:
        first = flatten([exc])[0]
        return Outcome(error=(first.field, first.detail))


class Renderer:
    """The pool of warm workers; one render per worker at a time."""

    def __init__(self, setup: Setup, workers: int) -> None:
        self.workers = workers
        self.pool = ProcessPoolExecutor(workers, initializer=_start, initargs=(setup,))
        # The pool starts its processes on demand: start them all now, and wait until
        # each is warm, so the first requests are as fast as the rest.
        for f in [self.pool.submit(_ready) for _ in range(workers)]:
            f.result()

    def submit(self, req: Request):  # noqa: ANN201 - a concurrent.futures.Future
        return self.pool.submit(_render, req)

    def close(self) -> None:
        # Waiting for the workers to end, so none is left behind the server.
        self.pool.shutdown(wait=True, cancel_futures=True)

