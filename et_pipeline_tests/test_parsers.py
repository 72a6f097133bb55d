"""Parsers against the real corpus (2026-02-05, c0rnp0rn7 and c0rnp0rn8, endstats,
webhook v1.6.0 and v1.7.2 gametime files) and against hand-written fixtures for what
the corpus lacks (CRLF, non-UTF-8 names, `^^`, an empty GUID, omni-bots, award value
formats, the mislabelled endstats lines, this project's own timing files, bad names).

Expectations come from FORMATS.md / DOMAIN.md and from truth.json, never from the code.
"""
import datetime as dt
import json
import re
from pathlib import Path

import pytest

from et_pipeline.config import Rules
from et_pipeline.domain.linking import RoundSlot
from et_pipeline.parsers.endstats_file import award_value, parse_endstats_file
from et_pipeline.parsers.errors import ParseError
from et_pipeline.parsers.filenames import ENDSTATS, GAMETIME, STATS, TIMING, classify
from et_pipeline.parsers.stats_file import TAB_FIELDS, WEAPONS, Header, parse_stats_file
from et_pipeline.parsers.text import strip_colours
from et_pipeline.parsers.timing_file import parse_gametime_file, parse_own_timing_file
from et_pipeline.steps.awards import build_awards

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NIGHT = FIXTURES / "corpus" / "2026-02-05"
UNIT = FIXTURES / "unit"
TRUTH = json.loads((NIGHT / "truth.json").read_text())
STATS_DIRS = ("gamestats", "gamestats_c0rnp0rn8")
SIDE = {"axis": 1, "allies": 2}
GUID8 = re.compile(r"^[0-9A-Z]{8}$")


def corpus_files(folder: str) -> list[Path]:
    return sorted((NIGHT / folder).iterdir())


def read(path: Path) -> bytes:
    return path.read_bytes()


def stats_path(folder: str, map_name: str, rnd: int) -> Path:
    [p] = [p for p in corpus_files(folder) if p.name.endswith("-%s-round-%d.txt" % (map_name, rnd))]
    return p


def by_guid(sf):
    return {p.guid: p for p in sf.players}


# --------------------------------------------------------------------------- stats: corpus


@pytest.mark.parametrize("folder", STATS_DIRS)
@pytest.mark.parametrize("index", range(10))
def test_every_real_stats_file_parses_cleanly(folder, index):
    path = corpus_files(folder)[index]
    name = classify(path.name)
    assert name is not None and name.kind == STATS
    sf = parse_stats_file(read(path))
    h = sf.header
    # c0rnp0rn7: 8 header fields, c0rnp0rn8: 9 (field 9 = playtime in ms)
    n_fields = read(path).split(b"\n", 1)[0].count(b"\\") + 1
    if folder == "gamestats":
        assert n_fields == 8 and h.playtime_ms is None and h.format == "c0rnp0rn7"
    else:
        assert n_fields == 9 and h.playtime_ms > 10000 and h.format == "c0rnp0rn8"
    assert h.map == name.map and h.round == name.round
    assert h.config == "legacy3"
    assert h.server_name == TRUTH["server"]["hostname"]  # raw, colour codes kept
    assert sf.players
    for p in sf.players:
        assert GUID8.match(p.guid), p.guid
        assert "^" not in p.name
        assert len(p.tab) == len(TAB_FIELDS) == 38
        mask_weapons = sorted(p.weapons)
        assert all(0 <= j < len(WEAPONS) for j in mask_weapons)
        assert all(len(g) == 5 for g in p.weapons.values())
        # TAB 20 (bullets fired) is the sum of the weapon-block shots
        assert p.tab[20] == sum(g[1] for g in p.weapons.values())


