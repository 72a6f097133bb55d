"""The players' channel read like a scoreboard on a phone: a map card says the result,
the night's score after it and the few best players by the measure the player of the
night is chosen by; one vocabulary for how a round ended; numbers one way; colours by one
rule; every name escaped."""
import copy
import re

import pytest

from et_pipeline.domain import round_outcome
from et_pipeline.publish import colours, embeds
from et_pipeline.publish.embeds import build_messages
from et_pipeline.publish.escape import discord_text
from et_pipeline_tests.publish_fixtures import details_of, text_of


def cards(session, **kw):
    msgs = {m.key: m for m in build_messages(session, graphs=False, **kw)}
    return [msgs["map:" + m["r1_file"]] for m in session["maps"]], msgs


def map_dpm(session, m):
    """Damage per minute of each human over the map's rounds (damage x 60 / time played)."""
    files = {m["r1_file"], m["r2_file"]}
    agg = {}
    for r in session["rounds"]:
        if r["file"] in files:
            for p in r["players"]:
                if not p["is_bot"]:
                    a = agg.setdefault(p["guid"], [p["name"], 0, 0])
                    a[1] += p["damage_given"]
                    a[2] += p["time_played_seconds"]
    return sorted(((name, dmg * 60.0 / t) for name, dmg, t in agg.values() if t), key=lambda x: -x[1])


def test_a_card_lists_the_few_best_by_damage_per_minute_and_says_so(session):
    """Finding: "Best players" was the whole roster (12 lines), sorted by kills without
    saying so, while the player of the night is chosen by damage per minute."""
    for card, m in zip(cards(session)[0], session["maps"]):
        (top,) = [f for f in card.payload["embeds"][0]["fields"] if "damage per minute" in f["name"]]
        lines = top["value"].split("\n")
        assert 3 <= len(lines) <= 5 and len(lines) == min(embeds.MAP_TOP, len(map_dpm(session, m)))
        best = map_dpm(session, m)[:len(lines)]
        for line, (name, value) in zip(lines, best):
            assert embeds.esc(name, 18) in line and "%d DPM" % round(value) in line, (line, name, value)
    assert "damage per minute" in embeds.POTN_RULE                      # the same measure, said the same way


def test_a_card_says_the_nights_score_after_its_map(session):
    a = b = 0
    for card, m in zip(cards(session)[0], session["maps"]):
        if m["counted"]:
            a, b = a + (m["winner"] == "A"), b + (m["winner"] == "B")
        text = card.payload["embeds"][0]["description"]
        assert "📊 Night so far: 🔵 **%d – %d** 🟠" % (a, b) in text, text


def test_one_vocabulary_for_how_a_round_ended(session):
    """Finding: a surrender was "gave up at 4:00" on the card, "The defence held" in the
    details, `fullhold` in the report and "held to the limit" in the UI."""
    for card, m in zip(cards(session)[0], session["maps"]):
        rounds = [r for r in session["rounds"] if r["file"] in (m["r1_file"], m["r2_file"])]
        card_text, details = text_of(card), details_of(card)
        for r in rounds:
            words = round_outcome.round_text(r, m)
            assert words in card_text and words in details, (m["map"], words)
        for said_otherwise in ("gave up", "defence held", "attack reached", "was held", "beat it", "set **",
                               "fullhold", "held to the limit"):
            assert said_otherwise not in card_text + details, said_otherwise
    adler = [r for r in session["rounds"] if r["map"] == "etl_adlernest" and r["round"] == 1][0]
    assert round_outcome.of_round(adler) == round_outcome.ATTACK_SURRENDERED


def test_numbers_read_one_way_in_every_message(session):
    """Finding: "18k" kills (weapon kills) beside "2.5K dmg"; 233 DPM in one message, 232.6
    in the next."""
    _, msgs = cards(session)
    for m in msgs.values():
        text = text_of(m) + details_of(m)
        assert not re.search(r"\d[kK]\b", text), (m.key, re.search(r".{20}\d[kK]\b.{5}", text))
    summary = text_of(msgs["session:summary"])
    potn = embeds.player_of_the_night(session)
    assert "%d DPM" % round(potn["dpm"]) in summary and "%.1f" % potn["dpm"] not in summary


def test_the_summary_says_the_date_the_score_and_the_rule_once(session):
    """Finding: the date twice (title, start time, footer time), the score twice."""
    s = copy.deepcopy(session)
    s.update(start_at="2026-02-05T21:18:49+01:00", end_at="2026-02-05T23:09:43+01:00")
    _, msgs = cards(s)
    e = msgs["session:summary"].payload["embeds"][0]
    assert "timestamp" not in e                                          # Discord would print the date again
    assert "Thu 5 Feb 2026" in e["title"] and "2026" not in e["description"]
    assert re.findall(r"<t:\d+:(\w)>", e["description"]) == ["t", "t"]   # times of day only
    assert len(re.findall(r"\b3 ?– ?1\b", text_of(msgs["session:summary"]))) == 1
    assert sum(embeds.POTN_RULE in text_of(m) for m in msgs.values()) == 1
    for key, m in msgs.items():                                          # the cards: no date of their own
        assert "timestamp" not in m.payload["embeds"][0], key


