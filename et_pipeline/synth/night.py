"""One night of stopwatch play: roster, map list, edge cases, the timeline in Unix
time, the files the server would write, and the truth about what happened.

Stopwatch (FORMATS 6.4, DOMAIN 5): R1 attackers (group X) set a time or are held; R2
is played with the teams swapped and R1's time as the limit; the R2 attackers (group
Y) win the map if they complete, otherwise X wins when they had set a time, and a
double full hold is a draw. Headers carry the defending side (constant per map), the
round winner side, the limit and `g_nextTimeLimit` exactly as the engine sets them.
"""
import datetime as dt
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from et_pipeline.synth import formats, life, outcome, presence
from et_pipeline.synth.pool import CLASSES, MAPS, MapInfo, Person, omnibot
from et_pipeline.synth.sim import Engine, Kit, Player, simulate_round

TZ = ZoneInfo("Europe/Ljubljana")

EDGE_CASES = ("orphan_r2", "r1_only", "surrender", "past_midnight", "reconnect_r2", "late_joiner_r2", "omnibot",
              "map_twice", "double_fullhold", "missing_r2_gametime")
# the ones that happen to one map play (each gets its own map)
MAP_EDGES = ("orphan_r2", "r1_only", "surrender", "reconnect_r2", "late_joiner_r2", "omnibot", "double_fullhold")
DEFAULT_EDGE_RATE = 0.12

C8_FROM = dt.date(2026, 2, 21)          # c0rnp0rn8 (9 header fields) deployed
C8_FIXED_FROM = dt.date(2026, 6, 1)     # later c0rnp0rn8: pauses subtracted, dead time fixed (by 2026-08-11)
VS_HEADER_FROM = dt.date(2026, 3, 1)    # endstats VS_HEADER version (~March 2026)
V160 = (dt.date(2026, 2, 7), dt.date(2026, 2, 17))


@dataclass
class OutFile:
    folder: str
    name: str
    data: bytes
    mtime: float


@dataclass
class NightResult:
    files: list[OutFile] = field(default_factory=list)
    truth: dict = field(default_factory=dict)


def local_stamp(unix: float) -> str:
    return dt.datetime.fromtimestamp(int(unix), TZ).strftime("%Y-%m-%d-%H%M%S")


def local_iso(unix: float) -> str:
    return dt.datetime.fromtimestamp(int(unix), TZ).replace(tzinfo=None).isoformat()


def calendar(seed: int, nights: int, start_date: str) -> list[dt.date]:
    """Night dates: mostly consecutive days, sometimes every 2-3 days. Prefix-stable."""
    rng = random.Random("%s:calendar" % seed)
    day = dt.date.fromisoformat(start_date)
    out = []
    for _ in range(nights):
        out.append(day)
        day += dt.timedelta(days=rng.choice((1, 1, 1, 2, 3)))
    return out


def _edge_rates(edge_rate) -> dict[str, float]:
    names = EDGE_CASES + presence.PRESENCE_CASES
    if edge_rate is None:
        return {e: DEFAULT_EDGE_RATE for e in names}
    if isinstance(edge_rate, (int, float)):
        return {e: float(edge_rate) for e in names}
    return {e: float(edge_rate.get(e, DEFAULT_EDGE_RATE)) for e in names}


def _variant(rng: random.Random, day: dt.date, mix: bool, edges: set[str]) -> dict:
    if mix:
        c8 = rng.random() < 0.5
        v = dict(stats="c0rnp0rn8" if c8 else "c0rnp0rn7", vs_header=rng.random() < 0.5,
                 webhook=rng.choice(("1.6.2", "1.7.2", "1.7.2")), c8_fixed=c8 and rng.random() < 0.5)
    else:
        c8 = day >= C8_FROM
        webhook = "1.6.0" if V160[0] <= day <= V160[1] else "1.6.2" if day < dt.date(2026, 3, 24) else "1.7.2"
        v = dict(stats="c0rnp0rn8" if c8 else "c0rnp0rn7", vs_header=day >= VS_HEADER_FROM, webhook=webhook,
                 c8_fixed=day >= C8_FIXED_FROM)
        if webhook == "1.6.0":
            edges.add("missing_r2_gametime")
    if "missing_r2_gametime" in edges:
        v["webhook"] = "1.6.0"
    return v


