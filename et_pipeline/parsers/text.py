"""Text helpers shared by the parsers: byte-safe decoding and ET colour codes."""
import re

_COLOUR = re.compile(r"\^(.)", re.DOTALL)


def decode(raw: bytes) -> str:
    """Decode one line of a server file: UTF-8 first, then cp1252/latin-1.

    Player names are whatever bytes the clients sent; identity is keyed on the GUID, so
    a lossless single-byte fallback is enough.
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            return raw.decode("latin-1")


# Bidirectional overrides/isolates/marks and zero-width characters: a name holding them
# can reorder or hide the text around it (a "reversed" score line in Discord, an invisible
# impostor). C0/C1 control bytes go too; nothing a player can type needs them.
_INVISIBLE_CLASS = "\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff"
_INVISIBLE = re.compile("[%s]" % _INVISIBLE_CLASS)


def strip_invisible(text: str) -> str:
    """Remove bidirectional, zero-width and control characters."""
    return _INVISIBLE.sub("", text)


def strip_colours(name: str) -> str:
    """A player name as shown everywhere: ET colour codes (`^` + any character; `^^` is a
    literal caret) and invisible characters (strip_invisible) removed. The one function
    every parser applies to names, at parse time."""
    return strip_invisible(_COLOUR.sub(lambda m: "^" if m.group(1) == "^" else "", name)).strip()


# the same characters as strip_invisible, plus lone surrogates (undecodable bytes of a file name)
_UNPRINTABLE = re.compile("[%s\ud800-\udfff]" % _INVISIBLE_CLASS)


def printable(text: str) -> str:
    """A file name for a terminal or a log line: control, bidirectional and zero-width
    characters and undecodable bytes (surrogate escapes) shown as escapes, e.g. `\\x1b`."""
    def esc(m):
        ch = m.group(0)
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:          # a byte os.fsdecode could not decode
            return "\\x%02x" % (code - 0xDC00)
        return "\\x%02x" % code if code < 0x100 else "\\u%04x" % code
    return _UNPRINTABLE.sub(esc, text)


def endstats_clean(name: str) -> str:
    """The cleaning endstats.lua applies: colours removed, then only printable ASCII."""
    return "".join(ch for ch in strip_colours(name) if " " <= ch <= "~")


def split_lines(data: bytes) -> list[bytes]:
    """Split on LF, drop a trailing CR per line and empty lines (CRLF copies exist)."""
    return [ln[:-1] if ln.endswith(b"\r") else ln for ln in data.split(b"\n") if ln.strip(b"\r")]
