"""Asset checks guarding what would corrupt scores (blocking) or lose a file, and the
night's cross-checks (non-blocking: the night is still published).

Each check looks only at the partitions (session dates) of its run: a bad old night must
not fail a blocking check in every new night's run. The metadata names the partitions
checked, the ones that failed, and per partition `ok` or what is wrong."""
import warnings
from collections import Counter
from typing import Mapping, Sequence

import dagster as dg
from sqlalchemy import func, select

from et_pipeline.defs import metadata as md
from et_pipeline.defs.assets import (endstats_awards, lua_round_teams, lua_timings, night_checks, rounds,
                                     session_results)
from et_pipeline.defs.partitions import session_dates
from et_pipeline.defs.resources import DatabaseResource
from et_pipeline.domain.night_checks import CHECKS, FAIL, WARN, Check
from et_pipeline.storage import schema as t

_SHOWN = 20     # names listed per partition

# Partitioned checks are Dagster's own way to know a check's partitions (public, labelled
# preview; dagster is pinned, so a patch release cannot change it under us).
warnings.filterwarnings("ignore", category=dg.PreviewWarning,
                        message="Specifying a partitions_def on an AssetCheckSpec")


def _per_partition(dates: Sequence[str], bad: Mapping[str, Sequence[str]], what: str,
                   severity=dg.AssetCheckSeverity.ERROR, **extra) -> dg.AssetCheckResult:
    failed = [d for d in dates if bad.get(d)]
    metadata = {"partitions_checked": ", ".join(dates), "failed_partitions": ", ".join(failed) or "none"}
    for d in dates:
        names = list(bad.get(d) or [])
        metadata[d] = ("%s: %s%s" % (what, ", ".join(names[:_SHOWN]),
                                     " (+%d more)" % (len(names) - _SHOWN) if len(names) > _SHOWN else "")
                       if names else "ok")
    return dg.AssetCheckResult(passed=not failed, severity=severity, metadata={**metadata, **extra})


def _by_date(rows) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for date, name in rows:
        out.setdefault(date, []).append(name)
    return out


@dg.asset_check(asset=rounds, blocking=True, partitions_def=session_dates,
                description="Every round 2 is paired with its round 1 or flagged as an orphan.")
def every_r2_has_r1_or_is_orphan(context: dg.AssetCheckExecutionContext,
                                 database: DatabaseResource) -> dg.AssetCheckResult:
    dates, r = list(context.partition_keys), t.rounds
    with database.get_engine().connect() as conn:
        bad = _by_date(conn.execute(select(r.c.session_date, r.c.file).where(
            r.c.session_date.in_(dates), r.c.round_number == 2, r.c.pair_key.is_(None), r.c.orphan.is_(False))
            .order_by(r.c.file)))
    return _per_partition(dates, bad, "unpaired round 2")


@dg.asset_check(asset=lua_round_teams, blocking=True, partitions_def=session_dates,
                description="No round has two Lua timing rows (each artefact links to one round at most).")
def no_timing_row_linked_twice(context: dg.AssetCheckExecutionContext,
                               database: DatabaseResource) -> dg.AssetCheckResult:
    dates, l = list(context.partition_keys), t.lua_round_teams
    with database.get_engine().connect() as conn:
        bad = _by_date(conn.execute(select(l.c.session_date, l.c.round_key).where(
            l.c.session_date.in_(dates), l.c.round_key.is_not(None))
            .group_by(l.c.session_date, l.c.round_key).having(func.count() > 1).order_by(l.c.round_key)))
    return _per_partition(dates, bad, "rounds linked twice")


@dg.asset_check(asset=session_results, blocking=True, partitions_def=session_dates,
                description="Each session's score is the sum of its counted map results.")
def scores_add_up(context: dg.AssetCheckExecutionContext, database: DatabaseResource) -> dg.AssetCheckResult:
    dates, m, s = list(context.partition_keys), t.map_results, t.session_results
    with database.get_engine().connect() as conn:
        sums = {sid: (a, b, n) for sid, a, b, n in conn.execute(
            select(m.c.session_id, func.sum(m.c.points_a), func.sum(m.c.points_b), func.count())
            .where(m.c.counted.is_(True), m.c.session_date.in_(dates)).group_by(m.c.session_id))}
        bad = _by_date((row.session_date, row.session_id)
                       for row in conn.execute(select(s).where(s.c.session_date.in_(dates)).order_by(s.c.session_id))
                       if (row.score_a, row.score_b, row.maps_counted)
                       != tuple(int(x or 0) for x in sums.get(row.session_id, (0, 0, 0))))
    return _per_partition(dates, bad, "sessions not adding up")


@dg.asset_check(asset=endstats_awards, additional_deps=[rounds, lua_timings], partitions_def=session_dates,
                description="Every registered file was parsed, or quarantined with its reason.")
def every_file_accounted_for(context: dg.AssetCheckExecutionContext,
                             database: DatabaseResource) -> dg.AssetCheckResult:
    dates, f = list(context.partition_keys), t.server_files
    with database.get_engine().connect() as conn:
        pending = _by_date(conn.execute(select(f.c.session_date, f.c.path).where(
            f.c.session_date.in_(dates), f.c.status == "registered").order_by(f.c.path)))
        quarantined = conn.execute(select(func.count()).where(
            f.c.session_date.in_(dates), f.c.status.in_(["quarantined", "duplicate", "read_error"]))).scalar()
    return _per_partition(dates, pending, "unprocessed", severity=dg.AssetCheckSeverity.WARN, quarantined=quarantined)


def _night_check(check: Check) -> dg.AssetChecksDefinition:
    """One of the night's cross-checks (domain.night_checks) as an asset check of
    `night_checks`, per partition, never blocking: a `fail` (a contradiction between
    sources) fails it with severity ERROR, a `warn` (a known quirk) with WARN."""
    @dg.asset_check(asset=night_checks, name=check.name, blocking=False, partitions_def=session_dates,
                    description=check.description)
    def _check(context: dg.AssetCheckExecutionContext, database: DatabaseResource) -> dg.AssetCheckResult:
        dates, c = list(context.partition_keys), t.night_checks
        with database.get_engine().connect() as conn:
            rows = conn.execute(select(c.c.session_date, c.c.status, c.c.round_file, c.c.detail).where(
                c.c.session_date.in_(dates), c.c.check_name == check.name).order_by(c.c.session_id, c.c.seq)).all()
        failed = _by_date((r.session_date, "%s: %s" % (r.round_file or "session", r.detail)) for r in rows
                          if r.status == FAIL)
        warned = _by_date((r.session_date, "%s: %s" % (r.round_file or "session", r.detail)) for r in rows
                          if r.status == WARN)
        looked = Counter(r.status for r in rows)
        if failed:
            return _per_partition(dates, failed, "contradictions", checked=md.counts(looked))
        return _per_partition(dates, warned, "known quirks", severity=dg.AssetCheckSeverity.WARN,
                              checked=md.counts(looked))

    return _check


NIGHT_CHECKS = [_night_check(c) for c in CHECKS]
ALL_CHECKS = [every_r2_has_r1_or_is_orphan, no_timing_row_linked_twice, scores_add_up, every_file_accounted_for,
              *NIGHT_CHECKS]
