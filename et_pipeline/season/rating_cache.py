"""The rating as it stood after a set of nights, kept in the database.

A night's map cards need the rating as it stood before the night (season.card). Replayed
from the first map, that grows with the archive: 6 s of CPU at 1,000 nights, in every
round's run of a live night. So the rating after the nights before a night is stored
once (by the first card of the night, or by the season build after the last night) and
continued from there: the same `Rater`, restored exactly (`Rater.to_state`), so a card
reads the same numbers either way.

What the stored rating is a function of, and so what it is keyed by (`token`): every
earlier night's data version (storage.season_state.versions_before: new whenever any
of a night's rows are replaced, gone when it is forgotten), the rules, the rating's
settings, and the code that turns the nightly tables into a rating (a hash of those
modules' source, so an upgrade never reads a rating an older version stored). The token
is read before the tables are: a night replaced meanwhile leaves a stored rating under a
token nobody asks for again, never a stale rating under a current one. With the rating
goes the set of GUIDs flagged as bots on those nights (a GUID ever seen as a bot is one
everywhere: season.data).

Stored as numpy arrays and JSON (`np.savez`, read with `allow_pickle=False`): nothing
executable comes back out of the database.
"""
from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import time
from functools import cache

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from et_pipeline.config import Rules
from et_pipeline.storage import schema as t
from et_pipeline.storage.season_state import versions_before

# The modules a rating is computed by, from the nightly tables to the rater's state.
RATING_CODE = ("et_pipeline.season.data", "et_pipeline.season.model", "et_pipeline.season.ratings",
               "et_pipeline.season.beliefs", "et_pipeline.season.stopwatch_rating", "et_pipeline.domain.scoring",
               "et_pipeline.domain.timing", "et_pipeline.steps.scores")
KEEP = 4                  # snapshots kept: the last few nights' (a re-scored night asks for an older one again)
AFTER_EVERY_NIGHT = "9999-12-31"    # versions_before it: every night there is


@cache
def code_fingerprint() -> str:
    digest = hashlib.sha256()
    for name in RATING_CODE:
        with open(importlib.util.find_spec(name).origin, "rb") as f:
            digest.update(name.encode() + b"\0" + f.read())
    return digest.hexdigest()


def token(conn: Connection, night: str, rules: Rules) -> str:
    """The key of the rating after every night before `night` (AFTER_EVERY_NIGHT: all of them)."""
    from et_pipeline.season.ratings import DEFAULT

    digest = hashlib.sha256("\n".join([code_fingerprint(), repr(rules), repr(DEFAULT)]).encode())
    for date, version in versions_before(conn, night):
        digest.update(("%s=%s;" % (date, version)).encode())
    return digest.hexdigest()


def load(conn: Connection, key: str):
    """(the Rater, the bot GUIDs of its nights) stored under `key`, or None."""
    import numpy as np

    from et_pipeline.season.ratings import Rater

    blob = conn.execute(select(t.rating_snapshots.c.state).where(t.rating_snapshots.c.token == key)).scalar()
    if blob is None:
        return None
    with np.load(io.BytesIO(blob), allow_pickle=False) as arrays:
        meta = json.loads(arrays["meta"].tobytes().decode())
        rater = Rater.from_state(meta["rater"], {"mean": arrays["mean"], "cov": arrays["cov"]})
    return rater, frozenset(meta["bots"])


def store(engine, key: str, rater, bots) -> None:
    """Keep `rater` (and its nights' bots) under `key`, and the KEEP newest snapshots only.
    Its own transaction: the card reads on a connection that is never committed."""
    import numpy as np

    meta, arrays = rater.to_state()
    text = json.dumps({"rater": meta, "bots": sorted(bots)}).encode()
    buffer = io.BytesIO()
    np.savez(buffer, meta=np.frombuffer(text, dtype=np.uint8), **arrays)
    s = t.rating_snapshots
    with engine.begin() as conn:
        insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(s)
        conn.execute(insert.values(token=key, state=buffer.getvalue(), made_unix=time.time())
                     .on_conflict_do_nothing(index_elements=[s.c.token]))
        newest = select(s.c.token).order_by(s.c.made_unix.desc()).limit(KEEP)
        conn.execute(delete(s).where(s.c.token.not_in(newest.scalar_subquery())))
