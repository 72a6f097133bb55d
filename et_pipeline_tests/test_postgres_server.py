"""The PostgreSQL fixture gives a real, empty database, and the storage layer works on it."""
import sqlalchemy as sa

from et_pipeline.storage.database import make_engine, replace_partition
from et_pipeline.storage.schema import metadata, sessions


def _session(sid: str, date: str) -> dict:
    return {"session_id": sid, "session_date": date, "start": date + " 21:00:00",
            "end": date + " 23:30:00", "round_count": 12}


def test_fixture_gives_an_empty_postgresql_database(postgres_url):
    engine = make_engine(postgres_url)
    try:
        with engine.connect() as conn:
            assert conn.dialect.name == "postgresql"
            assert conn.execute(sa.text("SHOW server_version")).scalar().split(".")[0].isdigit()
            assert sa.inspect(conn).get_table_names() == []
    finally:
        engine.dispose()


def test_schema_is_created_and_rows_round_trip(postgres_url):
    engine = make_engine(postgres_url)
    try:
        metadata.create_all(engine)
        assert set(sa.inspect(engine).get_table_names()) == set(metadata.tables)
        with engine.begin() as conn:
            conn.execute(sessions.insert(), [_session("2025-02-20-1", "2025-02-20")])
        with engine.connect() as conn:
            row = conn.execute(sa.select(sessions)).mappings().one()
        assert dict(row) == _session("2025-02-20-1", "2025-02-20")
    finally:
        engine.dispose()


def test_replace_partition_touches_only_its_partition(postgres_url):
    engine = make_engine(postgres_url)
    try:
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(sessions.insert(), [
                _session("2025-02-20-1", "2025-02-20"),
                _session("2025-02-20-2", "2025-02-20"),
                _session("2025-02-21-1", "2025-02-21"),
            ])
        with engine.begin() as conn:
            n = replace_partition(conn, sessions, ["2025-02-20"], [_session("2025-02-20-9", "2025-02-20")])
        assert n == 1
        with engine.connect() as conn:
            ids = conn.execute(sa.select(sessions.c.session_id).order_by(sessions.c.session_id)).scalars().all()
        assert ids == ["2025-02-20-9", "2025-02-21-1"]

        # a failure inside the transaction leaves the partition as it was
        try:
            with engine.begin() as conn:
                replace_partition(conn, sessions, ["2025-02-21"], [])
                raise RuntimeError("asset failed half-way")
        except RuntimeError:
            pass
        with engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(sessions)).scalar() == 2
    finally:
        engine.dispose()


def test_each_test_gets_its_own_database(postgres_server, postgres_url):
    other = postgres_server.create_database("test_other_db")
    assert other != postgres_url and other.endswith("/test_other_db")
    engine = make_engine(other)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT current_database()")).scalar() == "test_other_db"
    finally:
        engine.dispose()
        postgres_server.drop_database("test_other_db")
