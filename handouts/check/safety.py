"""The safety checks of ``handouts check``: warning signs, knot markers and US spelling.

A warning sign prints under the fixed heading of its urgency, together with
the shared signs of its muscle's body region, so the checks here look at
what one handout would print: a muscle's sign that repeats a shared one, a
sign worded for a more urgent level than the one it is filed under, an
emergency number written into a sign (the clinic's number comes from its
brand), more signs at one level than a list may hold, and a tender-knot
marker on a part of the body that must never be pressed. The word lists
are data (``data/safety.yaml``, ``data/spelling.yaml``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from handouts.models import URGENCIES, Muscle, Shared
from handouts.regions import ALL_REGIONS, BODY_REGION_IDS
from handouts.yamlfile import PathKey, load_yaml

SAFETY_FILE = "safety.yaml"
SPELLING_FILE = "spelling.yaml"
# Two signs this alike say the same thing: one of them is a repeat.
SAME_SIGN_RATIO = 0.85


@dataclass(frozen=True)
class Finding:
    """A problem in one file: ``owner`` is a muscle id, or None for the shared content."""

    owner: str | None
    path: PathKey
    message: str


@dataclass(frozen=True)
class SafetyWords:
    # language -> urgency level -> words that belong to that level
    urgency: Mapping[str, Mapping[str, tuple[str, ...]]]
    numbers: tuple[str, ...]
    no_press: frozenset[str]


def _strings(doc, key: PathKey, value: object) -> tuple[str, ...]:  # noqa: ANN001
    if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
        raise doc.error(key, "expected a list of words")
    return tuple(str(v).strip().lower() for v in value)


def load_safety_words(path: Path) -> SafetyWords:
    doc = load_yaml(path)
    data = doc.data
    if not isinstance(data, dict):
        raise doc.error((), "expected urgency_words, emergency_numbers and no_press_areas")
    for key in data:
        if key not in ("urgency_words", "emergency_numbers", "no_press_areas"):
            raise doc.error((key,), "unknown field (expected urgency_words, "
                                    "emergency_numbers or no_press_areas)")
    urgency: dict[str, dict[str, tuple[str, ...]]] = {}
    for lang, levels in (data.get("urgency_words") or {}).items():
        if not isinstance(levels, dict):
            raise doc.error(("urgency_words", lang), "expected a mapping of urgency to words")
        for level, words in levels.items():
            if level not in URGENCIES:
                raise doc.error(("urgency_words", lang, level),
                                f"expected one of {', '.join(URGENCIES)}")
            urgency.setdefault(lang, {})[level] = _strings(
                doc, ("urgency_words", lang, level), words)
    numbers = _strings(doc, ("emergency_numbers",), data.get("emergency_numbers", []))
    no_press = _strings(doc, ("no_press_areas",), data.get("no_press_areas", []))
    return SafetyWords(urgency, numbers, frozenset(no_press))


def load_spelling(path: Path) -> dict[str, str]:
    """British spelling -> US spelling."""
    doc = load_yaml(path)
    if not isinstance(doc.data, dict):
        raise doc.error((), "expected a mapping of British spelling to US spelling")
    out = {}
    for word, us in doc.data.items():
        if not isinstance(us, str) or not us.strip():
            raise doc.error((word,), "expected the US spelling as text")
        out[" ".join(str(word).lower().split())] = us.strip()
    return out


def _phrase(words: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted(set(words), key=len, reverse=True)
    if not words:
        return None
    body = "|".join(r"\s+".join(map(re.escape, w.split())) for w in words)
    return re.compile(rf"(?<![^\W_])(?:{body})(?![^\W_])", re.I)


def _same(a: str, b: str) -> bool:
    def norm(t: str) -> str:
        return " ".join(re.findall(r"[^\W_]+", t.lower()))

    x, y = norm(a), norm(b)
    if x == y:
        return True
    # The quick ratios are upper bounds of the ratio: most pairs are told apart by them.
    m = difflib.SequenceMatcher(None, x, y)
    return (m.real_quick_ratio() >= SAME_SIGN_RATIO and m.quick_ratio() >= SAME_SIGN_RATIO
            and m.ratio() >= SAME_SIGN_RATIO)


def _signs(shared: Shared, muscles: Iterable[Muscle]
           ) -> Iterator[tuple[str | None, PathKey, str, str]]:
    """(owner, path, urgency, text) of every warning sign."""
    for i, s in enumerate(shared.warning_signs):
        yield None, ("warning_signs", i, "text"), s.urgency, s.text
    for m in muscles:
        for i, s in enumerate(m.warning_signs):
            yield m.id, ("warning_signs", i, "text"), s.urgency, s.text


def check_wording(shared: Shared, muscles: Iterable[Muscle], words: SafetyWords,
                  lang: str = "en") -> list[Finding]:
    """Signs that name an emergency number, or use the words of a more urgent level."""
    out: list[Finding] = []
    numbers = re.compile(r"(?<!\d)(?:" + "|".join(map(re.escape, words.numbers)) + r")(?!\d)"
                         ) if words.numbers else None
    levels = words.urgency.get(lang, {})
    patterns = {u: _phrase(levels.get(u, ())) for u in URGENCIES}
    for owner, path, urgency, text in _signs(shared, muscles):
        if numbers is not None and (m := numbers.search(text)):
            out.append(Finding(owner, path, f"names the emergency number {m.group()}; the "
                               "heading prints the clinic's own number, so leave it out"))
        rank = URGENCIES.index(urgency)
        for higher in URGENCIES[:rank]:
            pattern = patterns[higher]
            if pattern is not None and (m := pattern.search(text)):
                out.append(Finding(owner, path, f"says '{m.group()}', which belongs to "
                                   f"{higher} signs, but its urgency is {urgency}; set "
                                   f"urgency: {higher}, or reword it"))
                break
    return out


def check_signs(shared: Shared, muscles: Iterable[Muscle], max_items: int) -> list[Finding]:
    """Repeats of shared signs, and levels with more signs than a list may hold."""
    out: list[Finding] = []
    muscles = list(muscles)
    for m in muscles:
        applies = [s for s in shared.warning_signs
                   if m.body_region in s.regions or ALL_REGIONS in s.regions]
        for i, own in enumerate(m.warning_signs):
            twin = next((s for s in applies if _same(own.text, s.text)), None)
            if twin is not None:
                out.append(Finding(m.id, ("warning_signs", i, "text"),
                                   f"repeats the shared sign \"{twin.text}\", which every "
                                   f"{m.body_region} handout prints already; remove it"))
        signs = shared.signs_for(m)
        for level, items in signs.levels():
            if len(items) > max_items:
                out.append(Finding(m.id, ("warning_signs",),
                                   f"the handout would list {len(items)} {level} signs (the "
                                   f"shared ones of {m.body_region} and its own; limit "
                                   f"{max_items}); merge or drop some"))
    for region in BODY_REGION_IDS:
        for level in URGENCIES:
            n = sum(1 for s in shared.warning_signs if s.urgency == level
                    and (region in s.regions or ALL_REGIONS in s.regions))
            if n > max_items:
                out.append(Finding(None, ("warning_signs",),
                                   f"every {region} handout would list {n} {level} signs "
                                   f"(limit {max_items}); merge or drop some"))
    return out


def check_markers(muscles: Iterable[Muscle], words: SafetyWords) -> list[Finding]:
    """Tender-knot markers where no one should press."""
    out = []
    for m in muscles:
        for i, area in enumerate(m.pain.trigger_points):
            if area in words.no_press:
                out.append(Finding(m.id, ("pain", "trigger_points", i),
                                   f"'{area}' is a place no one should press; the body map "
                                   "would mark a knot there. Name the area beside it instead"))
    return out


def check_spelling(texts: Iterable[tuple[PathKey, str]], spelling: Mapping[str, str]
                   ) -> Iterator[tuple[PathKey, str]]:
    """``(path, message)`` for each British spelling in English text."""
    pattern = _phrase(spelling)
    if pattern is None:
        return
    for path, text in texts:
        for m in pattern.finditer(text):
            found = m.group()
            us = spelling[" ".join(found.lower().split())]
            if found[0].isupper():
                us = us[0].upper() + us[1:]
            yield path, f"'{found}' is British spelling; US readers expect '{us}'"
