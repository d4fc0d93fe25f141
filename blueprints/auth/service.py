"""Who may sign in, the first owner of a new shop, and an employee's own password."""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from core import sessions
from core.audit import record
from blueprints.auth import throttle
from extensions import db
from models import Employee, Location, PermissionSet, ShopSettings
from core.passwords import check_password, dummy_check, hash_password, weakness
from core.permissions import DEFAULT_SETS


# The setup page asks the same of the first owner's password (forms.SetupForm).
MIN_PASSWORD_LENGTH = 10


class SetupError(ValueError):
    pass


class PasswordChangeError(ValueError):
    """The change was refused; `errors` maps each form field to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(errors))
        self.errors = errors


class SignInThrottled(Exception):
    """Too many failed sign-ins for this address: `seconds` to wait."""

    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = seconds


def authenticate(email: str, password: str, now: datetime | None = None) -> Employee | None:
    """The employee, or None (the failure is counted against the address).
    Raises SignInThrottled, without looking at the password, while the address
    must wait. An unknown address costs one argon2 verification, as a known
    one does. The caller commits."""
    wait = throttle.seconds_to_wait(email, now)
    if wait:
        raise SignInThrottled(wait)
    employee = db.session.scalar(select(Employee).where(func.lower(Employee.email) == email.strip().lower()))
    if employee is None:
        dummy_check(password)
    elif check_password(employee.password_hash, password) and employee.active:
        throttle.clear(email)
        return employee
    throttle.record_failure(email, now)
    return None


def has_employees() -> bool:
    return db.session.scalar(select(func.count(Employee.id))) > 0


def ensure_default_sets() -> dict[str, PermissionSet]:
    """The three sets every shop starts with (created once)."""
    existing = {ps.name: ps for ps in db.session.scalars(select(PermissionSet))}
    for name, capabilities in DEFAULT_SETS.items():
        if name not in existing:
            permission_set = PermissionSet(name=name, is_owner=capabilities is None,
                                           is_default=(name == "Employé"))
            permission_set.capabilities = capabilities or ()
            db.session.add(permission_set)
            existing[name] = permission_set
    db.session.flush()
    return existing


def create_owner(name: str, email: str, password: str, shop_name: str | None = None,
                 language: str = "fr") -> Employee:
    """The first employee, holding the Propriétaire set. The caller commits."""
    email = email.strip().lower()
    if db.session.scalar(select(Employee).where(func.lower(Employee.email) == email)):
        raise SetupError("email already used")
    sets = ensure_default_sets()
    settings = ShopSettings.get()
    if shop_name:
        settings.name = shop_name
    if not db.session.scalar(select(func.count(Location.id))):
        db.session.add(Location(name=shop_name or settings.name))
    owner = Employee(name=name, email=email, password_hash=hash_password(password),
                     permission_set=sets["Propriétaire"], language=language)
    db.session.add(owner)
    db.session.flush()
    return owner


def change_password(employee: Employee, current: str, new: str, confirm: str) -> None:
    """The employee chooses their own password, proving the current one.

    Every session of the employee ends (a copied cookie or a forgotten shared
    till is signed out); the route signs the current browser in again. The
    temporary-password flag is cleared. Nothing is written when refused.
    The caller commits.
    """
    current, new, confirm = current or "", new or "", confirm or ""
    errors = {}
    current_is_right = check_password(employee.password_hash, current)
    if not current_is_right:
        errors["current_password"] = _l("Ce n’est pas votre mot de passe actuel.")
    if len(new) < MIN_PASSWORD_LENGTH:
        errors["new_password"] = _l("Au moins 10 caractères.")
    elif current_is_right and new == current:
        errors["new_password"] = _l("Choisissez un mot de passe différent de l’actuel.")
    elif reason := weakness(new, user_inputs=(employee.name, employee.email, ShopSettings.get().name)):
        errors["new_password"] = reason
    if confirm != new:
        errors["confirm"] = _l("Les deux mots de passe diffèrent.")
    if errors:
        raise PasswordChangeError(errors)
    employee.password_hash = hash_password(new)
    employee.must_change_password = False
    sessions.end_all(employee.id)
    record("password_changed", "employee", employee.id, employee_id=employee.id)
