"""The health-literacy check: reading grade, long lists and sentences, jargon, missing parts.

``handouts check`` runs it on every muscle and on ``shared.yaml``, and on
their Spanish translations (``lang="es"``). The method
(what text is scored, how names are handled, what counts as an explained
term) is described for clinicians and writers in docs/literacy.md; keep the
two in step.

How the reading level is computed is ``handouts.check.readability``'s.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from handouts.check.readability import (
    PLACEHOLDER,
    Scale,
    Score,
    fk_grade,
    scale_of,
    split_sentences,
    syllables,
    words_of,
)
from handouts.errors import DataError, Located, Notice, Severity, display_path
from handouts.languages import LANGUAGES
from handouts.models import Muscle, Shared, lists, texts
from handouts.yamlfile import PathKey, YamlDocument, format_key, load_yaml


@dataclass(frozen=True)
class Thresholds:
    """Every limit of the check, in one place, but the reading levels: those are each
    language's own (``handouts.languages``), unless ``reading`` gives others."""

    # CDC Clear Communication Index: a list of more than 7 items fails.
    max_list_items: int = 7
    max_sentence_words: int = 20
    # A clinician should look at the content again after this many days.
    review_max_age_days: int = 2 * 365
    # How many of the hardest sentences to show when a muscle fails on grade.
    worst_sentences: int = 3
    # language -> (limit, aim) on the language's own scale, to use instead of its own.
    reading: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    def limits(self, lang: str) -> tuple[float, float]:
        """``(limit, aim)`` of the reading level of ``lang``, on its own scale."""
        if lang in self.reading:
            return self.reading[lang]
        language = LANGUAGES[lang]
        return language.reading_limit, language.reading_aim


DEFAULTS = Thresholds()


# Descriptions in other_names ("the calf muscle") are plain words the reader
# should meet, so they are scored like any other text; only real names are hidden.
_DESCRIPTION_START = {
    "en": re.compile(r"^(?:the|a|an|one of|part of)\s", re.I),
    "es": re.compile(r"^(?:el|la|los|las|un|una|uno de|una de|parte de|parte del)\s", re.I),
}


@dataclass(frozen=True)
class Sentence:
    """One sentence as the patient reads it, scored with names replaced."""

    text: str
    path: PathKey
    words: int
    syllables: int

    @property
    def grade(self) -> float:
        return fk_grade(self.words, 1, self.syllables)

    @property
    def score(self) -> Score:
        return Score(self.words, 1, self.syllables)


def score(sentences: Iterable[Sentence]) -> Score:
    total = Score()
    for s in sentences:
        total += s.score
    return total


def reading_grade(text: str, names: Iterable[str] = ()) -> float:
    """Flesch-Kincaid grade of ``text``, with ``names`` replaced by a placeholder."""
    masker = NameMasker(names)
    return score(_sentences(text, (), masker)).grade


def reading_ease_es(text: str, names: Iterable[str] = ()) -> float:
    """Fernández-Huerta reading ease of Spanish ``text``, with ``names`` replaced."""
    masker = NameMasker(names)
    return scale_of("es").of(score(_sentences(text, (), masker, "es")))


# --- names -----------------------------------------------------------------------


class NameMasker:
    """Replaces muscle names with :data:`PLACEHOLDER`, longest name first."""

    def __init__(self, names: Iterable[str], then: NameMasker | None = None) -> None:
        names = frozenset(n.strip() for n in names if n and n.strip())
        self._re = _names_pattern(names)
        self._firsts = _first_words(names)
        self._then = then

    def __call__(self, text: str) -> str:
        # Most sentences hold no name: a look for each name's first word is far
        # cheaper than the alternation of every name.
        if self._re is not None and (self._firsts is None or not self._firsts.isdisjoint(
                _LETTERS.findall(text.lower()))):
            text = self._re.sub(PLACEHOLDER, text)
        return self._then(text) if self._then is not None else text


@lru_cache(maxsize=16)
def _first_words(phrases: frozenset[str]) -> frozenset[str] | None:
    """The first word (letters and digits) of each name or term, in lower case; None
    when one has none, so every text is searched."""
    firsts = set()
    for phrase in phrases:
        words = _LETTERS.findall(phrase.lower())
        if not words:
            return None
        firsts.add(words[0])
    return frozenset(firsts)


