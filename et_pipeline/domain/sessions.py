"""Gaming sessions (DOMAIN.md 1): a pure function of the sorted round file times.

A new session starts when a round's file time is more than the gap after the previous
round's. The session's date (its partition) is the local date of its first round, so a
session running past midnight stays in one partition.
"""
import bisect
import datetime as dt
from dataclasses import dataclass, field

from et_pipeline.parsers.filenames import FileName


@dataclass
class Session:
    session_id: str                      # YYYY-MM-DD-HHMMSS of the first round's file
    rounds: list[FileName] = field(default_factory=list)

    @property
    def session_date(self) -> str:
        return self.rounds[0].local_time.date().isoformat()

    @property
    def start(self) -> dt.datetime:
        return self.rounds[0].local_time

    @property
    def end(self) -> dt.datetime:
        return self.rounds[-1].local_time


def group_sessions(stats_files: list[FileName], gap_minutes: float = 60.0) -> list[Session]:
    """Group stats files into sessions (gap strictly greater than `gap_minutes` splits)."""
    ordered = sorted(stats_files, key=lambda f: (f.local_time, f.round, f.name))
    gap = dt.timedelta(minutes=gap_minutes)
    sessions: list[Session] = []
    for f in ordered:
        if not sessions or f.local_time - sessions[-1].rounds[-1].local_time > gap:
            sessions.append(Session(f.local_time.strftime("%Y-%m-%d-%H%M%S")))
        sessions[-1].rounds.append(f)
    return sessions


class SessionIndex:
    """Places award and timing files, which carry no session of their own, in the
    session whose round file time is nearest (within a window). Bisect: linear overall."""

    def __init__(self, sessions: list[Session]):
        pairs = sorted((f.local_time, n) for n, s in enumerate(sessions) for f in s.rounds)
        self._times = [t for t, _ in pairs]
        self._owner = [n for _, n in pairs]
        self._sessions = sessions

    def nearest(self, when: dt.datetime, window_minutes: float) -> Session | None:
        i = bisect.bisect_left(self._times, when)
        best = None
        for j in (i - 1, i):
            if 0 <= j < len(self._times):
                delta = abs(self._times[j] - when)
                if delta <= dt.timedelta(minutes=window_minutes) and (best is None or delta < best[0]):
                    best = (delta, self._owner[j])
        return None if best is None else self._sessions[best[1]]
