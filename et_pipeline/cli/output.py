"""What `et-pipeline run` shows a person: live progress while the job works, a summary per date after.

Progress is driven by the run's own events (`RunEvent`, forwarded from Dagster by
`et_pipeline.defs.run_events`), never by re-doing or guessing work. The bar goes to stderr
and only when stderr is a terminal (rich), so logs, pipes and cron mails stay clean; the
summary goes to stdout. `-v` adds one line per finished step with its own numbers and the
assets' own log messages, not Dagster's debug stream.
"""
import sys
import time
from dataclasses import dataclass, field

from et_pipeline.defs.progress import Kind, RunEvent

UNCHANGED_LISTED = 5      # more unchanged dates than this are folded into one line


def _span(dates: list[str]) -> str:
    return dates[0] if len(dates) == 1 else "%s … %s (%d dates)" % (dates[0], dates[-1], len(dates))


class RunProgress:
    """Dates and steps of `run`, drawn on stderr while it works."""

    def __init__(self, verbose: bool = False, stream=None):
        self.stream = stream or sys.stderr
        self.verbose = verbose
        self.live = _is_terminal(self.stream) and _is_terminal(sys.stdout)
        self._bar = _bar(self.stream) if self.live else _NoBar()
        self._task = self._bar.add_task("starting", total=None)
        self._label = ""
        self._started: dict[str, float] = {}
        self._counts: dict[str, dict] = {}
        self._checks: dict[str, str] = {}

    def __enter__(self):
        self._bar.start()
        return self

    def __exit__(self, *exc):
        self._bar.stop()

    def phase(self, text: str) -> None:
        """A step before the Dagster run (listing the source, planning)."""
        self._bar.update(self._task, description=text)
        self._say(text)

    def start_runs(self, blocks: list[list[str]], steps_per_run: int) -> None:
        self._bar.update(self._task, total=len(blocks) * steps_per_run, completed=0)
        self._steps_per_run = steps_per_run

    def start_block(self, index: int, blocks: list[list[str]]) -> None:
        self._label = _span(blocks[index]) + ("" if len(blocks) == 1 else "  [run %d/%d]" % (index + 1, len(blocks)))
        self._bar.update(self._task, description=self._label, completed=index * self._steps_per_run)
        self._say("run %s" % self._label)

    def end_block(self, index: int) -> None:
        self._bar.update(self._task, completed=(index + 1) * self._steps_per_run)

    def on_event(self, ev: RunEvent) -> None:
        if ev.kind is Kind.STEP_START:
            self._started[ev.step] = time.monotonic()
            self._bar.update(self._task, description="%s  %s" % (self._label, ev.step))
        elif ev.kind is Kind.ASSET_MATERIALIZATION:
            self._counts.setdefault(ev.step, ev.counts)           # one per date, the same numbers
        elif ev.kind is Kind.ASSET_CHECK_EVALUATION:
            self._checks[ev.step] = ev.message
        elif ev.kind in (Kind.STEP_SUCCESS, Kind.STEP_FAILURE, Kind.STEP_SKIPPED):
            self._bar.advance(self._task)
            took = time.monotonic() - self._started.pop(ev.step, time.monotonic())
            nums = "  ".join("%s %s" % (k.replace("_", " "), v) for k, v in self._counts.pop(ev.step, {}).items())
            what = {Kind.STEP_SUCCESS: "done", Kind.STEP_FAILURE: "FAILED", Kind.STEP_SKIPPED: "skipped"}[ev.kind]
            if ev.step in self._checks:
                self._say("    %s" % self._checks.pop(ev.step))
            else:
                self._say("  %-18s %-7s %5.1f s  %s" % (ev.step, what, took, nums))
        elif ev.kind is Kind.LOG and ev.level >= 20:
            self._say("  %s: %s" % (ev.step or "run", ev.message))

    def _say(self, line: str) -> None:
        if self.verbose:
            if self.live:
                self._bar.console.print(line, markup=False)
            else:
                print(line, file=self.stream, flush=True)


