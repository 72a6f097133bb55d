"""`records`: per map the fastest successful attack and the full holds; single-round
records; and, per night, the records that fell that night.

* Successful attack (CONTRACT 5): a round of a counted map whose attackers set (R1) or
  beat (R2) the time and ended it by the objective, i.e. `domain.scoring`'s
  `attackers_succeeded` and not a surrender by the linked Lua timing row. Its time is
  `domain.scoring.attack_time` (the Lua measurement, else the header playtime, else the
  stopwatch clock) rounded to whole seconds; the players are the humans on the
  attacking side of that round.
* Without a Lua row the end reason is unknown: when the defenders surrender, the engine
  writes the attackers as winners and the elapsed time as the clock, exactly as for an
  objective (FORMATS 2, field 8), and an attackers' surrender looks like a hold. Such
  rounds still count (webhook v1.6.0 wrote no round-2 file at all, so leaving them out
  would lose most round-2 records of those nights); a record set by one says
  `verified: false`, and `unverified_attacks` counts them per map.
* Full hold: a counted map's round 1 whose attackers did not complete (not a
  surrender): the defenders held for the map's whole time limit.
* Single-round records over the humans' rows of paired rounds: most kills, most damage
  given, best DPM among rounds of at least `MIN_DPM_SECONDS` played.
* A record falls on a night when that night's best strictly beats the best of every
  earlier night (the first night that sets a record is not a fall). Ties keep the older
  holder.
"""
import pandas as pd

from et_pipeline.domain.scoring import attack_time, attackers_succeeded
from et_pipeline.domain.timing import is_surrender
from et_pipeline.season.data import SeasonTables, value_or_none
from et_pipeline.steps.scores import round_facts

MIN_DPM_SECONDS = 300
TOP = 10
ROUND_RECORDS = (("round_kills", "kills", "most kills in a round"),
                 ("round_damage", "damage_given", "most damage given in a round"),
                 ("round_dpm", "dpm", "best DPM in a round (at least %d s played)" % MIN_DPM_SECONDS))


def _int(v) -> int | None:
    v = value_or_none(v)
    return None if v is None else int(v)


