"""What the sensor decides on one tick, as a pure function of a listing and its cursor.

A partition is requested when its file set (names, sizes, mtimes) differs from the
last one requested and has been quiet for the settle window, so Discord never gets
half a map. The cursor keeps one fingerprint per recent date; dates older than the
watermark are considered done (a re-score of old dates is a backfill, not a sensor job).
"""
from dataclasses import dataclass

from et_pipeline.steps.plan import Plan

MAX_DATES_IN_CURSOR = 60


@dataclass(frozen=True)
class Decision:
    requests: list[tuple[str, str]]      # (date, fingerprint)
    settling: list[str]                  # changed but not quiet yet
    cursor: dict


def decide(plan: Plan, cursor: dict, now: float, settle_seconds: float, max_requests: int = 25) -> Decision:
    done = dict(cursor.get("done", {}))
    watermark = cursor.get("watermark")
    requests, settling = [], []
    for date in plan.dates:
        if watermark and date < watermark:
            continue
        fp = plan.fingerprint(date)
        if done.get(date) == fp:
            continue
        if now - plan.newest_mtime(date) < settle_seconds:
            settling.append(date)
            continue
        if len(requests) < max_requests:
            requests.append((date, fp))
            done[date] = fp
    kept = sorted(done)[-MAX_DATES_IN_CURSOR:]
    if len(kept) < len(done):
        watermark = max(watermark or "", kept[0])
    return Decision(requests, settling, {"done": {d: done[d] for d in kept}, "watermark": watermark})
