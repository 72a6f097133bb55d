"""Fair teams for the next map (CONTRACT §6 `balance`): every split of the named
players, scored by the rating's predicted win probability, the three closest to even.

Exhaustive up to MAX_PLAYERS (16 players: 6,435 splits, well under a second): player
one is always on team A so a split and its mirror are never both listed; with an odd
count team A is either the smaller or the larger side, both are tried.

Repeating last night's pairings is penalised: a split's choice score is
|p - 0.5| + REPEAT_PENALTY * (share of its teammate pairs that were teammates on last
night's maps), so among near-equal splits the fresher one is chosen. The three chosen
splits are then shown sorted by evenness alone (|p - 0.5|, smallest first), as the
contract says, each with its repeated pairs.
"""
from __future__ import annotations

from itertools import combinations

from et_pipeline.season.model import MapGame

MAX_PLAYERS = 16
REPEAT_PENALTY = 0.05
SPLITS = 3


def last_night_pairs(games: list[MapGame]) -> set[frozenset]:
    """Teammate pairs on the maps of the latest night."""
    if not games:
        return set()
    last = max(g.date for g in games)
    pairs = set()
    for g in games:
        if g.date == last:
            for team in (g.team_a, g.team_b):
                pairs.update(frozenset(p) for p in combinations(sorted(x for x, _ in team), 2))
    return pairs


def _pairs(team) -> list[frozenset]:
    return [frozenset(p) for p in combinations(team, 2)]


def splits(guids: list[str]):
    """Every split (A, B) once: guids[0] in A; odd counts: A smaller or larger."""
    n = len(guids)
    first, rest = guids[0], guids[1:]
    sizes = {n // 2, n - n // 2}
    for size in sorted(sizes):
        for others in combinations(rest, size - 1):
            a = (first,) + others
            chosen = set(a)
            yield list(a), [g for g in guids if g not in chosen]


def balance(guids: list[str], predict, last_pairs: set[frozenset] = frozenset(), count: int = SPLITS) -> list[dict]:
    """The `count` best splits: dicts with A, B, p_a_wins, repeated_pairs, sorted by evenness.

    `predict(team_a, team_b) -> P(A wins)` is the rating's (ratings.RatingsResult.p_a_wins).
    """
    if len(guids) < 2:
        raise ValueError("balance needs at least 2 players, got %d" % len(guids))
    if len(guids) > MAX_PLAYERS:
        raise ValueError("balance is exhaustive up to %d players, got %d" % (MAX_PLAYERS, len(guids)))
    if len(set(guids)) != len(guids):
        raise ValueError("a player is named twice")
    scored = []
    for a, b in splits(list(guids)):
        p = round(float(predict(a, b)), 4)      # shown rounded: order by what is shown
        pairs = _pairs(a) + _pairs(b)
        repeated = sorted(sorted(pr) for pr in pairs if pr in last_pairs)
        share = len(repeated) / len(pairs) if pairs else 0.0
        even = round(abs(p - 0.5), 4)
        scored.append((even + REPEAT_PENALTY * share, even, sorted(a), sorted(b), p, repeated))
    scored.sort(key=lambda s: (s[0], s[1], s[2]))
    best = sorted(scored[:count], key=lambda s: (s[1], s[0], s[2]))
    return [{"A": a, "B": b, "p_a_wins": p, "repeated_pairs": rep} for _, _, a, b, p, rep in best]


def _resolve(players: list[dict], names: list[str]) -> tuple[list[str], str | None]:
    """GUIDs for the names, or an error naming the first one that is not one human."""
    from et_pipeline.season.players import resolve

    out, named = [], {}
    for who in names:
        found = resolve(players, who)
        if len(found) == 1:
            guid = found[0]["guid"]
            if guid in named:
                return [], "%r and %r are the same player (%s): name each player once" % (named[guid], who, guid)
            named[guid] = who
            out.append(guid)
            continue
        if len(found) > 1:
            return [], "%r matches several players: %s (use the GUID)" % (who, ", ".join(p["guid"] for p in found))
        w = who.strip().lower()
        # a bot by its 8-character GUID (OMNIBOT0...: the full 32-character one too) or any of its names
        if any(p["is_bot"] and (p["guid"].lower() == w[:8] or w in (a.lower() for a in p["aliases"])) for p in players):
            return [], "%r is a bot: bots never play in a balanced split" % who
        return [], "unknown player %r (no name or GUID like it in the database)" % who
    return out, None


def balance_document(season, names: list[str]) -> dict:
    """The §6 document; raises ValueError with a message naming the problem."""
    from et_pipeline.season.ratings import rate

    guids, error = _resolve(season.players["players"], names)
    if error:
        raise ValueError(error)
    result = rate(season.games)
    splits = balance(guids, result.p_a_wins, last_night_pairs(season.games))
    display = {p["guid"]: p["name"] for p in season.players["players"]}
    ratings = {g: result.rater.rating(g) for g in guids}
    return {"players": guids, "splits": splits,
            "provisional": [g for g in guids if ratings[g].provisional],
            "names": {g: display.get(g, g) for g in guids},
            "ratings": {g: ratings[g].as_dict() for g in guids}}
