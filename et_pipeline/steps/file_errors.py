"""Name the file when processing it fails in a way no parser foresaw.

A `ParseError` is a quarantine reason and passes through; anything else (a bug, a
resource running out) still fails the date, but the error says which file, so the
`FAILED` line of `et-pipeline run` points at it. The original exception stays attached
as the context (Dagster shows its traceback), not as the cause, so the one-line summary
is this message.
"""
import contextlib

from et_pipeline.parsers.errors import ParseError


class FileFailure(RuntimeError):
    """Processing one file failed unexpectedly; the message starts with its path."""


@contextlib.contextmanager
def about_file(path: str):
    try:
        yield
    except (ParseError, FileFailure):
        raise
    except Exception as e:
        raise FileFailure("%s: %s: %s" % (path, type(e).__name__, str(e).splitlines()[0] if str(e) else ""))
