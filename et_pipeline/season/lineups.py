"""`lineups`: the same players together, duos, and head-to-head.

* Lineup: the exact set of humans on one persistent team in a counted map (every member
  whatever his share of the map). History: W/L/D maps, nights, first and last date.
* Duo: two players on the same team in a counted map. Win rate = (won + drawn / 2) /
  played, so a draw is half a win for both sides.
* Head-to-head from the endstats VS lines (only files with VS_HEADER name their subject):
  kills = times the subject killed the opponent, deaths = times the opponent killed him,
  summed over every round; one row per ordered pair as the subject's lines give it.
"""
from itertools import combinations

import pandas as pd

from et_pipeline.season.data import SeasonTables
from et_pipeline.season.model import MapGame


def _teams(games: list[MapGame]):
    for g in games:
        for team, members in (("A", g.team_a), ("B", g.team_b)):
            result = "D" if g.winner == "tie" else ("W" if g.winner == team else "L")
            yield g, tuple(guid for guid, _ in members), result


def _wld(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    counts = frame.groupby(keys + ["result"]).size().unstack("result", fill_value=0)
    for c in "WLD":
        if c not in counts:
            counts[c] = 0
    dates = frame.groupby(keys)["date"].agg(["min", "max", "nunique"])
    out = pd.DataFrame({"won": counts["W"], "lost": counts["L"], "drawn": counts["D"]}).join(dates)
    out["played"] = out["won"] + out["lost"] + out["drawn"]
    out["win_rate"] = ((out["won"] + out["drawn"] / 2) / out["played"]).round(3)
    return out.rename(columns={"min": "first_date", "max": "last_date", "nunique": "nights"}).reset_index()


def build_lineups(tables: SeasonTables, games: list[MapGame]) -> dict:
    """{"lineups": [...], "duos": [...], "head_to_head": [...]}, each sorted for reading."""
    line_rows, duo_rows = [], []
    for g, members, result in _teams(games):
        line_rows.append((",".join(members), len(members), g.date, result))
        duo_rows.extend((a, b, g.date, result) for a, b in combinations(members, 2))
    lineups, duos = [], []
    if line_rows:
        lf = _wld(pd.DataFrame(line_rows, columns=["lineup", "size", "date", "result"]), ["lineup", "size"])
        lineups = lf.sort_values(["played", "win_rate", "lineup"], ascending=[False, False, True],
                                 kind="mergesort").to_dict("records")
        df = _wld(pd.DataFrame(duo_rows, columns=["guid_a", "guid_b", "date", "result"]), ["guid_a", "guid_b"])
        duos = df.sort_values(["played", "win_rate", "guid_a", "guid_b"], ascending=[False, False, True, True],
                              kind="mergesort").to_dict("records")
    h2h = []
    if not tables.vs.empty:
        hf = (tables.vs.groupby(["subject_guid", "opponent_guid"])
              .agg(kills=("kills", "sum"), deaths=("deaths", "sum"), rounds=("round_key", "nunique")).reset_index())
        hf = hf.rename(columns={"subject_guid": "guid", "opponent_guid": "opponent"})
        hf[["kills", "deaths", "rounds"]] = hf[["kills", "deaths", "rounds"]].astype("int64")
        h2h = hf.sort_values(["guid", "opponent"], kind="mergesort").to_dict("records")
    for rows in (lineups, duos):
        for r in rows:
            for c in ("won", "lost", "drawn", "played", "nights"):
                r[c] = int(r[c])
            if "size" in r:
                r["size"] = int(r["size"])
    return {"lineups": lineups, "duos": duos, "head_to_head": h2h}
