"""Software-defined assets, one per table family, all partitioned by session date.

Each asset reads its inputs from the app database, calls a pure step function
(et_pipeline.steps) and replaces its own tables' rows for the partitions of the run in
one transaction. Every asset loops over `context.partition_keys` and declares a
multi-run backfill policy with a cap (partitions.max_partitions_per_run), so a backfill
or `et-pipeline run` over many dates is a few bounded runs, not one per date and not
one holding every date in memory.
"""
import hashlib
import os
from collections import Counter

import dagster as dg
from sqlalchemy import select

from et_pipeline.defs.partitions import max_partitions_per_run, session_dates
from et_pipeline.defs.resources import DatabaseResource, DiscordWebhook, RulesResource, StatsSourceResource
from et_pipeline.parsers.filenames import ENDSTATS, GAMETIME, STATS, TIMING, classify
from et_pipeline.steps.awards import build_awards
from et_pipeline.steps.links import build_lua_round_teams, round_slots
from et_pipeline.steps.plan import make_plan
from et_pipeline.steps.rounds import build_rounds
from et_pipeline.steps.scores import build_map_results, build_session_results
from et_pipeline.steps.teams import build_session_teams
from et_pipeline.steps.timing_comparison import build_timing_comparison
from et_pipeline.steps.timings import build_timings
from et_pipeline.storage import schema as t
from et_pipeline.storage.database import replace_partition, select_partition

COMMON = dict(partitions_def=session_dates,
              backfill_policy=dg.BackfillPolicy.multi_run(max_partitions_per_run=max_partitions_per_run()))
# Discord down or slow for a moment: try the step again before the run fails (issue 12 5.1)
PUBLISH_RETRY = dg.RetryPolicy(max_retries=2, delay=2, backoff=dg.Backoff.EXPONENTIAL)


def _md_table(rows: list[dict], cols: list[str], limit: int = 20) -> str:
    if not rows:
        return "_no rows_"
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(str(r.get(c, "")) for c in cols) + " |" for r in rows[:limit]]
    if len(rows) > limit:
        lines.append("\n_%d more rows_" % (len(rows) - limit))
    return "\n".join(lines)


def _raw_files(conn, dates, kinds) -> dict[str, list[tuple[str, object, bytes]]]:
    """date -> [(path, FileName, bytes)] of the partitions' stored files of these kinds."""
    q = (select(t.raw_files.c.session_date, t.raw_files.c.path, t.server_files.c.name, t.raw_files.c.content)
         .join(t.server_files, t.server_files.c.path == t.raw_files.c.path)
         .where(t.raw_files.c.session_date.in_(dates), t.server_files.c.kind.in_(kinds)))
    out: dict[str, list] = {d: [] for d in dates}
    for date, path, name, content in conn.execute(q):
        out[date].append((path, classify(name), bytes(content)))
    return out


def _record_outcomes(conn, outcomes) -> Counter:
    for o in outcomes:
        conn.execute(t.server_files.update().where(t.server_files.c.path == o.path)
                     .values(status=o.status, error=o.error, round_key=o.round_key))
    return Counter(o.status for o in outcomes)


def _linked_lua(conn, dates) -> dict[str, dict]:
    """round key -> its linked Lua timing row."""
    q = (select(t.lua_round_teams.c.round_key, t.lua_timings)
         .join(t.lua_timings, t.lua_timings.c.source == t.lua_round_teams.c.source)
         .where(t.lua_round_teams.c.session_date.in_(dates), t.lua_round_teams.c.round_key.is_not(None)))
    return {r["round_key"]: dict(r) for r in conn.execute(q).mappings()}


@dg.asset(**COMMON, group_name="ingest", code_version="1", kinds={"sftp", "sqlite"},
          description="Every file the game server wrote for the session date: registry row "
                      "(name, kind, size, mtime, sha256, status) and raw bytes.")
