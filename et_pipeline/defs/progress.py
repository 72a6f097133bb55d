"""What a run's events say to a person, without Dagster: `RunEvent`, made by the run's
`progress` logger (defs/run_events.py) and drawn by the command line (cli/output.py),
which imports it on every run, also on one that never starts Dagster."""
from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """What a RunEvent is: a step's start or end, a materialisation, a check's result, or
    LOG for an asset's own message."""

    STEP_START = "STEP_START"
    STEP_SUCCESS = "STEP_SUCCESS"
    STEP_FAILURE = "STEP_FAILURE"
    STEP_SKIPPED = "STEP_SKIPPED"
    ASSET_MATERIALIZATION = "ASSET_MATERIALIZATION"
    ASSET_CHECK_EVALUATION = "ASSET_CHECK_EVALUATION"
    LOG = "LOG"


@dataclass(frozen=True)
class RunEvent:
    """One event of a run, reduced to what a person needs: its kind, the step (asset or
    check), a message and small counts."""

    kind: Kind
    step: str | None = None
    message: str = ""
    level: int = 20
    counts: dict = field(default_factory=dict)
