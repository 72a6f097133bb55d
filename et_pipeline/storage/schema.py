"""SQLAlchemy Core metadata for every table the pipeline writes.

Every table but `discord_posts` carries `session_date`, the partition key: an asset
deletes its partition's rows and inserts the new ones in one transaction, so
re-materialising a date is always safe. `discord_posts` outlives re-runs on purpose: it
remembers which Discord message holds which content, so nothing is ever posted twice.
Round identity is the stats file stem (`rounds.round_key`), stable across re-imports.
"""
from sqlalchemy import (
    BigInteger, Boolean, Column, Float, Index, Integer, LargeBinary, MetaData, String, Table, Text,
    UniqueConstraint, true,
)

metadata = MetaData()

PLAYER_STAT_COLUMNS = (
    # integers
    "kills", "deaths", "headshots", "hits", "shots", "damage_given", "damage_received",
    "team_damage_given", "team_damage_received", "gibs", "self_kills", "team_kills", "team_gibs",
    "xp", "killing_spree", "death_spree", "kill_assists", "kill_steals", "headshot_kills",
    "objectives_stolen", "objectives_returned", "dynamites_planted", "dynamites_defused",
    "times_revived", "revives_given", "bullets_fired", "useful_kills", "denied_playtime",
    "multikill_2x", "multikill_3x", "multikill_4x", "multikill_5x", "multikill_6x",
    "useless_kills", "full_selfkills", "repairs_constructions", "time_played_seconds",
)
PLAYER_RATIO_COLUMNS = (
    "time_played_minutes", "time_played_percent", "time_dead_minutes", "time_dead_ratio",
    "tank_meatshield", "accuracy", "kd_ratio", "efficiency", "dpm",
)


def _sd() -> Column:
    return Column("session_date", String(10), nullable=False, index=True)


server_files = Table(
    "server_files", metadata,
    Column("path", String(300), primary_key=True),          # folder/name on the server
    Column("session_date", String(10), index=True),          # NULL: belongs to no session (yet)
    Column("folder", String(20), nullable=False),
    Column("name", String(260), nullable=False),
    Column("kind", String(20)),                              # stats|endstats|timing|gametime|NULL
    Column("size", BigInteger, nullable=False),
    Column("mtime", Float, nullable=False),
    Column("sha256", String(64)),
    Column("status", String(20), nullable=False),           # registered|parsed|quarantined|duplicate|unassigned
    Column("error", Text),
    Column("round_key", String(120)),
    # False: the server no longer lists it; archived rows stay (the archive is ours, DESIGN 1)
    Column("on_server", Boolean, nullable=False, server_default=true()),
)

raw_files = Table(
    "raw_files", metadata,
    Column("path", String(300), primary_key=True),
    _sd(),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
)

