"""The settings with a fixed set of values, as types. Dagster's config (the resources, the
careers asset's config) and the command line's choices are built from them, so a wrong
value is refused where it is given (at load, at launch, by argparse), never found out in
the middle of a run."""
from typing import Literal

PublishMode = Literal["off", "dry-run", "live"]     # Discord: nothing | payload files under the out folder | the webhooks
Period = Literal["month", "quarter", "year"]        # the length of a career period
DoubleFullhold = Literal["tie", "r2_defenders"]     # both rounds held to the clock: a draw | the R2 defenders win
Executor = Literal["in_process", "celery"]          # the runs' steps: in the run's process | tasks on a Celery broker
