"""An import job on the queue: its upload (kept in the database until the job
ends), its preview, its run, its recovery after a dead worker, its report.

A run, in blueprints.customers.importing.tasks.run_import_task on the job queue:
queued -> checking: every row is read and checked; accepted rows are staged
    (writing.Stager) in short transactions. If a row is refused and the
    employee did not choose "valid rows only", nothing is written: "refused".
checking -> committing: the commit point. From here the staged rows are moved
    into the directory (writing.apply_staged); a job that dies is resumed.
committing -> done: the report and the audit entry; the upload is deleted.
A job whose worker died while checking is "failed" (with a retry); cancel
works until the commit point.
"""
from __future__ import annotations

import csv
import io
import os
import socket
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select, update

from core.audit import record
from blueprints.customers.importing.reading import read_upload
from blueprints.customers.importing.rows import ParsedRow, RowParser, reason_text, warning_text
from blueprints.customers.importing.targets import allowed_targets, auto_mapping
from blueprints.customers.importing.writing import (
    MAX_REPORT_ENTRIES,
    Stager,
    apply_staged,
    existing_customers,
    purge_staged,
)
from extensions import db
from models import ImportJob, ImportUpload, ShopSettings
from models.base import utcnow
from models.imports import FINISHED, RUNNING

PREVIEW_ROWS = 20
BATCH = 1000
UPLOAD_PIECE = 1_000_000  # characters per import_uploads row
STALE_UPLOAD_SECONDS = 24 * 3600
DUPLICATE_CHOICES = ("skip", "update", "create")
FAILURES = ("worker_died", "error", "commit_error", "upload_missing")


class ImportCancelled(Exception):
    """The employee cancelled the job while it was being checked."""


# --- the upload, in the database ------------------------------------------------

def start_upload(data: bytes, *, employee, filename: str | None = None) -> ImportJob:
    """Check and keep an uploaded file; the job waits for its mapping (the caller commits).
    `filename`: the file's name, kept as the proof of the consents it brings."""
    text, info = read_upload(data)
    job = ImportJob(employee_id=employee.id, status="pending", total_rows=info.total_rows, report=[],
                    settings={"filename": (filename or "")[:255],
                              "encoding": info.encoding, "delimiter": info.delimiter, "headers": info.headers,
                              "mapping": auto_mapping(info.headers, allowed_targets(employee)),
                              "duplicates": "skip", "valid_only": False})
    db.session.add(job)
    db.session.flush()
    db.session.execute(ImportUpload.__table__.insert(), [
        {"job_id": job.id, "seq": seq, "content": text[start:start + UPLOAD_PIECE]}
        for seq, start in enumerate(range(0, len(text), UPLOAD_PIECE))])
    return job


def has_upload(job_id: int) -> bool:
    return db.session.scalar(select(ImportUpload.seq).where(ImportUpload.job_id == job_id).limit(1)) is not None


def upload_text(job_id: int) -> str:
    return "".join(upload_lines(job_id))


def upload_lines(job_id: int):
    """The upload's lines (ends kept, as csv wants them), read one piece at a
    time: a 20 MB file is never held whole in the worker's memory."""
    seqs = list(db.session.scalars(select(ImportUpload.seq).where(ImportUpload.job_id == job_id)
                                   .order_by(ImportUpload.seq)))
    carry = ""
    for seq in seqs:
        piece = carry + db.session.scalar(select(ImportUpload.content).where(
            ImportUpload.job_id == job_id, ImportUpload.seq == seq))
        lines = piece.splitlines(keepends=True)
        # The last line may go on in the next piece (a "\r" may be followed by its "\n").
        carry = lines.pop() if lines and not lines[-1].endswith("\n") else ""
        yield from lines
    if carry:
        yield carry


def delete_upload(job_id: int) -> None:
    db.session.execute(delete(ImportUpload).where(ImportUpload.job_id == job_id))


def iter_rows(source, delimiter: str):
    """(line number, cells) of every non-blank data row of a text or of its
    lines, the header skipped. The line number is the file's, where the row
    starts (the header is line 1)."""
    lines = io.StringIO(source, newline="") if isinstance(source, str) else source
    reader = csv.reader(lines, delimiter=delimiter)
    next(reader, None)
    previous_end = reader.line_num
    for cells in reader:
        start = previous_end + 1
        previous_end = reader.line_num
        if any(cell.strip() for cell in cells):
            yield start, cells


# --- preview ----------------------------------------------------------------------

@dataclass
class PreviewRow:
    line: int
    row: ParsedRow
    duplicate: str | None  # a reason code when the row matches an existing customer


def preview(job_id: int, settings: dict, mapping: list[str], region: str,
            limit: int = PREVIEW_ROWS) -> list[PreviewRow]:
    parser = RowParser(mapping, region, headers=settings.get("headers"))
    rows = []
    # The first pieces hold the first rows; the whole file is not needed.
    head = "".join(db.session.scalars(select(ImportUpload.content).where(ImportUpload.job_id == job_id)
                                      .order_by(ImportUpload.seq).limit(1)))
    for line, cells in iter_rows(head, settings["delimiter"]):
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