def test_weapon_mask_and_five_tuples_on_a_known_line():
    # supply R1: 1AA6126C\^1ra^7mbo\0\1\1048624 80 266 6 0 17 0 0 0 17 0 13 48 0 0 0 ...
    sf = parse_stats_file(read(stats_path("gamestats", "supply", 1)))
    rambo = by_guid(sf)["1AA6126C"]
    assert 1048624 == 2 ** 4 + 2 ** 5 + 2 ** 20
    assert rambo.weapons == {4: (80, 266, 6, 0, 17), 5: (0, 0, 0, 17, 0), 20: (13, 48, 0, 0, 0)}
    assert [WEAPONS[j] for j in sorted(rambo.weapons)] == ["WS_MP40", "WS_THOMPSON", "WS_MG42"]
    assert rambo.raw_name == "^1ra^7mbo" and rambo.name == "rambo"
    assert rambo.rounds == 0 and rambo.side == 1
    assert rambo.weapon_total(2) == 6 and rambo.weapon_total(3) == 17  # kills, deaths
    assert rambo.tab_value("damage_given") == 1944
    assert rambo.tab_value("damage_received") == 2392
    assert rambo.tab_value("time_played_percent") == 68.1
    assert rambo.tab_value("time_played_minutes") == 10.2
    assert rambo.tab_value("revives_given") == 0
    assert rambo.tab_value("time_dead_minutes") == 9.2


def test_header_fields_c0rnp0rn7_and_c0rnp0rn8():
    h7 = parse_stats_file(read(stats_path("gamestats", "supply", 2))).header
    h8 = parse_stats_file(read(stats_path("gamestats_c0rnp0rn8", "supply", 2))).header
    for h in (h7, h8):
        assert (h.map, h.config, h.round, h.defender, h.winner) == ("supply", "legacy3", 2, 1, 2)
        assert (h.time_limit, h.next_time_limit) == ("10:10", "8:55")
    assert h7.playtime_ms is None and h7.playtime_seconds is None
    assert h8.playtime_ms == 534754 and h8.playtime_seconds == pytest.approx(534.754)


def _truth_rounds():
    for r in TRUTH["rounds"]:
        m = re.match(r".*#\d+-(.+)-R(\d)$", r["id"])
        yield r, m.group(1), int(m.group(2))


@pytest.mark.parametrize("folder", STATS_DIRS)
def test_real_files_agree_with_the_engine_counters_in_truth(folder):
    """Every player line holds the engine counters at the end of its round (cumulative in
    R2; the reconnected player holds only his post-reconnect counters)."""
    checked = 0
    for r, map_name, rnd in _truth_rounds():
        sf = parse_stats_file(read(stats_path(folder, map_name, rnd)))
        lines = {p.guid: [q for q in sf.players if q.guid == p.guid] for p in sf.players}
        for tp in r["players"]:
            guid8 = tp["guid"][:8].upper()
            [p] = [q for q in lines[guid8] if q.name == tp["clean_name"]]
            e = tp["engine_counters_at_end"]
            assert p.name == tp["clean_name"] == strip_colours(tp["name"])
            assert p.raw_name == tp["name"]
            assert p.side == SIDE[tp["side"]]
            assert p.is_bot == (tp["key"].startswith("BOT"))
            assert p.weapon_total(2) == e["kills"] and p.weapon_total(3) == e["deaths"]
            tab = dict(zip(TAB_FIELDS, p.tab))
            for key in ("damage_given", "damage_received", "team_damage_given", "team_damage_received",
                        "gibs", "self_kills", "team_kills", "team_gibs"):
                assert tab[key] == e[key], (r["id"], guid8, key)
            assert tab["time_played_minutes"] == pytest.approx((e["time_axis"] + e["time_allies"]) / 60000, abs=0.051)
            cols = tp["weapon_stats_columns"]  # atts, deaths, headshots, hits, kills
            expected = {j: (w[cols.index("hits")], w[cols.index("atts")], w[cols.index("kills")],
                            w[cols.index("deaths")], w[cols.index("headshots")])
                        for j, w in enumerate(tp["weapon_stats_at_end"]) if any(w)}
            assert p.weapons == expected, (r["id"], guid8)
            checked += 1
    assert checked >= 60


# --------------------------------------------------------------------------- stats: fixtures


