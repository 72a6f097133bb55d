"""The Discord messages built from a session report (publish/embeds.py)."""
import copy

import pytest

from et_pipeline.publish import embeds, limits
from et_pipeline.publish.embeds import build_messages



@pytest.fixture(scope="module")
def messages(session):
    return build_messages(session, graphs=False)


def by_key(messages):
    return {m.key: m for m in messages}


def text_of(message):
    parts = []
    for e in message.payload["embeds"]:
        parts += [e.get("title", ""), e.get("description", ""), (e.get("footer") or {}).get("text", "")]
        parts += [f["name"] + "\n" + f["value"] for f in e.get("fields", [])]
    return "\n".join(parts)


def test_one_message_per_round_map_and_session_part(session, messages):
    keys = [m.key for m in messages]
    assert len(keys) == len(set(keys))
    rounds = ["round:" + r["file"] for r in session["rounds"]]
    maps = ["map:" + m["r1_file"] for m in session["maps"]]
    assert set(rounds) <= set(keys) and set(maps) <= set(keys)
    assert {"session:summary", "session:players:1", "session:awards:1", "session:timing"} <= set(keys)
    # the night in order: each map's result right after its last round, the session parts last
    for m in session["maps"]:
        assert keys.index("map:" + m["r1_file"]) == keys.index("round:" + m["r2_file"]) + 1
    assert keys.index("session:summary") == len(rounds) + len(maps)
    assert keys[-1] == "session:timing"
    for m in messages:
        assert m.payload["allowed_mentions"] == {"parse": []}
        assert limits.violations(m.payload, m.files) == []


def test_keys_and_payloads_are_stable(session, messages):
    again = build_messages(copy.deepcopy(session), graphs=False)
    assert [(m.key, m.payload) for m in again] == [(m.key, m.payload) for m in messages]


def test_round_post(session, messages):
    r1 = session["rounds"][0]
    msg = by_key(messages)["round:" + r1["file"]]
    stats, awards = msg.payload["embeds"]
    assert stats["title"] == "🎮 Round 1 Complete - supply" and stats["color"] == embeds.COLOR_R1
    assert "⏱️ **Time:** 8:45 / 12:00 (Lua)" in stats["description"]
    assert "🏆 **Winner:** Allies — 🔵 sWat • objective done" in stats["description"]
    names = [f["name"] for f in stats["fields"]]
    assert names == ["⚔️ Axis — 🟠 S\\*F", "🛡️ Allies — 🔵 sWat", "📊 Round Summary"]
    body = text_of(msg)
    # ranked by kills over the round; 3 lines per player; markdown in names escaped
    top = max(r1["players"], key=lambda p: (p["kills"], p["damage_given"]))
    assert "🥇 **%s**" % embeds.esc(top["name"]) in body
    assert "**x\\_oly\\_x**" in body and "**\\[BOT\\]Fritz** 🤖" in body
    assert "↳ K/D/G %d/%d/%d" % (top["kills"], top["deaths"], top["gibs"]) in body
    assert awards["title"] == "🏆 Round 1 Awards - supply" and awards["color"] == embeds.COLOR_GOLD
    r2 = by_key(messages)["round:" + session["rounds"][1]["file"]].payload["embeds"]
    assert r2[0]["color"] == embeds.COLOR_R2 and r2[1]["title"].startswith("🏆 Map Awards (Cumulative)")


def test_round_time_says_where_it_comes_from(session, messages):
    k = by_key(messages)
    no_lua = next(r for r in session["rounds"] if r["timing_status"] == "NO_LUA_DATA")
    assert "(stats file; no Lua timing)" in k["round:" + no_lua["file"]].payload["embeds"][0]["description"]
    surrender = next(r for r in session["rounds"] if r["timing_status"] == "DISCREPANCY")
    desc = k["round:" + surrender["file"]].payload["embeds"][0]["description"]
    assert "4:10 / 10:00 (Lua; stats file says 10:00)" in desc and "surrender" in desc


