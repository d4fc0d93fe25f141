"""The mapping page's preview: the file's first rows read with the mapping
chosen, each with its refusals, its warnings, or the existing customer it
matches. Nothing is written."""
from __future__ import annotations

from dataclasses import dataclass

from blueprints.customers.importing.reading import iter_rows
from blueprints.customers.importing.rows import ParsedRow, RowParser
from blueprints.customers.importing.staging import existing_customers
from blueprints.customers.importing.uploads import upload_head

PREVIEW_ROWS = 20


@dataclass
class PreviewRow:
    line: int
    row: ParsedRow
    duplicate: str | None  # a reason code when the row matches an existing customer


def preview(job_id: int, settings: dict, mapping: list[str], region: str,
            limit: int = PREVIEW_ROWS) -> list[PreviewRow]:
    parser = RowParser(mapping, region, headers=settings.get("headers"))
    rows = []
    for line, cells in iter_rows(upload_head(job_id), settings["delimiter"]):
        rows.append(parser.parse(line, cells))
        if len(rows) >= limit:
            break
    existing_emails, existing_phones = existing_customers([r for r in rows if not r.errors])
    result = []
    for row in rows:
        duplicate = None
        if not row.errors:
            if row.email_key and row.email_key in existing_emails:
                duplicate = "duplicate_email"
            elif any(e164 in existing_phones for _raw, e164 in row.phones):
                duplicate = "duplicate_phone"
        result.append(PreviewRow(row.line, row, duplicate))
    return result
