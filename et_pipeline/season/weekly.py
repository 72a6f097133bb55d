"""The weekly leaderboard: the week so far of a night, as one Discord message.

* The week is the ISO week of the night's date: Monday to Sunday (session dates, the
  partition keys), named like 2026-W06; it holds the nights of that week up to the night.
* Numbers: careers.aggregate over the week's rounds and counted maps (the same rules as
  every career row: time-weighted DPM, K/D, maps by the persistent team); ranking:
  document.ranked, the `leaderboard` command's rules (LEADERBOARD_STATS; K/D and DPM
  only with MIN_ROUNDS_FOR_RATIOS rounds in the week). Bots are never in the inputs.
* Only what adds to the night: a board only once the week holds more than tonight (on a
  week's first night the night's own summary and graphs already rank it), at most three
  players per stat, none with a zero (nobody "leads" revives with 0). Ties share a rank.
* One message per week with a stable identity (session `season-week-<week>`, key
  `season_week`): every later night of the same week edits it, the second night of a new
  week posts a new one.
* The win predictions' season score (season.predictions.prediction_quality), only while
  they beat the coin and the rating-only figure (`publishable`).
"""
from __future__ import annotations

import datetime as dt

from et_pipeline import numbers as num
from et_pipeline.publish.colours import NEUTRAL
from et_pipeline.publish.embeds import rank
from et_pipeline.publish.message import Message, esc
from et_pipeline.season.careers import aggregate, map_outcomes
from et_pipeline.season.data import SeasonTables
from et_pipeline.season.document import ranked
from et_pipeline.season.leaderboard_stats import LEADERBOARD_STATS, MIN_ROUNDS_FOR_RATIOS
from et_pipeline.season.model import MapGame

KEY = "season_week"
BOARD_STATS = ("maps_won", "kills", "kd", "dpm", "revives")     # LEADERBOARD_STATS keys, in message order
TOP = 3
ICONS = {"maps_won": "🏆", "kills": "🔫", "kd": "⚔️", "dpm": "💥", "revives": "💉"}


def iso_week(date: str) -> dict:
    """The ISO week (Monday-Sunday) of a session date."""
    day = dt.date.fromisoformat(date)
    year, number, weekday = day.isocalendar()
    monday = day - dt.timedelta(days=weekday - 1)
    return dict(week="%04d-W%02d" % (year, number), monday=monday.isoformat(),
                sunday=(monday + dt.timedelta(days=6)).isoformat(), number=number, year=year)


def weekly_leaderboard(tables: SeasonTables, games: list[MapGame], players: dict, date: str,
                       stats=BOARD_STATS, top: int = TOP) -> dict | None:
    """The week of `date` so far (its nights up to `date`), top `top` per stat (players
    with a value above zero); None when the week has no round yet."""
    week = iso_week(date)
    nights = [d for d in tables.dates if week["monday"] <= d <= date]
    rounds = tables.players[tables.players["session_date"].isin(nights)]
    if rounds.empty:
        return None
    week_games = [g for g in games if g.date in nights]
    careers = {c["guid"]: c for c in aggregate(rounds, map_outcomes(week_games), None, ["guid"]).to_dict("records")}
    names = {p["guid"]: p["name"] for p in players["players"] if not p["is_bot"]}
    boards = {s: dict(label=LEADERBOARD_STATS[s][2],
                      players=[r for r in ranked(careers, names, s, top) if r["value"] > 0]) for s in stats}
    return dict(**week, nights=nights, maps=len(week_games), players=len(set(careers) & set(names)),
                boards=boards)


def week_session(board: dict) -> dict:
    """The publisher's session for the week's message: one identity per week (its outbox
    row and, in dry-run, the folder `<out>/<monday>/season-week-<week>/`)."""
    return dict(session_id="season-week-" + board["week"], date=board["monday"])


def _value(stat: str, row: dict) -> str:
    if stat == "maps_won":
        return "%d of %d maps" % (row["value"], row["maps_played"])
    return {"kd": num.ratio, "dpm": num.dpm}.get(stat, num.count)(row["value"])


def weekly_messages(board: dict, prediction_quality: dict | None = None) -> list[Message]:
    """The week's message, or none while the week so far is only tonight."""
    return [weekly_message(board, prediction_quality)] if len(board["nights"]) > 1 else []


def _predictions_field(q: dict) -> dict:
    return dict(name="🎲 Win predictions this season", inline=False, value=(
        "Over %d decided maps, log loss (lower is better): before the map %.3f, after round 1 %.3f; "
        "a coin scores %.3f, the rating alone %.3f." % (q["maps"], q["before_r1"]["log_loss"],
                                                        q["after_r1"]["log_loss"], q["coin"]["log_loss"],
                                                        q["rating_only"]["log_loss"])))


def weekly_message(board: dict, prediction_quality: dict | None = None) -> Message:
    """`prediction_quality`: shown only while `publishable`."""
    fields = []
    for stat, b in board["boards"].items():
        ranks = num.shared_ranks([r["value"] for r in b["players"]])
        lines = ["%s **%s** %s" % (rank(k - 1), esc(r["name"], 18), _value(stat, r))
                 for k, r in zip(ranks, b["players"])]
        name = "%s %s" % (ICONS.get(stat, "•"), "Most " + b["label"] if stat not in ("kd", "dpm") else
                          "Best " + b["label"])
        fields.append(dict(name=name, value="\n".join(lines) or "nobody yet", inline=True))
    if prediction_quality and prediction_quality.get("publishable"):
        fields.append(_predictions_field(prediction_quality))
    nights = board["nights"]
    embed = dict(title="🏅 Week %d leaderboard · %s – %s" % (board["number"], num.day(board["monday"], year=False),
                                                           num.day(board["sunday"], year=False)),
                 description="The week so far: %s (%s), %s, %s." % (
                     num.plural(len(nights), "night"), ", ".join(num.day(d, year=False) for d in nights),
                     num.plural(board["maps"], "counted map"), num.plural(board["players"], "player")),
                 color=NEUTRAL, fields=fields,
                 footer=dict(text="Updated after every night of the week · K/D and DPM need %d rounds this week"
                             % MIN_ROUNDS_FOR_RATIOS))
    return Message(key=KEY, payload=dict(embeds=[embed], allowed_mentions={"parse": []}))
