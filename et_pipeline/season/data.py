"""Everything the season layer reads, loaded once from the nightly tables.

The nightly assets already decided which rounds pair, which maps count, who was on which
persistent team and which rows are bots; this module only reads their answers (never
re-derives them) and shapes them for the season functions:

* `SeasonTables`: pandas frames of the humans' per-round rows (orphan rounds left out:
  their values are cumulative), aimed-weapon sums, awards, VS lines, counted maps.
* `map_games`: one `MapGame` per counted stopwatch map (the unit ratings, lineups and
  careers share).

Bots: `player_round_stats.is_bot` (the stats parser's flag: OMNIBOT GUIDs and `[BOT]`
names). A GUID ever seen as a bot is a bot everywhere, including awards and VS lines.
Time basis of a round: the Lua round start/end when a timing file is linked, else the
stats file's local time stamp (written seconds after the round end) minus the measured
duration. `as_of` keeps the nights whose session date is on or before it.
"""
import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.engine import Connection, Engine

from et_pipeline.config import Rules
from et_pipeline.domain.player_stats import NON_AIMED_WEAPONS
from et_pipeline.domain.scoring import attack_time, attackers_succeeded
from et_pipeline.domain.timing import best_duration, is_surrender
from et_pipeline.season.model import HOLD, OBJECTIVE, SURRENDER, UNKNOWN, MapGame, MapRound
from et_pipeline.steps.scores import round_facts
from et_pipeline.storage import schema as t

PLAYER_COLUMNS = ("round_key", "player_key", "guid", "name", "side", "kills", "deaths", "damage_given",
                  "damage_received", "gibs", "revives_given", "times_revived", "headshot_kills",
                  "time_played_seconds", "team_kills", "self_kills")


@dataclass
class SeasonTables:
    """The season's inputs up to `as_of` (None: every night), humans only."""
    as_of: str | None
    dates: list[str]                 # session dates with at least one session, sorted
    rounds: pd.DataFrame             # round_key, session_date, session_id, file, map, round_number, ...
    players: pd.DataFrame            # one row per (round, human), PLAYER_COLUMNS + round context + aimed sums
    maps: pd.DataFrame               # counted map_results rows (+ r1_file, start/end unix)
    open_maps: pd.DataFrame          # maps whose round 2 is not there yet (map_results, r2_key NULL), same columns
    teams: pd.DataFrame              # session_teams rows of humans (team A|B and its name as the night named it)
    awards: pd.DataFrame             # session_date, map, award, guid (humans), times won
    vs: pd.DataFrame                 # VS lines: subject_guid, opponent_guid, kills, deaths, round context
    bots: frozenset                  # GUIDs ever flagged as bots
    bot_rows: pd.DataFrame           # guid, name, session_date, start_unix of every bot round row (flagged only)
    gone_from_server: list[str] = ()  # nights (of `dates`) whose files the server no longer lists: archived only


def _date_filter(table, as_of: str | None, dates=None):
    out = [table.c.session_date <= as_of] if as_of else []
    return out + ([table.c.session_date.in_(sorted(dates))] if dates is not None else [])


def _frame(conn: Connection, query) -> pd.DataFrame:
    """A query's rows as a DataFrame, built column-wise from the driver's plain tuples.

    The season reads every night at once (a million values over 1,000 nights): per-row
    Result objects, and pandas inspecting them one by one, cost more than the query. The
    statement is rendered with its literal values (dates, weapon names: no user text)."""
    sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    names = [c.key for c in query.selected_columns]
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    if not rows:
        return pd.DataFrame({n: [] for n in names})
    return pd.DataFrame(dict(zip(names, (list(c) for c in zip(*rows)))))


def _local_unix(local_iso: str, tz: ZoneInfo) -> float:
    return dt.datetime.fromisoformat(local_iso).replace(tzinfo=tz).timestamp()


