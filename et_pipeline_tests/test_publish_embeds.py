"""The Discord messages built from a session report (publish/embeds.py, admin_embeds.py)."""
import copy
import json
import re

import pytest

from et_pipeline.publish import colours, embeds, limits, message
from et_pipeline.publish.embeds import build_messages
from et_pipeline.publish.message import ADMINS, PLAYERS
from et_pipeline_tests.publish_fixtures import details_of, text_of

# what never belongs in the players' channel: input file names, settings, timing diagnostics
INTERNAL = re.compile(r"\d{4}-\d{2}-\d{2}-\d{6}|gametime-|\.txt\b|\.json\b|\bET_[A-Z_]+|\bLua\b|stats file|"
                      r"NO_LUA|ALIGNED|DISCREPANCY|MINOR_DIFF|double_fullhold|r2_defenders|full hold|fullhold")


@pytest.fixture(scope="module")
def messages(session):
    return build_messages(session, graphs=False)


def by_key(messages):
    return {m.key: m for m in messages}


def test_a_card_per_map_then_the_summary(session, messages):
    keys = [m.key for m in messages]
    assert keys == ["map:" + m["r1_file"] for m in session["maps"]] + ["session:summary"]
    assert all(m.channel == PLAYERS and not m.thread for m in messages)
    for m in messages:
        assert m.payload["allowed_mentions"] == {"parse": []}
        assert limits.violations(m.payload, m.files) == []
    # with the graphs: one more message, one chart per embed; a 5-map night is 7 messages
    with_graphs = build_messages(session)
    assert [m.key for m in with_graphs][-1] == "session:graphs" and len(with_graphs) == 7
    graphs = with_graphs[-1]
    assert [e["image"]["url"] for e in graphs.payload["embeds"]] == ["attachment://" + n for n, _ in graphs.files]


def test_details_go_into_the_thread_when_there_is_one(session):
    msgs = build_messages(session, graphs=False, details_thread=True)
    channel = [m for m in msgs if not m.thread]
    assert [m.key for m in channel] == ["map:" + m["r1_file"] for m in session["maps"]] + ["session:summary"]
    keys = [m.key for m in msgs]
    for m in session["maps"]:           # each map's details right after its card
        assert keys[keys.index("map:" + m["r1_file"]) + 1] == "details:%s:1" % m["r1_file"]
    assert all(not m.files for m in channel)
    assert "details in the thread" in text_of(channel[0])


def test_details_without_a_thread_are_a_file_on_the_card(session, messages):
    card = by_key(messages)["map:" + session["maps"][0]["r1_file"]]
    (name, data), = card.files
    assert name == "map1-supply-details.txt"
    text = data.decode()
    assert "supply · Round 1" in text and "supply · Round 2" in text and "Awards · supply" in text
    assert "**" not in text and "\\_" not in text               # plain text, no markdown
    for p in session["rounds"][0]["players"]:
        assert limits.truncate(p["name"], 18) in text            # every player's full line


def test_map_cards_tell_the_map_in_words(messages):
    k = by_key(messages)
    supply = text_of(k["map:2026-02-05-211849-supply-round-1.txt"])
    assert "1️⃣ 🔵 sWat: objective in 8:45" in supply and "2️⃣ 🟠 S\\*F: held to 8:45" in supply
    assert "🏆 🔵 sWat **wins**" in supply
    gold = text_of(k["map:2026-02-05-223303-sw_goldrush_te-round-1.txt"])
    assert "2️⃣ 🟠 S\\*F: objective in 9:05" in gold and "🏆 🟠 S\\*F **wins by 2:15**" in gold
    escape = text_of(k["map:2026-02-05-214528-te_escape2-round-1.txt"])
    assert "1️⃣ 🟠 S\\*F: held to 10:00" in escape and "🏆 🔵 sWat **wins by 2:28**" in escape
    assert "2️⃣ 🔵 sWat: objective in 7:32" in escape
    adler = text_of(k["map:2026-02-05-225934-etl_adlernest-round-1.txt"])     # the Lua timing says surrender
    assert "1️⃣ 🟠 S\\*F: surrendered at 4:10" in adler and "🏆 🔵 sWat **wins by 3:20**" in adler
    frost = text_of(k["map:2026-02-05-220749-etl_frostbite-round-1.txt"])
    assert "⚪ **Not counted:** the teams changed between the rounds" in frost
    assert "Map 3 of 5" in frost


