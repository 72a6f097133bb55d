"""What the sensor decides on one tick, as a pure function of a listing, its cursor and
the state of the runs it asked for.

A date is requested as soon as its newest rounds are complete, so a player sees a round
in Discord seconds after it ends (issue 15), not after a quiet period for the session:
* complete: every stats file has its award (endstats) and timing file, or a short grace
  has passed since the stats file (they are written within seconds of each other). A
  kind of file the server never writes (no endstats anywhere in the listing) is not
  waited for;
* stable: the date's files (names, sizes, mtimes) are the same on two listings, so a
  half-written file is never read (the sensor lists again within the tick when it has
  candidates, the parser's own checks quarantine what still slips through).

A date whose previous run is still in progress waits for it (two runs of one date at
once race on its rows; storage.locks serialises the rest). A requested date stays
`pending` until its last run succeeds: a failed run is asked
again with a new run key after a backoff that doubles per attempt (issue 12 §5.1),
unless Dagster's own run retries will re-execute it. The cursor keeps one fingerprint
per recent date; dates older than the watermark are done (a re-score of old dates is a
backfill, not a sensor job).

Time has a horizon (plan.horizon): no date after it enters the cursor, and a cursor an
earlier version let names push past it (61 files dated 2030 made every real night
"older than the watermark") is healed: its future dates are dropped and the watermark
goes back to yesterday. A stats file whose mtime is ahead of our clock (the game
server's clock runs fast) has its grace counted from when the sensor first saw it.
"""
import datetime as dt
from dataclasses import dataclass, field
from typing import Mapping

from et_pipeline.config import Rules
from et_pipeline.parsers.filenames import ENDSTATS, GAMETIME, STATS, TIMING
from et_pipeline.steps.plan import FUTURE_TOLERANCE, Plan, horizon, local_time_of

MAX_DATES_IN_CURSOR = 60
COMPANION_WINDOW = dt.timedelta(seconds=60)   # award/timing file name time within this of the stats file's
LOST_AFTER_SECONDS = 600                      # a requested run never seen in the instance: ask again
MAX_BACKOFF_SECONDS = 1800


@dataclass(frozen=True)
class RunState:
    """The latest run of a date, as the sensor read it from the instance."""
    status: str                  # success | failure | in_progress | none
    will_retry: bool             # Dagster's run retries will re-execute it
    finished_at: float | None


@dataclass(frozen=True)
class Request:
    date: str
    fingerprint: str
    attempt: int
    why: str = ""            # besides new files: "discord-<retry_at>" for Discord messages due again

    @property
    def run_key(self) -> str:
        key = "%s:%s" % (self.date, self.fingerprint[:16])
        key = key if self.attempt == 1 else "%s:retry%d" % (key, self.attempt - 1)
        return "%s:%s" % (key, self.why) if self.why else key


@dataclass(frozen=True)
class Decision:
    requests: list[Request]
    waiting: dict[str, str]                 # date -> why it is not requested yet
    unconfirmed: list[str]                  # ready on this listing alone: list again to confirm
    cursor: dict
    pending: list[str] = field(default_factory=list)   # requested, last run not known to have succeeded


def kinds_present(plan: Plan) -> set[str]:
    """The kinds of file this server writes at all (a server without Lua has no timing files)."""
    return {p.name.kind for ps in plan.by_date.values() for p in ps if p.name is not None}


def missing_companions(plan: Plan, date: str, rules: Rules = Rules(), present: set[str] | None = None
                       ) -> dict[str, list[str]]:
    """stats file name -> the kinds of companion files it still lacks ("award", "timing")."""
    files = [p for p in plan.by_date.get(date, []) if p.name is not None]
    present = kinds_present(plan) if present is None else present
    expect_award = ENDSTATS in present
    expect_timing = bool(present & {GAMETIME, TIMING})
    when = {id(p): local_time_of(p.name, rules) for p in files}

    def has(stats, kinds) -> bool:
        t = when[id(stats)]
        return any(p.name.kind in kinds and p.name.map == stats.name.map and p.name.round == stats.name.round
                   and abs(when[id(p)] - t) <= COMPANION_WINDOW for p in files)

    out = {}
    for s in (p for p in files if p.name.kind == STATS):
        lacking = ([] if not expect_award or has(s, {ENDSTATS}) else ["award"]) + \
                  ([] if not expect_timing or has(s, {GAMETIME, TIMING}) else ["timing"])
        if lacking:
            out[s.file.name] = lacking
    return out


def changed_dates(plan: Plan, recorded: Mapping[str, str | None]) -> list[str]:
    """The dates whose files are not the ones last processed: a listed date whose
    fingerprint is not the one recorded for it (None: processed, not to the end), and a
    recorded date the listing holds no file of any more (files pruned, sessions re-grouped:
    processed once more, from the archive, until the empty listing is what is recorded).
    The one change rule of the sensor (recorded: its cursor) and of `et-pipeline run`
    (recorded: the app database's partition_state)."""
    listed = {d for d in plan.dates if recorded.get(d) != plan.fingerprint(d)}
    gone = {d for d, fp in recorded.items() if d not in plan.by_date and fp != plan.fingerprint(d)}
    return sorted(listed | gone)