@dataclass
class Outcome:
    kind: str             # objective | hold | surrender_att | surrender_def
    duration: int         # game-clock seconds played

    @property
    def attackers_won(self) -> bool:
        return self.kind in ("objective", "surrender_def")

    @property
    def end_reason(self) -> str:
        return "surrender" if self.kind.startswith("surrender") else "objective"


def _edge(players: list[Player], attack_side: int) -> float:
    """The attackers' advantage (synth.outcome.advantage): each player by his presence."""
    side = lambda s: [(p.person.stopwatch_skill, p.presence) for p in players if p.side == s and p.presence > 0]
    return outcome.advantage(side(attack_side), side(3 - attack_side))


def _outcome(rng: random.Random, limit: int, natural: int, force: str | None) -> Outcome:
    """One round against a limit of `limit` seconds (R1: the map's; R2: R1's time): the
    attackers complete in their `natural` time (synth.outcome.attack_time) if it beats
    the limit, else the defenders hold. `force`: a surrender or a forced hold."""
    kind = force or ("objective" if natural <= limit - outcome.MARGIN and limit >= 75 else "hold")
    if kind == "objective":
        return Outcome(kind, natural)
    if kind == "hold":
        return Outcome(kind, limit)
    return Outcome(kind, rng.randint(max(30, int(limit * 0.25)), max(31, int(limit * 0.8))))


