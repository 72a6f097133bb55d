"""server_files.on_server: the registry says which archived files the server still lists.

A file the server rotated away stays archived (raw bytes, registry row, derived rows);
this flag is what `run` and the admins' view use to show the server as it is now.

Revision ID: 0002_i12a_on_server
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002_i12a_on_server"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("server_files") as batch:
        batch.add_column(sa.Column("on_server", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("server_files") as batch:
        batch.drop_column("on_server")
