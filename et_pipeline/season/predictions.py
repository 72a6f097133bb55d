"""A win probability for every map, before it and once round 1 is over, walk-forward.

* Before the map (`p_before`): the rating's P(team A wins) from round 1's line-ups, each
  player weighted by his share of round 1 (a late joiner counts for the part he played):
  what is known when the map starts. The rating's own figure (`p_rating`, the one
  `rating_quality` scores) uses the whole map's shares, known only after the map.
* After round 1 (`p_after_r1`): the rating's own answer once round 1 is over
  (`Rater.after_round_one`: round 1's line-ups, who attacked, the time to beat or a full
  hold): P(A), P(B), P(draw) with round 1 learnt, on a copy of the rating. Read by the
  stopwatch rules as P(A wins | the map is decided): after a full hold, failing too is a
  draw (ET_DOUBLE_FULLHOLD=tie) or a win for the team that held in round 2
  (r2_defenders, which takes the draw's share). `p_r2_beats` is round 2's attackers'
  chance. A round 1 whose end says nothing (no time, a surrender) leaves `p_after_r1`
  empty and the card shows the "before" figure only. There is no model of its own here:
  both figures are the rating's (season.ratings).
* Walk-forward (season.walk): each map from the maps that ended before it began. The
  season computes every map's prediction in the rating quality's own pass
  (`Forecaster`); a map card on a live night replays the rating over the nights before
  it and walks through the night's own maps (`predict_night`): the same function, the
  same numbers.
* Scored like the rating (`prediction_quality`): log loss and Brier over the decided
  maps, against the coin and the rating-only figure, also over the maps whose round 1 set
  a time (`time_set`: after a full hold under the tie rule a decided map can only go to
  round 2's attackers, which flatters the after-R1 figure). `publishable` says whether
  the predictions beat the coin and the rating-only figure (the weekly post shows them
  only then).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from et_pipeline.season.model import HOLD, OBJECTIVE, UNKNOWN, MapGame
from et_pipeline.season.data import value_or_none
from et_pipeline.season.quality import scores
from et_pipeline.season.ratings import PROVISIONAL_MAPS, Rater, ordered
from et_pipeline.season.walk import walk_forward


@dataclass(frozen=True)
class MapStart:
    """A map as it stands once round 1 is over: its line-ups and what round 1 told."""
    key: str                                   # MapGame.key (session_id:r1_file)
    date: str
    session_id: str
    map: str
    r1_file: str
    start_unix: float
    end_unix: float                            # of round 2; inf while it is being played
    team_a: tuple[tuple[str, float], ...]      # round 1's players of team A, (guid, share of round 1)
    team_b: tuple[tuple[str, float], ...]
    r1_attackers: str | None                   # A | B
    r1_outcome: str                            # OBJECTIVE | HOLD | UNKNOWN
    r1_seconds: float | None                   # the time to beat (OBJECTIVE)
    limit_seconds: float | None                # the map's time limit (round 1's clock)


def map_starts(tables, counted_attacks: pd.DataFrame | None = None) -> list[MapStart]:
    """Every map with a round 1 (counted, or waiting for its round 2), in the rating's order.
    `counted_attacks`: records.attacks(tables) when the caller has it already."""
    from et_pipeline.season.records import attacks

    both = pd.concat([tables.maps, tables.open_maps], ignore_index=True)
    if both.empty:
        return []
    if counted_attacks is None:
        counted_attacks = attacks(tables)
    rows = pd.concat([counted_attacks, attacks(tables, tables.open_maps)], ignore_index=True)
    r1 = {row["round_key"]: row for row in rows[rows["round"] == 1].to_dict("records")}
    team_of = dict(zip(zip(tables.teams["session_id"].tolist(), tables.teams["guid"].tolist()),
                       tables.teams["team"].tolist()))
    p = tables.players
    played: dict[str, list] = {}
    for key, guid, tp in zip(p["round_key"].tolist(), p["guid"].tolist(), p["time_played_seconds"].tolist()):
        played.setdefault(key, []).append((guid, float(tp)))
    out = []
    for m in both.to_dict("records"):
        rows = played.get(m["r1_key"], [])
        length = max((tp for _, tp in rows), default=0.0)
        sides = {"A": [], "B": []}
        for guid, tp in rows:
            team = team_of.get((m["session_id"], guid))
            if team in sides:
                sides[team].append((guid, round(min(1.0, tp / length), 4) if length > 0 else 1.0))
        r = r1.get(m["r1_key"])
        attackers = None
        if r is not None and r["attackers"]:
            votes = [team_of.get((m["session_id"], g)) for g in r["attackers"]]
            attackers = max(("A", "B"), key=lambda team: (votes.count(team), team == "A"))
            attackers = attackers if votes.count(attackers) else None
        seconds = value_or_none(r["seconds"]) if r is not None else None
        limit = value_or_none(r["limit_seconds"]) if r is not None else None
        outcome = UNKNOWN
        if r is not None and r["success"] and seconds is not None:
            outcome = OBJECTIVE
        elif r is not None and r["hold"]:
            outcome = HOLD
        out.append(MapStart(
            key="%s:%s" % (m["session_id"], m["r1_file"]), date=m["session_date"], session_id=m["session_id"],
            map=m["map"], r1_file=m["r1_file"], start_unix=float(m["start_unix"]), end_unix=float(m["end_unix"]),
            team_a=tuple(sorted(sides["A"])), team_b=tuple(sorted(sides["B"])), r1_attackers=attackers,
            r1_outcome=outcome if attackers else UNKNOWN,
            r1_seconds=float(seconds) if outcome == OBJECTIVE else None,
            limit_seconds=float(limit) if limit else None))
    return sorted(out, key=lambda s: (s.start_unix, s.key))


def predict(rater: Rater, start: MapStart, double_fullhold: str) -> dict:
    """The card's numbers for one map from the rating as it stands before the map: before
    round 1 `Rater.predict` (P(A | decided)), once round 1 is over `Rater.after_round_one`
    ((P(A), P(B), P(draw)) given who attacked and the time to beat; None when round 1
    told nothing), read by the stopwatch rules (see the module docstring)."""
    a, b = start.team_a, start.team_b
    p_before = rater.predict(a, b, start.map)
    after = None
    if start.r1_outcome != UNKNOWN:                # (a time of None is a full hold to after_round_one)
        after = rater.after_round_one(a, b, start.map, start.r1_attackers, start.r1_seconds, start.limit_seconds,
                                      start.date)
    beats = p_after = None
    if after is not None:
        p_a, p_b, p_draw = after
        y = "B" if start.r1_attackers == "A" else "A"          # round 2's attackers
        beats = p_a if y == "A" else p_b
        if start.r1_outcome == HOLD and double_fullhold != "tie":
            p_a += p_draw if y == "B" else 0.0                # a second full hold: round 2's defenders win
            p_b += p_draw if y == "A" else 0.0
        p_after = p_a / (p_a + p_b) if p_a + p_b > 0 else None
    return dict(p_before=round(p_before, 4), p_r2_beats=None if beats is None else round(beats, 4),
                p_after_r1=None if p_after is None else round(p_after, 4),
                r1_attackers=start.r1_attackers, r1_outcome=start.r1_outcome, r1_seconds=start.r1_seconds,
                limit_seconds=start.limit_seconds,
                provisional=sum(rater.is_provisional(g) for g, _ in start.team_a + start.team_b))


class Forecaster:
    """Rides along the rating quality's walk-forward (quality.evaluate's `observe`):
    predicts every map with a round 1 before it is learnt."""

    def __init__(self, starts: list[MapStart], double_fullhold: str):
        self.starts = {s.key: s for s in starts}
        self.double_fullhold = double_fullhold
        self.rows: list[dict] = []

    def __call__(self, game: MapGame, rater: Rater, maps_before: int) -> None:
        start = self.starts.get(game.key)
        if start is None:
            return
        row = predict(rater, start, self.double_fullhold)
        self.rows.append(dict(key=game.key, night=game.date, session_id=game.session_id, map=game.map,
                              start_unix=game.start_unix, p_before=row["p_before"], p_after_r1=row["p_after_r1"],
                              p_rating=round(rater.predict(game.team_a, game.team_b, game.map), 4),
                              r1_attackers=row["r1_attackers"], r1_seconds=row["r1_seconds"],
                              r1_outcome=row["r1_outcome"], winner=game.winner, maps_before=maps_before,
                              provisional=row["provisional"]))


def predict_night(rater: Rater, games: list[MapGame], starts: list[MapStart], double_fullhold: str) -> dict:
    """{map key: the card's numbers} for one night's maps (counted or still open), from the
    rating as it stood before the night, learning the night's maps as they end."""
    games = ordered(games)
    return {s.key: predict(rater, s, double_fullhold) for s, _ in walk_forward(games, starts, rater.update)}


def prediction_quality(rows: list[dict]) -> dict:
    """Log loss and Brier of the stored predictions over the decided maps (see above)."""
    decided = [r for r in rows if r["winner"] in ("A", "B")]

    def block(subset: list[dict]) -> dict:
        def score(key):
            s = scores([(r[key] if r[key] is not None else r["p_before"], int(r["winner"] == "A")) for r in subset])
            return {"log_loss": s["log_loss"], "brier": s["brier"]}
        coin = scores([(0.5, 1)] * len(subset))
        return {"maps": len(subset), "before_r1": score("p_before"), "after_r1": score("p_after_r1"),
                "rating_only": score("p_rating"), "coin": {"log_loss": coin["log_loss"], "brier": coin["brier"]}}

    doc = block(decided)
    doc["time_set"] = block([r for r in decided if r["r1_outcome"] == OBJECTIVE])
    doc["draws"] = len(rows) - len(decided)
    doc["provisional_maps"] = PROVISIONAL_MAPS
    doc["publishable"] = publishable(doc)
    return doc


def publishable(q: dict) -> bool:
    """Shown in the weekly post only while it beats the coin (before and after round 1)
    and the rating-only figure (after round 1)."""
    if not q["maps"]:
        return False
    before, after = q["before_r1"]["log_loss"], q["after_r1"]["log_loss"]
    return before < q["coin"]["log_loss"] and after < min(q["coin"]["log_loss"], q["rating_only"]["log_loss"])


def quality_rows(q: dict) -> list[dict]:
    """season_prediction_quality rows."""
    out = []
    for scope, block in (("all", q), ("time_set", q["time_set"])):
        for name in ("before_r1", "after_r1", "rating_only", "coin"):
            out.append(dict(scope=scope, predictor=name, maps=block["maps"], log_loss=block[name]["log_loss"],
                            brier=block[name]["brier"]))
    return out
