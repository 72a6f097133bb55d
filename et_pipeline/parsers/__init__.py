"""Pure parsers for every file the game-server scripts write (no Dagster imports).

Each parser takes the file name and its bytes and returns typed rows, or raises
`ParseError` with a reason a person can act on. Nothing else may escape them.
"""
from et_pipeline.parsers.errors import ParseError

__all__ = ["ParseError"]