def _bar(stream):
    """rich's bar on a terminal (rich is imported only then: a cron job or a pipe skips it)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("steps"), TimeElapsedColumn(), console=Console(file=stream, highlight=False),
                    transient=True)


class _NoBar:
    """The bar's calls, doing nothing: stderr is not a terminal."""

    def add_task(self, *_a, **_k):
        return 0

    def start(self, *_a, **_k):
        pass

    stop = update = advance = start


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@dataclass
class DateSummary:
    """What `run` says about one session date once the job is done."""

    date: str
    updated: bool
    failed: bool = False     # its run failed: whatever it holds now, it was not updated
    rounds: int = 0
    files: int = 0
    sessions: list[tuple[str, str, int, int, int]] = field(default_factory=list)  # (team A, team B, a, b, maps)
    bad: list[tuple[str, str, str]] = field(default_factory=list)                 # (status, path, reason)

    def line(self) -> str:
        """`2026-02-05  updated  10 rounds   28 files read, 0 bad  Team A 1-3 Team B (5 maps)`: one
        session per score (a date can hold two), bad files listed under the line."""
        scores = "; ".join("%s %d-%d %s (%d map%s)" % (a, sa, sb, b, n, "" if n == 1 else "s")
                           for a, b, sa, sb, n in self.sessions) or "no session"
        return "%s  %s  %-9s %4d files read, %d bad  %s" % (
            self.date, "FAILED" if self.failed else "updated" if self.updated else "unchanged",
            "%d rounds" % self.rounds, self.files, len(self.bad), scores)


FOLD_BAD_AT = 3           # more files than this with one reason are one line: a count and a few names


def bad_lines(bad: list[tuple[str, str, str]], indent: str = "") -> list[str]:
    """One line per bad file, or one per reason when many files share it (20,000 misnamed
    files are one line, not 20,000): the reason without the file's own name, the count and
    the first few names."""
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for status, path, reason in bad:
        groups.setdefault((status, reason.replace(path.rsplit("/", 1)[-1], "…")), []).append((path, reason))
    out = []
    for (status, shared), files in groups.items():
        if len(files) > FOLD_BAD_AT:
            out.append("%s%s  %d files: %s (e.g. %s)" % (indent, status.upper(), len(files), shared,
                                                          ", ".join(p for p, _ in files[:FOLD_BAD_AT])))
        else:
            out += ["%s%s  %s: %s" % (indent, status.upper(), p, reason) for p, reason in files]
    return out


def summary_lines(dates: list[DateSummary], unassigned: list[tuple[str, str, str]], ignored: int,
                  failed: list[str], seconds: float, season: str | None = None) -> list[str]:
    """The closing summary: one line per updated date (bad files under it), unchanged dates folded
    when there are many, files that belong to no date, what became of the season, the totals, failures last."""
    out = []
    unchanged = [d for d in dates if not d.updated and not d.failed]
    fold = len(unchanged) > UNCHANGED_LISTED
    for d in dates:
        if d.updated or d.failed or not fold:
            out.append(d.line())
            out += bad_lines(d.bad, "  ")
    if fold:
        bad = sum(len(d.bad) for d in unchanged)
        out.append("%d dates unchanged (%s … %s)%s" % (
            len(unchanged), unchanged[0].date, unchanged[-1].date,
            ", %d bad file%s among them (see server_files)" % (bad, "" if bad == 1 else "s") if bad else ""))
    out += bad_lines(unassigned)
    if ignored:
        out.append("ignored %d unrelated file(s)" % ignored)
    if season:
        out.append(season)
    updated = [d for d in dates if d.updated and not d.failed]
    failures = sum(d.failed for d in dates)
    bad = sum(len(d.bad) for d in dates) + len(unassigned)
    out.append("%d date%s processed, %d unchanged, %s%d bad file%s, %.1f s" % (
        len(updated), "" if len(updated) == 1 else "s", len(unchanged),
        "%d failed, " % failures if failures else "", bad, "" if bad == 1 else "s", seconds))
    out += failed
    return out
