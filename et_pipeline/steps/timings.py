"""Timing files of one partition -> `lua_timings` rows (upstream gametime JSON and this
project's own timing files), de-duplicated on (map, round, round end) as the webhook
itself is (FORMATS.md 4.1)."""
import datetime as dt
import json

from et_pipeline.config import Rules
from et_pipeline.parsers.bounds import check_timing
from et_pipeline.parsers.errors import ParseError
from et_pipeline.steps.file_errors import about_file
from et_pipeline.parsers.filenames import GAMETIME, FileName
from et_pipeline.parsers.timing_file import LuaTiming, parse_gametime_file, parse_own_timing_file
from et_pipeline.steps.rounds import FileOutcome

GHOST_ROUND_SECONDS = 30  # FORMATS 4.5: shorter "rounds" are restarts, not play


def parse_timing(name: FileName, data: bytes) -> LuaTiming:
    if name.kind == GAMETIME:
        t = parse_gametime_file(data)
        if t.map != name.map and t.map.replace("-", "_") != name.map:
            raise ParseError("file name says map %r but the content says %r" % (name.map, t.map))
        if t.round != name.round:
            raise ParseError("file name says R%d but the content says R%d" % (name.round, t.round))
        return t
    return parse_own_timing_file(data, name.map, name.round)


def build_timings(files: list[tuple[str, FileName, bytes]], session_date: str, rules: Rules):
    rows, outcomes, seen = [], [], {}
    # own timing files (kind "timing") first: they win a tie with the upstream copy
    for path, name, data in sorted(files, key=lambda f: (f[1].kind != "timing", f[1].name)):
        try:
            with about_file(path):
                t = parse_timing(name, data)
            check_timing(t)
        except ParseError as e:
            outcomes.append(FileOutcome(path, "quarantined", str(e)))
            continue
        if t.round_end_unix is None or t.round_end_unix <= 0:
            outcomes.append(FileOutcome(path, "quarantined", "timing file has no round end time"))
            continue
        if t.playtime_seconds is not None and 0 < t.playtime_seconds < GHOST_ROUND_SECONDS:
            outcomes.append(FileOutcome(path, "skipped", "ghost round: %d s of play" % t.playtime_seconds))
            continue
        dedupe = (t.map.lower(), t.round, t.round_end_unix)
        if dedupe in seen:
            outcomes.append(FileOutcome(path, "duplicate", "same map, round and round end as %s" % seen[dedupe]))
            continue
        seen[dedupe] = name.name
        end_local = dt.datetime.fromtimestamp(t.round_end_unix, rules.tz).replace(tzinfo=None)
        rows.append(dict(
            source=name.name, session_date=session_date, kind=name.kind, map=name.map, round_number=t.round,
            round_start_unix=t.round_start_unix, round_end_unix=t.round_end_unix,
            round_end_local=end_local.isoformat(), playtime_seconds=t.playtime_seconds,
            warmup_seconds=t.warmup_seconds, pause_count=t.pause_count, pause_seconds=t.pause_seconds,
            winner=t.winner, defender=t.defender, end_reason=t.end_reason,
            timelimit_minutes=t.timelimit_minutes, surrender_team=t.surrender_team,
            axis_players=json.dumps(t.axis_players, sort_keys=True),
            allies_players=json.dumps(t.allies_players, sort_keys=True),
            pauses=json.dumps(t.pauses, sort_keys=True), version=t.version))
        outcomes.append(FileOutcome(path, "parsed"))
    return rows, outcomes