def test_crlf_copy_parses_like_the_lf_original():
    lf = read(stats_path("gamestats", "etl_adlernest", 2))
    crlf = lf.replace(b"\n", b"\r\n")
    a, b = parse_stats_file(lf), parse_stats_file(crlf)
    assert a.header == b.header
    assert [(p.guid, p.raw_name, p.weapons, p.tab) for p in a.players] == \
           [(p.guid, p.raw_name, p.weapons, p.tab) for p in b.players]
    assert not any(p.raw_name.endswith("\r") for p in b.players)
    assert b.header.next_time_limit == "6:30"


def test_non_utf8_names_caret_empty_guid_and_omnibots():
    sf = parse_stats_file(read(UNIT / "2026-02-06-210000-supply-round-1.txt"))
    assert sf.header.server_name == "^1Uni^7Server" and sf.header.playtime_ms == 521344
    assert len(sf.players) == 5
    jerome, cash, noguid, hunter, sniper = sf.players
    # Latin-1 / cp1252 bytes decode by the single-byte fallback, identity stays the GUID
    assert jerome.guid == "A1B2C3D4" and jerome.name == "Jérôme" and jerome.raw_name == "^2Jérôme"
    assert cash.guid == "B2C3D4E5" and cash.name == "€uro^Cash"  # 0x80 is the euro sign; ^^ a literal caret
    assert jerome.weapons == {3: (4, 21, 1, 2, 0), 5: (57, 212, 8, 5, 3)}
    # an empty GUID is an empty field, not an error, and never a bare "" identity
    assert noguid.guid == "" and noguid.name == "NoGuid"
    assert noguid.key != "" and "NoGuid" in noguid.key
    assert not noguid.is_bot
    # omni-bots: GUID OMNIBOT0 shared, told apart by name
    assert hunter.guid == sniper.guid == "OMNIBOT0"
    assert hunter.is_bot and sniper.is_bot and not jerome.is_bot
    assert hunter.name == "[BOT]Hunter" and sniper.name == "[BOT]Sniper"
    assert len({p.key for p in sf.players}) == 5


@pytest.mark.parametrize("raw, clean", [
    ("^1ra^7mbo", "rambo"),
    ("^0[^1SX^0]^7Vektor", "[SX]Vektor"),
    ("a^^b", "a^b"),
    ("^a#^7o^ar^7acle^a.^7sim", "#oracle.sim"),
    ("^*x^$y", "xy"),
    ("plain", "plain"),
])
def test_colour_codes(raw, clean):
    assert strip_colours(raw) == clean


def test_bot_name_prefix_alone_marks_a_bot():
    line = "1234ABCD\\[BOT]^2Tank\\1\\1\\32 1 2 0 0 0 \t" + "\t".join(["0"] * 38) + "\n"
    sf = parse_stats_file(("srv\\supply\\\\1\\1\\2\\12:00\\8:00\n" + line).encode())
    assert sf.players[0].is_bot


def test_header_playtime_units():
    base = dict(server_name="s", map="m", config="", round=1, defender=1, winner=2, time_limit="12:00",
                next_time_limit="8:00")
    assert Header(**base, playtime_ms=521344).playtime_seconds == pytest.approx(521.344)
    assert Header(**base, playtime_ms=-1500).playtime_seconds is None      # shutdown path
    assert Header(**base, playtime_ms=0).playtime_seconds is None
    assert Header(**base, playtime_ms=None).playtime_seconds is None


def test_small_header_playtime_is_never_read_as_hours():
    h = Header("s", "m", "", 1, 1, 2, "12:00", "8:00", 9000)
    assert h.playtime_seconds in (None, pytest.approx(9.0))


