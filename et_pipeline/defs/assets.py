"""Software-defined assets, one per table family, all partitioned by session date.

Each asset reads its inputs from the app database, calls a pure step function
(et_pipeline.steps) and replaces its own tables' rows for the partitions of the run in
one transaction. Every asset loops over `context.partition_keys` and declares a
multi-run backfill policy with a cap (partitions.max_partitions_per_run), so a backfill
or `et-pipeline run` over many dates is a few bounded runs, not one per date and not
one holding every date in memory.
"""
import functools
import os
import warnings
from collections import Counter

import dagster as dg
from sqlalchemy import func, select

from et_pipeline.defs import catalog
from et_pipeline.defs import metadata as md
from et_pipeline.defs.game_server import GAME_SERVER
from et_pipeline.defs.partitions import max_partitions_per_run, session_dates
from et_pipeline.defs.resources import DatabaseResource, DiscordWebhook, RulesResource, StatsSourceResource
from et_pipeline.parsers.errors import ParseError
from et_pipeline.parsers.filenames import ENDSTATS, GAMETIME, STATS, TIMING, classify
from et_pipeline.parsers.text import printable
from et_pipeline.publish.outbox import publish_problems
from et_pipeline.sources.base import RefusedFile
from et_pipeline.steps.awards import build_awards
from et_pipeline.steps.ingest import build_ingest, to_read
from et_pipeline.steps.links import build_lua_round_teams, round_slots
from et_pipeline.steps.night_checks import build_night_checks
from et_pipeline.steps.plan import make_plan
from et_pipeline.steps.rounds import PLAYER_COLUMNS, WEAPON_COLUMNS, build_rounds
from et_pipeline.steps.scores import build_map_results, build_session_results
from et_pipeline.steps.teams import build_session_teams
from et_pipeline.steps.timing_comparison import build_timing_comparison
from et_pipeline.steps.timings import build_timings
from et_pipeline.storage import schema as t
from et_pipeline.storage.database import replace_partition, select_partition
from et_pipeline.storage.locks import date_lock
from et_pipeline.storage.registry import (SourceMismatch, archive_partitions, archived_stats_names, claim_source,
                                         sync_registry)
from et_pipeline.storage.season_state import mark_nights_changed

# The backfill policy (ranged runs of at most ET_PARTITIONS_PER_RUN dates) is what keeps
# backfills cheap and bounded; Dagster labels the parameter beta (dagster is pinned, so a
# patch release cannot change it under us). This one warning is silenced, no other.
warnings.filterwarnings("ignore", category=dg.BetaWarning, message="Parameter `backfill_policy` of function")
COMMON = dict(partitions_def=session_dates,
              backfill_policy=dg.BackfillPolicy.multi_run(max_partitions_per_run=max_partitions_per_run()))
# Discord down or slow for a moment: try the step again before the run fails (issue 12 5.1)
PUBLISH_RETRY = dg.RetryPolicy(max_retries=2, delay=2, backoff=dg.Backoff.EXPONENTIAL)




def one_writer_per_date(fn):
    """Runs the asset's body under storage.locks.date_lock for the run's dates: a second
    run of a date (the sensor, a backfill, `et-pipeline run`) waits for this step, then
    replaces what it wrote, instead of both inserting the date's rows at once."""
    @functools.wraps(fn)
    def serialised(context, **kwargs):
        with date_lock(kwargs["database"].get_engine(), list(context.partition_keys)):
            return fn(context, **kwargs)
    return serialised


def _raw_files(conn, dates, kinds) -> dict[str, list[tuple[str, object, bytes]]]:
    """date -> [(path, FileName, bytes)] of the partitions' stored files of these kinds."""
    q = (select(t.raw_files.c.session_date, t.raw_files.c.path, t.server_files.c.name, t.raw_files.c.content)
         .join(t.server_files, t.server_files.c.path == t.raw_files.c.path)
         .where(t.raw_files.c.session_date.in_(dates), t.server_files.c.kind.in_(kinds)))
    out: dict[str, list] = {d: [] for d in dates}
    for date, path, name, content in conn.execute(q):
        try:
            parsed = classify(name)
        except ParseError:     # archived by an earlier version under a name now refused (`round-01`)
            continue
        out[date].append((path, parsed, bytes(content)))
    return out


