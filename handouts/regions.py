"""The five body regions a muscle belongs to, and every fact that follows from one.

This table is the only place that names them: the validator, the command
line's ``--region`` choices, the warning signs, the first aid and the
booklet titles all read it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BodyRegion:
    id: str
    # "Your {words} muscle guide": a booklet's default title (a catalogue key).
    words: str
    # The first-aid block a muscle of this region gets unless its file names another.
    first_aid: str
    # Strain-grade wording may speak of standing on the leg only here.
    bears_weight: bool


HEAD_NECK, SHOULDER_ARM, TRUNK, HIP, LEG = "head-neck", "shoulder-arm", "trunk", "hip", "leg"
BODY_REGIONS: dict[str, BodyRegion] = {r.id: r for r in (
    BodyRegion(HEAD_NECK, "head and neck", "neck", False),
    BodyRegion(SHOULDER_ARM, "shoulder and arm", "limb", False),
    BodyRegion(TRUNK, "back and trunk", "trunk", False),
    BodyRegion(HIP, "hip", "limb", True),
    BodyRegion(LEG, "leg", "limb", True),
)}
BODY_REGION_IDS: tuple[str, ...] = tuple(BODY_REGIONS)
# A shared warning sign names the regions it applies to, or this for every region.
ALL_REGIONS = "all"

# The first-aid blocks of shared.yaml. A limb may be raised and wrapped; a neck,
# a jaw or the trunk never is (see docs/data-format.md).
FIRST_AID_KINDS: tuple[str, ...] = ("limb", "neck", "jaw", "trunk")