@pytest.mark.parametrize("data, words", [
    (b"", "empty"),
    (b"   \n\n", "empty"),
    (b"srv\\supply\\cfg\\1\\1\\2\\12:00\n", "header"),                       # 7 fields
    (b"srv\\supply\\cfg\\1\\1\\2\\12:00\\8:00\\1\\2\n", "header"),          # 10 fields
    (b"srv\\supply\\cfg\\1\\1\\2\\12:00\\8:00\\abc\n", "field 9"),
    (b"srv\\supply\\cfg\\1\\1\\2\\twelve\\8:00\n", "clock"),
    (b"srv\\\\cfg\\1\\1\\2\\12:00\\8:00\n", "map"),
    (b"srv\\supply\\cfg\\1\\1\\2\\12:00\\8:00\nA\\b\\1\\2\\1 1 1 1 1 1 \t" + b"\t".join([b"0"] * 38), "truncated"),
    (b"srv\\supply\\cfg\\1\\1\\2\\12:00\\8:00\nA\\b\\1\\2\\x\\1 1 1 1 1 1 \t" + b"\t".join([b"0"] * 38) + b"\n",
     "backslash"),
    (b"srv\\supply\\cfg\\1\\1\\2\\12:00\\8:00\nA\\b\\1\\2\\1 1 1 1 1 1 1 \t" + b"\t".join([b"0"] * 38) + b"\n",
     "weapon"),
    (b"srv\\supply\\cfg\\1\\1\\2\\12:00\\8:00\nA\\b\\1\\2\\1 1 1 1 1 1 \t" + b"\t".join([b"0"] * 37) + b"\n",
     "extended"),
    (b"srv\\supply\\cfg\\1\\1\\2\\12:00\\8:00\nA\\b\\1\\2\\1 1 1 1 1 1 \n", "TAB"),
    (b"srv\\supply\\cfg\\1\\1\\2\\12:00\\8:00\nA\\b\\1\\2\\1 1 x 1 1 1 \t" + b"\t".join([b"0"] * 38) + b"\n",
     "integer"),
    (b"\x00\x01\x02\n", "binary"),
])
def test_malformed_stats_files_are_refused_with_a_reason(data, words):
    with pytest.raises(ParseError) as e:
        parse_stats_file(data)
    assert words.lower() in str(e.value).lower()


# --------------------------------------------------------------------------- endstats


@pytest.mark.parametrize("text, value", [
    ("4610", 4610.0),
    ("2.2307692307692", 2.2307692307692),
    ("2.0", 2.0),
    ("10.17 percent, 1.94 min", 10.17),
    ("50.47 percent", 50.47),
    ("170 seconds", 170.0),
    ("3 kills in 1.84s", 3.0),
    ("Damage received vs death ratio: 3.45x", 3.45),
    ("23.41 m", 23.41),
])
def test_award_values_are_typed(text, value):
    assert award_value(text) == pytest.approx(value)


@pytest.mark.parametrize("path", corpus_files("endstats"), ids=lambda p: p.name)
def test_every_real_endstats_file_parses(path):
    assert classify(path.name).kind == ENDSTATS
    ef = parse_endstats_file(read(path))
    assert ef.awards and ef.vs
    assert ef.ignored_lines == 0
    # every VS row of the current script belongs to a VS_HEADER block
    assert all(v.subject_name and GUID8.match(v.subject_guid) for v in ef.vs)
    assert all(a.value is not None for a in ef.awards)
    # "Longest killing spree" is written twice by the script (#31 and #40): one award
    assert sum(a.award == "Longest killing spree" for a in ef.awards) <= 1


def test_real_round_2_endstats_values_vs_blocks_and_duplicate():
    ef = parse_endstats_file(read(NIGHT / "endstats" / "2026-02-05-212034-supply-round-2-endstats.txt"))
    awards = {a.award: a for a in ef.awards}
    assert (awards["Most damage given"].player, awards["Most damage given"].value) == ("rambo", 4610)
    assert awards["Best K/D ratio"].value == pytest.approx(2.2307692307692)
    assert awards["Best K/D ratio"].value_text == "2.2307692307692"
    assert awards["Full respawn king"].value == pytest.approx(10.17)
    assert awards["Full respawn king"].value_text == "10.17 percent, 1.94 min"
    assert awards["Most playtime denied"].value == 170
    assert awards["Most damage given"].category == "combat"
    assert [a.award for a in ef.awards].count("Longest killing spree") == 1
    assert ef.duplicate_lines == 1
    assert len(ef.vs) == 18
    first = ef.vs[0]
    assert (first.subject_name, first.subject_guid, first.opponent, first.kills, first.deaths) == \
           ("[SX]Vektor", "867E9D1D", "rambo", 5, 3)
    assert {v.subject_guid for v in ef.vs} == {
        "867E9D1D", "93790AEA", "9F19B5F1", "840601B9", "1AA6126C", "2A5F5BEE"}
    assert ef.guid_by_name()["kRm!"] == "2A5F5BEE"


