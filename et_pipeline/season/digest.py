"""The night digest: what a night changed in the season, as one Discord message.

It follows the night's own summary in the players' channel, so it says only what the
summary cannot: the player of the night is in the summary (the document keeps it, for
the asset's metadata and scripts) and is not repeated here, nor is its rule.

* Player of the night: the one rule of domain.player_of_the_night (the nightly session
  summary uses it too), over the night's time-weighted numbers (careers.aggregate).
* The records that fell that night (records.py: a night's best strictly beating every
  earlier night's).
* A head-to-head worth telling: the most kills one player scored on one opponent that
  night (VS lines that name their subject).
* The biggest rating moves of the night, when the caller passes them (ratings.night_moves).
* How even the teams were beforehand, when the caller passes the night's first map's
  prediction (season.predictions: walk-forward, only maps that ended before it began).
  It lives here and not in the nightly session summary because that summary is posted by
  the date-partitioned `discord_posts` asset, before the season layer runs and without
  depending on it.
* The night's achievements, its closest duels (with how many of its rounds carry VS data
  at all) and "on this day" (season.nights), when the caller passes them.
The caller reads all of these from the season tables (season.stored); the night's own
rounds come in `tables`.
"""
from __future__ import annotations

from et_pipeline import numbers as num
from et_pipeline.domain.player_of_the_night import player_of_the_night
from et_pipeline.publish.colours import NEUTRAL, TEAM_EMOJI
from et_pipeline.publish.message import Message, esc
from et_pipeline.season.achievements import BY_ID
from et_pipeline.season.careers import aggregate, map_outcomes
from et_pipeline.season.data import SeasonTables
from et_pipeline.season.model import MapGame

KEY = "season_digest"
ACHIEVEMENT_LINES = 8


EVEN = 0.05        # within 5 points of 50 %: "as good as a coin flip"
CLEAR = 0.15       # 15 points or more away: "clearly favoured"


def night_digest(tables: SeasonTables, games: list[MapGame], players: dict, date: str, fell=(),
                 rating_moves=(), first_map: dict | None = None, achievements=(), duels=(), on_this_day=(),
                 vs_coverage: dict | None = None) -> dict | None:
    """The digest of the night `date` (players: build_players' shape, fell: the records that
    fell that night as records.build_records gives them, rating_moves: RatingPoints of that
    night, first_map: the night's first map's season_predictions row, achievements and
    duels: the night's season_achievements and season_duels rows, on_this_day:
    nights.on_this_day, vs_coverage: rivalries.vs_coverage of the night), or None when
    the night has no counted map."""
    games = [g for g in games if g.date == date]
    if not games:
        return None
    names = {p["guid"]: p["name"] for p in players["players"] if not p["is_bot"]}
    rounds = tables.players[tables.players["session_date"] == date]
    outcomes = map_outcomes(games)
    night = aggregate(rounds, outcomes, None, ["guid"]).to_dict("records")
    best = player_of_the_night(night)
    fell = [dict(f, name=", ".join(names.get(g, g) for g in f["holder"].split(",")))
            for f in fell if f["session_date"] == date]
    vs = tables.vs[tables.vs["session_date"] == date]
    h2h = None
    if not vs.empty:
        pairs = vs.groupby(["subject_guid", "opponent_guid"]).agg(kills=("kills", "sum"), deaths=("deaths", "sum"))
        pairs = pairs.reset_index().sort_values(["kills", "deaths", "subject_guid", "opponent_guid"],
                                                ascending=[False, True, True, True], kind="mergesort")
        top = pairs.iloc[0]
        h2h = dict(guid=top["subject_guid"], name=names.get(top["subject_guid"], top["subject_guid"]),
                   opponent=top["opponent_guid"], opponent_name=names.get(top["opponent_guid"], top["opponent_guid"]),
                   kills=int(top["kills"]), deaths=int(top["deaths"]))
    sessions = sorted({g.session_id for g in games})
    return dict(date=date, session_id=sessions[-1], maps=len(games), gone_from_server=date in tables.gone_from_server,
                player_of_the_night=dict(guid=best["guid"], name=names.get(best["guid"], best["guid"]),
                                         maps_won=int(best["maps_won"]), maps_played=int(best["maps_played"]),
                                         kills=int(best["kills"]), deaths=int(best["deaths"]), kd=float(best["kd"]),
                                         dpm=float(best["dpm"])),
                records_fell=[dict(record=f["record"], value=f["value"], name=f["name"],
                                   previous_value=f["previous_value"], previous_date=f["previous_date"])
                              for f in fell],
                head_to_head=h2h, before_first_map=_before_first_map(tables, first_map) if first_map else None,
                rating_moves=[dict(guid=m.guid, name=names.get(m.guid, m.guid), change=round(float(m.change), 2),
                                   value=round(float(m.value), 2)) for m in rating_moves if m.guid in names],
                achievements=[dict(a, name=names.get(a["guid"], a["guid"]), label=BY_ID[a["achievement"]].label)
                              for a in achievements if a["night"] == date],
                duels=[dict(d, name_a=names.get(d["guid_a"], d["guid_a"]), name_b=names.get(d["guid_b"], d["guid_b"]))
                       for d in duels if d["night"] == date],
                vs_coverage=vs_coverage, on_this_day=list(on_this_day))


def first_map(row: dict) -> dict:
    """The night's first map's prediction (a season_predictions row) as the digest reads it."""
    return dict(map=row["map"], session_id=row["session_id"], p_a_wins=row["p_before"],
                maps_before=row["maps_before"], provisional=row["provisional"])


