"""Player-controlled text made inert for Discord: the one escape function every name
(player, team, map, award) goes through before it reaches an embed.

Discord renders markdown, mentions and links inside embeds (a mention there never pings,
but it still shows as a pill naming someone else):

* markdown marks `*`, `_`, `~`, `` ` ``, `|`, `>`, `[`, `]` and `\\` get a backslash;
* `<` gets one too, so `<@123>`, `<#123>`, `<@&123>`, `<t:...>` and `<:emoji:1>` stay text;
* `@everyone` and `@here` get a zero-width space after the `@`;
* a raw URL would become a clickable link, so its `://` is broken with a zero-width space
  (it still reads the same);
* what a line may start with to become a heading, subtext, list item or quote (`#`, `-#`,
  `-`, `+`, `1.`) is escaped at the start of the text (each name is escaped on its own,
  so a name at the start of a line is covered).

Invisible and bidirectional characters never get this far: the parsers strip them
(parsers.text).
"""
import re

ZWSP = "\u200b"
_MD = re.compile(r"([\\*_~`|>\[\]<])")
_URL = re.compile(r"(?i)([a-z][a-z0-9+.-]*):/(/)")
_EVERYONE = re.compile(r"(?i)@(everyone|here)")
_LEADING = re.compile(r"^(\s*)(-#|#|-|\+)")
_NUMBERED = re.compile(r"^(\s*\d+)\.")
_ESCAPED = re.compile(r"\\([\\*_~`|>\[\]<#.+-])")


def discord_text(text: str) -> str:
    """`text` escaped for Discord: markdown, mentions, links and line starts neutralised."""
    text = _URL.sub("\\1:/" + ZWSP + "\\2", text)
    text = _EVERYONE.sub("@" + ZWSP + "\\1", text)
    text = _MD.sub(r"\\\1", text)
    text = _NUMBERED.sub(lambda m: m.group(1) + "\\.", text)
    return _LEADING.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def plain_text(text: str) -> str:
    """Discord text back to what it says, for a plain-text file: escapes and zero-width
    spaces removed (markdown such as bold is the caller's own)."""
    return _ESCAPED.sub(r"\1", text).replace(ZWSP, "")