def test_fixture_endstats_formats_duplicates_and_mislabelled_line():
    ef = parse_endstats_file(read(UNIT / "2026-02-06-210001-supply-round-1-endstats.txt"))
    named = [(a.award, a.player, a.value) for a in ef.awards]
    assert ("Quickest multikill w/ light weapons", "Jerome", 3.0) in named
    assert ("Farthest riflenade kill", "Cash", pytest.approx(23.41)) in named
    assert ("Tank/Meatshield (Refuses to die)", "Cash", pytest.approx(3.45)) in named
    assert ("Full respawn king", "Cash", pytest.approx(10.17)) in named
    assert ("Most playtime denied", "Jerome", 170.0) in named
    assert [a[0] for a in named].count("Longest killing spree") == 1
    # the second "Most objectives stolen" (#41) carries the most useless kills
    assert ("Most objectives stolen", "Cash", 2.0) in named
    assert ("Most useless kills", "Jerome", 4.0) in named
    assert [a[0] for a in named].count("Most objectives stolen") == 1
    # VS_HEADER blocks: GUID cut to 8 upper-case characters
    assert [(v.subject_name, v.subject_guid, v.opponent, v.kills, v.deaths) for v in ef.vs] == [
        ("Jerome", "A1B2C3D4", "Cash", 4, 0), ("Jerome", "A1B2C3D4", "NoGuid", 3, 2),
        ("Cash", "B2C3D4E5", "Jerome", 0, 4)]


def test_mislabelled_useless_kills_line_survives_an_identical_objectives_line():
    data = ("Longest killing spree\tvid\t5\n"
            "Most objectives stolen\tvid\t4\n"
            "Longest killing spree\tvid\t5\n"
            "Most objectives stolen\tvid\t4\n"
            "Full respawn king\tvid\t12.5 percent, 1.5 min\n").encode()
    named = [(a.award, a.player, a.value) for a in parse_endstats_file(data).awards]
    assert ("Most objectives stolen", "vid", 4.0) in named
    assert ("Most useless kills", "vid", 4.0) in named


def test_real_lone_objectives_stolen_line_is_the_useless_kills_award():
    ef = parse_endstats_file(read(NIGHT / "endstats" / "2026-02-05-220000-etl_sp_delivery-round-1-endstats.txt"))
    named = [(a.award, a.player, a.value) for a in ef.awards]
    assert ("Most useless kills", "[SX]Vektor", 4.0) in named
    assert not any(a[0] == "Most objectives stolen" for a in named)
    stats = parse_stats_file(read(stats_path("gamestats", "etl_sp_delivery", 1)))
    assert all(p.tab_value("objectives_stolen") == 0 for p in stats.players if p.name == "[SX]Vektor")


def test_early_endstats_without_vs_header():
    ef = parse_endstats_file(read(UNIT / "2026-01-15-213000-supply-round-1-endstats.txt"))
    assert [(a.award, a.player) for a in ef.awards] == [
        ("Most damage given", "vid"), ("Most kills per minute", "vid"), ("Best K/D ratio", "bronze.")]
    assert [(v.subject_name, v.subject_guid, v.opponent, v.kills, v.deaths) for v in ef.vs] == [
        (None, None, "carniee", 4, 0), (None, None, "SuperBoyy", 3, 2)]


