"""The session report (CONTRACT.md section 4), built from the app database only.

The same document feeds `et-pipeline report` and the Discord publisher, so what people
read in Discord is exactly what scripts read from the CLI. Deterministic: every list
has a stable order and nothing depends on insertion order or the clock.
"""
import json
from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection

from et_pipeline.config import rules_from_env
from et_pipeline.domain import round_outcome
from et_pipeline.domain.aggregates import session_players
from et_pipeline.domain.timing import best_duration, is_surrender
from et_pipeline.storage import schema as t
from et_pipeline.storage.database import select_partition

ROUND_PLAYER_FIELDS = ("kills", "deaths", "damage_given", "damage_received", "gibs", "self_kills", "team_kills",
                       "team_damage_given", "headshots", "hits", "shots", "accuracy", "kd_ratio", "dpm",
                       "time_played_seconds", "denied_playtime", "revives_given", "times_revived", "useful_kills",
                       "kill_assists", "xp")


def _lua(row: dict | None) -> dict | None:
    if row is None:
        return None
    return dict(playtime_seconds=row["playtime_seconds"], round_start_unix=row["round_start_unix"],
                round_end_unix=row["round_end_unix"], pause_count=row["pause_count"],
                pause_seconds=row["pause_seconds"], end_reason=row["end_reason"], winner=row["winner"],
                defender=row["defender"], timelimit_minutes=row["timelimit_minutes"],
                surrender_team=row["surrender_team"], source=row["source"], kind=row["kind"],
                version=row["version"],
                axis_players=json.loads(row["axis_players"]), allies_players=json.loads(row["allies_players"]))


def _player(p: dict, team: str | None, weapons: list[dict]) -> dict:
    out = dict(guid=p["guid"], name=p["name"], side=p["side"], team=team, is_bot=p["is_bot"],
               values_from=p["values_from"], **{f: p[f] for f in ROUND_PLAYER_FIELDS})
    if p["values_reason"] is not None:      # a paired round 2: which rule made his numbers, and why
        out["r2_rule"] = "differential" if p["values_from"] == "differential" else "raw_r2"
        out["r2_rule_reason"] = p["values_reason"]
    out["time_dead_seconds"] = int(round(p["time_dead_minutes"] * 60))   # engine counters: never > played
    out["multikills"] = [p["multikill_%dx" % n] for n in range(2, 7)]
    out["weapons"] = [_weapon(w) for w in sorted(weapons, key=lambda w: (-w["kills"], -w["hits"], w["weapon"]))]
    return out


def _weapon(w: dict) -> dict:
    """One weapon of one player in one round (this round only for R2, like the player)."""
    return dict(weapon=w["weapon"], kills=w["kills"], deaths=w["deaths"], hits=w["hits"], shots=w["shots"],
                headshots=w["headshots"], accuracy=round(w["hits"] * 100.0 / w["shots"], 1) if w["shots"] else 0.0)


def with_offset(local: str | None, zone: ZoneInfo) -> str | None:
    """'2026-02-05T21:10:01' (a file name's local time) -> '2026-02-05T21:10:01+01:00'.
    In the autumn DST hour the earlier of the two instants is taken (FORMATS 5 #30)."""
    if not local:
        return None
    return datetime.fromisoformat(local).replace(tzinfo=zone).isoformat()


