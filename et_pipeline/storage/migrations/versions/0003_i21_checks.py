"""The night checks itself: `player_round_stats.values_reason` (why a round-2 line was
differenced or taken as it is) and `night_checks` (the cross-checks of each session).

Revision ID: 0003_i21_checks
Revises: 0002_i13_season
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_i21_checks"
down_revision = "0002_i13_season"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("player_round_stats") as batch:
        batch.add_column(sa.Column("values_reason", sa.String(length=20), nullable=True))
    op.create_table('night_checks',
    sa.Column('session_date', sa.String(length=10), nullable=False),
    sa.Column('session_id', sa.String(length=40), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('check_name', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('round_file', sa.String(length=160), nullable=True),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('action', sa.Text(), nullable=True),
    sa.UniqueConstraint('session_id', 'seq')
    )
    op.create_index(op.f('ix_night_checks_session_date'), 'night_checks', ['session_date'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_night_checks_session_date'), table_name='night_checks')
    op.drop_table('night_checks')
    with op.batch_alter_table("player_round_stats") as batch:
        batch.drop_column("values_reason")
