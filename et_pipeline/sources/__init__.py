"""Where server files come from: the game server's `fs_game` folder, locally or over SFTP."""
from et_pipeline.sources.base import FOLDERS, ServerFile, SourceConnection, StatsSource
from et_pipeline.sources.errors import SourceURLError
from et_pipeline.sources.local import LocalFolderSource

__all__ = ["FOLDERS", "ServerFile", "SourceConnection", "StatsSource", "LocalFolderSource", "source_from_url",
           "unsupported_scheme"]


def unsupported_scheme(url: str) -> str | None:
    """Why `url` names no source this pipeline reads (ftp://, http://...), or None."""
    scheme = url.split("://", 1)[0] if "://" in url else None
    if scheme not in (None, "sftp", "file"):
        return "%s: only a local folder or sftp://user@host[:port]/path is supported" % url
    return None


def source_from_url(url: str, **sftp_options) -> StatsSource:
    """`/path`, `file:///path` or `sftp://user@host:port/path` (options: key_path, known_hosts, ...;
    an option given as None or "" is unset)."""
    sftp_options = {k: v for k, v in sftp_options.items() if v not in (None, "")}
    problem = unsupported_scheme(url)
    if problem:
        raise SourceURLError(problem)
    if url.startswith("sftp://"):
        from et_pipeline.sources.sftp import SFTPSource

        return SFTPSource.from_url(url, **sftp_options)
    if url.startswith("file://"):
        url = url[len("file://"):]
    return LocalFolderSource(url)
