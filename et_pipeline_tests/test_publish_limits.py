"""Discord's limits: texts are split to fit, never rejected (publish/limits.py)."""
import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from et_pipeline.publish import limits
from et_pipeline.publish.embeds import build_messages
from et_pipeline_tests.fixtures.publish import make_sample_session

SAMPLE = os.path.join(os.path.dirname(__file__), "fixtures", "publish", "sample_session.json")


def test_truncate():
    assert limits.truncate("abc", 3) == "abc"
    assert limits.truncate("abcd", 3) == "ab…"
    assert len(limits.truncate("x" * 300, limits.TITLE)) == limits.TITLE
    assert limits.truncate(None, 5) == ""


def test_split_text_keeps_lines_and_cuts_long_ones():
    text = "\n".join("line %03d " % i + "x" * 40 for i in range(100))
    chunks = limits.split_text(text, 1024)
    assert all(len(c) <= 1024 for c in chunks)
    assert "\n".join(chunks) == text                       # nothing lost, split only at line breaks
    long_line = "word " * 1000
    pieces = limits.split_text(long_line, 100)
    assert all(0 < len(p) <= 100 for p in pieces)
    assert " ".join(pieces).split() == long_line.split()
    assert limits.split_text("", 10) == []


def test_join_blocks_never_splits_a_block():
    blocks = ["a" * 300 + "\n" + "b" * 300 for _ in range(7)]
    chunks = limits.join_blocks(blocks, 1024)
    assert all(len(c) <= 1024 for c in chunks)
    assert sum(c.count("a" * 300) for c in chunks) == 7
    assert all(c.count("a" * 300) == c.count("b" * 300) for c in chunks)


def test_fit_embed_splits_long_fields_and_too_many_fields():
    embed = {"title": "T" * 300, "color": 1, "description": "d" * 5000,
             "fields": [{"name": "f%d" % i, "value": "v" * 1500, "inline": False} for i in range(30)]
             + [{"name": "", "value": ""}],
             "footer": {"text": "foot"}, "image": {"url": "attachment://x.png"}}
    parts = limits.fit_embed(embed)
    assert len(parts) > 1
    for p in parts:
        assert not limits.violations({"embeds": [p]}, [("x.png", b"png")])
        assert p["color"] == 1
    assert parts[0]["title"].endswith("…") and len(parts[0]["title"]) == 256
    assert all(p["title"].endswith("(cont.)") for p in parts[1:])
    assert "image" in parts[0] and all("image" not in p for p in parts[1:])
    assert parts[-1]["footer"] == {"text": "foot"} and all("footer" not in p for p in parts[:-1])
    values = "".join(f["value"] for p in parts for f in p.get("fields", []) if f["value"] != limits.BLANK)
    assert values == "v" * 1500 * 30                       # every character kept
    assert "".join(p.get("description", "") for p in parts) == "d" * 5000
    names = [f["name"] for p in parts for f in p.get("fields", [])]
    assert "f0 (cont.)" in names and names[-1] == limits.BLANK


def test_pack_embeds_respects_count_and_total():
    embeds = [{"title": "t", "description": "x" * 1500} for _ in range(25)]
    messages = limits.pack_embeds(embeds)
    assert sum(len(m) for m in messages) == 25
    for m in messages:
        assert len(m) <= limits.EMBEDS
        assert sum(limits.embed_size(e) for e in m) <= limits.EMBED_TOTAL
    small = limits.pack_embeds([{"title": "t"}] * 23)
    assert [len(m) for m in small] == [10, 10, 3]


def test_violations_reports_what_discord_rejects():
    assert limits.violations({"embeds": [{"title": "ok"}]}) == []
    bad = {"content": "c" * 2001, "embeds": [{"title": "t" * 257, "description": "d" * 4097,
                                              "fields": [{"name": "n", "value": ""}] * 26}] * 11}
    found = " | ".join(limits.violations(bad, [("a.png", 11 * 1024 * 1024)] * 11))
    for piece in ("content > 2000", "more than 10 embeds", "title > 256", "description > 4096", "26 fields",
                  "empty name or value", "embeds total", "more than 10 files", "too large"):
        assert piece in found
    assert limits.violations({}) == ["empty message"]
    missing = limits.violations({"embeds": [{"image": {"url": "attachment://g.png"}}]}, [])
    assert missing and "missing attachment" in missing[0]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=300), st.text(max_size=3000), st.booleans()), max_size=40),
       st.text(max_size=6000), st.text(max_size=400))
def test_fit_always_within_limits(fields, description, title):
    embed = {"title": title, "description": description,
             "fields": [{"name": n, "value": v, "inline": i} for n, v, i in fields], "footer": {"text": "f"}}
    for message in limits.fit([embed, embed]):
        assert limits.violations({"embeds": message}) == []


@pytest.mark.parametrize("n_players,n_maps", [(20, 30), (32, 3), (2, 1)])
def test_big_sessions_stay_within_limits(n_players, n_maps):
    session = make_sample_session.build(*make_sample_session.large_plan(n_players, n_maps))
    messages = build_messages(session, graphs=False)
    assert len({m.key for m in messages}) == len(messages)
    for m in messages:
        assert limits.violations(m.payload, m.files) == [], m.key
        assert len(m.key) <= 80
    text = "\n".join(data.decode() for m in messages for name, data in m.files if name.endswith(".txt"))
    for p in session["players"]:                        # every player in the details of some map
        assert limits.truncate(p["name"], 18) in text
    summary = next(m for m in messages if m.key == "session:summary")
    maps = "".join(f["value"] for e in summary.payload["embeds"] for f in e.get("fields", []) if f["name"] == "Maps")
    assert maps.count(" etl\\_frostbite") == sum(1 for m in session["maps"] if m["map"] == "etl_frostbite")


def test_sample_session_within_limits():
    with open(SAMPLE, encoding="utf-8") as f:
        session = json.load(f)
    for m in build_messages(session, graphs=False):
        assert limits.violations(m.payload, m.files) == [], m.key
