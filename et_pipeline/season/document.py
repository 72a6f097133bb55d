"""What people and scripts read: the `season` JSON document (CONTRACT.md 5), one player's
page and a leaderboard. Deterministic: sorted lists, rounded numbers, no clock."""
import json
from datetime import date

from et_pipeline.numbers import shared_ranks
from et_pipeline.season.careers import form_summary
from et_pipeline.season.leaderboard_stats import INACTIVE_DAYS, LEADERBOARD_STATS, MIN_ROUNDS_FOR_RATIOS
from et_pipeline.season.players import find
from et_pipeline.season.season import Season


def _ratings(season: Season) -> dict:
    return season.ratings.current


def _career(c: dict, rating=None) -> dict:
    out = dict(nights=c["nights"], maps={"played": c["maps_played"], "won": c["maps_won"], "lost": c["maps_lost"],
                                         "drawn": c["maps_drawn"]},
               rounds=c["rounds"], kills=c["kills"], deaths=c["deaths"], kd=c["kd"], damage_given=c["damage_given"],
               damage_received=c["damage_received"], dpm=c["dpm"], accuracy=c["accuracy"],
               hs_percent=c["hs_percent"], revives=c["revives_given"], gibs=c["gibs"],
               time_played_seconds=c["time_played_seconds"], awards=json.loads(c["awards"]))
    if rating is not None:
        out["rating"] = dict(value=round(float(rating.value), 2), uncertainty=round(float(rating.uncertainty), 2),
                             provisional=bool(rating.provisional))
    return out


def _careers_by(season: Season, scope: str) -> dict:
    out: dict = {}
    for c in season.careers["careers"]:
        if c["scope"] == scope:
            out.setdefault(c["guid"], {})[c["key"]] = c
    return out


def season_document(season: Season, with_ratings: bool = True) -> dict:
    ratings = _ratings(season) if with_ratings else {}
    alltime = _careers_by(season, "all")
    players = []
    for p in season.players["players"]:
        if p["is_bot"] or p["guid"] not in alltime:
            continue
        doc = dict(guid=p["guid"], name=p["name"], aliases=p["aliases"], first_seen=p["first_seen"],
                   last_seen=p["last_seen"], **_career(alltime[p["guid"]][""], ratings.get(p["guid"])))
        players.append(doc)
    maps = [dict(map=m["map"], fastest_attack_seconds=m["fastest_attack_seconds"], guids=m["guids"], date=m["date"],
                 session_id=m["session_id"], r1_file=m["r1_file"], round=m["round"], verified=m["verified"],
                 successful_attacks=m["successful_attacks"], unverified_attacks=m["unverified_attacks"],
                 full_holds=m["full_holds"])
            for m in season.records["maps"]]
    doc = dict(as_of=season.tables.as_of or (season.tables.dates[-1] if season.tables.dates else None),
               nights=len(season.tables.dates), nights_gone_from_server=list(season.tables.gone_from_server),
               maps_counted=len(season.games), players=players,
               records=dict(maps=maps, rounds=[r for r in season.records["rounds"] if r["rank"] == 1],
                            fell=season.records["fell"]))
    if with_ratings:
        doc["rating_quality"] = season.rating_quality
        doc["predictions"] = [dict(key=p["key"], date=p["night"], map=p["map"], p_a_wins_before=p["p_before"],
                                   p_a_wins_after_r1=p["p_after_r1"], winner=p["winner"], r1_outcome=p["r1_outcome"],
                                   rating_only=p["p_rating"]) for p in season.predictions]
        doc["prediction_quality"] = season.prediction_quality
        doc["season_awards"] = [_award(a, season.names) for a in season.awards]
    doc.update(community(season))
    latest = season.tables.dates[-1] if season.tables.dates else None
    doc["on_this_day"] = season.on_this_day(latest) if latest else []
    doc["closest_duels"] = [_duel(d, season.names) for d in season.duels if d["night"] == latest]
    return doc


def _person(guid, names: dict) -> dict:
    return dict(guid=guid, name=names.get(guid, guid))


