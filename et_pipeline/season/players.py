"""`players`: identity by GUID, every name a GUID was seen with.

A name is an alias of its GUID, so a rename never splits a player; the display name is
the name of the player's latest round. Bots are listed (flagged, so nobody wonders where
they went) and appear in no other season table.
"""
import pandas as pd

from et_pipeline.season.data import SeasonTables


def _names(rows: pd.DataFrame, is_bot: bool) -> tuple[list[dict], list[dict]]:
    if rows.empty:
        return [], []
    rows = rows.sort_values(["start_unix", "round_key"], kind="mergesort")
    alias = (rows.groupby(["guid", "name"], sort=False)
             .agg(first_seen=("session_date", "min"), last_seen=("session_date", "max"),
                  rounds=("round_key", "size"), first_unix=("start_unix", "min"), last_unix=("start_unix", "max"))
             .reset_index())
    per = (rows.groupby("guid", sort=True)
           .agg(name=("name", "last"), first_seen=("session_date", "min"), last_seen=("session_date", "max"),
                nights=("session_date", "nunique"), rounds=("round_key", "size"))
           .reset_index())
    aliases_of = {g: list(grp.sort_values(["first_unix", "name"])["name"])
                  for g, grp in alias.groupby("guid", sort=False)}
    players = [dict(guid=r.guid, name=r.name, aliases=aliases_of[r.guid], is_bot=is_bot, first_seen=r.first_seen,
                    last_seen=r.last_seen, nights=int(r.nights), rounds=int(r.rounds))
               for r in per.itertuples(index=False)]
    aliases = [dict(guid=r.guid, name=r.name, first_seen=r.first_seen, last_seen=r.last_seen, rounds=int(r.rounds))
               for r in alias.sort_values(["guid", "first_unix", "name"]).itertuples(index=False)]
    return players, aliases


def build_players(tables: SeasonTables) -> dict:
    """{"players": [...], "aliases": [...]}: humans first (by GUID), then the flagged bots."""
    humans, human_aliases = _names(tables.players, False)
    bots, bot_aliases = _names(tables.bot_rows, True)
    return {"players": humans + bots, "aliases": human_aliases + bot_aliases}


def resolve(players: list[dict], who: str) -> list[dict]:
    """Humans matching a GUID (8 hex, any case) or a name (current or former, any case)."""
    who_l = who.strip().lower()
    humans = [p for p in players if not p["is_bot"]]
    exact = [p for p in humans if p["guid"].lower() == who_l]
    if exact:
        return exact
    current = [p for p in humans if p["name"].lower() == who_l]
    return current or [p for p in humans if any(a.lower() == who_l for a in p["aliases"])]
