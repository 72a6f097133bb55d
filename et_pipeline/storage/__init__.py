"""The app database: one SQLAlchemy Core schema, valid on SQLite and PostgreSQL."""
