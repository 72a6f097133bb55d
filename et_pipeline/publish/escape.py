"""Player-controlled text made inert for Discord markdown: the one escape function.

Names reach Discord inside embeds, where Discord renders markdown: `*`, `_`, `~`, `` ` ``,
`|`, `>`, `[`, `]` and `\\` are escaped; a `#` (or `-#`) at the start would make a heading
(or subtext) of the line, so it is escaped too; a raw URL would become a clickable link,
so its `://` is broken with a zero-width space (it still reads the same). Invisible and
bidirectional characters never get this far: the parsers strip them (parsers.text).
"""
import re

_MD = re.compile(r"([\\*_~`|>\[\]])")
_URL = re.compile(r"(?i)([a-z][a-z0-9+.-]*):/(/)")
_LEADING = re.compile(r"^(\s*)(-?#)")


def discord_text(text: str) -> str:
    """`text` escaped for Discord markdown, links and headings neutralised."""
    text = _URL.sub("\\1:/\u200b\\2", text)
    text = _MD.sub(r"\\\1", text)
    return _LEADING.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