def _read_all(src, files) -> dict:
    """path -> bytes, or the error that stopped the read (a failed connect fails them all)."""
    out: dict = {}
    try:
        for f, data in src.read_many(files):
            out[f.path] = data
    except OSError as e:
        out.update({f.path: e for f in files if f.path not in out})
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


@dg.asset(**COMMON, deps=[GAME_SERVER], group_name=catalog.INGEST, code_version="22",
          description="Every file the game server wrote for the session date: registry row "
                      "(name, kind, size, mtime, sha256, status) and raw bytes.")
@one_writer_per_date
def server_files(context: dg.AssetExecutionContext, source: StatsSourceResource, database: DatabaseResource,
                 rules: RulesResource) -> dg.MaterializeResult:
    src = source.get_source()
    engine = database.get_engine()
    try:
        with engine.begin() as conn:
            claim_source(conn, src.describe())
    except SourceMismatch as e:
        raise dg.Failure(description=str(e)) from None
    listing, writing = src.list_settled()          # a file still being written is read by the next run
    if writing:
        context.log.info("left for the next run, still being written: %s", ", ".join(sorted(writing)[:5]))
    with engine.connect() as conn:
        archived = archived_stats_names(conn)
    plan = make_plan([f for f in listing if f.path not in writing], rules.rules(), archived)
    dates = list(context.partition_keys)
    wanted = [p.file for p in to_read(plan, dates)]
    contents = _read_all(src, wanted)
    failed = [f for f in wanted if not isinstance(contents.get(f.path), (bytes, RefusedFile))]
    vanished = frozenset()
    if failed:   # one more try over a fresh connection (a dropped link), then give up
        context.log.warning("retrying %d unreadable file(s) over a new connection", len(failed))
        try:   # a file the server removed meanwhile (rotation) is gone, not unreadable
            listed = {f.path for f in src.list_files()}
            vanished = frozenset(f.path for f in failed if f.path not in listed)
        except OSError:
            pass
        contents.update(_read_all(src, [f for f in failed if f.path not in vanished]))
    ingest = build_ingest(plan, dates, contents, vanished)
    if ingest.unreadable:
        # never replace archived bytes or derived rows with a partial read: fail the dates
        # (not marked done), say which files, and leave everything as it was
        raise dg.Failure(description="could not read %d file(s) from %s, nothing was replaced: %s" % (
            len(ingest.unreadable), src.describe(), "; ".join(printable(u) for u in ingest.unreadable[:5])
            + ("; ..." if len(ingest.unreadable) > 5 else "")))
    files = ingest.files
    states = [dict(session_date=d, fingerprint=plan.fingerprint(d), file_count=len(plan.by_date.get(d, [])),
                   completed=False) for d in dates]
    with engine.begin() as conn:
        archive_partitions(conn, dates, plan, ingest, states)
        synced = sync_registry(conn, plan)
    status = Counter(r["status"] for r in files)
    return dg.MaterializeResult(metadata={
        **md.dates(dates), **md.rows(len(files)), "files": md.counts(status),
        "files in no session": synced["unassigned"],
        "archived, gone from the server": synced["gone_from_server"],
        "unrelated files ignored": len(plan.ignored), "source": src.describe(),
        "preview": md.table(files, ["name", "kind", "size", "status", "error"]),
    })


@dg.asset(**COMMON, deps=[server_files], group_name=catalog.PARSE, code_version="18",
          description="Parsed stats files: sessions, rounds (R1/R2 pairing, match_id, orphans) and per-player, "
                      "per-weapon rows; round 2 holds this round only (the differential, or the round-2 line "
                      "itself for a player whose counters started afresh, decided per player).")
