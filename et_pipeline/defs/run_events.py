"""A Dagster logger that hands a run's own events to a plain callback.

`et-pipeline run` draws its progress from the events of the in-process run it started
(step started, asset materialised, step done or failed, the assets' own log messages), so
what the terminal shows is what Dagster recorded, and the CLI never has to guess.

The logger is one of the code location's own (`progress`, beside Dagster's `console`), so
the command runs the very job the UI shows; a run enables it through run config
(`loggers: {progress: {}}`). It writes to the Python logger `et_pipeline.run_events`,
which has no handler but the one `forwarding_to` attaches in the command's process: in
any other process it is silent.
"""
import logging
from contextlib import contextmanager
from typing import Callable, Iterator

import dagster as dg

from et_pipeline.defs.progress import Kind, RunEvent


_FORWARDED = {dg.DagsterEventType.STEP_START: Kind.STEP_START, dg.DagsterEventType.STEP_SUCCESS: Kind.STEP_SUCCESS,
              dg.DagsterEventType.STEP_FAILURE: Kind.STEP_FAILURE, dg.DagsterEventType.STEP_SKIPPED: Kind.STEP_SKIPPED,
              dg.DagsterEventType.ASSET_MATERIALIZATION: Kind.ASSET_MATERIALIZATION,
              dg.DagsterEventType.ASSET_CHECK_EVALUATION: Kind.ASSET_CHECK_EVALUATION}
PYTHON_LOGGER = "et_pipeline.run_events"


def _counts(event) -> dict:
    """The whole numbers of a materialisation's metadata (rows, files, ...), for one line of `-v`."""
    mat = event.event_specific_data.materialization
    return {k: v.value for k, v in mat.metadata.items()
            if isinstance(v.value, int) and not isinstance(v.value, bool) and not k.startswith("dagster/")}


class _Forward(logging.Handler):
    def __init__(self, callback: Callable[[RunEvent], None]):
        super().__init__(logging.DEBUG)
        self.callback = callback

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        step = meta.get("step_key")
        if event is None:
            if step is not None:              # an asset's own context.log message
                self.callback(RunEvent(Kind.LOG, step, meta.get("orig_message", record.getMessage()), record.levelno))
        elif event.event_type in _FORWARDED:
            message, counts = meta.get("orig_message", ""), {}
            if event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
                counts = _counts(event)
            elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
                data = event.event_specific_data
                message = "check %s %s" % (data.check_name, "passed" if data.passed else
                                           "warning" if data.severity == dg.AssetCheckSeverity.WARN else "FAILED")
            self.callback(RunEvent(_FORWARDED[event.event_type], step, message, record.levelno, counts))


def _python_logger() -> logging.Logger:
    log = logging.getLogger(PYTHON_LOGGER)
    log.setLevel(logging.DEBUG)
    log.propagate = False             # never into the root logger's handlers
    if not log.handlers:
        log.addHandler(logging.NullHandler())
    return log


@dg.logger(description="hands the run's events to `et-pipeline run`'s progress display; silent elsewhere")
def progress_logger(_init_context) -> logging.Logger:
    return _python_logger()


@contextmanager
def forwarding_to(callback: Callable[[RunEvent], None]) -> Iterator[None]:
    """While open, the events of runs in this process with the `progress` logger enabled
    reach `callback`."""
    handler = _Forward(callback)
    log = _python_logger()
    log.addHandler(handler)
    try:
        yield
    finally:
        log.removeHandler(handler)
