"""One sensor tick that keeps watching the server for most of the daemon's loop, so a
round's files are requested within about a second of landing instead of waiting for the
next tick (the daemon evaluates sensors at most every 5 s: on average 2.5 s lost, up to 5).

The safety is the same as a single tick's: a date is requested only when its files are
complete and unchanged on two listings (steps/sensor_logic.decide, fed each listing with
the cursor of the one before). Listings are spaced `relist_seconds` apart, and never
closer than the last listing took, so a slow listing (a large folder over SFTP) is never
repeated back to back; the tick returns as soon as a date is requested, or when the next
listing would end after `budget_seconds`. Files seen changed on the last listing get one
confirming listing even then, as a single tick always did.
"""
import time
from typing import Callable

from et_pipeline.steps.plan import Plan
from et_pipeline.steps.sensor_logic import Decision


def watch(list_plan: Callable[[], Plan], decide_on: Callable[[Plan, dict], Decision], cursor: dict,
          relist_seconds: float, budget_seconds: float, clock=time.monotonic, sleep=time.sleep
          ) -> tuple[Plan, Decision]:
    """List and decide until a date is requested or the budget is spent; the last listing
    and its decision. `decide_on(plan, cursor)` is `decide` with the tick's other inputs."""
    started = clock()
    plan = list_plan()
    took = clock() - started
    d = decide_on(plan, cursor)
    while not d.requests:
        pause = max(relist_seconds, took)
        if not d.unconfirmed and clock() - started + pause + took > budget_seconds:
            break
        sleep(pause)
        before = clock()
        plan = list_plan()
        took = clock() - before
        confirming = bool(d.unconfirmed)
        d = decide_on(plan, d.cursor)
        if confirming and clock() - started > budget_seconds:
            break
    return plan, d