def server_files(context: dg.AssetExecutionContext, source: StatsSourceResource, database: DatabaseResource,
                 rules: RulesResource) -> dg.MaterializeResult:
    src = source.get_source()
    plan = make_plan(src.list_files(), rules.rules())
    dates = list(context.partition_keys)
    wanted = [p for d in dates for p in plan.by_date.get(d, [])]
    contents = dict((f.path, data) for f, data in src.read_many([p.file for p in wanted]))
    date_of = {p.file.path: d for d in dates for p in plan.by_date.get(d, [])}
    files, raws, seen_sha = [], [], {}
    for p in sorted(wanted, key=lambda p: p.file.path):
        row = dict(path=p.file.path, session_date=date_of[p.file.path], folder=p.file.folder, name=p.file.name,
                   kind=p.name.kind, size=p.file.size, mtime=p.file.mtime, sha256=None, status="registered",
                   error=None, round_key=None)
        data = contents.get(p.file.path)
        if isinstance(data, OSError) or data is None:
            row.update(status="read_error", error="could not read: %s" % data)
        else:
            sha = hashlib.sha256(data).hexdigest()
            row.update(sha256=sha, size=len(data))
            if sha in seen_sha:
                row.update(status="duplicate", error="same content as %s" % seen_sha[sha])
            else:
                seen_sha[sha] = p.file.name
                raws.append(dict(path=p.file.path, session_date=row["session_date"], sha256=sha, content=data))
        files.append(row)
    unassigned = [dict(path=p.file.path, session_date=None, folder=p.file.folder, name=p.file.name,
                       kind=p.name.kind if p.name else None, size=p.file.size, mtime=p.file.mtime, sha256=None,
                       status="quarantined" if p.error else "unassigned",
                       error=p.error or "no round of any session within the link window")
                  for p in plan.unassigned]
    states = [dict(session_date=d, fingerprint=plan.fingerprint(d), file_count=len(plan.by_date.get(d, [])),
                   completed=False) for d in dates]
    engine = database.get_engine()
    with engine.begin() as conn:
        paths = [r["path"] for r in files + unassigned]
        for chunk in range(0, len(paths), 500):
            part = paths[chunk:chunk + 500]
            conn.execute(t.server_files.delete().where(t.server_files.c.path.in_(part)))
            conn.execute(t.raw_files.delete().where(t.raw_files.c.path.in_(part)))
        conn.execute(t.server_files.delete().where(t.server_files.c.session_date.is_(None)))
        replace_partition(conn, t.server_files, dates, files)
        if unassigned:
            conn.execute(t.server_files.insert(), unassigned)
        replace_partition(conn, t.raw_files, dates, raws)
        replace_partition(conn, t.partition_state, dates, states)
    status = Counter(r["status"] for r in files)
    return dg.MaterializeResult(metadata={
        "files": len(files), "by_status": dict(status), "unassigned_or_misnamed": len(unassigned),
        "ignored_unrelated": len(plan.ignored), "source": src.describe(),
        "preview": dg.MetadataValue.md(_md_table(files, ["name", "kind", "size", "status", "error"])),
    })


@dg.asset(**COMMON, deps=[server_files], group_name="parse", code_version="1",
          description="Parsed stats files: sessions, rounds (R1/R2 pairing, match_id, orphans) and per-player, "
                      "per-weapon rows; round 2 holds this round only (differential).")
def rounds(context: dg.AssetExecutionContext, database: DatabaseResource, rules: RulesResource) -> dg.MaterializeResult:
    dates = list(context.partition_keys)
    engine = database.get_engine()
    totals = Counter()
    with engine.begin() as conn:
        by_date = _raw_files(conn, dates, [STATS])
        results = [build_rounds(by_date[d], d, rules.rules()) for d in dates]
        for table, attr in ((t.sessions, "sessions"), (t.rounds, "rounds"), (t.player_round_stats, "players"),
                            (t.weapon_round_stats, "weapons")):
            totals[attr] = replace_partition(conn, table, dates, [row for r in results for row in getattr(r, attr)])
        status = _record_outcomes(conn, [o for r in results for o in r.outcomes])
    all_rounds = [row for r in results for row in r.rounds]
    return dg.MaterializeResult(metadata={
        **{k: int(v) for k, v in totals.items()}, "files": dict(status),
        "orphans": sum(r["orphan"] for r in all_rounds),
        "preview": dg.MetadataValue.md(_md_table(all_rounds, ["file", "round_number", "pairing", "match_id",
                                                               "winner", "defender", "time_limit"])),
    })


@dg.asset(**COMMON, deps=[server_files], group_name="parse", code_version="1",
          description="Lua timing rows (upstream gametime JSON v1.6.0/v1.7.2 and our own timing files): "
                      "measured playtime, pauses, winner, end reason, per-side rosters.")
def lua_timings(context: dg.AssetExecutionContext, database: DatabaseResource, rules: RulesResource) -> dg.MaterializeResult:
    dates = list(context.partition_keys)
    with database.get_engine().begin() as conn:
        by_date = _raw_files(conn, dates, [GAMETIME, TIMING])
        rows, outcomes = [], []
        for d in dates:
            r, o = build_timings(by_date[d], d, rules.rules())
            rows += r
            outcomes += o
        n = replace_partition(conn, t.lua_timings, dates, rows)
        status = _record_outcomes(conn, outcomes)
    return dg.MaterializeResult(metadata={"rows": n, "files": dict(status), "preview": dg.MetadataValue.md(
        _md_table(rows, ["source", "map", "round_number", "playtime_seconds", "pause_count", "winner", "end_reason"]))})


