"""From a listing of server files to session-date partitions (no content is read).

Used by the sensor, by `et-pipeline run` and by the `server_files` asset, so all three
agree on which file belongs to which partition. Sessions come from the stats file
names alone (DOMAIN 1); award and timing files go to the session with the nearest
round; a file that fits nowhere is "unassigned" and waits (a later round may claim it).
"""
import datetime as dt
import hashlib
import time
from dataclasses import dataclass, field

from et_pipeline.config import Rules
from et_pipeline.parsers.bounds import oversized
from et_pipeline.domain.sessions import Session, SessionIndex, group_sessions
from et_pipeline.parsers.errors import ParseError
from et_pipeline.parsers.filenames import GAMETIME, STATS, FileName, classify
from et_pipeline.parsers.text import printable
from et_pipeline.sources.base import ServerFile


@dataclass(frozen=True)
class PlannedFile:
    file: ServerFile
    name: FileName | None
    error: str | None = None          # a refused (misnamed, oversized) file: quarantined with this reason, never read


@dataclass
class Plan:
    sessions: list[Session]
    by_date: dict[str, list[PlannedFile]] = field(default_factory=dict)
    unassigned: list[PlannedFile] = field(default_factory=list)
    ignored: list[ServerFile] = field(default_factory=list)

    @property
    def dates(self) -> list[str]:
        return sorted(self.by_date)

    def fingerprint(self, date: str) -> str:
        """Changes when any file of the partition is added, removed, grows or is touched."""
        h = hashlib.sha256()
        for p in sorted(self.by_date.get(date, []), key=lambda p: p.file.path):
            h.update(("%s\0%d\0%.3f\n" % (p.file.path, p.file.size, p.file.mtime)).encode())
        return h.hexdigest()


def local_time_of(name: FileName, rules: Rules) -> dt.datetime:
    """Server-local naive time of a file: the name's stamp, or the Lua round end."""
    if name.local_time is not None:
        return name.local_time
    return dt.datetime.fromtimestamp(name.unix, rules.tz).replace(tzinfo=None)


FUTURE_TOLERANCE = dt.timedelta(days=1)    # clocks and time zones may disagree by hours, never by days


def horizon(now: float, rules: Rules) -> dt.datetime:
    """The latest server-local time a file's name may carry at `now`: a name dated later
    is no round that was played (a wrong server clock, a copied or forged file). Such a
    file would become the season's newest night and the sensor's newest date."""
    return dt.datetime.fromtimestamp(now, rules.tz).replace(tzinfo=None) + FUTURE_TOLERANCE


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def make_plan(files: list[ServerFile], rules: Rules, archived: list[str] = (), now: float | None = None) -> Plan:
    """`archived`: names of stats files already archived (storage.registry.archived_stats_names).
    They shape the sessions like listed ones, so a server that pruned the first half of a
    night past midnight does not move the second half to the next date; only listed files
    are planned. `now` (default: the clock): files dated after `horizon(now)` are refused."""
    named: list[PlannedFile] = []
    plan = Plan(sessions=[])
    latest = horizon(time.time() if now is None else now, rules)
    for f in files:
        if not _is_utf8(f.name):   # os.scandir's surrogate escapes: stored under a printable name
            shown = ServerFile(f.folder, printable(f.name), f.size, f.mtime)
            plan.unassigned.append(PlannedFile(shown, None, "file name is not valid UTF-8: %s" % shown.name))
            continue
        try:
            name = classify(f.name)
        except ParseError as e:
            plan.unassigned.append(PlannedFile(f, None, str(e)))
            continue
        if name is None:
            plan.ignored.append(f)
        elif local_time_of(name, rules) > latest:
            plan.unassigned.append(PlannedFile(f, name, "dated in the future: %s is more than a day after the clock "
                                               "(%s)" % (local_time_of(name, rules).isoformat(sep=" "),
                                                         (latest - FUTURE_TOLERANCE).isoformat(sep=" ", timespec="seconds"))))
        elif oversized(f.size):
            named.append(PlannedFile(f, name, oversized(f.size)))
        else:
            named.append(PlannedFile(f, name))
    stats = [p for p in named if p.name.kind == STATS]
    # Two copies of one name in both folders would be one round twice: first path wins.
    seen: dict[str, PlannedFile] = {}
    for p in sorted(stats, key=lambda p: p.file.path):
        seen.setdefault(p.name.name, p)
    names = [p.name for p in seen.values()]
    for a in archived:
        if a not in seen:
            try:
                name = classify(a)
            except ParseError:
                continue
            if name is not None and name.kind == STATS and name.local_time <= latest:
                names.append(name)
    plan.sessions = group_sessions(names, rules.session_gap_minutes)
    date_of = {f.name: s.session_date for s in plan.sessions for f in s.rounds}
    index = SessionIndex(plan.sessions)
    for p in named:
        if p.name.kind == STATS:
            date = date_of[p.name.name]
        else:
            when = local_time_of(p.name, rules)
            if p.name.kind == GAMETIME:
                when += dt.timedelta(seconds=3)  # the stats file follows the Lua round end by ~3 s
            s = index.nearest(when, rules.link_window_minutes)
            date = s.session_date if s else None
        if date is None:
            plan.unassigned.append(p)
        else:
            plan.by_date.setdefault(date, []).append(p)
    return plan
