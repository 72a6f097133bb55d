"""Discord's message limits, and the functions that make content fit them.

Discord answers 400 (code 50035) to a message over any of these limits, so every payload
is cut to size here, before it is sent: long texts are split at line boundaries into
continuation fields, embeds and messages instead of being rejected (DOMAIN.md 9.5).
"""
from __future__ import annotations

import copy
from typing import Iterable, Sequence

TITLE = 256
DESCRIPTION = 4096
FIELD_NAME = 256
FIELD_VALUE = 1024
FIELDS = 25             # per embed
FOOTER = 2048
AUTHOR = 256
EMBED_TOTAL = 6000      # per message, summed over all its embeds
EMBEDS = 10             # per message
FILES = 10              # per message
FILE_BYTES = 10 * 1024 * 1024
CONTENT = 2000

BLANK = "\u200b"        # zero-width space: Discord's accepted "empty" field name or value
ELLIPSIS = "…"
CONT = " (cont.)"


def truncate(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending in … when cut."""
    text = text or ""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)] + ELLIPSIS


def join_blocks(blocks: Iterable[str], limit: int, sep: str = "\n") -> list[str]:
    """Join `blocks` with `sep` into as few chunks of at most `limit` characters as
    possible, never splitting a block unless the block alone is over the limit (then it
    is split by `split_text`). Keeps a player's three lines together, for example."""
    chunks: list[str] = []
    current = ""
    for block in blocks:
        if len(block) > limit:
            pieces = split_text(block, limit)
        else:
            pieces = [block]
        for piece in pieces:
            candidate = piece if not current else current + sep + piece
            if len(candidate) <= limit:
                current = candidate
            else:
                if current:
                    chunks.append(current)
                current = piece
    if current:
        chunks.append(current)
    return chunks


def split_text(text: str, limit: int) -> list[str]:
    """Split `text` into chunks of at most `limit` characters at line breaks; a single
    line longer than `limit` is split at the last space before the limit (or hard)."""
    if len(text) <= limit:
        return [text] if text else []
    lines: list[str] = []
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit + 1)
            if cut <= limit // 2:
                cut = limit
            lines.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
        lines.append(line)
    return join_blocks(lines, limit)


def embed_size(embed: dict) -> int:
    """The characters Discord counts towards the 6000 per message."""
    n = len(embed.get("title") or "") + len(embed.get("description") or "")
    n += len((embed.get("footer") or {}).get("text") or "")
    n += len((embed.get("author") or {}).get("name") or "")
    for f in embed.get("fields") or []:
        n += len(str(f.get("name") or "")) + len(str(f.get("value") or ""))
    return n


def _field(name: str, value: str, inline: bool) -> dict:
    return {"name": truncate(name, FIELD_NAME) if name.strip() else BLANK,
            "value": value if value.strip() else BLANK, "inline": inline}


def _cont_title(title: str) -> str:
    return truncate(title, TITLE - len(CONT)) + CONT if title else ""


def fit_embed(embed: dict) -> list[dict]:
    """One logical embed -> one or more embeds that are each within every per-embed limit
    and at most EMBED_TOTAL characters: the description is split into continuation
    embeds, field values over 1024 are split into "(cont.)" fields, fields beyond 25 or
    beyond the size budget go to continuation embeds ("<title> (cont.)"). Author,
    thumbnail and image stay on the first embed, the footer on the last one."""
    embed = copy.deepcopy(embed)
    title = truncate(embed.pop("title", "") or "", TITLE)
    description = embed.pop("description", "") or ""
    fields = embed.pop("fields", []) or []
    footer = embed.pop("footer", None)
    if footer is not None:
        footer = {**footer, "text": truncate(footer.get("text") or "", FOOTER)}
    first_only = {k: embed.pop(k) for k in ("author", "thumbnail", "image", "url") if k in embed}
    if "author" in first_only:
        first_only["author"] = {**first_only["author"],
                                "name": truncate(first_only["author"].get("name") or "", AUTHOR)}
    common = embed  # colour and anything else unknown is repeated on every part

    flat: list[dict] = []
    for f in fields:
        name = str(f.get("name") or "")
        value = str(f.get("value") or "")
        inline = bool(f.get("inline", False))
        pieces = split_text(value, FIELD_VALUE) or [BLANK]
        for i, piece in enumerate(pieces):
            piece_name = name if i == 0 or not name.strip() or name == BLANK else name + CONT
            flat.append(_field(piece_name, piece, inline))

    reserve = len((footer or {}).get("text") or "") + len((first_only.get("author") or {}).get("name") or "")
    budget = EMBED_TOTAL - reserve
    parts: list[dict] = []
    desc_chunks = split_text(description, DESCRIPTION) or [""]
    for i, chunk in enumerate(desc_chunks):
        part = dict(common)
        part_title = title if i == 0 else _cont_title(title)
        if part_title:
            part["title"] = part_title
        if chunk:
            part["description"] = chunk
        part["fields"] = []
        parts.append(part)

    for f in flat:
        part = parts[-1]
        size = embed_size(part) + len(f["name"]) + len(f["value"])
        if len(part["fields"]) >= FIELDS or size > budget:
            part = dict(common)
            if title:
                part["title"] = _cont_title(title)
            part["fields"] = []
            parts.append(part)
        part["fields"].append(f)

    for part in parts:
        if not part["fields"]:
            del part["fields"]
    parts[0].update(first_only)
    if footer is not None and footer.get("text"):
        parts[-1]["footer"] = footer
    return parts


