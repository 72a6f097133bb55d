"""`et-pipeline season | player | leaderboard`: the season from the app database.

Each prints readable tables, or with `--json` the JSON document (`season`'s is the one
scripts read). All three read the nightly tables directly (the same pure functions the
season assets use), so they answer without Dagster and for any `--as-of`.
"""
from typing import get_args

from et_pipeline.choices import Period
from et_pipeline.cli.common import add_db_option, die, load_season, print_json, whole_number
from et_pipeline.season.leaderboard_stats import INACTIVE_DAYS, LEADERBOARD_STATS


def cmd_season(a) -> int:
    from et_pipeline.season.document import season_document

    season, code = load_season(a)
    if season is None:
        return code
    doc = season_document(season)
    if a.json:
        print_json(doc)
    else:
        print(season_text(doc))
    return 0


def _pct(p) -> str:
    return "-" if p is None else "%d %%" % round(100 * p)


def season_text(doc: dict) -> str:
    """The season document as a person reads it."""
    out = ["Season as of %s: %d nights, %d counted maps, %d players" % (
        doc["as_of"] or "no nights yet", doc["nights"], doc["maps_counted"], len(doc["players"]))]
    top = sorted(doc["players"], key=lambda p: (-(p.get("rating") or {}).get("value", 0), p["guid"]))[:10]
    if top:
        out += ["", _table([[p["name"], "%.1f ± %.1f%s" % (p["rating"]["value"], p["rating"]["uncertainty"],
                                                           " *" if p["rating"]["provisional"] else "")
                             if p.get("rating") else "-", p["maps"]["played"], p["kills"], p["kd"], p["dpm"]]
                            for p in top], ["player", "rating", "maps", "kills", "K/D", "DPM"]),
                "(* provisional: fewer than 10 maps)"]
    q, pq = doc.get("rating_quality"), doc.get("prediction_quality")
    if q and q.get("maps"):
        out.append("\nRating, walk-forward over %d maps: log loss %.3f (coin %.3f, team Elo %.3f)" % (
            q["maps"], q["log_loss"], q["baselines"]["coin"]["log_loss"], q["baselines"]["team_elo"]["log_loss"]))
    if pq and pq.get("maps"):
        out.append("Win predictions over %d decided maps: log loss before the map %.3f, after round 1 %.3f "
                   "(coin %.3f, the rating alone %.3f)%s" % (
                       pq["maps"], pq["before_r1"]["log_loss"], pq["after_r1"]["log_loss"], pq["coin"]["log_loss"],
                       pq["rating_only"]["log_loss"], "" if pq["publishable"] else
                       "; not good enough to publish yet"))
    maps = [m for m in doc["records"]["maps"] if m["fastest_attack_seconds"] is not None]
    if maps:
        out += ["", _table([[m["map"], "%d:%02d" % divmod(m["fastest_attack_seconds"], 60), m["date"],
                             m["full_holds"]] for m in maps], ["map", "fastest attack", "on", "full holds"])]
    feats = doc.get("achievements") or []
    if feats:
        out += ["", "Latest achievements (%d in all):" % len(feats)]
        out += ["  %s  %s: %s" % (a["date"], a["name"], a["label"]) for a in feats[-10:][::-1]]
    awards = [w for w in doc.get("season_awards") or [] if w["final"]]
    if awards:
        last = max(w["period"] for w in awards if w["kind"] == "month") if any(
            w["kind"] == "month" for w in awards) else None
        shown = [w for w in awards if w["kind"] != "month" or w["period"] == last]
        out += ["", "Season awards:"] + ["  %-8s %-15s %s (%s)" % (w["period"], w["award"], w["name"], w["value"])
                                         for w in shown[-9:]]
    cov = doc.get("vs_coverage") or {}
    if cov.get("rounds"):
        out.append("\nHead-to-head (VS) data: %d of %d rounds (%.1f %%) carry it; rivalries count only those."
                   % (cov["rounds_with_vs_data"], cov["rounds"], cov["percent"]))
    for d in doc.get("closest_duels") or []:
        out.append("  closest duel %s: %s %d - %d %s" % (d["date"], d["a"]["name"], d["kills_a"], d["kills_b"],
                                                         d["b"]["name"]))
    for o in doc.get("on_this_day") or []:
        best = o["player_of_the_night"]
        out.append("On this day, %s (%s): %d maps%s" % (o["ago"], o["date"], o["maps"],
                                                        ", player of the night %s" % best["name"] if best else ""))
    return "\n".join(out)


