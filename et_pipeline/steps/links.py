"""Lua timing rows -> the round each belongs to (`lua_round_teams`, DOMAIN.md 3)."""
import datetime as dt

from et_pipeline.domain.linking import RoundSlot, link_timings
from et_pipeline.domain.timing import is_cut_short


def round_slots(round_rows: list[dict]) -> list[RoundSlot]:
    return [RoundSlot(r["round_key"], r["map"], r["round_number"], dt.datetime.fromisoformat(r["local_time"]),
                      r["file_round"], r["aborted"]) for r in round_rows]


def build_lua_round_teams(timing_rows: list[dict], round_rows: list[dict], window_minutes: float) -> list[dict]:
    links = link_timings(round_slots(round_rows),
                         [(t["source"], t["map"], t["round_number"], dt.datetime.fromisoformat(t["round_end_local"]),
                           is_cut_short(t["end_reason"])) for t in timing_rows], window_minutes)
    return [dict(source=t["source"], session_date=t["session_date"], round_key=links[t["source"]].round_key,
                 link_status=links[t["source"]].status, delta_seconds=links[t["source"]].delta_seconds,
                 map=t["map"], round_number=t["round_number"], axis_players=t["axis_players"],
                 allies_players=t["allies_players"]) for t in timing_rows]
