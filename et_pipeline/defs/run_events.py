"""A Dagster logger that hands a run's own events to a plain callback.

`et-pipeline run` draws its progress from the events of the in-process run it started
(step started, asset materialised, step done or failed, the assets' own log messages), so
what the terminal shows is what Dagster recorded, and the CLI never has to guess.
"""
import logging
from dataclasses import dataclass, field
from typing import Callable

import dagster as dg


@dataclass(frozen=True)
class RunEvent:
    """One event of a run, reduced to what a person needs: kind (Dagster's event type name, or
    LOG for an asset's own message), the step (asset or check), a message and small counts."""

    kind: str
    step: str | None = None
    message: str = ""
    level: int = 20
    counts: dict = field(default_factory=dict)


_FORWARDED = {dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE,
              dg.DagsterEventType.STEP_SKIPPED, dg.DagsterEventType.ASSET_MATERIALIZATION,
              dg.DagsterEventType.ASSET_CHECK_EVALUATION}


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
                self.callback(RunEvent("LOG", step, meta.get("orig_message", record.getMessage()), record.levelno))
        elif event.event_type in _FORWARDED:
            message, counts = meta.get("orig_message", ""), {}
            if event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
                counts = _counts(event)
            elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
                data = event.event_specific_data
                message = "check %s %s" % (data.check_name, "passed" if data.passed else "FAILED")
            self.callback(RunEvent(event.event_type.name, step, message, record.levelno, counts))


def forwarding_logger(callback: Callable[[RunEvent], None]) -> dg.LoggerDefinition:
    """A logger definition (use it as the job's only logger) that calls `callback` per event."""

    @dg.logger(description="forwards the run's events to et-pipeline's progress display")
    def _forwarding(_init_context) -> logging.Logger:
        log = logging.Logger("et_pipeline.run_events", logging.DEBUG)
        log.addHandler(_Forward(callback))
        return log

    return _forwarding
