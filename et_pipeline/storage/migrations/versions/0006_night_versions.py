"""Per-night data versions and the rating kept after a set of nights: a night's map cards
continue the rating from the nights before instead of replaying every earlier map
(season.rating_cache). Every date already archived gets its first version here, so
forgetting it later changes what is keyed on it.

Revision ID: 0006_night_versions
Revises: 0005_i23_community
"""
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0006_night_versions"
down_revision = "0005_i23_community"
branch_labels = None
depends_on = None


def upgrade() -> None:
    versions = op.create_table("night_versions",
                               sa.Column("night", sa.String(length=10), nullable=False),
                               sa.Column("version", sa.String(length=32), nullable=False),
                               sa.PrimaryKeyConstraint("night"))
    op.create_table("rating_snapshots",
                    sa.Column("token", sa.String(length=64), nullable=False),
                    sa.Column("state", sa.LargeBinary(), nullable=False),
                    sa.Column("used_unix", sa.Float(), nullable=False),
                    sa.PrimaryKeyConstraint("token"))
    conn = op.get_bind()
    dates = sorted(set(conn.execute(sa.text("SELECT session_date FROM partition_state")).scalars())
                   | set(conn.execute(sa.text("SELECT DISTINCT session_date FROM rounds")).scalars()))
    if dates:
        op.bulk_insert(versions, [{"night": d, "version": uuid.uuid4().hex} for d in dates])


def downgrade() -> None:
    op.drop_table("rating_snapshots")
    op.drop_table("night_versions")
