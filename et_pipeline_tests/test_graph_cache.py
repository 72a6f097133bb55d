"""Graphs are drawn only when the data they show changed (issue 15 §2): a cache keyed by
a hash of the session data (not the image), around the drawing calls."""
import copy

from et_pipeline.publish import graphs
from et_pipeline.publish.graph_cache import GraphCache, data_key
from et_pipeline_tests.pipeline_fixtures import Pipeline

DATE = "2026-02-05"


class Counting:
    """The real drawing function, counting its calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self, session):
        self.calls += 1
        return graphs.session_graphs(session)


def test_same_data_is_drawn_once_and_gives_the_same_bytes(session, tmp_path):
    draw = Counting()
    first = GraphCache(tmp_path / "cache", draw=draw).session_graphs(session)
    again = GraphCache(tmp_path / "cache", draw=draw).session_graphs(copy.deepcopy(session))  # a new process
    assert draw.calls == 1
    assert [(g.name, g.title, g.filename, g.png) for g in again] == [(g.name, g.title, g.filename, g.png) for g in first]


def test_changed_data_is_drawn_again(session, tmp_path):
    draw = Counting()
    cache = GraphCache(tmp_path / "cache", draw=draw)
    cache.session_graphs(session)
    changed = copy.deepcopy(session)
    changed["players"][0]["kills"] = (changed["players"][0].get("kills") or 0) + 7
    assert data_key(changed) != data_key(session)
    cache.session_graphs(changed)
    assert draw.calls == 2
    cache.session_graphs(changed)
    assert draw.calls == 2 and cache.drawn == 2 and cache.hits == 1


def test_drawing_several_sessions_in_parallel_gives_the_same_bytes(session, tmp_path):
    other = copy.deepcopy(session)
    other["session_id"], other["date"] = "other", "2026-02-12"
    cache = GraphCache(tmp_path / "cache", workers=2)
    cache.prepare([session, other])
    assert cache.drawn == 2
    sequential = [graphs.session_graphs(s) for s in (session, other)]
    assert [[g.png for g in cache.session_graphs(s)] for s in (session, other)] == \
        [[g.png for g in gs] for gs in sequential]
    assert cache.drawn == 2 and cache.hits == 2


def test_rescore_without_changes_draws_nothing(tmp_path, night, dagster_instance):
    p = Pipeline(night, "sqlite:///%s" % (tmp_path / "et.db"), tmp_path / "out", dagster_instance)

    def graphs_drawn(result):
        meta = [m for m in result.get_asset_materialization_events() if m.asset_key.to_user_string() == "discord_posts"]
        return meta[0].materialization.metadata["graphs drawn"].value

    first = p.materialize([DATE])
    assert first.success and graphs_drawn(first) == 1
    again = p.materialize([DATE])
    assert again.success and graphs_drawn(again) == 0


def test_live_new_round_goes_out_before_the_graphs_are_redrawn(session, tmp_path):
    """Live latency (issue 15 §1): the round's message is sent before its session's graphs
    are drawn again; each changed message is still sent once, and an unchanged session
    draws and sends nothing."""
    from et_pipeline.publish.graph_cache import publish_through_cache
    from et_pipeline.publish.webhook import DiscordWebhookClient
    from et_pipeline.storage.database import ensure_schema, make_engine
    from et_pipeline_tests.fixtures.publish.fake_discord import FakeDiscord

    engine = make_engine("sqlite:///%s" % (tmp_path / "app.db"))
    ensure_schema(engine)
    with FakeDiscord() as fake:
        draw = Counting()
        cache = GraphCache(tmp_path / "cache", draw=draw)
        kw = dict(mode="live", engine=engine, client=DiscordWebhookClient(fake.url, sleep=lambda s: None),
                  out_dir=str(tmp_path / "out"))
        publish_through_cache(session, cache, **kw)
        first = len(fake.requests)
        assert draw.calls == 1

        later = copy.deepcopy(session)                  # the next round: new data for the whole session
        later["players"][0]["kills"] = (later["players"][0].get("kills") or 0) + 7
        later["players"][0]["dpm"] = float(later["players"][0].get("dpm") or 0) + 50   # a number a graph shows
        new_round = copy.deepcopy(later["rounds"][-1])
        new_round["file"] = "2026-02-05-235959-supply-round-1.txt"
        later["rounds"].append(new_round)
        drawn_before = []
        original = draw.__call__

        class Watch(Counting):
            def __call__(self, s):
                drawn_before.append(len(fake.requests))
                return original(s)

        cache.draw = Watch()
        publish_through_cache(later, cache, **kw)
        sent = fake.requests[first:]
        graph_titles = {g.title for g in graphs.session_graphs(later)}
        # the round's own news (its map card and the summary, edited in the compact stream) ...
        assert sent and not any(t in graph_titles for t in sent[0]["titles"])
        assert drawn_before and drawn_before[0] > first        # ... went out before the graphs were drawn
        keys = [r["path"] for r in sent if r["method"] == "PATCH"]
        assert len(keys) == len(set(keys))                     # every changed message edited once
        assert any(t in graph_titles for r in sent for t in r["titles"])   # the redrawn graphs were sent

        n = len(fake.requests)
        publish_through_cache(later, cache, **kw)              # unchanged: nothing drawn, nothing sent
        assert len(fake.requests) == n and len(drawn_before) == 1


def test_a_cache_that_cannot_be_written_still_gives_the_graphs(session, tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    draw = Counting()
    cache = GraphCache(blocked / "cache", draw=draw)
    assert [g.name for g in cache.session_graphs(session)] == [g.name for g in graphs.session_graphs(session)]
    assert draw.calls == 1