def _award(a: dict, names: dict) -> dict:
    return dict(period=a["period"], kind=a["kind"], award=a["award"], **_person(a["guid"], names), value=a["value"],
                rule=a["rule"], final=a["final"])


def _duel(d: dict, names: dict) -> dict:
    return dict(date=d["night"], a=_person(d["guid_a"], names), b=_person(d["guid_b"], names),
                kills_a=d["kills_a"], kills_b=d["kills_b"])


def _rival(r: dict, names: dict) -> dict:
    side = lambda key: None if r[key] is None else dict(
        **_person(r[key], names), kills=r[key + "_kills"], deaths=r[key + "_deaths"])
    return dict(**_person(r["guid"], names), nemesis=side("nemesis"), prey=side("prey"),
                rounds_with_vs_data=r["rounds_with_vs_data"], rounds=r["rounds"])


def community(season: Season, guid: str | None = None) -> dict:
    """The community keys that need no rating: achievements, personal bests, rivalries (and
    the VS coverage); one player's when `guid` is given."""
    from et_pipeline.season.achievements import BY_ID

    names = season.names
    mine = (lambda r: True) if guid is None else (lambda r: r["guid"] == guid)
    return dict(
        achievements=[dict(**_person(a["guid"], names), achievement=a["achievement"],
                           label=BY_ID[a["achievement"]].label, date=a["night"], value=a["value"], detail=a["detail"])
                      for a in season.achievements if mine(a)],
        personal_bests=[dict(**_person(b["guid"], names), measure=b["measure"], value=b["value"], date=b["night"],
                             round_file=b["round_file"]) for b in season.personal_bests if mine(b)],
        rivalries=[_rival(r, names) for r in season.rivalries if mine(r)],
        vs_coverage=season.vs_coverage)


def player_document(season: Season, who: str, with_ratings: bool = True) -> dict:
    """One player's page; raises LookupError naming `who` when no player or several match."""
    p = find(season.players["players"], who)
    ratings = _ratings(season) if with_ratings else {}
    mine = lambda scope: {k: _career(c) for k, c in sorted(_careers_by(season, scope).get(p["guid"], {}).items())}
    alltime = mine("all").get("", {})
    if p["guid"] in ratings:
        alltime = _career(_careers_by(season, "all")[p["guid"]][""], ratings[p["guid"]])
    periods = sorted({c["scope"] for c in season.careers["careers"]} - {"all", "map"})
    names = {q["guid"]: q["name"] for q in season.players["players"]}
    duos = [dict(partner=names.get(d["guid_b"] if d["guid_a"] == p["guid"] else d["guid_a"]),
                 guid=d["guid_b"] if d["guid_a"] == p["guid"] else d["guid_a"], played=d["played"], won=d["won"],
                 lost=d["lost"], drawn=d["drawn"], win_rate=d["win_rate"])
            for d in season.lineups["duos"] if p["guid"] in (d["guid_a"], d["guid_b"])]
    h2h = [dict(opponent=names.get(h["opponent"]), guid=h["opponent"], kills=h["kills"], deaths=h["deaths"])
           for h in season.lineups["head_to_head"] if h["guid"] == p["guid"]]
    doc = dict(guid=p["guid"], name=p["name"], aliases=p["aliases"], first_seen=p["first_seen"],
               last_seen=p["last_seen"], career=alltime,
               periods={s: mine(s) for s in periods}, maps=mine("map"),
               form=form_summary(season.careers["form"], p["guid"]),
               duos=sorted(duos, key=lambda d: (-d["played"], d["guid"]))[:10],
               head_to_head=sorted(h2h, key=lambda h: (-(h["kills"] + h["deaths"]), h["guid"]))[:10])
    extra = community(season, p["guid"])
    doc.update(achievements=extra["achievements"], personal_bests=extra["personal_bests"],
               rivalry=extra["rivalries"][0] if extra["rivalries"] else None)
    if with_ratings:
        doc["season_awards"] = [_award(a, season.names) for a in season.awards if a["guid"] == p["guid"]]
    return doc


def check_stat(stat: str) -> None:
    if stat not in LEADERBOARD_STATS:
        raise ValueError("unknown stat %r (one of: %s)" % (stat, ", ".join(LEADERBOARD_STATS)))


