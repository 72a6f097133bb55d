"""Personal bests: each player's best round by kills, damage and DPM, and his fastest
successful attack.

* Kills and damage given: his most in one paired round.
* DPM: damage x 60 / time played of one round, over his rounds of at least
  records.MIN_DPM_SECONDS played (the season records' rule), so a 30-second cameo cannot
  hold it.
* Fastest attack as an attacker: the shortest successful attack (records.attacks: the
  attackers set or beat the time and did not surrender) of a round he attacked in, any map.
A tie keeps the earlier round. Each best names its night and the round's stats file.
"""
from __future__ import annotations

import pandas as pd

from et_pipeline.season.records import MIN_DPM_SECONDS, round_rows

MEASURES = (("round_kills", "kills", "most kills in a round"),
            ("round_damage", "damage_given", "most damage given in a round"),
            ("round_dpm", "dpm", "best DPM in a round (at least %d s played)" % MIN_DPM_SECONDS),
            ("fastest_attack", "seconds", "fastest successful attack as an attacker (seconds)"))
LABELS = {m: label for m, _, label in MEASURES}


def build_personal_bests(tables, attacks: pd.DataFrame) -> list[dict]:
    """Rows guid, measure, value, night, round_file; sorted by GUID then measure."""
    rr = round_rows(tables)
    files = dict(zip(tables.rounds["round_key"].tolist(), tables.rounds["file"].tolist()))
    out = []
    for measure, column, _ in MEASURES[:3]:
        pool = rr[rr["time_played_seconds"] >= MIN_DPM_SECONDS] if measure == "round_dpm" else rr
        best = (pool.sort_values([column, "start_unix", "round_key"], ascending=[False, True, True], kind="mergesort")
                .drop_duplicates("guid", keep="first"))
        out.extend(dict(guid=r["guid"], measure=measure, value=float(r[column]), night=r["session_date"],
                        round_file=files.get(r["round_key"], r["round_key"])) for r in best.to_dict("records"))
    wins = attacks[attacks["success"] & attacks["seconds"].notna()]
    fastest: dict[str, dict] = {}
    for seconds, start, date, file, guids in sorted(zip(wins["seconds"].tolist(), wins["start_unix"].tolist(),
                                                        wins["session_date"].tolist(), wins["file"].tolist(),
                                                        wins["attackers"].tolist()), key=lambda r: (r[0], r[1], r[3])):
        for g in guids:
            fastest.setdefault(g, dict(guid=g, measure="fastest_attack", value=float(seconds), night=date,
                                       round_file=file))
    out.extend(fastest.values())
    return sorted(out, key=lambda r: (r["guid"], r["measure"]))