def build_sessions(conn: Connection, dates: list[str], timezone: str | None = None, checks: bool = True) -> list[dict]:
    """Every session of the given partitions, in start order, as report documents.
    `timezone` is the zone of the file-name times (default: ET_TIMEZONE); `start`/`end`
    and `local_time` stay local as CONTRACT says, `start_at`/`end_at`/`ended_at` carry
    the UTC offset. `checks=False` leaves out the night's cross-checks (what the
    `night_checks` asset itself builds them from)."""
    tz_name = timezone or rules_from_env().timezone
    zone = ZoneInfo(tz_name)
    tables = {name: select_partition(conn, getattr(t, name), dates) for name in (
        "sessions", "rounds", "player_round_stats", "weapon_round_stats", "lua_timings", "lua_round_teams",
        "awards", "session_teams", "map_results", "session_results", "timing_comparison")}
    checks_by_session = _group(select_partition(conn, t.night_checks, dates) if checks else [], "session_id")
    rounds_by_session = _group(tables["rounds"], "session_id")
    players_by_round = _group(tables["player_round_stats"], "round_key")
    weapons_by_round = _group(tables["weapon_round_stats"], "round_key")
    awards_by_round = _group([a for a in tables["awards"] if a["round_key"]], "round_key")
    teams_by_session = _group(tables["session_teams"], "session_id")
    maps_by_session = _group(tables["map_results"], "session_id")
    results = {r["session_id"]: r for r in tables["session_results"]}
    timing = {r["round_key"]: r for r in tables["timing_comparison"]}
    lua_rows = {r["source"]: r for r in tables["lua_timings"]}
    lua_by_round = {l["round_key"]: lua_rows[l["source"]] for l in tables["lua_round_teams"] if l["round_key"]}
    out = []
    for s in sorted(tables["sessions"], key=lambda s: (s["start"], s["session_id"])):
        sid = s["session_id"]
        rounds = sorted(rounds_by_session.get(sid, []), key=lambda r: (r["local_time"], r["round_key"]))
        file_of = {r["round_key"]: r["file"] for r in rounds}
        members = teams_by_session.get(sid, [])
        team_of = {m["player_key"]: m["team"] for m in members}
        res = results.get(sid)
        teams = {}
        for letter in "AB":
            mine = sorted((m for m in members if m["team"] == letter), key=lambda m: (m["name"].lower(), m["guid"]))
            name = (res["team_a_name"] if letter == "A" else res["team_b_name"]) if res else "Team " + letter
            teams[letter] = dict(name=name, players=[dict(guid=m["guid"], name=m["name"]) for m in mine])
        round_docs, counted_players, counted_weapons = [], [], []
        for r in rounds:
            lua = lua_by_round.get(r["round_key"])
            tc = timing.get(r["round_key"])
            players = sorted(players_by_round.get(r["round_key"], []),
                             key=lambda p: (-p["kills"], -p["damage_given"], p["name"], p["player_key"]))
            if not r["orphan"]:
                counted_players += players
                counted_weapons += weapons_by_round.get(r["round_key"], [])
            weapons_of = _group(weapons_by_round.get(r["round_key"], []), "player_key")
            surrender = lua is not None and is_surrender(lua["end_reason"], lua["surrender_team"])
            round_docs.append(dict(
                file=r["file"], map=r["map"], round=r["round_number"], match_id=r["match_id"], orphan=r["orphan"],
                pairing=r["pairing"], aborted=r["aborted"], local_time=r["local_time"],
                ended_at=with_offset(r["local_time"], zone), time_limit=r["time_limit"],
                winner_side=r["winner"], defender_side=r["defender"], has_bots=r["has_bots"],
                playtime_seconds=best_duration(lua and lua["playtime_seconds"], r["header_playtime_seconds"],
                                               r["next_time_limit_seconds"], r["time_limit_seconds"], surrender),
                lua=_lua(lua),
                timing_status=tc["status"] if tc else "NO_LUA_DATA",
                timing=dict(stats_seconds=tc["stats_seconds"], stats_source=tc["stats_source"],
                            lua_seconds=tc["lua_seconds"], diff_seconds=tc["diff_seconds"], cause=tc["cause"])
                if tc else None,
                awards=[dict(award=a["award"], category=a["category"], player=a["player"], guid=a["guid"],
                             value=a["value_numeric"], value_text=a["value_text"])
                        for a in sorted(awards_by_round.get(r["round_key"], []), key=lambda a: (a["source"], a["line"]))],
                players=[_player(p, team_of.get(p["player_key"]), weapons_of.get(p["player_key"], []))
                         for p in players]))
        maps = [dict(map=m["map"], r1_file=file_of.get(m["r1_key"]), r2_file=file_of.get(m["r2_key"]) if m["r2_key"] else None,
                     winner=m["winner"], counted=m["counted"], note=m["note"], scoring_source=m["scoring_source"],
                     points={"A": m["points_a"], "B": m["points_b"]}, time_a=m["time_a"], time_b=m["time_b"],
                     winner_side=m["winner_side"], a_r1_side=m["a_r1_side"],
                     r1_defender_side=m["r1_defender_side"])
                for m in sorted(maps_by_session.get(sid, []), key=lambda m: m["play_index"])]
        map_of = {f: m for m in maps for f in (m["r1_file"], m["r2_file"]) if f}
        for r in round_docs:       # how it ended, in the words every output uses (domain.round_outcome)
            r["outcome"] = round_outcome.of_round(r, map_of.get(r["file"]))
            r["outcome_text"] = round_outcome.round_text(r, map_of.get(r["file"]))
        out.append(dict(
            session_id=sid, date=s["session_date"], start=s["start"], end=s["end"],
            start_at=with_offset(s["start"], zone), end_at=with_offset(s["end"], zone), timezone=tz_name, teams=teams,
            score={"A": res["score_a"], "B": res["score_b"]} if res else {"A": 0, "B": 0},
            winner=res["winner"] if res else None, format=res["format"] if res else None,
            maps=maps, rounds=round_docs,
            players=session_players(counted_players, counted_weapons, team_of)))
        if checks:
            out[-1]["checks"] = [dict(check=c["check_name"], status=c["status"], round_file=c["round_file"],
                                      detail=c["detail"], action=c["action"])
                                 for c in sorted(checks_by_session.get(sid, []), key=lambda c: c["seq"])]
    return out


def _group(rows: list[dict], key: str) -> dict:
    out = defaultdict(list)
    for r in rows:
        out[r[key]].append(r)
    return out


def build_report(conn: Connection, date: str) -> dict:
    from et_pipeline.storage.registry import incomplete

    why = incomplete(conn, [date])[date]     # partial data says so (not in build_sessions: Discord's input)
    return {"date": date, "sessions": [dict(s, complete=not why, incomplete_because=why)
                                       for s in build_sessions(conn, [date])]}
