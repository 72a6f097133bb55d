"""lua/et_timing.lua under Lua 5.4 (lupa.lua54) with a fake ET:Legacy server.

The fake server keeps the engine-side state (cvars, config strings, clients, a
virtual clock, the files written through trap_FS_*) and gives every round a
FRESH Lua state, as the engine does. os.time/os.date are overridden inside the
Lua state and driven by the virtual clock (os.date is forced to UTC so file
names do not depend on the machine's time zone). Every written file is read
back with the project's own parsers (filenames.classify, parse_own_timing_file).
"""
import datetime as dt
import json
from pathlib import Path

import pytest

lupa = pytest.importorskip("lupa")
from lupa import lua54  # noqa: E402

from et_pipeline.parsers.filenames import TIMING, classify  # noqa: E402
from et_pipeline.parsers.timing_file import parse_own_timing_file  # noqa: E402

MODULE = Path(__file__).resolve().parents[1] / "lua" / "et_timing.lua"

CS_VOTE_TIME, CS_VOTE_STRING, CS_LEVEL_START_TIME = 6, 7, 11
CS_MULTI_INFO, CS_MULTI_MAPWINNER, CS_SERVERTOGGLES = 13, 14, 32
PLAYING, COUNTDOWN, WARMUP, INTERMISSION = 0, 1, 2, 3
T0 = 1770321488  # 2026-02-05 19:58:08 UTC

# the keys the task requires, in the order the module writes them (first in the object)
REQUIRED_KEYS = [
    "map", "round", "round_start_unix", "round_end_unix", "lua_playtime_seconds", "lua_playtime_ms",
    "warmup_seconds", "pause_count", "total_pause_seconds", "winner_team",
    "defender_team", "end_reason", "timelimit_minutes", "surrender_team",
    "server_name", "version", "axis_players", "allies_players",
]
INT_KEYS = [
    "round", "round_start_unix", "round_end_unix", "lua_playtime_seconds", "lua_playtime_ms", "warmup_seconds",
    "pause_count", "total_pause_seconds", "winner_team", "defender_team", "surrender_team",
]

OS_SHIM = """
local real_time, real_date = os.time, os.date
local clock, record, tmpname = py_clock, py_execute, py_tmpname
os.time = function(t)
    if t ~= nil then return real_time(t) end
    return clock()
end
os.date = function(fmt, t)
    fmt = fmt or "%c"
    if fmt:sub(1, 1) ~= "!" then fmt = "!" .. fmt end
    return real_date(fmt, t or clock())
end
os.execute = function(cmd) record(cmd); return true, "exit", 0 end
os.tmpname = function() return tmpname() end
py_clock, py_execute, py_tmpname = nil, nil, nil
"""


def info_value(info, key):
    parts = info.split("\\")
    if parts and parts[0] == "":
        parts = parts[1:]
    for k, v in zip(parts[0::2], parts[1::2]):
        if k == key:
            return v
    return ""