@lru_cache(maxsize=16)
def _names_pattern(names: frozenset[str]) -> re.Pattern[str] | None:
    # The library's names are the same for every muscle: compiled once per check.
    if not names:
        return None
    unique = sorted(names, key=len, reverse=True)
    return _bounded("|".join(r"\s+".join(map(re.escape, n.split())) for n in unique))


def library_names(muscles: Iterable[Muscle], lang: str = "en") -> list[str]:
    """Names to hide before scoring: every muscle's name and its other names
    that are names rather than plain descriptions (in ``lang``: "the calf
    muscle", "el músculo de la pantorrilla").

    A handout's own other names are all hidden, descriptions too (see
    :func:`check_muscle`).
    """
    description = _DESCRIPTION_START[lang]
    names: list[str] = []
    for m in muscles:
        names.append(m.name)
        names += [n for n in m.other_names if not description.match(n)]
    return names


def _sentences(text: str, path: PathKey, masker: NameMasker, lang: str = "en") -> list[Sentence]:
    out = []
    for s in split_sentences(text):
        ws = words_of(masker(s))
        if ws:
            out.append(Sentence(s, path, len(ws), sum(syllables(w, lang) for w in ws)))
    return out


# --- jargon ----------------------------------------------------------------------


class Jargon:
    """The word list of data/jargon.yaml: medical terms and the plain words to use."""

    def __init__(
        self, terms: dict[str, str], allowed: Iterable[str] = (), path: Path | None = None
    ) -> None:
        self.terms = {" ".join(t.lower().split()): plain for t, plain in terms.items()}
        self.allowed = tuple(allowed)
        self.path = path
        # One alternation, longest term first, so "greater trochanter" is one
        # finding rather than two and the text is scanned once.
        order = sorted(self.terms, key=len, reverse=True)
        self._by_group = {f"t{i}": t for i, t in enumerate(order)}
        body = "|".join(f"(?P<t{i}>{_term_body(t, plural=True)})" for i, t in enumerate(order))
        self._re = _bounded(body) if order else None
        body = "|".join(_term_body(a, plural=False) for a in self.allowed)
        self._allowed_re = _bounded(body) if self.allowed else None
        # A term is tried only where a word of the text is the first word of one (or
        # is one and a plural ending), as a set lookup per word is far cheaper than
        # the alternation of every term.
        self._firsts = _first_words(frozenset(self.terms))

    def _starts(self, text: str) -> list[int] | None:
        """Where a term may start in ``text``; None: anywhere."""
        firsts = self._firsts
        if firsts is None:
            return None
        return [m.start() for m in _LETTERS.finditer(text)
                if (w := m.group().lower()) in firsts or w[:-1] in firsts or w[:-2] in firsts]

    def _matches(self, text: str) -> Iterator[re.Match[str]]:
        """What ``self._re.finditer(text)`` finds, tried only where a term may start."""
        assert self._re is not None
        starts = self._starts(text)
        if starts is None:
            yield from self._re.finditer(text)
            return
        end = 0
        for start in starts:
            if start < end:
                continue
            m = self._re.match(text, start)
            if m is not None:
                end = m.end()
                yield m

    def find(self, text: str, seen: set[str]) -> Iterator[tuple[str, str]]:
        """``(term, as written)`` for each term first used in ``text`` without an explanation.

        ``seen`` holds the terms already used earlier in the handout; it is
        updated. Only a term's first use is judged: later uses lean on it.
        """
        if self._re is None:
            return
        allowed: list[tuple[int, int]] | None = None
        for m in self._matches(text):
            term = self._by_group[m.lastgroup or ""]
            if term in seen:
                continue
            if allowed is None:
                allowed = ([a.span() for a in self._allowed_re.finditer(text)]
                           if self._allowed_re else [])
            if any(s <= m.start() and m.end() <= e for s, e in allowed):
                continue  # an allowed phrase is not a use of the term
            seen.add(term)
            if not _explained(text, m):
                yield term, m.group()


_LETTERS = re.compile(r"[^\W_]+")


def _term_body(term: str, plural: bool) -> str:
    # "trigger point" also matches "trigger-point" and "trigger points".
    body = r"[\s\-]+".join(map(re.escape, term.split()))
    return body + ("(?:s|es)?" if plural else "")


