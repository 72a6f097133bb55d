"""Parser for endstats.lua award files, FORMATS.md section 3 and DOMAIN.md section 7."""
import math
import re
from dataclasses import dataclass, field

from et_pipeline.parsers.errors import ParseError
from et_pipeline.parsers.text import decode, split_lines

# Award name -> category (DOMAIN.md 7.1, FORMATS.md 3.3). Order matters only for display.
AWARD_CATEGORIES: dict[str, str] = {
    "Most damage given": "combat", "Most damage received": "combat",
    "Most team damage given": "combat", "Most team damage received": "combat",
    "Most kills per minute": "combat", "Best K/D ratio": "combat",
    "Most corpse gibs": "combat", "Most kill assists": "combat", "Most killsteals": "combat",
    "Most damage per minute": "combat",
    "Most teamkills": "deaths", "Most selfkills": "deaths", "Most deaths": "deaths",
    "Most panzer deaths": "deaths", "Mortarmagnet": "deaths", "Most MG42 deaths": "deaths",
    "Longest death spree": "deaths", "Most mortar deaths": "deaths",
    "Tank/Meatshield (Refuses to die)": "deaths",
    "Most doublekills": "skills", "Most multikills": "skills",
    "Quickest multikill w/ light weapons": "skills", "Longest killing spree": "skills",
    "Most headshot kills": "skills", "Highest light weapons accuracy": "skills",
    "Highest headshot accuracy": "skills", "Most headshots": "skills",
    "Most useful kills (>Half respawn time left)": "skills", "Most useless kills": "skills",
    "Farthest riflenade kill": "weapons", "Most light weapon kills": "weapons",
    "Most pistol kills": "weapons", "Most rifle kills": "weapons", "Most riflenade kills": "weapons",
    "Most sniper kills": "weapons", "Most knife kills": "weapons", "Most air support kills": "weapons",
    "Most mine kills": "weapons", "Most grenade kills": "weapons", "Most panzer kills": "weapons",
    "Most mortar kills": "weapons", "Most MG42 kills": "weapons", "Most bullets fired": "weapons",
    "Most revives": "teamwork", "Most revived": "teamwork",
    "Most dynamites planted": "objectives", "Most dynamites defused": "objectives",
    "Most objectives stolen": "objectives", "Most objectives returned": "objectives",
    "Full respawn king": "timing", "Least time dead (What spawn?)": "timing",
    "Most playtime denied": "timing",
}
# Longest first, so "Most objectives stolen" never shadows a longer name.
_KNOWN_PREFIX = re.compile("|".join(re.escape(n) for n in sorted(AWARD_CATEGORIES, key=len, reverse=True)))
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_INT = re.compile(r"^-?[0-9]{1,9}$")
# Awards the script writes after #33 "Most objectives stolen" (FORMATS 3.3 emission order):
# once one of them was seen, a "Most objectives stolen" line is #41, the most useless kills.
_AFTER_OBJECTIVES_STOLEN = frozenset({
    "Most objectives returned", "Most corpse gibs", "Most kill assists", "Most killsteals",
    "Most headshot kills", "Tank/Meatshield (Refuses to die)"})


@dataclass(frozen=True)
class Award:
    award: str
    category: str
    player: str
    value_text: str
    value: float | None
    line: int


@dataclass(frozen=True)
class VsRow:
    subject_name: str | None  # None before VS_HEADER existed (blocks not delimited)
    subject_guid: str | None  # first 8 characters, upper case
    opponent: str
    kills: int
    deaths: int


@dataclass
class EndstatsFile:
    awards: list[Award] = field(default_factory=list)
    vs: list[VsRow] = field(default_factory=list)
    ignored_lines: int = 0
    duplicate_lines: int = 0

    def guid_by_name(self) -> dict[str, str]:
        return {v.subject_name: v.subject_guid for v in self.vs if v.subject_name and v.subject_guid}


def award_value(text: str) -> float | None:
    """The numeric value of an award text (FORMATS.md 3.4)."""
    t = text.strip()
    if t.startswith("Damage received vs death ratio:"):
        m = re.search(r"(-?[0-9]+(?:\.[0-9]+)?)x\s*$", t[:200])
        return float(m.group(1)) if m and math.isfinite(float(m.group(1))) else None
    m = _NUMBER.search(t[:200])
    value = float(m.group(0)) if m else None
    return value if value is not None and math.isfinite(value) else None


def _award_name(first: str) -> str | None:
    if first in AWARD_CATEGORIES:
        return first
    m = _KNOWN_PREFIX.match(first)
    return m.group(0) if m else None


def parse_endstats_file(data: bytes) -> EndstatsFile:
    """Parse award and VS lines. Exact duplicate award lines (the script writes "Longest
    killing spree" twice) are dropped; a "Most objectives stolen" line written after the
    awards that follow #33 carries the most useless kills (script bug, FORMATS 3.3 #41)
    and is relabelled. Value-0 awards (a "Most multikills" quirk) are kept as written."""
    if not data.strip():
        raise ParseError("empty file")
    if b"\x00" in data:
        raise ParseError("binary content (NUL bytes): not an endstats file")
    if not data.endswith(b"\n"):
        raise ParseError("truncated: no newline after the last line (file still being written?)")
    out = EndstatsFile()
    seen: set[tuple[str, str, str]] = set()
    seen_names: set[str] = set()
    subject: tuple[str, str] | None = None
    recognised = 0
    spree_twice_seen = False
    for n, raw in enumerate(split_lines(data), start=1):
        parts = decode(raw).split("\t")
        if len(parts) < 3:
            out.ignored_lines += 1
            continue
        first, second, third = parts[0], parts[1], "\t".join(parts[2:])
        if first == "VS_HEADER":
            subject = (second, third.strip()[:8].upper())
            recognised += 1
            continue
        name = _award_name(first)
        if name is not None and subject is None:
            spree_twice = name == "Longest killing spree" and name in seen_names
            if name == "Most objectives stolen" and (seen_names & _AFTER_OBJECTIVES_STOLEN or spree_twice_seen):
                name = "Most useless kills"
            spree_twice_seen = spree_twice_seen or spree_twice
            seen_names.add(name)
            if (name, second, third) in seen:
                out.duplicate_lines += 1
                recognised += 1
                continue
            seen.add((name, second, third))
            out.awards.append(Award(name, AWARD_CATEGORIES[name], second, third, award_value(third), n))
            recognised += 1
        elif _INT.match(second.strip()) and _INT.match(third.strip()):
            out.vs.append(VsRow(subject[0] if subject else None, subject[1] if subject else None,
                                first, int(second), int(third)))
            recognised += 1
        else:
            out.ignored_lines += 1
    if recognised == 0:
        raise ParseError("no award or VS line found: not an endstats file")
    return out
