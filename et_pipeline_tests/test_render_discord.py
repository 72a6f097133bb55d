"""tools/render_discord.py (a dev tool): the dry-run drawn as a Discord-like page."""
import importlib.util
from pathlib import Path

from et_pipeline.publish.embeds import build_messages
from et_pipeline.publish.publisher import publish_session

TOOL = Path(__file__).resolve().parents[1] / "tools" / "render_discord.py"
spec = importlib.util.spec_from_file_location("render_discord", TOOL)
render = importlib.util.module_from_spec(spec)
spec.loader.exec_module(render)


def test_markdown_subset():
    assert render.markdown("**\\[SX\\]Vektor** <b>") == "<b>[SX]Vektor</b> &lt;b&gt;"
    assert render.markdown("`a_b` x\\_y") == "<code>a_b</code> x_y"
    assert render.markdown("<t:1770322201:t>") == '<span class="stamp">20:10</span>'


def test_page_shows_channels_threads_and_files(session, tmp_path):
    msgs = build_messages(session, graphs=False, details_thread=True, admin={})
    publish_session(session, mode="dry-run", out_dir=str(tmp_path), messages=msgs)
    folder = tmp_path / "2026-02-05" / "2026-02-05-211001"
    page = render.render_page(str(folder))
    assert page.count('class="msg"') == len(msgs)
    assert page.count("🧵 Details · 1 message") == len(session["maps"])
    assert "# night-stats" in page and "# stats-admin" in page and "supply · Round 1" in page
    channel_only = render.render_page(str(folder), ("players",))
    assert "supply · Round 1" not in channel_only             # threads stay closed in the channel
    plain = tmp_path / "plain"
    publish_session(session, mode="dry-run", out_dir=str(plain), messages=build_messages(session, graphs=False))
    page = render.render_page(str(plain / "2026-02-05" / "2026-02-05-211001"))
    assert "📄 map1-supply-details.txt" in page and "supply · Round 1" in page
