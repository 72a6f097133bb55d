"""tools/render_discord.py (a dev tool): the dry-run drawn as a Discord-like page."""
import html
import importlib.util
import re
from pathlib import Path

import pytest

from et_pipeline.publish.embeds import build_messages
from et_pipeline.publish.publisher import publish_session

TOOL = Path(__file__).resolve().parents[1] / "tools" / "render_discord.py"
spec = importlib.util.spec_from_file_location("render_discord", TOOL)
render = importlib.util.module_from_spec(spec)
spec.loader.exec_module(render)


def test_markdown_subset():
    assert render.markdown("**\\[SX\\]Vektor** <b>") == "<b>[SX]Vektor</b> &lt;b&gt;"
    assert render.markdown("`a_b` x\\_y") == "<code>a_b</code> x_y"
    assert render.markdown("<t:1770322201:t>") == '<span class="stamp">21:10</span>'    # a reader in Ljubljana
    assert render.markdown("<t:1770322201:t>", "UTC") == '<span class="stamp">20:10</span>'


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


HOSTILE = ["*x*", "_x_", "@everyone", "@here", "<@123>", "<#123>", "<@&1>", "https://evil.io", "||x||", "`x`",
           "#channel", "# head", "-# sub", "- item", "1. item", "> quote", "~~x~~", "__x__", "[a](https://e.io)",
           "<t:1770322201:R>", "a\\b"]


def test_the_renderer_reads_markdown_as_discord_does():
    """So that a name that escaped its escaping shows in the renders."""
    assert render.markdown("*x* _y_ __u__ ~~s~~ ||p||") == (
        '<em>x</em> <em>y</em> <u>u</u> <s>s</s> <span class="spoiler">p</span>')
    assert render.markdown("<@123> @everyone") == '<span class="mention">@user</span> <span class="mention">@everyone</span>'
    assert render.markdown("see https://e.io") == 'see <a href="#">https://e.io</a>'
    assert render.markdown("# big\n- item\n1. one\n> q") == (
        '<div class="md-h1">big</div>\n<div class="md-li">item</div>\n<div class="md-li">one</div>\n'
        '<div class="md-quote">q</div>')


@pytest.mark.parametrize("name", HOSTILE)
def test_an_escaped_name_reads_as_it_is_written(name):
    from et_pipeline.publish.escape import discord_text, plain_text

    shown = render.markdown("🥇 **%s** 233 DPM\n%s" % (discord_text(name), discord_text(name)))
    assert "<em>" not in shown and "<u>" not in shown and "<s>" not in shown and "spoiler" not in shown
    assert "mention" not in shown and "<a " not in shown and "md-" not in shown and "<code>" not in shown
    assert "stamp" not in shown
    visible = re.sub(r"<[^>]+>", "", shown).replace("\u200b", "")
    assert visible == "🥇 %s 233 DPM\n%s" % (html.escape(name, quote=False), html.escape(name, quote=False))
    assert plain_text(discord_text(name)) == name
