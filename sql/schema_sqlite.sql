-- et-pipeline schema for sqlite, generated from et_pipeline/storage/schema.py; do not edit.

CREATE TABLE app_settings (
	"key" VARCHAR(40) NOT NULL, 
	value TEXT NOT NULL, 
	PRIMARY KEY ("key")
);

CREATE TABLE awards (
	id INTEGER NOT NULL, 
	session_date VARCHAR(10) NOT NULL, 
	source VARCHAR(260) NOT NULL, 
	round_key VARCHAR(120), 
	link_status VARCHAR(32) NOT NULL, 
	map VARCHAR(64) NOT NULL, 
	round_number INTEGER NOT NULL, 
	line INTEGER NOT NULL, 
	award VARCHAR(80) NOT NULL, 
	category VARCHAR(20) NOT NULL, 
	player VARCHAR(80) NOT NULL, 
	guid VARCHAR(8), 
	value_text VARCHAR(120) NOT NULL, 
	value_numeric FLOAT, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_awards_round ON awards (round_key, award);

CREATE INDEX ix_awards_round_key ON awards (round_key);

CREATE INDEX ix_awards_session_date ON awards (session_date);

CREATE INDEX ix_awards_source ON awards (source);

CREATE TABLE discord_posts (
	session_id VARCHAR(40) NOT NULL, 
	kind VARCHAR(80) NOT NULL, 
	session_date VARCHAR(10) NOT NULL, 
	message_id VARCHAR(32), 
	content_hash VARCHAR(64) NOT NULL, 
	updated_at VARCHAR(32) NOT NULL, 
	status VARCHAR(12) DEFAULT 'sent' NOT NULL, 
	error TEXT, 
	retry_at VARCHAR(32), 
	UNIQUE (session_id, kind)
);

CREATE INDEX ix_discord_posts_session_date ON discord_posts (session_date);

CREATE TABLE lua_round_teams (
	source VARCHAR(260) NOT NULL, 
	session_date VARCHAR(10) NOT NULL, 
	round_key VARCHAR(120), 
	link_status VARCHAR(32) NOT NULL, 
	delta_seconds FLOAT, 
	map VARCHAR(64) NOT NULL, 
	round_number INTEGER NOT NULL, 
	axis_players TEXT NOT NULL, 
	allies_players TEXT NOT NULL, 
	PRIMARY KEY (source), 
	UNIQUE (round_key)
);

CREATE INDEX ix_lua_round_teams_session_date ON lua_round_teams (session_date);

CREATE TABLE lua_timings (
	source VARCHAR(260) NOT NULL, 
	session_date VARCHAR(10) NOT NULL, 
	kind VARCHAR(20) NOT NULL, 
	map VARCHAR(64) NOT NULL, 
	round_number INTEGER NOT NULL, 
	round_start_unix BIGINT, 
	round_end_unix BIGINT, 
	round_end_local VARCHAR(19), 
	playtime_seconds FLOAT, 
	warmup_seconds INTEGER, 
	pause_count INTEGER NOT NULL, 
	pause_seconds INTEGER NOT NULL, 
	winner INTEGER, 
	defender INTEGER, 
	end_reason VARCHAR(32), 
	timelimit_minutes FLOAT, 
	surrender_team INTEGER, 
	axis_players TEXT NOT NULL, 
	allies_players TEXT NOT NULL, 
	pauses TEXT NOT NULL, 
	version VARCHAR(20), 
	PRIMARY KEY (source)
);

CREATE INDEX ix_lua_timings_session_date ON lua_timings (session_date);

CREATE TABLE map_results (
	session_date VARCHAR(10) NOT NULL, 
	session_id VARCHAR(40) NOT NULL, 
	play_index INTEGER NOT NULL, 
	map VARCHAR(64) NOT NULL, 
	r1_key VARCHAR(120) NOT NULL, 
	r2_key VARCHAR(120), 
	winner VARCHAR(4), 
	counted BOOLEAN NOT NULL, 
	note TEXT, 
	scoring_source VARCHAR(20) NOT NULL, 
	points_a INTEGER NOT NULL, 
	points_b INTEGER NOT NULL, 
	time_a VARCHAR(16), 
	time_b VARCHAR(16), 
	a_r1_side INTEGER, 
	r1_defender_side INTEGER, 
	winner_side INTEGER, 
	UNIQUE (session_id, play_index)
);

CREATE INDEX ix_map_results_session_date ON map_results (session_date);

CREATE TABLE night_checks (
	session_date VARCHAR(10) NOT NULL, 
	session_id VARCHAR(40) NOT NULL, 
	seq INTEGER NOT NULL, 
	check_name VARCHAR(40) NOT NULL, 
	status VARCHAR(8) NOT NULL, 
	round_file VARCHAR(160), 
	detail TEXT NOT NULL, 
	action TEXT, 
	UNIQUE (session_id, seq)
);

CREATE INDEX ix_night_checks_session_date ON night_checks (session_date);

CREATE TABLE night_versions (
	night VARCHAR(10) NOT NULL, 
	version VARCHAR(32) NOT NULL, 
	PRIMARY KEY (night)
);

CREATE TABLE partition_state (
	session_date VARCHAR(10) NOT NULL, 
	fingerprint VARCHAR(64) NOT NULL, 
	file_count INTEGER NOT NULL, 
	completed BOOLEAN NOT NULL, 
	PRIMARY KEY (session_date)
);

CREATE TABLE player_round_stats (
	round_key VARCHAR(120) NOT NULL, 
	session_date VARCHAR(10) NOT NULL, 
	player_key VARCHAR(80) NOT NULL, 
	guid VARCHAR(8) NOT NULL, 
	name VARCHAR(80) NOT NULL, 
	raw_name VARCHAR(160) NOT NULL, 
	side INTEGER NOT NULL, 
	is_bot BOOLEAN NOT NULL, 
	values_from VARCHAR(20) NOT NULL, 
	values_reason VARCHAR(20), 
	kills INTEGER NOT NULL, 
	deaths INTEGER NOT NULL, 
	headshots INTEGER NOT NULL, 
	hits INTEGER NOT NULL, 
	shots INTEGER NOT NULL, 
	damage_given INTEGER NOT NULL, 
	damage_received INTEGER NOT NULL, 
	team_damage_given INTEGER NOT NULL, 
	team_damage_received INTEGER NOT NULL, 
	gibs INTEGER NOT NULL, 
	self_kills INTEGER NOT NULL, 
	team_kills INTEGER NOT NULL, 
	team_gibs INTEGER NOT NULL, 
	xp INTEGER NOT NULL, 
	killing_spree INTEGER NOT NULL, 
	death_spree INTEGER NOT NULL, 
	kill_assists INTEGER NOT NULL, 
	kill_steals INTEGER NOT NULL, 
	headshot_kills INTEGER NOT NULL, 
	objectives_stolen INTEGER NOT NULL, 
	objectives_returned INTEGER NOT NULL, 
	dynamites_planted INTEGER NOT NULL, 
	dynamites_defused INTEGER NOT NULL, 
	times_revived INTEGER NOT NULL, 
	revives_given INTEGER NOT NULL, 
	bullets_fired INTEGER NOT NULL, 
	useful_kills INTEGER NOT NULL, 
	denied_playtime INTEGER NOT NULL, 
	multikill_2x INTEGER NOT NULL, 
	multikill_3x INTEGER NOT NULL, 
	multikill_4x INTEGER NOT NULL, 
	multikill_5x INTEGER NOT NULL, 
	multikill_6x INTEGER NOT NULL, 
	useless_kills INTEGER NOT NULL, 
	full_selfkills INTEGER NOT NULL, 
	repairs_constructions INTEGER NOT NULL, 
	time_played_seconds INTEGER NOT NULL, 
	time_played_minutes FLOAT NOT NULL, 
	time_played_percent FLOAT NOT NULL, 
	time_dead_minutes FLOAT NOT NULL, 
	time_dead_ratio FLOAT NOT NULL, 
	tank_meatshield FLOAT NOT NULL, 
	accuracy FLOAT NOT NULL, 
	kd_ratio FLOAT NOT NULL, 
	efficiency FLOAT NOT NULL, 
	dpm FLOAT NOT NULL, 
	UNIQUE (round_key, player_key)
);

CREATE INDEX ix_player_round_stats_round_key ON player_round_stats (round_key);

CREATE INDEX ix_player_round_stats_session_date ON player_round_stats (session_date);

CREATE TABLE rating_snapshots (
	token VARCHAR(64) NOT NULL, 
	state BLOB NOT NULL, 
	used_unix FLOAT NOT NULL, 
	PRIMARY KEY (token)
);

CREATE TABLE raw_files (
	path VARCHAR(300) NOT NULL, 
	session_date VARCHAR(10) NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	content BLOB NOT NULL, 
	PRIMARY KEY (path)
);

CREATE INDEX ix_raw_files_session_date ON raw_files (session_date);

CREATE TABLE rounds (
	round_key VARCHAR(120) NOT NULL, 
	session_date VARCHAR(10) NOT NULL, 
	session_id VARCHAR(40) NOT NULL, 
	file VARCHAR(260) NOT NULL, 
	map VARCHAR(64) NOT NULL, 
	round_number INTEGER NOT NULL, 
	file_round INTEGER NOT NULL, 
	local_time VARCHAR(19) NOT NULL, 
	match_id VARCHAR(40) NOT NULL, 
	orphan BOOLEAN NOT NULL, 
	pair_key VARCHAR(120), 
	pairing VARCHAR(20) NOT NULL, 
	format VARCHAR(20) NOT NULL, 
	server_name TEXT, 
	config VARCHAR(64), 
	defender INTEGER, 
	winner INTEGER, 
	time_limit VARCHAR(16), 
	next_time_limit VARCHAR(16), 
	time_limit_seconds INTEGER, 
	next_time_limit_seconds INTEGER, 
	header_playtime_seconds FLOAT, 
	aborted BOOLEAN NOT NULL, 
	has_bots BOOLEAN NOT NULL, 
	player_count INTEGER NOT NULL, 
	PRIMARY KEY (round_key)
);

CREATE INDEX ix_rounds_session_date ON rounds (session_date);

CREATE TABLE season_achievements (
	guid VARCHAR(8) NOT NULL, 
	achievement VARCHAR(32) NOT NULL, 
	night VARCHAR(10) NOT NULL, 
	value FLOAT NOT NULL, 
	detail TEXT NOT NULL, 
	UNIQUE (guid, achievement)
);

CREATE INDEX ix_season_achievements_night ON season_achievements (night);

CREATE TABLE season_aliases (
	guid VARCHAR(8) NOT NULL, 
	name VARCHAR(80) NOT NULL, 
	first_seen VARCHAR(10) NOT NULL, 
	last_seen VARCHAR(10) NOT NULL, 
	rounds INTEGER NOT NULL, 
	UNIQUE (guid, name)
);

CREATE TABLE season_awards (
	period VARCHAR(10) NOT NULL, 
	kind VARCHAR(8) NOT NULL, 
	award VARCHAR(24) NOT NULL, 
	guid VARCHAR(8) NOT NULL, 
	value FLOAT NOT NULL, 
	rule TEXT NOT NULL, 
	final BOOLEAN NOT NULL, 
	UNIQUE (period, award)
);

CREATE TABLE season_careers (
	scope VARCHAR(16) NOT NULL, 
	"key" VARCHAR(64) NOT NULL, 
	guid VARCHAR(8) NOT NULL, 
	nights INTEGER NOT NULL, 
	maps_played INTEGER NOT NULL, 
	maps_won INTEGER NOT NULL, 
	maps_lost INTEGER NOT NULL, 
	maps_drawn INTEGER NOT NULL, 
	rounds INTEGER NOT NULL, 
	kills INTEGER NOT NULL, 
	deaths INTEGER NOT NULL, 
	damage_given INTEGER NOT NULL, 
	damage_received INTEGER NOT NULL, 
	revives_given INTEGER NOT NULL, 
	gibs INTEGER NOT NULL, 
	time_played_seconds INTEGER NOT NULL, 
	aimed_hits INTEGER NOT NULL, 
	aimed_shots INTEGER NOT NULL, 
	aimed_headshots INTEGER NOT NULL, 
	kd FLOAT NOT NULL, 
	dpm FLOAT NOT NULL, 
	accuracy FLOAT NOT NULL, 
	hs_percent FLOAT NOT NULL, 
	awards TEXT NOT NULL, 
	UNIQUE (scope, "key", guid)
);

CREATE TABLE season_duels (
	night VARCHAR(10) NOT NULL, 
	rank INTEGER NOT NULL, 
	guid_a VARCHAR(8) NOT NULL, 
	guid_b VARCHAR(8) NOT NULL, 
	kills_a INTEGER NOT NULL, 
	kills_b INTEGER NOT NULL, 
	UNIQUE (night, rank)
);

CREATE INDEX ix_season_duels_night ON season_duels (night);

CREATE TABLE season_duos (
	guid_a VARCHAR(8) NOT NULL, 
	guid_b VARCHAR(8) NOT NULL, 
	played INTEGER NOT NULL, 
	won INTEGER NOT NULL, 
	lost INTEGER NOT NULL, 
	drawn INTEGER NOT NULL, 
	win_rate FLOAT NOT NULL, 
	nights INTEGER NOT NULL, 
	first_night VARCHAR(10) NOT NULL, 
	last_night VARCHAR(10) NOT NULL, 
	UNIQUE (guid_a, guid_b)
);

CREATE TABLE season_form (
	guid VARCHAR(8) NOT NULL, 
	night VARCHAR(10) NOT NULL, 
	ago INTEGER NOT NULL, 
	rounds INTEGER NOT NULL, 
	maps_won INTEGER NOT NULL, 
	maps_lost INTEGER NOT NULL, 
	maps_drawn INTEGER NOT NULL, 
	kills INTEGER NOT NULL, 
	deaths INTEGER NOT NULL, 
	kd FLOAT NOT NULL, 
	damage_given INTEGER NOT NULL, 
	dpm FLOAT NOT NULL, 
	UNIQUE (guid, night)
);

CREATE TABLE season_head_to_head (
	guid VARCHAR(8) NOT NULL, 
	opponent VARCHAR(8) NOT NULL, 
	kills INTEGER NOT NULL, 
	deaths INTEGER NOT NULL, 
	rounds INTEGER NOT NULL, 
	UNIQUE (guid, opponent)
);

CREATE TABLE season_lineups (
	lineup TEXT NOT NULL, 
	size INTEGER NOT NULL, 
	played INTEGER NOT NULL, 
	won INTEGER NOT NULL, 
	lost INTEGER NOT NULL, 
	drawn INTEGER NOT NULL, 
	win_rate FLOAT NOT NULL, 
	nights INTEGER NOT NULL, 
	first_night VARCHAR(10) NOT NULL, 
	last_night VARCHAR(10) NOT NULL
);

CREATE TABLE season_map_records (
	map VARCHAR(64) NOT NULL, 
	fastest_attack_seconds INTEGER, 
	guids TEXT NOT NULL, 
	night VARCHAR(10), 
	session_id VARCHAR(40), 
	r1_file VARCHAR(260), 
	round INTEGER, 
	successful_attacks INTEGER NOT NULL, 
	verified BOOLEAN, 
	unverified_attacks INTEGER NOT NULL, 
	full_holds INTEGER NOT NULL, 
	holds TEXT NOT NULL, 
	PRIMARY KEY (map)
);

CREATE TABLE season_personal_bests (
	guid VARCHAR(8) NOT NULL, 
	measure VARCHAR(24) NOT NULL, 
	value FLOAT NOT NULL, 
	night VARCHAR(10) NOT NULL, 
	round_file VARCHAR(260) NOT NULL, 
	UNIQUE (guid, measure)
);

CREATE TABLE season_players (
	guid VARCHAR(8) NOT NULL, 
	name VARCHAR(80) NOT NULL, 
	aliases TEXT NOT NULL, 
	is_bot BOOLEAN NOT NULL, 
	first_seen VARCHAR(10) NOT NULL, 
	last_seen VARCHAR(10) NOT NULL, 
	nights INTEGER NOT NULL, 
	rounds INTEGER NOT NULL, 
	PRIMARY KEY (guid)
);

CREATE TABLE season_prediction_quality (
	scope VARCHAR(16) NOT NULL, 
	predictor VARCHAR(16) NOT NULL, 
	maps INTEGER NOT NULL, 
	log_loss FLOAT, 
	brier FLOAT, 
	UNIQUE (scope, predictor)
);

CREATE TABLE season_predictions (
	"key" VARCHAR(310) NOT NULL, 
	night VARCHAR(10) NOT NULL, 
	session_id VARCHAR(40) NOT NULL, 
	map VARCHAR(64) NOT NULL, 
	start_unix FLOAT NOT NULL, 
	p_before FLOAT NOT NULL, 
	p_after_r1 FLOAT, 
	p_rating FLOAT NOT NULL, 
	r1_attackers VARCHAR(1), 
	r1_seconds FLOAT, 
	r1_outcome VARCHAR(12) NOT NULL, 
	winner VARCHAR(3) NOT NULL, 
	maps_before INTEGER NOT NULL, 
	provisional INTEGER NOT NULL, 
	PRIMARY KEY ("key")
);

CREATE INDEX ix_season_predictions_night ON season_predictions (night);

CREATE TABLE season_rating_calibration (
	bin VARCHAR(8) NOT NULL, 
	maps INTEGER NOT NULL, 
	predicted FLOAT NOT NULL, 
	observed FLOAT NOT NULL, 
	UNIQUE (bin)
);

CREATE TABLE season_rating_history (
	guid VARCHAR(8) NOT NULL, 
	night VARCHAR(10) NOT NULL, 
	value FLOAT NOT NULL, 
	uncertainty FLOAT NOT NULL, 
	provisional BOOLEAN NOT NULL, 
	maps INTEGER NOT NULL, 
	night_maps INTEGER NOT NULL, 
	change FLOAT NOT NULL, 
	UNIQUE (guid, night)
);

CREATE TABLE season_rating_quality (
	scope VARCHAR(16) NOT NULL, 
	predictor VARCHAR(16) NOT NULL, 
	maps INTEGER NOT NULL, 
	log_loss FLOAT, 
	brier FLOAT, 
	accuracy FLOAT, 
	accuracy_low FLOAT, 
	accuracy_high FLOAT, 
	UNIQUE (scope, predictor)
);

CREATE TABLE season_ratings (
	guid VARCHAR(8) NOT NULL, 
	value FLOAT NOT NULL, 
	uncertainty FLOAT NOT NULL, 
	provisional BOOLEAN NOT NULL, 
	maps INTEGER NOT NULL, 
	last_night VARCHAR(10) NOT NULL, 
	UNIQUE (guid)
);

CREATE TABLE season_records_fell (
	night VARCHAR(10) NOT NULL, 
	record VARCHAR(96) NOT NULL, 
	value FLOAT NOT NULL, 
	holder TEXT NOT NULL, 
	detail VARCHAR(260) NOT NULL, 
	previous_value FLOAT NOT NULL, 
	previous_holder TEXT NOT NULL, 
	previous_night VARCHAR(10) NOT NULL, 
	UNIQUE (night, record)
);

CREATE INDEX ix_season_records_fell_night ON season_records_fell (night);

CREATE TABLE season_rivalries (
	guid VARCHAR(8) NOT NULL, 
	rounds INTEGER NOT NULL, 
	rounds_with_vs_data INTEGER NOT NULL, 
	nemesis VARCHAR(8), 
	nemesis_kills INTEGER, 
	nemesis_deaths INTEGER, 
	prey VARCHAR(8), 
	prey_kills INTEGER, 
	prey_deaths INTEGER, 
	PRIMARY KEY (guid)
);

CREATE TABLE season_round_records (
	record VARCHAR(32) NOT NULL, 
	rank INTEGER NOT NULL, 
	label VARCHAR(80) NOT NULL, 
	value FLOAT NOT NULL, 
	guid VARCHAR(8) NOT NULL, 
	night VARCHAR(10) NOT NULL, 
	session_id VARCHAR(40) NOT NULL, 
	map VARCHAR(64) NOT NULL, 
	round_key VARCHAR(120) NOT NULL, 
	UNIQUE (record, rank)
);

CREATE TABLE server_files (
	path VARCHAR(300) NOT NULL, 
	session_date VARCHAR(10), 
	folder VARCHAR(20) NOT NULL, 
	name VARCHAR(260) NOT NULL, 
	kind VARCHAR(20), 
	size BIGINT NOT NULL, 
	mtime FLOAT NOT NULL, 
	sha256 VARCHAR(64), 
	status VARCHAR(20) NOT NULL, 
	error TEXT, 
	round_key VARCHAR(120), 
	on_server BOOLEAN DEFAULT 1 NOT NULL, 
	PRIMARY KEY (path)
);

CREATE INDEX ix_server_files_session_date ON server_files (session_date);

CREATE TABLE session_results (
	session_id VARCHAR(40) NOT NULL, 
	session_date VARCHAR(10) NOT NULL, 
	team_a_name VARCHAR(64) NOT NULL, 
	team_b_name VARCHAR(64) NOT NULL, 
	score_a INTEGER NOT NULL, 
	score_b INTEGER NOT NULL, 
	winner VARCHAR(4), 
	maps_counted INTEGER NOT NULL, 
	maps_total INTEGER NOT NULL, 
	format VARCHAR(16), 
	PRIMARY KEY (session_id)
);

CREATE INDEX ix_session_results_session_date ON session_results (session_date);

CREATE TABLE session_teams (
	session_date VARCHAR(10) NOT NULL, 
	session_id VARCHAR(40) NOT NULL, 
	team VARCHAR(1) NOT NULL, 
	team_name VARCHAR(64) NOT NULL, 
	player_key VARCHAR(80) NOT NULL, 
	guid VARCHAR(8) NOT NULL, 
	name VARCHAR(80) NOT NULL, 
	joined_round VARCHAR(120) NOT NULL, 
	UNIQUE (session_id, player_key)
);

CREATE INDEX ix_session_teams_session_date ON session_teams (session_date);

CREATE TABLE sessions (
	session_id VARCHAR(40) NOT NULL, 
	session_date VARCHAR(10) NOT NULL, 
	start VARCHAR(19) NOT NULL, 
	"end" VARCHAR(19) NOT NULL, 
	round_count INTEGER NOT NULL, 
	PRIMARY KEY (session_id)
);

CREATE INDEX ix_sessions_session_date ON sessions (session_date);

CREATE TABLE timing_comparison (
	round_key VARCHAR(120) NOT NULL, 
	session_date VARCHAR(10) NOT NULL, 
	stats_seconds FLOAT, 
	stats_source VARCHAR(32), 
	lua_seconds FLOAT, 
	diff_seconds FLOAT, 
	status VARCHAR(16) NOT NULL, 
	cause TEXT, 
	PRIMARY KEY (round_key)
);

CREATE INDEX ix_timing_comparison_session_date ON timing_comparison (session_date);

CREATE TABLE vs_stats (
	id INTEGER NOT NULL, 
	session_date VARCHAR(10) NOT NULL, 
	source VARCHAR(260) NOT NULL, 
	round_key VARCHAR(120), 
	subject_name VARCHAR(80), 
	subject_guid VARCHAR(8), 
	opponent VARCHAR(80) NOT NULL, 
	kills INTEGER NOT NULL, 
	deaths INTEGER NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_vs_stats_session_date ON vs_stats (session_date);

CREATE INDEX ix_vs_stats_source ON vs_stats (source);

CREATE TABLE weapon_round_stats (
	round_key VARCHAR(120) NOT NULL, 
	session_date VARCHAR(10) NOT NULL, 
	player_key VARCHAR(80) NOT NULL, 
	weapon VARCHAR(24) NOT NULL, 
	hits INTEGER NOT NULL, 
	shots INTEGER NOT NULL, 
	kills INTEGER NOT NULL, 
	deaths INTEGER NOT NULL, 
	headshots INTEGER NOT NULL, 
	UNIQUE (round_key, player_key, weapon)
);

CREATE INDEX ix_weapon_round_stats_round_key ON weapon_round_stats (round_key);

CREATE INDEX ix_weapon_round_stats_session_date ON weapon_round_stats (session_date);
