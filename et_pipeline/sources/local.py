"""A local folder in the CONTRACT layout: `<root>/gamestats/`, `<root>/gametimes/`.

Only regular files inside the root are listed and read: a symbolic link (to
`/etc/passwd`, to another server's folder) is neither followed nor archived, and a
folder that resolves outside the root is skipped. Reads open with `O_NOFOLLOW` and check
the opened file, so a file swapped for a link after listing is refused too, and so is a
hard link (its other name may be anywhere on the disk) and a file over the size cap,
however large the listing said it was.
"""
import contextlib
import errno
import glob
import os
import stat

from et_pipeline.parsers.bounds import MAX_FILE_BYTES, oversized
from et_pipeline.sources.base import FOLDERS, RefusedFile, ServerFile, SourceConnection, StatsSource


class _LocalConnection(SourceConnection):
    def __init__(self, root: str):
        self.root = root

    def _folder(self, folder: str) -> str | None:
        """The folder's path if it really lies inside the root (no link out of it)."""
        path = os.path.join(self.root, folder)
        real_root = os.path.realpath(self.root)
        if os.path.commonpath([os.path.realpath(path), real_root]) != real_root:
            return None
        return path

    def list_files(self) -> list[ServerFile]:
        out = []
        for folder in FOLDERS:
            path = self._folder(folder)
            if path is None:
                continue
            try:
                entries = os.scandir(path)
            except (FileNotFoundError, NotADirectoryError):
                continue
            with entries:
                for e in entries:
                    if e.is_file(follow_symlinks=False):
                        st = e.stat(follow_symlinks=False)
                        out.append(ServerFile(folder, e.name, st.st_size, st.st_mtime))
        return out

    def read_bytes(self, f: ServerFile) -> bytes:
        path = self._folder(f.folder) if f.folder in FOLDERS else None
        if path is None or "/" in f.name or f.name in ("", ".", ".."):
            raise OSError(errno.EACCES, "not a file inside the source folder", f.path)
        fd = os.open(os.path.join(path, f.name), os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise OSError(errno.EINVAL, "not a regular file", f.path)
            if st.st_nlink > 1:     # another name of it may lie outside the root (another server's file)
                raise RefusedFile(errno.EPERM, "a hard link (%d names of one file): the game writes none, and its "
                                               "other name may lie outside the source folder" % st.st_nlink, f.path)
            data = fh.read(MAX_FILE_BYTES + 1)       # the cap holds while reading: the file may have grown
            too_big = oversized(max(st.st_size, len(data)), at_least=len(data) > MAX_FILE_BYTES)
            if too_big:
                raise RefusedFile(errno.EFBIG, too_big, f.path)
            return data


def folder_problem(path: str) -> str | None:
    """Why a local source is not a server folder (no gamestats/), with a hint where it might
    be; None when it is one. The command refuses to run on it, the sensor says it each tick."""
    if os.path.isdir(os.path.join(path, "gamestats")):
        return None
    if not os.path.isdir(path):
        return "source folder %s does not exist" % path
    near = sorted(os.path.dirname(p) for pattern in ("*", os.path.join("*", "*"))
                  for p in glob.glob(os.path.join(glob.escape(path), pattern, "gamestats")))
    hint = ("did you mean %s?" % " or ".join(near[:3]) if near else
            "it should be the server's fs_game folder (legacy/ on ET:Legacy) holding gamestats/ and gametimes/")
    what = "is empty" if not os.listdir(path) else "has no gamestats/ folder"
    return "source folder %s %s; %s" % (path, what, hint)


class LocalFolderSource(StatsSource):
    def __init__(self, root: str):
        self.root = os.path.abspath(root)

    def problem(self) -> str | None:
        return folder_problem(self.root)

    @contextlib.contextmanager
    def open(self):
        yield _LocalConnection(self.root)

    def describe(self) -> str:
        return self.root
