"""The per-address sign-in throttle, kept in the database.

Flask-Limiter counts failures per client address in its own storage (Redis
when several workers or servers share it). This throttle counts them per email
address in the database, so it holds whatever that storage is, and against
guesses spread over many client addresses: after `LOGIN_FREE_FAILURES` failed
sign-ins the address waits, twice as long after each further failure, up to
`LOGIN_MAX_DELAY_SECONDS`. A successful sign-in clears it.

Unknown addresses are counted exactly like known ones, so the throttle tells
nobody who works here. Rows name no one: the address is hashed.
"""
from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, delete, select, update
from sqlalchemy.exc import IntegrityError

from extensions import db
from models import SignInFailure
from models.base import utcnow

# Failures older than this are forgotten at the next one.
FORGET_AFTER = timedelta(hours=24)


def _key(email: str) -> str:
    return hashlib.sha256((email or "").strip().lower().encode()).hexdigest()


def delay_after(failures: int) -> int:
    """Seconds the address must wait after `failures` failures in a row."""
    free = current_app.config["LOGIN_FREE_FAILURES"]
    if failures < free:
        return 0
    first = current_app.config["LOGIN_FIRST_DELAY_SECONDS"]
    longest = current_app.config["LOGIN_MAX_DELAY_SECONDS"]
    exponent = min(failures - free, 32)
    return min(first * 2 ** exponent, longest)


def seconds_to_wait(email: str, now: datetime | None = None) -> int:
    """0 when the address may try now, else how long it must still wait."""
    now = now or utcnow()
    blocked_until = db.session.scalar(
        select(SignInFailure.blocked_until).where(SignInFailure.email_hash == _key(email)))
    if blocked_until is None or blocked_until <= now:
        return 0
    return math.ceil((blocked_until - now).total_seconds())


def record_failure(email: str, now: datetime | None = None) -> int:
    """Count one failure (atomically, whichever worker answers); returns the
    failures in a row. The caller commits."""
    now = now or utcnow()
    key = _key(email)
    failures = _increment(key, now)
    if failures is None:
        try:
            with db.session.begin_nested():
                db.session.add(SignInFailure(email_hash=key, failures=1, last_failed_at=now))
            failures = 1
        except IntegrityError:  # another worker inserted it first
            failures = _increment(key, now)
    delay = delay_after(failures)
    if delay:
        db.session.execute(update(SignInFailure).where(SignInFailure.email_hash == key)
                           .values(blocked_until=now + timedelta(seconds=delay)))
    return failures


def _increment(key: str, now: datetime) -> int | None:
    stale = SignInFailure.last_failed_at < now - FORGET_AFTER
    result = db.session.execute(
        update(SignInFailure).where(SignInFailure.email_hash == key)
        .values(failures=case((stale, 1), else_=SignInFailure.failures + 1), last_failed_at=now)
        .returning(SignInFailure.failures))
    return result.scalar()


def clear(email: str) -> None:
    """A successful sign-in forgets the address's failures. The caller commits."""
    db.session.execute(delete(SignInFailure).where(SignInFailure.email_hash == _key(email)))
