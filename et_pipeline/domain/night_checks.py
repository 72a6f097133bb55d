"""The night checks itself: every number two sources both state, compared.

Input: one session of the report (et_pipeline.report, without `checks`), the stats
files as written (parsed), and the endstats VS lines of its rounds. Output: the
session's `checks`, one entry per check and round (or session) it looked at, in a fixed
order (rounds in the report's order, checks in `CHECKS` order, the session's last):
`{"check", "status", "round_file", "detail", "action"}`.

`fail`: two sources contradict each other; `warn`: they differ the way a known quirk
explains (nothing wrong in what is published); `pass`. A failed check never stops the
night; the one whose failure makes a published number wrong holds its messages back
(`HOLDS`). The tolerances are in each check's description (the Dagster asset checks
show it, the README lists it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

from et_pipeline.domain.award_values import expected, shown
from et_pipeline.domain.r2_rule import DIFFERENTIAL
from et_pipeline.domain.timing import DISCREPANCY_SECONDS, MINOR_DIFF_SECONDS, timing_quirk
from et_pipeline.domain.player_stats import CUMULATIVE_TABS
from et_pipeline.parsers.stats_file import TAB_FIELDS, WEAPON_FIELDS, WEAPONS, PlayerLine, StatsFile, clock_seconds
from et_pipeline.parsers.text import endstats_clean

PASS, WARN, FAIL = "pass", "warn", "fail"
SIDES = {1: "Axis", 2: "Allies"}
PARTIAL_SECONDS = 12            # two 0.1-minute roundings of a line's time on a team
_SHOWN = 6


@dataclass(frozen=True)
class Check:
    name: str
    description: str        # what is compared, with the tolerance
    on_warn: str            # what an admin should do
    on_fail: str


CHECKS = (
    Check("award_matches_stats",
          "Each award value against the winner's line in the stats file of the same round, as written (a round-2 "
          "award counts both rounds for the engine's counters and round 2 for the scripts' own, like the line). "
          "Counts and damage exact; deaths between the weapon deaths and those plus self-kills and the round's "
          "team kills; K/D to 0.001; kills per minute and percentages to 0.01. A difference in a count each "
          "script keeps itself (revives, sprees, assists, kill steals, headshot kills, objectives) or in K/D and "
          "kills per minute (the game's kill count) is a warn.",
          "Nothing to fix: a count the award script and the stats script each keep themselves (revives, "
          "sprees, assists, ...), or the game's kill count, differs from the stats line, or the winner played "
          "part of the round.",
          "One of the two files is wrong: compare the award file with the stats file of that round. The "
          "published player numbers come from the stats file."),
    Check("timing_matches_stats",
          "The stats file's round time (c0rnp0rn8 playtime, else the clock when it is a duration) against the "
          "Lua playtime: pass within 30 s; warn up to 60 s (the timing script can start its clock early), or "
          "beyond when a surrender, pauses or a timing script that counts pauses as play (before v1.7.1) "
          "explain it; fail beyond 60 s otherwise.",
          "Nothing to fix: the published round time is the Lua playtime. Update the timing script if it is "
          "older than v1.7.1.",
          "The stats file and the timing file disagree about how long the round lasted: check that the timing "
          "file belongs to this round (map, round, end time) and the server clock."),
    Check("winner_matches_times",
          "The stats header's winner against its own times (the defence held exactly when the round's time "
          "equals its limit) and against the timing file's winner and defender, exact.",
          "Nothing to fix: the attack finished in the last second, so the time equals the limit.",
          "The winner, the time or the timing file contradict each other: the map's score may be wrong; check "
          "the round in the server log."),
    Check("r2_not_below_r1",
          "For every player whose round-2 line was taken as cumulative: no engine counter (per weapon hits, "
          "shots, kills, deaths, head hits; damage, team damage, gibs, self-kills, team kills, team gibs, "
          "bullets, time on a team) lower than in his round-1 line, exact.",
          "",
          "His round-2 numbers were computed as round 2 minus round 1 with that counter held at 0: if he "
          "reconnected, his round-2 line is round 2 on its own. Look at both files."),
    Check("kills_match_deaths",
          "Kills of one side against the deaths the other side's lines hold, damage given against damage "
          "received, in this round's numbers, exact; warn when a player was not on a team for the whole round "
          "(he left, joined or reconnected: what he did before is not in his line).",
          "Nothing to fix: a player left, joined or reconnected during the round.",
          "The lines of the round do not add up: a line is missing or wrong. Compare the stats file with the "
          "award file's VS lines."),
    Check("vs_matches_stats",
          "The award file's VS lines (kills and deaths against each opponent, this round) against the player's "
          "kills and deaths this round, exact (without VS headers: the round's totals); warn when a player of "
          "the block was not on a team for the whole round.",
          "Nothing to fix: a player left, joined or reconnected during the round.",
          "The award file and this round's numbers disagree: for a round 2, his round-1 numbers may have been "
          "subtracted wrongly (or not at all); compare both files."),
    Check("lines_consistent",
          "Within each stats line: bullets fired equals the weapon block's shots, revives given equal the "
          "syringe's hits this round, exact; warn for revives of a player who reconnected.",
          "Nothing to fix: the player reconnected during the round.",
          "The stats file contradicts itself: it may be damaged or written by a changed script."),
    Check("time_fits_round",
          "Each player's time on a team this round is at most the round's measured length plus 12 s.",
          "",
          "A line holds more time than the round lasted: for a round 2 taken as it is, his line may be "
          "cumulative (his round-2 numbers would include round 1), or the round's length is wrong."),
    Check("totals_add_up",
          "The night's player totals and each team's totals against the sum of their rounds (orphan rounds "
          "left out), exact. A failure holds back the session summary and the graphs.",
          "",
          "The night's totals are wrong (a bug): the session summary and the graphs were held back. Re-run the "
          "night after an update."),
)
BY_NAME = {c.name: c for c in CHECKS}
# a failed check whose failure makes published numbers wrong -> the messages it holds back
HOLDS = {"totals_add_up": ("session:summary", "session:graphs")}


def held_messages(checks: list[dict]) -> dict[str, str]:
    """Message key -> why it is held back (the failed check's detail)."""
    out: dict[str, str] = {}
    for c in checks:
        if c["status"] == FAIL:
            for key in HOLDS.get(c["check"], ()):
                out.setdefault(key, "%s: %s" % (c["check"], c["detail"]))
    return out


@dataclass
class CheckedRound:
    """One round as the checks see it."""
    doc: dict                           # the report's round
    stats: StatsFile | None = None      # its stats file as written
    r1_stats: StatsFile | None = None   # a paired round 2: its round 1's file
    vs: list[dict] = field(default_factory=list)

    @property
    def lines(self) -> list[PlayerLine]:
        return self.stats.players if self.stats else []


def player_key(p: dict) -> str:
    """A report player's key: the stats line's own (PlayerLine.key, the one rule)."""
    return PlayerLine(p["guid"], "", p["name"], 0, 0, {}).key


def _players(doc: dict) -> dict[str, dict]:
    return {player_key(p): p for p in doc.get("players") or []}


def _listed(items: list[str]) -> str:
    more = len(items) - _SHOWN
    return "; ".join(items[:_SHOWN]) + (" (+%d more)" % more if more > 0 else "")


def _partial(doc: dict) -> set[str]:
    """Names of the round's players who were not on a team for all of it (left, joined,
    reconnected, spectated): their lines miss what happened without them."""
    players = doc.get("players") or []
    longest = max((p["time_played_seconds"] for p in players), default=0)
    return {p["name"] for p in players if p["time_played_seconds"] < longest - PARTIAL_SECONDS
            or p["side"] not in SIDES and (p["kills"] or p["deaths"] or p["damage_given"])}


def _verdict(bad: list[str], explained: list[str], passed: str, why: str = "") -> tuple[str, str]:
    if bad:
        return FAIL, _listed(bad + explained)
    if explained:
        return WARN, _listed(explained) + (" (%s)" % why if why else "")
    return PASS, passed


# ---------------------------------------------------------------- per round

def _winner_line(award: dict, lines: list[PlayerLine]) -> PlayerLine | None:
    pool = [p for p in lines if award["guid"] and p.guid == award["guid"]]
    if len(pool) != 1:
        pool = [p for p in (pool or lines) if endstats_clean(p.name) == award["player"]]
    return pool[0] if len(pool) == 1 else None


def award_matches_stats(r: CheckedRound):
    awards = [a for a in r.doc.get("awards") or [] if a.get("value") is not None]
    if not awards or r.stats is None:
        return None
    players, partial = _players(r.doc), _partial(r.doc)
    bad, explained, checked = [], [], 0
    for a in awards:
        line = _winner_line(a, r.lines)
        got = expected(a["award"], line, r.lines) if line else None
        if got is None:
            continue
        (low, high), exact = got
        checked += 1
        if low - 1e-9 <= a["value"] <= high + 1e-9:
            continue
        text = "%s: award says %s for %s, the stats file %s" % (a["award"], a["value_text"], a["player"],
                                                                shown((low, high)))
        doc = players.get(line.key) or {}
        (bad if exact and doc.get("name") not in partial else explained).append(text)
    return _verdict(bad, explained,
                    "%d of %d awards checked against the stats file, all agree" % (checked, len(awards)),
                    "counted apart from the stats line, or the winner was not on a team for the whole round")


def timing_matches_stats(r: CheckedRound):
    doc, lua, t = r.doc, r.doc.get("lua"), r.doc.get("timing") or {}
    if lua is None or t.get("stats_seconds") is None or t.get("diff_seconds") is None or doc.get("aborted"):
        return None
    diff = t["diff_seconds"]
    text = "stats file %d s, Lua %d s (%+d s)" % (round(t["stats_seconds"]), round(t["lua_seconds"]), round(diff))
    if abs(diff) <= MINOR_DIFF_SECONDS:
        return PASS, text
    quirk = timing_quirk(diff, t.get("stats_source"), lua.get("end_reason"), lua.get("surrender_team"),
                         lua.get("pause_seconds"), lua.get("kind"), lua.get("version"))
    if quirk:
        return WARN, "%s: %s" % (text, quirk)
    if abs(diff) <= DISCREPANCY_SECONDS:
        return WARN, "%s: the timing script can start its clock up to 40 s early" % text
    return FAIL, text


def winner_matches_times(r: CheckedRound):
    if r.stats is None or r.doc.get("aborted"):
        return None
    h = r.stats.header
    w, d = h.winner, h.defender
    limit, clock = clock_seconds(h.time_limit), clock_seconds(h.next_time_limit)
    bad, explained = [], []
    if w in SIDES and d in SIDES and limit and clock is not None:
        if w == d and clock < limit:
            bad.append("the header says the defence (%s) held, but the round's time is %s of %s"
                       % (SIDES[d], h.next_time_limit, h.time_limit))
        elif w != d and clock >= limit:
            explained.append("the header says the attack (%s) won, and the round's time is its limit %s"
                             % (SIDES[w], h.time_limit))
    lua = r.doc.get("lua") or {}
    for what, mine, theirs in (("winner", w, lua.get("winner")), ("defender", d, lua.get("defender"))):
        if mine in SIDES and theirs in SIDES and mine != theirs:
            bad.append("the header says %s %s, the timing file %s" % (what, SIDES[mine], SIDES[theirs]))
    if not (w in SIDES and d in SIDES):
        return PASS, "no winner or defender in the header to compare"
    return _verdict(bad, explained, "winner %s, defender %s, time %s of %s%s" % (
        SIDES[w], SIDES[d], h.next_time_limit, h.time_limit, ", as the timing file says" if lua else ""))


def r2_not_below_r1(r: CheckedRound):
    if r.doc.get("round") != 2 or r.r1_stats is None or r.stats is None:
        return None
    before = {p.key: p for p in r.r1_stats.players}
    players = _players(r.doc)
    bad, n = [], 0
    for line in r.lines:
        doc, old = players.get(line.key), before.get(line.key)
        if doc is None or old is None or doc.get("r2_rule") != DIFFERENTIAL:
            continue
        n += 1
        for j, w1 in sorted(old.weapons.items()):
            w2 = line.weapons.get(j, (0,) * 5)
            bad += ["%s: %s %s %d in round 2, %d in round 1" % (line.name, WEAPONS[j], WEAPON_FIELDS[i], w2[i], w1[i])
                    for i in range(5) if w2[i] < w1[i]]
        bad += ["%s: %s %g in round 2, %g in round 1" % (line.name, TAB_FIELDS[i], line.tab[i], old.tab[i])
                for i in sorted(CUMULATIVE_TABS) if line.tab[i] < old.tab[i]]
    return _verdict(bad, [], "%d players differenced, every counter at least its round-1 value" % n)


def _sums(players: list[dict], key: str) -> dict[int, int]:
    return {s: sum(p[key] for p in players if p["side"] == s) for s in SIDES}


def kills_match_deaths(r: CheckedRound):
    players = r.doc.get("players") or []
    if not players:
        return None
    kills, deaths = _sums(players, "kills"), _sums(players, "deaths")
    given, received = _sums(players, "damage_given"), _sums(players, "damage_received")
    off = []
    for s in SIDES:
        o = 3 - s
        if kills[s] != deaths[o]:
            off.append("%s killed %d, the %s lines hold %d deaths" % (SIDES[s], kills[s], SIDES[o], deaths[o]))
        if given[s] != received[o]:
            off.append("%s dealt %d damage, the %s lines received %d" % (SIDES[s], given[s], SIDES[o], received[o]))
    partial = sorted(_partial(r.doc))
    passed = "Axis %d kills, %d damage; Allies %d kills, %d damage: the other side's lines agree" % (
        kills[1], given[1], kills[2], given[2])
    if off and partial:
        return _verdict([], off, passed, "not on a team for the whole round: %s" % ", ".join(partial))
    return _verdict(off, [], passed)


def vs_matches_stats(r: CheckedRound):
    if not r.vs or r.doc.get("orphan"):
        return None
    players = [p for p in r.doc.get("players") or [] if p["side"] in SIDES]
    partial = _partial(r.doc)
    subjects: dict[tuple, list[dict]] = {}
    for v in r.vs:
        subjects.setdefault((v["subject_guid"], v["subject_name"]), []).append(v)
    if all(name is None for _, name in subjects):
        total = sum(v["kills"] for v in r.vs)
        kills = sum(p["kills"] for p in players)
        if total == kills:
            return PASS, "the VS lines hold %d kills, as this round's numbers" % kills
        text = "the VS lines hold %d kills, this round's numbers %d" % (total, kills)
        return (WARN, text + " (not on a team for the whole round: %s)" % ", ".join(sorted(partial))) if partial \
            else (FAIL, text)
    bad, explained = [], []
    for (guid, name), rows in sorted(subjects.items(), key=lambda kv: (str(kv[0][1]), str(kv[0][0]))):
        pool = [p for p in players if guid and p["guid"] == guid]
        if len(pool) != 1:
            pool = [p for p in (pool or players) if endstats_clean(p["name"]) == name]
        if len(pool) != 1:
            continue
        p = pool[0]
        k, d = sum(v["kills"] for v in rows), sum(v["deaths"] for v in rows)
        if (k, d) == (p["kills"], p["deaths"]):
            continue
        text = "%s: VS lines %d kills / %d deaths, this round's numbers %d / %d" % (p["name"], k, d, p["kills"],
                                                                                  p["deaths"])
        opponents = {endstats_clean(v["opponent"]) for v in rows}
        involved = {p["name"]} | {q["name"] for q in players if q["side"] != p["side"]} | opponents
        (explained if involved & partial else bad).append(text)
    return _verdict(bad, explained, "%d players' VS lines agree with this round's kills and deaths" % len(subjects),
                    "a player of the block was not on a team for the whole round")


def lines_consistent(r: CheckedRound):
    if r.stats is None:
        return None
    bad, explained = [], []
    for line in r.lines:
        shots = line.weapon_totals()[1]
        if line.tab[20] != shots:
            bad.append("%s: bullets fired %d, the weapon block's shots %d" % (line.name, line.tab[20], shots))
    partial = _partial(r.doc)
    if not r.doc.get("orphan"):      # an orphan's line is cumulative, its revives are round 2 only
        for p in r.doc.get("players") or []:
            syringe = sum(w["hits"] for w in p.get("weapons") or [] if w["weapon"] == "WS_SYRINGE")
            if p["revives_given"] != syringe:
                text = "%s: %d revives given, the syringe %d hits" % (p["name"], p["revives_given"], syringe)
                (explained if p["name"] in partial else bad).append(text)
    return _verdict(bad, explained, "bullets and revives agree with the weapon block in all %d lines" % len(r.lines),
                    "reconnected during the round")


def time_fits_round(r: CheckedRound):
    seconds = r.doc.get("playtime_seconds")
    if seconds is None or r.doc.get("orphan") or r.doc.get("aborted") or r.stats is None:
        return None
    timed = {p.key for p in r.lines if p.tab[22] > 0}    # a line without time gets the round's
    over = ["%s: %d s on a team this round, the round lasted %d s" % (p["name"], p["time_played_seconds"], seconds)
            for k, p in sorted(_players(r.doc).items())
            if k in timed and p["time_played_seconds"] > seconds + PARTIAL_SECONDS]
    return _verdict(over, [], "every player's time fits in the round's %d s" % round(seconds))


ROUND_CHECKS: dict[str, Callable[[CheckedRound], tuple[str, str] | None]] = {
    "award_matches_stats": award_matches_stats, "timing_matches_stats": timing_matches_stats,
    "winner_matches_times": winner_matches_times, "r2_not_below_r1": r2_not_below_r1,
    "kills_match_deaths": kills_match_deaths, "vs_matches_stats": vs_matches_stats,
    "lines_consistent": lines_consistent, "time_fits_round": time_fits_round,
}

# ---------------------------------------------------------------- per session

TOTALS = ("kills", "deaths", "damage_given", "damage_received", "gibs", "time_played_seconds")


def totals_add_up(session: dict) -> tuple[str, str]:
    by_player: dict[str, dict[str, int]] = {}
    by_team: dict[str, dict[str, int]] = {}
    for rnd in session.get("rounds") or []:
        if rnd.get("orphan"):
            continue
        for p in rnd.get("players") or []:
            sums = by_player.setdefault(player_key(p), dict.fromkeys(TOTALS, 0))
            team = by_team.setdefault(p.get("team") or "-", dict.fromkeys(TOTALS, 0))
            for f in TOTALS:
                sums[f] += p[f]
                team[f] += p[f]
    bad = []
    published: dict[str, dict[str, int]] = {}
    for p in session.get("players") or []:
        key = player_key(p)
        team = published.setdefault(p.get("team") or "-", dict.fromkeys(TOTALS, 0))
        got = by_player.pop(key, None)
        for f in TOTALS:
            team[f] += p[f]
            if got is not None and got[f] != p[f]:
                bad.append("%s: %s %d for the night, %d over its rounds" % (p["name"], f, p[f], got[f]))
        if got is None:
            bad.append("%s: in the night's totals, in none of its rounds" % p["name"])
    bad += ["%s: in the rounds, missing from the night's totals" % k for k in sorted(by_player)]
    for team in sorted(set(by_team) | set(published)):
        for f in TOTALS:
            a, b = published.get(team, {}).get(f, 0), by_team.get(team, {}).get(f, 0)
            if a != b:
                bad.append("team %s: %s %d for the night, %d over its rounds" % (team, f, a, b))
    return _verdict(bad, [], "%d players' and the teams' totals equal the sum of their rounds"
                    % len(session.get("players") or []))


# ---------------------------------------------------------------- assembly

def _entry(name: str, status: str, round_file: str | None, detail: str) -> dict:
    check = BY_NAME[name]
    action = {WARN: check.on_warn, FAIL: check.on_fail}.get(status) or None
    return dict(check=name, status=status, round_file=round_file, detail=detail, action=action)


def session_checks(session: dict, stats: Mapping[str, StatsFile], vs: Mapping[str, list[dict]]) -> list[dict]:
    """The session's checks. `stats`: stats file name -> the file as parsed; `vs`: stats
    file name -> the VS rows (subject_guid, subject_name, opponent, kills, deaths) of
    the award file linked to that round."""
    rounds = session.get("rounds") or []
    r1_of = {m["r2_file"]: m["r1_file"] for m in session.get("maps") or [] if m.get("r2_file") and m.get("r1_file")}
    out = []
    for rnd in rounds:
        facts = CheckedRound(rnd, stats.get(rnd["file"]), stats.get(r1_of.get(rnd["file"])),
                             list(vs.get(rnd["file"], [])))
        for check in CHECKS:
            fn = ROUND_CHECKS.get(check.name)
            got = fn(facts) if fn else None
            if got is not None:
                out.append(_entry(check.name, got[0], rnd["file"], got[1]))
    status, detail = totals_add_up(session)
    out.append(_entry("totals_add_up", status, None, detail))
    return out
