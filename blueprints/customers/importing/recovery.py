"""Import jobs whose worker died, and uploads left behind. recover() runs
when a queue consumer starts and every minute (blueprints/customers/tasks.py):
a job that was checking fails (nothing was written; its upload stays for a
retry), one that was committing is handed back to be resumed. sweep_uploads()
runs every hour: personal data does not wait for ever.
"""
from __future__ import annotations

import os
import socket
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from blueprints.customers.importing.jobs import finish
from blueprints.customers.importing.staging import purge_staged
from blueprints.customers.importing.uploads import delete_upload, has_upload
from extensions import db
from models import ImportJob, ImportUpload
from models.base import utcnow
from models.imports import RUNNING

STALE_UPLOAD_SECONDS = 24 * 3600


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
            finish(job, "failed", failure="worker_died")
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
