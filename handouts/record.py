"""What each output was built from: fingerprints of its inputs, kept beside the outputs.

An output whose inputs have not changed since it was built into the same
folder is skipped. The record holds hashes and muscle ids, never a patient's
details: personalised handouts are never recorded.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handouts import __version__
from handouts.atomic import write_atomic
from handouts.errors import HandoutError
from handouts.sources import Sources

if TYPE_CHECKING:
    from handouts.batch import Job


class Fingerprints:
    """A hash of everything an output depends on, so unchanged outputs can be skipped."""

    def __init__(self, template_dirs: list[Path], brand: Any, data: Path | Sources,
                 paper: str | None, strict: bool = False) -> None:
        self.sources = sources = Sources.of(data)
        h = hashlib.sha256()
        h.update(__version__.encode())
        package = Path(__file__).parent  # the program itself: a new version rebuilds all
        for f in sorted(package.rglob("*")):
            if f.suffix in (".py", ".svg", ".yaml") and "__pycache__" not in f.parts:
                h.update(f.relative_to(package).as_posix().encode() + _digest(f))
        for f in [*sources.shared_files(), sources.file("regions.yaml")]:
            h.update(_digest(f))
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
            d = _digest(self.sources.muscle(mid))
            if lang != "en":
                d += _digest(self.sources.muscle(mid, lang))
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
            for f in [*self.sources.shared_files(job.lang),
                      self.sources.file(f"regions.{job.lang}.yaml")]:
                h.update(_digest(f))
        return h.hexdigest()


def _digest(path: Path | None) -> bytes:
    if path is None:
        return b"-"
    try:
        return hashlib.sha256(path.read_bytes()).digest()
    except OSError:
        return b"missing"


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
        try:
            write_atomic(self.path, text.encode("utf-8"), what="the build record")
        except HandoutError:
            pass  # losing the record costs only a rebuild next time


