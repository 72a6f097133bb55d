"""`et-pipeline balance --db URL --players NAME|GUID,... [--json] [--publish ...]`
(docs/json.md): the three splits closest to an even game from the current ratings."""
import datetime as dt
import json
import os
import sys
from typing import get_args

from et_pipeline.choices import PublishMode
from et_pipeline.cli.common import add_db_option, die, load_season, print_json
from et_pipeline.season.balance import balance_document


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
    from et_pipeline.publish.balance_message import balance_payload

    payload = balance_payload(doc)
    if mode == "dry-run":
        os.makedirs(out_dir, exist_ok=True)
        path = os.path.join(out_dir, "balance-%s.json" % dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S"))
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False, indent=2)
        print("dry-run: payload written to %s" % path, file=sys.stderr)
    elif mode == "live":
        from et_pipeline.publish.webhook import DiscordWebhookClient

        from et_pipeline.publish.webhook import webhook_variable_problem

        problem = webhook_variable_problem(os.environ, "ET_DISCORD_WEBHOOK_URL", required=True)
        if problem:
            raise ValueError(problem)
        DiscordWebhookClient(os.environ["ET_DISCORD_WEBHOOK_URL"]).post(payload)


def cmd_balance(a) -> int:
    names = [n for n in (x.strip() for x in a.players.split(",")) if n]
    a.as_of = None
    season, code = load_season(a)
    if season is None:
        return code
    from et_pipeline.publish.webhook import PublishError

    try:
        doc = balance_document(season, names)
        _publish(doc, a.publish, a.out)
    except ValueError as e:
        return die(str(e))
    except OSError as e:
        return die("--out %s: cannot write the payload: %s" % (a.out, e.strerror or e))
    except PublishError as e:               # its message never holds the webhook's token
        return die("Discord: %s" % str(e).splitlines()[0])
    if a.json:
        print_json(doc)
    else:
        print(render(doc))
    return 0


def add_balance_parser(sub) -> None:
    b = sub.add_parser("balance", help="the three fairest splits of the named players, from the ratings",
                       description="Split the named players into two teams: the three fairest splits by the "
                                   "season's ratings, each with its predicted chance for team A (docs/json.md "
                                   "describes --json).")
    add_db_option(b)
    b.add_argument("--players", required=True, help="comma-separated names or 8-hex GUIDs (2 to 16 players)")
    b.add_argument("--json", action="store_true", help="print the JSON document (docs/json.md) instead of text")
    b.add_argument("--publish", choices=get_args(PublishMode), default="off",
                   help="also send the splits to Discord (dry-run: payload file under --out)")
    b.add_argument("--out", default="out", help="folder for the dry-run payload")
    b.set_defaults(fn=cmd_balance)