partition_state = Table(
    "partition_state", metadata,
    Column("session_date", String(10), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("file_count", Integer, nullable=False),
    Column("completed", Boolean, nullable=False),            # set by the last asset of the job
)

sessions = Table(
    "sessions", metadata,
    Column("session_id", String(40), primary_key=True),
    _sd(),
    Column("start", String(19), nullable=False),
    Column("end", String(19), nullable=False),
    Column("round_count", Integer, nullable=False),
)

rounds = Table(
    "rounds", metadata,
    Column("round_key", String(120), primary_key=True),
    _sd(),
    Column("session_id", String(40), nullable=False),
    Column("file", String(260), nullable=False),
    Column("map", String(64), nullable=False),
    Column("round_number", Integer, nullable=False),         # effective: an aborted R2 is 2
    Column("file_round", Integer, nullable=False),           # as the file name says
    Column("local_time", String(19), nullable=False),
    Column("match_id", String(40), nullable=False),
    Column("orphan", Boolean, nullable=False),
    Column("pair_key", String(120)),                         # the other round of the match
    Column("pairing", String(20), nullable=False),           # complete|abandoned_r1|orphan_r2|pending_r1
    Column("format", String(20), nullable=False),
    Column("server_name", Text),
    Column("config", String(64)),
    Column("defender", Integer),
    Column("winner", Integer),
    Column("time_limit", String(16)),
    Column("next_time_limit", String(16)),
    Column("time_limit_seconds", Integer),
    Column("next_time_limit_seconds", Integer),
    Column("header_playtime_seconds", Float),
    Column("aborted", Boolean, nullable=False),              # never ended (FORMATS 5 #9; domain.pairing)
    Column("has_bots", Boolean, nullable=False),
    Column("player_count", Integer, nullable=False),
)

player_round_stats = Table(
    "player_round_stats", metadata,
    Column("round_key", String(120), nullable=False, index=True),
    _sd(),
    Column("player_key", String(80), nullable=False),
    Column("guid", String(8), nullable=False),
    Column("name", String(80), nullable=False),
    Column("raw_name", String(160), nullable=False),
    Column("side", Integer, nullable=False),
    Column("is_bot", Boolean, nullable=False),
    Column("values_from", String(20), nullable=False),       # file|differential|raw_r2_reset|raw_r2_new
    Column("values_reason", String(20)),                     # round 2: why (domain.r2_rule.R2Rule.reason)
    *[Column(c, Integer, nullable=False) for c in PLAYER_STAT_COLUMNS],
    *[Column(c, Float, nullable=False) for c in PLAYER_RATIO_COLUMNS],
    UniqueConstraint("round_key", "player_key"),
)

weapon_round_stats = Table(
    "weapon_round_stats", metadata,
    Column("round_key", String(120), nullable=False, index=True),
    _sd(),
    Column("player_key", String(80), nullable=False),
    Column("weapon", String(24), nullable=False),
    Column("hits", Integer, nullable=False),
    Column("shots", Integer, nullable=False),
    Column("kills", Integer, nullable=False),
    Column("deaths", Integer, nullable=False),
    Column("headshots", Integer, nullable=False),
    UniqueConstraint("round_key", "player_key", "weapon"),
)

lua_timings = Table(
    "lua_timings", metadata,
    Column("source", String(260), primary_key=True),         # timing file name
    _sd(),
    Column("kind", String(20), nullable=False),              # gametime|timing
    Column("map", String(64), nullable=False),
    Column("round_number", Integer, nullable=False),
    Column("round_start_unix", BigInteger),
    Column("round_end_unix", BigInteger),
    Column("round_end_local", String(19)),
    Column("playtime_seconds", Float),
    Column("warmup_seconds", Integer),
    Column("pause_count", Integer, nullable=False),
    Column("pause_seconds", Integer, nullable=False),
    Column("winner", Integer),
    Column("defender", Integer),
    Column("end_reason", String(32)),
    Column("timelimit_minutes", Float),
    Column("surrender_team", Integer),
    Column("axis_players", Text, nullable=False),            # JSON [{guid, name}]
    Column("allies_players", Text, nullable=False),
    Column("pauses", Text, nullable=False),
    Column("version", String(20)),
)

lua_round_teams = Table(
    "lua_round_teams", metadata,
    Column("source", String(260), primary_key=True),
    _sd(),
    Column("round_key", String(120), unique=True),           # NULL: not linked (see link_status)
    Column("link_status", String(32), nullable=False),       # exact|nearest|ambiguous_tie|no_round_in_window
    Column("delta_seconds", Float),
    Column("map", String(64), nullable=False),
    Column("round_number", Integer, nullable=False),
    Column("axis_players", Text, nullable=False),
    Column("allies_players", Text, nullable=False),
)

awards = Table(
    "awards", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _sd(),
    Column("source", String(260), nullable=False, index=True),
    Column("round_key", String(120), index=True),
    Column("link_status", String(32), nullable=False),
    Column("map", String(64), nullable=False),
    Column("round_number", Integer, nullable=False),
    Column("line", Integer, nullable=False),
    Column("award", String(80), nullable=False),
    Column("category", String(20), nullable=False),
    Column("player", String(80), nullable=False),
    Column("guid", String(8)),
    Column("value_text", String(120), nullable=False),
    Column("value_numeric", Float),
)

vs_stats = Table(
    "vs_stats", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _sd(),
    Column("source", String(260), nullable=False, index=True),
    Column("round_key", String(120)),
    Column("subject_name", String(80)),
    Column("subject_guid", String(8)),
    Column("opponent", String(80), nullable=False),
    Column("kills", Integer, nullable=False),
    Column("deaths", Integer, nullable=False),
)

session_teams = Table(
    "session_teams", metadata,
    _sd(),
    Column("session_id", String(40), nullable=False),
    Column("team", String(1), nullable=False),               # A|B
    Column("team_name", String(64), nullable=False),
    Column("player_key", String(80), nullable=False),
    Column("guid", String(8), nullable=False),
    Column("name", String(80), nullable=False),
    Column("joined_round", String(120), nullable=False),
    UniqueConstraint("session_id", "player_key"),
)

map_results = Table(
    "map_results", metadata,
    _sd(),
    Column("session_id", String(40), nullable=False),
    Column("play_index", Integer, nullable=False),
    Column("map", String(64), nullable=False),
    Column("r1_key", String(120), nullable=False),
    Column("r2_key", String(120)),
    Column("winner", String(4)),                             # A|B|tie|NULL
    Column("counted", Boolean, nullable=False),
    Column("note", Text),
    Column("scoring_source", String(20), nullable=False),
    Column("points_a", Integer, nullable=False),
    Column("points_b", Integer, nullable=False),
    Column("time_a", String(16)),
    Column("time_b", String(16)),
    Column("a_r1_side", Integer),
    Column("r1_defender_side", Integer),
    Column("winner_side", Integer),
    UniqueConstraint("session_id", "play_index"),
)

session_results = Table(
    "session_results", metadata,
    Column("session_id", String(40), primary_key=True),
    _sd(),
    Column("team_a_name", String(64), nullable=False),
    Column("team_b_name", String(64), nullable=False),
    Column("score_a", Integer, nullable=False),
    Column("score_b", Integer, nullable=False),
    Column("winner", String(4)),                             # A|B|tie|NULL (nothing counted)
    Column("maps_counted", Integer, nullable=False),
    Column("maps_total", Integer, nullable=False),
    Column("format", String(16)),
)

timing_comparison = Table(
    "timing_comparison", metadata,
    Column("round_key", String(120), primary_key=True),
    _sd(),
    Column("stats_seconds", Float),
    Column("stats_source", String(32)),
    Column("lua_seconds", Float),
    Column("diff_seconds", Float),
    Column("status", String(16), nullable=False),            # ALIGNED|MINOR_DIFF|DISCREPANCY|NO_LUA_DATA
    Column("cause", Text),
)

night_checks = Table(
    "night_checks", metadata,
    _sd(),
    Column("session_id", String(40), nullable=False),
    Column("seq", Integer, nullable=False),                  # the report's order
    Column("check_name", String(40), nullable=False),        # domain.night_checks.CHECKS
    Column("status", String(8), nullable=False),             # pass | warn | fail
    Column("round_file", String(160)),                       # null: the whole session
    Column("detail", Text, nullable=False),
    Column("action", Text),                                  # what an admin should do (warn, fail)
    UniqueConstraint("session_id", "seq"),
)

discord_posts = Table(
    "discord_posts", metadata,
    Column("session_id", String(40), nullable=False),
    Column("kind", String(80), nullable=False),              # message key within the session
    Column("session_date", String(10), nullable=False, index=True),
    Column("message_id", String(32)),
    Column("content_hash", String(64), nullable=False),
    Column("updated_at", String(32), nullable=False),
    # the outbox state (publish/outbox.py): pending -> sent | ambiguous | rejected | deferred
    Column("status", String(12), nullable=False, server_default="sent"),
    Column("error", Text),
    # Discord asked us to wait (a long 429): not sent before this UTC time, then by a new run
    Column("retry_at", String(32)),
    UniqueConstraint("session_id", "kind"),
)

# One row per setting of the database as a whole: `source`, the game server whose nights
# it holds (storage.registry.claim_source).
app_settings = Table(
    "app_settings", metadata,
    Column("key", String(40), primary_key=True),
    Column("value", Text, nullable=False),
)

# One row per session date (`night`: not a partitioned table, a forget never removes it): a
# new `version` whenever any of the date's nightly rows are replaced
# (storage.database.replace_partition) or forgotten (storage.registry.forget_dates). Never
# deleted, so a set of versions never comes back once it changed. What a result computed
# from earlier nights is keyed by (season.rating_cache).
night_versions = Table(
    "night_versions", metadata,
    Column("night", String(10), primary_key=True),
    Column("version", String(32), nullable=False),
)

# The rating as it stood after a set of nights (season.rating_cache): `token` names the
# nights' versions, the rules and the rating's code; `state` holds arrays and JSON only;
# `used_unix`: stored or last read (the least recently used go first).
rating_snapshots = Table(
    "rating_snapshots", metadata,
    Column("token", String(64), primary_key=True),
    Column("state", LargeBinary, nullable=False),
    Column("used_unix", Float, nullable=False),
)

Index("ix_awards_round", awards.c.round_key, awards.c.award)

# --------------------------------------------------------------------------- season layer (issue 13)
# Unpartitioned: each season asset rebuilds its tables whole from the nightly tables (no
# `session_date` column, so a partition wipe never touches them). Written by
# et_pipeline/defs/season_assets.py; shapes documented in et_pipeline/season/.

def _season_numbers() -> list[Column]:
    ints = ("nights", "maps_played", "maps_won", "maps_lost", "maps_drawn", "rounds", "kills", "deaths",
            "damage_given", "damage_received", "revives_given", "gibs", "time_played_seconds", "aimed_hits",
            "aimed_shots", "aimed_headshots")
    return [*[Column(c, Integer, nullable=False) for c in ints],
            *[Column(c, Float, nullable=False) for c in ("kd", "dpm", "accuracy", "hs_percent")]]


season_players = Table(
    "season_players", metadata,
    Column("guid", String(8), primary_key=True),
    Column("name", String(80), nullable=False),              # the latest name
    Column("aliases", Text, nullable=False),                 # JSON list, first seen first
    Column("is_bot", Boolean, nullable=False),               # listed, flagged, in no other season table
    Column("first_seen", String(10), nullable=False),
    Column("last_seen", String(10), nullable=False),
    Column("nights", Integer, nullable=False),
    Column("rounds", Integer, nullable=False),
)

season_aliases = Table(
    "season_aliases", metadata,
    Column("guid", String(8), nullable=False),
    Column("name", String(80), nullable=False),
    Column("first_seen", String(10), nullable=False),
    Column("last_seen", String(10), nullable=False),
    Column("rounds", Integer, nullable=False),
    UniqueConstraint("guid", "name"),
)

season_careers = Table(
    "season_careers", metadata,
    Column("scope", String(16), nullable=False),             # all | month | quarter | year | map
    Column("key", String(64), nullable=False),               # the period or map name; "" for all-time
    Column("guid", String(8), nullable=False),
    *_season_numbers(),
    Column("awards", Text, nullable=False),                  # JSON {award: times won}
    UniqueConstraint("scope", "key", "guid"),
)

season_form = Table(
    "season_form", metadata,
    Column("guid", String(8), nullable=False),
    Column("night", String(10), nullable=False),
    Column("ago", Integer, nullable=False),                  # 0 = the player's latest night
    Column("rounds", Integer, nullable=False),
    Column("maps_won", Integer, nullable=False),
    Column("maps_lost", Integer, nullable=False),
    Column("maps_drawn", Integer, nullable=False),
    Column("kills", Integer, nullable=False),
    Column("deaths", Integer, nullable=False),
    Column("kd", Float, nullable=False),
    Column("damage_given", Integer, nullable=False),
    Column("dpm", Float, nullable=False),
    UniqueConstraint("guid", "night"),
)

season_map_records = Table(
    "season_map_records", metadata,
    Column("map", String(64), primary_key=True),
    Column("fastest_attack_seconds", Integer),               # NULL: no successful attack yet
    Column("guids", Text, nullable=False),                   # JSON list of the attackers
    Column("night", String(10)),
    Column("session_id", String(40)),
    Column("r1_file", String(260)),
    Column("round", Integer),
    Column("successful_attacks", Integer, nullable=False),
    Column("verified", Boolean),                             # the record's round had Lua data (no surrender)
    Column("unverified_attacks", Integer, nullable=False),  # attackers won, no Lua data: maybe a surrender
    Column("full_holds", Integer, nullable=False),
    Column("holds", Text, nullable=False),                   # JSON [{date, session_id, r1_file, guids}]
)

season_round_records = Table(
    "season_round_records", metadata,
    Column("record", String(32), nullable=False),            # round_kills | round_damage | round_dpm
    Column("rank", Integer, nullable=False),
    Column("label", String(80), nullable=False),
    Column("value", Float, nullable=False),
    Column("guid", String(8), nullable=False),
    Column("night", String(10), nullable=False),
    Column("session_id", String(40), nullable=False),
    Column("map", String(64), nullable=False),
    Column("round_key", String(120), nullable=False),
    UniqueConstraint("record", "rank"),
)

season_records_fell = Table(
    "season_records_fell", metadata,
    Column("night", String(10), nullable=False, index=True),
    Column("record", String(96), nullable=False),            # fastest_attack:<map> | round_kills | ...
    Column("value", Float, nullable=False),
    Column("holder", Text, nullable=False),                  # GUID(s), comma-separated
    Column("detail", String(260), nullable=False),           # the R1 file or round key
    Column("previous_value", Float, nullable=False),
    Column("previous_holder", Text, nullable=False),
    Column("previous_night", String(10), nullable=False),
    UniqueConstraint("night", "record"),
)

season_lineups = Table(
    "season_lineups", metadata,
    Column("lineup", Text, nullable=False),                  # sorted GUIDs, comma-separated
    Column("size", Integer, nullable=False),
    Column("played", Integer, nullable=False),
    Column("won", Integer, nullable=False),
    Column("lost", Integer, nullable=False),
    Column("drawn", Integer, nullable=False),
    Column("win_rate", Float, nullable=False),
    Column("nights", Integer, nullable=False),
    Column("first_night", String(10), nullable=False),
    Column("last_night", String(10), nullable=False),
)

season_duos = Table(
    "season_duos", metadata,
    Column("guid_a", String(8), nullable=False),
    Column("guid_b", String(8), nullable=False),
    Column("played", Integer, nullable=False),
    Column("won", Integer, nullable=False),
    Column("lost", Integer, nullable=False),
    Column("drawn", Integer, nullable=False),
    Column("win_rate", Float, nullable=False),
    Column("nights", Integer, nullable=False),
    Column("first_night", String(10), nullable=False),
    Column("last_night", String(10), nullable=False),
    UniqueConstraint("guid_a", "guid_b"),
)

season_head_to_head = Table(
    "season_head_to_head", metadata,
    Column("guid", String(8), nullable=False),
    Column("opponent", String(8), nullable=False),
    Column("kills", Integer, nullable=False),                # times guid killed opponent
    Column("deaths", Integer, nullable=False),               # times opponent killed guid
    Column("rounds", Integer, nullable=False),
    UniqueConstraint("guid", "opponent"),
)

# --------------------------------------------------------------------------- season ratings (issue 13, i13-ratings)
# (ratings and rating_quality tables go here, in the same revision 0002_i13_season.py)

season_ratings = Table(
    "season_ratings", metadata,                              # the current rating of every rated player
    Column("guid", String(8), nullable=False),
    Column("value", Float, nullable=False),                  # the rating (season.ratings: MU + scale * skill)
    Column("uncertainty", Float, nullable=False),            # its uncertainty (scale * sd)
    Column("provisional", Boolean, nullable=False),
    Column("maps", Integer, nullable=False),
    Column("last_night", String(10), nullable=False),
    UniqueConstraint("guid"),
)

season_rating_history = Table(
    "season_rating_history", metadata,                       # one row per player per night he played
    Column("guid", String(8), nullable=False),
    Column("night", String(10), nullable=False),
    Column("value", Float, nullable=False),
    Column("uncertainty", Float, nullable=False),
    Column("provisional", Boolean, nullable=False),
    Column("maps", Integer, nullable=False),                 # rated maps up to and including this night
    Column("night_maps", Integer, nullable=False),
    Column("change", Float, nullable=False),                 # value change over the night
    UniqueConstraint("guid", "night"),
)

season_rating_quality = Table(
    "season_rating_quality", metadata,                       # walk-forward scores, per map set and predictor
    Column("scope", String(16), nullable=False),             # all | cold_start | warm
    Column("predictor", String(16), nullable=False),         # rating | coin | team_elo | trueskill | kd
    Column("maps", Integer, nullable=False),
    Column("log_loss", Float, nullable=True),
    Column("brier", Float, nullable=True),
    Column("accuracy", Float, nullable=True),
    Column("accuracy_low", Float, nullable=True),            # bootstrap 95 % interval over nights
    Column("accuracy_high", Float, nullable=True),
    UniqueConstraint("scope", "predictor"),
)

season_rating_calibration = Table(
    "season_rating_calibration", metadata,                   # predicted P(A wins) in bins vs how often A won
    Column("bin", String(8), nullable=False),
    Column("maps", Integer, nullable=False),
    Column("predicted", Float, nullable=False),
    Column("observed", Float, nullable=False),
    UniqueConstraint("bin"),
)

# --------------------------------------------------------------------------- the season's community layer
# (revision 0005_i23_community; written by the season multi-asset, read back by the night
# digest; rules in et_pipeline/season/ and in README's catalogue)

season_predictions = Table(
    "season_predictions", metadata,                          # every counted map, predicted walk-forward
    Column("key", String(310), primary_key=True),            # session_id:r1_file (MapGame.key)
    Column("night", String(10), nullable=False, index=True),
    Column("session_id", String(40), nullable=False),
    Column("map", String(64), nullable=False),
    Column("start_unix", Float, nullable=False),
    Column("p_before", Float, nullable=False),               # P(team A wins) before round 1 (R1's line-ups)
    Column("p_after_r1", Float),                             # ... once round 1 is over; NULL: R1 told nothing
    Column("p_rating", Float, nullable=False),               # the rating's own figure (the whole map's shares)
    Column("r1_attackers", String(1)),                       # A | B
    Column("r1_seconds", Float),                             # R1's time; NULL: a full hold (or unknown)
    Column("r1_outcome", String(12), nullable=False),        # objective | hold | unknown
    Column("winner", String(3), nullable=False),             # A | B | tie
    Column("maps_before", Integer, nullable=False),          # maps the rating had learnt from
    Column("provisional", Integer, nullable=False),          # players still provisional
)

season_prediction_quality = Table(
    "season_prediction_quality", metadata,                   # log loss / Brier of the predictions, decided maps
    Column("scope", String(16), nullable=False),             # all | time_set (R1 set a time)
    Column("predictor", String(16), nullable=False),         # before_r1 | after_r1 | rating_only | coin
    Column("maps", Integer, nullable=False),
    Column("log_loss", Float),
    Column("brier", Float),
    UniqueConstraint("scope", "predictor"),
)

season_achievements = Table(
    "season_achievements", metadata,                         # one-off: at most one per player and achievement
    Column("guid", String(8), nullable=False),
    Column("achievement", String(32), nullable=False),       # catalogue id (season/achievements.py)
    Column("night", String(10), nullable=False, index=True),
    Column("value", Float, nullable=False),                  # the number that reached the bar
    Column("detail", Text, nullable=False),
    UniqueConstraint("guid", "achievement"),
)

season_personal_bests = Table(
    "season_personal_bests", metadata,
    Column("guid", String(8), nullable=False),
    Column("measure", String(24), nullable=False),           # round_kills | round_damage | round_dpm | fastest_attack
    Column("value", Float, nullable=False),
    Column("night", String(10), nullable=False),
    Column("round_file", String(260), nullable=False),
    UniqueConstraint("guid", "measure"),
)

season_rivalries = Table(
    "season_rivalries", metadata,                            # from the VS lines that name their subject
    Column("guid", String(8), primary_key=True),
    Column("rounds", Integer, nullable=False),               # the player's rounds
    Column("rounds_with_vs_data", Integer, nullable=False),  # ... whose VS lines carry his GUID
    Column("nemesis", String(8)),                            # who killed him most (minimum sample)
    Column("nemesis_kills", Integer),                        # his kills on the nemesis
    Column("nemesis_deaths", Integer),                       # his deaths to the nemesis
    Column("prey", String(8)),                               # whom he killed most
    Column("prey_kills", Integer),
    Column("prey_deaths", Integer),
)

season_duels = Table(
    "season_duels", metadata,                                # each night's closest duels
    Column("night", String(10), nullable=False, index=True),
    Column("rank", Integer, nullable=False),
    Column("guid_a", String(8), nullable=False),
    Column("guid_b", String(8), nullable=False),
    Column("kills_a", Integer, nullable=False),              # a's kills on b
    Column("kills_b", Integer, nullable=False),              # b's kills on a
    UniqueConstraint("night", "rank"),
)

season_awards = Table(
    "season_awards", metadata,                               # per period: month | quarter | season (the year)
    Column("period", String(10), nullable=False),            # 2026-02 | 2026-Q1 | 2026
    Column("kind", String(8), nullable=False),               # month | quarter | season
    Column("award", String(24), nullable=False),             # most_improved | best_attack | iron_defender
    Column("guid", String(8), nullable=False),
    Column("value", Float, nullable=False),
    Column("rule", Text, nullable=False),
    Column("final", Boolean, nullable=False),                # the archive holds a night after the period
    UniqueConstraint("period", "award"),
)

PARTITIONED_TABLES = [t for t in metadata.sorted_tables if "session_date" in t.c and t is not discord_posts]
