"""Shared fixtures: real servers on loopback live in `servers.py`."""
from et_pipeline_tests.servers import postgres_server, postgres_url, sftp_server  # noqa: F401