def _bounded(body: str) -> re.Pattern[str]:
    # Word boundaries are letters (of any alphabet) and digits only:
    # "lateralis" is not "lateral", "anteriormente" is not "anterior".
    return re.compile(rf"(?<![^\W_])(?:{body})(?![^\W_])", re.I)


# A bracket right after the term, or after at most two more words of it:
# "bursitis (an inflamed fluid sac)", "lateral epicondylitis (tennis elbow)".
_BRACKET_AFTER = re.compile(r"(?:[\s\-]+[\w'’]+){0,2}\s*\(")
# Plain words first, then the name: "... Together they are called the rotator
# cuff." In Spanish: "... Juntos se llaman el manguito rotador."
_NAMED_AFTER = re.compile(
    r"(?:\bcalled|\bknown\s+as|\bnamed"
    r"|\bllamad[oa]s?|\bse\s+llaman?|\bconocid[oa]s?\s+como|\bse\s+conocen?\s+como)"
    r"\s+(?:(?:the|a|an|el|la|los|las|un|una)\s+)?$",
    re.I,
)
# Extra words a "plain words (term)" bracket may hold besides the term.
_BRACKET_EXTRA_WORDS = 3


def _explained(text: str, m: re.Match[str]) -> bool:
    if _BRACKET_AFTER.match(text, m.end()):
        return True
    if _NAMED_AFTER.search(text, 0, m.start()):
        return True
    # "Inflamed fluid sac on the outer hip (trochanteric bursitis)" or "Wry neck
    # (torticollis, a sudden stiff neck ...)": the term is named in a bracket
    # after the plain words, and is all the bracket holds or comes first in it.
    open_ = text.rfind("(", 0, m.start())
    if open_ == -1 or text.rfind(")", open_, m.start()) != -1:
        return False
    close = text.find(")", m.end())
    if close == -1 or not words_of(text[:open_]):
        return False
    inside = len(words_of(text[open_ + 1 : close]))
    before = len(words_of(text[open_ + 1 : m.start()]))
    return inside <= len(words_of(m.group())) + _BRACKET_EXTRA_WORDS or before <= 1


def load_jargon(path: Path) -> Jargon:
    """Read and validate a jargon file; raises DataError with file and line."""
    doc = load_yaml(path)
    data = doc.data
    if not isinstance(data, dict):
        raise doc.error((), "expected a mapping with 'terms' and 'allowed'")
    for key in data:
        if key not in ("terms", "allowed"):
            raise doc.error((key,), "unknown field (expected 'terms' or 'allowed')")
    terms = data.get("terms")
    if not isinstance(terms, dict) or not terms:
        raise doc.error(("terms",), "expected a mapping of medical term to plain words")
    clean: dict[str, str] = {}
    for term, plain in terms.items():
        if not isinstance(plain, str) or not plain.strip():
            raise doc.error(("terms", term), "expected the plain words as text")
        if not words_of(str(term)):
            raise doc.error(("terms", term), "the term has no letters")
        clean[str(term).strip().lower()] = " ".join(plain.split())
    allowed = data.get("allowed", [])
    if not isinstance(allowed, list) or not all(isinstance(a, str) and a.strip() for a in allowed):
        raise doc.error(("allowed",), "expected a list of phrases")
    return Jargon(clean, [" ".join(a.split()) for a in allowed], path)


# --- findings and reports --------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    severity: Severity
    kind: str  # grade, list, sentence, jargon, missing, review
    path: PathKey
    message: str


