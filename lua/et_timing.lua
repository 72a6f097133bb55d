--[[
et_timing.lua -- round timing file for the ET:Legacy stopwatch statistics pipeline

Writes ONE file per round into <fs_homepath>/<fs_game>/gametimes/:

    YYYY-MM-DD-HHMMSS-<map>-round-<N>-timing.json

(server local time of the moment of writing), holding one JSON object on one
line: round start/end (Unix seconds), playtime without pauses (in ms of game
time, from the frame that started play to the frame that ended it), pauses,
warmup, winner, defender, end reason, time limit, surrender team, rosters.
The round number is read when play starts and kept: at et_ShutdownGame the
engine may already have reset g_currentRound (a map vote does).
See lua/README.md for installation and for the meaning of every key.

Target: ET:Legacy 2.83+ (Lua 5.4). Rules followed throughout:
  * never string.format("%d", x) on a value that may be a float: every integer
    goes through toint() first (the R2 time limit is fractional, e.g. 7.517;
    that exact crash killed the upstream webhook v1.6.0 at every round 2);
  * no error ever escapes an engine callback (each is wrapped in pcall and the
    first error per callback is printed once, later ones are only counted);
  * all state is local to this chunk: the engine gives every round a fresh Lua
    state. The only thing carried from the warmup instance to the round
    instance is the warmup start time, in the server cvar et_timing_warmup
    ("<unix> <map>"), checked against the map and its age before use.
]]

-- ---------------------------------------------------------------------------
-- Configuration (edit here, or use the cvars named in the comments)
-- ---------------------------------------------------------------------------
local CONFIG = {
	-- folder relative to fs_game; the engine resolves it under fs_homepath
	gametimes_dir         = "gametimes",
	-- optional STATS_READY webhook, OFF by default. It is enabled when
	-- webhook_enabled is true OR the cvar et_timing_webhook is "1"; the URL is
	-- the cvar et_timing_webhook_url when set, else webhook_url below.
	webhook_enabled       = false,
	webhook_url           = "",
	curl                  = "curl",
	curl_timeout_seconds  = 15,
	-- a round cut short by a shutdown this soon after its start is not written
	min_shutdown_round_s  = 3,
	-- a surrender vote counts for the round end only if called this recently
	surrender_vote_window = 35,
	-- a carried warmup start older than this is ignored
	warmup_max_age_s      = 3600,
}

local MODNAME = "et_timing"
local VERSION = "1.1.0"

-- gamestate cvar values (docs/files.md §5)
local GS_PLAYING, GS_COUNTDOWN, GS_WARMUP, GS_INTERMISSION = 0, 1, 2, 3
local PAUSE_BIT = 16 -- CS_SERVERTOGGLES bit 4 (CV_SVS_PAUSE)
local CON_CONNECTED = 2
local TEAM_AXIS, TEAM_ALLIES = 1, 2
local WARMUP_CVAR = "et_timing_warmup"

local ET = rawget(_G, "et") or {}
local CS_VOTE_TIME        = ET.CS_VOTE_TIME or 6
local CS_VOTE_STRING      = ET.CS_VOTE_STRING or 7
local CS_LEVEL_START_TIME = ET.CS_LEVEL_START_TIME or 11
local CS_MULTI_INFO       = ET.CS_MULTI_INFO or 13
local CS_MULTI_MAPWINNER  = ET.CS_MULTI_MAPWINNER or 14
local CS_SERVERTOGGLES    = ET.CS_SERVERTOGGLES or 32
local FS_WRITE            = ET.FS_WRITE or 1

-- ---------------------------------------------------------------------------
-- Per-round state (one Lua state per round; nothing global)
-- ---------------------------------------------------------------------------
local S = {
	map = "",
	init_restart = 0,
	gamestate = -1,
	level_time = nil,       -- last levelTime seen (ms)
	start_level = nil,      -- levelTime when play started (ms)
	last_play_level = nil,  -- levelTime of the last PLAYING frame: the frame that ended play
	round_cvar = nil,       -- g_currentRound read when play started (0: round 1, 1: round 2)
	started = false,
	start_unix = nil,
	start_source = nil,     -- "init" | "frame"
	ended = false,
	warmup_start = nil,     -- unix, seen in this instance or carried by cvar
	warmup_published = false,
	pause_start = nil,
	pauses = {},            -- { {n=, start=, ["end"]=, sec=}, ... }
	pause_total = 0,
	pause_start_level = nil,
	pause_total_ms = 0,     -- the same pauses in levelTime milliseconds
	exit_message = nil,     -- text after "Exit:" printed by the game at round end
	exit_kind = nil,        -- "surrender" | "timelimit" | "objective" | "other"
	exit_team = 0,          -- side named in "Exit: <Side> Surrender"
	surrender_vote = nil,   -- { team=, unix=, guid=, name=, source= }
	last_vote_key = nil,    -- CS_VOTE_TIME|CS_VOTE_STRING last seen
	shutdown_hint = nil,    -- "map_change" | "map_restart" (from votes/commands)
	warned = {},
	errors = 0,
}