def _before_first_map(tables: SeasonTables, first: dict) -> dict:
    teams = tables.teams[tables.teams["session_id"] == first["session_id"]]
    named = {team: name for team, name in zip(teams["team"], teams["team_name"]) if name}
    percent_a = round(100 * first["p_a_wins"])
    return dict(map=first["map"], team_a=named.get("A", "Team A"), team_b=named.get("B", "Team B"),
                p_a_wins=first["p_a_wins"], percent_a=percent_a, percent_b=100 - percent_a,
                maps_before=first["maps_before"], provisional=first["provisional"])


def _before_line(b: dict) -> str:
    """The first map's chances in words a player reads at a glance."""
    a, bb = esc(b["team_a"], 32), esc(b["team_b"], 32)
    head = "%s **%s %s** – **%s %s** %s on %s (ratings so far)" % (
        TEAM_EMOJI["A"], a, num.share(b["percent_a"] / 100), num.share(b["percent_b"] / 100), bb, TEAM_EMOJI["B"],
        esc(b["map"], 40))
    if not b["maps_before"]:
        return head + "\nThe ratings had no earlier maps to judge from, so this is an even guess."
    gap = abs(b["p_a_wins"] - 0.5)
    favourite = a if b["p_a_wins"] > 0.5 else bb
    verdict = ("As good as a coin flip" if gap < EVEN else
               "%s slightly favoured" % favourite if gap < CLEAR else "%s clearly favoured" % favourite)
    text = "%s, judged from the %s played before tonight." % (verdict, num.plural(b["maps_before"], "map"))
    if b["provisional"]:
        text += " %d player%s still new to the ratings: take it as a rough guess." % (
            b["provisional"], " is" if b["provisional"] == 1 else "s are")
    return head + "\n" + text


RECORD_VALUES = {"fastest_attack": num.duration, "round_kills": num.count, "round_damage": num.count,
                 "round_dpm": num.dpm}


def _record_line(f: dict) -> str:
    kind, _, map_name = f["record"].partition(":")
    value = RECORD_VALUES.get(kind, num.count)
    was = "(was %s, %s)" % (value(f["previous_value"]), num.day(f["previous_date"], year=False))
    if kind == "fastest_attack":
        return "⏱️ **%s** fastest attack **%s** by %s %s" % (esc(map_name, 40), value(f["value"]), esc(f["name"], 40),
                                                            was)
    label = {"round_kills": "most kills in a round", "round_damage": "most damage in a round",
             "round_dpm": "best round DPM"}.get(kind, kind)
    return "🏆 %s: **%s** by %s %s" % (label, value(f["value"]), esc(f["name"], 40), was)


def digest_message(digest: dict) -> Message:
    """One embed; the key is stable per night, so a re-scored night edits its message."""
    fields = []
    if digest.get("before_first_map"):
        fields.append(dict(name="⚖️ Before the first map", value=_before_line(digest["before_first_map"]),
                           inline=False))
    lines = [_record_line(f) for f in digest["records_fell"]]
    if lines:
        fields.append(dict(name="📈 Records that fell", value="\n".join(lines)[:1024], inline=False))
    h = digest["head_to_head"]
    if h:
        fields.append(dict(name="⚔️ Head-to-head",
                           value="%s killed %s %s (and died to him %s)" % (
                               esc(h["name"], 24), esc(h["opponent_name"], 24), num.plural(h["kills"], "time"),
                               num.plural(h["deaths"], "time")), inline=False))
    moves = digest.get("rating_moves") or []
    if moves:
        fields.append(dict(name="📊 Biggest rating moves",
                           value="\n".join("%s %s → %s" % (esc(m["name"], 24), num.signed(m["change"]),
                                                            num.ratio(m["value"])) for m in moves),
                           inline=False))
    feats = digest.get("achievements") or []
    if feats:
        lines = ["🎖️ **%s**: %s" % (esc(a["name"], 24), a["label"]) for a in feats[:ACHIEVEMENT_LINES]]
        if len(feats) > ACHIEVEMENT_LINES:
            lines.append("and %d more" % (len(feats) - ACHIEVEMENT_LINES))
        fields.append(dict(name="🎖️ Achievements tonight", value="\n".join(lines)[:1024], inline=False))
    if digest.get("duels"):
        cov = digest.get("vs_coverage") or {}
        lines = ["**%s** %d – %d **%s**" % (esc(d["name_a"], 20), d["kills_a"], d["kills_b"], esc(d["name_b"], 20))
                 for d in digest["duels"]]
        if cov.get("rounds"):
            lines.append("_kills on each other; %d of tonight's %s carry head-to-head data_"
                         % (cov["rounds_with_vs_data"], num.plural(cov["rounds"], "round")))
        fields.append(dict(name="🤺 Closest duels", value="\n".join(lines)[:1024], inline=False))
    if digest.get("on_this_day"):
        lines = []
        for o in digest["on_this_day"]:
            best = o["player_of_the_night"]
            lines.append("%s (%s): %s%s%s" % (o["ago"].capitalize(), num.day(o["date"]), num.plural(o["maps"], "map"),
                                              ", player of the night **%s**" % esc(best["name"], 24) if best else "",
                                              ", %s fell" % num.plural(len(o["records_fell"]), "record")
                                              if o["records_fell"] else ""))
        fields.append(dict(name="📅 On this day", value="\n".join(lines)[:1024], inline=False))
    if digest.get("gone_from_server"):
        fields.append(dict(name="🗄️ Archived night", value="This night's files are no longer on the game server: "
                                                          "these numbers come from the archived copy.", inline=False))
    embed = dict(title="🌙 The season after %s" % num.day(digest["date"]), color=NEUTRAL, fields=fields,
                 description="What tonight's %s changed in the season." % num.plural(digest["maps"], "counted map"))
    return Message(key=KEY, payload=dict(embeds=[embed], allowed_mentions={"parse": []}))
