"""Season layer (issue 13): players, careers, form, records, lineups, duos, head-to-head
(i13-stats) and the ratings tables (i13-ratings). Unpartitioned tables, rebuilt whole by
the season assets.

Revision ID: 0002_i13_season
Revises: 0002_i12b
"""
import sqlalchemy as sa
from alembic import op

revision = "0002_i13_season"
down_revision = "0002_i12b"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # ---- i13-stats: season_players ... season_head_to_head
    op.create_table('season_aliases',
    sa.Column('guid', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('first_seen', sa.String(length=10), nullable=False),
    sa.Column('last_seen', sa.String(length=10), nullable=False),
    sa.Column('rounds', sa.Integer(), nullable=False),
    sa.UniqueConstraint('guid', 'name')
    )
    op.create_table('season_careers',
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('guid', sa.String(length=8), nullable=False),
    sa.Column('nights', sa.Integer(), nullable=False),
    sa.Column('maps_played', sa.Integer(), nullable=False),
    sa.Column('maps_won', sa.Integer(), nullable=False),
    sa.Column('maps_lost', sa.Integer(), nullable=False),
    sa.Column('maps_drawn', sa.Integer(), nullable=False),
    sa.Column('rounds', sa.Integer(), nullable=False),
    sa.Column('kills', sa.Integer(), nullable=False),
    sa.Column('deaths', sa.Integer(), nullable=False),
    sa.Column('damage_given', sa.Integer(), nullable=False),
    sa.Column('damage_received', sa.Integer(), nullable=False),
    sa.Column('revives_given', sa.Integer(), nullable=False),
    sa.Column('gibs', sa.Integer(), nullable=False),
    sa.Column('time_played_seconds', sa.Integer(), nullable=False),
    sa.Column('aimed_hits', sa.Integer(), nullable=False),
    sa.Column('aimed_shots', sa.Integer(), nullable=False),
    sa.Column('aimed_headshots', sa.Integer(), nullable=False),
    sa.Column('kd', sa.Float(), nullable=False),
    sa.Column('dpm', sa.Float(), nullable=False),
    sa.Column('accuracy', sa.Float(), nullable=False),
    sa.Column('hs_percent', sa.Float(), nullable=False),
    sa.Column('awards', sa.Text(), nullable=False),
    sa.UniqueConstraint('scope', 'key', 'guid')
    )
    op.create_table('season_duos',
    sa.Column('guid_a', sa.String(length=8), nullable=False),
    sa.Column('guid_b', sa.String(length=8), nullable=False),
    sa.Column('played', sa.Integer(), nullable=False),
    sa.Column('won', sa.Integer(), nullable=False),
    sa.Column('lost', sa.Integer(), nullable=False),
    sa.Column('drawn', sa.Integer(), nullable=False),
    sa.Column('win_rate', sa.Float(), nullable=False),
    sa.Column('nights', sa.Integer(), nullable=False),
    sa.Column('first_night', sa.String(length=10), nullable=False),
    sa.Column('last_night', sa.String(length=10), nullable=False),
    sa.UniqueConstraint('guid_a', 'guid_b')
    )
    op.create_table('season_form',
    sa.Column('guid', sa.String(length=8), nullable=False),
    sa.Column('night', sa.String(length=10), nullable=False),
    sa.Column('ago', sa.Integer(), nullable=False),
    sa.Column('rounds', sa.Integer(), nullable=False),
    sa.Column('maps_won', sa.Integer(), nullable=False),
    sa.Column('maps_lost', sa.Integer(), nullable=False),
    sa.Column('maps_drawn', sa.Integer(), nullable=False),
    sa.Column('kills', sa.Integer(), nullable=False),
    sa.Column('deaths', sa.Integer(), nullable=False),
    sa.Column('kd', sa.Float(), nullable=False),
    sa.Column('damage_given', sa.Integer(), nullable=False),
    sa.Column('dpm', sa.Float(), nullable=False),
    sa.UniqueConstraint('guid', 'night')
    )
    op.create_table('season_head_to_head',
    sa.Column('guid', sa.String(length=8), nullable=False),
    sa.Column('opponent', sa.String(length=8), nullable=False),
    sa.Column('kills', sa.Integer(), nullable=False),
    sa.Column('deaths', sa.Integer(), nullable=False),
    sa.Column('rounds', sa.Integer(), nullable=False),
    sa.UniqueConstraint('guid', 'opponent')
    )
    op.create_table('season_lineups',
    sa.Column('lineup', sa.Text(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('played', sa.Integer(), nullable=False),
    sa.Column('won', sa.Integer(), nullable=False),
    sa.Column('lost', sa.Integer(), nullable=False),
    sa.Column('drawn', sa.Integer(), nullable=False),
    sa.Column('win_rate', sa.Float(), nullable=False),
    sa.Column('nights', sa.Integer(), nullable=False),
    sa.Column('first_night', sa.String(length=10), nullable=False),
    sa.Column('last_night', sa.String(length=10), nullable=False)
    )
    op.create_table('season_map_records',
    sa.Column('map', sa.String(length=64), nullable=False),
    sa.Column('fastest_attack_seconds', sa.Integer(), nullable=True),
    sa.Column('guids', sa.Text(), nullable=False),
    sa.Column('night', sa.String(length=10), nullable=True),
    sa.Column('session_id', sa.String(length=40), nullable=True),
    sa.Column('r1_file', sa.String(length=260), nullable=True),
    sa.Column('round', sa.Integer(), nullable=True),
    sa.Column('successful_attacks', sa.Integer(), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=True),
    sa.Column('unverified_attacks', sa.Integer(), nullable=False),
    sa.Column('full_holds', sa.Integer(), nullable=False),
    sa.Column('holds', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('map')
    )
    op.create_table('season_players',
    sa.Column('guid', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('aliases', sa.Text(), nullable=False),
    sa.Column('is_bot', sa.Boolean(), nullable=False),
    sa.Column('first_seen', sa.String(length=10), nullable=False),
    sa.Column('last_seen', sa.String(length=10), nullable=False),
    sa.Column('nights', sa.Integer(), nullable=False),
    sa.Column('rounds', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('guid')
    )
    op.create_table('season_records_fell',
    sa.Column('night', sa.String(length=10), nullable=False),
    sa.Column('record', sa.String(length=96), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('holder', sa.Text(), nullable=False),
    sa.Column('detail', sa.String(length=260), nullable=False),
    sa.Column('previous_value', sa.Float(), nullable=False),
    sa.Column('previous_holder', sa.Text(), nullable=False),
    sa.Column('previous_night', sa.String(length=10), nullable=False),
    sa.UniqueConstraint('night', 'record')
    )
    op.create_index(op.f('ix_season_records_fell_night'), 'season_records_fell', ['night'], unique=False)
    op.create_table('season_round_records',
    sa.Column('record', sa.String(length=32), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('guid', sa.String(length=8), nullable=False),
    sa.Column('night', sa.String(length=10), nullable=False),
    sa.Column('session_id', sa.String(length=40), nullable=False),
    sa.Column('map', sa.String(length=64), nullable=False),
    sa.Column('round_key', sa.String(length=120), nullable=False),
    sa.UniqueConstraint('record', 'rank')
    )
    # ---- i13-ratings: ratings / rating_quality tables go below this line
    _upgrade_ratings()


def _upgrade_ratings() -> None:
    """i13-ratings' tables (same revision, kept apart so the two halves never interleave)."""
    op.create_table('season_ratings',
    sa.Column('guid', sa.String(length=8), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('uncertainty', sa.Float(), nullable=False),
    sa.Column('provisional', sa.Boolean(), nullable=False),
    sa.Column('maps', sa.Integer(), nullable=False),
    sa.Column('last_night', sa.String(length=10), nullable=False),
    sa.UniqueConstraint('guid')
    )
    op.create_table('season_rating_history',
    sa.Column('guid', sa.String(length=8), nullable=False),
    sa.Column('night', sa.String(length=10), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('uncertainty', sa.Float(), nullable=False),
    sa.Column('provisional', sa.Boolean(), nullable=False),
    sa.Column('maps', sa.Integer(), nullable=False),
    sa.Column('night_maps', sa.Integer(), nullable=False),
    sa.Column('change', sa.Float(), nullable=False),
    sa.UniqueConstraint('guid', 'night')
    )
    op.create_table('season_rating_quality',
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('predictor', sa.String(length=16), nullable=False),
    sa.Column('maps', sa.Integer(), nullable=False),
    sa.Column('log_loss', sa.Float(), nullable=True),
    sa.Column('brier', sa.Float(), nullable=True),
    sa.Column('accuracy', sa.Float(), nullable=True),
    sa.Column('accuracy_low', sa.Float(), nullable=True),
    sa.Column('accuracy_high', sa.Float(), nullable=True),
    sa.UniqueConstraint('scope', 'predictor')
    )
    op.create_table('season_rating_calibration',
    sa.Column('bin', sa.String(length=8), nullable=False),
    sa.Column('maps', sa.Integer(), nullable=False),
    sa.Column('predicted', sa.Float(), nullable=False),
    sa.Column('observed', sa.Float(), nullable=False),
    sa.UniqueConstraint('bin')
    )


def _downgrade_ratings() -> None:
    """i13-ratings' tables, dropped first."""
    for name in ('season_rating_calibration', 'season_rating_quality', 'season_rating_history', 'season_ratings'):
        op.drop_table(name)


def downgrade() -> None:
    _downgrade_ratings()
    op.drop_table('season_round_records')
    op.drop_index(op.f('ix_season_records_fell_night'), table_name='season_records_fell')
    op.drop_table('season_records_fell')
    op.drop_table('season_players')
    op.drop_table('season_map_records')
    op.drop_table('season_lineups')
    op.drop_table('season_head_to_head')
    op.drop_table('season_form')
    op.drop_table('season_duos')
    op.drop_table('season_careers')
    op.drop_table('season_aliases')
