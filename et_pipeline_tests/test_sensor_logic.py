"""The sensor's decision as a pure function: a round is ready when its files are complete
and stable, not after a quiet period for the whole session; failed runs are asked again."""
import json

from et_pipeline.config import Rules
from et_pipeline.sources.base import ServerFile
from et_pipeline.steps.plan import make_plan
from et_pipeline.steps.sensor_logic import RunState, decide

DATE = "2026-02-05"
T0 = 1770322201.0           # 2026-02-05 21:10:01 Europe/Ljubljana (the stats file below)
STATS = "2026-02-05-211001-supply-round-1.txt"
ENDSTATS = "2026-02-05-210959-supply-round-1-endstats.txt"
GAMETIME = "gametime-supply-R1-1770322198.json"
STATS2 = "2026-02-05-212035-supply-round-2.txt"
ENDSTATS2 = "2026-02-05-212034-supply-round-2-endstats.txt"
GAMETIME2 = "gametime-supply-R2-1770322832.json"


def listing(*files):
    """(name, size, mtime) -> ServerFiles in the right folder."""
    return [ServerFile("gametimes" if n.startswith("gametime-") else "gamestats", n, size, mtime)
            for n, size, mtime in files]


def plan_of(*files):
    return make_plan(listing(*files), Rules())


def twice(files, cursor, now, **kw):
    """One sensor tick: it lists again when a date is ready on the first listing alone."""
    first = decide(plan_of(*files), cursor, now, **kw)
    return decide(plan_of(*files), first.cursor, now + 1, **kw) if first.unconfirmed else first


COMPLETE_R1 = [(STATS, 5000, T0), (ENDSTATS, 900, T0 - 2), (GAMETIME, 700, T0 - 3)]


def test_complete_round_is_requested_on_the_second_listing_without_a_quiet_period():
    first = decide(plan_of(*COMPLETE_R1), {}, T0 + 1, grace_seconds=15)
    assert first.requests == [] and first.unconfirmed == [DATE]    # one listing proves nothing
    second = decide(plan_of(*COMPLETE_R1), first.cursor, T0 + 2, grace_seconds=15)
    assert [(r.date, r.attempt) for r in second.requests] == [(DATE, 1)]
    assert second.requests[0].run_key.startswith(DATE + ":")
    third = decide(plan_of(*COMPLETE_R1), second.cursor, T0 + 3, grace_seconds=15)
    assert third.requests == [] and third.unconfirmed == []        # nothing new


def test_growing_file_waits_until_size_and_mtime_are_stable():
    growing = [(STATS, 1000, T0), (ENDSTATS, 900, T0 - 2), (GAMETIME, 700, T0 - 3)]
    first = decide(plan_of(*growing), {}, T0 + 1, grace_seconds=15)
    grown = [(STATS, 5000, T0 + 1)] + growing[1:]
    second = decide(plan_of(*grown), first.cursor, T0 + 2, grace_seconds=15)
    assert second.requests == [] and second.unconfirmed == [DATE]
    third = decide(plan_of(*grown), second.cursor, T0 + 3, grace_seconds=15)
    assert [r.date for r in third.requests] == [DATE]


def test_missing_award_and_timing_files_get_a_short_grace_then_the_round_goes():
    # round 1 complete and done; round 2's stats file is there, its award and timing files not yet
    done = twice(COMPLETE_R1, {}, T0 + 1, grace_seconds=15).cursor
    stats2_at = T0 + 634
    files = COMPLETE_R1 + [(STATS2, 5000, stats2_at)]
    early = twice(files, done, stats2_at + 2, grace_seconds=15)
    assert early.requests == [] and DATE in early.waiting and "award" in early.waiting[DATE]
    late = twice(files, early.cursor, stats2_at + 16, grace_seconds=15)
    assert [r.date for r in late.requests] == [DATE]
    # when they arrive, they arrive: complete at once, no grace needed
    arrived = files + [(ENDSTATS2, 900, stats2_at), (GAMETIME2, 700, stats2_at)]
    now = twice(arrived, early.cursor, stats2_at + 3, grace_seconds=15)
    assert [r.date for r in now.requests] == [DATE]


def test_a_server_that_writes_no_award_or_timing_files_is_not_kept_waiting():
    only_stats = [(STATS, 5000, T0)]
    d = twice(only_stats, {}, T0 + 1, grace_seconds=15)
    assert [r.date for r in d.requests] == [DATE]


