"""Session graphs drawn only when the data they show changed (issue 15 §2).

Drawing the PNGs was most of a dry-run backfill. The cache sits AROUND the drawing call
(`graphs.session_graphs`), never inside it: its key is a hash of the session data, of
the drawing code (graphs.py's source) and of the matplotlib version, so a re-score that
changes no data draws nothing, and a change to how graphs look redraws them all. One
entry per session under the out folder (`<out>/.graph-cache/`), replaced when the data
changes, so the cache is as large as the session count, not the history of changes.

Misses of several sessions are drawn in parallel worker processes (matplotlib holds the
GIL); a hit never imports matplotlib.
"""
from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Callable, Iterable

from et_pipeline.settings import settings_from_env

_POOL: ProcessPoolExecutor | None = None
_POOL_SIZE = 0


DRAWING_MODULES = ("et_pipeline.publish.graphs", "et_pipeline.publish.colours", "et_pipeline.numbers")


def _code_identity() -> bytes:
    """The drawing code: graphs.py and the colours and number formats it draws with."""
    h = hashlib.sha256()
    for name in DRAWING_MODULES:
        spec = importlib.util.find_spec(name)
        h.update(Path(spec.origin).read_bytes() if spec and spec.origin else b"")
    return h.digest() + importlib.metadata.version("matplotlib").encode()


_CODE = _code_identity()


def data_key(session: dict) -> str:
    """What the graphs of `session` depend on: its data and the drawing code."""
    h = hashlib.sha256(_CODE)
    h.update(json.dumps(session, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode())
    return h.hexdigest()


def _draw_in_worker(session: dict) -> list[dict]:
    from dataclasses import asdict

    from et_pipeline.publish import graphs

    return [asdict(g) for g in graphs.session_graphs(session)]


def _draw_default(session: dict) -> list:
    from et_pipeline.publish import graphs

    return graphs.session_graphs(session)


def _pool(workers: int) -> ProcessPoolExecutor:
    """One pool per process, reused by every run in it (`et-pipeline run` runs chunks in
    one process); forkserver, so workers never inherit Dagster's threads."""
    global _POOL, _POOL_SIZE
    if _POOL is None or _POOL_SIZE != workers:
        import multiprocessing

        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["et_pipeline.publish.graphs"])
        if _POOL is not None:
            _POOL.shutdown()
        _POOL, _POOL_SIZE = ProcessPoolExecutor(max_workers=workers, mp_context=ctx), workers
    return _POOL


def _png_name(key: str, index: int) -> str:
    return "%s-%d.png" % (key[:16], index)


def default_workers() -> int:
    workers = settings_from_env().graph_workers
    if workers is not None:
        return workers
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


class GraphCache:
    """`session_graphs(session)` with the same answer as `graphs.session_graphs`, drawn
    at most once per distinct data. `drawn` / `hits` count sessions."""

    def __init__(self, folder, draw: Callable[[dict], list] | None = None, workers: int | None = None):
        self.folder = Path(folder)
        self.draw = draw
        self.workers = default_workers() if workers is None else workers
        self.drawn = 0
        self.hits = 0

    def _entry(self, session: dict) -> Path:
        sid = str(session.get("session_id") or session.get("date") or "session")
        return self.folder / hashlib.sha256(sid.encode()).hexdigest()[:24]

    def _load(self, session: dict, key: str) -> list | None:
        entry = self._entry(session)
        try:
            meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
            if meta.get("key") != key:
                return None
            return [SimpleNamespace(**g, png=(entry / _png_name(key, i)).read_bytes())
                    for i, g in enumerate(meta["graphs"])]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _store(self, session: dict, key: str, drawn: list) -> None:
        """Keep the drawn graphs; a graph that cannot be kept is simply drawn again next time."""
        fields = [dict(vars(g)) if not isinstance(g, dict) else dict(g) for g in drawn]
        pngs = [f.pop("png") for f in fields]
        try:
            meta = json.dumps({"key": key, "graphs": fields}, ensure_ascii=False)
        except (TypeError, ValueError):
            return
        entry = self._entry(session)
        names = {_png_name(key, i) for i in range(len(pngs))}
        try:                                   # an unwritable out folder must not stop publishing
            entry.mkdir(parents=True, exist_ok=True)
            for i, png in enumerate(pngs):
                (entry / _png_name(key, i)).write_bytes(png)
            fd, tmp = tempfile.mkstemp(dir=entry, prefix=".meta-")
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(meta)
            os.replace(tmp, entry / "meta.json")   # the entry counts only once its PNGs are written
            for old in entry.glob("*.png"):        # PNGs of older data (named by their key, so a
                if old.name not in names:          # concurrent writer never mixes two versions)
                    old.unlink(missing_ok=True)
        except OSError:
            return

    def prepare(self, sessions: Iterable[dict]) -> None:
        """Draw every session whose data changed, in parallel when there are several."""
        misses = [(s, data_key(s)) for s in sessions]
        misses = [(s, k) for s, k in misses if self._load(s, k) is None]
        if len(misses) < 2 or self.workers < 2 or self.draw is not None:
            for s, k in misses:
                self._store(s, k, (self.draw or _draw_default)(s))
                self.drawn += 1
            return
        pool = _pool(min(self.workers, len(misses)))
        for (s, k), drawn in zip(misses, pool.map(_draw_in_worker, [s for s, _ in misses])):
            self._store(s, k, drawn)
            self.drawn += 1

    def session_graphs(self, session: dict) -> list:
        key = data_key(session)
        cached = self._load(session, key)
        if cached is not None:
            self.hits += 1
            return cached
        drawn = (self.draw or _draw_default)(session)
        self._store(session, key, drawn)
        self.drawn += 1
        return drawn

    def previous(self, session: dict) -> list | None:
        """The graphs last stored for this session when they are out of date, else None."""
        entry = self._entry(session)
        try:
            meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        key = meta.get("key")
        return None if key == data_key(session) else self._load(session, key)


def publish_through_cache(session: dict, cache: GraphCache, *, mode: str, message_kwargs: dict | None = None,
                          **publish_kwargs) -> list:
    """Publish `session` with its graphs drawn through `cache`; returns the summaries.

    Live, when the data changed since the graphs were last drawn: publish first with the
    graphs as they were (the new round's message goes out at once, graph messages are
    unchanged and skipped), then draw and publish again (only the graph messages are
    edited). A player sees the round seconds earlier; Discord gets no extra request.
    `message_kwargs` go to `build_messages` (details thread, admins' facts)."""
    from et_pipeline.publish.embeds import build_messages
    from et_pipeline.publish.publisher import publish_session

    summaries = []
    stale = cache.previous(session) if mode == "live" and session.get("players") else None
    if stale is not None:
        summaries.append(publish_session(session, mode=mode, **publish_kwargs,
                                         messages=build_messages(session, **(message_kwargs or {}),
                                                                 draw_graphs=lambda _s: stale)))
    summaries.append(publish_session(session, mode=mode, **publish_kwargs,
                                     messages=build_messages(session, **(message_kwargs or {}),
                                                                 draw_graphs=cache.session_graphs)))
    return summaries