def test_top_players_one_short_line_each(session, messages):
    for m in messages[:-1]:
        (board,) = [f["value"] for f in m.payload["embeds"][0]["fields"] if "damage per minute" in f["name"]]
        lines = board.split("\n")
        assert len(lines) == embeds.MAP_TOP
        # ~34 characters is what fits a 360 px phone without wrapping (checked in a browser)
        assert max(len(line) for line in lines) <= 36, board
        assert "🤖" not in board and "Fritz" not in board         # bots are not "top players"


def test_side_icons_follow_the_role_not_the_side(session):
    s = copy.deepcopy(session)
    ctx = embeds._Ctx(s)
    for r in s["rounds"]:
        ds = ctx.defender_side(r)
        e = embeds.round_details_embed(ctx, r)
        heads = [f["name"] for f in e.get("fields", []) if not f["name"].startswith("👀")]
        attackers = [p for p in r["players"] if p["side"] == 3 - ds]
        if attackers:
            assert heads[0].startswith("⚔️ Attack")
        assert all(not h.startswith("⚔️") for h in heads[1:])
        assert "Axis" not in "".join(heads) and "Allies" not in "".join(heads)


def test_awards_once_per_map(session, messages):
    for m in messages[:-1]:
        text = details_of(m)
        assert text.count("Awards · ") == 1
        assert "Awards" not in text_of(m)                          # not on the card


def test_weapons_in_the_details():
    ctx = embeds._Ctx({"maps": [], "rounds": []})
    p = dict(name="rambo", kills=5, deaths=2, dpm=200, damage_given=900, accuracy=30, headshots=4, gibs=1,
             time_played_seconds=400, time_dead_seconds=60, multikills=[1, 0, 0, 0, 0],
             weapons=[dict(weapon="WS_THOMPSON", kills=4, deaths=0, hits=30, shots=100, headshots=4),
                      dict(weapon="WS_GRENADE", kills=1, deaths=0, hits=3, shots=2, headshots=0),
                      dict(weapon="WS_SYRINGE", kills=0, deaths=0, hits=2, shots=2, headshots=0)])
    block = embeds._detail_block(p, 420)
    assert "🔫 Thompson 4 kills (30%, 4 HS) · Grenade 1 kill" in block   # no accuracy for splash weapons
    assert "Syringe" not in block and "gibs 1 · dead 1:00 · 1 DBL" in block and "played" not in block
    assert "played 4:00" in embeds._detail_block(dict(p, time_played_seconds=240), 420)
    assert ctx is not None


def test_no_internal_text_in_the_players_channel(session, messages):
    for m in messages:
        assert not INTERNAL.search(text_of(m) + details_of(m)), (m.key, INTERNAL.search(text_of(m) + details_of(m)))


def test_summary(session, messages):
    s = text_of(by_key(messages)["session:summary"])
    assert "🏁 Thu 5 Feb 2026: 🔵 sWat wins 3–1" in s
    potn = embeds.player_of_the_night(session)
    assert "⭐ Player of the night: **%s**" % embeds.esc(potn["name"], 20) in s
    assert "⚪ etl\\_frostbite: not counted" in s and "🟠 sw\\_goldrush\\_te: S\\*F by 2:15" in s
    assert embeds.POTN_RULE in s                                  # the rule is written where it is used


