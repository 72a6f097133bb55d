"""Writes the schema as plain SQL for both engines into `sql/` (for DBAs and for reading
the schema without Python): `python -m et_pipeline.storage.ddl sql/`. The migrations in
`migrations/` are what actually builds databases; a test keeps these files current."""
import sys
from pathlib import Path

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateIndex, CreateTable

from et_pipeline.storage.schema import metadata

DIALECTS = {"sqlite": sqlite.dialect(), "postgresql": postgresql.dialect()}


def ddl(dialect_name: str) -> str:
    dialect = DIALECTS[dialect_name]
    parts = ["-- et-pipeline schema for %s, generated from et_pipeline/storage/schema.py; do not edit.\n"
             % dialect_name]
    for table in metadata.sorted_tables:
        parts.append(str(CreateTable(table).compile(dialect=dialect)).strip() + ";\n")
        for index in sorted(table.indexes, key=lambda i: i.name):
            parts.append(str(CreateIndex(index).compile(dialect=dialect)).strip() + ";\n")
    return "\n".join(parts)


def main(out_dir: str) -> None:
    for name in DIALECTS:
        Path(out_dir, "schema_%s.sql" % name).write_text(ddl(name))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "sql")