@one_writer_per_date
def rounds(context: dg.AssetExecutionContext, database: DatabaseResource, rules: RulesResource) -> dg.MaterializeResult:
    dates = list(context.partition_keys)
    engine = database.get_engine()
    totals = Counter()
    with engine.begin() as conn:
        by_date = _raw_files(conn, dates, [STATS])
        results = [build_rounds(by_date[d], d, rules.rules()) for d in dates]
        for table, attr, columns in ((t.sessions, "sessions", None), (t.rounds, "rounds", None),
                                     (t.player_round_stats, "players", PLAYER_COLUMNS),
                                     (t.weapon_round_stats, "weapons", WEAPON_COLUMNS)):
            totals[attr] = replace_partition(conn, table, dates, [row for r in results for row in getattr(r, attr)],
                                             columns)
        status = _record_outcomes(conn, [o for r in results for o in r.outcomes])
    all_rounds = [row for r in results for row in r.rounds]
    return dg.MaterializeResult(metadata={
        **md.dates(dates), **md.rows(totals["rounds"]), "sessions": int(totals["sessions"]),
        "rounds": int(totals["rounds"]), "player rows": int(totals["players"]), "weapon rows": int(totals["weapons"]),
        "stats files": md.counts(status), "orphans": sum(r["orphan"] for r in all_rounds),
        "preview": md.table(all_rounds, ["file", "round_number", "pairing", "defender", "winner", "time_limit"]),
    })


@dg.asset(**COMMON, deps=[server_files], group_name=catalog.PARSE, code_version="17",
          description="Lua timing rows (upstream gametime JSON v1.6.0/v1.7.2 and our own timing files): "
                      "measured playtime, pauses, winner, end reason, per-side rosters.")
@one_writer_per_date
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
    return dg.MaterializeResult(metadata={**md.dates(dates), **md.rows(n), "timing files": md.counts(status),
                                          "preview": md.table(rows, ["source", "map", "round_number", "playtime_seconds",
                                                                     "pause_count", "winner", "end_reason"])})


@dg.asset(**COMMON, deps=[server_files, rounds], group_name=catalog.PARSE, code_version="17",
          description="Endstats awards and VS lines, linked to their round (a narrow match first, ET_AWARD_NARROW_SECONDS, "
                      "then the window), winners resolved to GUIDs.")
@one_writer_per_date
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
    return dg.MaterializeResult(metadata={**md.dates(dates), **md.rows(n), "awards": n, "vs lines": len(vs),
                                          "award files": md.counts(status),
                                          "files linked to no round": ", ".join(unlinked) or "none"})


@dg.asset(**COMMON, deps=[lua_timings, rounds], group_name=catalog.LINK, code_version="16",
          description="Each Lua timing row linked to its round: exact key first (map, round, stats file 0-10 s "
                      "after the Lua round end), then the nearest in the window; ties deferred, never guessed.")
@one_writer_per_date
def lua_round_teams(context: dg.AssetExecutionContext, database: DatabaseResource, rules: RulesResource) -> dg.MaterializeResult:
    dates = list(context.partition_keys)
    with database.get_engine().begin() as conn:
        rows = build_lua_round_teams(select_partition(conn, t.lua_timings, dates),
                                     select_partition(conn, t.rounds, dates), rules.rules().link_window_minutes)
        n = replace_partition(conn, t.lua_round_teams, dates, rows)
    return dg.MaterializeResult(metadata={**md.dates(dates), **md.rows(n),
                                          "links": md.counts(Counter(r["link_status"] for r in rows)),
                                          "preview": md.table(rows, ["source", "round_key", "link_status", "delta_seconds"])})


@dg.asset(**COMMON, deps=[rounds], group_name=catalog.TEAMS, code_version="14",
          description="Persistent Team A / Team B per session, seeded from the earliest valid R1's side split; "
                      "late joiners by the side they play on; bots and spectators never members.")
@one_writer_per_date
def session_teams(context: dg.AssetExecutionContext, database: DatabaseResource, rules: RulesResource) -> dg.MaterializeResult:
    dates = list(context.partition_keys)
    with database.get_engine().begin() as conn:
        rows = build_session_teams(select_partition(conn, t.rounds, dates),
                                   select_partition(conn, t.player_round_stats, dates), rules.rules().team_names)
        n = replace_partition(conn, t.session_teams, dates, rows)
    return dg.MaterializeResult(metadata={**md.dates(dates), **md.rows(n), "members": n, "preview": md.table(
        rows, ["session_id", "team", "team_name", "name", "guid", "joined_round"], 40)})