def test_map_result(messages):
    k = by_key(messages)
    supply = text_of(k["map:2026-02-05-211849-supply-round-1.txt"])
    assert "🗺️ SUPPLY - Map Complete!" in supply
    assert "🏆 **Winner: 🔵 sWat**" in supply
    assert "🔵 sWat set **8:45**" in supply and "🟠 S\\*F did not beat 8:45" in supply
    assert "🏆 Top Performers" in supply
    gold = text_of(k["map:2026-02-05-223303-sw_goldrush_te-round-1.txt"])
    assert "🟠 S\\*F finished in **9:05** (target 11:20)" in gold
    frost = text_of(k["map:2026-02-05-220749-etl_frostbite-round-1.txt"])
    assert "⚪ **Not counted** — Unscored: team sides ambiguous" in frost


def test_session_summary(messages):
    s = text_of(by_key(messages)["session:summary"])
    assert "📊 Session Summary: 2026-02-05" in s
    assert "**6 players** • **10 rounds**" in s
    assert "🏆 **Match Result: sWat 3 - 1 S\\*F** • 🔵 sWat wins" in s
    assert "⚪ `etl_frostbite`: not counted — Unscored: team sides ambiguous" in s
    assert "🟠 `sw_goldrush_te`: sWat (11:20) vs S\\*F (9:05)" in s
    assert "🔵 `te_escape2`: sWat (7:32) vs S\\*F (full hold)" in s


