"""Parser for c0rnp0rn7 (8 header fields) and c0rnp0rn8 (9) stats files, FORMATS.md section 1."""
import functools
import itertools
import math
from dataclasses import dataclass, field
from operator import itemgetter

from et_pipeline.parsers.errors import ParseError
from et_pipeline.parsers.text import decode, split_lines, strip_colours

WEAPONS = (
    "WS_KNIFE", "WS_KNIFE_KBAR", "WS_LUGER", "WS_COLT", "WS_MP40", "WS_THOMPSON", "WS_STEN",
    "WS_FG42", "WS_PANZERFAUST", "WS_BAZOOKA", "WS_FLAMETHROWER", "WS_GRENADE", "WS_MORTAR",
    "WS_MORTAR2", "WS_DYNAMITE", "WS_AIRSTRIKE", "WS_ARTILLERY", "WS_SATCHEL",
    "WS_GRENADELAUNCHER", "WS_LANDMINE", "WS_MG42", "WS_BROWNING", "WS_CARBINE", "WS_KAR98",
    "WS_GARAND", "WS_K43", "WS_MP34", "WS_SYRINGE",
)
WEAPON_FIELDS = ("hits", "shots", "kills", "deaths", "headshots")

# The 38 TAB fields, FORMATS.md 1.4, in file order.
TAB_FIELDS = (
    "damage_given", "damage_received", "team_damage_given", "team_damage_received", "gibs",
    "self_kills", "team_kills", "team_gibs", "time_played_percent", "xp", "killing_spree",
    "death_spree", "kill_assists", "kill_steals", "headshot_kills", "objectives_stolen",
    "objectives_returned", "dynamites_planted", "dynamites_defused", "times_revived",
    "bullets_fired", "dpm", "time_played_minutes", "tank_meatshield", "time_dead_ratio",
    "time_dead_minutes", "kd_ratio", "useful_kills", "denied_playtime", "multikill_2x",
    "multikill_3x", "multikill_4x", "multikill_5x", "multikill_6x", "useless_kills",
    "full_selfkills", "repairs_constructions", "revives_given",
)
DECIMAL_TABS = {8, 21, 22, 23, 24, 25, 26}
INT_TABS = tuple(i for i in range(len(TAB_FIELDS)) if i not in DECIMAL_TABS)


@functools.lru_cache(maxsize=1024)     # asked ~10 times per stats file, for a handful of distinct clocks
def clock_seconds(text: str | None) -> int | None:
    """`M:SS` (also decimal minutes or plain seconds) to seconds; None when unparsable."""
    if text is None:
        return None
    text = text.strip()
    try:
        if ":" in text:
            minutes, seconds = text.split(":", 1)
            return int(minutes) * 60 + int(seconds)
        if "." in text:
            return round(float(text) * 60)
        return int(text)
    except (ValueError, OverflowError):   # garbage, or inf/NaN from an exponent
        return None


@dataclass(slots=True)   # not frozen: a frozen dataclass costs 3x to build, once per file
class Header:
    server_name: str
    map: str
    config: str
    round: int | None
    defender: int | None
    winner: int | None
    time_limit: str
    next_time_limit: str
    playtime_ms: int | None  # c0rnp0rn8 only; <= 0 means unknown (shutdown path)

    @property
    def format(self) -> str:
        return "c0rnp0rn7" if self.playtime_ms is None else "c0rnp0rn8"

    @property
    def playtime_seconds(self) -> float | None:
        """Header field 9 (always milliseconds) as seconds; None when unknown: <= 0 is the
        shutdown path and <= 10 000 ms is no real round (FORMATS 1.2 measured duration)."""
        if self.playtime_ms is None or self.playtime_ms <= 10000:
            return None
        return self.playtime_ms / 1000

    @property
    def shutdown_path(self) -> bool:
        """Written at map unload (a map vote, an admin `map`, a restart), not at
        intermission: the round never ended (FORMATS 5 #9). A c0rnp0rn8 playtime <= 0, or
        in either format a field 8 larger than a real field 7 limit: the round-2 fallback
        heuristic the script reaches when the engine reset g_nextTimeLimit (FORMATS 1.2)."""
        if self.playtime_ms is not None and self.playtime_ms <= 0:
            return True
        limit, clock = clock_seconds(self.time_limit), clock_seconds(self.next_time_limit)
        return bool(limit) and clock is not None and clock > limit