def test_player_of_the_night_rule():
    s = {"players": [dict(name="a", dpm=300, kills=5, time_played_seconds=500, is_bot=False),
                     dict(name="b", dpm=250, kills=9, time_played_seconds=3000, is_bot=False),
                     dict(name="c", dpm=250, kills=12, time_played_seconds=2000, is_bot=False),
                     dict(name="[BOT]", dpm=999, kills=99, time_played_seconds=3000, is_bot=True)]}
    assert embeds.player_of_the_night(s)["name"] == "c"           # a played too little; tie by kills
    assert embeds.player_of_the_night({"players": []}) is None


def test_times_are_discord_timestamps(session):
    s = copy.deepcopy(session)
    s.update(start_at="2026-02-05T21:18:49+01:00", end_at="2026-02-05T23:09:43+01:00")
    for r in s["rounds"]:
        r["ended_at"] = r["local_time"] + "+01:00"
    k = by_key(build_messages(s, graphs=False, details_thread=True))
    summary = k["session:summary"].payload["embeds"][0]
    assert "🕘 <t:1770322729:t> – <t:1770329383:t> · 5 maps" in summary["description"]
    assert re.search(r"ended <t:\d+:T>", text_of(k["details:%s:1" % s["maps"][0]["r1_file"]]))
    assert embeds.stamp("2026-02-05T21:18:49") is None            # no offset: no guessed instant


def test_late_timing_changes_only_its_map(session, messages):
    s = copy.deepcopy(session)
    r = next(r for r in s["rounds"] if r["timing_status"] == "NO_LUA_DATA")
    r.update(timing_status="ALIGNED", lua={"playtime_seconds": 452.0, "pause_count": 0, "pause_seconds": 0,
                                           "end_reason": "objective", "source": "gametime-x.json",
                                           "round_end_unix": 1770327000},
             timing={"stats_seconds": 452.0, "lua_seconds": 452.0, "diff_seconds": 0.0, "cause": None})
    after = build_messages(s, graphs=False)
    assert [m.key for m in after] == [m.key for m in messages]
    changed = {a.key for a, b in zip(after, messages) if (a.payload, a.files) != (b.payload, b.files)}
    (m,) = [m for m in s["maps"] if r["file"] in (m["r1_file"], m["r2_file"])]
    assert changed == {"map:" + m["r1_file"]}


def test_a_late_timing_file_that_only_corrects_the_end_still_edits_its_card(session, messages):
    """The Lua end is ~3 s before the stats file's time and the length is the same: the
    details say when the round ended to the second, so its card (details attached) changes."""
    s = copy.deepcopy(session)
    r = next(r for r in s["rounds"] if r["timing_status"] == "NO_LUA_DATA")
    r["ended_at"] = r["local_time"] + "+01:00"
    before = {m.key: m for m in build_messages(s, graphs=False)}
    end = embeds.unix_of(r["ended_at"]) - 3
    r.update(lua={"playtime_seconds": r["playtime_seconds"], "pause_count": 0, "pause_seconds": 0,
                  "end_reason": "objective", "round_end_unix": end})
    after = {m.key: m for m in build_messages(s, graphs=False)}
    changed = {k for k in after if (after[k].payload, after[k].files) != (before[k].payload, before[k].files)}
    (m,) = [m for m in s["maps"] if r["file"] in (m["r1_file"], m["r2_file"])]
    assert changed == {"map:" + m["r1_file"]}


