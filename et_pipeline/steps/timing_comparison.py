"""Rounds and their linked Lua rows -> `timing_comparison` rows (DOMAIN.md 8)."""
from et_pipeline.domain.timing import compare, explain, no_lua_cause, stats_duration


def build_timing_comparison(round_rows: list[dict], lua_by_round: dict[str, dict],
                            timing_rows: list[dict], link_rows: list[dict]) -> list[dict]:
    link_by_source = {l["source"]: l for l in link_rows}
    dates_with_timing = {t["session_date"] for t in timing_rows}
    unlinked = {}   # (date, map, round) -> why a timing file of that round stayed unlinked
    for t in timing_rows:
        link = link_by_source.get(t["source"])
        if link and link["round_key"] is None:
            unlinked[(t["session_date"], t["map"].lower(), t["round_number"])] = link["link_status"]
    linked_pairs = {}
    for r in round_rows:
        if r["round_key"] in lua_by_round:
            linked_pairs.setdefault((r["session_date"], r["match_id"]), set()).add(r["round_number"])
    rows = []
    for r in round_rows:
        stats_s, stats_src = stats_duration(r["header_playtime_seconds"], r["next_time_limit_seconds"],
                                            r["time_limit_seconds"])
        lua = lua_by_round.get(r["round_key"])
        status, diff = compare(stats_s, lua["playtime_seconds"] if lua else None)
        if lua is None:
            other = 3 - r["round_number"]
            cause = no_lua_cause(unlinked.get((r["session_date"], r["map"].lower(), r["round_number"])),
                                 other in linked_pairs.get((r["session_date"], r["match_id"]), set()),
                                 r["round_number"], r["session_date"] in dates_with_timing)
        else:
            cause = explain(status, diff, stats_src, lua.get("end_reason"), lua.get("pause_seconds"),
                            lua.get("surrender_team"), lua.get("kind"), lua.get("version"))
        rows.append(dict(round_key=r["round_key"], session_date=r["session_date"], stats_seconds=stats_s,
                         stats_source=stats_src, lua_seconds=lua["playtime_seconds"] if lua else None,
                         diff_seconds=diff, status=status, cause=cause))
    return rows