@dataclass(slots=True)
class PlayerLine:
    guid: str          # 8 upper-case characters; may be empty for a client without cl_guid
    raw_name: str
    name: str          # colour codes removed
    rounds: int
    side: int
    weapons: dict[int, tuple[int, int, int, int, int]]  # weapon id -> hits, shots, kills, deaths, headshots
    tab: list[float] = field(default_factory=list)      # the 38 extended fields
    # weapon_totals(), once per line: a line is never changed after parsing (the round-2
    # differential builds a new one), and each line's totals are asked for two or three times
    _totals: tuple[int, int, int, int, int] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def is_bot(self) -> bool:
        return self.name.startswith("[BOT]") or self.guid.startswith("OMNIBOT")

    @property
    def key(self) -> str:
        """Identity within a session: the GUID; bots (shared OMNIBOT0 GUIDs) and
        GUID-less clients also need their name."""
        if self.is_bot or not self.guid:
            return "%s:%s" % (self.guid, self.name)
        return self.guid

    def weapon_total(self, idx: int) -> int:
        return self.weapon_totals()[idx]

    def weapon_totals(self) -> tuple[int, int, int, int, int]:
        """hits, shots, kills, deaths, headshots over all weapons, in one pass."""
        totals = self._totals
        if totals is None:
            totals = self._totals = tuple(map(sum, zip(*self.weapons.values()))) if self.weapons else (0, 0, 0, 0, 0)
        return totals

    def tab_value(self, name: str) -> float:
        return self.tab[TAB_FIELDS.index(name)]


@dataclass
class StatsFile:
    header: Header
    players: list[PlayerLine]


def _int(text: str, what: str) -> int:
    if not text.strip().lstrip("+-").isascii():
        raise ParseError("%s is not an integer: %r" % (what, text[:40]))
    try:
        return int(text)
    except ValueError:
        raise ParseError("%s is not an integer: %r" % (what, text[:40])) from None


def _opt_int(text: str) -> int | None:
    try:
        return int(text.strip())
    except ValueError:
        return None


def parse_header(line: str) -> Header:
    parts = line.split("\\")
    if len(parts) < 8:
        raise ParseError("header has %d fields, expected 8 (c0rnp0rn7) or 9 (c0rnp0rn8)" % len(parts))
    if len(parts) > 9:
        raise ParseError("header has %d fields, expected 8 or 9" % len(parts))
    playtime = None
    if len(parts) == 9:
        playtime = _opt_int(parts[8])
        if playtime is None:
            raise ParseError("header field 9 (playtime ms) is not an integer: %r" % parts[8][:40])
    for i in (6, 7):
        if clock_seconds(parts[i]) is None:
            raise ParseError("header field %d is not a M:SS clock: %r" % (i + 1, parts[i][:40]))
    if not parts[1]:
        raise ParseError("header has an empty map name")
    return Header(
        server_name=parts[0], map=parts[1], config=parts[2], round=_opt_int(parts[3]),
        defender=_opt_int(parts[4]), winner=_opt_int(parts[5]), time_limit=parts[6].strip(),
        next_time_limit=parts[7].strip(), playtime_ms=playtime,
    )


_TAB_CONVERTERS = tuple(float if i in DECIMAL_TABS else int for i in range(len(TAB_FIELDS)))


def _weapon_ids(mask: int) -> list[int]:
    """Set bits of the weapon mask, lowest first (one step per weapon, not per bit)."""
    ids = []
    while mask:
        low = mask & -mask
        ids.append(low.bit_length() - 1)
        mask ^= low
    return ids


def _is_int(text: str) -> bool:
    return _converts(int, text)


def _converts(conv, text: str) -> bool:
    try:
        conv(text)
        return True
    except ValueError:
        return False


class _Memo(dict):
    """Text -> value for the few thousand distinct numbers and names a season writes:
    a dict lookup costs a quarter of `int()` on a short string. Bounded: a flood of
    distinct garbage clears it instead of growing it."""
    __slots__ = ("convert",)
    LIMIT = 200_000

    def __init__(self, convert):
        super().__init__()
        self.convert = convert

    def __missing__(self, key):
        value = self.convert(key)     # raises on text that does not convert
        if len(self) >= self.LIMIT:
            self.clear()
        self[key] = value
        return value


def _checked_weapon_ids(mask_text: str) -> tuple[int, ...]:
    mask = int(mask_text)
    if not 0 <= mask < 2 ** len(WEAPONS):
        raise ValueError("weapon mask out of range")
    return tuple(_weapon_ids(mask))


def _tab_number(text: str) -> int | float:
    """An extended field as written: digits are an int, anything else a float (or
    ValueError); the fast path then checks each field got the type its position needs."""
    return int(text) if text.isdigit() else float(text)


_int_of = _Memo(int).__getitem__
_tab_number_of = _Memo(_tab_number).__getitem__
_ids_of = _Memo(_checked_weapon_ids).__getitem__
_name_of = _Memo(strip_colours).__getitem__
_guid_of = _Memo(lambda text: text.strip()[:8].upper()).__getitem__
_int_tabs = itemgetter(*INT_TABS)
_decimal_tabs = itemgetter(*sorted(DECIMAL_TABS))