def test_details_times_carry_the_nights_zone(session):
    s = copy.deepcopy(session)
    s["timezone"] = "Europe/Ljubljana"
    (card, *_), _ = cards(s)
    details = details_of(card)
    assert "UTC" not in details
    end = s["rounds"][0]["lua"]["round_end_unix"]
    from et_pipeline.numbers import clock, instant
    assert "ended %s" % clock(instant(unix=end), "Europe/Ljubljana", seconds=True) in details
    assert re.search(r"ended \d\d:\d\d:\d\d CET", details)


def test_colours_follow_the_written_rule(session):
    _, msgs = cards(session)
    for m in session["maps"]:
        colour = msgs["map:" + m["r1_file"]].payload["embeds"][0]["color"]
        assert colour == colours.result(m["winner"] if m["counted"] else None)
    assert colours.result("A") == colours.TEAM["A"] and colours.result("B") == colours.TEAM["B"]
    assert colours.result("tie") == colours.result(None) == colours.NEUTRAL
    summary = msgs["session:summary"].payload["embeds"][0]["color"]
    assert summary == colours.result(session["winner"])
    from et_pipeline.publish.graphs import TEAM_COLORS
    assert TEAM_COLORS == {k: "#%06X" % v for k, v in colours.TEAM.items()}   # the graphs' bars, the same


HOSTILE = {"rambo": "*xqa*", "SuperBoyy": "_yqb_", "vektor": "@everyone", "bronze.": "<@123>",
           "endekk": "https://evl.io", "x_oly_x": "||zqc||", "[BOT]Fritz": "`wqd`"}
HOSTILE_TEAMS = {"A": "#chnq", "B": "> qeq"}
TOKENS = ("xqa", "yqb", "everyone", "@123", "evl", "zqc", "wqd", "chnq", "qeq", "mapz")


def hostile_session(session):
    s = copy.deepcopy(session)
    for r in s["rounds"]:
        for p in r["players"]:
            p["name"] = HOSTILE[p["name"]]
        for a in r.get("awards") or []:
            a["player"] = HOSTILE.get(a["player"], a["player"])
    for p in s["players"]:
        p["name"] = HOSTILE[p["name"]]
    for k, name in HOSTILE_TEAMS.items():
        s["teams"][k]["name"] = name
        for p in s["teams"][k]["players"]:
            p["name"] = HOSTILE[p["name"]]
    for x in s["maps"] + s["rounds"]:
        if x["map"] == "supply":
            x["map"] = "~~mapz~~"
    return s


@pytest.mark.parametrize("thread", [False, True])
def test_every_name_reaches_discord_escaped(session, thread):
    """Player, team and map names only ever appear through the one escape function."""
    s = hostile_session(session)
    names = list(HOSTILE.values()) + list(HOSTILE_TEAMS.values()) + ["~~mapz~~"]
    for m in build_messages(s, graphs=True, details_thread=thread):
        text = text_of(m)
        for name in sorted(names, key=len, reverse=True):
            text = text.replace(discord_text(name), "NAME")
        for token in TOKENS:
            assert token not in text, (m.key, token, text)


def balance_doc():
    names = {"g1": "*xa*", "g2": "_yb_", "g3": "@everyone", "g4": "plain"}
    return {"players": list(names), "names": names, "provisional": ["g1", "g3"],
            "splits": [{"A": ["g1", "g4"], "B": ["g2", "g3"], "p_a_wins": 0.5231,
                        "repeated_pairs": [["g1", "g4"], ["g2", "g3"]]},
                       {"A": ["g1", "g2"], "B": ["g3", "g4"], "p_a_wins": 0.43, "repeated_pairs": [["g1", "g2"]]},
                       {"A": ["g1", "g3"], "B": ["g2", "g4"], "p_a_wins": 0.61, "repeated_pairs": []}]}


def test_the_balance_message_is_a_discord_message_not_the_cli_text():
    """Finding: the CLI's text was posted: `*` provisional marks italicised names, the
    legend became a bullet, names unescaped, "P(A wins)" and "2 pair(s)"."""
    from et_pipeline.publish import limits
    from et_pipeline.publish.balance_message import balance_payload
    from et_pipeline.publish.message import Message

    payload = balance_payload(balance_doc())
    assert payload["allowed_mentions"] == {"parse": []} and not limits.violations(payload)
    (e,) = payload["embeds"]
    text = text_of(Message("balance", payload))
    assert "P(A wins)" not in text and "pair(s)" not in text and not re.search(r"(?m)^\s*[*-] ", text)
    assert "Team A wins 52%" in text and "Team B wins 57%" in text       # the favourite named
    assert "2 pairs as last night" in text and "1 pair as last night" in text
    for name in balance_doc()["names"].values():
        assert discord_text(name) in text
    rest = text
    for name in balance_doc()["names"].values():
        rest = rest.replace(discord_text(name), "NAME")
    assert "*" not in rest.replace("**", "") and "everyone" not in rest      # no bare markdown marks
    assert "provisional" in text and "🆕" in text                                 # in words and a symbol
    assert e["fields"][0]["name"].startswith("1.")
