"""An import job's run on the queue (blueprints/customers/tasks.py enqueues
it), and the employee's cancel and retry:

queued -> checking: every row is read and checked; accepted rows are staged
    (staging.Stager) in short transactions. If a row is refused and the
    employee did not choose "valid rows only", nothing is written: "refused".
checking -> committing: the commit point. From here the staged rows are moved
    into the directory (committing.apply_staged); a job that dies is resumed.
committing -> done: the report and the audit entry; the upload is deleted.
A job whose worker died while checking is "failed" (with a retry, see
recovery.py); cancel works until the commit point.
"""
from __future__ import annotations

import os
import socket

from flask import current_app
from sqlalchemy import update

from blueprints.customers.importing.committing import apply_staged
from blueprints.customers.importing.reading import iter_rows
from blueprints.customers.importing.rows import ParsedRow, RowParser
from blueprints.customers.importing.staging import MAX_REPORT_ENTRIES, Stager, purge_staged
from blueprints.customers.importing.uploads import delete_upload, has_upload, upload_lines
from core.audit import record
from extensions import db
from models import ImportJob, ShopSettings
from models.base import utcnow
from models.imports import FINISHED

BATCH = 1000
DUPLICATE_CHOICES = ("skip", "update", "create")
FAILURES = ("worker_died", "error", "commit_error", "upload_missing")


class ImportCancelled(Exception):
    """The employee cancelled the job while it was being checked."""


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
        return finish(job, "cancelled")
    except Exception:
        db.session.rollback()
        db.session.refresh(job)
        # Past the commit point the staged rows stay: a retry finishes the move.
        finish(job, "failed", failure="commit_error" if job.status == "committing" else "error")
        raise


def _check_and_stage(job: ImportJob) -> ImportJob:
    settings = job.settings or {}
    purge_staged(job.id)
    if not has_upload(job.id):
        return finish(job, "failed", failure="upload_missing")
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
        return finish(job, "refused", rejected_count=len(rejected), report=rejected)
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
    return finish(job, "done")


def finish(job: ImportJob, status: str, **values) -> ImportJob:
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


# --- the employee's cancel and retry ---------------------------------------------

def cancel(job: ImportJob) -> bool:
    """Cancel a job before its commit point (the caller commits). False when
    it is too late: the rows are being written."""
    if job.status == "committing":
        return False
    if job.status in ("queued", "checking"):
        job.cancel_requested = True
        if job.status == "queued":
            finish(job, "cancelled")
        return True
    if job.status not in FINISHED or job.status in ("failed", "refused"):
        job.status = "cancelled"
        job.finished_at = utcnow()
        delete_upload(job.id)
        purge_staged(job.id)
    return True


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