def parse_player_line(line: str, lineno: int) -> PlayerLine:
    """One player line. A well-formed line takes the fast path (C-level splits and
    memoised conversions); anything it does not accept is parsed again by the careful
    path, which names the first problem, so both agree on every line they accept."""
    try:
        guid, raw_name, rounds, side, rest = line.split("\\")
        weapon_part, tab_part = rest.split("\t", 1)
        if not (line.isascii() or rest.isascii() and rounds.isascii() and side.isascii()) or "-" in weapon_part:
            raise ValueError
        mask, *numbers = weapon_part.split()
        ids = _ids_of(mask)
        texts = tab_part.split("\t")
        if len(numbers) != 5 * len(ids) or len(texts) != len(TAB_FIELDS):
            raise ValueError
        tab = list(map(_tab_number_of, texts))
        decimals = _decimal_tabs(tab)
        # every integer field came out an int, every decimal field a finite float
        if type(sum(_int_tabs(tab))) is not int or int in map(type, decimals) or not math.isfinite(sum(decimals)):
            raise ValueError
        groups = map(_int_of, numbers)
        return PlayerLine(_guid_of(guid), raw_name, _name_of(raw_name), _int_of(rounds), _int_of(side),
                          dict(zip(ids, zip(groups, groups, groups, groups, groups))), tab)
    except (ValueError, IndexError, OverflowError):
        return _parse_player_line_carefully(line, lineno)


def _parse_player_line_carefully(line: str, lineno: int) -> PlayerLine:
    parts = line.split("\\")
    if len(parts) != 5:
        raise ParseError("player line %d has %d backslash fields, expected 5" % (lineno, len(parts)))
    guid, raw_name, rounds, side, rest = parts
    if "\t" not in rest:
        raise ParseError("player line %d has no extended (TAB) block" % lineno)
    weapon_part, tab_part = rest.split("\t", 1)
    tokens = weapon_part.split()
    if not tokens:
        raise ParseError("player line %d has no weapon mask" % lineno)
    if not rest.isascii():
        raise ParseError("player line %d has non-ASCII characters in its numbers" % lineno)
    try:
        numbers = list(map(int, tokens))
    except ValueError:
        bad = next(t for t in tokens if not _is_int(t))
        raise ParseError("weapon block value on line %d is not an integer: %r" % (lineno, bad[:40])) from None
    mask = numbers[0]
    try:
        ids = _ids_of(tokens[0])
    except ValueError:
        raise ParseError("weapon mask %d on line %d is out of range" % (mask, lineno)) from None
    if len(numbers) != 1 + 5 * len(ids):
        raise ParseError("player line %d has %d weapon numbers, mask %d needs %d"
                         % (lineno, len(numbers) - 1, mask, 5 * len(ids)))
    if numbers and min(numbers) < 0:
        raise ParseError("negative weapon counter on line %d" % lineno)
    groups = iter(numbers[1:])
    weapons = dict(zip(ids, zip(groups, groups, groups, groups, groups)))
    tab_texts = tab_part.split("\t")
    if len(tab_texts) != len(TAB_FIELDS):
        raise ParseError("player line %d has %d extended fields, expected %d (truncated or garbled)"
                         % (lineno, len(tab_texts), len(TAB_FIELDS)))
    try:
        tab = [conv(text) for conv, text in zip(_TAB_CONVERTERS, tab_texts)]
    except ValueError:
        i = next(i for i, (conv, text) in enumerate(zip(_TAB_CONVERTERS, tab_texts)) if not _converts(conv, text))
        raise ParseError("extended field %d (%s) on line %d is not a number: %r"
                         % (i, TAB_FIELDS[i], lineno, tab_texts[i][:20])) from None
    for i in DECIMAL_TABS:
        if not math.isfinite(tab[i]):
            raise ParseError("extended field %d on line %d is not finite" % (i, lineno))
    return PlayerLine(
        guid=guid.strip()[:8].upper(), raw_name=raw_name, name=strip_colours(raw_name),
        rounds=_int(rounds, "rounds on line %d" % lineno), side=_int(side, "side on line %d" % lineno),
        weapons=weapons, tab=tab,
    )


def parse_stats_file(data: bytes) -> StatsFile:
    """Parse a whole stats file. Raises ParseError for anything not a complete file."""
    if not data.strip():
        raise ParseError("empty file")
    if b"\x00" in data:
        raise ParseError("binary content (NUL bytes): not a stats file")
    if not data.endswith(b"\n"):
        raise ParseError("truncated: no newline after the last line (file still being written?)")
    try:   # the common case: one UTF-8 decode for the whole file
        text = data.decode("utf-8")
        lines = text.split("\n")
        lines.pop()   # after the final newline
        if "\r" in text or "" in lines:   # CRLF copies, blank lines
            lines = [ln[:-1] if ln.endswith("\r") else ln for ln in lines if ln.strip("\r")]
    except UnicodeDecodeError:
        lines = [decode(raw) for raw in split_lines(data)]
    header = parse_header(lines[0])
    players = list(map(parse_player_line, lines[1:], itertools.count(2)))
    return StatsFile(header=header, players=players)


def payload_hash_input(data: bytes) -> bytes:
    """The bytes a duplicate check should hash: the player lines, not the header, which
    can differ between two copies of the same round (FORMATS.md 5 #4)."""
    lines = split_lines(data)
    return b"\n".join(sorted(lines[1:]))