# --- the run ----------------------------------------------------------------------

def this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def queue(job: ImportJob) -> None:
    """Mark a job as waiting for a worker (the caller commits, then enqueues)."""
    job.status = "queued"
    job.cancel_requested = False
    job.failure = None
    job.heartbeat_at = utcnow()
    job.worker = None


def _beat(job: ImportJob, **values) -> None:
    """Progress, committed: the page polls it, and it says the worker lives.
    A cancel asked meanwhile (by another request) stops the check."""
    for key, value in values.items():
        setattr(job, key, value)
    job.heartbeat_at = utcnow()
    db.session.commit()
    if job.status == "checking":
        db.session.refresh(job, ["cancel_requested"])
        if job.cancel_requested:
            raise ImportCancelled


def run_import(job_id: int) -> ImportJob | None:
    """Run (or resume) one job. Idempotent: a job already finished, or being
    run by another worker, is left alone."""
    job = db.session.get(ImportJob, job_id)
    if job is None or job.status not in ("queued", "committing"):
        return job
    # One worker claims it: a queued job, or one committing that recover()
    # let go of (its worker died).
    claim = update(ImportJob).where(ImportJob.id == job_id).values(worker=this_worker(), heartbeat_at=utcnow())
    if job.status == "queued":
        claim = claim.where(ImportJob.status == "queued").values(status="checking")
    else:
        claim = claim.where(ImportJob.status == "committing", ImportJob.worker.is_(None))
    claimed = db.session.execute(claim).rowcount
    db.session.commit()
    db.session.refresh(job)
    if claimed != 1:
        return job
    try:
        return _commit(job) if job.status == "committing" else _check_and_stage(job)
    except ImportCancelled:
        db.session.rollback()
        return _end(job, "cancelled")
    except Exception:
        db.session.rollback()
        db.session.refresh(job)
        # Past the commit point the staged rows stay: a retry finishes the move.
        _end(job, "failed", failure="commit_error" if job.status == "committing" else "error")
        raise


def _check_and_stage(job: ImportJob) -> ImportJob:
    settings = job.settings or {}
    purge_staged(job.id)
    if not has_upload(job.id):
        return _end(job, "failed", failure="upload_missing")
    region = ShopSettings.get().phone_region
    parser = RowParser(settings["mapping"], region, headers=settings.get("headers"))
    stager = Stager(job.id, settings.get("duplicates", "skip"))
    valid_only = bool(settings.get("valid_only"))
    _beat(job, processed_rows=0, created_count=0, updated_count=0, skipped_count=0, rejected_count=0,
          warning_count=0, report=[])
    rejected = []
    batch: list[ParsedRow] = []
    processed = 0
    for line, cells in iter_rows(upload_lines(job.id), settings["delimiter"]):
        row = parser.parse(line, cells)
        processed += 1
        if row.errors:
            if len(rejected) < MAX_REPORT_ENTRIES:
                rejected.append({"line": line, "outcome": "rejected", "reasons": row.errors})
        else:
            # Once a row is refused without "valid rows only", nothing will be
            # written: the rest is only checked, for the report.
            if valid_only or not rejected:
                batch.append(row)
        if len(batch) >= BATCH:
            stager.stage(batch)
            batch = []
        if processed % BATCH == 0:
            _beat(job, processed_rows=processed)
    if rejected and not valid_only:
        purge_staged(job.id)
        return _end(job, "refused", rejected_count=len(rejected), report=rejected)
    stager.stage(batch)
    report = sorted(rejected + stager.skipped + stager.warned, key=lambda entry: entry["line"])[:MAX_REPORT_ENTRIES]
    # The commit point: from here the import is written whatever happens.
    _beat(job, status="committing", processed_rows=0, rejected_count=len(rejected),
          skipped_count=len(stager.skipped), warning_count=stager.warning_count, report=report)
    return _commit(job)


def _commit(job: ImportJob) -> ImportJob:
    """Move the staged rows into the directory, chunk by chunk; resumable."""
    chunk = current_app.config.get("IMPORT_COMMIT_CHUNK", 500)
    if db.session.get_bind().dialect.name == "postgresql":
        chunk = None  # one transaction: PostgreSQL's readers and writers do not wait on it
    while True:
        moved, created, updated = apply_staged(job.id, chunk)
        if not moved:
            break
        job.processed_rows += moved
        job.created_count += created
        job.updated_count += updated
        if chunk is None:
            break  # all of it, committed with the end below
        _beat(job)
    record("customers_imported", "import", job.id, count=job.created_count + job.updated_count,
           employee_id=job.employee_id,
           details={"created": job.created_count, "updated": job.updated_count, "skipped": job.skipped_count,
                    "rejected": job.rejected_count, "warnings": job.warning_count})
    return _end(job, "done")