def test_value_zero_awards_are_kept_as_written():
    """FORMATS 5 #28 suggests dropping value-0 awards ('Most multikills' 0). We keep every award
    line the server wrote (the report promises one award per distinct line), with value 0, so
    nothing silently disappears; displays may hide them."""
    name = classify("2026-02-06-210001-supply-round-1-endstats.txt")
    slot = RoundSlot("2026-02-06-210000-supply-round-1", "supply", 1, dt.datetime(2026, 2, 6, 21, 0, 0))
    awards, vs, outcomes = build_awards([("gamestats/" + name.name, name, read(UNIT / name.name))], [slot],
                                        {slot.key: [("A1B2C3D4", "^2Jérôme"), ("B2C3D4E5", "€uro^^Cash")]},
                                        "2026-02-06", Rules())
    assert outcomes[0].status == "parsed"
    assert all(a["round_key"] == slot.key for a in awards)
    zero = [a for a in awards if a["award"] == "Most multikills"]
    assert zero and all(a["value_numeric"] == 0 for a in zero)


@pytest.mark.parametrize("data, why", [(b"", "empty file"), (b"\n\n", "empty file"),
                                       (b"hello world\n", "no award or VS line"), (b"a\tb\n", "no award or VS line"),
                                       (b"\x00\x00", "binary content"), (b"x\ty\tz\n", "no award or VS line")])
def test_non_endstats_content_is_refused_with_what_is_wrong(data, why):
    with pytest.raises(ParseError, match=why):
        parse_endstats_file(data)


# --------------------------------------------------------------------------- gametime (upstream)


@pytest.mark.parametrize("path", corpus_files("gametimes") + corpus_files("gametimes_webhook_v1.7.2"),
                         ids=lambda p: "%s/%s" % (p.parent.name, p.name))
def test_every_real_gametime_file_parses(path):
    name = classify(path.name)
    assert name.kind == GAMETIME
    t = parse_gametime_file(read(path))
    meta = json.loads(read(path))["meta"]
    assert (t.map, t.round, t.round_end_unix) == (name.map, name.round, name.unix)
    assert t.round_start_unix == meta["round_start_unix"]
    assert t.playtime_seconds == meta["actual_duration_seconds"]
    assert t.version == ("1.6.0" if path.parent.name == "gametimes" else "1.7.2")
    assert t.pause_count == 0 and t.pause_seconds == 0
    assert t.winner in (1, 2) and t.defender in (1, 2)
    assert len(t.axis_players) == len(t.allies_players) == 3
    assert all(GUID8.match(p["guid"]) for p in t.axis_players + t.allies_players)


def test_gametime_v160_surrender_round():
    t = parse_gametime_file(read(NIGHT / "gametimes" / "gametime-etl_adlernest-R1-1770323208.json"))
    assert (t.map, t.round, t.round_start_unix, t.round_end_unix) == ("etl_adlernest", 1, 1770322968, 1770323208)
    assert t.playtime_seconds == 240
    assert (t.winner, t.defender, t.end_reason, t.surrender_team) == (1, 1, "surrender", 2)
    assert t.timelimit_minutes == 10
    assert t.version == "1.6.0"
    assert t.warmup_seconds == 0


def test_gametime_v172_fractional_time_limit_and_rosters():
    t = parse_gametime_file(read(NIGHT / "gametimes_webhook_v1.7.2" / "gametime-supply-R2-1770322832.json"))
    assert (t.map, t.round, t.round_start_unix, t.round_end_unix) == ("supply", 2, 1770322297, 1770322832)
    assert t.playtime_seconds == 535
    assert t.timelimit_minutes == pytest.approx(10.167)
    assert (t.winner, t.defender, t.end_reason, t.surrender_team) == (2, 1, "objective", 0)
    assert [p["guid"] for p in t.axis_players] == ["867E9D1D", "93790AEA", "9F19B5F1"]
    assert [p["name"] for p in t.allies_players] == ["Blaze", "rambo", "kRm!"]
    assert t.version == "1.7.2" and t.pauses == []


def test_gametime_meta_only_and_round_zero():
    doc = {"meta": {"map": "supply", "round": 0, "round_start_unix": 1770321588, "round_end_unix": 1770322198,
                    "actual_duration_seconds": 610, "pause_seconds": 3, "pause_count": 1}}
    t = parse_gametime_file(json.dumps(doc).encode())
    assert (t.map, t.round, t.playtime_seconds, t.pause_count, t.pause_seconds) == ("supply", 2, 610, 1, 3)
    assert (t.round_start_unix, t.round_end_unix) == (1770321588, 1770322198)