def test_admins_channel(session):
    facts = {"files": [{"path": "gamestats/2026-02-05-230000-supply-round-1.txt", "status": "quarantined",
                        "error": "truncated: 3 of 6 player lines", "mtime_at": "2026-02-05T22:00:00+00:00"}],
             "timing_unlinked": [{"source": "gametime-supply-R2-1.json", "link_status": "ambiguous_tie"}],
             "awards_unlinked": [], "discord": [], "now": "2026-02-06T00:30:00+00:00", "pairing_window_minutes": 45,
             "dagster_url": "http://dagster.example:3000"}
    msgs = build_messages(session, graphs=False, admin=facts)
    admin = by_key([m for m in msgs if m.channel == ADMINS])
    assert list(admin) == ["admin:files", "admin:timing", "admin:checks", "admin:discord", "admin:alerts"]
    timing = text_of(admin["admin:timing"])
    for r in session["rounds"]:
        assert (r["file"] in timing) == (r["timing_status"] != "ALIGNED")
    assert "timing file 4:10 (+5:50)" in timing and "➡️ " in timing
    files = text_of(admin["admin:files"])
    assert ("🟥 Lost or wrong in Discord: Not read" in files and "`gamestats/2026-02-05-230000-supply-round-1.txt`: "
            "truncated: 3 of 6 player lines (still not read 150 min after it was written)" in files)
    assert "`gametime-supply-R2-1.json`: ambiguous tie" in files
    assert admin["admin:files"].payload["embeds"][0]["color"] == colours.SEVERITY["red"]
    # a link to the asset's page for the date, from the configured base
    assert ("(http://dagster.example:3000/assets/server_files?view=partitions&partition=2026-02-05)"
            in admin["admin:files"].payload["embeds"][0]["description"])
    # nothing to say: green, and the same messages (so a later problem edits them)
    calm = copy.deepcopy(session)
    for r in calm["rounds"]:
        r["timing_status"] = "ALIGNED"
    quiet = by_key(m for m in build_messages(calm, graphs=False, admin={}) if m.channel == ADMINS)
    assert list(quiet) == list(admin)
    for key in ("admin:files", "admin:timing", "admin:discord", "admin:alerts"):
        embed = quiet[key].payload["embeds"][0]
        assert embed["color"] == colours.SEVERITY["green"] and "✅" in embed["description"], key
        assert ".." not in embed["description"] and "dagster" not in embed["description"]
    checks = quiet["admin:checks"].payload["embeds"][0]["description"]
    assert checks == "No cross-checks for this session yet."        # not "every cross-check passed"


def test_admins_footers_hold_no_internal_ids(session):
    msgs = [m for m in build_messages(session, graphs=False, admin={}) if m.channel == ADMINS]
    for m in msgs:
        for e in m.payload["embeds"]:
            assert session["session_id"] not in json.dumps(e), m.key


def test_r1_without_r2_alerts_only_after_the_pairing_window():
    from et_pipeline.publish.admin_problems import LOOK, alert_problems
    from et_pipeline.publish.message import _Ctx

    s = {"rounds": [{"file": "f1.txt", "map": "supply", "round": 1, "pairing": "r1_only",
                     "ended_at": "2026-02-05T22:00:00+01:00", "timing_status": "ALIGNED"}], "maps": []}
    early = {"now": "2026-02-05T21:30:00+00:00", "pairing_window_minutes": 45}
    late = {"now": "2026-02-05T21:50:00+00:00", "pairing_window_minutes": 45}
    assert alert_problems(_Ctx(s), early) == []
    (p,) = alert_problems(_Ctx(s), late)
    assert p.severity == LOOK and "(45 min)" in p.cause and p.where == ("supply R1 · `f1.txt`",) and p.action


def test_award_values_formatted():
    f = embeds.award_value
    assert f("Most damage given", 3214.0, "3214") == "3,214"
    assert f("Best K/D ratio", 2.1666666666667, "2.1666666666667") == "2.17"
    assert f("Highest headshot accuracy", 19.09, "19.09 percent") == "19%"
    assert f("Full respawn king", 45.12, "45.12 percent, 5.5 min") == "45%, 5:30"
    assert f("Most playtime denied", 113.0, "113 seconds") == "1:53"
    assert f("Quickest multikill w/ light weapons", 3.0, "3 kills in 1.84s") == "3 kills in 1.84s"
    assert f("Tank/Meatshield (Refuses to die)", None, "Damage received vs death ratio: 3.45x") == "3.45x"
    assert f("Farthest riflenade kill", 23.41, "23.41 m") == "23.4 m"
    assert f("Most bullets fired", 1234.0, "1234") == "1,234"
    assert f("Something new", None, "n/a") == "n/a"


def test_names_are_escaped_and_never_ping():
    assert embeds.esc("a*b_c`d|e>f[g]") == "a\\*b\\_c\\`d\\|e\\>f\\[g\\]"
    assert embeds.esc("x" * 40, 20) == "x" * 19 + "…"