@dataclass
class Report:
    """The literacy check of one muscle (or of shared.yaml), in one language."""

    id: str
    file: Path | None
    score: Score
    sections: dict[str, Score]
    sentences: list[Sentence]
    findings: list[Finding] = field(default_factory=list)
    lang: str = "en"

    @property
    def grade(self) -> float:
        """The Flesch-Kincaid grade: meaningful for English text only (see :attr:`level`)."""
        return self.score.grade

    @property
    def scale(self) -> Scale:
        return scale_of(self.lang)

    @property
    def level(self) -> float:
        """The reading level on the language's own scale: the grade in English,
        the Fernández-Huerta reading ease in Spanish."""
        return self.scale.of(self.score)

    @property
    def longest_sentence(self) -> int:
        return max((s.words for s in self.sentences), default=0)

    @property
    def jargon_count(self) -> int:
        return sum(f.kind == "jargon" for f in self.findings)

    @property
    def status(self) -> str:
        severities = {f.severity for f in self.findings}
        return "fail" if "error" in severities else "warn" if "warning" in severities else "ok"

    def to_json(self) -> dict[str, Any]:
        scale = self.scale
        return {
            "id": self.id,
            "lang": self.lang,
            "file": display_path(self.file) if self.file else None,
            scale.json_key: round(self.level, 1),
            "words": self.score.words,
            "sentences": self.score.sentences,
            "longest_sentence_words": self.longest_sentence,
            "jargon_count": self.jargon_count,
            "status": self.status,
            "sections": {k: round(scale.of(v), 1) for k, v in self.sections.items()},
            "findings": [
                {
                    "severity": f.severity,
                    "kind": f.kind,
                    "field": format_key(f.path),
                    "message": f.message,
                }
                for f in self.findings
            ],
        }


def _quote(text: str, limit: int = 70) -> str:
    return '"' + (text if len(text) <= limit else text[: limit - 3].rstrip() + "...") + '"'


def _check_text(
    obj: Any,
    masker: NameMasker,
    jargon: Jargon,
    limits: Thresholds,
    report_id: str,
    file: Path | None,
    lang: str = "en",
) -> Report:
    sentences: list[Sentence] = []
    findings: list[Finding] = []
    seen_terms: set[str] = set()
    # What a patient reads as prose, in handout order (the models say which fields).
    for path, text in texts(obj):
        found = _sentences(text, path, masker, lang)
        sentences += found
        for s in found:
            if s.words > limits.max_sentence_words:
                findings.append(
                    Finding(
                        "error",
                        "sentence",
                        path,
                        f"sentence of {s.words} words (limit {limits.max_sentence_words}): "
                        f"{_quote(s.text)}; split it",
                    )
                )
        for term, written in jargon.find(masker(text), seen_terms):
            findings.append(
                Finding(
                    "error",
                    "jargon",
                    path,
                    f"'{written}' is medical jargon: say '{jargon.terms[term]}', "
                    f"or explain it in brackets, e.g. '{written} ({jargon.terms[term]})'",
                )
            )
    for path, value in lists(obj):
        if len(value) > limits.max_list_items:
            findings.append(
                Finding(
                    "error",
                    "list",
                    path,
                    f"list of {len(value)} items (limit {limits.max_list_items}); "
                    "shorten it or split it under two headings",
                )
            )
    sections: dict[str, Score] = {}
    for s in sentences:
        name = str(s.path[0])
        sections[name] = sections.get(name, Score()) + s.score
    report = Report(report_id, file, score(sentences), sections, sentences, findings, lang)
    _grade_findings(report, limits)
    return report


def _grade_findings(report: Report, limits: Thresholds) -> None:
    scale = report.scale
    level = report.level
    limit, aim = limits.limits(report.lang)
    # English: "above the limit" of a grade; Spanish: "below the limit" of an ease.
    side = "below" if scale.higher_is_easier else "above"
    head: list[Finding] = []
    if scale.worse(level, limit):
        head.append(
            Finding(
                "error",
                "grade",
                (),
                f"{scale.measure} {level:.1f} ({scale.name}) is {side} the limit of "
                f"{limit:g}; the hardest sentences follow",
            )
        )
        head += [
            Finding(
                "note", "grade", s.path, f"{scale.unit} {scale.of(s.score):.1f}: {_quote(s.text)}"
            )
            for s in hardest_sentences(report, limits.worst_sentences)
        ]
    elif scale.worse(level, aim):
        head.append(
            Finding(
                "warning",
                "grade",
                (),
                f"{scale.measure} {level:.1f} is {side} the aim of {aim:g} (limit {limit:g})",
            )
        )
    for name, section in report.sections.items():
        # A section can be hard even when the whole handout is easy; it is
        # short, so its grade is noisy: a warning, not a failure. When the
        # whole handout fails, the hardest sentences already point the way.
        if scale.worse(scale.of(section), limit) and not scale.worse(level, limit):
            reads = (
                f"has a reading ease of {scale.of(section):.1f}"
                if scale.higher_is_easier
                else f"reads at grade {scale.of(section):.1f}"
            )
            head.append(
                Finding(
                    "warning",
                    "grade",
                    (name,),
                    f"this section {reads}, {side} the limit of {limit:g}",
                )
            )
    report.findings[:0] = head


