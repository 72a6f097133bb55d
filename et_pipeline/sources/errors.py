"""The SFTP source's errors that retrying will not fix, in a module of their own: the
command line maps them to exit codes without importing paramiko (60 ms of every start
from a local folder)."""


class SFTPSourceError(Exception):
    """A configuration or trust problem: retrying will not help."""


class HostKeyError(SFTPSourceError):
    """The server's host key is not in known_hosts, or differs from the one there."""


class AuthenticationError(SFTPSourceError):
    """The server refused the configured key."""


class KeyFileError(SFTPSourceError):
    """The SSH key or the known_hosts file is not configured, missing or unreadable."""


class PasswordInURLError(SFTPSourceError, ValueError):
    """The SFTP URL carries a password: key authentication only, and no secret in a URL."""


class SourceURLError(ValueError):
    """A source URL that names no source this pipeline reads (its message starts with the
    URL: the command line prefixes --source, the code location's load error ET_SOURCE)."""
