"""How an export writes its cells and streams them as CSV text: the list
export (export_list.py), one customer's file (export_customer.py) and the
import's report.

- Cells that a spreadsheet would read as a formula (starting with = + - @, a
  tab, CR, LF or NUL) get a leading apostrophe (core/csv_cells.py). Numbers we
  compute ourselves (points, cents) are written as numbers.
- Dates and times are written in the shop's time zone.
- UTF-8 with a byte-order mark, so a spreadsheet opens accents right.
- Two formats: "fr" (semicolons, decimal commas) and "intl" (commas, points).
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Iterable, Iterator

from flask_babel import gettext as _

from core.csv_cells import BOM, safe_text


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
    cents = cents or 0
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}{decimal}{abs(cents) % 100:02d}"


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
