"""Who may sign in, and the first owner of a new shop."""
from sqlalchemy import func, select

from extensions import db
from models import Employee, Location, PermissionSet, ShopSettings
from passwords import check_password, dummy_check, hash_password
from permissions import DEFAULT_SETS


class SetupError(ValueError):
    pass


def authenticate(email: str, password: str) -> Employee | None:
    employee = db.session.scalar(select(Employee).where(func.lower(Employee.email) == email.strip().lower()))
    if employee is None:
        dummy_check(password)
        return None
    if not check_password(employee.password_hash, password) or not employee.active:
        return None
    return employee


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
