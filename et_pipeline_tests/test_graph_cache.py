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
