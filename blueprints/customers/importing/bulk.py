"""Inserting many rows at once by the database driver's own bulk path: COPY
on PostgreSQL, one executemany on SQLite. SQLAlchemy's per-row parameter
processing costs more than the database over 100,000 rows. Used by the
import's staging and commit, and by the consents an import records."""
from __future__ import annotations

from datetime import date, datetime
from operator import itemgetter

from sqlalchemy import func, select, text


def bulk_insert(connection, table, rows: list[dict]) -> None:
    """Insert many rows of the same keys, in the caller's transaction."""
    if not rows:
        return
    # The Python-side column defaults that insert() would apply (a default
    # computed by a function, such as a timestamp, once for the whole batch).
    defaults = {}
    for column in table.c:
        if column.name not in rows[0] and column.default is not None and column.default.is_scalar:
            defaults[column.name] = column.default.arg
        elif column.name not in rows[0] and column.default is not None and column.default.is_callable:
            defaults[column.name] = column.default.arg(None)
    if defaults:
        rows = [{**defaults, **row} for row in rows]
    columns = list(rows[0])
    if connection.dialect.name == "postgresql":
        names = ", ".join(f'"{c}"' for c in columns)
        with connection.connection.driver_connection.cursor() as cursor:
            with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row([row[c] for c in columns])
        return
    # SQLite: values as SQLAlchemy itself stores them (datetimes as text with
    # microseconds), converted only in the columns that hold them.
    temporal = [i for i, c in enumerate(columns) if table.c[c].type.python_type in (date, datetime)]
    pick = itemgetter(*columns)
    values = [pick(row) for row in rows] if len(columns) > 1 else [(row[columns[0]],) for row in rows]
    if temporal:
        values = [tuple(_sqlite_value(v) if i in temporal else v for i, v in enumerate(row)) for row in values]
    sql = (f'INSERT INTO "{table.name}" ({", ".join(columns)}) '
           f'VALUES ({", ".join("?" for _ in columns)})')
    connection.exec_driver_sql(sql, values)


def insert_returning_ids(connection, table, rows: list[dict]) -> list[int]:
    """Insert rows; their ids in the rows' order.

    PostgreSQL: ids drawn from the table's sequence, then one COPY. SQLite:
    one executemany under the transaction's write lock takes consecutive
    rowids, so the ids are the run that ends at last_insert_rowid() (checked).
    """
    if connection.dialect.name == "postgresql":
        # Ids taken from the sequence first, then one COPY: INSERT ... RETURNING
        # in order costs ten times more over 100,000 rows.
        ids = list(connection.execute(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)"),
            {"table": table.name, "n": len(rows)}).scalars())
        bulk_insert(connection, table, [{**row, "id": ident} for row, ident in zip(rows, ids)])
        return ids
    bulk_insert(connection, table, rows)
    last = connection.exec_driver_sql("SELECT last_insert_rowid()").scalar()
    first = last - len(rows) + 1
    count = connection.execute(select(func.count()).select_from(table)
                               .where(table.c.id.between(first, last))).scalar()
    if count != len(rows):
        raise RuntimeError("imported rows did not take consecutive ids")
    return list(range(first, last + 1))


def _sqlite_value(value):
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value
