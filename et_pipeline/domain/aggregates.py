"""Session aggregates per player (DOMAIN.md 6.2): sums, time-weighted DPM, accuracy
over aimed weapons only. Orphan rounds never count (their values are cumulative)."""
from collections import defaultdict

from et_pipeline.domain.player_stats import NON_AIMED_WEAPONS

SUMMED = ("kills", "deaths", "gibs", "damage_given", "damage_received", "self_kills", "full_selfkills",
          "team_kills", "revives_given", "times_revived", "useful_kills", "kill_assists",
          "time_played_seconds", "denied_playtime", "multikill_2x", "multikill_3x", "multikill_4x",
          "multikill_5x", "multikill_6x")


def time_weighted_dpm(damage: float, seconds: float) -> float:
    """Damage per minute over a stretch of play: damage x 60 / time played (0 without time),
    so a player who joined late is measured over his own minutes."""
    return damage * 60 / seconds if seconds else 0.0


def session_players(player_rows: list[dict], weapon_rows: list[dict], team_of: dict[str, str]) -> list[dict]:
    """player_rows/weapon_rows: rows of the session's counted rounds (R1/R2, no orphans)."""
    acc = defaultdict(lambda: defaultdict(float))
    names, bots, rounds = {}, {}, defaultdict(set)
    for p in player_rows:
        a = acc[p["player_key"]]
        for f in SUMMED:
            a[f] += p[f]
        a["time_dead_seconds"] += min(p["time_dead_minutes"] * 60, p["time_played_seconds"])
        names[p["player_key"]] = (p["guid"], p["name"])
        bots[p["player_key"]] = p["is_bot"]
        rounds[p["player_key"]].add(p["round_key"])
    for w in weapon_rows:
        if w["weapon"] in NON_AIMED_WEAPONS or w["player_key"] not in acc:
            continue
        a = acc[w["player_key"]]
        a["hits"] += w["hits"]
        a["shots"] += w["shots"]
        a["headshots"] += w["headshots"]
    out = []
    for key, a in acc.items():
        k, d, t = int(a["kills"]), int(a["deaths"]), a["time_played_seconds"]
        hits, shots = int(a["hits"]), int(a["shots"])
        out.append(dict(
            guid=names[key][0], name=names[key][1], team=team_of.get(key), is_bot=bots[key],
            rounds=len(rounds[key]), **{f: int(a[f]) for f in SUMMED if not f.startswith("multikill")},
            hits=hits, shots=shots, headshots=int(a["headshots"]),
            accuracy=round(hits / shots * 100, 1) if shots else 0.0,
            hs_percent=round(a["headshots"] / hits * 100, 1) if hits else 0.0,
            kd=round(k / d, 2) if d else float(k),
            dpm=round(time_weighted_dpm(a["damage_given"], t), 1),
            time_dead_seconds=int(a["time_dead_seconds"]), denied_seconds=int(a["denied_playtime"]),
            multikills=[int(a["multikill_%dx" % n]) for n in range(2, 7)]))
    out.sort(key=lambda p: (-p["kills"], -p["damage_given"], p["name"], p["guid"]))
    return out
