"""The season's community layer: achievements, personal bests, rivalries and the closest
duels, season awards, the win predictions (before and after round 1) with their scores.
Unpartitioned tables, rebuilt whole by the season assets.

Revision ID: 0005_i23_community
Revises: 0004_i25_live
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_i23_community"
down_revision = "0004_i25_live"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('season_achievements',
    sa.Column('guid', sa.String(length=8), nullable=False),
    sa.Column('achievement', sa.String(length=32), nullable=False),
    sa.Column('night', sa.String(length=10), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.UniqueConstraint('guid', 'achievement')
    )
    op.create_index(op.f('ix_season_achievements_night'), 'season_achievements', ['night'], unique=False)
    op.create_table('season_awards',
    sa.Column('period', sa.String(length=10), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('award', sa.String(length=24), nullable=False),
    sa.Column('guid', sa.String(length=8), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('rule', sa.Text(), nullable=False),
    sa.Column('final', sa.Boolean(), nullable=False),
    sa.UniqueConstraint('period', 'award')
    )
    op.create_table('season_duels',
    sa.Column('night', sa.String(length=10), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('guid_a', sa.String(length=8), nullable=False),
    sa.Column('guid_b', sa.String(length=8), nullable=False),
    sa.Column('kills_a', sa.Integer(), nullable=False),
    sa.Column('kills_b', sa.Integer(), nullable=False),
    sa.UniqueConstraint('night', 'rank')
    )
    op.create_index(op.f('ix_season_duels_night'), 'season_duels', ['night'], unique=False)
    op.create_table('season_personal_bests',
    sa.Column('guid', sa.String(length=8), nullable=False),
    sa.Column('measure', sa.String(length=24), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('night', sa.String(length=10), nullable=False),
    sa.Column('round_file', sa.String(length=260), nullable=False),
    sa.UniqueConstraint('guid', 'measure')
    )
    op.create_table('season_prediction_quality',
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('predictor', sa.String(length=16), nullable=False),
    sa.Column('maps', sa.Integer(), nullable=False),
    sa.Column('log_loss', sa.Float(), nullable=True),
    sa.Column('brier', sa.Float(), nullable=True),
    sa.UniqueConstraint('scope', 'predictor')
    )
    op.create_table('season_predictions',
    sa.Column('key', sa.String(length=310), nullable=False),
    sa.Column('night', sa.String(length=10), nullable=False),
    sa.Column('session_id', sa.String(length=40), nullable=False),
    sa.Column('map', sa.String(length=64), nullable=False),
    sa.Column('start_unix', sa.Float(), nullable=False),
    sa.Column('p_before', sa.Float(), nullable=False),
    sa.Column('p_after_r1', sa.Float(), nullable=True),
    sa.Column('p_rating', sa.Float(), nullable=False),
    sa.Column('r1_attackers', sa.String(length=1), nullable=True),
    sa.Column('r1_seconds', sa.Float(), nullable=True),
    sa.Column('r1_outcome', sa.String(length=12), nullable=False),
    sa.Column('winner', sa.String(length=3), nullable=False),
    sa.Column('maps_before', sa.Integer(), nullable=False),
    sa.Column('provisional', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_index(op.f('ix_season_predictions_night'), 'season_predictions', ['night'], unique=False)
    op.create_table('season_rivalries',
    sa.Column('guid', sa.String(length=8), nullable=False),
    sa.Column('rounds', sa.Integer(), nullable=False),
    sa.Column('rounds_with_vs_data', sa.Integer(), nullable=False),
    sa.Column('nemesis', sa.String(length=8), nullable=True),
    sa.Column('nemesis_kills', sa.Integer(), nullable=True),
    sa.Column('nemesis_deaths', sa.Integer(), nullable=True),
    sa.Column('prey', sa.String(length=8), nullable=True),
    sa.Column('prey_kills', sa.Integer(), nullable=True),
    sa.Column('prey_deaths', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('guid')
    )


def downgrade() -> None:
    op.drop_table('season_rivalries')
    op.drop_index(op.f('ix_season_predictions_night'), table_name='season_predictions')
    op.drop_table('season_predictions')
    op.drop_table('season_prediction_quality')
    op.drop_table('season_personal_bests')
    op.drop_index(op.f('ix_season_duels_night'), table_name='season_duels')
    op.drop_table('season_duels')
    op.drop_table('season_awards')
    op.drop_index(op.f('ix_season_achievements_night'), table_name='season_achievements')
    op.drop_table('season_achievements')
