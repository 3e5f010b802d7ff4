"""Typed models of the library. Templates and the typesetter see only these.

The type hints double as the file-format schema (see ``handouts.validate``),
and field metadata says what each field's text is to a reader; that is the
one answer to "which fields does a patient read?" for the literacy check,
translations and the font check alike (:func:`texts`, :func:`lists`).
Fields are in the order a handout prints them, so the check meets a medical
word where the reader does.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, get_args

from handouts.regions import ALL_REGIONS, BODY_REGION_IDS, BODY_REGIONS, FIRST_AID_KINDS

# Field metadata "text": what a field's text is to a reader. A field without it
# is "prose": read, translated and held to the reading-level rules. A nested
# field takes its parent's kind unless it names its own.
PROSE, NAME, SOURCE, CODE = "prose", "name", "source", "code"
# Names: read and translated, but not scored (they are hidden before scoring).
AS_NAME = {"text": NAME}
# A source's title and publisher: printed as written, never translated or scored.
AS_SOURCE = {"text": SOURCE}
# Ids, choices and references: never printed as written, never translated; a
# translation takes them from the English file.
AS_CODE = {"text": CODE}
# Field metadata "listed": False for a list printed inline, not as bullets, so the
# 7-item limit does not apply to it.
INLINE = {"listed": False}
REGION = {"ref": "region", "unique": True, **AS_CODE, **INLINE}
MUSCLE = {"ref": "muscle", "unique": True, **AS_CODE}
TECHNIQUE = {"ref": "technique", "unique": True, **AS_CODE, **INLINE}
BODY_REGION = {"choices": BODY_REGION_IDS, **AS_CODE}

# How soon a warning sign needs care, most urgent first: the order on the page.
Urgency = Literal["emergency", "same_day", "soon"]
URGENCIES: tuple[str, ...] = get_args(Urgency)


@dataclass(frozen=True)
class Pain:
    description: str
    main: list[str] = field(metadata=REGION)
    trigger_points: list[str] = field(metadata=REGION)
    spillover: list[str] = field(default_factory=list, metadata=REGION)


@dataclass(frozen=True, kw_only=True)
class SelfCare:
    # "Do not press" cautions for this muscle, printed before its steps.
    cautions: list[str] = field(default_factory=list)
    steps: list[str]
    how_long: str
    how_often: str
    heat_and_cold: str | None = None
    # What the steps show: ids of shared.yaml's techniques, each drawn beside them.
    techniques: list[str] = field(default_factory=list, metadata=TECHNIQUE)


@dataclass(frozen=True)
class Strain:
    about: str
    symptoms: list[str]
    causes: list[str]
    activities: list[str] = field(default_factory=list)
    healing: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Source:
    title: str
    publisher: str
    url: str | None = None


@dataclass(frozen=True)
class WarningSign:
    """A muscle's own reason to get help; its urgency decides the heading it prints under."""

    text: str
    urgency: Urgency = field(metadata=AS_CODE)


@dataclass(frozen=True, kw_only=True)
class Muscle:
    name: str = field(metadata=AS_NAME)
    other_names: list[str] = field(default_factory=list, metadata={**AS_NAME, **INLINE})
    body_region: str = field(metadata=BODY_REGION)
    # Other body regions it is listed under ("handouts list --region", booklets), e.g.
    # the iliopsoas, a trunk muscle, with the hip. Its warning signs stay its own region's.
    also_in: list[str] = field(default_factory=list, metadata={
        "choices": BODY_REGION_IDS, "unique": True, **AS_CODE, **INLINE})
    summary: str
    # 3 or 4 short lines for the "What to remember" box on the first page.
    key_points: list[str] = field(default_factory=list)
    location: str
    actions: list[str]
    pain: Pain
    symptoms: list[str]
    causes: list[str]
    prevention: list[str]
    self_care: SelfCare
    relief: str
    strain: Strain
    similar_conditions: list[str]
    # "Questions to ask your clinician", printed when given.
    questions: list[str] = field(default_factory=list)
    related_muscles: list[str] = field(metadata=MUSCLE)
    # Signs of this muscle beyond the shared ones of its body region.
    warning_signs: list[WarningSign] = field(default_factory=list)
    # Which first-aid block of shared.yaml; by default the body region's.
    first_aid: str | None = field(default=None, metadata={"choices": FIRST_AID_KINDS,
                                                          **AS_CODE})
    sources: list[Source] = field(metadata={**AS_SOURCE, **INLINE})
    reviewed: dt.date = field(metadata=AS_CODE)
    # Set from the file name, not from the YAML.
    id: str = field(default="", metadata={"internal": True})

    def in_region(self, region: str) -> bool:
        """Listed under ``region``: its own body region, or one it is also in."""
        return region == self.body_region or region in self.also_in


