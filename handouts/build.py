"""Building a set of handouts: which files, from which inputs, and what failed."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from handouts.errors import HandoutError, RenderError
from handouts.models import Personal
from handouts.templating import SUFFIX


@dataclass
class BuildRequest:
    muscles: list[str] | None  # None: every muscle
    out: Path = Path("output")
    data: Path | None = None
    template_dirs: list[Path] = field(default_factory=list)
    template: str = "full"
    paper: str | None = None
    brand: Path | None = None
    personal: Personal = field(default_factory=Personal)


@dataclass
class BuildReport:
    built: list[Path] = field(default_factory=list)
    failed: list[HandoutError] = field(default_factory=list)
    seconds: float = 0.0


def output_name(muscle_id: str, template: str) -> str:
    """File names come from validated ids and template names, never from free text."""
    stem = Path(template).name
    if stem.endswith(SUFFIX):
        stem = stem[: -len(SUFFIX)]
    return f"{muscle_id}.pdf" if stem == "full" else f"{muscle_id}-{stem}.pdf"


def run_build(request: BuildRequest) -> BuildReport:
    from handouts.library import load_library
    from handouts.render import Options, Renderer

    start = time.perf_counter()
    report = BuildReport()
    result = load_library(request.data, request.muscles)
    report.failed.extend(result.problems)
    lib = result.library
    if lib is None:
        report.seconds = time.perf_counter() - start
        return report
    from handouts.brand import brand_from_env_or

    brand = brand_from_env_or(request.brand)
    renderer = Renderer(lib, brand=brand, template_dirs=request.template_dirs,
                        data_dir=request.data or _builtin_data())
    # Load the template once up front: a broken template fails every handout the same way.
    renderer.templates.load(request.template)
    options = Options(template=request.template, paper=request.paper, personal=request.personal)
    wanted = request.muscles if request.muscles is not None else list(lib.muscles)
    for mid in wanted:
        muscle = lib.muscles.get(mid)
        if muscle is None:
            continue  # its file failed to load; already reported
        target = request.out / output_name(mid, request.template)
        try:
            report.built.append(renderer.build(muscle, target, options))
        except HandoutError as exc:
            report.failed.append(exc)
        except Exception as exc:  # a bug of ours: report it, keep building the rest
            report.failed.append(
                RenderError(
                    f"unexpected {type(exc).__name__}: {exc} (please report this)",
                    file=renderer.muscle_file(muscle),
                )
            )
    report.seconds = time.perf_counter() - start
    return report


def _builtin_data() -> Path:
    from handouts.resources import builtin_data_dir

    return builtin_data_dir()


def run_booklet(request: BuildRequest, target: Path, title: str | None,
                region: str | None) -> Path:
    """One PDF with a cover, contents and each muscle's handout, in the order given."""
    from handouts.brand import brand_from_env_or
    from handouts.errors import ErrorList
    from handouts.library import load_library
    from handouts.render import Options, Renderer

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
    renderer = Renderer(lib, brand=brand, template_dirs=request.template_dirs,
                        data_dir=request.data or _builtin_data())
    renderer.templates.load(request.template)
    options = Options(template=request.template, paper=request.paper, personal=request.personal)
    default_title = (f"Your {REGION_WORDS[region]} muscle guide" if region
                     else "Your muscle care guide")
    return renderer.booklet([lib.muscles[i] for i in ids], target, options,
                            title or default_title)


REGION_WORDS = {"head-neck": "head and neck", "shoulder-arm": "shoulder and arm",
                "trunk": "back and trunk", "hip": "hip", "leg": "leg"}
