"""Two season builds at once (the daemon's automation beside an `et-pipeline run`, two
concurrent runs on PostgreSQL) each replace every season table whole: on PostgreSQL the
second one's delete does not see the rows the first one inserted, and its insert then hit
them (`UniqueViolation`). The season is built under one lock of its own."""
import threading

from et_pipeline.defs.season_assets import _replace
from et_pipeline.storage.database import ensure_schema, make_engine


def _players(n: int) -> dict[str, list[dict]]:
    return {"season_players": [dict(guid="%08X" % i, name="p%d" % i, aliases="[]", is_bot=False,
                                    first_seen="2026-01-01", last_seen="2026-01-02", nights=1, rounds=2)
                               for i in range(n)]}


def _builds_at_once(db: str, pairs: int) -> list[str]:
    engine = make_engine(db)
    ensure_schema(engine)
    rows = _players(3000)
    _replace(engine, rows, None)
    errors = []
    for _ in range(pairs):
        start = threading.Barrier(2)

        def build():
            start.wait()
            try:
                _replace(engine, rows, None)
            except Exception as e:      # noqa: BLE001 (the failure is what the test counts)
                errors.append(type(e).__name__ + ": " + str(e).splitlines()[0])
        threads = [threading.Thread(target=build) for _ in range(2)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    return errors


def test_two_season_builds_at_once_on_postgresql(postgres_url):
    assert _builds_at_once(postgres_url, 5) == []


def test_two_season_builds_at_once_on_sqlite(tmp_path):
    assert _builds_at_once("sqlite:///%s" % (tmp_path / "et.db"), 3) == []