def load_tables(engine_or_conn, as_of: str | None = None, rules: Rules = Rules(), dates=None,
                known_bots=frozenset()) -> SeasonTables:
    """The nights up to `as_of` (every night when None), or only the session dates in
    `dates` (the night digest reads its week, a map card its night). `known_bots`: GUIDs
    flagged as bots on nights not read (a map card reading its night only)."""
    if isinstance(engine_or_conn, Engine):
        with engine_or_conn.connect() as conn:
            return load_tables(conn, as_of, rules, dates, known_bots)
    conn: Connection = engine_or_conn

    def dated(table) -> list:
        return _date_filter(table, as_of, dates)

    tz = rules.tz
    r, p, w = t.rounds, t.player_round_stats, t.weapon_round_stats
    rounds = _frame(conn, select(r.c.round_key, r.c.session_date, r.c.session_id, r.c.file, r.c.map,
                                 r.c.round_number, r.c.local_time, r.c.orphan, r.c.defender, r.c.winner,
                                 r.c.time_limit_seconds, r.c.next_time_limit_seconds, r.c.header_playtime_seconds)
                    .where(*dated(r)))
    lua = _frame(conn, select(t.lua_round_teams.c.round_key, t.lua_timings.c.round_start_unix,
                              t.lua_timings.c.round_end_unix, t.lua_timings.c.playtime_seconds,
                              t.lua_timings.c.end_reason, t.lua_timings.c.surrender_team)
                 .join(t.lua_timings, t.lua_timings.c.source == t.lua_round_teams.c.source)
                 .where(t.lua_round_teams.c.round_key.is_not(None), *dated(t.lua_round_teams)))
    lua["lua_linked"] = True
    rounds = rounds.merge(lua, on="round_key", how="left")
    rounds["lua_linked"] = rounds["lua_linked"].eq(True)
    rounds = _round_times(rounds, tz)
    rounds = rounds.sort_values(["start_unix", "round_key"], kind="mergesort").reset_index(drop=True)

    allp = _frame(conn, select(*[p.c[c] for c in PLAYER_COLUMNS], p.c.is_bot).where(*dated(p)))
    bot_rows = allp[allp["is_bot"].astype(bool)]
    bots = frozenset(bot_rows["guid"]) | frozenset(known_bots)
    humans = allp[~allp["is_bot"].astype(bool) & ~allp["guid"].isin(bots) & (allp["guid"] != "")].drop(columns="is_bot")
    aimed = _frame(conn, select(w.c.round_key, w.c.player_key, func.sum(w.c.hits).label("aimed_hits"),
                                func.sum(w.c.shots).label("aimed_shots"),
                                func.sum(w.c.headshots).label("aimed_headshots"))
                   .where(w.c.weapon.not_in(sorted(NON_AIMED_WEAPONS)), *dated(w))
                   .group_by(w.c.round_key, w.c.player_key))
    players = humans.merge(aimed, on=["round_key", "player_key"], how="left")
    for c in ("aimed_hits", "aimed_shots", "aimed_headshots"):
        players[c] = players[c].fillna(0).astype("int64")
    context = rounds[["round_key", "session_date", "session_id", "map", "round_number", "orphan", "start_unix",
                      "duration"]]
    players = players.merge(context, on="round_key", how="inner")
    players = players[~players["orphan"].astype(bool)].drop(columns="orphan")
    bot_rows = bot_rows[["round_key", "guid", "name"]].merge(context[["round_key", "session_date", "start_unix"]],
                                                             on="round_key", how="inner")
    players = players.sort_values(["start_unix", "round_key", "guid"], kind="mergesort").reset_index(drop=True)

    m = t.map_results
    plays = _frame(conn, select(m.c.session_date, m.c.session_id, m.c.play_index, m.c.map, m.c.r1_key, m.c.r2_key,
                                m.c.winner, m.c.time_a, m.c.time_b, m.c.r1_defender_side, m.c.a_r1_side,
                                m.c.counted)
                   .where(((m.c.counted.is_(True)) & m.c.r2_key.is_not(None)) | m.c.r2_key.is_(None),
                          *dated(m)))
    ends = rounds.set_index("round_key")
    counted = plays["r2_key"].notna() & plays["counted"].astype(bool)
    maps = plays[counted & plays["r1_key"].isin(ends.index) & plays["r2_key"].isin(ends.index)].copy()
    open_maps = plays[~counted & plays["r1_key"].isin(ends.index)].copy()
    for frame in (maps, open_maps):
        frame["r1_file"] = frame["r1_key"].map(ends["file"])
        frame["start_unix"] = frame["r1_key"].map(ends["start_unix"])
    maps["end_unix"] = maps["r2_key"].map(ends["end_unix"])
    open_maps["end_unix"] = float("inf")                     # still being played
    maps, open_maps = (f.drop(columns="counted").sort_values(["start_unix", "session_id", "play_index"], kind="mergesort")
                       .reset_index(drop=True) for f in (maps, open_maps))

    teams = _frame(conn, select(t.session_teams.c.session_id, t.session_teams.c.team, t.session_teams.c.team_name,
                                t.session_teams.c.player_key, t.session_teams.c.guid)
                   .where(*dated(t.session_teams)))
    teams = teams[~teams["guid"].isin(bots)].reset_index(drop=True)

    a = t.awards
    awards = _frame(conn, select(a.c.session_date, a.c.map, a.c.award, a.c.guid, func.count().label("times"))
                    .where(a.c.guid.is_not(None), *dated(a))
                    .group_by(a.c.session_date, a.c.map, a.c.award, a.c.guid))
    awards = awards[~awards["guid"].isin(bots)].reset_index(drop=True)

    vs = _vs_lines(conn, dated(t.vs_stats), humans, bots)
    dates = sorted(set(rounds["session_date"]))
    return SeasonTables(as_of=as_of, dates=dates, rounds=rounds, players=players, maps=maps, open_maps=open_maps,
                        teams=teams, awards=awards, vs=vs, bots=bots, bot_rows=bot_rows,
                        gone_from_server=[d for d in _gone_from_server(conn, as_of) if d in set(dates)])


