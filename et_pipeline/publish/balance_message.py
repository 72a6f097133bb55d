"""The balanced-teams message for Discord, from the `balance` document (season/balance_cli
`balance_document`): one embed, a field per split, names escaped, the chance of each split
in words. Pure: the command line only posts what this returns.

Provisional players (few rated maps) are marked with 🆕, a symbol and not a `*`, which
Discord would read as italics; the legend says it in words.
"""
from __future__ import annotations

from et_pipeline import numbers as num
from et_pipeline.publish import colours
from et_pipeline.publish.colours import TEAM_EMOJI
from et_pipeline.publish.embeds import esc

NEW = "🆕"


def _team(doc: dict, guids: list[str]) -> str:
    return ", ".join(esc(doc["names"].get(g, g), 24) + (" " + NEW if g in doc["provisional"] else "")
                     for g in guids)


def _chance(p_a_wins: float) -> str:
    """`Team A wins 52%` for the split's favourite (Team A on an even split)."""
    return "Team B wins %s" % num.share(1 - p_a_wins) if p_a_wins < 0.5 else "Team A wins %s" % num.share(p_a_wins)


def balance_payload(doc: dict) -> dict:
    """The webhook payload (embeds, no mentions) for a `balance` document."""
    fields = []
    for i, split in enumerate(doc["splits"], 1):
        lines = ["%s **Team A:** %s" % (TEAM_EMOJI["A"], _team(doc, split["A"])),
                 "%s **Team B:** %s" % (TEAM_EMOJI["B"], _team(doc, split["B"]))]
        repeated = len(split.get("repeated_pairs") or [])
        if repeated:
            lines.append("🔁 %s as last night" % num.plural(repeated, "pair"))
        fields.append({"name": "%d. %s" % (i, _chance(split["p_a_wins"])), "value": "\n".join(lines),
                       "inline": False})
    players = len(doc.get("players") or [])
    description = "The %s fairest splits of %s, from the ratings so far." % (
        len(doc["splits"]), num.plural(players, "player"))
    if doc["provisional"]:
        description += "\n%s = provisional: few rated maps so far, the chances are a rough guess." % NEW
    embed = {"title": "⚖️ Balanced teams", "color": colours.NEUTRAL, "description": description, "fields": fields}
    return {"embeds": [embed], "allowed_mentions": {"parse": []}}
