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


def strip_colours(name: str) -> str:
    """Remove ET colour codes (`^` + any character); `^^` is a literal caret."""
    return _COLOUR.sub(lambda m: "^" if m.group(1) == "^" else "", name).strip()


def endstats_clean(name: str) -> str:
    """The cleaning endstats.lua applies: colours removed, then only printable ASCII."""
    return "".join(ch for ch in strip_colours(name) if " " <= ch <= "~")


def split_lines(data: bytes) -> list[bytes]:
    """Split on LF, drop a trailing CR per line and empty lines (CRLF copies exist)."""
    return [ln[:-1] if ln.endswith(b"\r") else ln for ln in data.split(b"\n") if ln.strip(b"\r")]
