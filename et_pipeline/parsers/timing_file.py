"""Parsers for Lua timing data: the upstream `gametime-*.json` (webhook v1.6.0 and
v1.7.2, FORMATS.md 4.4) and this project's own timing file (lua/, one line of
`key=value` pairs or the same keys as one JSON object; the playtime in milliseconds
from module v1.1.0, in whole seconds before)."""
import json
import math
import re
from dataclasses import dataclass, field

from et_pipeline.parsers.errors import ParseError
from et_pipeline.parsers.text import decode, strip_colours


@dataclass
class LuaTiming:
    map: str
    round: int
    round_start_unix: int | None
    round_end_unix: int | None
    playtime_seconds: float | None
    warmup_seconds: int | None = None
    pause_count: int = 0
    pause_seconds: int = 0
    winner: int | None = None
    defender: int | None = None
    end_reason: str | None = None
    timelimit_minutes: float | None = None
    surrender_team: int | None = None
    axis_players: list[dict] = field(default_factory=list)
    allies_players: list[dict] = field(default_factory=list)
    pauses: list[dict] = field(default_factory=list)
    version: str | None = None


_FIRST_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def _num(text) -> float | None:
    """The first number in a value, or None; never inf or NaN (they mean garbage)."""
    if text is None or isinstance(text, bool):
        return None
    try:
        if isinstance(text, (int, float)):
            value = float(text)
        else:
            m = _FIRST_NUMBER.search(str(text)[:200])
            value = float(m.group(0)) if m else None
    except OverflowError:
        return None
    return value if value is not None and math.isfinite(value) and abs(value) < 1e15 else None


def _int(text) -> int | None:
    v = _num(text)
    return None if v is None else int(v)


def _side(text) -> int | None:
    if isinstance(text, str) and text.strip().lower() in ("axis", "allies"):
        return 1 if text.strip().lower() == "axis" else 2
    v = _int(text)
    return v if v in (0, 1, 2) else None


def _players(value) -> list[dict]:
    if isinstance(value, str):
        try:
            value = json.loads(value, strict=False) if value.strip() else []
        except (ValueError, RecursionError):
            return []
    if not isinstance(value, list):
        return []
    out = []
    for p in value:
        if isinstance(p, dict):
            guid = str(p.get("guid") or "")
            out.append({"guid": guid[:8].upper(), "name": strip_colours(str(p.get("name") or ""))})
    return out


def _load_json(data: bytes) -> object:
    try:
        return json.loads(decode(data), strict=False)
    except ValueError as e:
        raise ParseError("invalid JSON (%s): truncated or garbled" % e) from None
    except RecursionError:
        raise ParseError("invalid JSON: nested too deeply") from None


def parse_gametime_file(data: bytes) -> LuaTiming:
    """Upstream gametime file: `{"meta": {...}, "payload": <webhook body>}`."""
    if not data.strip():
        raise ParseError("empty file")
    doc = _load_json(data)
    if not isinstance(doc, dict):
        raise ParseError("gametime file is not a JSON object")
    meta = doc.get("meta") if isinstance(doc.get("meta"), dict) else {}
    payload = doc.get("payload") if isinstance(doc.get("payload"), dict) else {}
    embeds = payload.get("embeds") if isinstance(payload.get("embeds"), list) else []
    embed = embeds[0] if embeds and isinstance(embeds[0], dict) else {}
    fields = {}
    raw_fields = embed.get("fields")
    for f in raw_fields if isinstance(raw_fields, list) else []:
        if isinstance(f, dict) and "name" in f:
            fields[str(f["name"]).strip().lower()] = f.get("value")
    if not meta and not fields:
        raise ParseError("gametime file has neither meta nor webhook fields")
    map_name = str(fields.get("map") or meta.get("map") or "").strip()
    rnd = _int(fields.get("round")) or _int(meta.get("round"))
    if not map_name or rnd is None:
        raise ParseError("gametime file has no map or round")
    pauses_text = fields.get("lua_pauses")
    pause_count = _int(pauses_text) if pauses_text is not None else _int(meta.get("pause_count"))
    pause_secs = None
    if isinstance(pauses_text, str):
        m = re.search(r"\((\d+)\s*sec\)", pauses_text)
        pause_secs = int(m.group(1)) if m else None
    if pause_secs is None:
        pause_secs = _int(meta.get("pause_seconds"))
    footer = str((embed.get("footer") or {}).get("text") or "") if isinstance(embed.get("footer"), dict) else ""
    version = re.search(r"v(\d+\.\d+\.\d+)", footer)
    playtime = _num(fields.get("lua_playtime"))
    if playtime is None:
        playtime = _num(meta.get("actual_duration_seconds"))
    try:
        pause_list = json.loads(fields.get("lua_pauses_json") or "[]", strict=False)
    except (TypeError, ValueError, RecursionError):
        pause_list = []
    return LuaTiming(
        map=map_name,
        round=2 if rnd == 0 else rnd,
        round_start_unix=_int(fields.get("lua_roundstart")) or _int(meta.get("round_start_unix")),
        round_end_unix=_int(fields.get("lua_roundend")) or _int(meta.get("round_end_unix")),
        playtime_seconds=playtime,
        warmup_seconds=_int(fields.get("lua_warmup")) if "lua_warmup" in fields else _int(meta.get("warmup_seconds")),
        pause_count=pause_count or 0,
        pause_seconds=pause_secs or 0,
        winner=_side(fields.get("winner")),
        defender=_side(fields.get("defender")),
        end_reason=(str(fields.get("lua_endreason")).strip() or None) if fields.get("lua_endreason") is not None else None,
        timelimit_minutes=_num(fields.get("lua_timelimit")),
        surrender_team=_side(fields.get("lua_surrenderteam")),
        axis_players=_players(fields.get("axis_json")),
        allies_players=_players(fields.get("allies_json")),
        pauses=pause_list if isinstance(pause_list, list) else [],
        version=version.group(1) if version else None,
    )


