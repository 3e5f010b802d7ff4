"""Load a data folder into a validated, cross-checked :class:`Library`."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from handouts.cache import cache_folder, code_stamp, keep, read_kept
from handouts.errors import DataError, ErrorList, HandoutError
from handouts.models import BODY_REGIONS, Library, Muscle, Region, Shared
from handouts.resources import builtin_techniques_dir
from handouts.sources import Sources
from handouts.validate import clean_text, validate
from handouts.yamlfile import LayeredDocument, YamlDocument, load_yaml

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class LoadResult:
    """A library plus the problems found; broken muscles are left out of it."""

    library: Library | None
    problems: list[HandoutError] = field(default_factory=list)
    # Muscle ids whose files exist but failed to load, so callers can report them.
    failed: dict[str, HandoutError] = field(default_factory=dict)


def load_regions(path: Path) -> dict[str, Region]:
    doc = load_yaml(path)
    errors: list[DataError] = []
    regions: dict[str, Region] = {}
    if not isinstance(doc.data, dict):
        raise doc.error((), "expected a mapping of body-region groups")
    for group, entries in doc.data.items():
        if group not in BODY_REGIONS:
            errors.append(
                doc.error((group,), f"unknown group; expected one of {', '.join(BODY_REGIONS)}")
            )
            continue
        if not isinstance(entries, dict):
            errors.append(doc.error((group,), "expected a mapping of region id to label"))
            continue
        for rid, label in entries.items():
            if not ID_RE.match(rid):
                errors.append(
                    doc.error((group, rid), "region ids are lower-case words joined by '-'")
                )
            elif rid in regions:
                errors.append(doc.error((group, rid), f"region '{rid}' is defined twice"))
            elif not isinstance(label, str) or not clean_text(label):
                errors.append(doc.error((group, rid), "expected the label as text"))
            else:
                regions[rid] = Region(id=rid, label=clean_text(label), group=group)
    if errors:
        raise ErrorList(errors)
    return regions


def shared_document(sources: Sources) -> YamlDocument:
    """The shared text as one document: the workspace's keys over the installed ones."""
    docs = [load_yaml(p) for p in sources.shared_files()]
    if len(docs) == 1:
        return docs[0]  # validation says what is wrong with it
    for d in docs:
        if not isinstance(d.data, dict):
            raise d.error((), "expected a mapping of fields (shared content, key by key)")
    return LayeredDocument(docs)


def load_shared(path: Path | Sources) -> Shared:
    sources = path if isinstance(path, Sources) else Sources(path.parent)
    doc = shared_document(sources) if isinstance(path, Sources) else load_yaml(path)
    shared = validate(Shared, doc)
    errors = []
    seen: set[str] = set()
    for i, t in enumerate(shared.techniques):
        if t.id in seen:
            errors.append(doc.error(("techniques", i, "id"), f"technique '{t.id}' is listed twice"))
        elif technique_drawing(t.id, sources) is None:
            errors.append(doc.error(("techniques", i, "id"),
                                    f"no drawing for the technique '{t.id}': expected "
                                    f"techniques/{t.id}.svg in the data folder or built in"))
        seen.add(t.id)
    if errors:
        raise ErrorList(errors)
    return shared


def technique_drawing(tid: str, sources: Sources | Path | None) -> Path | None:
    """The technique's drawing: the workspace's or data folder's own, else the built-in one."""
    folders = Sources.of(sources).technique_folders() if sources else []
    for folder in [*folders, builtin_techniques_dir()]:
        path = folder / f"{tid}.svg"
        if path.is_file():
            return path
    return None


def muscle_files(data: Path | Sources) -> dict[str, Path]:
    """The English muscle files; ``<id>.<lang>.yaml`` files beside them are translations."""
    sources = Sources.of(data)
    if not (sources.base / "muscles").is_dir():
        raise DataError("no 'muscles' folder in the data folder", file=sources.base)
    return sources.english_muscles()


def load_muscle(path: Path, regions: dict[str, Region], known_ids: set[str],
                techniques: set[str] | None = None) -> Muscle:
    if not ID_RE.match(path.stem):
        raise DataError(
            "file names are muscle ids: lower-case words joined by '-', e.g. gluteus-minimus.yaml",
            file=path,
        )
    doc: YamlDocument = load_yaml(path)
    muscle = validate(Muscle, doc, refs={"region": regions, "muscle": known_ids,
                                         "technique": techniques})
    if path.stem in muscle.related_muscles:
        idx = muscle.related_muscles.index(path.stem)
        raise doc.error(("related_muscles", idx), "a muscle cannot be related to itself")
    return replace(muscle, id=path.stem)