def leaderboard(season: Season, stat: str = "kills", limit: int = 20, with_ratings: bool = True,
                everyone: bool = False) -> dict:
    """Players ranked by `stat`, with `hidden`: how many were left out and why (under the
    rounds a ratio needs, below `limit`; for the rating, provisional and inactive players
    unless `everyone`, who are then marked)."""
    check_stat(stat)
    humans = [p for p in season.players["players"] if not p["is_bot"]]
    names = {p["guid"]: p["name"] for p in humans}
    ratings = _ratings(season) if (with_ratings or stat == "rating") else {}
    alltime = {guid: by_key[""] for guid, by_key in _careers_by(season, "all").items()}
    as_of = season.tables.as_of or (season.tables.dates[-1] if season.tables.dates else None)
    rows, hidden = eligible(alltime, names, stat, ratings)
    if stat == "rating":
        last_seen = {p["guid"]: p["last_seen"] for p in humans}
        for r in rows:
            r["inactive"] = inactive(last_seen.get(r["guid"]), as_of)
        if not everyone:
            hidden.update(provisional=sum(r["provisional"] for r in rows),
                          inactive=sum(r["inactive"] and not r["provisional"] for r in rows),
                          inactive_days=INACTIVE_DAYS)
            rows = [r for r in rows if not (r["provisional"] or r["inactive"])]
    hidden["beyond_limit"] = max(0, len(rows) - limit)
    return dict(stat=stat, label=LEADERBOARD_STATS[stat][2], as_of=as_of, players=with_ranks(rows, limit),
                hidden=hidden)


def inactive(last_seen: str | None, as_of: str | None) -> bool:
    """No night in the INACTIVE_DAYS up to `as_of` (the season's latest night)."""
    if not last_seen or not as_of:
        return False
    return (date.fromisoformat(as_of) - date.fromisoformat(last_seen)).days > INACTIVE_DAYS


def eligible(careers: dict, names: dict, stat: str, ratings: dict | None = None) -> tuple[list[dict], dict]:
    """(rows, hidden) over career rows by GUID (`aggregate`'s columns, any scope): only
    GUIDs in `names` (humans), ratio stats only with MIN_ROUNDS_FOR_RATIOS rounds (the
    others counted in `hidden`), best first, ties by name then GUID."""
    check_stat(stat)
    column = LEADERBOARD_STATS[stat][0]
    ratings = ratings or {}
    rows, short = [], 0
    for guid, c in careers.items():
        if guid not in names:
            continue
        extra = {}
        if stat == "rating":
            if guid not in ratings:
                continue
            r = ratings[guid]
            value = round(float(r.value), 2)
            extra = dict(uncertainty=round(float(r.uncertainty), 2), provisional=bool(r.provisional))
        else:
            if column in ("kd", "dpm", "accuracy", "hs_percent") and c["rounds"] < MIN_ROUNDS_FOR_RATIOS:
                short += 1
                continue
            value = c[column]
        rows.append(dict(guid=guid, name=names[guid], value=value, **extra, rounds=c["rounds"], kills=c["kills"],
                         kd=c["kd"], dpm=c["dpm"], maps_won=c["maps_won"], maps_played=c["maps_played"]))
    rows.sort(key=lambda r: (-r["value"], r["name"].lower(), r["guid"]))
    return rows, dict(under_min_rounds=short, min_rounds=MIN_ROUNDS_FOR_RATIOS)


def with_ranks(rows: list[dict], limit: int) -> list[dict]:
    """The first `limit` rows, each with its rank; equal values share one (1, 1, 3)."""
    out = rows[:limit]
    for r, k in zip(out, shared_ranks([r["value"] for r in out])):
        r["rank"] = k
    return out


def ranked(careers: dict, names: dict, stat: str, limit: int, ratings: dict | None = None) -> list[dict]:
    """The `limit` best players by `stat` (eligible), ranked: all-time for `leaderboard`,
    one week for the weekly message."""
    return with_ranks(eligible(careers, names, stat, ratings)[0], limit)
