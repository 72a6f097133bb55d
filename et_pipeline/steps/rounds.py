"""Stats files of one partition -> sessions, rounds, player and weapon rows.

Parses every stats file, quarantines what cannot be read (with the reason), drops
renamed copies of the same round, groups sessions, pairs R1/R2 and applies the
round-2 differential. Linear in the number of files: each R2 finds its R1 through the
pairing of its own session, never by rescanning a folder.
"""
from dataclasses import dataclass, field

from et_pipeline.config import Rules
from et_pipeline.domain.pairing import RoundRef, pair_rounds
from et_pipeline.domain.player_keys import player_keys
from et_pipeline.domain.player_stats import PLAYER_NUMBERS, differential, player_numbers, weapon_rows
from et_pipeline.domain.r2_rule import DIFFERENTIAL, judge_round2
from et_pipeline.domain.sessions import group_sessions
from et_pipeline.domain.timing import stats_duration
from et_pipeline.parsers.bounds import check_stats_file
from et_pipeline.parsers.errors import ParseError
from et_pipeline.steps.file_errors import about_file
from et_pipeline.parsers.filenames import FileName
from et_pipeline.parsers.stats_file import WEAPON_FIELDS, StatsFile, clock_seconds, parse_stats_file, payload_hash_input

DEFAULT_ROUND_SECONDS = 300  # DOMAIN appendix A: when no duration is known at all
# The columns of RoundsResult.players / .weapons, in the order of their tuples.
PLAYER_COLUMNS = ("round_key", "session_date", "player_key", "guid", "name", "raw_name", "side", "is_bot",
                  "values_from", "values_reason") + PLAYER_NUMBERS
WEAPON_COLUMNS = ("round_key", "session_date", "player_key", "weapon") + WEAPON_FIELDS


@dataclass
class FileOutcome:
    path: str
    status: str                  # parsed | quarantined | duplicate
    error: str | None = None
    round_key: str | None = None


@dataclass
class RoundsResult:
    """Rows per table. The two big ones (a row per player, a row per player and weapon)
    are tuples in the order of PLAYER_COLUMNS / WEAPON_COLUMNS: a dict per row cost more
    than the rest of the step, and the database takes tuples as they are."""
    sessions: list[dict] = field(default_factory=list)
    rounds: list[dict] = field(default_factory=list)
    players: list[tuple] = field(default_factory=list)
    weapons: list[tuple] = field(default_factory=list)
    outcomes: list[FileOutcome] = field(default_factory=list)

    def player_dicts(self) -> list[dict]:
        return [dict(zip(PLAYER_COLUMNS, row)) for row in self.players]

    def weapon_dicts(self) -> list[dict]:
        return [dict(zip(WEAPON_COLUMNS, row)) for row in self.weapons]


def round_key(name: FileName) -> str:
    return name.stem


def _round_seconds(sf: StatsFile) -> float:
    """The round's length for players without a time of their own: the stats file's own
    duration (domain.timing.stats_duration), else the limit, else the 300 s default."""
    h = sf.header
    seconds, _ = stats_duration(h.playtime_seconds, clock_seconds(h.next_time_limit), clock_seconds(h.time_limit))
    return seconds if seconds is not None else float(clock_seconds(h.time_limit) or DEFAULT_ROUND_SECONDS)


