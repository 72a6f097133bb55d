"""The code location `dagster dev` loads (workspace.yaml): configured from ET_* variables."""
from et_pipeline.defs.factory import definitions_from_env

defs = definitions_from_env()