def _backoff(base: float, attempt: int) -> float:
    return min(MAX_BACKOFF_SECONDS, base * 2 ** max(0, attempt - 1))


def decide(plan: Plan, cursor: dict, now: float, grace_seconds: float, runs: dict[str, RunState] | None = None,
           retry_backoff_seconds: float = 30.0, max_requests: int = 25, rules: Rules = Rules(),
           deferred: dict[str, str] | None = None) -> Decision:
    """`deferred`: date -> retry_at of Discord messages a long 429 deferred that are due now
    (publish.outbox.deferred_dates): asked for once per deferral."""
    latest = horizon(now, rules).date().isoformat()

    def real(entries: dict) -> dict:
        return {d: v for d, v in entries.items() if d <= latest}

    done = real(cursor.get("done", {}))
    seen = real(cursor.get("seen", {}))
    pending = {d: dict(v) for d, v in real(cursor.get("pending", {})).items()}
    watermark = cursor.get("watermark")
    if watermark and watermark > latest:       # pushed past every real night: heal
        watermark = (horizon(now, rules) - 2 * FUTURE_TOLERANCE).date().isoformat()
    runs = runs or {}
    requests, waiting, unconfirmed = [], {}, []
    files = [p.file for ps in plan.by_date.values() for p in ps]
    first_seen = cursor.get("ahead", {})
    ahead = {f.name: first_seen.get(f.name, now) for f in files if f.mtime > now}
    # a file stamped ahead of our clock is as old as the time since we first saw it
    written = {f.name: min(f.mtime, ahead.get(f.name, f.mtime)) for f in files}
    present = kinds_present(plan)

    def request(date: str, fp: str, attempt: int, why: str = "") -> None:
        requests.append(Request(date, fp, attempt, why))
        done[date] = fp
        pending[date] = {"fp": fp, "attempt": attempt, "requested_at": now}

    asked_deferred = dict(cursor.get("deferred", {}))

    changed = changed_dates(plan, done)
    for date in set(plan.dates) - set(changed):
        seen.pop(date, None)
    for date in changed:
        if watermark and date < watermark:
            continue
        fp = plan.fingerprint(date)
        previous = seen.get(date)
        seen[date] = fp
        lacking = {name: kinds for name, kinds in missing_companions(plan, date, rules, present).items()
                   if now - written[name] < grace_seconds}
        if lacking:
            name, kinds = sorted(lacking.items())[-1]
            waiting[date] = "%s waits for its %s file(s) (grace %g s)" % (name, " and ".join(kinds), grace_seconds)
            continue
        if previous != fp:
            unconfirmed.append(date)
            waiting[date] = "files changed since the last listing"
            continue
        if runs.get(date) is not None and runs[date].status == "in_progress":
            # one run of a date at a time: the next one replaces what this one writes
            waiting[date] = "its previous run is still in progress"
            continue
        if len(requests) < max_requests:
            request(date, fp, 1)

    for date, at in sorted((deferred or {}).items()):
        state = runs.get(date)
        if (date not in plan.by_date or asked_deferred.get(date) == at or any(r.date == date for r in requests)
                or (state is not None and state.status == "in_progress") or len(requests) >= max_requests):
            continue
        request(date, plan.fingerprint(date), 1, "discord-" + at)
        asked_deferred[date] = at

    requested = {r.date for r in requests}
    for date, info in sorted(pending.items()):
        if date in requested:
            continue
        state = runs.get(date)
        if state is None or state.status == "in_progress" or (state.status == "failure" and state.will_retry):
            continue
        if state.status == "success":
            del pending[date]
            continue
        if state.status == "none":
            if now - info["requested_at"] >= LOST_AFTER_SECONDS and len(requests) < max_requests:
                request(date, info["fp"], info["attempt"] + 1)
            continue
        retry_at = (state.finished_at or info["requested_at"]) + _backoff(retry_backoff_seconds, info["attempt"])
        if now >= retry_at and len(requests) < max_requests:
            request(date, info["fp"], info["attempt"] + 1)
        else:
            waiting[date] = "last run failed: retry %d in %.0f s" % (info["attempt"] + 1, max(0.0, retry_at - now))

    kept = sorted(done)[-MAX_DATES_IN_CURSOR:]
    if len(kept) < len(done):
        watermark = max(watermark or "", kept[0])
    new_cursor = {"done": {d: done[d] for d in kept}, "watermark": watermark,
                  "seen": {d: seen[d] for d in sorted(seen) if d in changed and done.get(d) != seen[d]},
                  "pending": {d: pending[d] for d in sorted(pending) if d in kept}}
    if ahead:
        new_cursor["ahead"] = dict(sorted(ahead.items()))
    asked_deferred = {d: at for d, at in asked_deferred.items() if d in kept}
    if asked_deferred:
        new_cursor["deferred"] = dict(sorted(asked_deferred.items()))
    return Decision(requests, waiting, unconfirmed, new_cursor, sorted(new_cursor["pending"]))
