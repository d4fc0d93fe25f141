"""How an export writes its cells and streams them as CSV text: the list
export (export_list.py), one customer's file (export_customer.py) and the
import's report.

- Cells that a spreadsheet would read as a formula (starting with = + - @, a
  tab, CR, LF or NUL) get a leading apostrophe (core/csv_cells.py). Numbers we
  compute ourselves (points, cents) are written as numbers.
- Dates and times are written in the shop's time zone.
- UTF-8 with a byte-order mark, so a spreadsheet opens accents right.
- Two formats: "fr" (semicolons, decimal commas) and "intl" (commas, points).

A list export streams column by column (csv_columns, each column neutralised
by its kind in one loop); a customer's file and the import's report row by
row (csv_lines). Both write the same bytes for the same values.
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Iterable, Iterator, Sequence

from flask_babel import gettext as _

from core.csv_cells import BOM, safe_text, safe_texts


def _local_zone():
    """The shop's time zone, as zoneinfo (pytz is slow for a million datetimes)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from flask import g
    from flask_babel import get_timezone
    if "_export_zone" not in g:
        try:
            g._export_zone = ZoneInfo(str(get_timezone()))
        except ZoneInfoNotFoundError:
            g._export_zone = timezone.utc
    return g._export_zone


@lru_cache(maxsize=65536)
def _offset(zone, hour_number: int):
    """The zone's UTC offset during that hour, numbered from year 1 (offsets
    change on the hour)."""
    day, hour = divmod(hour_number, 24)
    utc = datetime.fromordinal(day).replace(hour=hour, tzinfo=timezone.utc)
    return utc.astimezone(zone).utcoffset()


def local_text(value: datetime, zone=None) -> str:
    """A naive UTC datetime as "YYYY-MM-DD HH:MM" in the shop's time zone
    (`zone`: that zone already looked up, as a long export passes it)."""
    zone = zone or _local_zone()
    return (value + _offset(zone, value.toordinal() * 24 + value.hour)).isoformat(" ", "minutes")


def local_texts(values: Sequence, zone) -> list:
    """local_text of each datetime of a column (None stays None), in one loop."""
    offset = _offset
    return [value and (value + offset(zone, value.toordinal() * 24 + value.hour)).isoformat(" ", "minutes")
            for value in values]


def neutralise(value) -> str:
    """The text of a cell, safe from spreadsheet formula injection."""
    if value is None:
        return ""
    if isinstance(value, str):
        return safe_text(value)
    if isinstance(value, bool):
        return _("Oui") if value else _("Non")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return local_text(value)  # stored as naive UTC; written in the shop's time zone
    if isinstance(value, date):
        return value.isoformat()
    return safe_text(str(value))


def money(cents: int | None, decimal: str = ".") -> str:
    return money_texts((cents,), decimal)[0]


def money_texts(cents: Sequence, decimal: str = ".") -> list[str]:
    """Amounts in cents as "12.50" (or "12,50"), a column in one loop (None is 0)."""
    return [f"{amount // 100}{decimal}{amount % 100:02d}" if amount >= 0
            else f"-{-amount // 100}{decimal}{-amount % 100:02d}"
            for amount in (amount or 0 for amount in cents)]


# How a CSV is written: "fr" is what French Excel opens by a double click
# (semicolons, decimal commas); "intl" the comma-separated form.
CSV_FORMATS = {"fr": (";", ","), "intl": (",", ".")}


def csv_format(requested: str | None, language: str | None) -> str:
    """The format asked for, else the one of the interface's language."""
    if requested in CSV_FORMATS:
        return requested
    return "fr" if (language or "fr").startswith("fr") else "intl"


def csv_lines(rows: Iterable[list], delimiter: str = ",") -> Iterator[str]:
    """BOM, then one CSV line per row, every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", delimiter=delimiter)
    yield BOM
    zone = None
    for row in rows:
        zone = zone or _local_zone()  # once, not per date: a million rows of 30 cells
        # neutralise(), with its commonest cases inlined: a string, a date and
        # time; None and a plain int the csv module writes as they are.
        writer.writerow([safe_text(cell) if cell.__class__ is str
                         else cell if cell is None or cell.__class__ is int
                         else local_text(cell, zone) if cell.__class__ is datetime
                         else neutralise(cell) for cell in row])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _neutralised(kind: str, values: Sequence, zone) -> Sequence:
    """A column's cells as csv_lines writes them, by the kind of its values:
    "plain" numbers (ints or None) as they are, "text" (str or None) through
    safe_texts, "datetime" in the shop's time zone, anything else per cell."""
    if kind == "plain":
        return values
    if kind == "text":
        return safe_texts(values)
    if kind == "datetime":
        return local_texts(values, zone)
    return [neutralise(value) for value in values]


def csv_columns(header: list[str], kinds: list[str], batches: Iterable[list[Sequence]],
                delimiter: str = ",") -> Iterator[str]:
    """BOM, the header, then each batch of rows given as columns (one sequence
    of values per column, `kinds` saying what they hold, see _neutralised),
    flushed in pieces of 64 KB or more."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", delimiter=delimiter)
    yield BOM
    writer.writerow([neutralise(cell) for cell in header])
    zone = _local_zone()  # once, not per date
    for columns in batches:
        writer.writerows(zip(*[_neutralised(kind, values, zone) for kind, values in zip(kinds, columns)]))
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
