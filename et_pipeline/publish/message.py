"""What every Discord message of a session is made of, for both audiences: the `Message`
record, the session lookups (`_Ctx`) and the splitting into messages within
Discord's limits. The players' builders (publish/embeds.py) and the admins'
(publish/admin_embeds.py) both import it, so neither imports the other's internals."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from et_pipeline.domain import round_outcome as outcome
from et_pipeline.publish import limits
from et_pipeline.publish.colours import TEAM_EMOJI
from et_pipeline.publish.escape import discord_text

KEY_MAX = 80  # discord_posts.kind


PLAYERS, ADMINS = "players", "admins"


@dataclass
class Message:
    """One Discord message. `key` is stable for the session (the discord_posts.kind);
    `files` are (filename, bytes) referenced from the embeds as attachment://filename.
    `channel` is the audience (PLAYERS or ADMINS); `thread` marks a players' message
    that belongs in the details thread rather than in the channel itself."""
    key: str
    payload: dict
    files: list[tuple[str, bytes]] = field(default_factory=list)
    channel: str = PLAYERS
    thread: bool = False


# ---------------------------------------------------------------- formatting helpers

def esc(name: str | None, width: int = 24) -> str:
    """A name (player, team, map, award) safe for Discord, cut to `width` characters."""
    return discord_text(limits.truncate(str(name or "?"), width))


def safe_key(key: str) -> str:
    """Keys fit discord_posts.kind (80 chars): long ones keep a readable head and a hash."""
    if len(key) <= KEY_MAX:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()[:10]
    return key[: KEY_MAX - 11] + "~" + digest


# ---------------------------------------------------------------- session context

class _Ctx:
    """Lookups shared by the builders."""

    def __init__(self, session: dict):
        self.s = session
        teams = session.get("teams") or {}
        self.team_names = {k: (teams.get(k) or {}).get("name") or "Team %s" % k for k in ("A", "B")}
        self.rounds_by_file = {r.get("file"): r for r in session.get("rounds") or []}
        self.map_labels: dict[int, str] = {}
        counts: dict[str, int] = {}
        totals: dict[str, int] = {}
        for m in session.get("maps") or []:
            totals[m["map"]] = totals.get(m["map"], 0) + 1
        for i, m in enumerate(session.get("maps") or []):
            counts[m["map"]] = counts.get(m["map"], 0) + 1
            self.map_labels[i] = m["map"] + (" (#%d)" % counts[m["map"]] if totals[m["map"]] > 1 else "")
        self.file_labels = {f: self.map_labels[i] for i, m in enumerate(session.get("maps") or [])
                            for f in (m.get("r1_file"), m.get("r2_file")) if f}
        self.map_of_file = {f: m for m in session.get("maps") or [] for f in (m.get("r1_file"), m.get("r2_file")) if f}
        self.date = session.get("date") or (session.get("start") or "")[:10]
        self.zone = session.get("timezone")

    def map_of(self, rnd: dict) -> dict | None:
        return self.map_of_file.get(rnd.get("file"))

    def defender_side(self, rnd: dict) -> int | None:
        return outcome.defender_side(rnd, self.map_of(rnd))

    def attackers(self, rnd: dict) -> str | None:
        return outcome.attacking_team(rnd, self.map_of(rnd))

    def round_label(self, rnd: dict) -> str:
        """The round's map, escaped, with (#k) when the map is played more than once."""
        return esc(self.file_labels.get(rnd.get("file")) or str(rnd.get("map")), 40)

    def map_label(self, index: int, m: dict) -> str:
        return esc(self.map_labels.get(index, m.get("map")), 40)

    def team(self, key: str | None, emoji: bool = True) -> str:
        if key not in ("A", "B"):
            return "?"
        name = esc(self.team_names[key], 32)
        return "%s %s" % (TEAM_EMOJI[key], name) if emoji else name

    def map_rounds(self, m: dict) -> list[dict]:
        return [self.rounds_by_file[f] for f in (m.get("r1_file"), m.get("r2_file")) if f in self.rounds_by_file]


# ---------------------------------------------------------------- assembly

def _messages(base: str, embeds: list[dict], files: list[tuple[str, bytes]] = (), numbered: bool = False,
              channel: str = PLAYERS, thread: bool = False) -> list[Message]:
    out = []
    for i, group in enumerate(limits.fit(embeds), 1):
        key = "%s:%d" % (base, i) if numbered else (base if i == 1 else "%s:%d" % (base, i))
        refs = {(e.get(k) or {}).get("url", "")[len("attachment://"):] for e in group for k in ("image", "thumbnail")}
        mine = [(n, b) for n, b in files if n in refs or (i == 1 and not n.lower().endswith(".png"))]
        out.append(Message(safe_key(key), {"embeds": group, "allowed_mentions": {"parse": []}}, mine,
                           channel=channel, thread=thread))
    return out
