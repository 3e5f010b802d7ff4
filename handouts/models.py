"""Typed models of the library. Templates and the renderer see only these.

The type hints double as the file-format schema (see ``handouts.schema``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

BodyRegion = Literal["head-neck", "shoulder-arm", "trunk", "hip", "leg"]
BODY_REGIONS: tuple[str, ...] = ("head-neck", "shoulder-arm", "trunk", "hip", "leg")

REGION = {"ref": "region", "unique": True}
MUSCLE = {"ref": "muscle", "unique": True}


@dataclass(frozen=True)
class Pain:
    description: str
    main: list[str] = field(metadata=REGION)
    trigger_points: list[str] = field(metadata=REGION)
    spillover: list[str] = field(default_factory=list, metadata=REGION)


@dataclass(frozen=True)
class SelfCare:
    steps: list[str]
    how_long: str
    how_often: str
    heat_and_cold: str | None = None


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
class Muscle:
    name: str
    body_region: BodyRegion
    summary: str
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
    related_muscles: list[str] = field(metadata=MUSCLE)
    see_a_doctor: list[str]
    sources: list[Source]
    reviewed: dt.date
    other_names: list[str] = field(default_factory=list)
    # Set from the file name, not from the YAML.
    id: str = field(default="", metadata={"internal": True})


@dataclass(frozen=True)
class FirstAid:
    title: str
    intro: str
    steps: list[str]
    after: str


@dataclass(frozen=True)
class Grade:
    grade: int = field(metadata={"min": 1, "max": 3})
    name: str
    what_it_is: str
    recovery: str


@dataclass(frozen=True)
class RedFlags:
    emergency_title: str
    emergency: list[str]
    soon_title: str
    soon: list[str]
    call_line: str


@dataclass(frozen=True)
class Shared:
    disclaimer: str
    first_aid: FirstAid
    strain_grades: list[Grade]
    grades_note: str
    red_flags: RedFlags


@dataclass(frozen=True)
class Region:
    id: str
    label: str
    group: BodyRegion


@dataclass(frozen=True)
class Library:
    """Everything a handout can draw on, validated and cross-checked."""

    muscles: dict[str, Muscle]
    shared: Shared
    regions: dict[str, Region]

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
