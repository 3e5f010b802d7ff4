"""A clinic's own folder: ``handouts.yaml``, found by walking up from where a
command runs (like mkdocs.yml or .git), with the clinic's brand, languages,
paper, templates and output folder, and its own muscles and shared text laid
over the installed library (:mod:`handouts.sources`).

Command-line options override the file; the file overrides the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from handouts.errors import DataError, ErrorList
from handouts.languages import LANGUAGES
from handouts.resources import builtin_data_dir
from handouts.sources import Sources
from handouts.validate import validate
from handouts.yamlfile import load_yaml

CONFIG_NAME = "handouts.yaml"


@dataclass(frozen=True)
class Config:
    """``handouts.yaml``: every path relative to the file's folder."""

    brand: str | None = None
    languages: list[str] = field(default_factory=lambda: ["en"],
                                 metadata={"choices": tuple(LANGUAGES), "unique": True})
    paper: Literal["letter", "a4"] | None = None
    templates: list[str] = field(default_factory=lambda: ["full"])
    output: str = "output"
    muscles: str = "muscles"
    shared: str | None = None
    template_folder: str = "templates"


@dataclass(frozen=True)
class Workspace:
    """A loaded ``handouts.yaml`` with its paths made whole."""

    file: Path
    config: Config

    @property
    def root(self) -> Path:
        return self.file.parent

    def path(self, rel: str) -> Path:
        return (self.root / rel).resolve()

    @property
    def brand(self) -> Path | None:
        return self.path(self.config.brand) if self.config.brand else None

    @property
    def output(self) -> Path:
        return self.path(self.config.output)

    @property
    def template_dirs(self) -> list[Path]:
        return [self.path(self.config.template_folder)]

    def sources(self) -> Sources:
        shared = self.path(self.config.shared) if self.config.shared else None
        return Sources(builtin_data_dir(), self.path(self.config.muscles), shared)


def find_config(start: Path) -> Path | None:
    """``handouts.yaml`` in ``start`` or the nearest folder above it."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def load_workspace(file: Path) -> Workspace:
    """Read and check ``handouts.yaml``, or raise errors that give its line and field."""
    doc = load_yaml(file)
    if isinstance(doc.data, dict) and isinstance(doc.data.get("paper"), str):
        doc.data["paper"] = doc.data["paper"].strip().lower()  # A4 and a4 alike
    config = validate(Config, doc)
    ws = Workspace(file.resolve(), config)
    errors: list[DataError] = []

    def need(key: str, path: Path | None, kind: str) -> None:
        ok = path is not None and (path.is_dir() if kind == "folder" else path.is_file())
        if path is not None and not ok:
            errors.append(doc.error((key,), f"no {kind} {path.name!r} in {ws.root}"))

    need("brand", ws.brand, "file")
    need("muscles", ws.path(config.muscles), "folder")
    need("template_folder", ws.template_dirs[0], "folder")
    need("shared", ws.path(config.shared) if config.shared else None, "file")
    if errors:
        raise ErrorList(errors)
    return ws


def write_workspace(folder: Path, force: bool = False) -> list[Path]:
    """A new clinic workspace in ``folder``: its config, a starter brand, and empty
    muscle and template folders, each with a short README. Returns what it wrote."""
    from handouts.resources import builtin_assets_dir

    assets = builtin_assets_dir()
    files = {
        folder / CONFIG_NAME: assets / "workspace" / CONFIG_NAME,
        folder / "brand" / "brand.yaml": assets / "brand" / "brand.yaml",
        folder / "brand" / "logo.svg": assets / "brand" / "logo.svg",
        folder / "muscles" / "README.md": assets / "workspace" / "muscles" / "README.md",
        folder / "templates" / "README.md": assets / "workspace" / "templates" / "README.md",
    }
    there = [p for p in files if p.exists()]
    if there and not force:
        raise DataError(f"{there[0].name} is already there; use --force to write over it",
                        file=there[0])
    from handouts.atomic import write_atomic

    for target, source in files.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, source.read_bytes(), what=target.name)
    return list(files)


def copy_muscle(ws: Workspace, mid: str, force: bool = False) -> list[Path]:
    """Copy an installed muscle and its translations into the workspace, to edit."""
    import difflib

    from handouts.atomic import write_atomic
    from handouts.sources import TRANSLATION_RE

    installed = Sources(builtin_data_dir()).english_muscles()
    if mid not in installed:
        hint = difflib.get_close_matches(mid, list(installed), n=1)
        raise DataError(f"no built-in muscle '{mid}'"
                        + (f" (did you mean '{hint[0]}'?)" if hint else "; see 'handouts list'"))
    folder = ws.path(ws.config.muscles)
    sources = [installed[mid]] + sorted(
        p for p in installed[mid].parent.glob(f"{mid}.*.yaml")
        if (m := TRANSLATION_RE.match(p.name)) and m.group("id") == mid)
    targets = [folder / p.name for p in sources]
    if not force:
        for t in targets:
            if t.exists():
                raise DataError(f"{t.name} is already in the workspace; use --force to "
                                "copy over it", file=t)
    for src, target in zip(sources, targets, strict=True):
        write_atomic(target, src.read_bytes(), what=target.name)
    return targets