@dg.asset(**COMMON, deps=[server_files, rounds], group_name="parse", code_version="1",
          description="Endstats awards and VS lines, linked to their round (narrow +-30 s match first, then the "
                      "window), winners resolved to GUIDs.")
def endstats_awards(context: dg.AssetExecutionContext, database: DatabaseResource, rules: RulesResource) -> dg.MaterializeResult:
    dates = list(context.partition_keys)
    with database.get_engine().begin() as conn:
        by_date = _raw_files(conn, dates, [ENDSTATS])
        round_rows = select_partition(conn, t.rounds, dates)
        players = {}
        for key, guid, name in conn.execute(select(t.player_round_stats.c.round_key, t.player_round_stats.c.guid,
                                                   t.player_round_stats.c.name)
                                            .where(t.player_round_stats.c.session_date.in_(dates))):
            players.setdefault(key, []).append((guid, name))
        rounds_by_date: dict[str, list[dict]] = {d: [] for d in dates}
        for r in round_rows:
            rounds_by_date[r["session_date"]].append(r)
        awards, vs, outcomes = [], [], []
        for d in dates:
            a, v, o = build_awards(by_date[d], round_slots(rounds_by_date[d]), players, d, rules.rules())
            awards += a
            vs += v
            outcomes += o
        n = replace_partition(conn, t.awards, dates, awards)
        replace_partition(conn, t.vs_stats, dates, vs)
        status = _record_outcomes(conn, outcomes)
    unlinked = sorted({a["source"] for a in awards if a["round_key"] is None})
    return dg.MaterializeResult(metadata={"awards": n, "vs_lines": len(vs), "files": dict(status),
                                          "unlinked_files": ", ".join(unlinked) or "none"})


@dg.asset(**COMMON, deps=[lua_timings, rounds], group_name="link", code_version="1",
          description="Each Lua timing row linked to its round: exact key first (map, round, stats file 0-10 s "
                      "after the Lua round end), then the nearest in the window; ties deferred, never guessed.")
def lua_round_teams(context: dg.AssetExecutionContext, database: DatabaseResource, rules: RulesResource) -> dg.MaterializeResult:
    dates = list(context.partition_keys)
    with database.get_engine().begin() as conn:
        rows = build_lua_round_teams(select_partition(conn, t.lua_timings, dates),
                                     select_partition(conn, t.rounds, dates), rules.rules().link_window_minutes)
        n = replace_partition(conn, t.lua_round_teams, dates, rows)
    return dg.MaterializeResult(metadata={"rows": n, "by_status": dict(Counter(r["link_status"] for r in rows)),
                                          "preview": dg.MetadataValue.md(_md_table(rows, ["source", "round_key", "link_status", "delta_seconds"]))})


@dg.asset(**COMMON, deps=[rounds], group_name="teams", code_version="1",
          description="Persistent Team A / Team B per session, seeded from the earliest valid R1's side split; "
                      "late joiners by the side they play on; bots and spectators never members.")
def session_teams(context: dg.AssetExecutionContext, database: DatabaseResource, rules: RulesResource) -> dg.MaterializeResult:
    dates = list(context.partition_keys)
    with database.get_engine().begin() as conn:
        rows = build_session_teams(select_partition(conn, t.rounds, dates),
                                   select_partition(conn, t.player_round_stats, dates), rules.rules().team_names)
        n = replace_partition(conn, t.session_teams, dates, rows)
    return dg.MaterializeResult(metadata={"members": n, "preview": dg.MetadataValue.md(
        _md_table(rows, ["session_id", "team", "team_name", "name", "guid", "joined_round"], 40))})


@dg.asset(**COMMON, deps=[rounds, lua_round_teams, session_teams], group_name="score", code_version="1",
          description="Stopwatch map winners (R2 header winner through Team A's R2 side, then fallbacks); "
                      "maps not counted say why in `note`.")
def map_results(context: dg.AssetExecutionContext, database: DatabaseResource, rules: RulesResource) -> dg.MaterializeResult:
    dates = list(context.partition_keys)
    with database.get_engine().begin() as conn:
        rows = build_map_results(select_partition(conn, t.rounds, dates),
                                 select_partition(conn, t.player_round_stats, dates), _linked_lua(conn, dates),
                                 select_partition(conn, t.session_teams, dates), rules.rules().double_fullhold)
        n = replace_partition(conn, t.map_results, dates, rows)
    return dg.MaterializeResult(metadata={"maps": n, "counted": sum(r["counted"] for r in rows),
                                          "preview": dg.MetadataValue.md(_md_table(rows, ["map", "winner", "counted", "scoring_source", "time_a", "time_b", "note"]))})


