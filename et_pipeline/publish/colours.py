"""The one rule for colours in the players' channel, so a colour always means the same thing.

* A team's colour (Team A blue, Team B orange; the 🔵 / 🟠 beside its name and its bars
  in the graphs) marks what that team **won**: a map card in the map winner's colour, the
  night's summary in the night winner's, a round's details in the colour of the team that
  won the round.
* Neutral grey for everything no team won: a draw, a map that is not counted, a result
  not known, and every message that is about players rather than a result (awards,
  graphs, the season digest, the weekly leaderboard, the balanced teams).

The admins' channel colours by severity instead (the rule: publish/admin_problems.py):
red, data lost or wrong in Discord; orange, needs a look; grey, a known quirk; green,
nothing to report.
"""
TEAM = {"A": 0x4FC3F7, "B": 0xFFA94D}
TEAM_EMOJI = {"A": "🔵", "B": "🟠"}
NEUTRAL = 0x4E5058


def result(winner: str | None) -> int:
    """The colour of a message about a result won by `winner` ("A", "B"; a draw "tie" or
    None is neutral)."""
    return TEAM.get(winner, NEUTRAL)


# the admins' channel: a message in the colour of its worst problem (publish/admin_problems.py)
SEVERITY = {"red": 0xED4245, "orange": 0xE67E22, "grey": 0x95A5A6, "green": 0x57F287}