@dataclass(frozen=True)
class FirstAid:
    title: str
    intro: str
    steps: list[str]
    after: str


@dataclass(frozen=True)
class FirstAidBlocks:
    """One first-aid block per kind of body part (see handouts.regions)."""

    limb: FirstAid
    neck: FirstAid
    jaw: FirstAid
    trunk: FirstAid


@dataclass(frozen=True)
class Grade:
    grade: int = field(metadata={"min": 1, "max": 3, **AS_CODE})
    name: str
    what_it_is: str
    recovery: str
    # The healing time in a few words, for a one-line guide ("about 1 to 3 weeks").
    recovery_short: str
    # What to do for a strain of this grade ("See your clinician.").
    action: str
    # The same, for a muscle that carries the body's weight (hip and leg).
    what_it_is_leg: str | None = None


TECHNIQUE_ID = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


@dataclass(frozen=True)
class Technique:
    """A self-care technique with a drawing of how it is done."""

    id: str = field(metadata={"pattern": TECHNIQUE_ID,
                              "expect": "lower-case words joined by '-'", **AS_CODE})
    name: str = field(metadata=AS_NAME)
    caption: str  # printed under the drawing
    alt: str  # what a screen reader says of the drawing


@dataclass(frozen=True)
class SharedSign:
    """A warning sign that applies to every muscle of the body regions it names."""

    text: str
    urgency: Urgency = field(metadata=AS_CODE)
    regions: list[str] = field(metadata={"choices": (ALL_REGIONS, *BODY_REGION_IDS),
                                         "unique": True, **AS_CODE, **INLINE})


@dataclass(frozen=True)
class Checklist:
    lead: str  # "Ask your clinician first if you:"
    items: list[str]


@dataclass(frozen=True)
class Cautions:
    """What to know before any self-care: printed before the steps."""

    title: str
    ask_first: Checklist
    never_press: Checklist
    stop: str


@dataclass(frozen=True)
class Shared:
    disclaimer: str
    first_aid: FirstAidBlocks
    strain_grades: list[Grade]
    grades_note: str
    # Each handout prints some of them: handouts.check.safety counts what it lists.
    warning_signs: list[SharedSign] = field(metadata=INLINE)
    call_line: str
    cautions: Cautions
    techniques: list[Technique] = field(default_factory=list, metadata=INLINE)

    def technique(self, tid: str) -> Technique:
        return next(t for t in self.techniques if t.id == tid)

    def signs_for(self, muscle: Muscle) -> Signs:
        """The shared signs of the muscle's body region, then its own, by urgency.

        Signs of other regions never print: a jaw handout has no bladder signs.
        """
        mine = [(s.urgency, s.text) for s in muscle.warning_signs]
        region = [(s.urgency, s.text) for s in self.warning_signs
                  if muscle.body_region in s.regions]
        everywhere = [(s.urgency, s.text) for s in self.warning_signs
                      if ALL_REGIONS in s.regions and muscle.body_region not in s.regions]
        ordered = [*region, *mine, *everywhere]
        return Signs(**{u: list(dict.fromkeys(t for lvl, t in ordered if lvl == u))
                        for u in URGENCIES})

    def signs_for_all(self, muscles: Sequence[Muscle]) -> Signs:
        """The same-day and soon signs every one of ``muscles`` has: a booklet prints
        them once. Emergency signs are never among them: each muscle's part keeps
        all of its own, on its first page."""
        each = [self.signs_for(m) for m in muscles]

        def common(level: str) -> list[str]:
            rest = [set(getattr(s, level)) for s in each[1:]]
            return [t for t in getattr(each[0], level) if all(t in r for r in rest)]

        return Signs([], common("same_day"), common("soon"))

    def first_aid_kind(self, muscle: Muscle) -> str:
        """Which first-aid block fits the muscle's body part: limb, neck, jaw or trunk."""
        return muscle.first_aid or BODY_REGIONS[muscle.body_region].first_aid

    def first_aid_for(self, muscle: Muscle) -> FirstAid:
        """The first-aid block that fits the muscle's body part."""
        return getattr(self.first_aid, self.first_aid_kind(muscle))

    def grades_for(self, muscle: Muscle) -> list[Grade]:
        """The strain grades, worded for the muscle's body part."""
        if not BODY_REGIONS[muscle.body_region].bears_weight:
            return self.strain_grades
        return [replace(g, what_it_is=g.what_it_is_leg or g.what_it_is)
                for g in self.strain_grades]

    def grades_for_all(self, muscles: Sequence[Muscle]) -> list[Grade]:
        """One set of strain grades true for every muscle: worded for a leg only
        when every muscle bears weight."""
        worded = [self.grades_for(m) for m in muscles]
        return worded[0] if all(w == worded[0] for w in worded) else self.strain_grades


