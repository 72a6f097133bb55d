"""The rating before a night, kept in the database (season.rating_cache): restored, it
continues exactly as the replay from the first map; the map cards read the same numbers
from it; a night replaced or forgotten before it, a GUID first flagged as a bot, or a
different rule set is never answered from a stored rating; the season build leaves the
one the next night's cards start from."""
import dagster as dg
import numpy as np
import pytest
from sqlalchemy import delete, func, select

from et_pipeline.config import Rules
from et_pipeline.defs.resources import DatabaseResource, DiscordWebhook, RulesResource
from et_pipeline.defs.season_assets import SEASON_ASSETS
from et_pipeline.season import rating_cache, ratings
from et_pipeline.season.card import card_predictions
from et_pipeline.season.data import load_tables, map_games
from et_pipeline.season.ratings import Rater, rate
from et_pipeline.storage import schema as t
from et_pipeline.storage.database import make_engine, replace_partition
from et_pipeline.storage.registry import forget_dates
from et_pipeline.storage.season_state import mark_dates_changed
from et_pipeline_tests.pipeline_fixtures import Pipeline, ephemeral_instance
from et_pipeline_tests.season_fixtures import build_season_db, copy_db

NIGHTS, SEED = 8, 71        # edge cases on every night: omni-bots, reconnects, late joiners, 4 v 3


@pytest.fixture(scope="module")
def season_db(tmp_path_factory):
    db, truth, source = build_season_db(tmp_path_factory.mktemp("rating_cache"), NIGHTS, SEED)
    return db, sorted(n["date"] for n in truth["nights"]), source


@pytest.fixture
def season_dates(season_db):
    return season_db[1]


@pytest.fixture
def db(season_db, tmp_path):
    return copy_db(season_db[0], tmp_path / "copy.db")


def _cards(url: str, night: str, rules: Rules = Rules()) -> dict:
    with make_engine(url).connect() as conn:
        return card_predictions(conn, night, rules)


def _replayed(url: str, night: str, rules: Rules = Rules()) -> dict:
    """The cards with nothing stored: the rating replayed from the first map."""
    with make_engine(url).begin() as conn:
        conn.execute(delete(t.rating_snapshots))
    return _cards(url, night, rules)


def _stored(url: str) -> int:
    with make_engine(url).connect() as conn:
        return conn.execute(select(func.count()).select_from(t.rating_snapshots)).scalar()


class _NoReplay:
    def __init__(self, monkeypatch):
        monkeypatch.setattr(ratings, "rate", self)

    def __call__(self, *args, **kwargs):
        raise AssertionError("the rating was replayed: the stored one was not used")


def _same_state(a: Rater, b: Rater) -> None:
    (meta_a, arr_a), (meta_b, arr_b) = a.to_state(), b.to_state()
    assert meta_a == meta_b and list(meta_a["last_night"]) == list(meta_b["last_night"])   # order too
    for name in arr_a:
        assert np.array_equal(arr_a[name], arr_b[name]), name