def pack_embeds(embeds: Sequence[dict]) -> list[list[dict]]:
    """Embeds (each already fitted) grouped in order into messages of at most EMBEDS
    embeds and EMBED_TOTAL characters."""
    messages: list[list[dict]] = []
    current: list[dict] = []
    total = 0
    for e in embeds:
        size = embed_size(e)
        if current and (len(current) >= EMBEDS or total + size > EMBED_TOTAL):
            messages.append(current)
            current, total = [], 0
        current.append(e)
        total += size
    if current:
        messages.append(current)
    return messages


def fit(embeds: Sequence[dict]) -> list[list[dict]]:
    """Logical embeds -> messages (lists of embeds), every one within Discord's limits."""
    fitted: list[dict] = []
    for e in embeds:
        fitted.extend(fit_embed(e))
    return pack_embeds(fitted)


def refusal(problems: Sequence[str]) -> str:
    """Why a message over the limits is not sent (its first five `violations`): the one
    wording for dry-run's error and live's `rejected` record."""
    return "over Discord's limits (not sent): " + "; ".join(problems[:5])


def violations(payload: dict, files: Sequence[tuple[str, object]] = ()) -> list[str]:
    """Everything in `payload` (+ attached `files` as (name, bytes or size)) that Discord
    would reject; empty when the message can be sent."""
    v: list[str] = []
    content = payload.get("content") or ""
    embeds = payload.get("embeds") or []
    if len(content) > CONTENT:
        v.append("content > %d" % CONTENT)
    if not content.strip() and not embeds and not files:
        v.append("empty message")
    if len(embeds) > EMBEDS:
        v.append("more than %d embeds" % EMBEDS)
    total = 0
    for i, e in enumerate(embeds):
        if len(e.get("title") or "") > TITLE:
            v.append("embed %d title > %d" % (i, TITLE))
        if len(e.get("description") or "") > DESCRIPTION:
            v.append("embed %d description > %d" % (i, DESCRIPTION))
        fields = e.get("fields") or []
        if len(fields) > FIELDS:
            v.append("embed %d has %d fields" % (i, len(fields)))
        for j, f in enumerate(fields):
            name, value = str(f.get("name", "")), str(f.get("value", ""))
            if not name.strip() or not value.strip():
                v.append("embed %d field %d empty name or value" % (i, j))
            if len(name) > FIELD_NAME:
                v.append("embed %d field %d name > %d" % (i, j, FIELD_NAME))
            if len(value) > FIELD_VALUE:
                v.append("embed %d field %d value > %d" % (i, j, FIELD_VALUE))
        if len((e.get("footer") or {}).get("text") or "") > FOOTER:
            v.append("embed %d footer > %d" % (i, FOOTER))
        if len((e.get("author") or {}).get("name") or "") > AUTHOR:
            v.append("embed %d author > %d" % (i, AUTHOR))
        total += embed_size(e)
    if total > EMBED_TOTAL:
        v.append("embeds total %d > %d" % (total, EMBED_TOTAL))
    if len(files) > FILES:
        v.append("more than %d files" % FILES)
    names = set()
    for name, data in files:
        size = data if isinstance(data, int) else len(data)
        if size > FILE_BYTES:
            v.append("file %s too large" % name)
        names.add(name)
    for i, e in enumerate(embeds):
        for key in ("image", "thumbnail"):
            url = (e.get(key) or {}).get("url") or ""
            if url.startswith("attachment://") and url[len("attachment://"):] not in names:
                v.append("embed %d %s refers to a missing attachment %s" % (i, key, url))
    return v