@pytest.mark.parametrize("data, why", [(b"", "empty file"), (b"{", "invalid JSON .*truncated or garbled"),
                                       (b"[1, 2]", "not a JSON object"), (b"\"text\"", "not a JSON object"),
                                       (b"{}", "neither meta nor webhook fields"),
                                       (b"{\"meta\": {\"round\": 1}}", "no map or round"),
                                       (b"\xff\xfe{\"meta\"", "invalid JSON"), (b"null", "not a JSON object")])
def test_bad_gametime_files_are_refused_with_what_is_wrong(data, why):
    with pytest.raises(ParseError, match=why):
        parse_gametime_file(data)


# --------------------------------------------------------------------------- own timing file

OWN_EXPECTED = dict(round_start_unix=1738554800, round_end_unix=1738555125, playtime_seconds=325.0,
                    warmup_seconds=12, pause_count=0, pause_seconds=0, winner=2, defender=1, end_reason="objective")


def _own(t):
    return {k: getattr(t, k) for k in OWN_EXPECTED}


@pytest.mark.parametrize("fname", ["2025-02-03-045845-supply-round-1-timing.txt",
                                   "2025-02-03-045845-supply-round-1-timing.json"])
def test_own_timing_file_both_forms(fname):
    name = classify(fname)
    assert name.kind == TIMING and name.map == "supply" and name.round == 1
    t = parse_own_timing_file(read(UNIT / fname), name.map, name.round)
    assert (t.map, t.round) == ("supply", 1)
    assert _own(t) == OWN_EXPECTED


LONG_KEYS = dict(map="supply", round=1, round_start_unix=1738554800, round_end_unix=1738555125,
                 lua_playtime_seconds=325, warmup_seconds=12, pause_count=0, total_pause_seconds=0,
                 winner_team=2, defender_team=1, end_reason="objective", timelimit_minutes=12,
                 surrender_team=0, version="1.0.0")


def test_own_timing_long_key_names_json_and_key_value():
    as_json = json.dumps(LONG_KEYS).encode()
    as_kv = " ".join("%s=%s" % kv for kv in LONG_KEYS.items()).encode()
    for data in (as_json, as_kv, as_kv + b"\n", as_kv + b"\r\n"):
        t = parse_own_timing_file(data, "supply", 1)
        assert _own(t) == OWN_EXPECTED
        assert t.timelimit_minutes == 12 and t.surrender_team == 0 and t.version == "1.0.0"


def test_own_timing_rosters_and_pauses():
    doc = dict(LONG_KEYS, pause_count=2, total_pause_seconds=47,
               axis_players=[{"guid": "0123456789abcdef0123456789abcdef", "name": "^1Foo"}],
               allies_players=[])
    t = parse_own_timing_file(json.dumps(doc).encode(), "supply", 1)
    assert (t.pause_count, t.pause_seconds) == (2, 47)
    assert t.axis_players == [{"guid": "01234567", "name": "Foo"}]


@pytest.mark.parametrize("data, words", [
    (b"", "empty"),
    (b"round_start_unix=1 round_end_unix=2", "playtime"),
    (b"round_start_unix=1738554800 round_end_unix=1738555125\nplaytime=325", "one line"),
    (b"round_start_unix=1738554800 round_end_unix=1738555125 playtime", "key=value"),
    (b"map=te_escape2 round_start_unix=1738554800 round_end_unix=1738555125 playtime=325", "te_escape2"),
    (b"round=2 round_start_unix=1738554800 round_end_unix=1738555125 playtime=325", "R2"),
    (b"{\"round_start_unix\": 1738554800", "json"),
    (b"{\"round_start_unix\": 1738554800, \"round_end_unix\": 1738555125}", "playtime"),
])
def test_bad_own_timing_files_are_refused(data, words):
    with pytest.raises(ParseError) as e:
        parse_own_timing_file(data, "supply", 1)
    assert words.lower() in str(e.value).lower()


# --------------------------------------------------------------------------- file names