def test_failed_run_is_requested_again_with_a_new_run_key_after_a_backoff():
    first = twice(COMPLETE_R1, {}, T0 + 1, grace_seconds=15)
    key1 = first.requests[0].run_key
    failed = {DATE: RunState(status="failure", will_retry=False, finished_at=T0 + 10)}
    soon = decide(plan_of(*COMPLETE_R1), first.cursor, T0 + 12, grace_seconds=15, runs=failed,
                  retry_backoff_seconds=30)
    assert soon.requests == [] and "retry" in soon.waiting[DATE]
    later = decide(plan_of(*COMPLETE_R1), soon.cursor, T0 + 41, grace_seconds=15, runs=failed,
                   retry_backoff_seconds=30)
    assert [(r.date, r.attempt) for r in later.requests] == [(DATE, 2)]
    assert later.requests[0].run_key != key1
    # the second failure backs off twice as long
    failed2 = {DATE: RunState(status="failure", will_retry=False, finished_at=T0 + 50)}
    again = decide(plan_of(*COMPLETE_R1), later.cursor, T0 + 100, grace_seconds=15, runs=failed2,
                   retry_backoff_seconds=30)
    assert again.requests == []
    third = decide(plan_of(*COMPLETE_R1), again.cursor, T0 + 111, grace_seconds=15, runs=failed2,
                   retry_backoff_seconds=30)
    assert [r.attempt for r in third.requests] == [3]
    # success clears the date: nothing more is asked for it
    ok = {DATE: RunState(status="success", will_retry=False, finished_at=T0 + 120)}
    healed = decide(plan_of(*COMPLETE_R1), third.cursor, T0 + 500, grace_seconds=15, runs=ok)
    assert healed.requests == [] and healed.pending == []
    assert DATE not in json.loads(json.dumps(healed.cursor)).get("pending", {})


def test_run_in_progress_or_retried_by_dagster_is_left_alone():
    first = twice(COMPLETE_R1, {}, T0 + 1, grace_seconds=15)
    for state in (RunState("in_progress", False, None), RunState("failure", True, T0 + 5)):
        d = decide(plan_of(*COMPLETE_R1), first.cursor, T0 + 3600, grace_seconds=15, runs={DATE: state},
                   retry_backoff_seconds=30)
        assert d.requests == [] and d.pending == [DATE]


def test_pending_dates_are_the_ones_whose_runs_the_sensor_must_look_up():
    first = twice(COMPLETE_R1, {}, T0 + 1, grace_seconds=15)
    assert first.pending == [DATE]
    assert decide(plan_of(*COMPLETE_R1), first.cursor, T0 + 2, grace_seconds=15).pending == [DATE]


# ---------------------------------------------------------------- one change rule for the sensor and `run`

def test_changed_dates_is_every_date_whose_files_are_not_the_recorded_ones():
    from et_pipeline.steps.sensor_logic import changed_dates

    plan = plan_of(*COMPLETE_R1)
    assert changed_dates(plan, {}) == [DATE]                                   # never processed
    assert changed_dates(plan, {DATE: plan.fingerprint(DATE)}) == []           # the same files
    assert changed_dates(plan, {DATE: "an older listing"}) == [DATE]           # a file added, grown or touched
    assert changed_dates(plan, {DATE: None}) == [DATE]                         # processed, not to the end
    # a recorded date the listing no longer holds (files pruned, sessions re-grouped) once,
    # until the empty listing is what is recorded for it
    gone = plan_of()
    assert changed_dates(gone, {DATE: plan.fingerprint(DATE)}) == [DATE]
    assert changed_dates(gone, {DATE: gone.fingerprint(DATE)}) == []


def test_the_sensor_asks_once_for_a_date_whose_files_are_gone_like_run_does():
    done = twice(COMPLETE_R1, {}, T0 + 30, grace_seconds=15)
    assert [r.date for r in done.requests] == [DATE]
    pruned = twice([], done.cursor, T0 + 60, grace_seconds=15)
    assert [r.date for r in pruned.requests] == [DATE]
    assert twice([], pruned.cursor, T0 + 90, grace_seconds=15).requests == []

def test_a_new_round_waits_for_the_previous_run_of_its_date():
    """Two runs of one date at once raced on the date's rows: the sensor asks for the next
    run of a date only when its previous one has ended."""
    first = twice(COMPLETE_R1, {}, T0 + 1, grace_seconds=15)
    r2_at = T0 + 634
    files = COMPLETE_R1 + [(STATS2, 5000, r2_at), (ENDSTATS2, 900, r2_at), (GAMETIME2, 700, r2_at)]
    running = {DATE: RunState("in_progress", False, None)}
    held = twice(files, first.cursor, r2_at + 2, grace_seconds=15, runs=running)
    assert held.requests == [] and "in progress" in held.waiting[DATE]
    ended = {DATE: RunState("success", False, r2_at + 3)}
    asked = twice(files, held.cursor, r2_at + 4, grace_seconds=15, runs=ended)
    assert [(r.date, r.attempt) for r in asked.requests] == [(DATE, 1)]


def test_a_date_whose_discord_messages_were_deferred_is_asked_for_when_they_are_due():
    """A long 429 leaves the rest of a session in the outbox with a time: nothing else would
    run the date again (its files do not change), so the sensor asks for it then."""
    first = twice(COMPLETE_R1, {}, T0 + 1, grace_seconds=15)
    ok = {DATE: RunState("success", False, T0 + 5)}
    quiet = twice(COMPLETE_R1, first.cursor, T0 + 10, grace_seconds=15, runs=ok)
    assert quiet.requests == []
    due = twice(COMPLETE_R1, quiet.cursor, T0 + 700, grace_seconds=15, deferred={DATE: "2026-02-05T20:20:00+00:00"})
    assert [r.date for r in due.requests] == [DATE]
    assert due.requests[0].run_key != first.requests[0].run_key
    again = twice(COMPLETE_R1, due.cursor, T0 + 705, grace_seconds=15, deferred={DATE: "2026-02-05T20:20:00+00:00"},
                  runs={DATE: RunState("in_progress", False, None)})
    assert again.requests == []                      # asked once per deferral, not on every tick
