"""A player who watches a round as a spectator played none of it: his line has no time on a
team, and the fallback to the round's length (for lines that carry no time at all) is for
players on a team only. Found by the docs writer: the whole round was counted as his time,
which lowered his DPM for the night and his share in the player-of-the-night rule."""
from et_pipeline.domain.player_stats import player_row
from et_pipeline.parsers.stats_file import parse_stats_file
from et_pipeline_tests.test_domain import player_line, stats_bytes


def test_a_spectator_gets_no_time_played_a_player_without_a_time_the_round():
    on_team, spectator = parse_stats_file(stats_bytes("supply", 2, [
        player_line("AAAAAAAA", "a", 2, 1, 0, 0, dmg=0, rec=0, minutes=0.0, shots=0, hits=0),
        player_line("BBBBBBBB", "b", 2, 3, 0, 0, dmg=0, rec=0, minutes=0.0, shots=0, hits=0)])).players
    assert spectator.side == 3
    assert player_row(on_team, 480.0)["time_played_seconds"] == 480
    assert player_row(spectator, 480.0)["time_played_seconds"] == 0
