"""`player` and `leaderboard` as people use them: a name found from part of it, without
its colour codes, or a "did you mean"; ranks that share a place on a tie (1, 1, 3); every
row left out said; the rating with its uncertainty, provisional and inactive players
marked or left out (and said), a player's rating history in JSON and as a PNG; a bare
`et-pipeline` and every subcommand's help say what they do."""
import json

import pytest

from et_pipeline.cli import build_parser, finish_parser, main

PLAYERS = [dict(guid="AAAA0001", name="[SX]Vektor", aliases=["Vek", "[SX]Vektor"], is_bot=False),
           dict(guid="AAAA0002", name="carniee", aliases=["carniee"], is_bot=False),
           dict(guid="AAAA0003", name="carnage", aliases=["carnage"], is_bot=False),
           dict(guid="B0770001", name="[BOT]Vektor", aliases=["[BOT]Vektor"], is_bot=True)]


def test_a_name_is_found_from_a_unique_part_without_colour_codes():
    from et_pipeline.season.players import find

    assert find(PLAYERS, "Vektor")["guid"] == "AAAA0001"          # part of the name; the bot is no match
    assert find(PLAYERS, "^1[SX]^7vektor")["guid"] == "AAAA0001"  # typed with colour codes, any case
    assert find(PLAYERS, "vek")["guid"] == "AAAA0001"             # a former name, exactly
    assert find(PLAYERS, "aaaa0002")["name"] == "carniee"


def test_no_match_suggests_the_closest_names_and_several_matches_are_named():
    from et_pipeline.season.players import find

    with pytest.raises(LookupError, match=r"no player named 'vektro'; did you mean \[SX\]Vektor\?"):
        find(PLAYERS, "vektro")
    with pytest.raises(LookupError, match="'carn' matches 2 players: carnage, carniee"):
        find(PLAYERS, "carn")


def test_ranks_share_a_place_on_a_tie():
    from et_pipeline.season.document import ranked

    careers = {g: dict(rounds=20, kills=k, kd=1.0, dpm=100.0, maps_won=1, maps_played=2)
               for g, k in (("AAAA0001", 30), ("AAAA0002", 30), ("AAAA0003", 12))}
    names = {p["guid"]: p["name"] for p in PLAYERS if not p["is_bot"]}
    assert [(r["rank"], r["value"]) for r in ranked(careers, names, "kills", 10)] == [(1, 30), (1, 30), (3, 12)]


def test_bare_command_prints_help_and_every_subcommand_says_what_it_does(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: et-pipeline") and "leaderboard" in out
    ap = finish_parser(build_parser())
    (sub,) = [a for a in ap._actions if a.__class__.__name__ == "_SubParsersAction"]
    for name, parser in sub.choices.items():
        text = parser.format_help()
        assert parser.description and parser.description in " ".join(text.split()), name


@pytest.fixture(scope="module")
def season_db(tmp_path_factory):
    from et_pipeline_tests.season_fixtures import build_season_db

    return build_season_db(tmp_path_factory.mktemp("season"), nights=5, seed=31)[0]


def _board(db, capsys, *args):
    assert main(["leaderboard", "--db", db, *args]) == 0
    return capsys.readouterr().out


def test_leaderboard_names_players_and_says_every_row_left_out(season_db, capsys):
    doc = json.loads(_board(season_db, capsys, "--stat", "kd", "--limit", "3", "--json"))
    hidden = doc["hidden"]
    assert hidden["beyond_limit"] > 0 and hidden["under_min_rounds"] >= 0 and hidden["min_rounds"] == 10
    text = _board(season_db, capsys, "--stat", "kd", "--limit", "3")
    assert "%d more players not shown (--limit 3)" % hidden["beyond_limit"] in text
    if hidden["under_min_rounds"]:
        assert "%d players under 10 rounds not shown" % hidden["under_min_rounds"] in text
    assert not any(p["guid"] in text for p in doc["players"])           # names, not GUIDs
    assert all(p["name"] in text for p in doc["players"])


def test_rating_board_shows_uncertainty_and_leaves_out_provisional_players_saying_so(season_db, capsys):
    doc = json.loads(_board(season_db, capsys, "--stat", "rating", "--limit", "200", "--json"))
    every = json.loads(_board(season_db, capsys, "--stat", "rating", "--limit", "200", "--all", "--json"))
    assert all(not p["provisional"] and not p["inactive"] for p in doc["players"])
    left_out = [p for p in every["players"] if p["provisional"] or p["inactive"]]
    assert len(every["players"]) == len(doc["players"]) + len(left_out)
    assert doc["hidden"]["provisional"] == sum(p["provisional"] for p in left_out)
    text = _board(season_db, capsys, "--stat", "rating")
    top = doc["players"][0]
    assert "%.2f ± %.1f" % (top["value"], top["uncertainty"]) in text
    if doc["hidden"]["provisional"]:
        assert "%d provisional players (fewer than 10 rated maps) not shown (--all shows them)" % (
            doc["hidden"]["provisional"]) in text


def test_player_rating_history_in_json_and_as_png(season_db, capsys, tmp_path):
    png = tmp_path / "rating.png"
    assert main(["player", "--db", season_db, "--json", "--rating-png", str(png), _top_rated(season_db, capsys)]) == 0
    doc = json.loads(capsys.readouterr().out)
    history = doc["rating_history"]
    assert history and [h["night"] for h in history] == sorted(h["night"] for h in history)
    assert history[-1]["value"] == pytest.approx(doc["career"]["rating"]["value"], abs=0.01)
    assert {"night", "value", "uncertainty", "provisional", "maps", "change"} <= set(history[0])
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _top_rated(db, capsys) -> str:
    return json.loads(_board(db, capsys, "--stat", "rating", "--all", "--json"))["players"][0]["guid"]
