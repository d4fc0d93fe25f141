"""The audit trail's CSV export: one row per event, streamed in pieces, safe to open in a spreadsheet.

The events come from blueprints.team.audit_log.audit_rows_select; a cell that
a spreadsheet would read as a formula is neutralised (core/csv_cells.py).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from core.csv_cells import BOM, safe_text
from blueprints.team.audit_log import details_text


def csv_cell(value) -> str:
    return safe_text("" if value is None else str(value))


def audit_csv_rows(rows, names: dict, local_time, labels: dict | None = None) -> Iterator[str]:
    """CSV text of audit_rows_select's rows, header first, UTF-8 BOM in front
    (so Excel reads accents). `labels` are the actions' names already in the
    reader's language (a streamed response has no signed-in employee to ask)."""
    labels = labels if labels is not None else {}
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush():
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(["date", "employee_id", "employee", "action", "action_label", "target_type", "target_id",
                     "target", "count", "details"])
    yield BOM + flush()
    for index, row in enumerate(rows):
        target = ""
        if row.target_type and row.target_id is not None:
            target = names.get((row.target_type, row.target_id), "")
        writer.writerow([csv_cell(value) for value in (
            local_time(row.at).isoformat(timespec="seconds"), row.employee_id, row.employee_name or "",
            row.action, labels.get(row.action, row.action), row.target_type, row.target_id, target, row.count,
            details_text(row.details))])
        if index % 200 == 199:
            yield flush()
    yield flush()