class FakeServer:
    """Engine state that survives Lua reloads, plus one Lua state at a time."""

    def __init__(self, tmp_path, mapname="supply", current_round=0, timelimit="12"):
        self.tmp_path = tmp_path
        self.unix_ms = T0 * 1000
        self.level_ms = 1000
        self.cvars = {
            "mapname": mapname, "gamestate": str(WARMUP), "g_currentRound": str(current_round),
            "timelimit": timelimit, "sv_hostname": "^a#^7o^ar^7acle^a.^7sim", "sv_maxclients": "20",
            "version": "ET Legacy v2.83.1 linux-x86_64",
        }
        self.cs = {CS_SERVERTOGGLES: "0", CS_MULTI_INFO: "\\numspawntargets\\4\\d\\0",
                   CS_MULTI_MAPWINNER: "\\w\\0"}
        self.clients = {}
        self.files = {}
        self.prints = []
        self.executed = []
        self.open_calls = 0
        self.folder_exists = True
        self.argv = []
        self._fds = {}
        self._pause_level_ms = None
        self.lua = None
        self.with_info_value = True

    # ---- engine bindings -------------------------------------------------
    @property
    def now(self):
        return self.unix_ms // 1000

    def _userinfo(self, cn):
        c = self.clients.get(int(cn))
        if not c:
            return ""
        name = c["name"] if isinstance(c["name"], str) else "x"
        name = "".join(ch for ch in name if ch not in '\\";')  # info-string rules
        return "\\name\\%s\\cl_guid\\%s\\rate\\25000" % (name, c["guid"])

    def _gentity_get(self, cn, field):
        c = self.clients.get(int(cn))
        if field == "pers.connected":
            return 2 if c else 0
        if c is None:
            return 0 if field == "sess.sessionTeam" else ""
        if field == "sess.sessionTeam":
            return c["team"]
        if field == "pers.netname":
            return c["name"]
        raise KeyError(field)

    def _fopen(self, path, mode):
        self.open_calls += 1
        assert mode == 1, "timing files must be opened with FS_WRITE"
        if not self.folder_exists:
            return (0, -1)
        fd = len(self._fds) + 1
        self._fds[fd] = [path, []]
        return (fd, 0)

    def _fwrite(self, text, length, fd):
        data = text.encode("utf-8")
        assert length == len(data)
        self._fds[fd][1].append(data)
        return length

    def _fclose(self, fd):
        path, chunks = self._fds.pop(fd)
        self.files[path] = b"".join(chunks)

    def _et(self):
        et = {
            "CS_VOTE_TIME": CS_VOTE_TIME, "CS_VOTE_STRING": CS_VOTE_STRING,
            "CS_LEVEL_START_TIME": CS_LEVEL_START_TIME, "CS_MULTI_INFO": CS_MULTI_INFO,
            "CS_MULTI_MAPWINNER": CS_MULTI_MAPWINNER, "CS_SERVERTOGGLES": CS_SERVERTOGGLES,
            "FS_READ": 0, "FS_WRITE": 1,
            "trap_Cvar_Get": lambda name: self.cvars.get(name, ""),
            "trap_Cvar_Set": lambda name, value: self.cvars.__setitem__(name, value),
            "trap_GetConfigstring": lambda i: self.cs.get(int(i), ""),
            "trap_GetUserinfo": self._userinfo,
            "gentity_get": self._gentity_get,
            "G_Print": self.prints.append,
            "trap_FS_FOpenFile": self._fopen,
            "trap_FS_Write": self._fwrite,
            "trap_FS_FCloseFile": self._fclose,
            "trap_Argc": lambda: len(self.argv),
            "trap_Argv": lambda i: self.argv[int(i)] if 0 <= int(i) < len(self.argv) else "",
            "RegisterModname": lambda name: None,
        }
        if self.with_info_value:
            et["Info_ValueForKey"] = info_value
        return et

    def _tmpname(self):
        return str(self.tmp_path / ("payload-%d.json" % len(self.executed)))

    # ---- lifecycle ---------------------------------------------------------
    def boot(self, gamestate, restart=0):
        """Load the map (restart=0) or map_restart (1) into `gamestate`: fresh Lua state."""
        assert self.lua is None
        self.cvars["gamestate"] = str(gamestate)
        self.cs[CS_LEVEL_START_TIME] = str(self.level_ms)
        self.cs[CS_VOTE_TIME], self.cs[CS_VOTE_STRING] = "", ""
        lua = lua54.LuaRuntime(unpack_returned_tuples=True)
        g = lua.globals()
        g.et = lua.table_from(self._et())
        g.py_clock = lambda: self.now
        g.py_execute = self.executed.append
        g.py_tmpname = self._tmpname
        lua.execute(OS_SHIM)
        lua.execute(MODULE.read_text(encoding="utf-8"))
        self.lua = lua
        g.et_InitGame(self.level_ms, 12345, restart)

    def shutdown(self, restart=0):
        self.lua.globals().et_ShutdownGame(restart)
        self.lua = None

    def map_restart(self, gamestate):
        self.shutdown(restart=1)
        self.boot(gamestate, restart=1)

    def frame(self, step_ms=500):
        self.unix_ms += step_ms
        self.level_ms += step_ms
        self.lua.globals().et_RunFrame(self.level_ms)

    def run(self, seconds, step_ms=500):
        for _ in range(int(seconds * 1000) // step_ms):
            self.frame(step_ms)

    def set_gamestate(self, gs):
        self.cvars["gamestate"] = str(gs)

    def pause(self):
        self.cs[CS_SERVERTOGGLES] = str(int(self.cs[CS_SERVERTOGGLES] or 0) | 16)
        self._pause_level_ms = self.level_ms

    def unpause(self):
        self.cs[CS_SERVERTOGGLES] = str(int(self.cs[CS_SERVERTOGGLES] or 0) & ~16)
        # the engine moves the level start by the paused time (game clock stops)
        paused = self.level_ms - self._pause_level_ms
        self.cs[CS_LEVEL_START_TIME] = str(int(self.cs[CS_LEVEL_START_TIME]) + paused)

    def print(self, text):
        """A line the game prints (G_Printf / G_LogPrintf on a dedicated server)."""
        self.lua.globals().et_Print(text)

    def client_command(self, cn, *argv):
        self.argv = list(argv)
        ret = self.lua.globals().et_ClientCommand(cn, argv[0])
        self.argv = []
        return ret

    def console_command(self, *argv):
        self.argv = list(argv)
        ret = self.lua.globals().et_ConsoleCommand(argv[0])
        self.argv = []
        return ret

    def start_vote(self, text):
        self.cs[CS_VOTE_TIME], self.cs[CS_VOTE_STRING] = str(self.level_ms), text

    def end_vote(self):
        self.cs[CS_VOTE_TIME] = ""

    def round_exit(self, exit_text, winner_cs):
        """G_LogExit: winner config string, the Exit line, g_currentRound flip, intermission."""
        if winner_cs is not None:
            self.cs[CS_MULTI_MAPWINNER] = "\\w\\%d" % winner_cs
        if exit_text is not None:
            self.print(exit_text + "\n")
        self.cvars["g_currentRound"] = "1" if self.cvars["g_currentRound"] == "0" else "0"
        self.set_gamestate(INTERMISSION)

    def add_players(self):
        self.clients = {
            0: {"name": "^0[^1SX^0]^7Vektor", "guid": "867e9d1d" + "a" * 24, "team": 2},
            1: {"name": "^2.^7olz^2.", "guid": "93790AEA" + "b" * 24, "team": 2},
            3: {"name": "^3Bl^7a^3ze", "guid": "840601b9" + "c" * 24, "team": 1},
            4: {"name": "^1ra^7mbo", "guid": "1AA6126C" + "d" * 24 + "EXTRA", "team": 1},
            6: {"name": "spec", "guid": "F" * 32, "team": 3},
        }

    # ---- reading the result ------------------------------------------------
    def only_file(self):
        assert len(self.files) == 1, sorted(self.files)
        (path, data), = self.files.items()
        folder, name = path.split("/", 1)
        assert folder == "gametimes"
        fn = classify(name)
        assert fn is not None and fn.kind == TIMING
        timing = parse_own_timing_file(data, fn.map, fn.round)
        assert data.endswith(b"\n") and data.count(b"\n") == 1, "one JSON object on one line"
        raw = json.loads(data)  # strict: every control character must be escaped
        assert list(raw)[: len(REQUIRED_KEYS)] == REQUIRED_KEYS
        for key in INT_KEYS:
            assert type(raw[key]) is int, key
        assert raw["timelimit_minutes"] is None or type(raw["timelimit_minutes"]) is float
        return fn, timing, raw

    def lines(self, needle):
        return [p for p in self.prints if needle in p]


def utc(unix):
    return dt.datetime.fromtimestamp(unix, dt.timezone.utc).replace(tzinfo=None)


@pytest.fixture
def server(tmp_path):
    s = FakeServer(tmp_path)
    s.add_players()
    return s


def play_round_one_with_pause(s):
    """Map load in warmup, countdown, restart into PLAYING, a 30 s pause, objective."""
    s.boot(WARMUP, restart=0)
    s.run(60)
    s.set_gamestate(COUNTDOWN)
    s.run(10)
    s.map_restart(PLAYING)  # the countdown ends with a restart: fresh Lua state
    start = s.now
    s.cs[CS_SERVERTOGGLES] = "1"  # another toggle bit: not a pause
    s.run(120)
    s.pause()
    s.run(30)
    s.unpause()
    s.run(200)
    s.round_exit("Exit: Wolf EndRound.", winner_cs=1)
    s.frame()
    end = s.now
    s.run(25)  # intermission frames: nothing more is written
    s.shutdown(restart=1)  # next round's restart
    return start, end


def test_round_warmup_play_pause_intermission(server):
    start, end = play_round_one_with_pause(server)
    fn, t, raw = server.only_file()
    assert (fn.map, fn.round) == ("supply", 1)
    assert fn.local_time == utc(end)  # os.date at the moment of writing
    assert (t.round_start_unix, t.round_end_unix) == (start, end)
    assert (t.pause_count, t.pause_seconds) == (1, 30)
    assert t.playtime_seconds == end - start - 30 == 320
    assert t.warmup_seconds == 70  # warmup 60 s + countdown 10 s, carried across the restart
    assert (t.winner, t.defender, t.end_reason) == (2, 1, "objective")
    assert t.surrender_team == 0
    assert t.timelimit_minutes == 12.0 and raw["timelimit_minutes"] == 12.0
    assert t.version == raw["version"]
    assert [p["name"] for p in t.allies_players] == ["[SX]Vektor", ".olz."]
    assert [p["name"] for p in t.axis_players] == ["Blaze", "rambo"]
    # the file carries 32 upper-case characters; the parser keys on GUID8
    assert raw["axis_players"][1]["guid"] == "1AA6126C" + "D" * 24
    assert t.axis_players[1]["guid"] == "1AA6126C"
    assert raw["server_name"] == "#oracle.sim"
    assert raw["pause_list"] == [{"n": 1, "start": start + 120, "end": start + 150, "sec": 30}]
    assert raw["game_clock_seconds"] == pytest.approx(320, abs=1)
    assert raw["end_path"] == "intermission" and raw["lua_errors"] == 0
    assert server.open_calls == 1 and server.executed == []  # webhook off by default
    assert server.cvars["et_timing_warmup"] == ""  # consumed by the round


def test_upstream_crash_reproduces_in_this_runtime():
    lua = lua54.LuaRuntime()
    assert lua.eval("_VERSION") == "Lua 5.4"
    assert lua.eval('(pcall(string.format, "%d", 7.517))') is False
    assert lua.eval('string.format("%d", math.floor(7.517))') == "7"


@pytest.mark.parametrize("exit_line", [True, False], ids=["exit-line", "clock-fallback"])
def test_round_two_fractional_timelimit_time_expired(tmp_path, exit_line):
    s = FakeServer(tmp_path, mapname="te_escape2", current_round=1, timelimit="7.517")
    s.add_players()
    s.cs[CS_MULTI_INFO] = "\\d\\1"  # Allies defend
    s.boot(PLAYING, restart=1)
    start = s.now
    s.run(452)  # 7.517 min = 451.02 s of game clock
    s.round_exit("Exit: Timelimit hit." if exit_line else None, winner_cs=1)
    s.frame()
    end = s.now
    s.run(5)
    s.shutdown(restart=0)
    fn, t, raw = s.only_file()
    assert (fn.map, fn.round) == ("te_escape2", 2)  # g_currentRound flipped 1 -> 0
    assert t.end_reason == "time_expired"
    assert t.timelimit_minutes == 7.517
    assert b'"timelimit_minutes":7.517,' in s.files[next(iter(s.files))]
    assert (t.winner, t.defender) == (2, 2)
    assert t.playtime_seconds == end - start
    assert (t.pause_count, t.pause_seconds, t.warmup_seconds) == (0, 0, 0)
    assert s.lines("error") == []


def start_surrender_round(tmp_path):
    s = FakeServer(tmp_path, mapname="etl_adlernest", timelimit="10")
    s.add_players()
    s.boot(PLAYING, restart=1)
    return s


@pytest.mark.parametrize("exit_line", [True, False], ids=["exit-line", "vote-fallback"])
def test_surrender(tmp_path, exit_line):
    s = start_surrender_round(tmp_path)
    start = s.now
    s.run(234)
    # Vektor (Allies) calls the surrender vote; the game then shows it in the vote strings
    assert s.client_command(0, "callvote", "surrender") == 0  # never intercepted
    s.start_vote("Surrender [ALLIES]")
    s.run(6)
    s.end_vote()
    s.round_exit("Exit: Allies Surrender" if exit_line else None, winner_cs=0)
    s.frame()
    end = s.now
    s.shutdown(restart=1)
    fn, t, raw = s.only_file()
    assert (fn.map, fn.round) == ("etl_adlernest", 1)
    assert (t.end_reason, t.surrender_team, t.winner) == ("surrender", 2, 1)
    assert t.playtime_seconds == end - start == 240
    assert raw["surrender_caller_name"] == "[SX]Vektor"
    assert raw["surrender_caller_guid"] == "867E9D1D" + "A" * 24
    if exit_line:
        assert raw["exit_message"] == "Allies Surrender"


@pytest.mark.parametrize("exit_line", [True, False], ids=["exit-line", "no-exit-line"])
def test_failed_surrender_vote_then_objective(tmp_path, exit_line):
    s = start_surrender_round(tmp_path)
    s.run(60)
    s.client_command(3, "callvote", "surrender")  # Axis vote, fails
    s.start_vote("Surrender [AXIS]")
    s.run(30)
    s.end_vote()
    s.run(200)
    s.round_exit("Exit: Wolf EndRound." if exit_line else None, winner_cs=1)
    s.frame()
    s.shutdown(restart=1)
    _, t, raw = s.only_file()
    assert (t.end_reason, t.surrender_team, t.winner) == ("objective", 0, 2)
    assert raw["surrender_caller_name"] == ""


def test_surrender_vote_running_when_time_runs_out(tmp_path):
    s = FakeServer(tmp_path, mapname="etl_adlernest", timelimit="5")
    s.boot(PLAYING, restart=1)
    s.run(290)
    s.start_vote("Surrender [ALLIES]")  # attackers give up 10 s before the end ...
    s.run(11)  # ... but the clock runs out first; no Exit line reaches the module
    s.round_exit(None, winner_cs=0)
    s.frame()
    s.shutdown()
    _, t, _ = s.only_file()
    assert (t.end_reason, t.surrender_team, t.winner) == ("time_expired", 0, 1)


def test_surrender_chat_line_is_not_an_exit(tmp_path):
    s = start_surrender_round(tmp_path)
    s.run(100)
    s.print("say: ^1troll: Exit: Axis Surrender\n")
    s.run(100)
    s.round_exit("Exit: Wolf EndRound.", winner_cs=0)
    s.frame()
    s.shutdown()
    _, t, _ = s.only_file()
    assert (t.end_reason, t.surrender_team) == ("objective", 0)


def test_map_vote_during_round_two(tmp_path):
    s = FakeServer(tmp_path, mapname="supply", current_round=1, timelimit="10.166667")
    s.add_players()
    s.cs[CS_MULTI_MAPWINNER] = "\\w\\0"  # map-script default, not a result
    s.boot(PLAYING, restart=1)
    start = s.now
    s.run(200)
    s.print("Vote Passed: Change map\n")
    s.run(1)
    end = s.now
    s.shutdown(restart=0)  # the map change unloads the game: no intermission
    fn, t, raw = s.only_file()
    assert (fn.map, fn.round) == ("supply", 2)  # g_currentRound 1 (not flipped) -> round 2
    assert fn.local_time == utc(end)
    assert t.end_reason == "map_change"
    assert (t.round_start_unix, t.round_end_unix) == (start, end)
    assert t.playtime_seconds == 201
    assert t.winner == 0 and raw["configstring_winner_team"] == 1
    assert t.timelimit_minutes == pytest.approx(10.167)
    assert raw["end_path"] == "shutdown"


def vote_passes(s, vote_text, resets_match):
    """CheckVote: the "Vote Passed:" log line, then the vote's action. A map vote resets
    the match first (G_Map_v -> Svcmd_ResetMatch_f: g_currentRound and g_nextTimeLimit
    to 0) and queues `map <name>`, which unloads the game at the end of this server frame."""
    if vote_text is not None:
        s.print("Vote Passed: %s\n" % vote_text)
    if resets_match:
        s.cvars["g_currentRound"], s.cvars["g_nextTimeLimit"] = "0", "0"


@pytest.mark.parametrize("vote_text", ["map te_escape2", "Change map to te_escape2", None],
                         ids=["vote-string", "vote-display-text", "no-vote-line"])
def test_map_vote_passes_during_round_two_after_the_engine_reset_the_round(tmp_path, vote_text):
    """Issue 11: the engine has reset g_currentRound to 0 by et_ShutdownGame, so a round
    number read at shutdown says round 1; the round lasted 280.05 s of 50 ms frames."""
    s = FakeServer(tmp_path, mapname="etl_adlernest", current_round=1, timelimit="6.5")
    s.add_players()
    s.unix_ms += 970  # play starts 0.97 s into a wall-clock second
    s.boot(PLAYING, restart=1)
    start_level = s.level_ms
    s.run(280.05, step_ms=50)
    played_ms = s.level_ms - start_level
    vote_passes(s, vote_text, resets_match=True)
    end = s.now
    s.shutdown(restart=0)
    fn, t, raw = s.only_file()
    assert (fn.map, fn.round, t.round) == ("etl_adlernest", 2, 2)
    assert fn.local_time == utc(end)
    assert t.end_reason == "map_change" and raw["end_path"] == "shutdown"
    assert (raw["g_current_round"], raw["g_current_round_at_start"]) == (0, 1)
    assert played_ms == 280050 and raw["lua_playtime_ms"] == played_ms
    assert raw["lua_playtime_seconds"] == 280  # rounded, not truncated from wall-clock seconds
    assert abs(t.playtime_seconds - 280.05) < 1 and t.playtime_seconds == pytest.approx(280.05)
    assert t.winner == 0 and t.timelimit_minutes == 6.5
    assert s.lines("error") == []


@pytest.mark.parametrize("vote_text, restart, reason", [
    ("maprestart", 1, "map_restart"), ("Map Restart", 1, "map_restart"), ("matchreset", 0, "map_restart"),
    ("nextmap", 0, "map_change"), ("campaign cmpgn_centraleurope", 0, "map_change"),
])
def test_votes_that_unload_the_map_name_their_end_reason(tmp_path, vote_text, restart, reason):
    s = FakeServer(tmp_path, mapname="supply", current_round=0, timelimit="12")
    s.boot(PLAYING, restart=1)
    s.run(100)
    vote_passes(s, vote_text, resets_match=vote_text != "maprestart" and vote_text != "Map Restart")
    s.shutdown(restart=restart)
    fn, t, _ = s.only_file()
    assert (fn.round, t.end_reason) == (1, reason)


def test_server_quit_during_round_two_keeps_the_round_and_says_shutdown(tmp_path):
    s = FakeServer(tmp_path, mapname="supply", current_round=1, timelimit="8.5")
    s.boot(PLAYING, restart=1)
    s.run(123.45, step_ms=50)
    s.shutdown(restart=0)  # quit: no vote, no reset
    fn, t, raw = s.only_file()
    assert (fn.round, t.end_reason, raw["lua_playtime_ms"]) == (2, "shutdown", 123450)


def test_referee_map_command_is_a_map_change(tmp_path):
    s = FakeServer(tmp_path, mapname="supply", current_round=0)
    s.boot(PLAYING, restart=1)
    s.run(50)
    assert s.console_command("ref", "map", "etl_adlernest") == 0
    s.shutdown(restart=0)
    fn, t, _ = s.only_file()
    assert (fn.round, t.end_reason) == (1, "map_change")


def test_server_shutdown_mid_round_closes_open_pause(server):
    server.boot(PLAYING, restart=1)  # g_currentRound 0: round 1 being played
    start = server.now
    server.run(80)
    server.pause()
    server.run(20)
    end = server.now
    server.shutdown(restart=0)  # quit / auto-restart while paused
    fn, t, raw = server.only_file()
    assert (fn.map, fn.round) == ("supply", 1)  # not flipped: 0 -> round 1
    assert t.end_reason == "shutdown"
    assert (t.pause_count, t.pause_seconds) == (1, 20)
    assert t.playtime_seconds == end - start - 20 == 80
    assert raw["pause_list"][0]["end"] == end


def test_map_restart_mid_round(server):
    server.boot(PLAYING, restart=1)
    server.run(40)
    server.shutdown(restart=1)
    _, t, _ = server.only_file()
    assert t.end_reason == "map_restart"


def test_shutdown_right_after_start_writes_nothing(server):
    server.boot(PLAYING, restart=1)
    server.run(1)
    server.shutdown(restart=1)
    assert server.files == {} and server.open_calls == 0


def test_reload_during_intermission_writes_nothing(server):
    server.boot(INTERMISSION, restart=0)
    server.run(20)
    server.shutdown()
    server.boot(WARMUP, restart=0)
    server.run(20)
    server.shutdown()
    assert server.files == {} and server.open_calls == 0


def test_missing_folder_one_console_line(server):
    server.folder_exists = False
    server.boot(PLAYING, restart=1)
    server.run(60)
    server.round_exit("Exit: Wolf EndRound.", winner_cs=1)
    before = len(server.prints)
    server.run(300, step_ms=50)  # 6000 intermission frames
    server.shutdown(restart=1)
    assert server.files == {}
    assert server.open_calls == 1
    assert len(server.lines("cannot open")) == 1
    assert "gametimes" in server.lines("cannot open")[0]
    assert len(server.prints) - before == 1  # the single line, nothing per frame


def test_no_error_escapes_a_callback(server):
    server.boot(PLAYING, restart=1)
    g = server.lua.globals()
    # garbage arguments and missing engine data
    g.et_RunFrame(None)
    g.et_Print(None)
    assert g.et_ClientCommand(None, None) == 0
    assert g.et_ConsoleCommand(None) == 0
    server.cs[CS_SERVERTOGGLES] = None
    server.run(2)
    for bad in ("", "abc", "16.5", " 16 ", "1e400"):
        server.cs[CS_SERVERTOGGLES] = bad
        server.frame()
    server.cs[CS_SERVERTOGGLES] = "0"
    server.frame()

    def broken(*_):
        raise RuntimeError("engine exploded")

    g.et.trap_FS_FOpenFile = broken  # the write fails
    g.os.date = broken  # ... and even os.date raises inside end_round
    server.run(30)
    server.round_exit("Exit: Wolf EndRound.", winner_cs=1)
    server.run(60)  # every intermission frame survives
    server.shutdown()
    errors = server.lines("error in")
    assert len(errors) == 1 and "et_RunFrame" in errors[0]
    assert server.files == {}


def test_json_escaping_of_names(tmp_path):
    s = FakeServer(tmp_path, mapname="etl_sp_delivery")
    s.with_info_value = False  # exercise the module's own info-string reader
    s.cvars["sv_hostname"] = 'my "quoted" \\ server\x01'
    s.clients = {
        0: {"name": 'a"b\\c\x01\x7f\n^1red', "guid": "1" * 32, "team": 1},
        1: {"name": "^^caret ^7ok", "guid": "2" * 32, "team": 2},
        2: {"name": "caf\u00e9 \u2603", "guid": "3" * 32, "team": 2},  # UTF-8
        3: {"name": b"caf\xe9", "guid": "4" * 32, "team": 1},  # Latin-1 bytes
    }
    s.boot(PLAYING, restart=1)
    s.run(30)
    s.round_exit("Exit: Wolf EndRound.", winner_cs=0)
    s.frame()
    s.shutdown()
    _, t, raw = s.only_file()
    data = s.files[next(iter(s.files))]
    assert data.isascii() or data.decode("utf-8")  # always valid UTF-8
    assert raw["server_name"] == 'my "quoted" \\ server\x01'
    assert [p["name"] for p in raw["axis_players"]] == ['a"b\\c\x01\x7f\nred', "caf\u00e9"]
    assert [p["name"] for p in raw["allies_players"]] == ["^caret ok", "caf\u00e9 \u2603"]
    assert (t.defender, t.winner) == (1, 1)
    assert [p["guid"] for p in t.axis_players] == ["11111111", "44444444"]


def test_webhook_runs_curl_in_background(tmp_path):
    s = FakeServer(tmp_path, mapname="supply")
    s.add_players()
    s.cvars["et_timing_webhook"] = "1"
    s.cvars["et_timing_webhook_url"] = "https://discord.com/api/webhooks/123/abc-DEF_g"
    s.boot(PLAYING, restart=1)
    s.run(100)
    s.round_exit("Exit: Wolf EndRound.", winner_cs=1)
    s.frame()
    s.run(10)
    s.shutdown()
    fn, t, _ = s.only_file()
    assert len(s.executed) == 1
    cmd = s.executed[0]
    assert cmd.rstrip().endswith("&") and "curl" in cmd
    assert "'https://discord.com/api/webhooks/123/abc-DEF_g'" in cmd
    payload = json.loads((tmp_path / "payload-0.json").read_text())
    assert payload["content"] == "STATS_READY"
    fields = {f["name"]: f["value"] for f in payload["embeds"][0]["fields"]}
    assert fields["Round"] == "1" and fields["Lua_Timelimit"] == "12 min"
    assert fields["Lua_Playtime"] == "%d sec" % t.playtime_seconds
    assert fields["Timing_File"] == fn.name
    assert len(json.loads(fields["Axis_JSON"])) == 2


def test_webhook_round_two_fractional_timelimit(tmp_path):
    s = FakeServer(tmp_path, current_round=1, timelimit="10.166667")
    s.boot(PLAYING, restart=1)
    s.run(30)
    s.round_exit("Exit: Wolf EndRound.", winner_cs=1)
    s.frame()
    s.shutdown()
    fn, _, _ = s.only_file()
    assert fn.round == 2 and len(s.executed) == 0  # off: neither cvar nor config set
    s2 = FakeServer(tmp_path, current_round=1, timelimit="10.166667")
    s2.cvars.update(et_timing_webhook="1", et_timing_webhook_url="https://example.org/hook")
    s2.boot(PLAYING, restart=1)
    s2.run(30)
    s2.round_exit("Exit: Wolf EndRound.", winner_cs=1)
    s2.frame()
    s2.shutdown()
    payload = json.loads((tmp_path / "payload-0.json").read_text())
    fields = {f["name"]: f["value"] for f in payload["embeds"][0]["fields"]}
    assert (fields["Round"], fields["Lua_Timelimit"]) == ("2", "10.167 min")


def test_webhook_with_unsafe_url_is_refused(tmp_path):
    s = FakeServer(tmp_path)
    s.cvars["et_timing_webhook"] = "1"
    s.cvars["et_timing_webhook_url"] = "https://x.example/'; rm -rf ~; '"
    s.boot(PLAYING, restart=1)
    s.run(10)
    s.round_exit("Exit: Wolf EndRound.", winner_cs=1)
    s.frame()
    s.shutdown()
    s.only_file()
    assert s.executed == []
    assert len(s.lines("webhook enabled but the URL")) == 1


def test_warmup_of_another_map_is_not_carried(tmp_path):
    s = FakeServer(tmp_path, mapname="supply")
    s.boot(WARMUP, restart=0)
    s.run(30)
    s.shutdown()
    s.cvars["mapname"] = "etl_adlernest"  # map vote during warmup
    s.unix_ms += 5000
    s.boot(PLAYING, restart=1)  # (contrived) straight into play on the new map
    s.run(40)
    s.round_exit("Exit: Wolf EndRound.", winner_cs=0)
    s.frame()
    s.shutdown()
    _, t, raw = s.only_file()
    assert t.warmup_seconds == 0 and raw["warmup_start_unix"] is None