def test_a_restored_rating_continues_exactly_as_the_replay(season_db):
    url, dates, _ = season_db
    games = map_games(load_tables(make_engine(url)))
    half = [g for g in games if g.date < dates[NIGHTS // 2]]
    assert half and len(half) < len(games)
    meta, arrays = rate(half).rater.to_state()
    restored = Rater.from_state(meta, arrays)
    for game in ratings.ordered(games)[len(half):]:
        restored.update(game)
    replayed = rate(games).rater
    _same_state(restored, replayed)
    assert {g: restored.rating(g) for g in replayed.players} == {g: replayed.rating(g) for g in replayed.players}


def test_every_nights_cards_are_the_same_from_the_stored_rating(db, season_dates, monkeypatch):
    assert _stored(db) == 0
    replayed = {night: _cards(db, night) for night in season_dates}     # each night's first: a replay, kept
    assert any(replayed.values())
    assert _stored(db) == rating_cache.KEEP
    _NoReplay(monkeypatch)
    for night in season_dates[-rating_cache.KEEP:]:          # the nights whose rating is still kept
        assert _cards(db, night) == replayed[night], night


def _earlier_night_rescored(url: str, night: str) -> None:
    """An earlier night's rows replaced through the one write path, every kill gone."""
    engine = make_engine(url)
    with engine.begin() as conn:
        p = t.player_round_stats
        rows = [dict(r._mapping) for r in conn.execute(select(p).where(p.c.session_date == night))]
        replace_partition(conn, p, [night], [dict(r, kills=0, deaths=r["deaths"] + 3) for r in rows])


def test_a_rescored_or_forgotten_earlier_night_is_not_read_from_the_store(db, season_dates):
    last = season_dates[-1]
    before = _cards(db, last)
    assert _cards(db, last) == before                        # stored, and read back
    _earlier_night_rescored(db, season_dates[2])
    rescored = _cards(db, last)
    assert rescored == _replayed(db, last) and rescored != before
    with make_engine(db).begin() as conn:
        forget_dates(conn, [season_dates[1]])
    forgotten = _cards(db, last)
    assert forgotten == _replayed(db, last) and forgotten != rescored


def test_other_rules_are_not_answered_by_the_rating_of_the_default_ones(db, season_dates):
    last = season_dates[-1]
    _cards(db, last)
    other = Rules(timezone="America/New_York")
    assert _cards(db, last, other) == _replayed(db, last, other)
    with make_engine(db).connect() as conn:
        assert rating_cache.token(conn, last, other) != rating_cache.token(conn, last, Rules())


def test_a_guid_first_flagged_as_a_bot_tonight_is_a_bot_on_the_earlier_nights_too(db, season_dates):
    """season.data: a GUID ever seen as a bot is one everywhere. A regular flagged as a
    bot on the last night changes the rating before it: the stored one is not used."""
    last = season_dates[-1]
    before = _cards(db, last)
    p = t.player_round_stats
    with make_engine(db).begin() as conn:
        regulars = conn.execute(select(p.c.guid).where(p.c.is_bot.is_(False), p.c.guid != "")
                                .group_by(p.c.guid).order_by(func.count(func.distinct(p.c.session_date)).desc(),
                                                             p.c.guid)).scalars().all()
        tonight = set(conn.execute(select(p.c.guid).where(p.c.session_date == last)).scalars())
        flagged = next(g for g in regulars if g in tonight)
        conn.execute(p.update().where(p.c.session_date == last, p.c.guid == flagged).values(is_bot=True))
    after = _cards(db, last)
    assert after == _replayed(db, last) and after != before


@pytest.mark.system   # a season and the next night's runs
def test_the_season_build_leaves_the_rating_the_next_nights_cards_start_from(season_db, tmp_path, monkeypatch):
    """Nights 1..N-1 and their season, then night N arrives: its map cards continue from
    the season's rating (never replayed) and read what a replay reads."""
    url, dates, source = season_db
    db = "sqlite:///%s" % (tmp_path / "et.db")
    resources = {"database": DatabaseResource(url=db), "rules": RulesResource(), "discord": DiscordWebhook(mode="off")}
    with ephemeral_instance() as instance:
        pipe = Pipeline(source, db, tmp_path / "out", instance, publish="off")
        assert pipe.materialize(dates[:-1]).success
        assert dg.materialize(SEASON_ASSETS, instance=instance, resources=resources).success
        assert _stored(db) == 1
        with make_engine(db).connect() as conn:        # what the night's run will ask for
            key = rating_cache.token(conn, dates[-1], Rules())
            assert rating_cache.load(conn, key) is not None
        with monkeypatch.context() as m:
            _NoReplay(m)
            night = Pipeline(source, db, tmp_path / "out", instance, publish="dry-run")
            assert night.materialize(dates[-1:]).success           # its map cards: no replay
            from_season = _cards(db, dates[-1])
    assert from_season and from_season == _replayed(db, dates[-1])


def test_a_database_archived_before_the_night_versions_gets_one_for_every_night(tmp_path):
    """The migration that adds them: every date already archived gets its first version,
    so forgetting it later changes what is keyed on it."""
    from alembic import command

    from et_pipeline.storage.database import alembic_config, ensure_schema
    from et_pipeline.storage.season_state import versions_before

    engine = make_engine("sqlite:///%s" % (tmp_path / "old.db"))
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0005_i23_community")
        conn.execute(t.partition_state.insert(), [dict(session_date=d, fingerprint="f", file_count=1, completed=True)
                                                  for d in ("2026-01-05", "2026-01-12")])
    ensure_schema(engine)
    with engine.begin() as conn:
        assert [d for d, _ in versions_before(conn, "2026-02-01")] == ["2026-01-05", "2026-01-12"]
        key = rating_cache.token(conn, "2026-02-01", Rules())
        forget_dates(conn, ["2026-01-05"])
        assert rating_cache.token(conn, "2026-02-01", Rules()) != key


@pytest.mark.parametrize("engine_name", ["sqlite", "postgresql"])
def test_the_store_keeps_the_newest_snapshots_and_gives_each_back_as_it_was(engine_name, season_db, tmp_path,
                                                                              request):
    from et_pipeline.storage.database import ensure_schema

    url = "sqlite:///%s" % (tmp_path / "s.db") if engine_name == "sqlite" else request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    ensure_schema(engine)
    games = map_games(load_tables(make_engine(season_db[0])))
    raters = [rate(games[:n]).rater for n in range(1, rating_cache.KEEP + 3)]
    nights = ["2026-01-%02d" % (i + 1) for i in range(len(raters))]
    keys = []
    for i, (night, rater) in enumerate(zip(nights, raters)):
        with engine.begin() as conn:
            mark_dates_changed(conn, [night])               # a night each, so each key is a new one
            keys.append(rating_cache.token(conn, "2027-01-01", Rules()))
        assert rating_cache.store(engine, keys[-1], "2027-01-01", Rules(), rater, {"OMNIBOT%d" % i})
        assert rating_cache.store(engine, keys[-1], "2027-01-01", Rules(), rater, {"OMNIBOT%d" % i})  # the first stays
    with engine.begin() as conn:
        kept = [i for i in range(len(raters)) if rating_cache.load(conn, keys[i]) is not None]
        assert kept == list(range(len(raters)))[-rating_cache.KEEP:]
        for i in kept:
            rater, bots = rating_cache.load(conn, keys[i])
            _same_state(rater, raters[i])
            assert bots == {"OMNIBOT%d" % i}
        mark_dates_changed(conn, [nights[0]])            # a night changed since the key was read
    assert not rating_cache.store(engine, keys[-1], "2027-01-01", Rules(), raters[-1], set())
    engine.dispose()


def _night_by_night(source, db, out, instance, dates):
    return Pipeline(source, db, out, instance, publish="off").materialize(dates)


@pytest.mark.system   # a season build raced by a night's run
def test_a_night_arriving_while_the_season_is_built_is_not_in_a_rating_keyed_without_it(season_db, tmp_path,
                                                                                         monkeypatch):
    """The season build reads the key, then (waiting for the season lock, loading) the
    next night's first run commits: the rating it computed holds that night, so it is not
    kept under the key that night's cards ask for."""
    from et_pipeline.defs import season_assets

    url, dates, source = season_db
    db = "sqlite:///%s" % (tmp_path / "et.db")
    resources = {"database": DatabaseResource(url=db), "rules": RulesResource(), "discord": DiscordWebhook(mode="off")}
    with ephemeral_instance() as instance:
        assert _night_by_night(source, db, tmp_path / "out", instance, dates[:-1]).success
        rebuild = season_assets._rebuild

        def night_arrives_first(*args, **kwargs):
            assert _night_by_night(source, db, tmp_path / "out", instance, dates[-1:]).success
            return rebuild(*args, **kwargs)

        monkeypatch.setattr(season_assets, "_rebuild", night_arrives_first)
        assert dg.materialize(SEASON_ASSETS, instance=instance, resources=resources).success
    assert _stored(db) == 0
    assert _cards(db, dates[-1]) == _replayed(db, dates[-1])


def test_an_earlier_night_arriving_while_a_card_replays_is_never_read_back(season_db, tmp_path, monkeypatch):
    """A card reads the key, then an earlier night M is archived for the first time (another
    date's run) before its replay loads the tables: that rating holds M and is not kept
    under the key without M, which a later `forget` of M would make current again."""
    from et_pipeline.season import data

    url, dates, source = season_db
    m, night = dates[2], dates[-1]
    db = "sqlite:///%s" % (tmp_path / "et.db")
    with ephemeral_instance() as instance:
        assert _night_by_night(source, db, tmp_path / "out", instance, [d for d in dates if d != m]).success
        load, arrived = data.load_tables, []

        def m_arrives_first(conn, *args, **kwargs):
            if not arrived and "dates" not in kwargs:
                arrived.append(m)
                assert _night_by_night(source, db, tmp_path / "out", instance, [m]).success
            return load(conn, *args, **kwargs)

        with make_engine(db).connect() as conn:
            without_m = rating_cache.token(conn, night, Rules())
        monkeypatch.setattr(data, "load_tables", m_arrives_first)
        _cards(db, night)
        monkeypatch.setattr(data, "load_tables", load)
    assert arrived and _stored(db) == 0
    with make_engine(db).begin() as conn:
        forget_dates(conn, [m])
        assert rating_cache.token(conn, night, Rules()) != without_m     # a forgotten night leaves its mark
    assert _cards(db, night) == _replayed(db, night)


def _relink(conn, night: str, link) -> None:
    """Replace the night's timing links, `link(rows)` deciding them."""
    lua = t.lua_round_teams
    rows = [dict(x._mapping) for x in conn.execute(select(lua).where(lua.c.session_date == night)
                                                   .order_by(lua.c.source))]
    replace_partition(conn, lua, [night], link(rows))


def test_a_timing_row_linked_to_a_round_of_an_earlier_night_is_never_answered_from_the_store(db, season_dates):
    """A run over a range of dates links a timing file to the nearest round in the range,
    another date's included (steps.links): the rating before the night then depends on the
    night's own rows, so the one kept before the link was made is not the replay's."""
    last, earlier = season_dates[-1], season_dates[-2]
    engine = make_engine(db)
    with engine.begin() as conn:                     # an earlier round whose own timing file is unlinked
        linked = [r for r in conn.execute(select(t.lua_round_teams.c.round_key).where(
            t.lua_round_teams.c.session_date == earlier, t.lua_round_teams.c.round_key.is_not(None))).scalars()]
        target = linked[0]
        _relink(conn, earlier, lambda rows: [dict(r, round_key=None) if r["round_key"] == target else r
                                             for r in rows])
    kept = _cards(db, last)                          # the rating before the last night, kept
    assert _stored(db) == 1
    with engine.begin() as conn:                     # tonight's first linked timing file, linked across
        def across(rows):
            first = next(r for r in rows if r["round_key"] is not None)
            return [dict(r, round_key=target) if r is first else r for r in rows]
        _relink(conn, last, across)
    now = _cards(db, last)
    assert now == _replayed(db, last) and now != kept


def test_a_live_nights_season_builds_do_not_push_out_the_rating_its_cards_read(db, season_dates, monkeypatch):
    """Each round's run is followed by a season build, which keeps the rating after
    tonight's rounds so far (no use to tonight's cards); the cards of every round read the
    one before tonight, and reading it keeps it."""
    last = season_dates[-1]
    cards = _cards(db, last)                                     # the night's first round: kept
    engine = make_engine(db)
    rater = rate(map_games(load_tables(engine))).rater
    _NoReplay(monkeypatch)
    for _ in range(3 * rating_cache.KEEP):
        with engine.begin() as conn:
            mark_dates_changed(conn, [last])                     # the next round's run
            key = rating_cache.token(conn, rating_cache.AFTER_EVERY_NIGHT, Rules())
        assert rating_cache.store(engine, key, rating_cache.AFTER_EVERY_NIGHT, Rules(), rater, set())   # its season
        assert _cards(db, last) == cards
    assert _stored(db) == rating_cache.KEEP


def test_a_store_the_database_refuses_costs_a_replay_not_the_cards(db, season_dates):
    """Writing to the store is best effort: a deadlock or a busy database there must not
    fail a round's post (the cards are the replay's, nothing is kept, the next run tries
    again)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.exc import OperationalError

    def refuse(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("INSERT INTO RATING_SNAPSHOTS", "UPDATE RATING_SNAPSHOTS")):
            raise OperationalError(statement, parameters, Exception("deadlock detected"))

    last = season_dates[-1]
    want = _replayed(db, last)
    with make_engine(db).begin() as conn:
        conn.execute(delete(t.rating_snapshots))
    event.listen(Engine, "before_cursor_execute", refuse)
    try:
        assert _cards(db, last) == want and _stored(db) == 0          # the replay, not kept
    finally:
        event.remove(Engine, "before_cursor_execute", refuse)
    assert _cards(db, last) == want and _stored(db) == 1
    event.listen(Engine, "before_cursor_execute", refuse)
    try:
        assert _cards(db, last) == want                                 # read, but not marked used
    finally:
        event.remove(Engine, "before_cursor_execute", refuse)


def test_a_snapshot_that_does_not_decode_is_replayed(db, season_dates):
    last = season_dates[-1]
    want = _cards(db, last)
    with make_engine(db).begin() as conn:
        conn.execute(t.rating_snapshots.update().values(state=b"PK\x03\x04 not what was stored"))
    assert _cards(db, last) == want


def test_a_snapshot_just_stored_is_kept_whatever_this_hosts_clock_says(db, season_dates, monkeypatch):
    """Several hosts may share one PostgreSQL: a clock behind the others must not make a
    store drop the very snapshot it keeps."""
    for night in season_dates[-rating_cache.KEEP:]:
        _cards(db, night)
    assert _stored(db) == rating_cache.KEEP
    monkeypatch.setattr(rating_cache.time, "time", lambda: 1.0)       # long before the others
    night = season_dates[-rating_cache.KEEP - 1]
    want = _cards(db, night)
    with make_engine(db).connect() as conn:
        assert rating_cache.load(conn, rating_cache.token(conn, night, Rules())) is not None
    assert _cards(db, night) == want