@dg.asset(**COMMON, deps=[rounds, lua_round_teams, session_teams], group_name=catalog.SCORE, code_version="15",
          description="Stopwatch map winners (R2 header winner through Team A's R2 side, then fallbacks); "
                      "maps not counted say why in `note`.")
@one_writer_per_date
def map_results(context: dg.AssetExecutionContext, database: DatabaseResource, rules: RulesResource) -> dg.MaterializeResult:
    dates = list(context.partition_keys)
    with database.get_engine().begin() as conn:
        rows = build_map_results(select_partition(conn, t.rounds, dates),
                                 select_partition(conn, t.player_round_stats, dates), _linked_lua(conn, dates),
                                 select_partition(conn, t.session_teams, dates), rules.rules().double_fullhold)
        n = replace_partition(conn, t.map_results, dates, rows)
    return dg.MaterializeResult(metadata={**md.dates(dates), **md.rows(n), "maps": n,
                                          "counted": sum(r["counted"] for r in rows),
                                          "preview": md.table(rows, ["map", "winner", "counted", "scoring_source",
                                                                     "time_a", "time_b", "winner_side", "note"])})


@dg.asset(**COMMON, deps=[map_results], group_name=catalog.SCORE, code_version="12",
          description="The night's score per session: maps won per team (1 point a map, a tie 0-0).")
@one_writer_per_date
def session_results(context: dg.AssetExecutionContext, database: DatabaseResource) -> dg.MaterializeResult:
    dates = list(context.partition_keys)
    with database.get_engine().begin() as conn:
        rows = build_session_results(select_partition(conn, t.sessions, dates),
                                     select_partition(conn, t.map_results, dates),
                                     select_partition(conn, t.session_teams, dates))
        n = replace_partition(conn, t.session_results, dates, rows)
    return dg.MaterializeResult(metadata={**md.dates(dates), **md.rows(n), "sessions": n, "preview": md.table(
        rows, ["session_id", "team_a_name", "score_a", "score_b", "team_b_name", "winner", "maps_counted", "maps_total"])})


@dg.asset(**COMMON, deps=[rounds, lua_round_teams], group_name=catalog.TIMING, code_version="11",
          description="Stats-file duration against Lua playtime per round: ALIGNED, MINOR_DIFF, DISCREPANCY or "
                      "NO_LUA_DATA with its likely cause.")
@one_writer_per_date
def timing_comparison(context: dg.AssetExecutionContext, database: DatabaseResource) -> dg.MaterializeResult:
    dates = list(context.partition_keys)
    with database.get_engine().begin() as conn:
        rows = build_timing_comparison(select_partition(conn, t.rounds, dates), _linked_lua(conn, dates),
                                       select_partition(conn, t.lua_timings, dates),
                                       select_partition(conn, t.lua_round_teams, dates))
        n = replace_partition(conn, t.timing_comparison, dates, rows)
    return dg.MaterializeResult(metadata={**md.dates(dates), **md.rows(n), "rounds": n,
                                          "timing": md.counts(Counter(r["status"] for r in rows)),
                                          "preview": md.table(rows, ["round_key", "stats_seconds", "lua_seconds", "status", "cause"])})


@dg.asset(**COMMON, deps=[session_results, timing_comparison, endstats_awards], group_name=catalog.CHECKS, code_version="18",
          description="The night checks itself: every number two sources both state (award and stats files, "
                      "stats file and Lua timing, header winner and times, round 2 against round 1, both sides' "
                      "lines, VS lines, the night's totals), one row per check and round: pass, warn (a known "
                      "quirk) or fail (a contradiction). Its asset checks show them; the report and the admins' "
                      "channel carry them.")
@one_writer_per_date
def night_checks(context: dg.AssetExecutionContext, database: DatabaseResource,
                 rules: RulesResource) -> dg.MaterializeResult:
    from et_pipeline.report import build_sessions

    dates = list(context.partition_keys)
    with database.get_engine().begin() as conn:
        sessions = build_sessions(conn, dates, rules.timezone, checks=False)
        files = {name.name: data for d, items in _raw_files(conn, dates, [STATS]).items() for _, name, data in items}
        file_of = {r["round_key"]: r["file"] for r in select_partition(conn, t.rounds, dates)}
        rows = build_night_checks(sessions, files, select_partition(conn, t.vs_stats, dates), file_of)
        n = replace_partition(conn, t.night_checks, dates, rows)
    return dg.MaterializeResult(metadata={**md.dates(dates), **md.rows(n),
                                          "checks": md.counts(Counter(r["status"] for r in rows)),
                                          "preview": md.table([r for r in rows if r["status"] != "pass"] or rows,
                                                              ["check_name", "status", "round_file", "detail"])})


