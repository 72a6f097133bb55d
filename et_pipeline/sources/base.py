"""The `StatsSource` interface: list the server's files cheaply, read the ones needed.

Listing never reads content (the sensor ticks on listings alone); reading goes through
one connection per use (`with source.open() as conn:`), so an SFTP tick costs one login.
"""
import abc
import contextlib
from dataclasses import dataclass
from typing import Iterator

FOLDERS = ("gamestats", "gametimes")


def connection_lost(error: BaseException) -> bool:
    """A read that failed because the link to the server failed (refused, dropped, timed
    out), not because of the file: the whole batch is suspect, so nothing is replaced."""
    return isinstance(error, (ConnectionError, TimeoutError))


@dataclass(frozen=True)
class ServerFile:
    """One file as listed: folder (`gamestats`/`gametimes`), bare name, size, mtime (unix)."""

    folder: str
    name: str
    size: int
    mtime: float

    @property
    def path(self) -> str:
        return "%s/%s" % (self.folder, self.name)


class SourceConnection(abc.ABC):
    @abc.abstractmethod
    def list_files(self) -> list[ServerFile]:
        """Every regular file in the known folders; a missing folder lists as empty."""

    @abc.abstractmethod
    def read_bytes(self, f: ServerFile) -> bytes:
        """The complete content of a listed file (raises OSError when it cannot be read)."""


class StatsSource(abc.ABC):
    @abc.abstractmethod
    def open(self) -> contextlib.AbstractContextManager[SourceConnection]:
        """One connection for a batch of list/read calls."""

    @abc.abstractmethod
    def describe(self) -> str:
        """Where the files come from, for logs and metadata (no secrets)."""

    def list_files(self) -> list[ServerFile]:
        with self.open() as conn:
            return conn.list_files()

    def read_many(self, files: list[ServerFile]) -> Iterator[tuple[ServerFile, bytes | OSError]]:
        """Read several files over one connection; a failed read yields its OSError."""
        with self.open() as conn:
            for f in files:
                try:
                    yield f, conn.read_bytes(f)
                except OSError as e:
                    yield f, e
