"""Alembic environment: migrations run on the connection the pipeline hands over
(et_pipeline.storage.database.ensure_schema), never on a URL of their own."""
from alembic import context

from et_pipeline.storage.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                  compare_type=True)
with context.begin_transaction():
    context.run_migrations()