@pytest.mark.parametrize("name, kind, map_name, rnd, when", [
    ("2026-02-02-211352-etl_adlernest-round-1.txt", STATS, "etl_adlernest", 1, dt.datetime(2026, 2, 2, 21, 13, 52)),
    ("2026-02-05-212035-supply-round-2.txt", STATS, "supply", 2, dt.datetime(2026, 2, 5, 21, 20, 35)),
    ("2026-02-05-212034-supply-round-2-endstats.txt", ENDSTATS, "supply", 2, dt.datetime(2026, 2, 5, 21, 20, 34)),
    ("2026-02-05-212035-my-map-round-1.txt", STATS, "my-map", 1, dt.datetime(2026, 2, 5, 21, 20, 35)),
    ("2026-02-05-212035-map-round-2-round-1.txt", STATS, "map-round-2", 1, dt.datetime(2026, 2, 5, 21, 20, 35)),
    ("2026-02-05-212035-Sw_GoldRush_TE-round-1.txt", STATS, "Sw_GoldRush_TE", 1, dt.datetime(2026, 2, 5, 21, 20, 35)),
    ("2026-02-05-235959-mp_sillyctf-round-2.txt", STATS, "mp_sillyctf", 2, dt.datetime(2026, 2, 5, 23, 59, 59)),
    ("2026-02-05-212035-supply-round-1-timing.txt", TIMING, "supply", 1, dt.datetime(2026, 2, 5, 21, 20, 35)),
    ("2026-02-05-212035-supply-round-1-timing.json", TIMING, "supply", 1, dt.datetime(2026, 2, 5, 21, 20, 35)),
])
def test_valid_round_file_names(name, kind, map_name, rnd, when):
    f = classify(name)
    assert (f.kind, f.map, f.round, f.local_time) == (kind, map_name, rnd, when)
    assert f.stem == name.split("-endstats")[0].split("-timing")[0].rsplit(".", 1)[0]


def test_gametime_file_names():
    f = classify("gametime-sw_goldrush_te-R2-1770327416.json")
    assert (f.kind, f.map, f.round, f.unix, f.local_time) == (GAMETIME, "sw_goldrush_te", 2, 1770327416, None)
    for path in corpus_files("gametimes_webhook_v1.7.2"):
        assert classify(path.name).kind == GAMETIME


@pytest.mark.parametrize("name, words", [
    ("2026-02-30-211352-supply-round-1.txt", "date"),               # 30 February
    ("2026-02-05-256199-supply-round-1.txt", "time"),               # hour 25, second 99
    ("2026-13-05-211352-supply-round-1.txt", "date"),
    ("2026-02-05-211352-supply-round-3.txt", "round"),
    ("2026-02-05-211352-supply-round-0.txt", "round"),
    ("2026-02-05-211352-sup ply-round-1.txt", "map"),
    ("2026-02-05-211352-supply-round-1-endstats.json", "json"),
    ("2026-02-05-211352-supply-round-1.json", "json"),
    ("2026-02-05-211352-round-1.txt", ""),                          # no map at all
    ("2026-02-05-2113-supply-round-1.txt", ""),                     # short time
    ("2026-02-05-211352-supply.txt", ""),                           # no round
    ("2026-02-05-211352-" + "m" * 51 + "-round-1.txt", "map"),
    ("gametime-supply-R3-1770322198.json", "round"),
    ("gametime-supply-R1-12.json", ""),
    ("../2026-02-05-211352-supply-round-1.txt", "unsafe"),
])
def test_refused_file_names_raise_parse_error_with_a_reason(name, words):
    with pytest.raises(ParseError) as e:
        classify(name)
    reason = str(e.value)
    assert len(reason) > 10
    assert words in reason.lower()


@pytest.mark.parametrize("name", [
    "2026-02-05-211352-supply-round-1_ws.txt",
    "2026-02-05-211352-supply-round-1_engagements.txt",
    "notes.txt", "README.md", ".processed_gametimes.txt", "server.log", "gametimes.tar.gz",
    "2026-02-05-211352-supply-round-1.txt.bak", "stats_webhook_notify.py",
])
def test_unrelated_and_ignored_names_give_none(name):
    assert classify(name) is None