-- ---------------------------------------------------------------------------
-- Small helpers (all tolerant of nil / empty / odd values)
-- ---------------------------------------------------------------------------
local function toint(x)
	x = tonumber(x)
	if x == nil or x ~= x or x == math.huge or x == -math.huge then
		return nil
	end
	return math.tointeger(math.floor(x))
end

local function log(msg)
	local line = "[" .. MODNAME .. "] " .. tostring(msg) .. "\n"
	local ok = pcall(function() et.G_Print(line) end)
	if not ok then
		pcall(print, line)
	end
end

local function log_once(key, msg)
	if S.warned[key] then
		return
	end
	S.warned[key] = true
	log(msg)
end

local function now()
	local ok, t = pcall(os.time)
	return (ok and toint(t)) or 0
end

local function cvar(name)
	local ok, v = pcall(function() return et.trap_Cvar_Get(name) end)
	if ok and v ~= nil then
		return tostring(v)
	end
	return ""
end

local function set_cvar(name, value)
	pcall(function() et.trap_Cvar_Set(name, value) end)
end

local function configstring(index)
	local ok, v = pcall(function() return et.trap_GetConfigstring(index) end)
	if ok and v ~= nil then
		return tostring(v)
	end
	return ""
end

local function gentity(clientNum, field)
	local ok, v = pcall(function() return et.gentity_get(clientNum, field) end)
	if ok then
		return v
	end
	return nil
end

local function info_value(info, key)
	if type(info) ~= "string" or info == "" then
		return ""
	end
	if type(et.Info_ValueForKey) == "function" then
		local ok, v = pcall(et.Info_ValueForKey, info, key)
		if ok and v ~= nil then
			return tostring(v)
		end
	end
	if info:sub(1, 1) ~= "\\" then
		info = "\\" .. info
	end
	for k, v in info:gmatch("\\([^\\]*)\\([^\\]*)") do
		if k == key then
			return v
		end
	end
	return ""
end