def _end(job: ImportJob, status: str, **values) -> ImportJob:
    """Finish a job; its upload goes (personal data), except when refused or
    failed: it waits for a new try (valid rows only, retry) until the sweep."""
    for key, value in values.items():
        setattr(job, key, value)
    job.status = status
    job.finished_at = utcnow()
    job.heartbeat_at = utcnow()
    if status not in ("failed", "refused"):
        delete_upload(job.id)
    if status != "done" and job.failure != "commit_error":
        purge_staged(job.id)
    db.session.commit()
    return job


def retry(job: ImportJob) -> bool:
    """Queue a failed job again (the caller commits, then enqueues). One that
    failed past its commit point resumes the move of its staged rows."""
    if job.status != "failed":
        return False
    if job.failure == "commit_error":
        job.status, job.worker, job.failure, job.finished_at = "committing", None, None, None
        return True
    if not has_upload(job.id):
        return False
    queue(job)
    job.finished_at = None
    return True


# --- cancel, retry, and jobs whose worker died --------------------------------------

def cancel(job: ImportJob) -> bool:
    """Cancel a job before its commit point (the caller commits). False when
    it is too late: the rows are being written."""
    if job.status == "committing":
        return False
    if job.status in ("queued", "checking"):
        job.cancel_requested = True
        if job.status == "queued":
            _end(job, "cancelled")
        return True
    if job.status not in FINISHED or job.status in ("failed", "refused"):
        job.status = "cancelled"
        job.finished_at = utcnow()
        delete_upload(job.id)
        purge_staged(job.id)
    return True


def is_dead(job: ImportJob, now=None, stale_after: int | None = None) -> bool:
    """A running job whose worker is gone: a process of this machine that no
    longer exists, or no heartbeat for `stale_after` seconds (another server)."""
    if job.status not in RUNNING:
        return False
    stale_after = stale_after or current_app.config.get("IMPORT_STALE_SECONDS", 120)
    if job.heartbeat_at is None or job.heartbeat_at < (now or utcnow()) - timedelta(seconds=stale_after):
        return True
    host, _sep, pid = (job.worker or "").rpartition(":")
    if job.status != "queued" and host == socket.gethostname() and pid.isdigit():
        return not _process_alive(int(pid))
    return False


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def recover() -> list[int]:
    """After a worker died: a job that was checking failed (nothing was
    written; its upload stays for a retry); one that was committing is
    returned, to be resumed. Run when a consumer starts and every minute."""
    resume = []
    for job in db.session.scalars(select(ImportJob).where(ImportJob.status.in_(RUNNING))):
        if not is_dead(job):
            continue
        if job.status == "committing":
            job.heartbeat_at = utcnow()
            job.worker = None
            resume.append(job.id)
        elif job.status == "queued" and has_upload(job.id):
            resume.append(job.id)  # lost from the queue (Redis flushed, or never sent): send again
            job.heartbeat_at = utcnow()
        else:
            _end(job, "failed", failure="worker_died")
    db.session.commit()
    return resume


def sweep_uploads(max_age: int = STALE_UPLOAD_SECONDS) -> int:
    """Delete the uploads of jobs abandoned on the mapping page or failed and
    never retried: personal data does not wait for ever."""
    cutoff = utcnow() - timedelta(seconds=max_age)
    stale = list(db.session.scalars(select(ImportJob).where(
        ImportJob.status.in_(("pending", "failed", "refused")), ImportJob.created_at < cutoff,
        ImportJob.id.in_(select(ImportUpload.job_id)))))
    for job in stale:
        if job.status == "pending":
            job.status = "cancelled"
            job.finished_at = utcnow()
        delete_upload(job.id)
        purge_staged(job.id)
    db.session.commit()
    return len(stale)


# --- the report ---------------------------------------------------------------------

def report_rows(job: ImportJob):
    """The report as CSV rows: a summary, then one row per line skipped, refused or with warnings."""
    from flask_babel import gettext as _
    yield [_("Résultat"), _("Nombre")]
    yield [_("Créés"), job.created_count]
    yield [_("Mis à jour"), job.updated_count]
    yield [_("Ignorés"), job.skipped_count]
    yield [_("Refusés"), job.rejected_count]
    yield [_("Avec avertissements"), job.warning_count]
    yield []
    yield [_("Ligne"), _("Résultat"), _("Motif")]
    outcomes = {"skipped": _("Ignorée"), "rejected": _("Refusée"), "warning": _("Importée, à vérifier")}
    for entry in job.report or []:
        yield [entry["line"], outcomes.get(entry["outcome"], entry["outcome"]),
               " ; ".join(entry_reason(entry, code) for code in entry["reasons"])]


def entry_reason(entry: dict, code: str) -> str:
    """A report entry's reason as text: a warning's code names its field."""
    if entry["outcome"] == "warning":
        return warning_text(*code.split(":", 1))
    return reason_text(code)

