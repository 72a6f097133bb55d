"""One key per player line of a stats file, distinct within the file.

The key is the GUID (`PlayerLine.key`); bots share `OMNIBOT0` and clients without
`cl_guid` write an empty GUID, so theirs is GUID + name, and two such clients with the
same name (two `ETPlayer`s, a realistic case) are still two players: the second in file
order gets `#2`, the third `#3`. That is sound because nothing matches them across files
anyway (FORMATS 5 #23: an empty GUID is nobody in particular). What the game cannot
write is refused with the reason: the very same line twice (a copy glitch), or two
different lines of one real GUID.
"""
from et_pipeline.parsers.errors import ParseError


def player_keys(players) -> list[str]:
    """Keys of `players` (parsers.stats_file.PlayerLine) in order; raises ParseError."""
    keys: list[str] = []
    first: dict[str, int] = {}       # base key -> index of its first line
    count: dict[str, int] = {}
    for i, p in enumerate(players):
        base = p.key
        if base in first:
            j = first[base]
            if p == players[j]:
                raise ParseError("player line %d repeats line %d (written twice)" % (i + 2, j + 2))
            if p.guid and not p.is_bot:
                raise ParseError("player lines %d and %d have the same GUID %s" % (j + 2, i + 2, p.guid))
            count[base] += 1
            keys.append("%s#%d" % (base, count[base]))
        else:
            first[base] = i
            count[base] = 1
            keys.append(base)
    if len(set(keys)) != len(keys):   # a name that already ends in "#2"
        raise ParseError("player names collide after numbering same-named players")
    return keys
