"""The `StatsSource` interface: list the server's files cheaply, read the ones needed.

Listing never reads content (the sensor ticks on listings alone); reading goes through
one connection per use (`with source.open() as conn:`), so an SFTP tick costs one login.
"""
import abc
import contextlib
import time
from dataclasses import dataclass
from typing import Callable, Iterator

FOLDERS = ("gamestats", "gametimes")


class RefusedFile(OSError):
    """The server gave us something that is not a file the game wrote (larger than any it
    writes, a hard link to a file that may live outside the source): quarantined with
    this reason, never archived, not retried."""


SETTLE_SECONDS = 2.0     # a file changed this recently may still be being written
MAX_SETTLE_WAIT = 15.0   # then what still changes is left for the next run


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

    def problem(self) -> str | None:
        """Why this source cannot be what it should be, found without connecting (a local
        folder that is not a server's), or None; a remote one raises when it is used."""
        return None

    def list_files(self) -> list[ServerFile]:
        with self.open() as conn:
            return conn.list_files()

    def list_settled(self, clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep,
                     settle: float = SETTLE_SECONDS, max_wait: float = MAX_SETTLE_WAIT
                     ) -> tuple[list[ServerFile], set[str]]:
        """A listing in which no file is still being written, and the paths of those still
        changing after `max_wait` (left for the next run). A file is settled when its mtime
        is `settle` seconds old, or its size and mtime stayed the same for `settle` seconds
        of listings (a server clock ahead of ours). Lists once when nothing is recent."""
        with self.open() as conn:
            files, start = conn.list_files(), clock()
            seen = {f.path: ((f.size, f.mtime), start) for f in files}
            writing = {f.path for f in files if start - f.mtime < settle}
            while writing and clock() - start < max_wait:
                sleep(min(0.5, settle / 2))
                files, now = conn.list_files(), clock()
                for f in files:
                    state, since = seen.get(f.path, (None, now))
                    if state != (f.size, f.mtime):
                        seen[f.path] = ((f.size, f.mtime), now)
                        if now - f.mtime < settle:
                            writing.add(f.path)
                    elif now - since >= settle or now - f.mtime >= settle:
                        writing.discard(f.path)
                writing &= {f.path for f in files}
        return files, writing

    def read_many(self, files: list[ServerFile]) -> Iterator[tuple[ServerFile, bytes | OSError]]:
        """Read several files over one connection; a failed read yields its OSError."""
        with self.open() as conn:
            for f in files:
                try:
                    yield f, conn.read_bytes(f)
                except OSError as e:
                    yield f, e
