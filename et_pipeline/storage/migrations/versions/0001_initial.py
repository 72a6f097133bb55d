"""Initial schema: file registry, raw files, rounds, player/weapon stats, Lua timings and
links, awards, teams, results, timing comparison, Discord posts.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('awards',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('session_date', sa.String(length=10), nullable=False),
    sa.Column('source', sa.String(length=260), nullable=False),
    sa.Column('round_key', sa.String(length=120), nullable=True),
    sa.Column('link_status', sa.String(length=32), nullable=False),
    sa.Column('map', sa.String(length=64), nullable=False),
    sa.Column('round_number', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('award', sa.String(length=80), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('player', sa.String(length=80), nullable=False),
    sa.Column('guid', sa.String(length=8), nullable=True),
    sa.Column('value_text', sa.String(length=120), nullable=False),
    sa.Column('value_numeric', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_awards_round', 'awards', ['round_key', 'award'], unique=False)
    op.create_index(op.f('ix_awards_round_key'), 'awards', ['round_key'], unique=False)
    op.create_index(op.f('ix_awards_session_date'), 'awards', ['session_date'], unique=False)
    op.create_index(op.f('ix_awards_source'), 'awards', ['source'], unique=False)
    op.create_table('discord_posts',
    sa.Column('session_id', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=80), nullable=False),
    sa.Column('session_date', sa.String(length=10), nullable=False),
    sa.Column('message_id', sa.String(length=32), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.String(length=32), nullable=False),
    sa.UniqueConstraint('session_id', 'kind')
    )
    op.create_index(op.f('ix_discord_posts_session_date'), 'discord_posts', ['session_date'], unique=False)
    op.create_table('lua_round_teams',
    sa.Column('source', sa.String(length=260), nullable=False),
    sa.Column('session_date', sa.String(length=10), nullable=False),
    sa.Column('round_key', sa.String(length=120), nullable=True),
    sa.Column('link_status', sa.String(length=32), nullable=False),
    sa.Column('delta_seconds', sa.Float(), nullable=True),
    sa.Column('map', sa.String(length=64), nullable=False),
    sa.Column('round_number', sa.Integer(), nullable=False),
    sa.Column('axis_players', sa.Text(), nullable=False),
    sa.Column('allies_players', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('source'),
    sa.UniqueConstraint('round_key')
    )
    op.create_index(op.f('ix_lua_round_teams_session_date'), 'lua_round_teams', ['session_date'], unique=False)
    op.create_table('lua_timings',
    sa.Column('source', sa.String(length=260), nullable=False),
    sa.Column('session_date', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('map', sa.String(length=64), nullable=False),
    sa.Column('round_number', sa.Integer(), nullable=False),
    sa.Column('round_start_unix', sa.BigInteger(), nullable=True),
    sa.Column('round_end_unix', sa.BigInteger(), nullable=True),
    sa.Column('round_end_local', sa.String(length=19), nullable=True),
    sa.Column('playtime_seconds', sa.Float(), nullable=True),
    sa.Column('warmup_seconds', sa.Integer(), nullable=True),
    sa.Column('pause_count', sa.Integer(), nullable=False),
    sa.Column('pause_seconds', sa.Integer(), nullable=False),
    sa.Column('winner', sa.Integer(), nullable=True),
    sa.Column('defender', sa.Integer(), nullable=True),
    sa.Column('end_reason', sa.String(length=32), nullable=True),
    sa.Column('timelimit_minutes', sa.Float(), nullable=True),
    sa.Column('surrender_team', sa.Integer(), nullable=True),
    sa.Column('axis_players', sa.Text(), nullable=False),
    sa.Column('allies_players', sa.Text(), nullable=False),
    sa.Column('pauses', sa.Text(), nullable=False),
    sa.Column('version', sa.String(length=20), nullable=True),
    sa.PrimaryKeyConstraint('source')
    )
    op.create_index(op.f('ix_lua_timings_session_date'), 'lua_timings', ['session_date'], unique=False)
    op.create_table('map_results',
    sa.Column('session_date', sa.String(length=10), nullable=False),
    sa.Column('session_id', sa.String(length=40), nullable=False),
    sa.Column('play_index', sa.Integer(), nullable=False),
    sa.Column('map', sa.String(length=64), nullable=False),
    sa.Column('r1_key', sa.String(length=120), nullable=False),
    sa.Column('r2_key', sa.String(length=120), nullable=True),
    sa.Column('winner', sa.String(length=4), nullable=True),
    sa.Column('counted', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('scoring_source', sa.String(length=20), nullable=False),
    sa.Column('points_a', sa.Integer(), nullable=False),
    sa.Column('points_b', sa.Integer(), nullable=False),
    sa.Column('time_a', sa.String(length=16), nullable=True),
    sa.Column('time_b', sa.String(length=16), nullable=True),
    sa.Column('a_r1_side', sa.Integer(), nullable=True),
    sa.Column('r1_defender_side', sa.Integer(), nullable=True),
    sa.Column('winner_side', sa.Integer(), nullable=True),
    sa.UniqueConstraint('session_id', 'play_index')
    )
    op.create_index(op.f('ix_map_results_session_date'), 'map_results', ['session_date'], unique=False)
    op.create_table('partition_state',
    sa.Column('session_date', sa.String(length=10), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('file_count', sa.Integer(), nullable=False),
    sa.Column('completed', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('session_date')
    )
    op.create_table('player_round_stats',
    sa.Column('round_key', sa.String(length=120), nullable=False),
    sa.Column('session_date', sa.String(length=10), nullable=False),
    sa.Column('player_key', sa.String(length=80), nullable=False),
    sa.Column('guid', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('raw_name', sa.String(length=160), nullable=False),
    sa.Column('side', sa.Integer(), nullable=False),
    sa.Column('is_bot', sa.Boolean(), nullable=False),
    sa.Column('values_from', sa.String(length=20), nullable=False),
    sa.Column('kills', sa.Integer(), nullable=False),
    sa.Column('deaths', sa.Integer(), nullable=False),
    sa.Column('headshots', sa.Integer(), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('shots', sa.Integer(), nullable=False),
    sa.Column('damage_given', sa.Integer(), nullable=False),
    sa.Column('damage_received', sa.Integer(), nullable=False),
    sa.Column('team_damage_given', sa.Integer(), nullable=False),
    sa.Column('team_damage_received', sa.Integer(), nullable=False),
    sa.Column('gibs', sa.Integer(), nullable=False),
    sa.Column('self_kills', sa.Integer(), nullable=False),
    sa.Column('team_kills', sa.Integer(), nullable=False),
    sa.Column('team_gibs', sa.Integer(), nullable=False),
    sa.Column('xp', sa.Integer(), nullable=False),
    sa.Column('killing_spree', sa.Integer(), nullable=False),
    sa.Column('death_spree', sa.Integer(), nullable=False),
    sa.Column('kill_assists', sa.Integer(), nullable=False),
    sa.Column('kill_steals', sa.Integer(), nullable=False),
    sa.Column('headshot_kills', sa.Integer(), nullable=False),
    sa.Column('objectives_stolen', sa.Integer(), nullable=False),
    sa.Column('objectives_returned', sa.Integer(), nullable=False),
    sa.Column('dynamites_planted', sa.Integer(), nullable=False),
    sa.Column('dynamites_defused', sa.Integer(), nullable=False),
    sa.Column('times_revived', sa.Integer(), nullable=False),
    sa.Column('revives_given', sa.Integer(), nullable=False),
    sa.Column('bullets_fired', sa.Integer(), nullable=False),
    sa.Column('useful_kills', sa.Integer(), nullable=False),
    sa.Column('denied_playtime', sa.Integer(), nullable=False),
    sa.Column('multikill_2x', sa.Integer(), nullable=False),
    sa.Column('multikill_3x', sa.Integer(), nullable=False),
    sa.Column('multikill_4x', sa.Integer(), nullable=False),
    sa.Column('multikill_5x', sa.Integer(), nullable=False),
    sa.Column('multikill_6x', sa.Integer(), nullable=False),
    sa.Column('useless_kills', sa.Integer(), nullable=False),
    sa.Column('full_selfkills', sa.Integer(), nullable=False),
    sa.Column('repairs_constructions', sa.Integer(), nullable=False),
    sa.Column('time_played_seconds', sa.Integer(), nullable=False),
    sa.Column('time_played_minutes', sa.Float(), nullable=False),
    sa.Column('time_played_percent', sa.Float(), nullable=False),
    sa.Column('time_dead_minutes', sa.Float(), nullable=False),
    sa.Column('time_dead_ratio', sa.Float(), nullable=False),
    sa.Column('tank_meatshield', sa.Float(), nullable=False),
    sa.Column('accuracy', sa.Float(), nullable=False),
    sa.Column('kd_ratio', sa.Float(), nullable=False),
    sa.Column('efficiency', sa.Float(), nullable=False),
    sa.Column('dpm', sa.Float(), nullable=False),
    sa.UniqueConstraint('round_key', 'player_key')
    )
    op.create_index(op.f('ix_player_round_stats_round_key'), 'player_round_stats', ['round_key'], unique=False)
    op.create_index(op.f('ix_player_round_stats_session_date'), 'player_round_stats', ['session_date'], unique=False)
    op.create_table('raw_files',
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('session_date', sa.String(length=10), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('path')
    )
    op.create_index(op.f('ix_raw_files_session_date'), 'raw_files', ['session_date'], unique=False)
    op.create_table('rounds',
    sa.Column('round_key', sa.String(length=120), nullable=False),
    sa.Column('session_date', sa.String(length=10), nullable=False),
    sa.Column('session_id', sa.String(length=40), nullable=False),
    sa.Column('file', sa.String(length=260), nullable=False),
    sa.Column('map', sa.String(length=64), nullable=False),
    sa.Column('round_number', sa.Integer(), nullable=False),
    sa.Column('file_round', sa.Integer(), nullable=False),
    sa.Column('local_time', sa.String(length=19), nullable=False),
    sa.Column('match_id', sa.String(length=40), nullable=False),
    sa.Column('orphan', sa.Boolean(), nullable=False),
    sa.Column('pair_key', sa.String(length=120), nullable=True),
    sa.Column('pairing', sa.String(length=20), nullable=False),
    sa.Column('format', sa.String(length=20), nullable=False),
    sa.Column('server_name', sa.Text(), nullable=True),
    sa.Column('config', sa.String(length=64), nullable=True),
    sa.Column('defender', sa.Integer(), nullable=True),
    sa.Column('winner', sa.Integer(), nullable=True),
    sa.Column('time_limit', sa.String(length=16), nullable=True),
    sa.Column('next_time_limit', sa.String(length=16), nullable=True),
    sa.Column('time_limit_seconds', sa.Integer(), nullable=True),
    sa.Column('next_time_limit_seconds', sa.Integer(), nullable=True),
    sa.Column('header_playtime_seconds', sa.Float(), nullable=True),
    sa.Column('aborted', sa.Boolean(), nullable=False),
    sa.Column('has_bots', sa.Boolean(), nullable=False),
    sa.Column('player_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('round_key')
    )
    op.create_index(op.f('ix_rounds_session_date'), 'rounds', ['session_date'], unique=False)
    op.create_table('server_files',
    sa.Column('path', sa.String(length=300), nullable=False),
    sa.Column('session_date', sa.String(length=10), nullable=True),
    sa.Column('folder', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=260), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=True),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('mtime', sa.Float(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('round_key', sa.String(length=120), nullable=True),
    sa.PrimaryKeyConstraint('path')
    )
    op.create_index(op.f('ix_server_files_session_date'), 'server_files', ['session_date'], unique=False)
    op.create_table('session_results',
    sa.Column('session_id', sa.String(length=40), nullable=False),
    sa.Column('session_date', sa.String(length=10), nullable=False),
    sa.Column('team_a_name', sa.String(length=64), nullable=False),
    sa.Column('team_b_name', sa.String(length=64), nullable=False),
    sa.Column('score_a', sa.Integer(), nullable=False),
    sa.Column('score_b', sa.Integer(), nullable=False),
    sa.Column('winner', sa.String(length=4), nullable=True),
    sa.Column('maps_counted', sa.Integer(), nullable=False),
    sa.Column('maps_total', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=16), nullable=True),
    sa.PrimaryKeyConstraint('session_id')
    )
    op.create_index(op.f('ix_session_results_session_date'), 'session_results', ['session_date'], unique=False)
    op.create_table('session_teams',
    sa.Column('session_date', sa.String(length=10), nullable=False),
    sa.Column('session_id', sa.String(length=40), nullable=False),
    sa.Column('team', sa.String(length=1), nullable=False),
    sa.Column('team_name', sa.String(length=64), nullable=False),
    sa.Column('player_key', sa.String(length=80), nullable=False),
    sa.Column('guid', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('joined_round', sa.String(length=120), nullable=False),
    sa.UniqueConstraint('session_id', 'player_key')
    )
    op.create_index(op.f('ix_session_teams_session_date'), 'session_teams', ['session_date'], unique=False)
    op.create_table('sessions',
    sa.Column('session_id', sa.String(length=40), nullable=False),
    sa.Column('session_date', sa.String(length=10), nullable=False),
    sa.Column('start', sa.String(length=19), nullable=False),
    sa.Column('end', sa.String(length=19), nullable=False),
    sa.Column('round_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('session_id')
    )
    op.create_index(op.f('ix_sessions_session_date'), 'sessions', ['session_date'], unique=False)
    op.create_table('timing_comparison',
    sa.Column('round_key', sa.String(length=120), nullable=False),
    sa.Column('session_date', sa.String(length=10), nullable=False),
    sa.Column('stats_seconds', sa.Float(), nullable=True),
    sa.Column('stats_source', sa.String(length=32), nullable=True),
    sa.Column('lua_seconds', sa.Float(), nullable=True),
    sa.Column('diff_seconds', sa.Float(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('cause', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('round_key')
    )
    op.create_index(op.f('ix_timing_comparison_session_date'), 'timing_comparison', ['session_date'], unique=False)
    op.create_table('vs_stats',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('session_date', sa.String(length=10), nullable=False),
    sa.Column('source', sa.String(length=260), nullable=False),
    sa.Column('round_key', sa.String(length=120), nullable=True),
    sa.Column('subject_name', sa.String(length=80), nullable=True),
    sa.Column('subject_guid', sa.String(length=8), nullable=True),
    sa.Column('opponent', sa.String(length=80), nullable=False),
    sa.Column('kills', sa.Integer(), nullable=False),
    sa.Column('deaths', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_vs_stats_session_date'), 'vs_stats', ['session_date'], unique=False)
    op.create_index(op.f('ix_vs_stats_source'), 'vs_stats', ['source'], unique=False)
    op.create_table('weapon_round_stats',
    sa.Column('round_key', sa.String(length=120), nullable=False),
    sa.Column('session_date', sa.String(length=10), nullable=False),
    sa.Column('player_key', sa.String(length=80), nullable=False),
    sa.Column('weapon', sa.String(length=24), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('shots', sa.Integer(), nullable=False),
    sa.Column('kills', sa.Integer(), nullable=False),
    sa.Column('deaths', sa.Integer(), nullable=False),
    sa.Column('headshots', sa.Integer(), nullable=False),
    sa.UniqueConstraint('round_key', 'player_key', 'weapon')
    )
    op.create_index(op.f('ix_weapon_round_stats_round_key'), 'weapon_round_stats', ['round_key'], unique=False)
    op.create_index(op.f('ix_weapon_round_stats_session_date'), 'weapon_round_stats', ['session_date'], unique=False)


def downgrade() -> None:

    op.drop_index(op.f('ix_weapon_round_stats_session_date'), table_name='weapon_round_stats')
    op.drop_index(op.f('ix_weapon_round_stats_round_key'), table_name='weapon_round_stats')
    op.drop_table('weapon_round_stats')
    op.drop_index(op.f('ix_vs_stats_source'), table_name='vs_stats')
    op.drop_index(op.f('ix_vs_stats_session_date'), table_name='vs_stats')
    op.drop_table('vs_stats')
    op.drop_index(op.f('ix_timing_comparison_session_date'), table_name='timing_comparison')
    op.drop_table('timing_comparison')
    op.drop_index(op.f('ix_sessions_session_date'), table_name='sessions')
    op.drop_table('sessions')
    op.drop_index(op.f('ix_session_teams_session_date'), table_name='session_teams')
    op.drop_table('session_teams')
    op.drop_index(op.f('ix_session_results_session_date'), table_name='session_results')
    op.drop_table('session_results')
    op.drop_index(op.f('ix_server_files_session_date'), table_name='server_files')
    op.drop_table('server_files')
    op.drop_index(op.f('ix_rounds_session_date'), table_name='rounds')
    op.drop_table('rounds')
    op.drop_index(op.f('ix_raw_files_session_date'), table_name='raw_files')
    op.drop_table('raw_files')
    op.drop_index(op.f('ix_player_round_stats_session_date'), table_name='player_round_stats')
    op.drop_index(op.f('ix_player_round_stats_round_key'), table_name='player_round_stats')
    op.drop_table('player_round_stats')
    op.drop_table('partition_state')
    op.drop_index(op.f('ix_map_results_session_date'), table_name='map_results')
    op.drop_table('map_results')
    op.drop_index(op.f('ix_lua_timings_session_date'), table_name='lua_timings')
    op.drop_table('lua_timings')
    op.drop_index(op.f('ix_lua_round_teams_session_date'), table_name='lua_round_teams')
    op.drop_table('lua_round_teams')
    op.drop_index(op.f('ix_discord_posts_session_date'), table_name='discord_posts')
    op.drop_table('discord_posts')
    op.drop_index(op.f('ix_awards_source'), table_name='awards')
    op.drop_index(op.f('ix_awards_session_date'), table_name='awards')
    op.drop_index(op.f('ix_awards_round_key'), table_name='awards')
    op.drop_index('ix_awards_round', table_name='awards')
    op.drop_table('awards')
