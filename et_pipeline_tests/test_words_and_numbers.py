"""The two vocabularies every output shares: how a number reads (et_pipeline.numbers) and
how a round ended (domain.round_outcome)."""
import pytest

from et_pipeline import numbers as n
from et_pipeline.domain import round_outcome as ro


def test_numbers_read_one_way():
    assert n.count(18004) == "18,004" and n.count(2512.4) == "2,512" and n.count(None) == "0"
    assert n.dpm(232.6) == "233" and n.dpm(232.4) == "232"
    assert n.ratio(2.789) == "2.79" and n.signed(0.254) == "+0.25" and n.signed(-1.1) == "-1.10"
    assert n.percent(40.2) == "40%" and n.share(0.523) == "52%"
    assert n.duration(525) == "8:45" and n.duration(3723) == "1:02:03" and n.duration(None) == "–"
    assert n.metres(23.41) == "23.4 m"
    assert n.plural(1, "pair") == "1 pair" and n.plural(2, "pair") == "2 pairs"
    assert n.day("2026-02-05") == "Thu 5 Feb 2026" and n.day("2026-02-05", year=False) == "Thu 5 Feb"
    assert n.shared_ranks([9, 7, 7, 5]) == [1, 2, 2, 4] and n.shared_ranks([]) == []


def test_a_time_of_day_names_its_zone():
    winter = n.instant("2026-02-05T20:09:00+00:00")
    assert n.clock(winter) == "21:09 CET"
    assert n.clock(n.instant(unix=1783278000)) == "21:00 CEST"           # 2026-07-05 19:00 UTC
    assert n.clock(winter, "UTC") == "20:09 UTC"
    assert n.instant("2026-02-05T21:09:00") is None                       # no offset: never guessed


@pytest.mark.parametrize("winner, defender, reason, surrender, aborted, time, code", [
    (2, 1, "objective", None, False, "8:45", ro.OBJECTIVE),
    (1, 1, "time_expired", None, False, "fullhold", ro.HELD),
    (1, 1, "surrender", 2, False, "fullhold", ro.ATTACK_SURRENDERED),     # Allies attacked and called it
    (2, 1, "surrender", 1, False, "4:10", ro.DEFENCE_SURRENDERED),
    (1, 1, "surrender", None, False, None, ro.ATTACK_SURRENDERED),       # who called it: the winner says
    (None, None, "map_change", None, False, None, ro.CUT_SHORT),
    (2, 1, None, None, True, None, ro.CUT_SHORT),
    (None, None, None, None, False, "fullhold", ro.HELD),                # sides unknown: the map's time
    (None, None, None, None, False, "7:32", ro.OBJECTIVE),
    (None, None, None, None, False, None, ro.UNKNOWN),
])
def test_how_a_round_ended(winner, defender, reason, surrender, aborted, time, code):
    assert ro.round_outcome(winner, defender, reason, surrender, aborted, time) == code


def test_the_outcome_agrees_with_the_scorer():
    """Held or surrendered attacks are the ones the scorer writes as `fullhold`."""
    from et_pipeline.domain.scoring import RoundFacts, attackers_succeeded

    for winner, defender, reason, surrender in [(2, 1, "objective", None), (1, 1, "time_expired", None),
                                                (1, 1, "surrender", 2), (2, 1, "surrender", 1)]:
        facts = RoundFacts("k", defender, winner, 600, 300, 300.0, reason, surrender, ())
        code = ro.round_outcome(winner, defender, reason, surrender)
        assert ro.attack_succeeded(code) == attackers_succeeded(facts), code


def test_one_phrase_per_outcome():
    assert ro.describe(ro.OBJECTIVE, 525) == "objective in 8:45"
    assert ro.describe(ro.HELD, 600) == "held to 10:00"
    assert ro.describe(ro.ATTACK_SURRENDERED, 250) == "surrendered at 4:10"
    assert ro.describe(ro.DEFENCE_SURRENDERED, 250) == "defence surrendered at 4:10"
    assert ro.describe(ro.CUT_SHORT, 182) == "cut short at 3:02"
    assert ro.describe(ro.UNKNOWN, None) == "ended at –"


def test_report_rounds_read_with_their_maps_sides():
    m = {"a_r1_side": 2, "r1_defender_side": 1, "time_a": "fullhold", "time_b": "6:29"}
    r1 = {"round": 1, "winner_side": 1, "defender_side": 2, "playtime_seconds": 240.0, "time_limit": "10:00",
          "lua": {"end_reason": "surrender", "surrender_team": 2}}
    r2 = {"round": 2, "winner_side": None, "defender_side": 2, "playtime_seconds": 389.0, "time_limit": "10:00"}
    assert ro.defender_side(r1, m) == 1                                  # the scorer's side beats the header
    assert ro.attacking_team(r1, m) == "A" and ro.attacking_team(r2, m) == "B"
    assert ro.round_text(r1, m) == "surrendered at 4:00"
    assert ro.of_round(r2, m) == ro.OBJECTIVE and ro.round_text(r2, m) == "objective in 6:29"   # B's time
    # round 2 held: to the time round 1 set, whatever the header's limit says
    held = {"a_r1_side": 2, "r1_defender_side": 1, "time_a": "6:29", "time_b": "fullhold"}
    r2_held = dict(r2, winner_side=1, playtime_seconds=388.0)
    assert ro.round_text(r2_held, held) == "held to 6:29"
    r1_held = {"round": 1, "winner_side": 1, "defender_side": 1, "playtime_seconds": 598.0, "time_limit": "10:00"}
    assert ro.round_text(r1_held, m) == "held to 10:00"                  # the limit, not the measured 9:58
    # without the scorer's sides: the majority of the humans on the attacking side
    r = {"round": 1, "winner_side": 2, "defender_side": 1, "playtime_seconds": 300.0,
         "players": [{"side": 2, "team": "B", "is_bot": False}, {"side": 2, "team": "B", "is_bot": False},
                     {"side": 2, "team": "A", "is_bot": True}, {"side": 1, "team": "A", "is_bot": False}]}
    assert ro.attacking_team(r, None) == "B" and ro.round_text(r) == "objective in 5:00"