def attacks(tables: SeasonTables, maps: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every round of the counted maps (or of `maps`, map_results rows: a map whose round 2
    is still to come has only its round 1): its attackers, whether they succeeded, and the time."""
    rounds = tables.rounds.set_index("round_key").to_dict("index")
    side_members = {}
    p = tables.players
    for key, side, guid in zip(p["round_key"].tolist(), p["side"].tolist(), p["guid"].tolist()):
        side_members.setdefault((key, int(side)), []).append(guid)
    rows = []
    for m in (tables.maps if maps is None else maps).to_dict("records"):
        for number, key in ((1, m["r1_key"]), (2, value_or_none(m["r2_key"]))):
            if key is None or key not in rounds:
                continue
            r = rounds[key]
            verified = bool(r["lua_linked"])
            lua = dict(playtime_seconds=value_or_none(r["playtime_seconds"]), end_reason=value_or_none(r["end_reason"]),
                       surrender_team=_int(r["surrender_team"]))
            facts = round_facts(dict(round_key=key, defender=_int(r["defender"]), winner=_int(r["winner"]),
                                     time_limit_seconds=_int(r["time_limit_seconds"]),
                                     next_time_limit_seconds=_int(r["next_time_limit_seconds"]),
                                     header_playtime_seconds=value_or_none(r["header_playtime_seconds"])),
                                lua if verified else None, ())
            surrender = is_surrender(facts.end_reason, facts.surrender_team)
            ok = attackers_succeeded(facts)
            ok = None if ok is None else bool(ok)
            seconds, _ = attack_time(facts)
            defender = facts.defender if facts.defender in (1, 2) else _int(m["r1_defender_side"])
            attack_side = 3 - int(defender) if defender in (1, 2) else None
            rows.append(dict(
                map=m["map"], session_date=m["session_date"], session_id=m["session_id"], r1_file=m["r1_file"],
                game="%s:%s" % (m["session_id"], m["r1_file"]), round=number, round_key=key, file=r["file"], start_unix=float(r["start_unix"]),
                limit_seconds=_int(r["time_limit_seconds"]),
                success=bool(ok) and not surrender, hold=ok is False and not surrender,
                verified=verified, unverified=bool(ok) and not verified,
                seconds=int(round(seconds)) if seconds is not None else None,
                attackers=tuple(sorted(side_members.get((key, attack_side), []))) if attack_side else (),
                defenders=tuple(sorted(side_members.get((key, 3 - attack_side), []))) if attack_side else ()))
    return pd.DataFrame(rows, columns=["map", "session_date", "session_id", "r1_file", "game", "round", "round_key", "file",
                                       "start_unix", "limit_seconds", "success", "hold", "verified", "unverified",
                                       "seconds", "attackers", "defenders"])


def _map_records(att: pd.DataFrame) -> list[dict]:
    out = []
    for name, grp in att.groupby("map", sort=True):
        wins = grp[grp["success"] & grp["seconds"].notna()].sort_values(["seconds", "start_unix"], kind="mergesort")
        holds = grp[(grp["round"] == 1) & grp["hold"]].sort_values("start_unix", kind="mergesort")
        best = wins.iloc[0] if not wins.empty else None
        out.append(dict(
            map=name, fastest_attack_seconds=int(best["seconds"]) if best is not None else None,
            guids=list(best["attackers"]) if best is not None else [],
            date=best["session_date"] if best is not None else None,
            session_id=best["session_id"] if best is not None else None,
            r1_file=best["r1_file"] if best is not None else None,
            round=int(best["round"]) if best is not None else None,
            verified=bool(best["verified"]) if best is not None else None,
            successful_attacks=int(len(wins)), unverified_attacks=int(grp["unverified"].sum()),
            full_holds=int(len(holds)),
            holds=[dict(date=h.session_date, session_id=h.session_id, r1_file=h.r1_file, guids=list(h.defenders))
                   for h in holds.itertuples(index=False)]))
    return out


def round_rows(tables: SeasonTables) -> pd.DataFrame:
    """The humans' round rows with their DPM (damage x 60 / time played, 0 without time)."""
    p = tables.players
    t = p["time_played_seconds"]
    return p.assign(dpm=(p["damage_given"] * 60 / t.where(t > 0)).fillna(0.0).round(1))


def _round_records(rr: pd.DataFrame) -> list[dict]:
    out = []
    for kind, column, label in ROUND_RECORDS:
        pool = rr[rr["time_played_seconds"] >= MIN_DPM_SECONDS] if kind == "round_dpm" else rr
        top = pool.sort_values([column, "start_unix", "guid"], ascending=[False, True, True],
                               kind="mergesort").head(TOP)
        out.extend(dict(record=kind, label=label, rank=i + 1, value=float(r[column]), guid=r["guid"],
                        date=r["session_date"], session_id=r["session_id"], map=r["map"], round_key=r["round_key"])
                   for i, (_, r) in enumerate(top.iterrows()))
    return out


def _fell(att: pd.DataFrame, rr: pd.DataFrame) -> list[dict]:
    """The records each night broke, night by night in date order."""
    candidates = []   # (record, date, value where lower is better, holder, detail)
    wins = att[att["success"] & att["seconds"].notna()]
    if not wins.empty:
        best = wins.sort_values(["seconds", "start_unix"], kind="mergesort").groupby(["map", "session_date"]).head(1)
        candidates += [("fastest_attack:" + r.map, r.session_date, float(r.seconds), ",".join(r.attackers), r.r1_file)
                       for r in best.itertuples(index=False)]
    for kind, column, _ in ROUND_RECORDS:
        pool = rr[rr["time_played_seconds"] >= MIN_DPM_SECONDS] if kind == "round_dpm" else rr
        if pool.empty:
            continue
        best = pool.sort_values([column, "start_unix"], ascending=[False, True], kind="mergesort") \
            .groupby("session_date").head(1)
        candidates += [(kind, r["session_date"], -float(r[column]), r["guid"], r["round_key"])
                       for r in best[["session_date", column, "guid", "round_key"]].to_dict("records")]
    candidates.sort(key=lambda c: (c[1], c[0]))
    held: dict[str, tuple] = {}
    out = []
    for record, date, value, holder, detail in candidates:
        before = held.get(record)
        if before is None or value < before[0]:
            if before is not None:
                out.append(dict(session_date=date, record=record, value=abs(value), holder=holder, detail=detail,
                                previous_value=abs(before[0]), previous_holder=before[1],
                                previous_date=before[2]))
            held[record] = (value, holder, date)
    return out


def build_records(tables: SeasonTables, att: pd.DataFrame | None = None) -> dict:
    """{"maps": per-map records, "rounds": top single-round rows, "fell": records broken per night};
    `att`: `attacks(tables)` when the caller has it already."""
    att = attacks(tables) if att is None else att
    rr = round_rows(tables)
    return {"maps": _map_records(att), "rounds": _round_records(rr), "fell": _fell(att, rr)}
