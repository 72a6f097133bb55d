"""discord_posts becomes an outbox: each message's state (pending, sent, ambiguous,
rejected) and the reason of a problem. Existing rows were all sent.

Revision ID: 0002_i12b
Revises: 0002_i12a_on_server
"""
import sqlalchemy as sa
from alembic import op

revision = "0002_i12b"
down_revision = "0002_i12a_on_server"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("discord_posts") as batch:
        batch.add_column(sa.Column("status", sa.String(length=12), nullable=False, server_default="sent"))
        batch.add_column(sa.Column("error", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("discord_posts") as batch:
        batch.drop_column("error")
        batch.drop_column("status")