@dg.asset(**COMMON, deps=[session_results, timing_comparison, endstats_awards, night_checks], group_name=catalog.PUBLISH,
          code_version="23", kinds={"discord"}, retry_policy=PUBLISH_RETRY, pool="discord",
          description="The night in Discord: a card per map, the session summary and its graphs (players' "
                      "channel), the timing check, files and alerts (admins' channel). Posted once, "
                      "edited when the content changes (discord_posts table); dry-run writes them under out/.")
@one_writer_per_date
def discord_posts(context: dg.AssetExecutionContext, database: DatabaseResource,
                  discord: DiscordWebhook, rules: RulesResource) -> dg.MaterializeResult:
    from et_pipeline.report import build_sessions

    dates = list(context.partition_keys)
    engine = database.get_engine()
    sessions, facts = [], []
    chances: dict = {}
    if discord.mode != "off":
        from et_pipeline.admin_report import admin_facts, per_session
        from et_pipeline.season.card import card_predictions, session_predictions

        with engine.connect() as conn:
            sessions = build_sessions(conn, dates, rules.timezone)
            facts = per_session(sessions, admin_facts(conn, dates, pairing_window_minutes=rules.pairing_window_minutes,
                                                      dagster_url=discord.links_to()))
            for date in sorted({s["date"] for s in sessions}):     # the win probabilities on the map cards
                chances.update(card_predictions(conn, date, rules.rules()))
    totals, failures = Counter(), []
    from et_pipeline.publish.graph_cache import GraphCache, publish_through_cache

    cache = GraphCache(os.path.join(discord.out_dir, ".graph-cache"))   # draws only what changed (issue 15)
    if discord.mode != "live":       # live: the new round goes out before its graphs are drawn
        try:
            cache.prepare(s for s in sessions if s.get("players"))
        except Exception as e:  # drawn again per session below, where a failure is reported with its session
            context.log.warning("drawing graphs in parallel failed: %s", e)
    admin_client, details_client = discord.admin_client(), discord.details_client()
    details_thread = bool(discord.details_thread_id)
    for s, admin in zip(sessions, facts):
        try:
            summaries = publish_through_cache(s, cache, mode=discord.mode, engine=engine, client=discord.client(),
                                              out_dir=discord.out_dir, admin_client=admin_client,
                                              details_client=details_client, details_thread=details_thread,
                                              message_kwargs={"details_thread": details_thread, "admin": admin,
                                                              "predictions": session_predictions(
                                                                  chances, s["session_id"])})
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
        mark_nights_changed(conn)       # the season is behind these nights (storage.season_state)
        problems = publish_problems(conn, dates) if discord.mode == "live" else []
        messages = conn.execute(select(func.count()).select_from(t.discord_posts)
                                .where(t.discord_posts.c.session_date.in_(dates))).scalar()
    for p in problems:     # skipped, not failed: a re-run cannot fix them (README, "Discord: posted once")
        context.log.warning("Discord message %s of session %s is %s: %s", p.key, p.session_id, p.status, p.error)
    meta = {**md.dates(dates), **md.rows(messages), "mode": discord.mode, "sessions": len(sessions), **dict(totals),
            "graphs drawn": cache.drawn, "graphs reused": cache.hits,
            "Discord problems": md.table([vars(p) for p in problems], ["session_id", "key", "status", "error"])
            if problems else "none"}
    if sessions:
        meta["session summary"] = md.session_summary(sessions)
    if discord.mode == "dry-run":
        meta["dry-run files"] = md.dry_run_folder(discord.out_dir, dates)
    return dg.MaterializeResult(metadata=meta)


ALL_ASSETS = [server_files, rounds, lua_timings, endstats_awards, lua_round_teams, session_teams, map_results,
              session_results, timing_comparison, night_checks, discord_posts]
