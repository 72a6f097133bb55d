"""A local folder in the CONTRACT layout: `<root>/gamestats/`, `<root>/gametimes/`."""
import contextlib
import os

from et_pipeline.sources.base import FOLDERS, ServerFile, SourceConnection, StatsSource


class _LocalConnection(SourceConnection):
    def __init__(self, root: str):
        self.root = root

    def list_files(self) -> list[ServerFile]:
        out = []
        for folder in FOLDERS:
            try:
                entries = os.scandir(os.path.join(self.root, folder))
            except (FileNotFoundError, NotADirectoryError):
                continue
            with entries:
                for e in entries:
                    if e.is_file(follow_symlinks=True):
                        st = e.stat()
                        out.append(ServerFile(folder, e.name, st.st_size, st.st_mtime))
        return out

    def read_bytes(self, f: ServerFile) -> bytes:
        with open(os.path.join(self.root, f.folder, f.name), "rb") as fh:
            return fh.read()


class LocalFolderSource(StatsSource):
    def __init__(self, root: str):
        self.root = os.path.abspath(root)

    @contextlib.contextmanager
    def open(self):
        yield _LocalConnection(self.root)

    def describe(self) -> str:
        return self.root