def make_night(seed: int, index: int, day: dt.date, people: list[Person], server: str, mix: bool,
               edge_rate=None) -> NightResult:
    rng = random.Random("%s:night:%d" % (seed, index))
    rates = _edge_rates(edge_rate)
    edges = {e for e in EDGE_CASES if rng.random() < rates[e]}
    variant = _variant(rng, day, mix, edges)
    inflated_dead = variant["stats"] == "c0rnp0rn7" or not variant["c8_fixed"]
    size = rng.choices((3, 4, 5, 6), weights=(45, 20, 15, 20))[0]
    config = "legacy%d" % size

    # roster: 2n regulars-weighted players (one fewer on an odd night), split in two groups; the rest can join late
    life_rng = life.night_stream(seed, index)
    odd = life.odd_night(life_rng)
    size = min(size, len(people) // 2)
    pool = list(people)
    chosen: list[Person] = []
    while len(chosen) < 2 * size - odd:
        p = rng.choices(pool, weights=[q.regularity for q in pool])[0]
        pool.remove(p)
        chosen.append(p)
    rng.shuffle(chosen)
    members = {"A": chosen[:size], "B": chosen[size:]}
    spares = [p for p in pool if p.regularity > 0]
    kits: dict[str, Kit] = {}

    def kit_for(person: Person) -> Kit:
        if person.guid not in kits or rng.random() < 0.1:
            cls = person.classes[0] if rng.random() < 0.6 else rng.choice(CLASSES)
            kits[person.guid] = Kit.draw(rng, person, cls)
        return kits[person.guid]

    # maps, a repeat, and which map gets which edge case
    n_maps = rng.randint(4, 7)
    if "past_midnight" in edges:
        n_maps = max(n_maps, 6)
    maps: list[MapInfo] = rng.sample(MAPS, n_maps)
    twice = None
    if "map_twice" in edges:
        k = rng.randrange(n_maps)
        at = k + 1 if rng.random() < 0.4 else rng.randint(k + 1, n_maps)
        maps.insert(at, maps[k])
        twice = maps[k].name
    map_edges: dict[int, str] = {}
    wanted = [e for e in MAP_EDGES if e in edges]
    slots = list(range(len(maps)))
    rng.shuffle(slots)
    def ambiguous(i: int, e: str) -> bool:
        """An abandoned R1 right before a replay of the same map whose R1 file is lost
        looks exactly like a normal R1 + R2: nobody could tell, so never generate it."""
        pair = {"orphan_r2": ("r1_only", -1), "r1_only": ("orphan_r2", 1)}.get(e)
        if pair is None:
            return False
        other, step = pair
        j = i + step
        return 0 <= j < len(maps) and maps[j].name == maps[i].name and map_edges.get(j) == other

    for e in wanted:
        for i in slots:
            if i in map_edges or ambiguous(i, e):
                continue
            map_edges[i] = e
            break
    edges = (edges - set(MAP_EDGES)) | set(map_edges.values())
    prng = presence.presence_rng(seed, index)
    comings = presence.assign_cases(prng, len(maps), map_edges, rates)
    edges |= set(comings.values())
    arrival = life.late_arrival_map(life_rng, odd, len(maps))

    # the timeline (Unix seconds; names are derived from local time)
    if "past_midnight" in edges:
        start_local = dt.datetime.combine(day, dt.time(22, 35)) + dt.timedelta(minutes=rng.randint(0, 40))
    else:
        start_local = dt.datetime.combine(day, dt.time(20, 15)) + dt.timedelta(minutes=rng.randint(0, 85))
    t = start_local.replace(tzinfo=TZ).timestamp() + rng.uniform(0, 59)

    result = NightResult()
    truth_maps, truth_rounds = [], []
    a_side = 1          # group A on Axis in the night's first R1 (its definition)
    left: set[str] = set()
    mi = -1
    while True:
        mi += 1
        if mi == len(maps):
            # past midnight: keep playing until a round starts on the next date
            if "past_midnight" in edges and dt.datetime.fromtimestamp(t, TZ).date() <= day:
                maps.append(rng.choice([x for x in MAPS if x.name != maps[-1].name]))
            else:
                break
        m = maps[mi]
        edge = map_edges.get(mi)
        if mi == arrival and spares:
            life.late_arrival(life_rng, members, spares)
        limit = m.limit_min * 60
        attack_side = 3 - m.defender
        # who plays this map
        present = {g: [p for p in members[g] if p.guid not in left] for g in "AB"}
        bot_for = None
        if edge == "omnibot":
            g = rng.choice("AB")
            bot_for = rng.choice(present[g])
            present[g] = [p if p is not bot_for else omnibot(0) for p in present[g]]
        order = [(g, p) for g in "AB" for p in present[g]]
        rng.shuffle(order)
        players = [Player(person=p, group=g, kit=kit_for(p), slot=s) for s, (g, p) in enumerate(order)]
        for pl in players:
            pl.side = a_side if pl.group == "A" else 3 - a_side
        x_group = "A" if a_side == attack_side else "B"
        y_group = "B" if x_group == "A" else "A"
        surrender = None
        if edge == "surrender":
            surrender = (rng.choice((1, 2)), "surrender_att" if rng.random() < 0.7 else "surrender_def")
        # ---- round 1: who is there for which part of it (as fractions of the round: each
        # player's presence weighs him in the attack time), then the time, then the seconds
        for pl in players:
            pl.engine, pl.rounds, pl.intervals, pl.reset_at = Engine(), 0, [(0.0, 1.0)], None
        came_went = presence.in_round1(prng, comings.get(mi), players, 1.0)
        sub = life.substitute(life_rng, edge) if spares and mi not in comings else None
        swap = life.bring_in(life_rng, sub, players, spares, kit_for) if sub and sub.round == 1 else None
        life.presence_from_intervals(players)
        t1 = outcome.attack_time(rng, limit, _edge(players, attack_side))
        force1 = "hold" if edge == "double_fullhold" else (surrender[1] if surrender and surrender[0] == 1 else None)
        o1 = _outcome(rng, limit, t1, force1)
        time_set = o1.duration if o1.attackers_won else limit
        life.stretch(players, o1.duration)
        play1 = simulate_round(rng, players, o1.duration, attack_side, o1.attackers_won, m.steal)
        r1 = _round_files(rng, result, variant, server, config, m, 1, o1, limit, time_set, t, players, play1,
                          inflated_dead, drop_stats=edge == "orphan_r2")
        r1_snap = {pl.slot: pl.engine.copy() for pl in players}
        r1_truth = _round_truth(r1, m, 1, attack_side, o1, players, {}, x_group, y_group, orphan=False)
        truth_rounds.append(r1_truth)
        if swap:
            players = swap.settle(players, members, left)
        t = r1["wall_end"]
        if edge == "r1_only":
            truth_maps.append(_map_truth(mi, m, r1, None, x_group, None, None, players, [], edge, twice,
                                         came_went=came_went))
            t += rng.uniform(90, 240)
            a_side = a_side if rng.random() < 0.6 else 3 - a_side
            continue
        # ---- round 2: sides swap, the engine counters carry over, the scripts restart
        t += rng.uniform(75, 200)
        r2_limit = time_set
        r2_players = []
        joined = reconnected = None
        if edge == "late_joiner_r2" and spares:
            g = rng.choice("AB")
            leaver = rng.choice([pl for pl in players if pl.group == g and not pl.person.is_bot])
            joiner = rng.choice(spares)
            spares.remove(joiner)
            left.add(leaver.person.guid)
            members[g] = [p for p in members[g] if p is not leaver.person] + [joiner]
            joined = Player(person=joiner, group=g, kit=kit_for(joiner), slot=len(players))
            players = [pl for pl in players if pl is not leaver]
        for pl in presence.round2_players(came_went, players):
            pl.side = 3 - pl.side
            pl.rounds = 1
            pl.intervals, pl.reset_at = [(0.0, 1.0)], None
            r2_players.append(pl)
        if came_went is not None and came_went.leaves:
            left.add(came_went.player.person.guid)
        if joined is not None:
            joined.side = next(pl.side for pl in players if pl.group == joined.group)
            joined.intervals, joined.rounds = [(rng.uniform(0.1, 0.5), 1.0)], 0
            r2_players.append(joined)
        special = presence.in_round2(prng, came_went, 1.0)
        swap2 = life.bring_in(life_rng, sub, r2_players, spares, kit_for) if sub and sub.round == 2 else None
        life.presence_from_intervals(r2_players)
        t2 = outcome.attack_time(rng, limit, _edge(r2_players, attack_side))
        force2 = "hold" if edge == "double_fullhold" else (surrender[1] if surrender and surrender[0] == 2 else None)
        o2 = _outcome(rng, r2_limit, t2, force2)
        d2 = float(o2.duration)
        life.stretch(r2_players, d2)
        if edge == "reconnect_r2":
            candidates = [pl for pl in r2_players if pl is not joined and not pl.person.is_bot]
            reconnected = rng.choice(candidates)
            td = rng.uniform(0.2, 0.5) * d2
            tr = min(td + rng.uniform(15, 80), d2 * 0.85)
            reconnected.intervals = [(0.0, td), (tr, d2)]
            reconnected.reset_at = tr
        play2 = simulate_round(rng, r2_players, o2.duration, attack_side, o2.attackers_won, m.steal)
        r2 = _round_files(rng, result, variant, server, config, m, 2, o2, r2_limit,
                          o2.duration if o2.attackers_won else r2_limit, t, r2_players, play2, inflated_dead,
                          drop_stats=False)
        if joined is not None:
            special[joined.slot] = "raw_joined"
        if swap2:
            special[swap2.joiner.slot] = "raw_joined"
        if reconnected is not None:
            special[reconnected.slot] = "raw_reconnect"
        r2_truth = _round_truth(r2, m, 2, attack_side, o2, r2_players, special, y_group, x_group,
                                orphan=edge == "orphan_r2", r1_snap=r1_snap)
        truth_rounds.append(r2_truth)
        if o2.attackers_won:
            winner, how = y_group, "r2_attackers_beat_time"
        elif o1.attackers_won:
            winner, how = x_group, "r2_defenders_held"
        else:
            winner, how = "tie", "double_full_hold"
        everyone = players + [x for x in (joined, swap and swap.leaver, swap2 and swap2.joiner) if x]
        truth_maps.append(_map_truth(mi, m, r1, r2, x_group, winner, how, everyone, [o1, o2], edge, twice,
                                     bot_for=bot_for, joined=joined, reconnected=reconnected,
                                     came_went=came_went))
        truth_maps[-1]["substitute"] = (swap or swap2).truth() if (swap or swap2) else None
        if swap2:
            swap2.settle(r2_players, members, left)
        t = r2["wall_end"] + rng.uniform(100, 330)
        if rng.random() < 0.12:
            t += rng.uniform(300, 1200)   # a smoke break, still well inside the 60-minute session gap
        # ABBA: keep the R2 sides into the next map's R1 most of the time
        a_side = (3 - a_side) if rng.random() < 0.6 else a_side

    stats_times = sorted(r["stats_unix"] for r in truth_rounds if r["file"] is not None)
    groups = {g: sorted({p for tm in truth_maps for p in tm["groups"][g]}) for g in "AB"}
    truth = dict(
        night=index, date=local_iso(stats_times[0])[:10], start=local_iso(stats_times[0]),
        end=local_iso(stats_times[-1]),
        crosses_midnight=local_iso(stats_times[0])[:10] != local_iso(stats_times[-1])[:10],
        team_size=size, config=config, server=server, variant=variant, edge_cases=sorted(edges),
        groups=groups, players={p.guid8: dict(guid=p.guid, name=p.name, clean_name=p.clean_name)
                                for p in people if p.guid8 in groups["A"] + groups["B"]},
        maps=truth_maps, rounds=[{k: v for k, v in r.items() if k != "stats_unix"} for r in truth_rounds])
    result.truth = truth
    return result


def _round_files(rng: random.Random, result: NightResult, variant: dict, server: str, config: str, m: MapInfo,
                 round_no: int, o: Outcome, limit: int, next_limit: int, start: float, players: list[Player],
                 play, inflated_dead: bool, drop_stats: bool) -> dict:
    """Write one round's stats, endstats and gametime files; return their names and times."""
    pauses = []
    if variant["webhook"] == "1.7.2" and rng.random() < 0.12:
        at = int(start + rng.uniform(0.1, 0.8) * o.duration)
        pauses.append((at, rng.randint(15, 120)))
    pause_total = sum(d for _, d in pauses)
    wall_end = start + o.duration + pause_total + rng.uniform(0, 0.9)
    round_end = int(wall_end)
    stats_unix = int(wall_end + 3 + rng.uniform(0, 0.3))
    end_unix = stats_unix - rng.randint(0, 2)
    defender = m.defender
    winner = (3 - defender) if o.attackers_won else defender
    playtime_ms = None
    if variant["stats"] == "c0rnp0rn8":
        playtime_ms = o.duration * 1000 - rng.randint(150, 350) + (0 if variant["c8_fixed"] else pause_total * 1000)
    head = formats.header(server, m.name, config, round_no, defender, winner, limit, next_limit, playtime_ms)
    lines = [ln for ln in (formats.player_line(p, rng.uniform(1.0, 2.5) if inflated_dead else 1.0)
                           for p in players) if ln is not None]
    rng.shuffle(lines)
    stamp = local_stamp(stats_unix)
    stats_name = "%s-%s-round-%d.txt" % (stamp, m.name, round_no)
    if not drop_stats:
        result.files.append(OutFile("gamestats", stats_name, formats.stats_file(head, lines), stats_unix + 0.25))
    end_name = None
    at_end = presence.present_at_end(players, o.duration)
    if rng.random() > 0.03:
        data = formats.endstats_file(at_end, play, limit, variant["vs_header"])
        if data is not None:
            end_name = "%s-%s-round-%d-endstats.txt" % (local_stamp(end_unix), m.name, round_no)
            result.files.append(OutFile("gamestats", end_name, data, end_unix + 0.5))
    game_name = None
    limit_text = formats.timelimit_text(limit, integer_only=variant["webhook"] == "1.6.0")
    if limit_text is not None:
        surrender_team, caller = 0, None
        if o.kind.startswith("surrender"):
            surrender_team = (3 - defender) if o.kind == "surrender_att" else defender
            side_players = [p for p in at_end if p.side == surrender_team]
            caller = rng.choice(side_players) if side_players else None
        end_reason = o.end_reason
        if end_reason != "surrender" and o.duration >= 0.9 * limit:
            end_reason = "time_expired"
        data = formats.gametime_file(
            map_name=m.name, round_no=round_no, winner=winner, defender=defender, playtime=o.duration,
            limit_text=limit_text, pauses=pauses, end_reason=end_reason,
            round_start=round_end - o.duration - pause_total, round_end=round_end, surrender_team=surrender_team,
            surrender_caller=caller, players=at_end, version=variant["webhook"])
        game_name = "gametime-%s-R%d-%d.json" % (m.name, round_no, round_end)
        result.files.append(OutFile("gametimes", game_name, data, round_end + 0.1))
    return dict(file=None if drop_stats else stats_name, stats_name=stats_name, endstats=end_name, gametime=game_name,
                stats_unix=stats_unix, round_end=round_end, wall_end=wall_end, winner=winner, defender=defender,
                limit=limit, next_limit=next_limit, pauses=pause_total, header=head)


_STAT = ("kills", "deaths", "damage_given", "damage_received", "gibs", "self_kills", "team_kills")


def _engine_stats(e: Engine) -> dict:
    return dict(kills=e.total(2), deaths=e.total(3), damage_given=e.damage_given, damage_received=e.damage_received,
                gibs=e.gibs, self_kills=e.self_kills, team_kills=e.team_kills)


def _round_truth(r: dict, m: MapInfo, round_no: int, attack_side: int, o: Outcome, players: list[Player],
                 special: dict, attacking_group: str, defending_group: str, orphan: bool,
                 r1_snap: dict | None = None) -> dict:
    out = {}
    for p in players:
        now = _engine_stats(p.engine)
        how = special.get(p.slot)
        if round_no == 1:
            values, how = now, "file"
        elif how is None and r1_snap is not None and p.slot in r1_snap:
            before = _engine_stats(r1_snap[p.slot])
            values, how = {k: now[k] - before[k] for k in _STAT}, "delta"
        else:
            values, how = now, how or "raw_joined"
        cumulative = now if round_no == 2 else None
        rule = None if round_no == 1 or orphan else "differential" if how == "delta" else "raw_r2"
        out[p.person.guid8] = dict(name=p.person.clean_name, group=p.group, side=p.side, is_bot=p.person.is_bot,
                                   rounds=p.rounds, values_from=how, r2_rule=rule, this_round=values,
                                   file_values=cumulative or now,
                                   in_file=any(any(w[:4]) for w in p.engine.weapons.values()),
                                   presence=round(p.presence, 4))
    return dict(file=r["file"], stats_name=r["stats_name"], endstats=r["endstats"], gametime=r["gametime"],
                stats_unix=r["stats_unix"], map=m.name, round=round_no, orphan=orphan,
                attacker_side=attack_side, defender_side=m.defender, attacking_group=attacking_group,
                defending_group=defending_group, winner_side=r["winner"], outcome=o.kind,
                playtime_seconds=o.duration, time_limit_seconds=r["limit"], next_time_limit_seconds=r["next_limit"],
                round_end_unix=r["round_end"], pause_seconds=r["pauses"], header=r["header"], players=out)


def _map_truth(mi: int, m: MapInfo, r1: dict, r2: dict | None, x_group: str, winner: str | None, how: str | None,
               players: list[Player], outcomes: list[Outcome], edge: str | None, twice: str | None,
               bot_for: Person | None = None, joined: Player | None = None,
               reconnected: Player | None = None, came_went: "presence.Presence | None" = None) -> dict:
    groups = {g: sorted({p.person.guid8 for p in players if p.group == g and not p.person.is_bot}) for g in "AB"}
    orphan = edge == "orphan_r2"
    counted = r2 is not None and not orphan
    note = None
    if r2 is None:
        note = "R1 only: round 2 never played"
    elif orphan:
        note = "orphan R2: the R1 stats file is missing"
    elif winner == "tie":
        note = "double full hold: a draw (the R2 header gives the map to the R2 defenders, group %s)" % x_group
    return dict(
        index=mi + 1, map=m.name, r1_file=r1["file"], r2_file=r2["file"] if r2 else None,
        r1_stats_name=r1["stats_name"], timelimit_minutes=m.limit_min, defender_side=m.defender,
        r1_attacking_group=x_group, r1_outcome=outcomes[0].kind if outcomes else None,
        r2_outcome=outcomes[1].kind if len(outcomes) > 1 else None,
        r1_time_seconds=outcomes[0].duration if outcomes else None,
        r2_time_seconds=outcomes[1].duration if len(outcomes) > 1 else None,
        winner_group=None if orphan else winner, result=None if orphan else how, counted=counted,
        winner_guids=groups[winner] if counted and winner in ("A", "B") else [],
        r2_defenders_group=x_group if r2 is not None else None,
        groups=groups, edge_case=edge, repeated_map=m.name == twice, note=note,
        omnibot_replaced=bot_for.guid8 if bot_for else None,
        late_joiner=joined.person.guid8 if joined else None,
        reconnected=reconnected.person.guid8 if reconnected else None,
        presence=came_went.truth() if came_went else None)
