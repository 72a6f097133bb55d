"""A live night that never freezes: `app_settings` (the game server a database holds the
nights of: one server per database) and `discord_posts.retry_at` (a message Discord asked
us to hold back with a long 429, sent by a later run instead of waited for in this one).

Revision ID: 0004_i25_live
Revises: 0003_i21_checks
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_i25_live"
down_revision = "0003_i21_checks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("app_settings",
                    sa.Column("key", sa.String(length=40), nullable=False),
                    sa.Column("value", sa.Text(), nullable=False),
                    sa.PrimaryKeyConstraint("key"))
    with op.batch_alter_table("discord_posts") as batch:
        batch.add_column(sa.Column("retry_at", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("discord_posts") as batch:
        batch.drop_column("retry_at")
    op.drop_table("app_settings")
