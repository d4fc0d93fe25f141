from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from models.base import utcnow

# pending: waiting for its mapping; queued: waiting for a worker; checking: rows
# read, checked and staged; committing: staged rows moved into the directory.
RUNNING = ("queued", "checking", "committing")
FINISHED = ("done", "refused", "failed", "cancelled")


class ImportJob(db.Model):
    """A customer CSV import: its settings, its progress (polled by htmx) and its report."""
    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    # encoding, delimiter, headers, mapping, duplicates, valid_only.
    settings: Mapped[dict | None] = mapped_column(JSON)
    total_rows: Mapped[int] = mapped_column(default=0)
    processed_rows: Mapped[int] = mapped_column(default=0)
    created_count: Mapped[int] = mapped_column(default=0)
    updated_count: Mapped[int] = mapped_column(default=0)
    skipped_count: Mapped[int] = mapped_column(default=0)
    rejected_count: Mapped[int] = mapped_column(default=0)
    warning_count: Mapped[int] = mapped_column(default=0)
    # Line numbers and reasons only: rejected values are not kept.
    # Deferred: up to 100,000 entries, not read back at every progress commit.
    report: Mapped[list] = mapped_column(JSON, default=list, deferred=True)
    # Which worker runs it ("host:pid") and when it last moved: a job whose
    # worker died is seen as such, never "running" for ever.
    worker: Mapped[str | None] = mapped_column(String(120))
    heartbeat_at: Mapped[datetime | None]
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    failure: Mapped[str | None] = mapped_column(String(40))  # a reason code, see jobs.FAILURES
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # Its undo (issue 15): queued / running / done, when, and what it left in place.
    undo_status: Mapped[str | None] = mapped_column(String(20))
    undone_at: Mapped[datetime | None]
    undo_report: Mapped[dict | None] = mapped_column(JSON, deferred=True)


class ImportUpload(db.Model):
    """The uploaded file, in the database (not on one server's disk), in
    pieces; deleted when the import ends, swept when abandoned."""
    __tablename__ = "import_uploads"

    job_id: Mapped[int] = mapped_column(ForeignKey("import_jobs.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(primary_key=True)
    content: Mapped[str] = mapped_column(Text)


class ImportStagedRow(db.Model):
    """A checked row waiting to be moved into the directory: what makes an
    import all-or-nothing without holding the database's write lock for the
    whole write (SQLite has one writer; the till keeps selling)."""
    __tablename__ = "import_staged_rows"
    __table_args__ = (Index("ix_import_staged_rows_job", "job_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("import_jobs.id", ondelete="CASCADE"))
    line: Mapped[int]
    action: Mapped[str] = mapped_column(String(10))  # create / update
    target_id: Mapped[int | None]  # the customer an update goes to
    payload: Mapped[str] = mapped_column(Text)  # JSON of the parsed row
