"""An import job: where its upload waits, its preview, the run (check every
row, then write), and its report."""
from __future__ import annotations

import csv
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _

from audit import record
from blueprints.customers.importing.reading import read_upload
from blueprints.customers.importing.rows import ParsedRow, RowParser, reason_text
from blueprints.customers.importing.targets import allowed_targets, auto_mapping
from blueprints.customers.importing.writing import (
    MAX_REPORT_ENTRIES,
    Writer,
    existing_customers,
)
from extensions import db
from models import ImportJob, ShopSettings
from models.base import utcnow

PREVIEW_ROWS = 20
BATCH = 1000
# Files up to this many rows are imported during the request; bigger ones in a
# background thread while the page polls the progress.
INLINE_ROWS = 2000
STALE_UPLOAD_SECONDS = 24 * 3600
DUPLICATE_CHOICES = ("skip", "update", "create")


def imports_dir(base: str | os.PathLike) -> Path:
    path = Path(base) / "imports"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def _paths(base, job_id: int) -> tuple[Path, Path]:
    folder = imports_dir(base)
    return folder / f"{int(job_id)}.csv", folder / f"{int(job_id)}.json"


def load_settings(base, job_id: int) -> dict | None:
    _csv, settings = _paths(base, job_id)
    try:
        return json.loads(settings.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def save_settings(base, job_id: int, settings: dict) -> None:
    _csv, path = _paths(base, job_id)
    _write_private(path, json.dumps(settings))


def _write_private(path: Path, content: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(content)


def has_upload(base, job_id: int) -> bool:
    return _paths(base, job_id)[0].exists()


def delete_upload(base, job_id: int) -> None:
    for path in _paths(base, job_id):
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def sweep_stale_uploads(base, max_age: int = STALE_UPLOAD_SECONDS) -> int:
    """Delete uploads left behind (an abandoned mapping page): personal data
    does not wait on disk for ever."""
    removed = 0
    cutoff = time.time() - max_age
    for path in imports_dir(base).iterdir():
        if path.suffix in (".csv", ".json") and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def start_upload(data: bytes, *, employee, base) -> ImportJob:
    """Check and keep an uploaded file; the job waits for its mapping (the caller commits)."""
    text, info = read_upload(data)
    sweep_stale_uploads(base)
    job = ImportJob(employee_id=employee.id, status="pending", total_rows=info.total_rows, report=[])
    db.session.add(job)
    db.session.flush()
    csv_path, _json = _paths(base, job.id)
    _write_private(csv_path, text)
    save_settings(base, job.id, {
        "encoding": info.encoding, "delimiter": info.delimiter, "headers": info.headers,
        "mapping": auto_mapping(info.headers, allowed_targets(employee)),
        "duplicates": "skip", "valid_only": False,
    })
    return job


def iter_rows(base, job_id: int, delimiter: str):
    """(line number, cells) of every non-blank data row, the header skipped.
    The line number is the file's, where the row starts (the header is line 1)."""
    csv_path, _json = _paths(base, job_id)
    with csv_path.open("r", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        next(reader, None)
        previous_end = reader.line_num
        for cells in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if any(cell.strip() for cell in cells):
                yield start, cells


@dataclass
class PreviewRow:
    line: int
    row: ParsedRow
    duplicate: str | None  # a reason code when the row matches an existing customer


def preview(base, job_id: int, settings: dict, mapping: list[str], region: str,
            limit: int = PREVIEW_ROWS) -> list[PreviewRow]:
    parser = RowParser(mapping, region, headers=settings.get("headers"))
    rows = []
    for line, cells in iter_rows(base, job_id, settings["delimiter"]):
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


def _progress(job: ImportJob, **values) -> None:
    for key, value in values.items():
        setattr(job, key, value)
    db.session.commit()


def run_import(job_id: int, base) -> ImportJob:
    """Check every row, then write (see the module's docstring). Commits as it goes."""
    job = db.session.get(ImportJob, job_id)
    settings = load_settings(base, job_id)
    if job is None or settings is None or not has_upload(base, job_id):
        if job is not None:
            _progress(job, status="failed", finished_at=utcnow())
        raise LookupError("import not found")
    employee_id = job.employee_id
    region = ShopSettings.get().phone_region
    parser = RowParser(settings["mapping"], region, headers=settings.get("headers"))
    _progress(job, status="running", processed_rows=0, created_count=0, updated_count=0,
              skipped_count=0, rejected_count=0, report=[])
    try:
        rejected = []
        for count, (line, cells) in enumerate(iter_rows(base, job_id, settings["delimiter"]), start=1):
            row = parser.parse(line, cells)
            if row.errors and len(rejected) < MAX_REPORT_ENTRIES:
                rejected.append({"line": line, "outcome": "rejected", "reasons": row.errors})
            if count % BATCH == 0:
                _progress(job, processed_rows=count)
        if rejected and not settings.get("valid_only"):
            # All or nothing: no row is written while one is refused.
            _progress(job, status="refused", processed_rows=job.total_rows, rejected_count=len(rejected),
                      report=rejected, finished_at=utcnow())
            return job

        _progress(job, status="writing", processed_rows=0)
        writer = Writer(settings.get("duplicates", "skip"), region)
        batch: list[ParsedRow] = []
        processed = 0
        for line, cells in iter_rows(base, job_id, settings["delimiter"]):
            row = parser.parse(line, cells)
            processed += 1
            if not row.errors:
                batch.append(row)
            if len(batch) >= BATCH:
                writer.write(batch)
                batch = []
                _progress(job, processed_rows=processed)
        if batch:
            writer.write(batch)
        report = sorted(rejected + writer.report, key=lambda entry: entry["line"])[:MAX_REPORT_ENTRIES]
        job.status = "done"
        job.processed_rows = processed
        job.created_count = writer.created
        job.updated_count = writer.updated
        job.skipped_count = writer.skipped
        job.rejected_count = len(rejected)
        job.report = report
        job.finished_at = utcnow()
        record("customers_imported", "import", job.id, count=writer.created + writer.updated,
               employee_id=employee_id,
               details={"created": writer.created, "updated": writer.updated, "skipped": writer.skipped,
                        "rejected": len(rejected)})
        db.session.commit()
        delete_upload(base, job_id)
        return job
    except Exception:
        db.session.rollback()
        job = db.session.get(ImportJob, job_id)
        _progress(job, status="failed", finished_at=utcnow())
        delete_upload(base, job_id)
        raise


def run_in_thread(app, job_id: int, base) -> None:
    """Run an import in a background thread with its own app context."""
    import threading

    def target():
        with app.app_context():
            try:
                run_import(job_id, base)
            except Exception:  # noqa: BLE001 - the job row says "failed"; the log says why
                app.logger.exception("customer import %s failed", job_id)
            finally:
                db.session.remove()

    threading.Thread(target=target, name=f"import-{job_id}", daemon=True).start()


def report_rows(job: ImportJob):
    """The report as CSV rows: a summary, then one row per skipped or rejected line."""
    yield [_("Résultat"), _("Nombre")]
    yield [_("Créés"), job.created_count]
    yield [_("Mis à jour"), job.updated_count]
    yield [_("Ignorés"), job.skipped_count]
    yield [_("Refusés"), job.rejected_count]
    yield []
    yield [_("Ligne"), _("Résultat"), _("Motif")]
    outcomes = {"skipped": _("Ignorée"), "rejected": _("Refusée")}
    for entry in job.report or []:
        yield [entry["line"], outcomes.get(entry["outcome"], entry["outcome"]),
               " ; ".join(reason_text(code) for code in entry["reasons"])]