def test_players_table_three_per_field(session, messages):
    embed = by_key(messages)["session:players:1"].payload["embeds"][0]
    assert len(embed["fields"]) == -(-len(session["players"]) // 3)
    assert embed["fields"][0]["value"].count("\n↳ K/D/G") == 3
    assert all(f["name"] == limits.BLANK for f in embed["fields"][1:])


def test_awards_pages(session, messages):
    page = by_key(messages)["session:awards:1"].payload["embeds"]
    with_awards = [m for m in session["maps"] if any(
        r["awards"] for r in session["rounds"] if r["file"] in (m["r1_file"], m["r2_file"]))]
    assert [e["title"] for e in page] == ["🏆 Endstats - %s" % m["map"] for m in with_awards]
    assert page[0]["description"] == "Session 2026-02-05 • Map 1/%d" % len(with_awards)
    for e in page:
        for f in e["fields"]:
            lines = f["value"].split("\n")
            assert len(lines) <= 12
            assert len({line.split(" ")[0] for line in lines}) == len(lines)   # one award per category


def test_timing_lists_every_round_not_aligned(session, messages):
    t = text_of(by_key(messages)["session:timing"])
    for r in session["rounds"]:
        assert (r["file"] in t) == (r["timing_status"] != "ALIGNED")
    assert "⚠️ DISCREPANCY" in t and "Δ +350 s" in t and "❓ NO LUA DATA" in t


def test_timing_message_present_when_all_aligned(session):
    s = copy.deepcopy(session)
    for r in s["rounds"]:
        r["timing_status"] = "ALIGNED"
    msgs = by_key(build_messages(s, graphs=False))
    embed = msgs["session:timing"].payload["embeds"][0]
    assert embed["description"].startswith("✅ All 10 rounds aligned")
    assert embed["color"] == embeds.COLOR_GREEN and "fields" not in embed


def test_late_timing_changes_only_the_affected_messages(session, messages):
    s = copy.deepcopy(session)
    r = next(r for r in s["rounds"] if r["timing_status"] == "NO_LUA_DATA")
    r.update(timing_status="ALIGNED", lua={"playtime_seconds": 452.0, "pause_count": 0, "pause_seconds": 0,
                                           "end_reason": "objective", "source": "gametime-x.json"},
             timing={"stats_seconds": 452.0, "lua_seconds": 452.0, "diff_seconds": 0.0, "cause": None})
    after = build_messages(s, graphs=False)
    assert [m.key for m in after] == [m.key for m in messages]
    changed = {a.key for a, b in zip(after, messages) if a.payload != b.payload}
    assert changed == {"round:" + r["file"], "session:timing"}


def test_award_values_formatted():
    f = embeds.award_value
    assert f("Most damage given", 3214.0, "3214") == "3.2K"
    assert f("Best K/D ratio", 2.1666666666667, "2.1666666666667") == "2.17"
    assert f("Most kills per minute", 1.78, "1.78") == "1.78"
    assert f("Highest headshot accuracy", 19.09, "19.09 percent") == "19.1%"
    assert f("Full respawn king", 45.12, "45.12 percent, 5.5 min") == "45.1%, 5.5 min"
    assert f("Most playtime denied", 113.0, "113 seconds") == "1:53"
    assert f("Quickest multikill w/ light weapons", 3.0, "3 kills in 1.84s") == "3 kills in 1.84s"
    assert f("Tank/Meatshield (Refuses to die)", None, "Damage received vs death ratio: 3.45x") == "3.45x"
    assert f("Farthest riflenade kill", 23.41, "23.41 m") == "23.4 m"
    assert f("Most revives", 7.0, "7") == "7"
    assert f("Most bullets fired", 1234.0, "1234") == "1.2K"
    assert f("Something new", None, "n/a") == "n/a"


def test_names_are_escaped_and_never_ping():
    assert embeds.esc("a*b_c`d|e>f[g]") == "a\\*b\\_c\\`d\\|e\\>f\\[g\\]"
    assert embeds.code("we`ird") == "`weˋird`"
    assert embeds.esc("x" * 40, 20) == "x" * 19 + "…"


def test_long_keys_are_shortened_but_stable():
    long_key = "round:" + "2026-02-05-211849-" + "m" * 60 + "-round-1.txt"
    k = embeds.safe_key(long_key)
    assert len(k) == 80 and k == embeds.safe_key(long_key) and k != embeds.safe_key(long_key + "x")


def test_empty_and_odd_sessions_do_not_crash():
    empty = {"session_id": "s", "date": "2026-01-01", "teams": {}, "score": {}, "maps": [], "rounds": [], "players": []}
    keys = [m.key for m in build_messages(empty)]
    assert keys == ["session:summary", "session:timing"]
    orphan = {"session_id": "s", "date": "2026-01-01", "teams": {}, "score": {"A": 0, "B": 0}, "winner": None,
              "maps": [{"map": "supply", "r1_file": "f1.txt", "r2_file": None, "winner": None, "counted": False,
                        "note": "R1 only (not counted)", "scoring_source": "incomplete", "time_a": None, "time_b": None}],
              "rounds": [{"file": "f1.txt", "map": "supply", "round": 1, "orphan": True, "players": [], "awards": [],
                          "timing_status": "NO_LUA_DATA", "timing": None, "lua": None, "playtime_seconds": None,
                          "time_limit": None, "winner_side": None, "defender_side": None}],
              "players": []}
    msgs = by_key(build_messages(orphan))
    assert "⚠️ **Orphan round:**" in msgs["round:f1.txt"].payload["embeds"][0]["description"]
    assert "Round 1 only" in msgs["map:f1.txt"].payload["embeds"][0]["title"]
    assert "Round 2 missing" in msgs["map:f1.txt"].payload["embeds"][0]["description"]
    for m in msgs.values():
        assert limits.violations(m.payload, m.files) == []


def test_scorer_sides_beat_a_stale_round_header(session):
    s = copy.deepcopy(session)
    m = s["maps"][0]                                   # supply: A attacked R1 on Allies, defender Axis
    for r in s["rounds"][:2]:
        r["defender_side"] = 2                         # stale header
    stale = by_key(build_messages(s, graphs=False))["map:" + m["r1_file"]].payload["embeds"][0]["description"]
    assert "🟠 S\\*F attacked and was held" in stale     # header alone misleads
    m.update(a_r1_side=2, r1_defender_side=1)         # what the scorer inferred
    msgs = by_key(build_messages(s, graphs=False))
    assert "🔵 sWat set **8:45**" in msgs["map:" + m["r1_file"]].payload["embeds"][0]["description"]
    r1 = msgs["round:" + m["r1_file"]].payload["embeds"][0]["description"]
    assert "objective done" in r1
