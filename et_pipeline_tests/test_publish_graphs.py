"""Session graphs (publish/graphs.py): PNGs that are deterministic and sized for Discord."""
import copy
import io
import struct

import pytest

from et_pipeline.publish import graphs
from et_pipeline.publish.embeds import build_messages



@pytest.fixture(scope="module")
def rendered(session):
    return graphs.session_graphs(session)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def png_text_chunks(data: bytes) -> list[bytes]:
    out, pos = [], 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind in (b"tEXt", b"iTXt", b"zTXt", b"tIME"):
            out.append(kind + data[pos + 8:pos + 8 + length])
        pos += 12 + length
    return out


def test_one_chart_per_image_sized_for_discord(rendered):
    """Discord shows an embed image at most ~400 x 300 px (~250 px wide on a phone): one
    chart per image at 500 x 420 px keeps 22-24 px text readable at half size."""
    assert [g.name for g in rendered] == ["dpm", "teams"]
    for g in rendered:
        assert png_size(g.png) == (500, 420), g.name
        assert len(g.png) < 256 * 1024
        assert g.filename == "session_2026-02-05_%s.png" % g.name
        assert png_text_chunks(g.png) == []          # no software/date metadata: bytes depend on data only


def test_bytes_are_deterministic(session, rendered):
    again = graphs.session_graphs(copy.deepcopy(session))
    assert [g.png for g in again] == [g.png for g in rendered]


def test_bytes_change_with_the_data(session, rendered):
    s = copy.deepcopy(session)
    s["players"][0]["dpm"] += 5
    assert graphs.dpm_png(s) != rendered[0].png


def test_dark_background(rendered):
    from matplotlib import image

    pixels = image.imread(io.BytesIO(rendered[0].png))
    r, g, b = (pixels[2, 2, :3] * 255).round()
    assert (r, g, b) == (0x2B, 0x2D, 0x31)


def test_bots_left_out_and_names_unique(session):
    s = copy.deepcopy(session)
    s["players"].append(dict(s["players"][0], guid="ABCDEF01"))          # same name, other player
    chosen = graphs.top_players(s)
    assert all(not p["is_bot"] for p in chosen)
    labels = [p["label"] for p in chosen]
    assert len(labels) == len(set(labels))


def test_many_players_and_maps_and_edge_cases():
    from et_pipeline_tests.fixtures.publish import make_sample_session

    big = make_sample_session.build(*make_sample_session.large_plan(20, 12))
    for g in graphs.session_graphs(big):
        assert png_size(g.png) == (500, 420)           # at most 8 rows: the rest would be unreadable
    one = {"session_id": "s", "date": "2026-01-01", "maps": [], "rounds": [],
           "players": [{"guid": "AAAAAAAA", "name": "solo", "is_bot": False, "kills": 0, "deaths": 0}]}
    assert graphs.session_graphs(one) == []            # one player, no maps: no chart says anything
    assert graphs.session_graphs({"players": [{"name": "[BOT]x", "is_bot": True}]}) == []
    assert graphs.short_map("etl_sp_delivery") == "sp_delivery" and graphs.short_map("sw_goldrush_te #2") == "goldrush #2"


def test_graph_message_references_its_pngs(session):
    (msg,) = [m for m in build_messages(session) if m.key == "session:graphs"]
    assert [e["image"] for e in msg.payload["embeds"]] == [{"url": "attachment://" + n} for n, _ in msg.files]
    assert all(data[:4] == b"\x89PNG" for _, data in msg.files)


def test_a_chart_is_the_same_whatever_was_drawn_before_it(session):
    """Charts drawn in one thread share an Agg renderer (text is measured once, not per
    chart): nothing of one chart may reach the next, so a chart drawn after others has
    the bytes of the same chart drawn first in a fresh thread."""
    import threading

    from et_pipeline_tests.fixtures.publish import make_sample_session

    fresh = {}
    worker = threading.Thread(target=lambda: fresh.update(dpm=graphs.dpm_png(session), teams=graphs.teams_png(session)))
    worker.start()
    worker.join()
    big = make_sample_session.build(*make_sample_session.large_plan(20, 12))
    graphs.teams_png(big)                               # longer names, more rows, other values
    assert graphs.dpm_png(session) == fresh["dpm"]
    graphs.dpm_png(big)
    assert graphs.teams_png(session) == fresh["teams"]


def test_every_graph_has_axis_titles_with_units(session):
    """Finding: the graphs had no axis titles."""
    for figure in (graphs.dpm_figure(session), graphs.teams_figure(session)):
        (ax,) = figure.axes
        assert ax.get_xlabel() and ax.get_ylabel(), figure
    assert graphs.dpm_figure(session).axes[0].get_xlabel() == "damage per minute (whole night)"
    assert graphs.teams_figure(session).axes[0].get_xlabel() == "kills, both rounds"


def test_the_dpm_chart_picks_its_players_by_damage_per_minute(session):
    """The one measure: the chart's players are the night's best by DPM, not by kills."""
    chosen = graphs.top_players(session, limit=3)
    humans = sorted((p for p in session["players"] if not p["is_bot"]), key=lambda p: -p["dpm"])
    assert [p["guid"] for p in chosen] == [p["guid"] for p in humans[:3]]
