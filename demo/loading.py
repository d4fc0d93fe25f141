"""How the demo's rows reach the database fast: bulk writes (COPY on
PostgreSQL), the wipe before, and during the load the secondary indexes and
SQLite's search triggers paused, rebuilt once at the end.

Every pause is undone in a `finally`, so a stopped load (Ctrl-C, SIGTERM)
never leaves an index missing.
"""
from __future__ import annotations

import time
from contextlib import contextmanager

from sqlalchemy import insert, text

from extensions import db

BATCH = 10000           # rows per executemany


def write_rows(connection, table, rows: list[dict]) -> None:
    """Rows of one table (each with every column). PostgreSQL: COPY, about
    ten times the pace of INSERT statements (a million customers and ten
    million sales took hours the other way)."""
    if not rows:
        return
    if connection.dialect.name != "postgresql":
        for start in range(0, len(rows), BATCH):
            connection.execute(insert(table), rows[start:start + BATCH])
        return
    columns = list(rows[0])
    names = ", ".join(f'"{name}"' for name in columns)
    with connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([row[name] for name in columns])


def wipe(engine) -> None:
    """Delete every row, children first (PostgreSQL: TRUNCATE and restart the ids)."""
    tables = [table.name for table in reversed(db.metadata.sorted_tables)]
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables)
                                    + " RESTART IDENTITY CASCADE"))
            connection.commit()
            return
        # SQLite: every row goes, so the per-row foreign-key checks (a scan of
        # customers.merged_into_id per customer) are switched off meanwhile.
        connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
        try:
            with _search_triggers_paused(connection, lambda _line: None):
                for table in tables:
                    connection.execute(text(f'DELETE FROM "{table}"'))
                connection.commit()
        finally:
            connection.rollback()
            connection.exec_driver_sql("PRAGMA foreign_keys = ON")


@contextmanager
def bulk_mode(connection):
    """SQLite: no foreign-key lookups or fsync while loading rows that are
    consistent by construction; a bigger page cache. Restored afterwards."""
    if connection.dialect.name != "sqlite":
        yield
        return
    connection.commit()
    for pragma in ("foreign_keys = OFF", "synchronous = OFF", "cache_size = -131072"):
        connection.exec_driver_sql(f"PRAGMA {pragma}")
    try:
        yield
    finally:
        connection.rollback()
        for pragma in ("foreign_keys = ON", "synchronous = NORMAL", "cache_size = -2000"):
            connection.exec_driver_sql(f"PRAGMA {pragma}")


@contextmanager
def indexes_dropped(connection, echo):
    """Secondary indexes are dropped during the load and built once at the end
    (sorting once is much faster than growing them row by row)."""
    names = {table.name for table in db.metadata.sorted_tables}
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").all()
    elif connection.dialect.name == "postgresql":
        rows = connection.execute(text(
            "SELECT i.indexname, i.tablename, i.indexdef FROM pg_indexes i "
            "WHERE i.schemaname = current_schema() AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)")).all()
    else:
        rows = []
    indexes = [(name, sql) for name, table, sql in rows if table in names]
    for name, _sql in indexes:
        connection.execute(text(f'DROP INDEX "{name}"'))
    connection.commit()
    try:
        with _search_triggers_paused(connection, echo):
            yield
    finally:
        connection.rollback()
        started = time.monotonic()
        for _name, sql in indexes:
            connection.execute(text(sql))
        connection.commit()
        if indexes:
            echo(f"  {len(indexes)} indexes built in {time.monotonic() - started:.0f} s")


@contextmanager
def _search_triggers_paused(connection, echo):
    """SQLite: the triggers that keep the FTS5 search index in step
    (migration f13s00000001) are dropped meanwhile, and the index is rebuilt
    once from the customers at the end."""
    triggers = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'customer_fts_%'"
    ).all() if connection.dialect.name == "sqlite" else []
    if not triggers:
        yield
        return
    for name, _sql in triggers:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    connection.commit()
    try:
        yield
    finally:
        connection.rollback()
        started = time.monotonic()
        connection.exec_driver_sql("INSERT INTO customer_fts(customer_fts) VALUES ('rebuild')")
        for _name, sql in triggers:
            connection.exec_driver_sql(sql)
        connection.commit()
        echo(f"  search index built in {time.monotonic() - started:.0f} s")


def after_load(connection, echo) -> None:
    """The database ready to serve: sequences past the explicit ids and a VACUUM
    (PostgreSQL), the write-ahead log folded in (SQLite)."""
    if connection.dialect.name == "postgresql":
        # Explicit ids were written: move every sequence past them.
        for table in db.metadata.sorted_tables:
            if "id" in table.c and table.c.id.primary_key:
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)"))
        connection.commit()
        # VACUUM (outside a transaction) marks the fresh pages all-visible:
        # counts and searches then read the indexes alone, not the tables
        # (180 ms against 90 ms to count a million customers).
        with connection.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
            autocommit.execute(text("VACUUM ANALYZE"))
    elif connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