def hardest_sentences(report: Report, n: int) -> list[Sentence]:
    """The ``n`` sentences whose removal would make the handout easiest to read.

    Ranking by each sentence's own grade would pick one-word list items such
    as "Osteoarthritis", which barely move the whole handout's grade.
    """
    total = report.score
    scale = report.scale

    def lift(s: Sentence) -> float:
        return scale.difficulty(scale.of(total)) - scale.difficulty(scale.of(total - s.score))

    return sorted(report.sentences, key=lift, reverse=True)[:n]


def check_muscle(
    muscle: Muscle,
    *,
    names: Iterable[str] = (),
    jargon: Jargon,
    limits: Thresholds = DEFAULTS,
    today: dt.date | None = None,
    file: Path | None = None,
    lang: str = "en",
) -> Report:
    """Check one muscle. ``names`` are the other names to hide (the library's).

    The muscle's own name and all its other names are hidden too: its other
    names are printed under the title as names, never as prose to explain.

    For a translation (``lang`` other than English, the muscle as
    :func:`handouts.i18n.translate_muscle` gives it) only the text is judged:
    its lists, review date and required parts are the English file's, and
    the English check already reports them.
    """
    # Its own names first (they are the longest to mask), then the library's.
    masker = NameMasker([muscle.name, *muscle.other_names], then=NameMasker(names))
    report = _check_text(
        muscle,
        masker,
        jargon,
        limits,
        muscle.id or muscle.name,
        file,
        lang,
    )
    if lang != "en":
        return report
    missing = report.findings
    if not muscle.self_care.steps:
        missing.append(
            Finding(
                "error",
                "missing",
                ("self_care", "steps"),
                "no self-care steps: a handout needs at least one thing the reader can do",
            )
        )
    reviewed = getattr(muscle, "reviewed", None)
    if reviewed is None:
        missing.append(Finding("error", "missing", ("reviewed",), "no review date"))
    else:
        today = today or dt.date.today()
        age = (today - reviewed).days
        if age > limits.review_max_age_days:
            missing.append(
                Finding(
                    "warning",
                    "review",
                    ("reviewed",),
                    f"last reviewed {reviewed.isoformat()}, {age // 365} years ago or more "
                    f"(limit {limits.review_max_age_days} days); ask a clinician to review it",
                )
            )
    return report


def check_shared(
    shared: Shared,
    *,
    names: Iterable[str] = (),
    jargon: Jargon,
    limits: Thresholds = DEFAULTS,
    file: Path | None = None,
    lang: str = "en",
) -> Report:
    """Check the text every handout shares, with the same rules as a muscle."""
    return _check_text(
        shared,
        NameMasker(names),
        jargon,
        limits,
        "shared",
        file,
        lang,
    )


def median_grade(reports: Iterable[Report]) -> float | None:
    grades = [r.grade for r in reports]
    return statistics.median(grades) if grades else None


def median_level(reports: Iterable[Report]) -> float | None:
    """The median reading level on the reports' own scale (one language at a time)."""
    levels = [r.level for r in reports]
    return statistics.median(levels) if levels else None


# --- as user-facing problems -----------------------------------------------------


def as_problems(report: Report, doc: YamlDocument | None) -> list[Located]:
    """One located problem per finding: ``file:line: field: message``.

    Only ``error`` findings fail the check; warnings and notes are told.
    """
    out: list[Located] = []
    for f in report.findings:
        # A layered document (a workspace's shared.yaml over the installed one)
        # knows which of its files the field comes from.
        owner = getattr(doc, "owner", None)
        where = dict(file=owner(f.path).path if owner and f.path else report.file,
                     field=format_key(f.path),
                     line=doc.line_of(f.path) if doc is not None and f.path else None)
        if f.severity == "error":
            out.append(DataError(f.message, **where))
        else:
            out.append(Notice(f.message, severity=f.severity, **where))
    return out


def thresholds_json(limits: Thresholds) -> dict[str, Any]:
    out: dict[str, Any] = asdict(limits)
    out["reading"] = {lang: dict(zip(("limit", "aim"), limits.limits(lang), strict=True))
                      for lang in LANGUAGES}
    return out
