"""`players`: identity by GUID, every name a GUID was seen with.

A name is an alias of its GUID, so a rename never splits a player; the display name is
the name of the player's latest round. Bots are listed (flagged, so nobody wonders where
they went) and appear in no other season table.
"""
import difflib

import pandas as pd

from et_pipeline.parsers.text import strip_colours
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


def _plain(name: str) -> str:
    """A name as typed or stored, compared without its colour codes and case."""
    return strip_colours(name).lower()


def resolve(players: list[dict], who: str) -> list[dict]:
    """Humans matching `who`: a GUID (8 hex, any case); else a name, current or former, in
    any case and with or without its colour codes; else every player one of whose names
    holds it (`Vektor` finds `[SX]Vektor`)."""
    w = _plain(who)
    humans = [p for p in players if not p["is_bot"]]
    exact = [p for p in humans if p["guid"].lower() == w]
    if exact or not w:
        return exact
    current = [p for p in humans if _plain(p["name"]) == w]
    former = [p for p in humans if any(_plain(a) == w for a in p["aliases"])]
    return current or former or [p for p in humans if any(w in _plain(n) for n in [p["name"], *p["aliases"]])]


def find(players: list[dict], who: str) -> dict:
    """The one human `who` names (resolve); LookupError with a message a person acts on:
    the names it matches when several do, the closest names when none does."""
    found = resolve(players, who)
    if len(found) == 1:
        return found[0]
    if found:
        raise LookupError("%r matches %d players: %s; give more of the name, or the GUID" % (
            who, len(found), ", ".join(sorted((p["name"] for p in found), key=str.lower))))
    names = {}
    for p in players:
        if not p["is_bot"]:
            for n in [p["name"], *p["aliases"]]:
                names.setdefault(_plain(n), p["name"])
    close = list(dict.fromkeys(names[n] for n in difflib.get_close_matches(_plain(who), list(names), n=3,
                                                                           cutoff=0.6)))
    raise LookupError("no player named %r%s" % (who, "; did you mean %s?" % " or ".join(close) if close else ""))