def parse_partition_stats(files: list[tuple[str, FileName, bytes]]) -> tuple[dict[str, tuple[FileName, StatsFile, list[str]]], list[FileOutcome]]:
    """Parse, quarantine and de-duplicate. Returns round key -> (name, parsed file, the
    player keys of its lines)."""
    parsed: dict[str, tuple[FileName, StatsFile, list[str]]] = {}
    outcomes: list[FileOutcome] = []
    payloads: dict[bytes, str] = {}     # the player lines themselves: equal means equal
    for path, name, data in sorted(files, key=lambda f: (f[1].name, f[0])):
        key = round_key(name)
        if key in parsed:
            outcomes.append(FileOutcome(path, "duplicate", "same file name as %s" % parsed[key][0].name))
            continue
        try:
            with about_file(path):
                sf = parse_stats_file(data)
            if sf.header.map != name.map:
                raise ParseError("file name says map %r but the header says %r" % (name.map, sf.header.map))
            if not sf.players:
                raise ParseError("no player lines")
            check_stats_file(sf)
            keys = player_keys(sf.players)
        except ParseError as e:
            outcomes.append(FileOutcome(path, "quarantined", str(e)))
            continue
        payload = payload_hash_input(data)
        if payload in payloads:
            outcomes.append(FileOutcome(path, "duplicate", "same player lines as %s" % payloads[payload]))
            continue
        payloads[payload] = name.name
        parsed[key] = (name, sf, keys)
        outcomes.append(FileOutcome(path, "parsed", None, key))
    return parsed, outcomes


def build_rounds(files: list[tuple[str, FileName, bytes]], session_date: str, rules: Rules) -> RoundsResult:
    parsed, outcomes = parse_partition_stats(files)
    out = RoundsResult(outcomes=outcomes)
    players, weapons = out.players, out.weapons
    key_of = {name: key for key, (name, _, _) in parsed.items()}        # one stem per file, not one per use
    for session in group_sessions([n for n, _, _ in parsed.values()], rules.session_gap_minutes):
        refs = []
        for name in session.rounds:
            _, sf, keys = parsed[key_of[name]]
            refs.append(RoundRef(key_of[name], name.map, name.round, name.local_time, sf.header.shutdown_path,
                                 tuple(zip(keys, [p.rounds for p in sf.players]))))
        pairing = pair_rounds(refs, rules.pairing_window_minutes)
        out.sessions.append(dict(session_id=session.session_id, session_date=session_date,
                                 start=session.start.isoformat(), end=session.end.isoformat(),
                                 round_count=len(session.rounds)))
        for name in session.rounds:
            key = key_of[name]
            _, sf, keys = parsed[key]
            pr = pairing[key]
            h = sf.header
            seconds = _round_seconds(sf)
            lines = list(zip(keys, sf.players))
            r1_players, r2_rules = {}, {}
            if pr.round_number == 2 and pr.pair_key:
                _, r1, r1_keys = parsed[pr.pair_key]
                r1_players = dict(zip(r1_keys, r1.players))
                r2_rules = judge_round2(lines, r1_players, seconds / 60)
            has_bots = False
            for player_key, p in lines:
                is_bot = p.is_bot
                has_bots = has_bots or is_bot
                judged = r2_rules.get(player_key)
                if judged is None:
                    line, values_from, reason = p, "file", None
                else:
                    line = differential(p, r1_players[player_key]) if judged.rule == DIFFERENTIAL else p
                    values_from, reason = judged.values_from, judged.reason
                players.append((key, session_date, player_key, p.guid, p.name[:80], p.raw_name[:160], p.side, is_bot,
                                values_from, reason) + player_numbers(line, seconds))
                weapons += weapon_rows(line, key, session_date, player_key)
            out.rounds.append(dict(
                round_key=key, session_date=session_date, session_id=session.session_id, file=name.name,
                map=name.map, round_number=pr.round_number, file_round=name.round,
                local_time=name.local_time.isoformat(),
                match_id=pr.match_id, orphan=pr.orphan, pair_key=pr.pair_key, pairing=pr.status,
                format=h.format, server_name=h.server_name, config=h.config, defender=h.defender,
                winner=h.winner, time_limit=h.time_limit, next_time_limit=h.next_time_limit,
                time_limit_seconds=clock_seconds(h.time_limit), next_time_limit_seconds=clock_seconds(h.next_time_limit),
                header_playtime_seconds=h.playtime_seconds, aborted=pr.aborted,
                has_bots=has_bots, player_count=len(sf.players)))
    return out
