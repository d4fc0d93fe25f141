"""Automatic anonymisation (issue 15): customers with no activity for N years
are anonymised by a periodic job, exactly as a manual deletion anonymises
(deletion.anonymise, the same code path and the same zero-trace test).

Activity is a sale or a visit (last_visit_at), points (a ledger row), an
edit (updated_at: every save, archive, merge or import bumps it), the
profile's creation, or the owner's "keep" (which bumps updated_at, audited).

The rhythm is monthly, so that the owner can be told in advance: on the first
day of each month the job anonymises whoever had no activity since the same
day N years before. During the month before, the owner sees "N clients
seront anonymisés le 1er …" with the list, and may keep a customer. The
setting is off until the owner confirms it once, having seen the count; the
first run comes at least RETENTION_NOTICE_DAYS after that confirmation.

The job works in batches, each its own transaction: a killed process leaves
whole batches done and the rest untouched; the next run goes on (it is
idempotent). One audit row per run carries the count, updated in each
batch's transaction so that it always matches what was committed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, func, or_, select, update

from core.audit import record
from blueprints.customers import deletion
from extensions import db
from models import AuditEvent, Customer, PointsEntry, ShopSettings
from models.base import utcnow

BATCH = 2000
RETENTION_NOTICE_DAYS = 30
YEARS_CHOICES = range(1, 11)


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def next_first_of_month(day: date) -> date:
    """The first 1st of a month strictly after this day."""
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def starts_on_after(confirmed: date) -> date:
    """The first run after a confirmation: a 1st, at least a month later."""
    earliest = confirmed + timedelta(days=RETENTION_NOTICE_DAYS)
    return earliest if earliest.day == 1 else next_first_of_month(earliest)


def cutoff_for(run_on: date, years: int) -> datetime:
    """Whoever had no activity since this moment goes on the run of `run_on`."""
    first = first_of_month(run_on)
    return datetime(first.year - years, first.month, 1)


def inactive_since(cutoff: datetime):
    """The SQL condition: a customer with no activity since `cutoff`. The
    cheap column tests come first; the ledger is probed only for the rest."""
    return and_(
        Customer.anonymised.is_(False),
        Customer.created_at < cutoff,
        Customer.updated_at < cutoff,
        or_(Customer.last_visit_at.is_(None), Customer.last_visit_at < cutoff),
        ~exists().where(PointsEntry.customer_id == Customer.id, PointsEntry.created_at >= cutoff),
    )


# --- the setting -------------------------------------------------------------

class RetentionError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def count_inactive(years: int, run_on: date) -> int:
    return db.session.scalar(select(func.count()).select_from(Customer).where(
        inactive_since(cutoff_for(run_on, years)))) or 0


def confirm(years: int, *, seen_count: int, employee_id: int | None, today: date | None = None) -> date:
    """Turn the setting on after the owner saw how many would go on its first
    run (seen_count, as shown to them). Returns the first run's date."""
    from flask_babel import gettext as _
    if years not in YEARS_CHOICES:
        raise RetentionError(_("Choisissez une durée de 1 à 10 ans."), "years")
    today = today or utcnow().date()
    starts_on = starts_on_after(today)
    settings = ShopSettings.get()
    settings.retention_years = years
    settings.retention_enabled = True
    settings.retention_confirmed_at = utcnow()
    settings.retention_confirmed_by = employee_id
    settings.retention_starts_on = starts_on
    record("retention_enabled", "settings", settings.id, count=seen_count, employee_id=employee_id,
           details={"years": years})
    return starts_on


def disable(*, employee_id: int | None) -> None:
    settings = ShopSettings.get()
    if settings.retention_enabled:
        settings.retention_enabled = False
        record("retention_disabled", "settings", settings.id, employee_id=employee_id)


def next_run(settings: ShopSettings, today: date | None = None) -> date | None:
    """The date of the next anonymisation, or None while the setting is off."""
    if not settings.retention_enabled or settings.retention_starts_on is None:
        return None
    today = today or utcnow().date()
    return max(settings.retention_starts_on, next_first_of_month(today))


# --- the notice and "keep" -----------------------------------------------------

def notice_date(settings: ShopSettings, today: date | None = None) -> date | None:
    """The next run's date while its notice is due (the month before), without
    reading a customer: the inbox shows it on every load."""
    run_on = next_run(settings, today)
    today = today or utcnow().date()
    return run_on if run_on is not None and (run_on - today).days <= RETENTION_NOTICE_DAYS + 1 else None


@dataclass
class Notice:
    run_on: date
    count: int
    customers: list[Customer]
    next_after: int | None


def upcoming(settings: ShopSettings, *, after_id: int = 0, limit: int = 50, today: date | None = None,
             with_count: bool = True) -> Notice | None:
    """Who the next run will anonymise, in the month before it (None otherwise)."""
    run_on = notice_date(settings, today)
    if run_on is None:
        return None
    condition = inactive_since(cutoff_for(run_on, settings.retention_years))
    rows = list(db.session.scalars(select(Customer).where(condition, Customer.id > after_id)
                                   .order_by(Customer.id).limit(limit + 1)))
    count = (db.session.scalar(select(func.count()).select_from(Customer).where(condition)) or 0) \
        if with_count else len(rows)
    more = len(rows) > limit
    rows = rows[:limit]
    return Notice(run_on, count, rows, rows[-1].id if more and rows else None)


def keep(customer: Customer, *, employee_id: int | None) -> None:
    """"Conserver": counts as activity (the next N years start now), audited."""
    now = utcnow()
    db.session.execute(update(Customer).where(Customer.id == customer.id).values(updated_at=now)
                       .execution_options(synchronize_session=False))
    db.session.expire(customer)
    record("customer_kept", "customer", customer.id, employee_id=employee_id)


# --- the run -------------------------------------------------------------------

def run(today: date | None = None, batch: int = BATCH) -> int:
    """The periodic job: anonymise every customer due on this month's run.
    Returns how many were anonymised by this call."""
    settings = ShopSettings.get()
    today = today or utcnow().date()
    if not settings.retention_enabled or settings.retention_starts_on is None \
            or today < settings.retention_starts_on:
        db.session.rollback()
        return 0
    years = settings.retention_years
    cutoff = cutoff_for(today, years)
    db.session.commit()
    total, after_id, event_id = 0, 0, None
    while True:
        ids = list(db.session.scalars(select(Customer.id).where(Customer.id > after_id, inactive_since(cutoff))
                                      .order_by(Customer.id).limit(batch)))
        if not ids:
            break
        after_id = ids[-1]
        # Records merged into a due customer are the same person: they go with
        # them, as in a manual deletion, even when archived and not yet due.
        batch_ids = ids + [i for i in deletion._merged_into(ids) if i not in ids]
        deletion.anonymise(batch_ids)
        total += len(batch_ids)
        event_id = _count_in_audit(event_id, total, years)
        db.session.commit()
        db.session.expunge_all()
    db.session.rollback()  # the last (empty) read's transaction: VACUUM must not wait on it
    if total:
        deletion.purge_freed_pages()
    return total


def _count_in_audit(event_id: int | None, total: int, years: int) -> int:
    """One audit row per run: written with the first batch, its count kept
    equal to what the committed batches did."""
    if event_id is None:
        event = record("customers_auto_anonymised", "customer", None, count=total, employee_id=None,
                       details={"years": years})
        db.session.flush()
        return event.id
    db.session.execute(update(AuditEvent).where(AuditEvent.id == event_id).values(count=total))
    return event_id
