"""Asset checks guarding what would corrupt scores (blocking) or lose a file."""
import dagster as dg
from sqlalchemy import func, select

from et_pipeline.defs.assets import endstats_awards, lua_round_teams, lua_timings, rounds, session_results
from et_pipeline.defs.resources import DatabaseResource
from et_pipeline.storage import schema as t


@dg.asset_check(asset=rounds, blocking=True,
                description="Every round 2 is paired with its round 1 or flagged as an orphan.")
def every_r2_has_r1_or_is_orphan(database: DatabaseResource) -> dg.AssetCheckResult:
    r = t.rounds
    with database.get_engine().connect() as conn:
        bad = conn.execute(select(r.c.file).where(r.c.round_number == 2, r.c.pair_key.is_(None),
                                                  r.c.orphan.is_(False))).scalars().all()
    return dg.AssetCheckResult(passed=not bad, metadata={"unpaired_r2": ", ".join(bad) or "none"})


@dg.asset_check(asset=lua_round_teams, blocking=True,
                description="No round has two Lua timing rows (each artefact links to one round at most).")
def no_timing_row_linked_twice(database: DatabaseResource) -> dg.AssetCheckResult:
    l = t.lua_round_teams
    with database.get_engine().connect() as conn:
        bad = conn.execute(select(l.c.round_key).where(l.c.round_key.is_not(None)).group_by(l.c.round_key)
                           .having(func.count() > 1)).scalars().all()
    return dg.AssetCheckResult(passed=not bad, metadata={"rounds_linked_twice": ", ".join(bad) or "none"})


@dg.asset_check(asset=session_results, blocking=True,
                description="Each session's score is the sum of its counted map results.")
def scores_add_up(database: DatabaseResource) -> dg.AssetCheckResult:
    m, s = t.map_results, t.session_results
    with database.get_engine().connect() as conn:
        sums = {sid: (a, b, n) for sid, a, b, n in conn.execute(
            select(m.c.session_id, func.sum(m.c.points_a), func.sum(m.c.points_b), func.count())
            .where(m.c.counted.is_(True)).group_by(m.c.session_id))}
        bad = [row.session_id for row in conn.execute(select(s))
               if (row.score_a, row.score_b, row.maps_counted) != tuple(int(x or 0) for x in sums.get(row.session_id, (0, 0, 0)))]
    return dg.AssetCheckResult(passed=not bad, metadata={"sessions_not_adding_up": ", ".join(bad) or "none"})


@dg.asset_check(asset=endstats_awards, additional_deps=[rounds, lua_timings],
                description="Every registered file was parsed, or quarantined with its reason.")
def every_file_accounted_for(database: DatabaseResource) -> dg.AssetCheckResult:
    f = t.server_files
    with database.get_engine().connect() as conn:
        pending = conn.execute(select(f.c.path).where(f.c.status == "registered")).scalars().all()
        quarantined = conn.execute(select(func.count()).where(f.c.status.in_(["quarantined", "duplicate", "read_error"]))).scalar()
    return dg.AssetCheckResult(passed=not pending, severity=dg.AssetCheckSeverity.WARN,
                               metadata={"unprocessed": ", ".join(pending[:20]) or "none", "quarantined": quarantined})


ALL_CHECKS = [every_r2_has_r1_or_is_orphan, no_timing_row_linked_twice, scores_add_up, every_file_accounted_for]
