"""The event log class the instance configs name (`module: et_pipeline.defs.event_log`,
`class: PooledSqliteEventLogStorage`): a Dagster home written by any version of
et-pipeline keeps working. The class itself subclasses a private Dagster class and lives
with every other private name in defs/dagster_private.py."""
from et_pipeline.defs.dagster_private import PooledSqliteEventLogStorage

__all__ = ["PooledSqliteEventLogStorage"]