@dataclass(frozen=True)
class Signs:
    """The warning signs one handout prints, by urgency, each level in page order."""

    emergency: list[str]
    same_day: list[str]
    soon: list[str]

    def without(self, printed: Signs) -> Signs:
        """These signs less those printed elsewhere in the same document."""
        return Signs(**{u: [t for t in getattr(self, u) if t not in getattr(printed, u)]
                        for u in URGENCIES})

    def levels(self) -> list[tuple[str, list[str]]]:
        """``(urgency, signs)`` for each level that has signs, most urgent first."""
        return [(u, getattr(self, u)) for u in URGENCIES if getattr(self, u)]


@dataclass(frozen=True)
class Region:
    id: str
    label: str
    group: str


@dataclass(frozen=True)
class Library:
    """Everything a handout can draw on, validated and cross-checked."""

    muscles: dict[str, Muscle]
    shared: Shared
    regions: dict[str, Region]
    # Where its files are, for messages that name the file to edit (handouts.sources).
    sources: Any = field(default=None, compare=False)

    def related(self, muscle: Muscle) -> list[Muscle]:
        return [self.muscles[m] for m in muscle.related_muscles if m in self.muscles]


@dataclass(frozen=True)
class Personal:
    """Details for the 'Prepared for' box; blank write-in lines when absent.

    Patient details go into the PDF only: never a file name, log or cache.
    """

    patient: str | None = None
    clinician: str | None = None
    date: dt.date | None = None
    notes: tuple[str, ...] = ()
    # The clinician's plan ("Do steps 1 to 4, twice a day"), a line each, and the
    # follow-up visit: a date, or a date and time.
    plan: tuple[str, ...] = ()
    follow_up: dt.date | dt.datetime | None = None


def text_kind(f: dataclasses.Field, inherited: str = PROSE) -> str:
    return f.metadata.get("text", inherited)


def translated(f: dataclasses.Field) -> bool:
    """Whether a translation gives this field its own words (ids and sources never)."""
    return not f.metadata.get("internal") and text_kind(f) in (PROSE, NAME)


def _walk(obj: Any, path: tuple, kind: str, listed: bool
          ) -> Iterator[tuple[tuple, str, bool, Any]]:
    """(path, kind, listed, value) of every value under ``obj``, in field order."""
    yield path, kind, listed, obj
    if dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            if not f.metadata.get("internal"):
                yield from _walk(getattr(obj, f.name), (*path, f.name), text_kind(f, kind),
                                 f.metadata.get("listed", True))
    elif isinstance(obj, (list, tuple)):
        for i, item in enumerate(obj):
            yield from _walk(item, (*path, i), kind, True)


def texts(obj: Any, kinds: tuple[str, ...] = (PROSE,)) -> Iterator[tuple[tuple, str]]:
    """``(path, text)`` of every text of ``obj`` whose kind is one of ``kinds``.

    ``texts(muscle)`` is what a patient reads as prose; ``texts(x, READ)`` is
    every text printed as written (what the font must be able to draw).
    """
    for path, kind, _, value in _walk(obj, (), PROSE, True):
        if isinstance(value, str) and kind in kinds:
            yield path, value


# Every kind of text that is printed as written.
READ = (PROSE, NAME, SOURCE)


def lists(obj: Any) -> Iterator[tuple[tuple, list]]:
    """``(path, items)`` of every list printed as bullets, steps or table rows."""
    for path, _, listed, value in _walk(obj, (), PROSE, True):
        if isinstance(value, list) and listed and path:
            yield path, value
