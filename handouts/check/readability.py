"""Readability formulas: Flesch-Kincaid for English, Fernández-Huerta for Spanish.

Only arithmetic on words, sentences and syllables lives here; what text is
scored, and what is done with the score, is the literacy check's
(``handouts.check.literacy``).

Flesch-Kincaid is computed here rather than with textstat: textstat 0.7.5 and
later download NLTK's CMU dictionary at run time, which fails offline, and
older releases need setuptools' deprecated ``pkg_resources``. Syllables come
from pyphen's bundled hyphenation dictionary, imported lazily so that only
the check pays for it.

Spanish text is judged by the Fernández-Huerta reading ease (higher is
easier), with the published correction: 1.02 times the words per sentence,
not the sentences per 100 words (see :func:`fernandez_huerta`). Spanish
syllables are counted from the vowels, with the rules for diphthongs and
hiatus, and checked against pyphen's ``es`` dictionary.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from handouts.languages import LANGUAGES

# Stands in for a muscle name before scoring: one short, one-syllable word, so
# Latin names ("tensor fasciae latae") do not decide the grade on their own.
PLACEHOLDER = "Name"


# --- Flesch-Kincaid --------------------------------------------------------------


def fk_grade(words: int, sentences: int, syllables: int) -> float:
    """The Flesch-Kincaid grade level; 0 for empty text."""
    if not words or not sentences:
        return 0.0
    return 0.39 * words / sentences + 11.8 * syllables / words - 15.59


def fernandez_huerta(words: int, sentences: int, syllables: int) -> float:
    """Fernández-Huerta reading ease of Spanish text (higher is easier); 100 for empty text.

    206.84 - 0.60 x syllables per 100 words - 1.02 x words per sentence. The
    formula is often printed with 1.02 x *sentences* per 100 words, which
    would make short sentences harder; Fernández-Huerta adapted Flesch's
    reading ease, whose term is words per sentence (Law, 2011).
    """
    if not words or not sentences:
        return 100.0
    return 206.84 - 60 * syllables / words - 1.02 * words / sentences


# Letters and digits in any alphabet, so "adormecimiento" and "día" are words.
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")
# Abbreviations whose full stop does not end a sentence.
_ABBREVIATIONS = {"e.g", "i.e", "etc", "vs", "dr", "mr", "mrs", "ms", "st", "approx", "u.s"}
_ABBREVIATIONS |= {"ej", "p.ej", "dra", "sr", "sra", "ud", "uds", "aprox", "pág", "núm"}
_SENTENCE_END = re.compile(r"[.!?]+[\"'”’»)\]]*(?=\s+[\"'“‘«¿¡(\[]?[A-ZÁÉÍÓÚÜÑ0-9]|\s*$)")


def preload() -> None:
    """Import what the syllable count needs lazily (before a process is forked)."""
    import pyphen  # noqa: F401


@lru_cache(maxsize=2)
def _hyphenator(lang: str = "en") -> Any:
    import pyphen  # lazily: only the check needs it

    if lang == "es":
        # One letter may stand alone at either end of a Spanish word ("a-gu-do").
        return pyphen.Pyphen(lang="es", left=1, right=1)
    return pyphen.Pyphen(lang="en_US")


def _vowel_guess(word: str) -> int:
    """Syllables by vowel groups, less a silent final e, -es or -ed."""
    n = len(_VOWEL_GROUPS.findall(word))
    if n > 1:
        if word.endswith("e") and not re.search(r"[^aeiouy]le$|[ey]e$", word):
            n -= 1
        elif word.endswith("es") and not re.search(r"(?:[sxzcg]|ch|sh|[^aeiouy]l)es$", word):
            n -= 1
        elif word.endswith("ed") and not re.search(r"[td]ed$", word):
            n -= 1
    return max(n, 1)


# Spanish vowels: a, e, o (with or without an accent) are strong; i, u and ü
# are weak; an accented í or ú is always a syllable of its own.
_ES_VOWELS = frozenset("aeiouáéíóúü")
_ES_STRONG = frozenset("aeoáéó")
_ES_STRESSED_WEAK = frozenset("íú")
# The u of que, qui, gue, gui is not pronounced (güe, güi keep it).
_ES_SILENT_U = re.compile(r"(?<=[qg])u(?=[eiéí])")


def _spanish_vowel_count(word: str) -> int:
    """Syllables of a Spanish word: its vowel nuclei.

    Vowels side by side are one syllable (a diphthong: "ciu-dad", "cue-llo",
    "a-gua") unless both are strong or one is an accented í or ú (a hiatus:
    "le-er", "a-é-re-o", "dí-a", "re-ú-ne"). A "y" is read as a consonant, so
    "hoy" and "muy" are one syllable, and so is the word "y"; a final "y"
    after a consonant is a vowel ("rugby").
    """
    n = 1 if re.search(r"[^aeiouáéíóúü]y$", word) else 0
    prev = ""
    for c in _ES_SILENT_U.sub("", word):
        if c not in _ES_VOWELS:
            prev = ""
            continue
        hiatus = (prev in _ES_STRONG and c in _ES_STRONG) or bool({prev, c} & _ES_STRESSED_WEAK)
        if not prev or hiatus:
            n += 1
        prev = c
    return max(n, 1)


class KnownCounts:
    """Syllable counts of words met before, kept in the user's cache folder, so a
    check of an unchanged library never loads the hyphenation dictionaries.

    One file per language, named for this module's source and pyphen's version:
    a change to either starts a new file. The words are the library's (a check
    never reads a patient's details).
    """

    def __init__(self) -> None:
        import threading

        self._counts: dict[str, dict[str, int]] = {}
        self._new: set[str] = set()  # languages with counts to keep
        # The web page checks the library in threads: the counts are copied to be
        # written under this lock, never iterated while another check adds to them.
        self._lock = threading.Lock()

    @staticmethod
    def _file(lang: str) -> Path | None:
        import hashlib

        import pyphen

        from handouts.cache import cache_folder

        folder = cache_folder("syllables")
        if folder is None:
            return None
        digest = hashlib.sha256(Path(__file__).read_bytes())
        digest.update(pyphen.__version__.encode())
        return folder / f"{lang}-{digest.hexdigest()[:16]}.json"

    def of(self, lang: str) -> dict[str, int]:
        if lang not in self._counts:
            with self._lock:
                return self._load(lang)
        return self._counts[lang]

    def _load(self, lang: str) -> dict[str, int]:
        if lang not in self._counts:  # another thread may have loaded it meanwhile
            counts: dict[str, int] = {}
            path = self._file(lang)
            if path is not None:
                try:
                    loaded = json.loads(path.read_text(encoding="utf-8"))
                    counts = {w: n for w, n in loaded.items()
                              if isinstance(w, str) and isinstance(n, int) and n > 0}
                except (OSError, ValueError, AttributeError):
                    counts = {}  # none yet, or unreadable: counted again
            self._counts[lang] = counts
        return self._counts[lang]

    def add(self, lang: str, word: str, count: int) -> None:
        counts = self.of(lang)
        with self._lock:
            counts[word] = count
            self._new.add(lang)

    def keep(self) -> None:
        """Write the counts found since the last time (whole or not at all); a
        folder that cannot be written only costs time."""
        import contextlib

        from handouts.atomic import write_atomic
        from handouts.errors import RenderError

        with self._lock:
            todo = {lang: dict(self._counts[lang]) for lang in sorted(self._new)}
            self._new.clear()
        for lang, counts in todo.items():
            path = self._file(lang)
            if path is None:
                continue
            with contextlib.suppress(OSError):
                for old in path.parent.glob(f"{lang}-*.json"):
                    if old != path:
                        old.unlink(missing_ok=True)  # made by another version
            data = json.dumps(counts, ensure_ascii=False, sort_keys=True)
            with contextlib.suppress(RenderError):
                write_atomic(path, data.encode("utf-8"), what="the syllable counts")


KNOWN = KnownCounts()


def syllables(word: str, lang: str = "en") -> int:
    """Syllables in one word (see :func:`count_syllables`), remembered between checks."""
    known = KNOWN.of(lang)
    n = known.get(word)
    if n is None:
        n = count_syllables(word, lang)
        KNOWN.add(lang, word, n)
    return n


@lru_cache(maxsize=20_000)
def count_syllables(word: str, lang: str = "en") -> int:
    """Syllables in one word: the larger of pyphen's count and a vowel-group count.

    English: pyphen alone undercounts (it never splits one letter off a
    word's ends, so "about" is one syllable); the vowel guess misses vowel
    pairs that are two syllables ("fluid"). Each covers the other's blind
    spot. Spanish: the vowel count (see :func:`_spanish_vowel_count`) is
    exact for all but a few words; pyphen's ``es`` dictionary never splits
    two vowels ("dí-a" is one piece), so it only guards against a vowel rule
    missing a syllable. A number counts one syllable per digit.
    """
    total = 0
    for part in word.replace("'", "").replace("’", "").split("-"):
        if not part:
            continue
        if any(c.isdigit() for c in part):
            total += sum(c.isdigit() for c in part)
            continue
        low = part.lower()
        if low == PLACEHOLDER.lower():
            total += 1
            continue
        by_dictionary = len(_hyphenator(lang).positions(low)) + 1
        guess = _spanish_vowel_count(low) if lang == "es" else _vowel_guess(low)
        total += max(by_dictionary, guess)
    return max(total, 1)


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph; a list item with no full stop is one sentence."""
    out: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        before = text[start : m.start()].split()
        if before and before[-1].lower().rstrip(".") in _ABBREVIATIONS and m.group() == ".":
            continue
        out.append(text[start : m.end()].strip())
        start = m.end()
    rest = text[start:].strip()
    if rest:
        out.append(rest)
    return [s for s in out if _WORD.search(s)]


def words_of(text: str) -> list[str]:
    return _WORD.findall(text)


@dataclass(frozen=True)
class Score:
    words: int = 0
    sentences: int = 0
    syllables: int = 0

    @property
    def grade(self) -> float:
        return fk_grade(self.words, self.sentences, self.syllables)

    def __add__(self, other: Score) -> Score:
        return Score(
            self.words + other.words,
            self.sentences + other.sentences,
            self.syllables + other.syllables,
        )

    def __sub__(self, other: Score) -> Score:
        return Score(
            self.words - other.words,
            self.sentences - other.sentences,
            self.syllables - other.syllables,
        )


@dataclass(frozen=True)
class Scale:
    """How the reading level of one language is measured, named and judged."""

    formula: Callable[[int, int, int], float]
    name: str  # the formula, for messages: "Flesch-Kincaid"
    measure: str  # what it gives: "reading grade"
    unit: str  # one sentence's level in a note: "grade 14.2"
    json_key: str
    higher_is_easier: bool

    def of(self, s: Score) -> float:
        return self.formula(s.words, s.sentences, s.syllables)

    def difficulty(self, value: float) -> float:
        """``value`` turned so that a larger number is always harder to read."""
        return -value if self.higher_is_easier else value

    def worse(self, value: float, limit: float) -> bool:
        """Is ``value`` harder to read than ``limit``?"""
        return self.difficulty(value) > self.difficulty(limit)


# By the name a language's record gives (handouts.languages).
SCALES: dict[str, Scale] = {
    "flesch-kincaid": Scale(fk_grade, "Flesch-Kincaid", "reading grade", "grade", "grade",
                            False),
    "fernandez-huerta": Scale(fernandez_huerta, "Fernández-Huerta", "reading ease", "ease",
                              "reading_ease", True),
}


def scale_of(lang: str) -> Scale:
    """How the reading level of text in ``lang`` is measured."""
    return SCALES[LANGUAGES[lang].readability]
