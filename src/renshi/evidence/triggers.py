"""Database triggers that make the evidence tables append-only, on SQLite and PostgreSQL.

The application never updates or deletes a logged row; the triggers make the database refuse
to as well, so that a bug, an admin action or a hand-typed ``UPDATE`` cannot quietly change the
record. They do not stop someone who may drop triggers (the database's owner): that is what
signed checkpoints, outside timestamps and ``renshi evidence verify`` are for.

Both databases raise an integrity error (Django's ``IntegrityError``) naming the table and the
operation. SQLite also refuses ``INSERT OR REPLACE`` over an existing row, which deletes it
without firing a delete trigger; PostgreSQL refuses ``TRUNCATE`` of a table that has rows
(an empty one may be truncated, as the test runner does between tests).

Migration 0002 installs them. Changing this SQL means a new migration that reinstalls it.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

# Table, primary key column.
APPEND_ONLY_TABLES = (
    ("evidence_entry", "log_index"),
    ("evidence_blob", "sha256"),
    ("evidence_checkpoint", "id"),
    ("evidence_timestamp", "id"),
)
REFUSED = "{table} is append-only: {operation} refused"


class UnsupportedDatabaseError(RuntimeError):
    """Renshi runs on SQLite and PostgreSQL; the evidence log's guarantees exist only there."""


def _sqlite_statements() -> list[str]:
    statements = []
    for table, key in APPEND_ONLY_TABLES:
        update = REFUSED.format(table=table, operation="UPDATE")
        delete = REFUSED.format(table=table, operation="DELETE")
        replace = REFUSED.format(table=table, operation="REPLACE")
        statements += [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{update}'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{delete}'); END",
            _no_replace_trigger(table, key, replace),
        ]
    return statements


def _no_replace_trigger(table: str, key: str, message: str) -> str:
    exists = f"SELECT 1 FROM {table} WHERE {key} = NEW.{key}"  # noqa: S608 - our constants
    return (
        f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
        f"WHEN EXISTS ({exists}) BEGIN SELECT RAISE(ABORT, '{message}'); END"
    )


_POSTGRES_FUNCTIONS = [
    """
    CREATE OR REPLACE FUNCTION evidence_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION evidence_refuse_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        has_rows boolean;
    BEGIN
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I)', TG_TABLE_SCHEMA, TG_TABLE_NAME)
            INTO has_rows;
        IF has_rows THEN
            RAISE EXCEPTION '% is append-only: TRUNCATE refused', TG_TABLE_NAME
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NULL;
    END
    $$
    """,
]


def _postgres_statements() -> list[str]:
    statements = list(_POSTGRES_FUNCTIONS)
    for table, _key in APPEND_ONLY_TABLES:
        statements += [
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION evidence_refuse_change()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION evidence_refuse_truncate()",
        ]
    return statements


def trigger_names(vendor: str) -> list[tuple[str, str]]:
    """(table, trigger) pairs that must exist on this database."""
    suffixes = {
        "sqlite": ("no_update", "no_delete", "no_replace"),
        "postgresql": ("no_change", "no_truncate"),
    }[_require_supported(vendor)]
    return [
        (table, f"{table}_{suffix}") for table, _key in APPEND_ONLY_TABLES for suffix in suffixes
    ]


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the triggers (the migration; tests that put them back after tampering)."""
    vendor = _require_supported(connection.vendor)
    statements = _sqlite_statements() if vendor == "sqlite" else _postgres_statements()
    _execute(connection, statements)


def remove(connection: BaseDatabaseWrapper) -> None:
    """Drop the triggers: the migration's reverse, and tests that simulate tampering."""
    vendor = _require_supported(connection.vendor)
    if vendor == "sqlite":
        statements = [f"DROP TRIGGER IF EXISTS {name}" for _table, name in trigger_names(vendor)]
    else:
        statements = [
            f"DROP TRIGGER IF EXISTS {name} ON {table}" for table, name in trigger_names(vendor)
        ]
        statements += [
            "DROP FUNCTION IF EXISTS evidence_refuse_change()",
            "DROP FUNCTION IF EXISTS evidence_refuse_truncate()",
        ]
    _execute(connection, statements)


def missing(connection: BaseDatabaseWrapper) -> list[str]:
    """The triggers that are absent (or, on PostgreSQL, disabled), by name."""
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        return [table for table, _key in APPEND_ONLY_TABLES]
    expected = trigger_names(vendor)
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'"
            )
        present = {row[0] for row in cursor.fetchall()}
    return [name for _table, name in expected if name not in present]


def _execute(connection: BaseDatabaseWrapper, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            # No parameters: PL/pgSQL's % placeholders must reach the server as they are.
            cursor.execute(statement)


def _require_supported(vendor: str) -> str:
    if vendor not in ("sqlite", "postgresql"):
        raise UnsupportedDatabaseError(vendor)
    return vendor


def migration_install(apps: Any, schema_editor: Any) -> None:
    install(schema_editor.connection)


def migration_remove(apps: Any, schema_editor: Any) -> None:
    remove(schema_editor.connection)