def test_long_keys_are_shortened_but_stable():
    long_key = "map:" + "2026-02-05-211849-" + "m" * 60 + "-round-1.txt"
    k = message.safe_key(long_key)
    assert len(k) == 80 and k == message.safe_key(long_key) and k != message.safe_key(long_key + "x")


def test_empty_and_odd_sessions_do_not_crash():
    empty = {"session_id": "s", "date": "2026-01-01", "teams": {}, "score": {}, "maps": [], "rounds": [], "players": []}
    assert [m.key for m in build_messages(empty, admin={})] == ["session:summary", "admin:files", "admin:timing",
                                                                "admin:checks", "admin:discord", "admin:alerts"]
    r1_only = {"session_id": "s", "date": "2026-01-01", "teams": {}, "score": {"A": 0, "B": 0}, "winner": None,
               "maps": [{"map": "supply", "r1_file": "f1.txt", "r2_file": None, "winner": None, "counted": False,
                         "note": "R1 only: round 2 was never played", "scoring_source": "incomplete",
                         "time_a": None, "time_b": None}],
               "rounds": [{"file": "f1.txt", "map": "supply", "round": 1, "orphan": False, "players": [], "awards": [],
                           "timing_status": "NO_LUA_DATA", "timing": None, "lua": None, "playtime_seconds": None,
                           "time_limit": None, "winner_side": None, "defender_side": None}],
               "players": []}
    msgs = by_key(build_messages(r1_only))
    assert "⚪ **Not counted:** round 2 was not played" in msgs["map:f1.txt"].payload["embeds"][0]["description"]
    for m in msgs.values():
        assert limits.violations(m.payload, m.files) == []


def test_scorer_sides_beat_a_stale_round_header(session):
    s = copy.deepcopy(session)
    m = s["maps"][0]                                   # supply: A attacked R1 on Allies, defender Axis
    for r in s["rounds"][:2]:
        r["defender_side"] = 2                         # stale header
    m.pop("a_r1_side", None)
    m.pop("r1_defender_side", None)
    stale = by_key(build_messages(s, graphs=False))["map:" + m["r1_file"]].payload["embeds"][0]["description"]
    assert "1️⃣ 🟠 S\\*F" in stale                     # header alone misleads
    m.update(a_r1_side=2, r1_defender_side=1)         # what the scorer inferred
    msgs = by_key(build_messages(s, graphs=False, details_thread=True))
    assert "1️⃣ 🔵 sWat: objective in 8:45" in msgs["map:" + m["r1_file"]].payload["embeds"][0]["description"]
    r1 = msgs["details:%s:1" % m["r1_file"]].payload["embeds"][0]
    assert r1["fields"][0]["name"] == "⚔️ Attack — 🔵 sWat"


def test_a_timing_gap_takes_its_severity_from_its_cross_check():
    """A gap a known quirk explains (the check warned: a surrender, pauses) is grey; one the
    check failed (the published time may be wrong) is red; a round without its check orange."""
    from et_pipeline.publish.admin_problems import LOOK, LOST, QUIRK, timing_problems
    from et_pipeline.publish.message import _Ctx

    def rnd(f):
        return {"file": f, "map": "supply", "round": 1, "timing_status": "DISCREPANCY",
                "timing": {"stats_seconds": 600, "lua_seconds": 240, "diff_seconds": 360, "cause": "a cause"}}

    s = {"maps": [], "rounds": [rnd("a.txt"), rnd("b.txt"), rnd("c.txt")],
         "checks": [{"check": "timing_matches_stats", "round_file": "a.txt", "status": "warn", "action": "nothing"},
                    {"check": "timing_matches_stats", "round_file": "b.txt", "status": "fail", "action": "look"}]}
    by_file = {p.files[0]: p.severity for p in timing_problems(_Ctx(s))}
    assert by_file == {"a.txt": QUIRK, "b.txt": LOST, "c.txt": LOOK}
