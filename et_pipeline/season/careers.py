"""`player_careers`: each player's numbers all-time, per period and per map, plus form.

One aggregation rule for every scope (`aggregate`), the session rule of DOMAIN.md 6.2
carried across nights:
* K/D = kills / deaths (kills when deaths = 0).
* DPM = SUM(damage_given) x 60 / SUM(time_played_seconds): time-weighted on the stats
  file's time played per round (DOMAIN 6.1), never an average of per-round DPMs.
* Accuracy = SUM(hits) / SUM(shots) x 100 and HS % = SUM(headshot hits) / SUM(hits) x 100,
  both over the aimed weapons only (the weapon set DOMAIN 6.2 defines).
* Maps played / won / lost / drawn: counted stopwatch maps (`MapGame`s), by the
  persistent team the player was on.
Orphan rounds never count (their values are cumulative); bots are not in the inputs.
"""
import json

import pandas as pd

from et_pipeline.season.data import SeasonTables
from et_pipeline.season.model import MapGame

SUMS = ("kills", "deaths", "damage_given", "damage_received", "gibs", "revives_given", "time_played_seconds",
        "aimed_hits", "aimed_shots", "aimed_headshots")
FORM_NIGHTS = 5
PERIODS = {
    "month": lambda d: d.str.slice(0, 7),
    "quarter": lambda d: d.str.slice(0, 4) + "-Q" + ((d.str.slice(5, 7).astype(int) - 1) // 3 + 1).astype(str),
    "year": lambda d: d.str.slice(0, 4),
}


def map_outcomes(games: list[MapGame]) -> pd.DataFrame:
    """One row per (counted map, player): guid, date, map, result in W/L/D."""
    rows = []
    for g in games:
        for team, members in (("A", g.team_a), ("B", g.team_b)):
            result = "D" if g.winner == "tie" else ("W" if g.winner == team else "L")
            rows.extend((guid, g.date, g.map, g.key, result) for guid, _ in members)
    return pd.DataFrame(rows, columns=["guid", "session_date", "map", "game", "result"])


def aggregate(rounds: pd.DataFrame, outcomes: pd.DataFrame, awards: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    agg = rounds.groupby(keys, sort=True).agg(
        nights=("session_date", "nunique"), rounds=("round_key", "size"), **{c: (c, "sum") for c in SUMS})
    res = outcomes.groupby(keys + ["result"]).size().unstack("result", fill_value=0) if not outcomes.empty \
        else pd.DataFrame(index=agg.index)
    for col, name in (("W", "maps_won"), ("L", "maps_lost"), ("D", "maps_drawn")):
        agg[name] = res[col].reindex(agg.index, fill_value=0) if col in res else 0
    agg = agg.fillna(0)
    agg["maps_played"] = agg["maps_won"] + agg["maps_lost"] + agg["maps_drawn"]
    k, d, t = agg["kills"], agg["deaths"], agg["time_played_seconds"]
    agg["kd"] = (k / d.where(d > 0)).fillna(k).round(2)
    agg["dpm"] = (agg["damage_given"] * 60 / t.where(t > 0)).fillna(0.0).round(1)
    hits, shots = agg["aimed_hits"], agg["aimed_shots"]
    agg["accuracy"] = (hits * 100 / shots.where(shots > 0)).fillna(0.0).round(1)
    agg["hs_percent"] = (agg["aimed_headshots"] * 100 / hits.where(hits > 0)).fillna(0.0).round(1)
    if awards is not None and not awards.empty:
        won = awards.groupby(keys + ["award"])["times"].sum()
        by_key = {}
        for idx, n in won.items():
            by_key.setdefault(idx[:-1] if len(keys) > 1 else idx[0], {})[idx[-1]] = int(n)
        agg["awards"] = [json.dumps(by_key.get(i, {}), sort_keys=True) for i in agg.index]
    else:
        agg["awards"] = "{}"
    ints = ["nights", "rounds", "maps_played", "maps_won", "maps_lost", "maps_drawn", *SUMS]
    agg[ints] = agg[ints].astype("int64")
    return agg.reset_index()


def build_careers(tables: SeasonTables, games: list[MapGame], period: str = "month") -> dict:
    """{"careers": rows with scope all|period|map, "form": last nights per player}.

    Every career row: scope, key (the period or map name, "" for all-time), guid and the
    numbers of `aggregate`; `awards` is a JSON object award -> times won."""
    if period not in PERIODS:
        raise ValueError("period must be one of %s" % ", ".join(PERIODS))
    rounds = tables.players
    outcomes = map_outcomes(games)
    awards = tables.awards
    label = PERIODS[period]
    frames = []
    if not rounds.empty:
        alltime = aggregate(rounds, outcomes, awards, ["guid"]).assign(scope="all", key="")
        r = rounds.assign(key=label(rounds["session_date"]))
        o = outcomes.assign(key=label(outcomes["session_date"])) if not outcomes.empty else outcomes.assign(key=[])
        a = awards.assign(key=label(awards["session_date"])) if not awards.empty else awards.assign(key=[])
        per = aggregate(r, o, a, ["guid", "key"]).assign(scope=period)
        per_map = aggregate(rounds.assign(key=rounds["map"]), outcomes.assign(key=outcomes["map"]),
                             awards.assign(key=awards["map"]), ["guid", "key"]).assign(scope="map")
        frames = [alltime, per, per_map]
    cols = ["scope", "key", "guid", "nights", "maps_played", "maps_won", "maps_lost", "maps_drawn", "rounds",
            "kills", "deaths", "kd", "damage_given", "damage_received", "dpm", "accuracy", "hs_percent",
            "revives_given", "gibs", "time_played_seconds", "aimed_hits", "aimed_shots", "aimed_headshots", "awards"]
    careers = pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)
    return {"careers": careers.to_dict("records"), "form": _form(rounds, outcomes)}


def _form(rounds: pd.DataFrame, outcomes: pd.DataFrame) -> list[dict]:
    """Per player, his last FORM_NIGHTS nights (newest first), one row per night."""
    if rounds.empty:
        return []
    nightly = aggregate(rounds, outcomes, None, ["guid", "session_date"])
    nightly = nightly.sort_values(["guid", "session_date"], ascending=[True, False], kind="mergesort")
    nightly["ago"] = nightly.groupby("guid").cumcount()
    last = nightly[nightly["ago"] < FORM_NIGHTS]
    cols = ["guid", "session_date", "ago", "rounds", "maps_won", "maps_lost", "maps_drawn", "kills", "deaths", "kd",
            "damage_given", "dpm"]
    return last[cols].to_dict("records")


def form_summary(form_rows: list[dict], guid: str) -> dict:
    """The last nights of one player pooled: K/D and DPM over them, and W-L-D maps."""
    mine = [r for r in form_rows if r["guid"] == guid]
    k, d = sum(r["kills"] for r in mine), sum(r["deaths"] for r in mine)
    return dict(nights=[r["session_date"] for r in mine], kd=round(k / d, 2) if d else float(k),
                dpm_by_night=[r["dpm"] for r in mine],
                maps={"won": sum(r["maps_won"] for r in mine), "lost": sum(r["maps_lost"] for r in mine),
                      "drawn": sum(r["maps_drawn"] for r in mine)})
