"""Undoing an import for UNDO_DAYS days (issue 15).

While an import commits, every customer it created or updated is recorded in
import_changes, in the transaction of the chunk that wrote it (Recorder). The
undo reverses exactly that, on the job queue (tasks.run_import_undo_task), in
chunks, each chunk deleting its import_changes rows in its own transaction:
a worker that dies is resumed where it stopped, nothing is reversed twice.

- A customer the import created is removed entirely (row, phones, groups,
  search terms, opening points): nothing of them is left, as after a deletion.
  Unless it has been used or changed since (a sale, an invoice, points, a
  reward, an edit, a merge): then it stays, and the undo lists it.
- A customer the import updated gets back the previous value of each field
  the import changed, unless the field was changed since (it stays, listed);
  the phones and groups the import added go, and the opening balance it gave
  goes unless points moved since.
The report holds ids and field names only, never a value.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update

from core.audit import record
from extensions import db
from models import (
    ConsentEvent,
    Customer,
    CustomerConsent,
    CustomerPurchase,
    ImportChange,
    ImportJob,
    Invoice,
    MergeSnapshotCustomer,
    Phone,
    PointsEntry,
    Reward,
    Sale,
    customer_groups,
)
from models.base import utcnow

CHUNK = 500
MAX_KEPT = 1000  # customers listed in the report; the counts stay exact
# Columns an update may change and the undo may give back.
_SKIPPED = {"id", "version", "created_at", "updated_at", "origin", "anonymised", "anonymised_at",
            "merged_into_id", "points_balance", "visit_count", "total_spent_cents", "first_visit_at",
            "last_visit_at", "sort_name", "name_search", "email_key", "email_search", "phone_search", "name_key"}
_COLUMNS = [c for c in Customer.__table__.c if c.name not in _SKIPPED]
_TYPES = {c.name: c.type.python_type for c in _COLUMNS}
REASONS = ("sale", "invoice", "points", "reward", "edited", "merged")


def undo_days() -> int:
    return int(current_app.config.get("UNDO_DAYS", 30))


def _plain(value):
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def _typed(name: str, value):
    kind = _TYPES.get(name)
    if value is not None and kind in (date, datetime):
        return kind.fromisoformat(value)
    return value


def _state(customer: Customer) -> dict:
    return {c.name: _plain(getattr(customer, c.name)) for c in _COLUMNS}


# --- recording, while the import commits ------------------------------------------

class _Change:
    def __init__(self, customer: Customer):
        self.customer = customer
        self.before = _state(customer)
        self.after: dict | None = None
        self.phones: list[Phone] = []
        self.group_ids: list[int] = []
        self.opening: PointsEntry | None = None

    def close(self) -> None:
        if self.after is None:
            self.after = _state(self.customer)


class Recorder:
    """The previous values of the customers one _update chunk changes."""

    def __init__(self, job_id: int | None):
        self.job_id = job_id
        self.changes: list[_Change] = []

    def start(self, customer: Customer) -> _Change:
        # A customer updated twice by one file: the first change ends where the second starts.
        for change in self.changes:
            if change.customer is customer:
                change.close()
        change = _Change(customer)
        self.changes.append(change)
        return change

    def write(self) -> None:
        """After the flush (the added phones and points have their ids)."""
        if self.job_id is None or not self.changes:
            return
        rows = []
        for change in self.changes:
            change.close()
            fields = {name: [change.before[name], change.after[name]] for name in change.before
                      if change.before[name] != change.after[name]}
            rows.append({"job_id": self.job_id, "customer_id": change.customer.id, "created": False,
                         "version_after": change.customer.version,
                         "previous": {"fields": fields, "phones": [p.id for p in change.phones],
                                      "groups": change.group_ids,
                                      "opening": change.opening.id if change.opening is not None else None}})
        db.session.execute(ImportChange.__table__.insert(), rows)


# --- whether an import can be undone -------------------------------------------------

def deadline(job: ImportJob) -> datetime | None:
    return job.finished_at + timedelta(days=undo_days()) if job.finished_at else None


def refusal(job: ImportJob, now: datetime | None = None) -> str | None:
    """Why this import cannot be undone now (a sentence), or None."""
    if job.status != "done":
        return _("Seul un import terminé peut être annulé.")
    if job.undo_status in ("queued", "running"):
        return _("L’annulation de cet import est en cours.")
    if job.undo_status == "done":
        return _("Cet import a déjà été annulé.")
    if deadline(job) is None or deadline(job) < (now or utcnow()):
        return _("Le délai d’annulation de cet import est passé.")
    has_changes = db.session.scalar(select(ImportChange.id).where(ImportChange.job_id == job.id).limit(1))
    if has_changes is None:
        return _("Cet import n’a rien enregistré à annuler.")
    return None


class UndoRefused(Exception):
    pass


def request_undo(job: ImportJob, employee_id: int | None) -> None:
    """Queue the undo (the caller commits, then enqueues tasks.run_import_undo_task)."""
    reason = refusal(job)
    if reason:
        raise UndoRefused(reason)
    # Conditional: of two requests at once, one queues the undo.
    queued = db.session.execute(update(ImportJob).where(ImportJob.id == job.id, ImportJob.undo_status.is_(None))
                                .values(undo_status="queued", heartbeat_at=utcnow(),
                                        undo_report={"employee_id": employee_id, "removed": 0, "restored": 0,
                                                     "kept_count": 0, "kept": []})
                                .execution_options(synchronize_session=False)).rowcount
    if queued != 1:
        raise UndoRefused(_("L’annulation de cet import est en cours."))
    db.session.refresh(job)


# --- the undo itself, on the queue ---------------------------------------------------

def run_undo(job_id: int) -> ImportJob | None:
    """Run or resume the undo of one import. Idempotent."""
    job = db.session.get(ImportJob, job_id)
    if job is None or job.undo_status not in ("queued", "running"):
        return job
    # One worker claims it: a queued undo, or a running one whose worker went silent.
    claim = update(ImportJob).where(ImportJob.id == job_id).values(undo_status="running", heartbeat_at=utcnow())
    if job.undo_status == "queued":
        claim = claim.where(ImportJob.undo_status == "queued")
    else:
        stale = utcnow() - timedelta(seconds=current_app.config.get("IMPORT_STALE_SECONDS", 120))
        claim = claim.where(ImportJob.undo_status == "running", ImportJob.heartbeat_at < stale)
    claimed = db.session.execute(claim.execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    db.session.refresh(job)
    if claimed != 1:
        return job
    report = dict(job.undo_report or {})
    report.setdefault("kept", [])
    for key in ("removed", "restored", "kept_count"):
        report.setdefault(key, 0)
    while True:
        changes = list(db.session.scalars(select(ImportChange).where(ImportChange.job_id == job_id)
                                          .order_by(ImportChange.id.desc()).limit(CHUNK)))
        if not changes:
            break
        _undo_chunk(changes, report)
        job.undo_report = dict(report)
        job.heartbeat_at = utcnow()
        db.session.commit()
    job.undo_status = "done"
    job.undone_at = utcnow()
    record("import_undone", "import", job.id, count=report["removed"] + report["restored"],
           employee_id=report.get("employee_id"),
           details={"removed": report["removed"], "restored": report["restored"], "kept": report["kept_count"]})
    db.session.commit()
    from blueprints.customers.deletion import purge_freed_pages
    purge_freed_pages()  # SQLite: no older copy of a removed customer in the write-ahead log
    return job


def _keep(report: dict, customer_id: int, reasons: list[str]) -> None:
    report["kept_count"] += 1
    if len(report["kept"]) < MAX_KEPT:
        report["kept"].append({"customer_id": customer_id, "reasons": reasons})


def _ids_with(model, column, ids) -> set[int]:
    return set(db.session.scalars(select(column).where(column.in_(ids)).distinct()))


def _undo_chunk(changes: list[ImportChange], report: dict) -> None:
    created = [c for c in changes if c.created]
    updated = [c for c in changes if not c.created]
    touched: list[int] = []
    if created:
        removable = _undo_created(created, report)
        touched += removable
    for change in updated:
        customer = db.session.get(Customer, change.customer_id)
        if customer is not None and not customer.anonymised:
            _undo_updated(change, customer, report)
            touched.append(customer.id)
    if updated:
        from blueprints.customers import (
            consent,  # its decisions go; one made since stays the newest
        )
        consent.undo_import(updated[0].job_id, [c.customer_id for c in updated])
    db.session.execute(delete(ImportChange).where(ImportChange.id.in_([c.id for c in changes]))
                       .execution_options(synchronize_session=False))
    for change in changes:
        if change in db.session:
            db.session.expunge(change)
    db.session.flush()
    from core import search_index
    search_index.reindex(db.session.connection(), touched)


def _undo_created(changes: list[ImportChange], report: dict) -> list[int]:
    """Remove the created customers nobody has used since; returns their ids."""
    ids = [c.customer_id for c in changes]
    rows = {c.id: c for c in db.session.scalars(select(Customer).where(Customer.id.in_(ids)))}
    used: dict[int, list[str]] = {}

    def mark(customer_ids, reason):
        for customer_id in customer_ids:
            used.setdefault(customer_id, []).append(reason)

    mark(_ids_with(Sale, Sale.customer_id, ids), "sale")
    mark(_ids_with(Invoice, Invoice.customer_id, ids), "invoice")
    mark(_ids_with(Reward, Reward.customer_id, ids), "reward")
    # Points: anything but the opening balance the import gave.
    mark(set(db.session.scalars(select(PointsEntry.customer_id).where(
        PointsEntry.customer_id.in_(ids),
        (PointsEntry.kind != "add") | (PointsEntry.reason.is_(None))
        | (PointsEntry.reason != _opening_reason())).distinct())), "points")
    mark(set(db.session.scalars(select(Customer.merged_into_id).where(Customer.merged_into_id.in_(ids)))), "merged")
    mark(_ids_with(MergeSnapshotCustomer, MergeSnapshotCustomer.customer_id, ids), "merged")
    for change in changes:
        customer = rows.get(change.customer_id)
        if customer is None:
            continue
        if customer.merged_into_id is not None:
            mark([customer.id], "merged")
        elif customer.version != change.version_after and customer.id not in used:
            mark([customer.id], "edited")  # a sale or points move the version too: named as such
    removable = [i for i in ids if i in rows and i not in used and not rows[i].anonymised]
    for customer_id in ids:
        if customer_id in used and customer_id in rows and not rows[customer_id].anonymised:
            _keep(report, customer_id, sorted(set(used[customer_id])))
    if removable:
        for obj in list(db.session.identity_map.values()):
            if getattr(obj, "customer_id", None) in removable or (isinstance(obj, Customer) and obj.id in removable):
                db.session.expunge(obj)
        for statement in (
            delete(Phone).where(Phone.customer_id.in_(removable)),
            delete(customer_groups).where(customer_groups.c.customer_id.in_(removable)),
            delete(PointsEntry).where(PointsEntry.customer_id.in_(removable)),
            delete(CustomerPurchase).where(CustomerPurchase.customer_id.in_(removable)),
            delete(ImportChange).where(ImportChange.customer_id.in_(removable)),
            delete(CustomerConsent).where(CustomerConsent.customer_id.in_(removable)),
            delete(ConsentEvent).where(ConsentEvent.customer_id.in_(removable)),
            delete(Customer).where(Customer.id.in_(removable)),
        ):
            db.session.execute(statement.execution_options(synchronize_session=False))
        report["removed"] += len(removable)
    return []  # removed customers have no documents left to index


def _opening_reason() -> str:
    from blueprints.customers.importing.committing import OPENING_BALANCE_REASON
    return OPENING_BALANCE_REASON


def _undo_updated(change: ImportChange, customer: Customer, report: dict) -> None:
    previous = change.previous or {}
    if customer.merged_into_id is not None:
        _keep(report, customer.id, ["merged"])
        return
    fields: dict = dict(previous.get("fields") or {})
    kept: list[str] = []
    opening_id = previous.get("opening")
    if opening_id is not None:
        later = db.session.scalar(select(func.count()).select_from(PointsEntry).where(
            PointsEntry.customer_id == customer.id, PointsEntry.id != opening_id,
            PointsEntry.id > opening_id))
        entry = db.session.get(PointsEntry, opening_id)
        if later or entry is None or entry.customer_id != customer.id:
            kept.append("points")
            fields.pop("loyalty_member", None)  # still a member: the points are in use
            fields.pop("loyalty_enrolled_at", None)
        else:
            db.session.delete(entry)
            db.session.flush()
            db.session.execute(update(Customer).where(Customer.id == customer.id)
                               .values(points_balance=Customer.points_balance - entry.delta)
                               .execution_options(synchronize_session=False))
            db.session.refresh(customer, ["points_balance", "version"])
    birthday = ("birthday", "birthday_month", "birthday_day")
    for name, (_before, after) in fields.items():
        if _plain(getattr(customer, name)) != after:
            kept.append("birthday" if name in birthday else name)
    for name, (before, _after) in fields.items():
        group = birthday if name in birthday else (name,)
        if any(_plain(getattr(customer, n)) != fields[n][1] for n in group if n in fields):
            continue  # changed since: stays as it is
        setattr(customer, name, _typed(name, before))
    phone_ids = previous.get("phones") or []
    if phone_ids:
        for phone in list(customer.phones):
            if phone.id in phone_ids:
                customer.phones.remove(phone)
    group_ids = set(previous.get("groups") or [])
    if group_ids:
        customer.groups = [g for g in customer.groups if g.id not in group_ids]
    customer.refresh_keys()
    db.session.flush()
    report["restored"] += 1
    if kept:
        _keep(report, customer.id, sorted(set(kept)))


# --- recovery and the window's end ------------------------------------------------------

def recover_undos(stale_seconds: int | None = None) -> list[int]:
    """Undos whose worker died (no heartbeat for a while): to be run again."""
    stale_seconds = stale_seconds or current_app.config.get("IMPORT_STALE_SECONDS", 120)
    cutoff = utcnow() - timedelta(seconds=stale_seconds)
    return list(db.session.scalars(select(ImportJob.id).where(
        ImportJob.undo_status.in_(("queued", "running")), ImportJob.heartbeat_at < cutoff)))


def sweep_expired(now: datetime | None = None) -> int:
    """Forget what imports older than the window did (previous values are personal data)."""
    cutoff = (now or utcnow()) - timedelta(days=undo_days())
    old_jobs = select(ImportJob.id).where(ImportJob.finished_at < cutoff)
    count = db.session.execute(delete(ImportChange).where(ImportChange.job_id.in_(old_jobs))
                               .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return count