def _table(rows: list[list], header: list[str]) -> str:
    cells = [[str(c) for c in header]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def cmd_player(a) -> int:
    from et_pipeline.season.document import player_document
    from et_pipeline.season.rating_history import rating_history
    from et_pipeline.season.ratings import PROVISIONAL_MAPS

    season, code = load_season(a)
    if season is None:
        return code
    try:
        doc = player_document(season, a.who)
    except LookupError as e:
        return die(str(e).strip('"'))
    doc["rating_history"] = rating_history(season.games, doc["guid"])
    if a.rating_png and doc["rating_history"]:
        from et_pipeline.publish.rating_chart import rating_history_png

        with open(a.rating_png, "wb") as f:
            f.write(rating_history_png(doc["name"], doc["rating_history"]))
    if a.json:
        print_json(doc)
        return 0
    c = doc["career"]
    rating = c.get("rating")
    print("%s  (%s)%s" % (doc["name"], doc["guid"],
                          "  also: " + ", ".join(n for n in doc["aliases"] if n != doc["name"])
                          if len(doc["aliases"]) > 1 else ""))
    print("seen %s .. %s, %d nights, %d rounds" % (doc["first_seen"], doc["last_seen"], c["nights"], c["rounds"]))
    if rating:
        print("rating %.1f ± %.1f%s" % (rating["value"], rating["uncertainty"],
                                       " (provisional: fewer than %d rated maps)" % PROVISIONAL_MAPS
                                       if rating["provisional"] else ""))
    history = doc["rating_history"]
    if history:
        print("rating by night: " + ", ".join("%s %.1f" % (h["night"], h["value"]) for h in history[-8:])
              + (" (last 8 of %d nights)" % len(history) if len(history) > 8 else "")
              + ("; chart: %s" % a.rating_png if a.rating_png else ""))
    elif a.rating_png:
        print("no rating history yet: no chart written")
    print()
    head = ["", "maps", "W-L-D", "rounds", "kills", "deaths", "K/D", "DPM", "acc %", "HS %", "revives", "gibs"]
    row = lambda label, x: [label, x["maps"]["played"], "%d-%d-%d" % (x["maps"]["won"], x["maps"]["lost"],
                                                                      x["maps"]["drawn"]), x["rounds"], x["kills"],
                            x["deaths"], x["kd"], x["dpm"], x["accuracy"], x["hs_percent"], x["revives"], x["gibs"]]
    rows = [row("all time", c)] + [row(k, v) for scope in doc["periods"].values() for k, v in scope.items()]
    print(_table(rows, head))
    print()
    print(_table([row(k, v) for k, v in doc["maps"].items()], ["map"] + head[1:]))
    f = doc["form"]
    print("\nform, last %d nights: K/D %s, maps %d-%d-%d, DPM by night %s" % (
        len(f["nights"]), f["kd"], f["maps"]["won"], f["maps"]["lost"], f["maps"]["drawn"],
        " ".join(str(x) for x in f["dpm_by_night"])))
    if c.get("awards"):
        print("awards: " + ", ".join("%s ×%d" % (k, v) for k, v in sorted(c["awards"].items(),
                                                                          key=lambda kv: (-kv[1], kv[0]))))
    if doc["duos"]:
        print("\n" + _table([[d["partner"], d["played"], "%d-%d-%d" % (d["won"], d["lost"], d["drawn"]),
                              d["win_rate"]] for d in doc["duos"]], ["with", "maps", "W-L-D", "win rate"]))
    if doc["head_to_head"]:
        print("\n" + _table([[h["opponent"], h["kills"], h["deaths"]] for h in doc["head_to_head"]],
                            ["versus", "kills", "deaths"]))
    print_community(doc)
    return 0


def print_community(doc: dict) -> None:
    """A player's bests, rivals, achievements and awards."""
    from et_pipeline.season.bests import LABELS

    if doc["personal_bests"]:
        print("\npersonal bests:")
        for b in doc["personal_bests"]:
            value = "%d:%02d" % divmod(int(b["value"]), 60) if b["measure"] == "fastest_attack" else "%g" % b["value"]
            print("  %-58s %8s  %s  %s" % (LABELS[b["measure"]], value, b["date"], b["round_file"]))
    r = doc.get("rivalry")
    if r:
        print("\nrivals (head-to-head data in %d of his %d rounds):" % (r["rounds_with_vs_data"], r["rounds"]))
        for what, verb in (("nemesis", "killed him most"), ("prey", "he killed most")):
            x = r[what]
            print("  %-8s %s" % (what, "%s, who %s: %d kills on him, %d deaths to him" % (
                x["name"], verb, x["kills"], x["deaths"]) if x else "none yet (10 rounds together needed)"))
    if doc["achievements"]:
        print("\nachievements:")
        for a in doc["achievements"]:
            print("  %s  %s: %s" % (a["date"], a["label"], a["detail"]))
    for w in doc.get("season_awards") or []:
        print("award: %s %s (%s)%s" % (w["award"], w["period"], w["value"], "" if w["final"] else ", so far"))


def cmd_leaderboard(a) -> int:
    from et_pipeline.season.document import leaderboard
    from et_pipeline.season.ratings import PROVISIONAL_MAPS

    season, code = load_season(a)
    if season is None:
        return code
    doc = leaderboard(season, a.stat, a.limit, everyone=a.all)
    if a.json:
        print_json(doc)
        return 0
    print("%s leaderboard (as of %s)" % (doc["label"], doc["as_of"] or "no nights yet"))
    rating = a.stat == "rating"
    # the ranked stat first; K/D, DPM and maps won beside it unless it is one of them
    extra = [(h, k) for h, k in (("K/D", "kd"), ("DPM", "dpm"), ("maps won", None)) if h != doc["label"]]

    def value(r):
        if not rating:
            return r["value"]
        marks = [m for m, on in (("*", r["provisional"]), ("inactive", r["inactive"])) if on]
        # the value as ranked (two decimals), so a shared rank reads as a tie and no tie hides
        return "%.2f ± %.1f%s" % (r["value"], r["uncertainty"], " " + " ".join(marks) if marks else "")

    print(_table([[r["rank"], r["name"], value(r), r["rounds"]]
                  + [r[k] if k else "%d/%d" % (r["maps_won"], r["maps_played"]) for _, k in extra]
                  for r in doc["players"]],
                 ["#", "player", doc["label"], "rounds"] + [h for h, _ in extra]))
    for line in hidden_lines(doc["hidden"], a.limit):
        print(line)
    if rating and a.all:
        print("* provisional: fewer than %d rated maps; inactive: no night in the %d days up to %s"
              % (PROVISIONAL_MAPS, INACTIVE_DAYS, doc["as_of"]))
    return 0


def hidden_lines(hidden: dict, limit: int) -> list[str]:
    """Every row a leaderboard left out, said: how many and why."""
    from et_pipeline.season.ratings import PROVISIONAL_MAPS

    out = []
    if hidden.get("under_min_rounds"):
        out.append("%d players under %d rounds not shown (a ratio needs %d rounds)"
                   % (hidden["under_min_rounds"], hidden["min_rounds"], hidden["min_rounds"]))
    if hidden.get("provisional"):
        out.append("%d provisional players (fewer than %d rated maps) not shown (--all shows them)"
                   % (hidden["provisional"], PROVISIONAL_MAPS))
    if hidden.get("inactive"):
        out.append("%d inactive players (no night in %d days) not shown (--all shows them)"
                   % (hidden["inactive"], hidden["inactive_days"]))
    if hidden.get("beyond_limit"):
        out.append("%d more players not shown (--limit %d)" % (hidden["beyond_limit"], limit))
    return out


def add_season_parsers(sub) -> None:
    def common(p):
        add_db_option(p)
        p.add_argument("--as-of", default=None, help="only nights up to this date (YYYY-MM-DD)")

    s = sub.add_parser("season", help="the season: players, records, ratings, predictions, achievements, awards")
    common(s)
    s.add_argument("--json", action="store_true", help="print the JSON document instead of tables")
    s.set_defaults(fn=cmd_season)
    p = sub.add_parser("player", help="one player's career, per period and per map, form, duos, head-to-head")
    p.add_argument("who", metavar="NAME|GUID", help="a GUID (8 hex), the current name or any former name")
    common(p)
    p.add_argument("--period", choices=get_args(Period), default="month",
                   help="length of the career periods")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.add_argument("--rating-png", default=None, metavar="FILE", help="also draw the rating's history into this PNG")
    p.set_defaults(fn=cmd_player)
    lb = sub.add_parser("leaderboard", help="players ranked by one stat")
    common(lb)
    lb.add_argument("--stat", choices=sorted(LEADERBOARD_STATS), default="kills", help="the stat to rank by")
    lb.add_argument("--limit", type=whole_number(1), default=20, help="how many players to list")
    lb.add_argument("--all", action="store_true",
                    help="rating: also list provisional and inactive players (marked)")
    lb.add_argument("--json", action="store_true", help="print JSON instead of a table")
    lb.set_defaults(fn=cmd_leaderboard)
