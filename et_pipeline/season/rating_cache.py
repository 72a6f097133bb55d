"""The rating as it stood after a set of nights, kept in the database.

A night's map cards need the rating as it stood before the night (season.card). Replayed
from the first map, that grows with the archive: 6 s of CPU at 1,000 nights, in every
round's run of a live night. So the rating after the nights before a night is stored
once (by the first card of the night, or by the season build after the last night) and
continued from there: the same `Rater`, restored exactly (`Rater.to_state`), so a card
reads the same numbers either way.

What the stored rating is a function of, and so what it is keyed by (`token`): every
earlier night's data version (storage.season_state.versions_before: new whenever any
of a night's rows are replaced or forgotten, in the writer's own transaction, and never
reused), the rules, the rating's settings, and the code and libraries that turn the
nightly tables into a rating (a hash of those modules' source, read when this module is
first imported, and of numpy's, pandas' and Python's versions: an upgrade never reads a
rating an older version stored).
The token is read before the tables are, and again in the transaction that stores the
rating: stored only when no night changed in between (a night arriving or re-scored
while the rating was computed would otherwise be in a rating keyed without it). With the
rating goes the set of GUIDs flagged as bots on those nights (a GUID ever seen as a bot
is one everywhere: season.data).

Stored as numpy arrays and JSON (`np.savez`, read with `allow_pickle=False`): nothing
executable comes back out of the database.
"""
from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import logging
import sys
import time
import zipfile

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from et_pipeline.config import Rules
from et_pipeline.storage import dialects, schema as t
from et_pipeline.storage.database import SQLITE_BUSY_MS
from et_pipeline.storage.season_state import versions_before

# The modules a rating is computed by, from the nightly tables to the rater's state.
RATING_CODE = ("et_pipeline.config", "et_pipeline.season.data", "et_pipeline.season.model",
               "et_pipeline.season.ratings", "et_pipeline.season.beliefs", "et_pipeline.season.stopwatch_rating",
               "et_pipeline.domain.scoring", "et_pipeline.domain.timing", "et_pipeline.steps.scores")
# Snapshots kept, the least recently used dropped first. On a live night each round's
# season build stores one (after tonight's rounds so far: of no use to tonight's cards)
# while every round's cards read the one before tonight, which reading keeps.
KEEP = 4
AFTER_EVERY_NIGHT = "9999-12-31"    # versions_before it: every night there is
log = logging.getLogger(__name__)


def _fingerprint() -> str:
    """The rating's code (read when this module is imported, with the modules it names) and
    the libraries and Python it runs on."""
    import numpy
    import pandas

    digest = hashlib.sha256(" ".join([sys.version, numpy.__version__, pandas.__version__]).encode())
    for name in RATING_CODE:
        importlib.import_module(name)
        with open(importlib.util.find_spec(name).origin, "rb") as f:
            digest.update(name.encode() + b"\0" + f.read())
    return digest.hexdigest()


CODE_FINGERPRINT = _fingerprint()


def token(conn: Connection, night: str, rules: Rules) -> str:
    """The key of the rating after every night before `night` (AFTER_EVERY_NIGHT: all of them)."""
    from et_pipeline.season.ratings import DEFAULT

    digest = hashlib.sha256("\n".join([CODE_FINGERPRINT, repr(rules), repr(DEFAULT)]).encode())
    for date, version in versions_before(conn, night):
        digest.update(("%s=%s;" % (date, version)).encode())
    return digest.hexdigest()


def load(conn: Connection, key: str):
    """(the Rater, the bot GUIDs of its nights) stored under `key`, or None (also for a
    snapshot that does not decode: the card replays). Marks it used, without waiting for
    the database (`_mark_used`)."""
    import numpy as np

    from et_pipeline.season.ratings import Rater

    s = t.rating_snapshots
    row = conn.execute(select(s.c.state).where(s.c.token == key)).first()
    if row is None:
        return None
    try:
        with np.load(io.BytesIO(row.state), allow_pickle=False) as arrays:
            meta = json.loads(arrays["meta"].tobytes().decode())
            rater = Rater.from_state(meta["rater"], {"mean": arrays["mean"], "cov": arrays["cov"]})
        bots = frozenset(meta["bots"])
    except (ValueError, KeyError, TypeError, OSError, EOFError, zipfile.BadZipFile) as e:
        log.warning("rating store: snapshot %s does not decode (%s): replayed instead", key[:12], e)
        return None
    _best_effort("marking a snapshot used", lambda: _mark_used(conn.engine, key))
    return rater, bots


def _mark_used(engine, key: str) -> bool:
    """Its own short transaction (the card reads on a connection it never commits), which
    gives up at once when another writer holds the database: a card never waits for a
    season build or another date's step to mark its rating used."""
    s = t.rating_snapshots
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL lock_timeout = '200ms'")
        else:
            conn.exec_driver_sql("PRAGMA busy_timeout = 50")
        try:
            conn.execute(update(s).where(s.c.token == key).values(used_unix=time.time()))
        finally:
            if conn.dialect.name != "postgresql":
                conn.exec_driver_sql("PRAGMA busy_timeout = %d" % SQLITE_BUSY_MS)
    return True


def store(engine, key: str, night: str, rules: Rules, rater, bots) -> bool:
    """Keep `rater` (and its nights' bots) under `key`, the token of the nights before
    `night` read before the rating's tables were, if it still is; and the KEEP most recently
    used snapshots only. Its own transaction (the card reads on a connection it never commits).
    Whether it was kept."""
    import numpy as np

    meta, arrays = rater.to_state()
    text = json.dumps({"rater": meta, "bots": sorted(bots)}).encode()
    buffer = io.BytesIO()
    np.savez(buffer, meta=np.frombuffer(text, dtype=np.uint8), **arrays)
    s = t.rating_snapshots

    def keep() -> bool:
        with engine.begin() as conn:
            if token(conn, night, rules) != key:      # a night changed while the rating was computed
                return False
            conn.execute(dialects.insert(conn, s).values(token=key, state=buffer.getvalue(), used_unix=time.time())
                         .on_conflict_do_nothing(index_elements=[s.c.token]))
            newest = select(s.c.token).order_by(s.c.used_unix.desc()).limit(KEEP)
            conn.execute(delete(s).where(s.c.token != key, s.c.token.not_in(newest.scalar_subquery())))
        return True

    return _best_effort("the rating", keep)


def _best_effort(what: str, write) -> bool:
    """A write to the store never fails a night's cards or the season: a database that
    refuses it (two builds' deletes deadlocking on PostgreSQL, SQLite busy past its
    timeout) costs a replay later, nothing else."""
    try:
        return write()
    except SQLAlchemyError as e:
        log.warning("rating store: %s not kept (%s)", what, str(e).splitlines()[0][:200])
        return False
