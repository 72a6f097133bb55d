"""Rivalries from the endstats VS lines: each player's nemesis and prey, and a night's
closest duels.

Only the VS lines of files that name their subject (VS_HEADER files) can be attributed
(season.data resolves the opponent by name within the round), so only part of the rounds
carry VS data: `vs_coverage` counts them, and every player's entry says in how many of
his rounds he appears in VS data (`rounds_with_vs_data`).

* Duels: per round and pair of players, A's kills on B and B's kills on A. A round where
  both players' lines are there gives the same kills twice; the line of the player with
  the lower GUID is used, else whichever is there (his kills on the other and his deaths
  to him).
* Nemesis: the opponent who killed him most often over the season, among opponents met
  in at least MIN_ROUNDS rounds with VS data; a tie goes to the one he killed less, then
  to the GUID. Prey: the opponent he killed most often, same sample rule; a tie goes to
  the one who killed him less. Both report his kills on and deaths to that opponent.
* Closest duels of a night: pairs with at least MIN_DUEL_KILLS kills each way that
  night, the smallest difference first, then the most kills in all; the top DUELS.
"""
from __future__ import annotations

import pandas as pd

MIN_ROUNDS = 10
MIN_DUEL_KILLS = 3
DUELS = 3


def duels(vs: pd.DataFrame) -> pd.DataFrame:
    """Per (round, pair a < b): session_date, round_key, a, b, kills_a (a on b), kills_b (b on a)."""
    cols = ["session_date", "round_key", "a", "b", "kills_a", "kills_b"]
    if vs.empty:
        return pd.DataFrame({c: [] for c in cols})
    own = vs["subject_guid"] < vs["opponent_guid"]
    low = pd.DataFrame({"session_date": vs["session_date"], "round_key": vs["round_key"],
                        "a": vs["subject_guid"].where(own, vs["opponent_guid"]),
                        "b": vs["opponent_guid"].where(own, vs["subject_guid"]),
                        "kills_a": vs["kills"].where(own, vs["deaths"]),
                        "kills_b": vs["deaths"].where(own, vs["kills"]), "lower": own})
    low = low.sort_values(["round_key", "a", "b", "lower"], ascending=[True, True, True, False], kind="mergesort")
    return low.drop_duplicates(["round_key", "a", "b"], keep="first")[cols].reset_index(drop=True)


def vs_coverage(tables, date: str | None = None) -> dict:
    """How many rounds (of the night `date`, or of the season) carry VS data that names its
    subject, of the paired rounds."""
    r, vs = tables.rounds, tables.vs
    if date is not None:
        r, vs = r[r["session_date"] == date], vs[vs["session_date"] == date]
    rounds = int((~r["orphan"].astype(bool)).sum()) if not r.empty else 0
    with_vs = int(vs["round_key"].nunique()) if not vs.empty else 0
    return dict(rounds=rounds, rounds_with_vs_data=with_vs,
                percent=round(100.0 * with_vs / rounds, 1) if rounds else 0.0)


def _both_ways(pairs: pd.DataFrame) -> pd.DataFrame:
    """Per (guid, opponent): his kills on him, his deaths to him, rounds."""
    one = pairs.rename(columns={"a": "guid", "b": "opponent", "kills_a": "kills", "kills_b": "deaths"})
    two = pairs.rename(columns={"b": "guid", "a": "opponent", "kills_b": "kills", "kills_a": "deaths"})
    both = pd.concat([one, two], ignore_index=True)
    return (both.groupby(["guid", "opponent"]).agg(kills=("kills", "sum"), deaths=("deaths", "sum"),
                                                   rounds=("round_key", "nunique")).reset_index())


def build_rivalries(tables, pairs: pd.DataFrame) -> list[dict]:
    """Rows guid, rounds, rounds_with_vs_data, nemesis(+_kills, _deaths), prey(...), one per
    player who appears in VS data; sorted by GUID."""
    if pairs.empty:
        return []
    mine = tables.players.groupby("guid")["round_key"].nunique().to_dict()
    seen = pd.concat([pairs[["round_key", "a"]].rename(columns={"a": "guid"}),
                      pairs[["round_key", "b"]].rename(columns={"b": "guid"})]).drop_duplicates()
    with_vs = seen.groupby("guid")["round_key"].nunique().to_dict()
    totals = _both_ways(pairs)
    sample = totals[totals["rounds"] >= MIN_ROUNDS]
    out = []
    for guid in sorted(with_vs):
        opp = sample[sample["guid"] == guid]
        nem = opp.sort_values(["deaths", "kills", "opponent"], ascending=[False, True, True], kind="mergesort")
        prey = opp.sort_values(["kills", "deaths", "opponent"], ascending=[False, True, True], kind="mergesort")
        row = dict(guid=guid, rounds=int(mine.get(guid, 0)), rounds_with_vs_data=int(with_vs[guid]))
        for name, frame, column in (("nemesis", nem, "deaths"), ("prey", prey, "kills")):
            top = frame.iloc[0] if not frame.empty and frame.iloc[0][column] > 0 else None
            row[name] = None if top is None else top["opponent"]
            row[name + "_kills"] = None if top is None else int(top["kills"])
            row[name + "_deaths"] = None if top is None else int(top["deaths"])
        out.append(row)
    return out


def closest_duels(pairs: pd.DataFrame) -> list[dict]:
    """Rows night, rank, guid_a, guid_b, kills_a, kills_b: every night's closest duels."""
    if pairs.empty:
        return []
    night = (pairs.groupby(["session_date", "a", "b"]).agg(kills_a=("kills_a", "sum"), kills_b=("kills_b", "sum"))
             .reset_index())
    night = night[(night["kills_a"] >= MIN_DUEL_KILLS) & (night["kills_b"] >= MIN_DUEL_KILLS)].copy()
    night["gap"] = (night["kills_a"] - night["kills_b"]).abs()
    night["total"] = night["kills_a"] + night["kills_b"]
    night = night.sort_values(["session_date", "gap", "total", "a", "b"], ascending=[True, True, False, True, True],
                              kind="mergesort")
    night["rank"] = night.groupby("session_date").cumcount() + 1
    top = night[night["rank"] <= DUELS]
    return [dict(night=r["session_date"], rank=int(r["rank"]), guid_a=r["a"], guid_b=r["b"],
                 kills_a=int(r["kills_a"]), kills_b=int(r["kills_b"])) for r in top.to_dict("records")]