def _gone_from_server(conn: Connection, as_of: str | None) -> list[str]:
    """Nights none of whose registered files the server lists any more (storage.registry
    keeps them archived): what the season shows of them is the archived copy."""
    f = t.server_files
    listed = func.sum(case((f.c.on_server.is_(True), 1), else_=0))
    q = (select(f.c.session_date).where(f.c.session_date.is_not(None), *_date_filter(f, as_of))
         .group_by(f.c.session_date).having(listed == 0).order_by(f.c.session_date))
    return list(conn.execute(q).scalars())


def _round_times(rounds: pd.DataFrame, tz: ZoneInfo) -> pd.DataFrame:
    """start_unix / end_unix / duration per round (see the module docstring)."""
    starts, ends, durations = [], [], []
    cols = ("end_reason", "surrender_team", "playtime_seconds", "header_playtime_seconds", "next_time_limit_seconds",
            "time_limit_seconds", "round_end_unix", "round_start_unix", "local_time")
    for reason, team, lua_s, head_s, clock, limit, end, start, local in zip(*(rounds[c].tolist() for c in cols)):
        surrender = is_surrender(value_or_none(reason), value_or_none(team))
        duration = best_duration(value_or_none(lua_s), value_or_none(head_s), value_or_none(clock),
                                 value_or_none(limit), surrender)
        end = value_or_none(end)
        end = float(end) if end is not None else _local_unix(local, tz)
        start = value_or_none(start)
        start = float(start) if start is not None else end - (duration or 0.0)
        starts.append(start)
        ends.append(end)
        durations.append(duration)
    return rounds.assign(start_unix=starts, end_unix=ends, duration=durations)


def value_or_none(v):
    """A SQL NULL as pandas holds it (None, NaN, NA) back to None; other values as they are."""
    return None if v is None or (isinstance(v, float) and v != v) or v is pd.NA else v


def _vs_lines(conn: Connection, where_dated: list, humans: pd.DataFrame, bots: frozenset) -> pd.DataFrame:
    """VS lines with a known subject (VS_HEADER files), the opponent's name resolved to a
    GUID among the round's players by endstats' name cleaning (ambiguous names dropped)."""
    from et_pipeline.parsers.text import endstats_clean

    v = t.vs_stats
    cols = ["session_date", "round_key", "subject_guid", "opponent_guid", "kills", "deaths"]
    rows = _frame(conn, select(v.c.session_date, v.c.round_key, v.c.subject_guid, v.c.opponent, v.c.kills,
                               v.c.deaths)
                  .where(v.c.subject_guid.is_not(None), v.c.subject_guid != "", v.c.round_key.is_not(None),
                         *where_dated))
    if rows.empty:
        return pd.DataFrame({c: [] for c in cols})
    clean = {n: endstats_clean(n) for n in set(humans["name"].tolist())}
    names = humans[["round_key", "guid", "name"]].drop_duplicates()
    names = names.assign(opponent=names["name"].map(clean)).drop(columns="name").drop_duplicates()
    unique = names.groupby(["round_key", "opponent"])["guid"].transform("size") == 1
    names = names[unique].rename(columns={"guid": "opponent_guid"})
    rows["subject_guid"] = rows["subject_guid"].str.slice(0, 8).str.upper()
    out = rows.merge(names, on=["round_key", "opponent"], how="inner")
    out = out[~out["subject_guid"].isin(bots) & (out["opponent_guid"] != out["subject_guid"])]
    out = out.astype({"kills": "int64", "deaths": "int64"})
    return out[cols].sort_values(["session_date", "round_key", "subject_guid", "opponent_guid"],
                                 kind="mergesort").reset_index(drop=True)


def _round_outcome(r: dict) -> tuple[str, float | None]:
    """How a round's attack ended, by the scoring's own rules (domain.scoring), and its time."""
    lua = {k: value_or_none(r[k]) for k in ("playtime_seconds", "end_reason", "surrender_team")}
    lua = lua if r["lua_linked"] else None
    if lua is not None and is_surrender(lua["end_reason"], lua["surrender_team"]):
        return SURRENDER, None
    facts = round_facts({k: value_or_none(v) for k, v in r.items()}, lua, ())
    succeeded = attackers_succeeded(facts)
    seconds, _ = attack_time(facts)
    if succeeded is True and seconds:
        return OBJECTIVE, float(seconds)
    return (HOLD, None) if succeeded is False else (UNKNOWN, None)