def load_library(data: Path | Sources | None = None, only: list[str] | None = None
                 ) -> LoadResult:
    """Load everything; a broken muscle file is reported and skipped, not fatal.

    ``only`` names the muscles the caller needs; unknown names are an error.

    A broken ``shared.yaml`` or ``regions.yaml`` is fatal, since no handout
    can be built without them.
    """
    sources = Sources.of(data)
    data_dir = sources.base
    if not data_dir.is_dir():
        raise DataError("data folder not found", file=data_dir)
    if sources.muscles is not None and not sources.muscles.is_dir():
        raise DataError("the workspace's muscles folder is not there", file=sources.muscles)
    files = muscle_files(sources)
    if only is not None:
        missing = [m for m in only if m not in files]
        if missing:
            from difflib import get_close_matches

            msgs = []
            for m in missing:
                hint = get_close_matches(m, list(files), n=1)
                msgs.append(
                    DataError(
                        f"no muscle '{m}' in the library"
                        + (f" (did you mean '{hint[0]}'?)" if hint else "; see 'handouts list'"),
                        file=data_dir / "muscles",
                    )
                )
            raise ErrorList(msgs)
    kept, key = _kept_file(sources, files)
    library = read_kept(kept, key, Library)
    if library is not None:
        return LoadResult(library)
    problems: list[HandoutError] = []
    try:
        regions = load_regions(data_dir / "regions.yaml")
    except HandoutError as exc:
        problems.append(exc)
        regions = None
    try:
        shared = load_shared(sources)
    except HandoutError as exc:
        problems.append(exc)
        shared = None
    if regions is None or shared is None:
        return LoadResult(None, problems)
    muscles: dict[str, Muscle] = {}
    failed: dict[str, HandoutError] = {}
    # Every muscle is loaded even when only some are asked for: a handout
    # prints the names of its related muscles. Only the asked-for muscles'
    # problems are reported, so one broken file does not block the others.
    for mid, path in files.items():
        try:
            muscles[mid] = load_muscle(path, regions, set(files),
                                       {t.id for t in shared.techniques})
        except HandoutError as exc:
            if only is None or mid in only:
                failed[mid] = exc
                problems.append(exc)
    library = Library(muscles=muscles, shared=shared, regions=regions, sources=sources)
    if len(muscles) == len(files):  # whole: a broken file is reported each time
        keep(kept, key, library, what="the library cache", most=16)
    return LoadResult(library, problems, failed)


def _kept_file(sources: Sources, files: dict[str, Path]) -> tuple[Path | None, bytes]:
    """Where a library loaded whole is kept, and the key it is kept for: every
    file it was read from, byte for byte, and the code that read them.

    Loading and checking 30 muscle files takes longer than starting the program;
    an unchanged library is read back in a few milliseconds.
    """
    folder = cache_folder("library")
    if folder is None:
        return None, b""
    places = repr(sources).encode()
    key = hashlib.sha256(code_stamp("handouts", "yaml"))
    key.update(places)
    for path in [sources.file("regions.yaml"), *sources.shared_files(), *files.values()]:
        try:
            data = path.read_bytes()
        except OSError:
            return None, b""  # loaded from the files, which will say what is wrong
        key.update(f"\0{path}\0{len(data)}\0".encode() + data)
    # A technique is only valid when its drawing is there.
    for drawings in [*sources.technique_folders(), builtin_techniques_dir()]:
        names = sorted(p.name for p in drawings.glob("*.svg")) if drawings.is_dir() else []
        key.update(f"\0{drawings}\0{names}".encode())
    return folder / f"{hashlib.sha256(places).hexdigest()[:16]}.pickle", key.digest()


def _plain(name: str) -> str:
    """A name as people type it: any case, without "the" or "a" in front."""
    words = name.strip().lower().replace("-", " ").split()
    while words and words[0] in ("the", "a", "an"):
        words = words[1:]
    return " ".join(words)


def name_index(muscles: Iterable[tuple[str, str | None, Iterable[str]]]) -> dict[str, str]:
    """Every way to type each muscle (its id, name and other names, as people type
    them) -> its id. ``muscles``: (id, name, other names) each."""
    entries = list(muscles)
    # Ids first: a muscle's id wins over another muscle's name that reads the same.
    index = {_plain(mid): mid for mid, _name, _others in entries}
    for mid, name, others in entries:
        for n in [name, *others]:
            if isinstance(n, str):
                index.setdefault(_plain(n), mid)
    return index


def match_muscle(typed: str, index: dict[str, str]) -> tuple[str | None, str | None]:
    """(the id ``typed`` names, or None; else the id it most looks like, or None)."""
    from difflib import get_close_matches

    key = _plain(typed)
    if key in index:
        return index[key], None
    hint = get_close_matches(key, list(index), n=1)
    return None, index[hint[0]] if hint else None


def resolve_muscles(names: list[str], data: Path | Sources | None = None) -> list[str]:
    """Muscle ids for what was typed: an id in any case, or a name or other name
    ("TFL", "calf muscle"); each once, in the order given. Raises ErrorList with
    "did you mean" for what matches nothing."""
    sources = Sources.of(data)
    if not sources.base.is_dir():
        raise DataError("data folder not found", file=sources.base)
    files = muscle_files(sources)
    ids = name_index((mid, None, ()) for mid in files)
    if all(_plain(n) in ids for n in names):  # ids alone: no file needs reading
        return list(dict.fromkeys(ids[_plain(n)] for n in names))
    entries = []
    for mid, path in files.items():
        try:
            doc = load_yaml(path).data
        except HandoutError:
            doc = None  # a broken file is reported when the library loads
        doc = doc if isinstance(doc, dict) else {}
        entries.append((mid, doc.get("name"), doc.get("other_names") or []))
    index = name_index(entries)
    found, errors = [], []
    for n in names:
        mid, hint = match_muscle(n, index)
        if mid is not None:
            found.append(mid)
        else:
            errors.append(DataError(
                f"no muscle '{n}' in the library"
                + (f" (did you mean '{hint}'?)" if hint else "; see 'handouts list'"),
                file=sources.base / "muscles"))
    if errors:
        raise ErrorList(errors)
    return list(dict.fromkeys(found))
