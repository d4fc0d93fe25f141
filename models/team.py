from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Column, ForeignKey, String, Table, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import utcnow

employee_locations = Table(
    "employee_locations",
    db.metadata,
    Column("employee_id", ForeignKey("employees.id", ondelete="CASCADE"), primary_key=True),
    Column("location_id", ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True),
)


class PermissionSet(db.Model):
    """A named list of capabilities; what each means lives in core/permissions.py."""
    __tablename__ = "permission_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    # The owner set holds every capability and cannot be edited or removed.
    is_owner: Mapped[bool] = mapped_column(Boolean, default=False)
    # The set given to a new employee unless another is chosen.
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    # Space-separated capability names, kept sorted.
    capabilities_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    employees: Mapped[list["Employee"]] = relationship(back_populates="permission_set")

    @property
    def capabilities(self) -> frozenset[str]:
        return frozenset(self.capabilities_text.split())

    @capabilities.setter
    def capabilities(self, values) -> None:
        self.capabilities_text = " ".join(sorted(set(values)))


class Employee(UserMixin, db.Model):
    __tablename__ = "employees"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    permission_set_id: Mapped[int] = mapped_column(ForeignKey("permission_sets.id"))
    language: Mapped[str] = mapped_column(String(5), default="fr")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set by a temporary password (new employee, reset): every page leads to
    # the change-password page until the employee chooses their own.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    permission_set: Mapped[PermissionSet] = relationship(back_populates="employees", lazy="joined")
    locations: Mapped[list["Location"]] = relationship(secondary=employee_locations)  # noqa: F821

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive employees
        return self.active


class EmployeeSession(db.Model):
    """A signed-in browser. The cookie carries only this row's token, so logout,
    deactivation or a password change end the session server-side: a copied
    cookie is worth nothing afterwards."""
    __tablename__ = "employee_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class SignInFailure(db.Model):
    """Failed sign-ins of one email address (known to the shop or not, so the
    throttle does not reveal who works here), kept in the database so that it
    holds across workers and servers whatever the rate limiter's storage.
    Reset by a successful sign-in."""
    __tablename__ = "sign_in_failures"

    # sha256 of the lower-cased address: the table names nobody.
    email_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failed_at: Mapped[datetime] = mapped_column(default=utcnow)
    blocked_until: Mapped[datetime | None]
