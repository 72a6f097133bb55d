"""Two season builds at once (the daemon's automation beside an `et-pipeline run`, two
concurrent runs on PostgreSQL) each replace every season table whole: on PostgreSQL the
second one's delete did not see the rows the first one inserted, and its insert then hit
them (`UniqueViolation`, 5 of 5 pairs). A season build now holds a lock of its own from
reading the nights' token to its last write (on SQLite its single writer serialises the
two replaces anyway, so only PostgreSQL can show the fault)."""
import threading

from et_pipeline.defs.season_assets import _rebuild
from et_pipeline.storage.database import ensure_schema, make_engine


def _players(n: int) -> dict[str, list[dict]]:
    return {"season_players": [dict(guid="%08X" % i, name="p%d" % i, aliases="[]", is_bot=False,
                                    first_seen="2026-01-01", last_seen="2026-01-02", nights=1, rounds=2)
                               for i in range(n)]}


def test_two_season_builds_at_once_on_postgresql(postgres_url):
    engine = make_engine(postgres_url)
    ensure_schema(engine)
    rows = _players(3000)
    _rebuild(engine, lambda: None, lambda _: rows)
    errors = []
    for _ in range(5):
        start = threading.Barrier(2)

        def build():
            start.wait()
            try:
                _rebuild(engine, lambda: None, lambda _: rows)
            except Exception as e:      # noqa: BLE001 (the failure is what the test counts)
                errors.append(type(e).__name__ + ": " + str(e).splitlines()[0])
        threads = [threading.Thread(target=build) for _ in range(2)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    assert errors == []