def map_games(tables: SeasonTables) -> list[MapGame]:
    """One `MapGame` per counted map, sorted by (start_unix, key).

    Share of the map played: the player's time played in R1 + R2 over the two rounds'
    lengths (the longest time played by anyone in each round), capped at 1; the rounds
    carry each player's share of that round (his time played over its length) and how
    its attack ended (`_round_outcome`)."""
    p = tables.players
    col = lambda frame, name: frame[name].tolist()
    team_of = dict(zip(zip(col(tables.teams, "session_id"), col(tables.teams, "guid")), col(tables.teams, "team")))
    by_round: dict[str, list] = {}
    for key, guid, tp, k, d in zip(col(p, "round_key"), col(p, "guid"), col(p, "time_played_seconds"), col(p, "kills"),
                                   col(p, "deaths")):
        by_round.setdefault(key, []).append((guid, float(tp), int(k), int(d)))
    facts = {r["round_key"]: r for r in tables.rounds.to_dict("records")}
    m = tables.maps
    games = []
    for session_date, session_id, name, r1_key, r2_key, r1_file, winner, start, end, a_r1, r1_def in zip(*(
            col(m, c) for c in ("session_date", "session_id", "map", "r1_key", "r2_key", "r1_file", "winner",
                                "start_unix", "end_unix", "a_r1_side", "r1_defender_side"))):
        parts = [by_round[k] for k in (r1_key, r2_key) if k in by_round]
        if not parts:
            continue
        total = sum(max(tp for _, tp, _, _ in rows) for rows in parts)
        played: dict[str, list] = {}
        for rows in parts:
            for guid, tp, k, d in rows:
                acc = played.setdefault(guid, [0.0, 0, 0])
                acc[0] += tp
                acc[1] += k
                acc[2] += d
        sides = {"A": [], "B": []}
        for guid, (tp, _, _) in played.items():
            team = team_of.get((session_id, guid))
            if team in sides:
                share = min(1.0, tp / total) if total > 0 else 1.0
                sides[team].append((guid, round(share, 4)))
        if not sides["A"] or not sides["B"]:
            continue
        rounds = ()
        if value_or_none(a_r1) in (1, 2) and r1_key in facts and r2_key in facts:
            first = "B" if value_or_none(r1_def) == a_r1 else "A"
            limit = value_or_none(facts[r1_key]["time_limit_seconds"])
            rounds = tuple(_map_round(n, att, by_round.get(k, []), facts[k], limit, team_of, session_id)
                           for n, att, k in ((1, first, r1_key), (2, "B" if first == "A" else "A", r2_key)))
        games.append(MapGame(
            key="%s:%s" % (session_id, r1_file), date=session_date, session_id=session_id, map=name,
            start_unix=float(start), end_unix=float(end),
            team_a=tuple(sorted(sides["A"])), team_b=tuple(sorted(sides["B"])), winner=winner,
            kd=tuple(sorted((g, v[1], v[2]) for g, v in played.items() if team_of.get((session_id, g)) in sides)),
            rounds=rounds))
    games.sort(key=lambda g: (g.start_unix, g.key))
    return games


def _map_round(number: int, attackers: str, rows: list, facts: dict, map_limit, team_of: dict,
               session_id: str) -> MapRound:
    length = max((tp for _, tp, _, _ in rows), default=0.0)
    presence: dict[str, dict[str, float]] = {"A": {}, "B": {}}
    for guid, tp, _, _ in rows:
        team = team_of.get((session_id, guid))
        if team in presence:
            presence[team][guid] = presence[team].get(guid, 0.0) + (tp / length if length > 0 else 1.0)
    outcome, seconds = _round_outcome(facts)
    clock = value_or_none(facts["time_limit_seconds"])
    return MapRound(number=number, attackers=attackers,
                    team_a=tuple(sorted((g, round(min(1.0, s), 4)) for g, s in presence["A"].items())),
                    team_b=tuple(sorted((g, round(min(1.0, s), 4)) for g, s in presence["B"].items())),
                    outcome=outcome, seconds=seconds, limit_seconds=float(clock) if clock else None,
                    map_limit_seconds=float(map_limit) if map_limit else None)


def load_map_games(engine, as_of: str | None = None, rules: Rules = Rules()) -> list[MapGame]:
    """The counted stopwatch maps up to `as_of`, sorted by (start_unix, key)."""
    return map_games(load_tables(engine, as_of, rules))
