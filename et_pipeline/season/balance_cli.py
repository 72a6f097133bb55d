"""`et-pipeline balance --db URL --players NAME|GUID,... [--json] [--publish ...]`
(CONTRACT §6): the three splits closest to an even game from the current ratings."""
import datetime as dt
import json
import os
import sys

from et_pipeline.season.balance import balance, last_night_pairs


def _resolve(players: list[dict], names: list[str]) -> tuple[list[str], str | None]:
    """GUIDs for the names, or an error naming the first one that is not one human."""
    from et_pipeline.season.players import resolve

    out = []
    for who in names:
        found = resolve(players, who)
        if len(found) == 1:
            out.append(found[0]["guid"])
            continue
        if len(found) > 1:
            return [], "%r matches several players: %s (use the GUID)" % (who, ", ".join(p["guid"] for p in found))
        w = who.strip().lower()
        # a bot by its 8-character GUID (OMNIBOT0...: the full 32-character one too) or any of its names
        if any(p["is_bot"] and (p["guid"].lower() == w[:8] or w in (a.lower() for a in p["aliases"])) for p in players):
            return [], "%r is a bot: bots never play in a balanced split" % who
        return [], "unknown player %r (no name or GUID like it in the database)" % who
    return out, None


def balance_document(season, names: list[str]) -> dict:
    """The §6 document; raises ValueError with a message naming the problem."""
    from et_pipeline.season.ratings import rate

    guids, error = _resolve(season.players["players"], names)
    if error:
        raise ValueError(error)
    result = rate(season.games)
    splits = balance(guids, result.p_a_wins, last_night_pairs(season.games))
    display = {p["guid"]: p["name"] for p in season.players["players"]}
    ratings = {g: result.rater.rating(g) for g in guids}
    return {"players": guids, "splits": splits,
            "provisional": [g for g in guids if ratings[g].provisional],
            "names": {g: display.get(g, g) for g in guids},
            "ratings": {g: ratings[g].as_dict() for g in guids}}


def render(doc: dict) -> str:
    names = doc["names"]
    who = lambda gs: ", ".join("%s%s" % (names[g], "*" if g in doc["provisional"] else "") for g in gs)
    lines = []
    for i, s in enumerate(doc["splits"], 1):
        lines.append("%d. A: %s" % (i, who(s["A"])))
        lines.append("   B: %s" % who(s["B"]))
        lines.append("   P(A wins) %.1f %%   P(B wins) %.1f %%%s" % (
            100 * s["p_a_wins"], 100 * (1 - s["p_a_wins"]),
            "   (%d pair(s) as last night)" % len(s["repeated_pairs"]) if s["repeated_pairs"] else ""))
    if doc["provisional"]:
        lines.append("* provisional (few rated maps): %s" % ", ".join(names[g] for g in doc["provisional"]))
    return "\n".join(lines)


def _publish(doc: dict, mode: str, out_dir: str) -> None:
    payload = {"embeds": [{"title": "Balanced teams", "description": render(doc)[:4000]}]}
    if mode == "dry-run":
        os.makedirs(out_dir, exist_ok=True)
        path = os.path.join(out_dir, "balance-%s.json" % dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S"))
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False, indent=2)
        print("dry-run: payload written to %s" % path, file=sys.stderr)
    elif mode == "live":
        from et_pipeline.publish.webhook import DiscordWebhookClient

        url = os.environ.get("ET_DISCORD_WEBHOOK_URL")
        if not url:
            raise ValueError("--publish live needs ET_DISCORD_WEBHOOK_URL")
        DiscordWebhookClient(url).post(payload)


def cmd_balance(a) -> int:
    from et_pipeline.cli import _die, _print_json
    from et_pipeline.season.cli import _season

    names = [n for n in (x.strip() for x in a.players.split(",")) if n]
    a.as_of = None
    season, code = _season(a)
    if season is None:
        return code
    try:
        doc = balance_document(season, names)
        _publish(doc, a.publish, a.out)
    except ValueError as e:
        return _die(str(e))
    if a.json:
        _print_json(doc)
    else:
        print(render(doc))
    return 0


def add_balance_parser(sub) -> None:
    from et_pipeline.cli import _add_db_option

    b = sub.add_parser("balance", help="the three fairest splits of the named players, from the ratings")
    _add_db_option(b)
    b.add_argument("--players", required=True, help="comma-separated names or 8-hex GUIDs (2 to 16 players)")
    b.add_argument("--json", action="store_true", help="print the CONTRACT.md 6 JSON document")
    b.add_argument("--publish", choices=["off", "dry-run", "live"], default="off",
                   help="also send the splits to Discord (dry-run: payload file under --out)")
    b.add_argument("--out", default="out", help="folder for the dry-run payload")
    b.set_defaults(fn=cmd_balance)
