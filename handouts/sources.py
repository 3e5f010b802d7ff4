"""Where each file of a library comes from: a clinic's own, else the installed one.

A workspace lays its own muscles and shared text over the installed library
(like a theme's custom folder in mkdocs): its ``muscles/<id>.yaml`` replaces
the installed muscle of that id or adds one, its ``shared.yaml`` replaces the
installed shared text key by key, and everything else keeps coming from the
installed library, so upgrades still reach the clinic. A translation always
comes from beside its English file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from handouts.resources import builtin_data_dir

TRANSLATION_RE = re.compile(r"^(?P<id>.+)\.(?P<lang>[a-z]{2})\.yaml$")


@dataclass(frozen=True)
class Sources:
    base: Path  # the installed library, or a whole library of one's own (--data)
    muscles: Path | None = None  # the workspace's muscle files, laid over the base's
    shared: Path | None = None  # the workspace's shared.yaml, key by key over the base's

    @classmethod
    def of(cls, data: Path | Sources | None) -> Sources:
        if isinstance(data, Sources):
            return data
        return cls(Path(data) if data else builtin_data_dir())

    def english_muscles(self) -> dict[str, Path]:
        """Each muscle id's English file: the workspace's where it has one."""
        files = _english(self.base / "muscles")
        if self.muscles is not None and self.muscles.is_dir():
            files.update(_english(self.muscles))
        return dict(sorted(files.items()))

    def muscle(self, mid: str, lang: str | None = None) -> Path:
        """The muscle's file (``lang``: its translation, beside the English file)."""
        # Looked up directly, not by listing the folders: a batch asks this of
        # every handout it fingerprints.
        own = self.muscles / f"{mid}.yaml" if self.muscles is not None else None
        english = self.base / "muscles" / f"{mid}.yaml"
        if own is not None and own.is_file():
            english = own
        return english if lang in (None, "en") else english.with_name(f"{mid}.{lang}.yaml")

    def is_own(self, mid: str) -> bool:
        """True when the muscle comes from the workspace, not the installed library."""
        return (self.muscles is not None and self.muscle(mid).parent == self.muscles)

    def shared_files(self, lang: str | None = None) -> list[Path]:
        """The shared text's files, installed first, then the workspace's over it."""
        name = "shared.yaml" if lang in (None, "en") else f"shared.{lang}.yaml"
        files = [self.base / name]
        if self.shared is not None:
            own = self.shared.with_name(name) if lang not in (None, "en") else self.shared
            if own.is_file():
                files.append(own)
        return files

    def shared_file(self, lang: str | None = None) -> Path:
        """The shared file a reader would edit: the workspace's when it has one."""
        files = self.shared_files(lang)
        return files[-1]

    def file(self, name: str) -> Path:
        """Another file of the library (regions, word lists): always the base's."""
        return self.base / name

    def technique_folders(self) -> list[Path]:
        folders = [self.base / "techniques"]
        if self.muscles is not None:
            folders.insert(0, self.muscles.parent / "techniques")
        return folders

    def translation_langs(self) -> set[str]:
        """The languages with a translated muscle or shared text in the library."""
        langs = set()
        for folder in (self.base / "muscles", self.muscles):
            if folder is not None and folder.is_dir():
                langs |= {m.group("lang") for p in folder.glob("*.yaml")
                          if (m := TRANSLATION_RE.match(p.name))}
        for folder in {self.base, *([self.shared.parent] if self.shared else [])}:
            langs |= {p.name.split(".")[1] for p in folder.glob("shared.*.yaml")
                      if len(p.name.split(".")) == 3}
        return langs

def _english(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in folder.glob("*.yaml") if not TRANSLATION_RE.match(p.name)}
