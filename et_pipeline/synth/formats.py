"""Byte-exact writers for the three artefacts: gamestats (c0rnp0rn7/8), endstats and
the upstream gametime JSON (FORMATS.md sections 1, 3 and 4.4), as the Lua scripts
lay them out."""
import json

from et_pipeline.parsers.text import endstats_clean, strip_colours
from et_pipeline.synth import sim
from et_pipeline.synth.sim import Player, RoundPlay


def clock(seconds: float) -> str:
    """`M:SS`, seconds truncated, minutes not zero-padded (header fields 7 and 8)."""
    s = int(seconds)
    return "%d:%02d" % (s // 60, s % 60)


def header(server: str, map_name: str, config: str, round_no: int, defender: int, winner: int,
           time_limit_s: float, next_limit_s: float, playtime_ms: int | None) -> str:
    fields = [server, map_name, config, str(round_no), str(defender), str(winner), clock(time_limit_s),
              clock(next_limit_s)]
    if playtime_ms is not None:
        fields.append(str(playtime_ms))
    return "\\".join(fields)


def _f1(x: float) -> str:
    return "%.1f" % x


def tab_fields(p: Player, dead_inflation: float) -> list[str]:
    """The 38 extended fields: engine counters (cumulative in R2) and script counters
    (this round only), FORMATS 1.4."""
    e, s = p.engine, p.script
    kills, deaths = e.total(2), e.total(3)
    team_ms = e.team_ms
    alive_pct = 100.0 * e.alive_ms / team_ms if team_ms else 0.0
    meat = (e.damage_received / deaths) / 130 if deaths else (e.damage_received + 1) / 130
    meat = meat if e.damage_received > 1000 and meat > 3 else 0.0
    dead_ratio = 100.0 * s.dead_ms / team_ms if team_ms > 120000 else 0.0
    kd = kills / deaths if deaths else kills + 1
    return [
        str(e.damage_given), str(e.damage_received), str(e.team_damage_given), str(e.team_damage_received),
        str(e.gibs), str(e.self_kills), str(e.team_kills), str(e.team_gibs), _f1(alive_pct),
        str(s.xp), str(s.killing_spree), str(s.death_spree), str(s.kill_assists), str(s.kill_steals),
        str(s.headshot_kills), str(s.objectives_stolen), str(s.objectives_returned), str(s.dynamites_planted),
        str(s.dynamites_defused), str(s.times_revived), str(e.total(1)), "0.0", _f1(team_ms / 60000),
        _f1(meat), _f1(dead_ratio), _f1(s.dead_ms * dead_inflation / 60000), _f1(kd), str(s.useful_kills),
        str(s.denied_ms // 1000), *[str(n) for n in s.multikill], str(s.useless_kills), str(s.full_selfkills),
        str(s.repairs), str(s.revives_given),
    ]


def player_line(p: Player, dead_inflation: float) -> str | None:
    """`GUID8\\name\\rounds\\side\\mask groups... <TAB>38 fields`, or None when the player
    has no non-zero weapon counter (such players are not written)."""
    groups = {j: w for j, w in p.engine.weapons.items() if any(w[:4])}
    if not groups:
        return None
    mask = sum(1 << j for j in groups)
    numbers = " ".join("%d %d %d %d %d" % tuple(groups[j]) for j in sorted(groups))
    return "%s\\%s\\%d\\%d\\%d %s \t%s" % (p.person.guid8, p.person.name, p.rounds, p.side, mask, numbers,
                                         "\t".join(tab_fields(p, dead_inflation)))


def stats_file(head: str, lines: list[str]) -> bytes:
    return ("\n".join([head] + lines) + "\n").encode("utf-8")


# --------------------------------------------------------------------------- endstats

def lua_number(x: float) -> str:
    """Lua 5.4 number-to-text: 14 significant digits, integral floats keep `.0`."""
    text = "%.14g" % x
    return text if any(c in text for c in ".en") else text + ".0"


def _best(players: list[Player], value) -> tuple[Player, float] | None:
    """Strict maximum, lowest client slot wins a tie; only values > 1 are written."""
    best = None
    for p in sorted(players, key=lambda p: p.slot):
        v = value(p)
        if v is not None and (best is None or v > best[1]):
            best = (p, v)
    return best if best and best[1] > 1 else None


def _lowest(players: list[Player], value) -> tuple[Player, float] | None:
    best = None
    for p in sorted(players, key=lambda p: p.slot):
        v = value(p)
        if v is not None and (best is None or v < best[1]):
            best = (p, v)
    return best


def endstats_file(players: list[Player], play: RoundPlay, time_limit_s: float, vs_header: bool) -> bytes | None:
    on_team = [p for p in players if p.side in (1, 2)]
    out: list[str] = []

    def award(name: str, pv, text=None):
        if pv is not None:
            p, v = pv
            out.append("%s\t%s\t%s" % (name, endstats_clean(p.person.name), text(v) if text else "%d" % v))

    def wk(p: Player, ids) -> int:
        return sum(n for j, n in p.script.weapon_kills.items() if j in ids)

    def wd(p: Player, ids) -> int:
        return sum(n for j, n in p.script.weapon_deaths.items() if j in ids)

    def light(p: Player, idx: int) -> int:
        return sum(w[idx] for j, w in p.engine.weapons.items() if j in sim.LIGHT_WEAPONS)

    award("Most damage given", _best(on_team, lambda p: p.engine.damage_given))
    award("Most damage received", _best(on_team, lambda p: p.engine.damage_received))
    award("Most team damage given", _best(on_team, lambda p: p.engine.team_damage_given))
    award("Most team damage received", _best(on_team, lambda p: p.engine.team_damage_received))
    award("Most teamkills", _best(on_team, lambda p: p.engine.team_kills))
    award("Most selfkills", _best(on_team, lambda p: p.engine.self_kills))
    award("Most deaths", _best(on_team, lambda p: p.engine.total(3)))
    award("Most kills per minute", _best(on_team, lambda p: p.engine.total(2) / (p.engine.team_ms / 60000)
                                         if p.engine.total(2) > 10 and p.engine.team_ms else None),
          lambda v: "%.2f" % v)
    award("Most light weapon kills", _best(on_team, lambda p: wk(p, sim.LIGHT_WEAPONS)))
    award("Most pistol kills", _best(on_team, lambda p: wk(p, sim.PISTOLS)))
    award("Most rifle kills", _best(on_team, lambda p: wk(p, sim.RIFLES)))
    award("Most riflenade kills", _best(on_team, lambda p: wk(p, {sim.RIFLENADE})))
    award("Most sniper kills", _best(on_team, lambda p: wk(p, sim.SNIPERS)))
    award("Most knife kills", _best(on_team, lambda p: wk(p, sim.KNIVES)))
    award("Most air support kills", _best(on_team, lambda p: wk(p, sim.AIR)))
    award("Most mine kills", _best(on_team, lambda p: wk(p, {sim.LANDMINE})))
    award("Most grenade kills", _best(on_team, lambda p: wk(p, {sim.GRENADE})))
    award("Most panzer kills", _best(on_team, lambda p: wk(p, sim.PANZERS)))
    award("Most mortar kills", _best(on_team, lambda p: wk(p, sim.MORTARS)))
    award("Most panzer deaths", _best(on_team, lambda p: wd(p, sim.PANZERS)))
    award("Mortarmagnet", _best(on_team, lambda p: wd(p, sim.MORTARS)))
    award("Most MG42 kills", _best(on_team, lambda p: wk(p, sim.MGS)))
    award("Most MG42 deaths", _best(on_team, lambda p: wd(p, sim.MGS)))
    award("Most revives", _best(on_team, lambda p: p.script.revives_given))
    award("Most revived", _best(on_team, lambda p: p.script.times_revived))
    award("Best K/D ratio", _best(on_team, lambda p: (p.engine.total(2) / p.engine.total(3) if p.engine.total(3)
                                                       else p.engine.total(2) + 1) if p.engine.total(2) > 9 else None),
          lua_number)
    award("Most dynamites planted", _best(on_team, lambda p: p.script.dynamites_planted))
    award("Most dynamites defused", _best(on_team, lambda p: p.script.dynamites_defused))
    spree = _best(on_team, lambda p: p.script.killing_spree)
    award("Longest killing spree", spree)
    award("Longest death spree", _best(on_team, lambda p: p.script.death_spree))
    award("Most objectives stolen", _best(on_team, lambda p: p.script.objectives_stolen))
    award("Most objectives returned", _best(on_team, lambda p: p.script.objectives_returned))
    award("Most corpse gibs", _best(on_team, lambda p: p.engine.gibs))
    award("Most kill assists", _best(on_team, lambda p: p.script.kill_assists))
    award("Most killsteals", _best(on_team, lambda p: p.script.kill_steals))
    award("Most headshot kills", _best(on_team, lambda p: p.script.headshot_kills))
    useful = _best(on_team, lambda p: p.script.useful_kills)
    if useful is not None and spree is not None:       # script bug #40: the spree line again
        award("Longest killing spree", spree)
    useless = _best(on_team, lambda p: p.script.useless_kills)
    if useless is not None and useless[1] > 3:          # script bug #41: useless kills, wrong label
        award("Most objectives stolen", useless)
    eligible = [p for p in on_team if p.engine.team_ms > 600000 or p.engine.team_ms >= time_limit_s * 1000]

    def dead_share(p: Player):
        return 100.0 * p.script.dead_ms / p.engine.team_ms if p.engine.team_ms else None

    king = _best(eligible, dead_share)
    if king:
        award("Full respawn king", king, lambda v: "%.2f percent, %.2f min" % (v, king[0].script.dead_ms / 60000))
    least = _lowest(eligible, dead_share)
    if least:
        out.append("Least time dead (What spawn?)\t%s\t%.2f percent, %.2f min"
                   % (endstats_clean(least[0].person.name), least[1], least[0].script.dead_ms / 60000))
    award("Most playtime denied", _best(on_team, lambda p: p.script.denied_ms // 1000), lambda v: "%d seconds" % v)
    award("Highest light weapons accuracy",
          _best(on_team, lambda p: 100.0 * light(p, 0) / light(p, 1) if light(p, 1) > 100 else None),
          lambda v: "%.2f percent" % v)
    award("Highest headshot accuracy",
          _best(on_team, lambda p: 100.0 * light(p, 4) / light(p, 0) if light(p, 0) > 10 and light(p, 1) > 100
                else None), lambda v: "%.2f percent" % v)
    award("Most headshots", _best(on_team, lambda p: light(p, 4)))
    award("Most bullets fired", _best(on_team, lambda p: light(p, 1)))
    # VS blocks, slot order; rows by kills descending
    by_slot = {p.slot: p for p in on_team}
    for p in sorted(on_team, key=lambda p: p.slot):
        rows = []
        for q in on_team:
            if q.side == p.side:
                continue
            k, d = play.vs.get((p.slot, q.slot), 0), play.vs.get((q.slot, p.slot), 0)
            if k or d:
                rows.append((-k, q.slot, "%s\t%d\t%d" % (endstats_clean(by_slot[q.slot].person.name), k, d)))
        if rows:
            if vs_header:
                out.append("VS_HEADER\t%s\t%s" % (endstats_clean(p.person.name), p.person.guid.upper()))
            out += [r[2] for r in sorted(rows)]
    if not out:
        return None
    return ("\n".join(out) + "\n").encode("ascii", errors="ignore")


# --------------------------------------------------------------------------- gametime JSON

def timelimit_text(seconds: float, integer_only: bool) -> str | None:
    """`Lua_Timelimit`: integer minutes when within 0.001, else up to 3 decimals. Before
    v1.6.1 a fractional value crashed the script (None: nothing written)."""
    minutes = seconds / 60
    if abs(minutes - round(minutes)) < 0.001:
        return "%d min" % round(minutes)
    if integer_only:
        return None
    return "%s min" % ("%.3f" % minutes).rstrip("0").rstrip(".")


def gametime_file(*, map_name: str, round_no: int, winner: int, defender: int, playtime: int, limit_text: str,
                  pauses: list[tuple[int, int]], end_reason: str, round_start: int, round_end: int,
                  surrender_team: int, surrender_caller: Player | None, players: list[Player],
                  version: str) -> bytes:
    """`{"meta": {...}, "payload": <webhook body>}`: compact meta, pretty payload, no
    trailing newline, as the v1.6.0 / v1.7.2 scripts write it."""
    on_team = [p for p in players if p.side in (1, 2)]
    spawn = []
    for p in on_team:
        s = p.script
        deaths = sum(s.weapon_deaths.values())
        dead_s = s.dead_ms // 1000
        spawn.append({"guid": p.person.guid, "name": strip_colours(p.person.name), "spawns": s.spawns,
                      "deaths": deaths, "dead_seconds": dead_s, "avg_respawn": dead_s // deaths if deaths else 0,
                      "max_respawn": s.max_respawn})
    pause_total = sum(d for _, d in pauses)
    meta = {"map": map_name, "round": round_no, "round_start_unix": round_start, "round_end_unix": round_end,
            "actual_duration_seconds": playtime, "warmup_seconds": 0, "pause_seconds": pause_total,
            "pause_count": len(pauses), "server_ip": "0.0.0.0", "server_port": "27960",
            "match_id": str(round_end), "spawn_stats": spawn}

    def roster(side: int) -> str:
        return json.dumps([{"guid": p.person.guid, "name": strip_colours(p.person.name)}
                           for p in on_team if p.side == side], separators=(",", ":"), ensure_ascii=False)

    spawns = sum(x["spawns"] for x in spawn)
    avg = sum(x["avg_respawn"] for x in spawn) // len(spawn) if spawn else 0
    fields = [
        ("Map", map_name, True), ("Round", str(round_no), True), ("Winner", str(winner), True),
        ("Defender", str(defender), True), ("Lua_Playtime", "%d sec" % playtime, True),
        ("Lua_Timelimit", limit_text, True), ("Lua_Pauses", "%d (%d sec)" % (len(pauses), pause_total), True),
        ("Lua_EndReason", end_reason, True), ("Lua_Warmup", "0 sec", True),
        ("Lua_WarmupStart", "0" if version == "1.6.0" else str(round_start), True),
        ("Lua_RoundStart", str(round_start), True), ("Lua_RoundEnd", str(round_end), True),
        ("Lua_SurrenderTeam", str(surrender_team), True),
        ("Lua_SurrenderCaller", surrender_caller.person.guid if surrender_caller else "", True),
        ("Lua_SurrenderCallerName", strip_colours(surrender_caller.person.name) if surrender_caller else "", True),
        ("Lua_AxisScore", "1" if winner == 1 else "0", True), ("Lua_AlliesScore", "1" if winner == 2 else "0", True),
        ("Axis_JSON", roster(1), False), ("Allies_JSON", roster(2), False),
        ("Lua_Pauses_JSON", json.dumps([{"n": i + 1, "start": s, "end": s + d, "sec": d}
                                        for i, (s, d) in enumerate(pauses)], separators=(",", ":")), False),
        ("Lua_SpawnSummary", "Players:%d | Spawns:%d | AvgRespawn:%ds | MaxRespawn:%ds"
         % (len(spawn), spawns, avg, max((x["max_respawn"] for x in spawn), default=0)), False),
    ]
    dump = lambda v: json.dumps(v, ensure_ascii=False)  # noqa: E731
    field_lines = ",\n".join('                {"name": %s, "value": %s, "inline": %s}'
                             % (dump(n), dump(v), "true" if inline else "false") for n, v, inline in fields)
    payload = (
        "{\n"
        '        "username": "ET:Legacy Stats",\n'
        '        "content": "STATS_READY",\n'
        '        "embeds": [{\n'
        '            "title": %s,\n'
        '            "description": "Timing: Playtime (no pauses) \u00b7 Warmup \u00b7 Wall-clock",\n'
        '            "color": 3447003,\n'
        '            "fields": [\n%s\n'
        "            ],\n"
        '            "footer": {"text": "Slomix Lua Webhook v%s"}\n'
        "        }]\n"
        "    }"
    ) % (dump("Round Complete: %s R%d" % (map_name, round_no)), field_lines, version)
    text = '{"meta":%s,"payload":%s}' % (json.dumps(meta, separators=(",", ":"), ensure_ascii=False), payload)
    return text.encode("utf-8")
