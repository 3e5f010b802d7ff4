"""Languages: template words from per-language catalogues, translated library content.

English is the source language. A template marks every word it prints with
``_("...")``; ``templates/i18n/<lang>.yaml`` maps each English text to its
translation (a clinic's template folder may add an ``i18n`` folder of its own,
which wins). Muscle content is translated in ``muscles/<id>.<lang>.yaml`` next
to the English file; it records the English review date it translates, so an
out-of-date translation shows up. Anything missing falls back to English with
a warning, or is an error with ``--strict``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import typing
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from handouts.errors import DataWarning, ErrorList, HandoutError
from handouts.languages import LANGUAGES, SOURCE_LANGUAGE
from handouts.models import Library, Muscle, translated
from handouts.sources import Sources
from handouts.validate import clean_text
from handouts.yamlfile import LayeredDocument, YamlDocument, format_key, load_yaml


@dataclass
class Catalogue:
    """English text -> translation, for one language."""

    lang: str
    messages: dict[str, str] = field(default_factory=dict)
    missing: set[str] = field(default_factory=set)

    def gettext(self, text: str) -> str:
        if self.lang == SOURCE_LANGUAGE:
            return text
        found = self.messages.get(text)
        if found is None:
            self.missing.add(text)
            return text
        return found


def load_catalogue(lang: str, template_dirs: Sequence[Path]) -> Catalogue:
    """Merge ``i18n/<lang>.yaml`` from every template folder; earlier folders win."""
    cat = Catalogue(lang)
    if lang == SOURCE_LANGUAGE:
        return cat
    for d in reversed(list(template_dirs)):
        path = Path(d) / "i18n" / f"{lang}.yaml"
        if not path.is_file():
            continue
        doc = load_yaml(path)
        if not isinstance(doc.data, dict):
            raise doc.error((), "expected a mapping of English text to its translation")
        errors = [doc.error((k,), "expected the translation as text")
                  for k, v in doc.data.items() if not isinstance(v, str) or not v.strip()]
        if errors:
            raise ErrorList(errors)
        cat.messages.update({str(k): " ".join(v.split()) for k, v in doc.data.items()})
    return cat


@dataclass
class Localized:
    library: Library
    warnings: list[DataWarning] = field(default_factory=list)


def localize(library: Library, lang: str, data_dir: Path, strict: bool = False) -> Localized:
    """The library in ``lang``: every text translated, or English with a warning."""
    if lang == SOURCE_LANGUAGE:
        return Localized(library)
    notes: list[HandoutError] = []

    def note(message: str, file: Path, line: int | None = None, fld: str | None = None) -> None:
        notes.append(DataWarning(message, file=file, line=line, field=fld))

    sources = library.sources or Sources.of(data_dir)
    shared = library.shared
    shared_doc = shared_translation(sources, lang)
    if shared_doc is not None:
        shared, found = translate(shared, shared_doc)
        notes.extend(found)
    else:
        note(f"no {LANGUAGES[lang].english_name} translation of shared content; using English",
             sources.shared_file(lang))

    regions = dict(library.regions)
    regions_path = sources.file(f"regions.{lang}.yaml")
    if regions_path.is_file():
        doc = load_yaml(regions_path)
        if not isinstance(doc.data, dict):
            raise doc.error((), "expected a mapping of region id to its words")
        for rid, label in doc.data.items():
            if rid not in regions:
                raise doc.error((rid,), f"unknown region '{rid}'")
            if not isinstance(label, str) or not clean_text(label):
                raise doc.error((rid,), "expected the words as text")
            regions[rid] = replace(regions[rid], label=clean_text(label))
        untranslated = sorted(set(regions) - set(doc.data))
        if untranslated:
            note(f"regions not translated: {', '.join(untranslated)}", regions_path)
    else:
        note("no translation of the body regions; using English", regions_path)

    muscles = {}
    for mid, muscle in library.muscles.items():
        path = sources.muscle(mid, lang)
        if not path.is_file():
            note(f"no {LANGUAGES[lang].english_name} translation of {mid}; using English", path)
            muscles[mid] = muscle
            continue
        muscles[mid], found = translate_muscle(muscle, load_yaml(path))
        notes.extend(found)
    if strict and notes:
        raise ErrorList([n.as_error() for n in notes])
    return Localized(Library(muscles=muscles, shared=shared, regions=regions, sources=sources),
                     notes)


def shared_translation(sources: Sources, lang: str) -> YamlDocument | None:
    """The shared text's translation as one document, or None when there is none.

    A key the workspace's shared.yaml replaces is not taken from the installed
    translation, which translates the installed text: the workspace's own
    translation gives it, or it stays in English with a warning.
    """
    files = sources.shared_files(lang)
    own = set()
    if sources.shared is not None and sources.shared.is_file():
        data = load_yaml(sources.shared).data
        own = set(data) if isinstance(data, dict) else set()
    docs = []
    if files[0].is_file():
        base = load_yaml(files[0])
        if own and isinstance(base.data, dict):
            base = YamlDocument(base.path, {k: v for k, v in base.data.items() if k not in own},
                                base.lines)
        docs.append(base)
    docs += [load_yaml(f) for f in files[1:]]
    if not docs:
        return None
    return docs[0] if len(docs) == 1 else LayeredDocument(docs)


def translate_muscle(muscle: Muscle, doc: YamlDocument) -> tuple[Muscle, list[DataWarning]]:
    """Overlay a translation file on the English muscle; it names the review it translates."""
    notes: list[DataWarning] = []
    if not isinstance(doc.data, dict):
        raise doc.error((), "expected a mapping of fields")
    translates = doc.data.get("translates")
    if translates is None:
        notes.append(DataWarning("missing 'translates': the English review date this translates",
                         file=doc.path, line=1))
    elif (str(translates) != muscle.reviewed.isoformat()):
        notes.append(DataWarning(
            f"translates the English text of {translates}, but the English was reviewed "
            f"{muscle.reviewed.isoformat()}; the translation may be out of date",
            file=doc.path, line=doc.line_of(("translates",)), field="translates"))
    translated, found = translate(muscle, doc, extra=("translates",))
    return translated, notes + found


T = typing.TypeVar("T")


def translate(english: T, doc: YamlDocument, extra: tuple[str, ...] = ()
              ) -> tuple[T, list[DataWarning]]:
    """Overlay a translation file on an English model, field by field.

    Only words are taken from the file: lists must keep the English items in
    the English order, and ids, choices and references (urgencies, regions,
    grades) stay the English file's; a translation may repeat them, but they
    must match. A field left out falls back to English with a note.
    """
    notes: list[DataWarning] = []

    def overlay(obj: Any, value: Any, key: tuple) -> Any:
        if dataclasses.is_dataclass(obj):
            if not isinstance(value, dict):
                raise doc.error(key, "expected a mapping of fields")
            fields = {f.name: f for f in dataclasses.fields(obj) if not f.metadata.get("internal")}
            for k in value:
                if k not in fields and not (key == () and k in extra):
                    hint = difflib.get_close_matches(str(k), list(fields), n=1)
                    raise doc.error(key + (k,), "unknown field"
                                    + (f" (did you mean '{hint[0]}'?)" if hint else ""))
            changes = {}
            for name, f in fields.items():
                english = getattr(obj, name)
                if not translated(f):
                    if name in value and _plain(value[name]) != _plain(english):
                        raise doc.error(key + (name,), f"must be the same as in the English file "
                                                       f"({_plain(english)!r}); only words "
                                                       "are translated")
                    continue
                if name not in value:
                    if english:
                        notes.append(DataWarning("not translated; using English", file=doc.path,
                                         line=doc.line_of(key), field=format_key(key + (name,))))
                    continue
                changes[name] = overlay(english, value[name], key + (name,))
            return replace(obj, **changes)
        if isinstance(obj, list):
            if not isinstance(value, list):
                raise doc.error(key, "expected a list")
            if len(value) != len(obj):
                raise doc.error(key, f"expected {len(obj)} items like the English file, "
                                     f"got {len(value)}")
            pairs = enumerate(zip(obj, value, strict=True))
            return [overlay(o, v, key + (i,)) for i, (o, v) in pairs]
        if isinstance(obj, str):
            if not isinstance(value, str) or not clean_text(value):
                raise doc.error(key, "expected text")
            return clean_text(value)
        return obj

    return overlay(english, doc.data, ()), notes


def _plain(value: Any) -> Any:
    """A value as YAML gives it, for comparing a repeated id with the English one."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, int)) and not isinstance(value, bool):
        return str(value)
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value