# Own timing file keys (lua/et_timing.lua) and the short aliases of the first draft.
_OWN_KEYS = {
    "map": "map", "round": "round",
    "round_start_unix": "round_start_unix", "round_end_unix": "round_end_unix",
    "lua_playtime_seconds": "playtime", "playtime": "playtime", "lua_playtime_ms": "playtime_ms",
    "warmup_seconds": "warmup", "warmup": "warmup",
    "pause_count": "pauses", "pauses": "pauses",
    "total_pause_seconds": "pause_seconds", "pause_seconds": "pause_seconds",
    "winner_team": "winner", "winner": "winner",
    "defender_team": "defender", "defender": "defender",
    "end_reason": "end_reason", "timelimit_minutes": "timelimit", "timelimit": "timelimit",
    "surrender_team": "surrender_team", "axis_players": "axis", "allies_players": "allies",
    "version": "version",
}
_REQUIRED = ("round_start_unix", "round_end_unix", "playtime")


def parse_own_timing_file(data: bytes, map_name: str, round_number: int) -> LuaTiming:
    """This project's timing file. Map and round come from the file name when the
    content does not repeat them."""
    text = decode(data).strip()
    if not text:
        raise ParseError("empty file")
    if "\x00" in text:
        raise ParseError("binary content (NUL bytes): not a timing file")
    raw: dict
    if text.startswith("{"):
        doc = _load_json(data)
        if not isinstance(doc, dict):
            raise ParseError("timing file is not a JSON object")
        raw = doc
    else:
        if "\n" in text:
            raise ParseError("timing file must be one line of key=value pairs")
        raw = {}
        for token in text.split():
            if "=" not in token:
                raise ParseError("timing token %r is not key=value" % token[:40])
            k, v = token.split("=", 1)
            raw[k] = v
    values = {}
    for k, v in raw.items():
        if k in _OWN_KEYS:
            values[_OWN_KEYS[k]] = v
    playtime_ms = _num(values.get("playtime_ms"))
    if playtime_ms is not None and playtime_ms >= 0:   # module v1.1.0+: ms from the frame that ended play
        values["playtime"] = playtime_ms / 1000          # (older files: whole seconds only)
    missing = [k for k in _REQUIRED if _num(values.get(k)) is None]
    if missing:
        raise ParseError("timing file lacks %s" % ", ".join(missing))
    content_map = str(values.get("map") or map_name)
    content_round = _int(values.get("round"))
    content_round = round_number if content_round is None else content_round
    if content_map != map_name or content_round != round_number:
        raise ParseError("timing file says %s R%s but its name says %s R%d"
                         % (content_map, content_round, map_name, round_number))
    end_reason = values.get("end_reason")
    return LuaTiming(
        map=map_name, round=round_number,
        round_start_unix=_int(values["round_start_unix"]), round_end_unix=_int(values["round_end_unix"]),
        playtime_seconds=_num(values["playtime"]), warmup_seconds=_int(values.get("warmup")),
        pause_count=_int(values.get("pauses")) or 0, pause_seconds=_int(values.get("pause_seconds")) or 0,
        winner=_side(values.get("winner")), defender=_side(values.get("defender")),
        end_reason=str(end_reason) if end_reason else None,
        timelimit_minutes=_num(values.get("timelimit")), surrender_team=_side(values.get("surrender_team")),
        axis_players=_players(values.get("axis")), allies_players=_players(values.get("allies")),
        version=str(values["version"]) if values.get("version") else None,
    )
