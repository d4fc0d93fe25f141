"""What an undo needs (issue 15): the changes an import made, and the snapshot
taken before a merge. Both hold personal data (previous values): they live
for the undo window only (UNDO_DAYS), and a customer's deletion removes
theirs at once."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from models.base import utcnow


class ImportChange(db.Model):
    """One customer an import created or updated, written in the same
    transaction as the chunk that wrote it (so a resumed commit records it once).
    `previous`: for an update, {field: [value before, value the import wrote]}
    and what it added (phone ids, group ids, the opening points entry)."""
    __tablename__ = "import_changes"
    __table_args__ = (Index("ix_import_changes_job", "job_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("import_jobs.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    created: Mapped[bool] = mapped_column(Boolean, default=False)
    previous: Mapped[dict | None] = mapped_column(JSON)
    # The customer's version once the import wrote it: a later edit moves it.
    version_after: Mapped[int | None]


class MergeSnapshot(db.Model):
    """What a merge changed, so that it can be undone until `expires_at`."""
    __tablename__ = "merge_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    primary_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    data: Mapped[dict] = mapped_column(JSON)


class MergeSnapshotCustomer(db.Model):
    """Every customer a snapshot is about (primary and secondaries): the
    deletion of any of them finds and removes the snapshot by this index."""
    __tablename__ = "merge_snapshot_customers"

    snapshot_id: Mapped[int] = mapped_column(ForeignKey("merge_snapshots.id", ondelete="CASCADE"),
                                             primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True,
                                             index=True)