-- ET colour codes: "^" + any character is removed, "^^" is a literal caret
-- (the same rule as et_pipeline.parsers.text.strip_colours); then trimmed.
local function strip_colours(s)
	s = tostring(s or "")
	local out, i, n = {}, 1, #s
	while i <= n do
		local c = s:sub(i, i)
		if c == "^" and i < n then
			if s:sub(i + 1, i + 1) == "^" then
				out[#out + 1] = "^"
			end
			i = i + 2
		else
			out[#out + 1] = c
			i = i + 1
		end
	end
	local r = table.concat(out):gsub("^%s+", ""):gsub("%s+$", "")
	return r
end

-- map name as used in the file name AND in the content (the parser compares
-- them): letters, digits, _ . + - only, at most 50 characters.
local function safe_map(name)
	local m = tostring(name or ""):gsub("[^A-Za-z0-9_.+%-]", "_"):sub(1, 50)
	if m == "" or m:find("..", 1, true) then
		m = (m == "") and "unknown" or m:gsub("%.%.+", "_")
	end
	return m
end

-- ---------------------------------------------------------------------------
-- JSON (compact, ordered keys, full string escaping)
-- ---------------------------------------------------------------------------
local JSON_ESC = {
	['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f',
	['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t',
}

local function json_string(s)
	s = tostring(s == nil and "" or s)
	-- invalid UTF-8 (names are whatever bytes the client sent): escape every
	-- byte >= 0x80 as a Latin-1 code point so the file stays valid JSON/UTF-8
	local latin1 = utf8.len(s) == nil
	local out = s:gsub('[%c"\\\128-\255]', function(c)
		local e = JSON_ESC[c]
		if e then
			return e
		end
		local b = c:byte()
		if b < 32 or b == 127 or (b >= 128 and latin1) then
			return string.format("\\u%04x", b)
		end
		return c
	end)
	return '"' .. out .. '"'
end

local function json_int(x)
	local n = toint(x)
	if n == nil then
		return "null"
	end
	return string.format("%d", n)
end

-- a decimal number, always with a fractional part ("10.0", "7.517")
local function json_decimal(x, places)
	x = tonumber(x)
	if x == nil or x ~= x or x == math.huge or x == -math.huge then
		return "null"
	end
	local s = string.format("%." .. tostring(places or 3) .. "f", x)
	s = s:gsub("0+$", "")
	if s:sub(-1) == "." then
		s = s .. "0"
	end
	if s == "-0.0" then
		s = "0.0"
	end
	return s
end

local function json_object(pairs_list)
	local parts = {}
	for _, kv in ipairs(pairs_list) do
		parts[#parts + 1] = json_string(kv[1]) .. ":" .. kv[2]
	end
	return "{" .. table.concat(parts, ",") .. "}"
end

local function json_array(encoded_items)
	return "[" .. table.concat(encoded_items, ",") .. "]"
end

-- ---------------------------------------------------------------------------
-- Game state readers
-- ---------------------------------------------------------------------------
local function read_gamestate()
	return toint(cvar("gamestate")) or -1
end

local function is_paused()
	local n = math.tointeger(tonumber(configstring(CS_SERVERTOGGLES)) or 0) or 0
	return (n & PAUSE_BIT) ~= 0
end

-- side from a 0-based config string value: 0 -> 1 (Axis), 1 -> 2 (Allies),
-- missing / -1 / garbage -> 0 (unknown)
local function side_from_cs(index, key)
	local v = toint(info_value(configstring(index), key))
	if v == 0 or v == 1 then
		return v + 1
	end
	return 0
end

local function timelimit_minutes()
	local t = tonumber(cvar("timelimit"))
	if t == nil or t ~= t or t < 0 or t == math.huge then
		return nil
	end
	return t
end

-- engine game clock (pauses excluded) in ms, from CS_LEVEL_START_TIME
local function game_clock_ms()
	local start = toint(configstring(CS_LEVEL_START_TIME))
	if start == nil or S.level_time == nil or S.level_time < start then
		return nil
	end
	return S.level_time - start
end

local function client_guid(clientNum)
	local ok, ui = pcall(function() return et.trap_GetUserinfo(clientNum) end)
	local guid = ""
	if ok and type(ui) == "string" then
		guid = info_value(ui, "cl_guid")
	end
	return guid:sub(1, 32):upper()
end

local function client_name(clientNum)
	local name = gentity(clientNum, "pers.netname")
	if type(name) ~= "string" or name == "" then
		local ok, ui = pcall(function() return et.trap_GetUserinfo(clientNum) end)
		name = (ok and type(ui) == "string") and info_value(ui, "name") or ""
	end
	return strip_colours(name)
end

local function rosters()
	local axis, allies = {}, {}
	local maxclients = toint(cvar("sv_maxclients")) or 64
	if maxclients < 0 or maxclients > 64 then
		maxclients = 64
	end
	for cn = 0, maxclients - 1 do
		local ok = pcall(function()
			if toint(gentity(cn, "pers.connected")) ~= CON_CONNECTED then
				return
			end
			local team = toint(gentity(cn, "sess.sessionTeam"))
			if team ~= TEAM_AXIS and team ~= TEAM_ALLIES then
				return
			end
			local p = json_object({
				{ "guid", json_string(client_guid(cn)) },
				{ "name", json_string(client_name(cn)) },
			})
			local list = (team == TEAM_AXIS) and axis or allies
			list[#list + 1] = p
		end)
		if not ok then
			S.errors = S.errors + 1
		end
	end
	return axis, allies
end

-- ---------------------------------------------------------------------------
-- Warmup start carried from the warmup instance to the round instance
-- ---------------------------------------------------------------------------
local function read_carried_warmup(map, t)
	local unix, m = cvar(WARMUP_CVAR):match("^(%d+)%s+(%S+)$")
	unix = toint(unix)
	if unix == nil or m ~= map or unix > t or t - unix > CONFIG.warmup_max_age_s then
		return nil
	end
	return unix
end

local function note_warmup()
	local t = now()
	if S.warmup_start == nil then
		S.warmup_start = t
	end
	if S.warmup_published then
		return
	end
	S.warmup_published = true
	-- a fresh map load starts a new warmup; a restart within warmup (e.g. a
	-- cancelled countdown) keeps the earlier start of the same map
	local carried = (S.init_restart ~= 0) and read_carried_warmup(S.map, t) or nil
	if carried and carried < S.warmup_start then
		S.warmup_start = carried
	end
	set_cvar(WARMUP_CVAR, json_int(S.warmup_start) .. " " .. S.map)
end

-- ---------------------------------------------------------------------------
-- Round tracking
-- ---------------------------------------------------------------------------
local function start_round(source)
	S.started = true
	S.start_unix = now()
	S.start_source = source
	S.start_level = S.level_time
	S.last_play_level = S.level_time
	-- the round being played, kept from its start: by et_ShutdownGame the engine may
	-- already have reset g_currentRound (a map vote resets the match before the unload)
	S.round_cvar = toint(cvar("g_currentRound"))
	if S.warmup_start == nil then
		S.warmup_start = read_carried_warmup(S.map, S.start_unix)
	end
	set_cvar(WARMUP_CVAR, "")
end

-- t: Unix seconds; level: levelTime (ms) of the last frame before the change
local function close_pause(t, level)
	if S.pause_start == nil then
		return
	end
	local sec = t - S.pause_start
	if sec < 0 then
		sec = 0
	end
	S.pauses[#S.pauses + 1] = { n = #S.pauses + 1, start = S.pause_start, ["end"] = t, sec = sec }
	S.pause_total = S.pause_total + sec
	if level and S.pause_start_level and level > S.pause_start_level then
		S.pause_total_ms = S.pause_total_ms + (level - S.pause_start_level)
	end
	S.pause_start = nil
	S.pause_start_level = nil
end

-- level: levelTime of the previous frame, the last one before a toggle seen now
local function track_pause(level)
	local paused = is_paused()
	if paused and S.pause_start == nil then
		S.pause_start = now()
		S.pause_start_level = level
	elseif not paused and S.pause_start ~= nil then
		close_pause(now(), level)
	end
end

local function side_from_word(w)
	w = tostring(w or ""):lower()
	if w == "axis" then
		return TEAM_AXIS
	elseif w == "allies" or w == "allied" then
		return TEAM_ALLIES
	end
	return 0
end

local function note_surrender_vote(team, source, guid, name)
	local t = now()
	local sv = S.surrender_vote
	if sv and t - sv.unix <= CONFIG.surrender_vote_window and (sv.team == team or team == 0 or sv.team == 0) then
		-- the same vote seen through another channel: complete it
		if sv.guid == "" and guid then sv.guid = guid end
		if sv.name == "" and name then sv.name = name end
		if sv.team == 0 then sv.team = team end
		return
	end
	S.surrender_vote = { team = team, unix = t, guid = guid or "", name = name or "", source = source }
end

-- a new vote sets CS_VOTE_TIME (its start, non-zero) and CS_VOTE_STRING,
-- which reads "Surrender [AXIS]" / "Surrender [ALLIES]" for a surrender vote
local function vote_key()
	local vt = configstring(CS_VOTE_TIME)
	return vt .. "|" .. configstring(CS_VOTE_STRING), (toint(vt) or 0) ~= 0
end

local function watch_vote_string()
	local key, running = vote_key()
	if key == S.last_vote_key then
		return
	end
	S.last_vote_key = key
	if not running then
		return
	end
	local l = configstring(CS_VOTE_STRING):lower()
	if l:find("surrender", 1, true) then
		local team = 0
		if l:find("[axis]", 1, true) then
			team = TEAM_AXIS
		elseif l:find("[allies]", 1, true) then
			team = TEAM_ALLIES
		end
		note_surrender_vote(team, "vote_configstring")
	end
end

-- a server-console or referee command that unloads the map; votes are only
-- taken into account once they passed (see on_print)
local function classify_map_command(words)
	local c = (words[1] or ""):lower()
	if c == "ref" then
		c = (words[2] or ""):lower()
	end
	if c == "map" or c == "devmap" or c == "nextmap" or c == "campaign"
		or c == "nextcampaign" or c == "restartcampaign" then
		return "map_change"
	elseif c == "maprestart" or c == "map_restart" or c == "matchreset" or c == "restart" then
		return "map_restart"
	end
	return nil
end

-- ---------------------------------------------------------------------------
-- Output
-- ---------------------------------------------------------------------------
local function write_gametime_file(name, text)
	local path = CONFIG.gametimes_dir .. "/" .. name
	local ok, fd, len = pcall(function() return et.trap_FS_FOpenFile(path, FS_WRITE) end)
	fd, len = toint(fd), toint(len)
	if not ok or fd == nil or fd <= 0 or (len ~= nil and len < 0) then
		log_once("open", "cannot open <fs_homepath>/<fs_game>/" .. path
			.. " for writing: create the '" .. CONFIG.gametimes_dir
			.. "' folder under fs_game and make it writable; this round's timing is NOT saved")
		return false
	end
	local okw, err = pcall(function() return et.trap_FS_Write(text, #text, fd) end)
	pcall(function() et.trap_FS_FCloseFile(fd) end)
	if not okw then
		log_once("write", "writing " .. path .. " failed: " .. tostring(err))
		return false
	end
	log("timing written: " .. path)
	return true
end

local function shell_quote(s)
	return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

local function webhook_target()
	local enabled = CONFIG.webhook_enabled == true or cvar("et_timing_webhook") == "1"
	if not enabled then
		return nil
	end
	local url = cvar("et_timing_webhook_url")
	if url == "" then
		url = tostring(CONFIG.webhook_url or "")
	end
	if not url:match("^https?://[%w%-%._~:/%?&=%%]+$") then
		log_once("webhook_url", "webhook enabled but the URL is empty or has unexpected characters; not sending")
		return nil
	end
	return url
end

-- webhook text as the upstream script wrote it: "12", "7.517"
local function timelimit_text(x)
	x = tonumber(x)
	if x == nil or x ~= x or x == math.huge or x == -math.huge then
		return "0"
	end
	local r = math.floor(x + 0.5)
	if math.abs(x - r) < 0.001 then
		return json_int(r)
	end
	local s = string.format("%.3f", x):gsub("0+$", ""):gsub("%.$", "")
	return s
end

local function fit_roster(items)
	-- Discord limits a field value to 1024 characters
	local kept = {}
	for _, p in ipairs(items) do
		kept[#kept + 1] = p
		if #json_array(kept) > 1024 then
			kept[#kept] = nil
			break
		end
	end
	return json_array(kept)
end

local function send_webhook(r, file_name)
	local url = webhook_target()
	if url == nil then
		return
	end
	local function field(name, value)
		return json_object({
			{ "name", json_string(name) }, { "value", json_string(value) }, { "inline", "true" },
		})
	end
	local fields = {
		field("Map", r.map),
		field("Round", json_int(r.round)),
		field("Winner", json_int(r.winner)),
		field("Defender", json_int(r.defender)),
		field("Lua_Playtime", json_int(r.playtime) .. " sec"),
		field("Lua_Timelimit", timelimit_text(r.timelimit) .. " min"),
		field("Lua_Pauses", json_int(r.pause_count) .. " (" .. json_int(r.pause_seconds) .. " sec)"),
		field("Lua_EndReason", r.end_reason),
		field("Lua_Warmup", json_int(r.warmup) .. " sec"),
		field("Lua_RoundStart", json_int(r.start_unix)),
		field("Lua_RoundEnd", json_int(r.end_unix)),
		field("Lua_SurrenderTeam", json_int(r.surrender_team)),
		field("Axis_JSON", fit_roster(r.axis)),
		field("Allies_JSON", fit_roster(r.allies)),
		field("Timing_File", file_name),
	}
	local body = json_object({
		{ "username", json_string("ET:Legacy Stats") },
		{ "content", json_string("STATS_READY") },
		{ "embeds", json_array({ json_object({
			{ "title", json_string("Round Complete: " .. r.map .. " R" .. json_int(r.round)) },
			{ "color", "3447003" },
			{ "fields", json_array(fields) },
			{ "footer", json_object({ { "text", json_string(MODNAME .. " v" .. VERSION) } }) },
		}) }) },
	})
	local tmp = os.tmpname()
	local fh = io.open(tmp, "wb")
	if not fh then
		log_once("webhook_tmp", "webhook: cannot create a temporary payload file; not sending")
		return
	end
	fh:write(body)
	fh:close()
	-- curl runs in the background: the frame never waits for the network
	local cmd = string.format(
		"(%s -s -m %d -H 'Content-Type: application/json' --data-binary @%s %s; rm -f %s) >/dev/null 2>&1 &",
		CONFIG.curl, toint(CONFIG.curl_timeout_seconds) or 15,
		shell_quote(tmp), shell_quote(url), shell_quote(tmp))
	os.execute(cmd)
	log("STATS_READY webhook started in the background")
end

-- ---------------------------------------------------------------------------
-- Round end (intermission or shutdown)
-- ---------------------------------------------------------------------------
local function end_round(path, restart)
	if S.ended then
		return
	end
	S.ended = true
	local t = now()
	close_pause(t, S.last_play_level)

	local start = S.start_unix or t
	local playtime = t - start - S.pause_total
	if playtime < 0 then
		playtime = 0
	end
	-- milliseconds of game time from the frame that started play to the frame that
	-- ended it, pauses excluded: Unix seconds alone are up to 1 s off at each end
	local playtime_ms = playtime * 1000
	if S.start_level and S.last_play_level then
		playtime_ms = S.last_play_level - S.start_level - S.pause_total_ms
		if playtime_ms < 0 then
			playtime_ms = 0
		end
		playtime = (playtime_ms + 500) // 1000
	end

	-- g_currentRound is flipped just before intermission (0 -> round 2 was
	-- played), which is what the stats files read too. On the shutdown path it
	-- was not flipped, or was reset to 0 (a map vote resets the match first), so
	-- the value read when play started says which round was being played.
	local cr = toint(cvar("g_currentRound")) or 0
	local round
	if path == "intermission" then
		round = (cr == 0) and 2 or 1
	elseif S.round_cvar == 0 or S.round_cvar == 1 then
		round = (S.round_cvar == 1) and 2 or 1
	else
		round = (cr == 1) and 2 or 1
	end

	local cs_winner = side_from_cs(CS_MULTI_MAPWINNER, "w")
	local defender = side_from_cs(CS_MULTI_INFO, "d")
	local winner = (path == "intermission") and cs_winner or 0
	local tl = timelimit_minutes()
	local clock = game_clock_ms()

	local end_reason, surrender_team = "objective", 0
	local sv = S.surrender_vote
	local vote_recent = sv ~= nil and (t - sv.unix) <= CONFIG.surrender_vote_window
	if path == "intermission" then
		if S.exit_kind == "surrender" then
			end_reason = "surrender"
			surrender_team = S.exit_team
		elseif S.exit_kind == "timelimit" then
			end_reason = "time_expired"
		elseif S.exit_kind == "objective" then
			end_reason = "objective"
		elseif tl and tl > 0 and ((clock and clock >= tl * 60000 - 1000)
			or (clock == nil and playtime >= tl * 60 - 2)) then
			-- no "Exit:" line seen: the game clock reached the time limit
			end_reason = "time_expired"
		elseif vote_recent and (sv.team == TEAM_AXIS or sv.team == TEAM_ALLIES) and winner == 3 - sv.team then
			-- no "Exit:" line seen: the round ended before the time limit
			-- while a surrender vote of the side that lost was running
			end_reason = "surrender"
			surrender_team = sv.team
		end
		if end_reason == "surrender" and surrender_team == 0 then
			if vote_recent and sv.team ~= 0 then
				surrender_team = sv.team
			elseif winner ~= 0 then
				surrender_team = 3 - winner
			end
		end
	else
		if S.shutdown_hint then
			end_reason = S.shutdown_hint
		elseif (toint(restart) or 0) ~= 0 then
			end_reason = "map_restart"
		elseif S.round_cvar == 1 and cr == 0 then
			-- round 2 was being played and the engine reset the match before
			-- the unload without any vote line or command reaching this module:
			-- what a passed map vote does (G_Map_v resets, then loads the map)
			end_reason = "map_change"
		else
			end_reason = "shutdown"
		end
	end

	local caller_guid, caller_name = "", ""
	if end_reason == "surrender" and sv then
		caller_guid, caller_name = sv.guid or "", sv.name or ""
	end

	local axis, allies = rosters()
	local warmup = 0
	if S.warmup_start and start >= S.warmup_start then
		warmup = start - S.warmup_start
	end

	local pause_items = {}
	for _, p in ipairs(S.pauses) do
		pause_items[#pause_items + 1] = json_object({
			{ "n", json_int(p.n) }, { "start", json_int(p.start) },
			{ "end", json_int(p["end"]) }, { "sec", json_int(p.sec) },
		})
	end

	local map = S.map ~= "" and S.map or safe_map(cvar("mapname"))
	local r = {
		map = map, round = round, start_unix = start, end_unix = t, playtime = playtime,
		warmup = warmup, pause_count = #S.pauses, pause_seconds = S.pause_total,
		winner = winner, defender = defender, end_reason = end_reason, timelimit = tl,
		surrender_team = surrender_team, axis = axis, allies = allies,
	}

	local text = json_object({
		{ "map", json_string(map) },
		{ "round", json_int(round) },
		{ "round_start_unix", json_int(start) },
		{ "round_end_unix", json_int(t) },
		{ "lua_playtime_seconds", json_int(playtime) },
		{ "lua_playtime_ms", json_int(playtime_ms) },
		{ "warmup_seconds", json_int(warmup) },
		{ "pause_count", json_int(#S.pauses) },
		{ "total_pause_seconds", json_int(S.pause_total) },
		{ "winner_team", json_int(winner) },
		{ "defender_team", json_int(defender) },
		{ "end_reason", json_string(end_reason) },
		{ "timelimit_minutes", json_decimal(tl, 3) },
		{ "surrender_team", json_int(surrender_team) },
		{ "server_name", json_string(strip_colours(cvar("sv_hostname"))) },
		{ "version", json_string(VERSION) },
		{ "axis_players", json_array(axis) },
		{ "allies_players", json_array(allies) },
		-- diagnostics (ignored by the pipeline parser)
		{ "module", json_string(MODNAME) },
		{ "end_path", json_string(path) },
		{ "g_current_round", json_int(cr) },
		{ "g_current_round_at_start", S.round_cvar and json_int(S.round_cvar) or "null" },
		{ "start_source", json_string(S.start_source or "") },
		{ "warmup_start_unix", S.warmup_start and json_int(S.warmup_start) or "null" },
		{ "pause_list", json_array(pause_items) },
		{ "exit_message", S.exit_message and json_string(S.exit_message) or "null" },
		{ "game_clock_seconds", clock and json_decimal(clock / 1000, 3) or "null" },
		{ "configstring_winner_team", json_int(cs_winner) },
		{ "surrender_caller_guid", json_string(caller_guid:sub(1, 32):upper()) },
		{ "surrender_caller_name", json_string(caller_name) },
		{ "engine_version", json_string(cvar("version")) },
		{ "lua_errors", json_int(S.errors) },
	}) .. "\n"

	local stamp = os.date("%Y-%m-%d-%H%M%S")
	local name = string.format("%s-%s-round-%d-timing.json", tostring(stamp), map, round)
	local written = write_gametime_file(name, text)
	if written then
		local ok, err = pcall(send_webhook, r, name)
		if not ok then
			log_once("webhook", "webhook failed: " .. tostring(err))
		end
	end
end

-- ---------------------------------------------------------------------------
-- Callback bodies
-- ---------------------------------------------------------------------------
local function on_init(levelTime, randomSeed, restart)
	S.level_time = toint(levelTime)
	S.init_restart = toint(restart) or 0
	S.map = safe_map(cvar("mapname"))
	local gs = read_gamestate()
	S.gamestate = gs
	pcall(function() et.RegisterModname(MODNAME) end)
	if gs == GS_PLAYING then
		start_round("init")
		S.last_vote_key = vote_key()
	elseif gs == GS_WARMUP or gs == GS_COUNTDOWN then
		note_warmup()
	end
	log(string.format("v%s loaded (map %s, gamestate %d, webhook %s)",
		VERSION, S.map, gs, webhook_target() and "on" or "off"))
end

local function on_frame(levelTime)
	local previous = S.level_time
	S.level_time = toint(levelTime) or S.level_time
	local gs = read_gamestate()
	S.gamestate = gs
	if gs == GS_PLAYING then
		if not S.started then
			start_round("frame")
		end
		if not S.ended then
			S.last_play_level = S.level_time
			track_pause(previous or S.level_time)
			watch_vote_string()
		end
	elseif gs == GS_INTERMISSION then
		if S.started and not S.ended then
			end_round("intermission")
		end
	elseif gs == GS_WARMUP or gs == GS_COUNTDOWN then
		if not S.started then
			note_warmup()
		end
	end
end

local function on_shutdown(restart)
	if not S.started or S.ended then
		return
	end
	if now() - (S.start_unix or 0) < CONFIG.min_shutdown_round_s then
		S.ended = true
		log("round ended by shutdown right after its start: no timing file")
		return
	end
	end_round("shutdown", restart)
end

local function on_print(a, b)
	local text = (type(a) == "string" and a) or (type(b) == "string" and b) or nil
	if text == nil or not S.started or S.ended then
		return
	end
	local line = text:gsub("^%s+", "")
	local msg = line:match("^Exit:%s*(.-)%s*$")
	if msg then
		S.exit_message = msg
		local l = msg:lower()
		local side = l:match("^(%a+)%s+surrender")
		if side then
			S.exit_kind = "surrender"
			S.exit_team = side_from_word(side)
		elseif l:find("timelimit", 1, true) then
			S.exit_kind = "timelimit"
		elseif l:find("endround", 1, true) then
			S.exit_kind = "objective"
		else
			S.exit_kind = "other"
		end
		return
	end
	local vote = line:match("^Vote Passed:%s*(.-)%s*$")
	if vote then
		local l = vote:lower()
		if l:find("surrender", 1, true) then
			note_surrender_vote(side_from_word(l:match("%[(%a+)%]")), "vote_passed")
		elseif (l:find("restart", 1, true) or l:find("reset", 1, true)) and not l:find("campaign", 1, true) then
			-- "Map Restart", "maprestart", "Match Reset", "matchreset"
			S.shutdown_hint = "map_restart"
		elseif l:find("map", 1, true) or l:find("campaign", 1, true) then
			-- "map <name>", "Change map to <name>", "nextmap", "Load Next Map", campaigns
			S.shutdown_hint = "map_change"
		end
	end
end

local function argv_words()
	local words = {}
	local ok, n = pcall(function() return et.trap_Argc() end)
	n = (ok and toint(n)) or 0
	for i = 0, math.min(n, 4) - 1 do
		local okv, w = pcall(function() return et.trap_Argv(i) end)
		words[#words + 1] = okv and tostring(w or "") or ""
	end
	return words
end

local function on_client_command(clientNum, command)
	if not S.started or S.ended then
		return
	end
	local words = argv_words()
	local cmd = tostring(command or words[1] or ""):lower()
	if cmd == "callvote" and (words[2] or ""):lower() == "surrender" then
		if read_gamestate() ~= GS_PLAYING then
			return
		end
		local team = toint(gentity(clientNum, "sess.sessionTeam")) or 0
		if team ~= TEAM_AXIS and team ~= TEAM_ALLIES then
			return
		end
		note_surrender_vote(team, "callvote", client_guid(clientNum), client_name(clientNum))
	elseif cmd == "ref" then
		local hint = classify_map_command(words)
		if hint then
			S.shutdown_hint = hint
		end
	end
end

local function on_console_command(command)
	if not S.started or S.ended then
		return
	end
	local words = argv_words()
	if #words == 0 and command then
		words = { tostring(command) }
	end
	local hint = classify_map_command(words)
	if hint then
		S.shutdown_hint = hint
	end
end

-- ---------------------------------------------------------------------------
-- Engine callbacks (globals by necessity; every one is error-proof)
-- ---------------------------------------------------------------------------
local function guard(name, fn, default)
	return function(...)
		local ok, err = pcall(fn, ...)
		if not ok then
			S.errors = S.errors + 1
			log_once("error:" .. name, "error in " .. name .. " (reported once, later ones only counted): "
				.. tostring(err))
		end
		return default
	end
end

et_InitGame = guard("et_InitGame", on_init)
et_RunFrame = guard("et_RunFrame", on_frame)
et_ShutdownGame = guard("et_ShutdownGame", on_shutdown)
et_Print = guard("et_Print", on_print)
-- return 0: never intercept commands that belong to the game or other modules
et_ClientCommand = guard("et_ClientCommand", on_client_command, 0)
et_ConsoleCommand = guard("et_ConsoleCommand", on_console_command, 0)
