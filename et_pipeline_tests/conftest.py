"""Shared fixtures: real servers on loopback live in `servers.py`, pipeline helpers in
`pipeline_fixtures.py`."""
from et_pipeline_tests.pipeline_fixtures import dagster_instance, night, pipeline  # noqa: F401
from et_pipeline_tests.servers import postgres_server, postgres_url, sftp_server  # noqa: F401