@dg.asset(**COMMON, deps=[map_results], group_name="score", code_version="1",
          description="The night's score per session: maps won per team (1 point a map, a tie 0-0).")
def session_results(context: dg.AssetExecutionContext, database: DatabaseResource) -> dg.MaterializeResult:
    dates = list(context.partition_keys)
    with database.get_engine().begin() as conn:
        rows = build_session_results(select_partition(conn, t.sessions, dates),
                                     select_partition(conn, t.map_results, dates),
                                     select_partition(conn, t.session_teams, dates))
        n = replace_partition(conn, t.session_results, dates, rows)
    return dg.MaterializeResult(metadata={"sessions": n, "preview": dg.MetadataValue.md(
        _md_table(rows, ["session_id", "team_a_name", "score_a", "score_b", "team_b_name", "winner", "maps_counted", "maps_total"]))})


@dg.asset(**COMMON, deps=[rounds, lua_round_teams], group_name="timing", code_version="1",
          description="Stats-file duration against Lua playtime per round: ALIGNED, MINOR_DIFF, DISCREPANCY or "
                      "NO_LUA_DATA with its likely cause.")
def timing_comparison(context: dg.AssetExecutionContext, database: DatabaseResource) -> dg.MaterializeResult:
    dates = list(context.partition_keys)
    with database.get_engine().begin() as conn:
        rows = build_timing_comparison(select_partition(conn, t.rounds, dates), _linked_lua(conn, dates),
                                       select_partition(conn, t.lua_timings, dates),
                                       select_partition(conn, t.lua_round_teams, dates))
        n = replace_partition(conn, t.timing_comparison, dates, rows)
    return dg.MaterializeResult(metadata={"rounds": n, "by_status": dict(Counter(r["status"] for r in rows)),
                                          "preview": dg.MetadataValue.md(_md_table(rows, ["round_key", "stats_seconds", "lua_seconds", "status", "cause"]))})


@dg.asset(**COMMON, deps=[session_results, timing_comparison, endstats_awards], group_name="publish",
          code_version="1", kinds={"discord"}, retry_policy=PUBLISH_RETRY,
          description="The night in Discord: round, map and session embeds with PNG graphs. Posted once, "
                      "edited when the content changes (discord_posts table); dry-run writes them under out/.")
def discord_posts(context: dg.AssetExecutionContext, database: DatabaseResource,
                  discord: DiscordWebhook) -> dg.MaterializeResult:
    from et_pipeline.report import build_sessions

    dates = list(context.partition_keys)
    engine = database.get_engine()
    sessions = []
    if discord.mode != "off":
        with engine.connect() as conn:
            sessions = build_sessions(conn, dates)
    totals, failures = Counter(), []
    from et_pipeline.publish.graph_cache import GraphCache, publish_through_cache

    cache = GraphCache(os.path.join(discord.out_dir, ".graph-cache"))   # draws only what changed (issue 15)
    if discord.mode != "live":       # live: the new round goes out before its graphs are drawn
        try:
            cache.prepare(s for s in sessions if s.get("players"))
        except Exception as e:  # drawn again per session below, where a failure is reported with its session
            context.log.warning("drawing graphs in parallel failed: %s", e)
    for s in sessions:
        try:
            summaries = publish_through_cache(s, cache, mode=discord.mode, engine=engine, client=discord.client(),
                                              out_dir=discord.out_dir)
        except Exception as e:  # one session failing must not stop the others; reported below
            failures.append("%s: %s" % (s["session_id"], e))
            context.log.error("publishing session %s failed: %s", s["session_id"], e)
            continue
        totals.update({k: v for k, v in vars(summaries[-1]).items() if isinstance(v, int)})
        for early in summaries[:-1]:   # the new round sent before the graphs were redrawn
            totals.update({k: getattr(early, k) for k in ("posted", "edited") if isinstance(getattr(early, k, None), int)})
    if failures:
        raise dg.Failure("publishing failed for %d session(s): %s" % (len(failures), "; ".join(failures)))
    with engine.begin() as conn:
        conn.execute(t.partition_state.update().where(t.partition_state.c.session_date.in_(dates))
                     .values(completed=True))
    return dg.MaterializeResult(metadata={"mode": discord.mode, "sessions": len(sessions), **dict(totals),
                                          "graphs_drawn": cache.drawn, "graphs_cached": cache.hits})


ALL_ASSETS = [server_files, rounds, lua_timings, endstats_awards, lua_round_teams, session_teams, map_results,
              session_results, timing_comparison, discord_posts]
