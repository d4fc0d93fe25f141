"""The team's employees: the list, adding one, changing one, deactivating and reactivating.

Every function takes plain arguments and the acting employee (never `request`),
adds its audit event to the session and lets the caller commit once. A refused
change raises TeamError before anything is written.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core import sessions
from core.audit import record
from core.passwords import hash_password
from blueprints.team.errors import TeamError
from blueprints.team.owners import check_may_touch_owner, is_last_active_owner
from blueprints.team.passwords import generate_password
from extensions import db
from models import Employee, Location, PermissionSet

LANGUAGES = (("fr", "Français"), ("en", "English"))


def list_employees() -> list[Employee]:
    stmt = (select(Employee).options(selectinload(Employee.locations))
            .order_by(Employee.active.desc(), func.lower(Employee.name), Employee.id))
    return list(db.session.scalars(stmt))


def list_locations() -> list[Location]:
    return list(db.session.scalars(select(Location).order_by(Location.name)))


def get_employee(employee_id: int) -> Employee | None:
    return db.session.get(Employee, employee_id)


def _check_email_free(email: str, employee_id: int | None = None) -> None:
    stmt = select(Employee.id).where(func.lower(Employee.email) == email)
    if employee_id is not None:
        stmt = stmt.where(Employee.id != employee_id)
    if db.session.scalar(stmt) is not None:
        raise TeamError(_l("Un autre employé utilise déjà cette adresse courriel."), "email")


def _permission_set(set_id: int) -> PermissionSet:
    permission_set = db.session.get(PermissionSet, set_id) if set_id else None
    if permission_set is None:
        raise TeamError(_l("Choisissez un ensemble d’autorisations."), "permission_set")
    return permission_set


def _checked_account(actor: Employee, name: str, email: str, permission_set_id: int,
                     employee: Employee | None = None) -> tuple[str, str, PermissionSet]:
    """The name (trimmed, at most 120 characters), the email (lower case, used
    by nobody else) and the set the actor may hand out, for a new employee or
    for `employee`."""
    name = (name or "").strip()
    if not name:
        raise TeamError(_l("Saisissez le nom de l’employé."), "name")
    email = (email or "").strip().lower()
    if not email:
        raise TeamError(_l("Saisissez une adresse courriel."), "email")
    _check_email_free(email, employee.id if employee is not None else None)
    permission_set = _permission_set(permission_set_id)
    check_may_touch_owner(actor, permission_set, employee)
    return name[:120], email, permission_set


def _locations(location_ids) -> list[Location]:
    ids = {int(i) for i in location_ids or ()}
    if not ids:
        return []
    found = list(db.session.scalars(select(Location).where(Location.id.in_(ids))))
    if len(found) != len(ids):
        raise TeamError(_l("Ce point de vente n’existe pas."), "locations")
    return found


def _check_language(language: str) -> str:
    if language not in dict(LANGUAGES):
        raise TeamError(_l("Choisissez une langue."), "language")
    return language


def create_employee(actor: Employee, *, name: str, email: str, permission_set_id: int,
                    location_ids=(), language: str = "fr") -> tuple[Employee, str]:
    """Add an employee with a temporary password, returned once and stored
    only as its hash. The caller commits."""
    name, email, permission_set = _checked_account(actor, name, email, permission_set_id)
    language = _check_language(language)
    locations = _locations(location_ids)
    password = generate_password()
    employee = Employee(name=name, email=email, password_hash=hash_password(password),
                        permission_set=permission_set, language=language, active=True,
                        must_change_password=True)
    employee.locations = locations
    db.session.add(employee)
    db.session.flush()
    record("employee_created", "employee", employee.id, employee_id=actor.id,
           details={"set": permission_set.id, "locations": sorted(loc.id for loc in employee.locations)})
    return employee, password


def update_employee(actor: Employee, employee: Employee, *, name: str, email: str, permission_set_id: int,
                    location_ids=(), language: str = "fr") -> list[str]:
    """Change an employee; returns the names of the fields that changed. A new
    set applies on the employee's next request. The caller commits."""
    name, email, new_set = _checked_account(actor, name, email, permission_set_id, employee)
    if not new_set.is_owner and employee.active and is_last_active_owner(employee):
        raise TeamError(_l("C’est le dernier propriétaire actif : donnez d’abord l’ensemble Propriétaire à un "
                           "autre employé, sinon plus personne ne pourrait gérer la boutique."), "permission_set")
    locations = _locations(location_ids)
    language = _check_language(language)

    changed = []
    old_set_id = employee.permission_set_id
    if employee.name != name:
        employee.name = name
        changed.append("name")
    if employee.email != email:
        employee.email = email
        changed.append("email")
    if old_set_id != new_set.id:
        employee.permission_set = new_set
        changed.append("permission_set")
    if {loc.id for loc in employee.locations} != {loc.id for loc in locations}:
        employee.locations = locations
        changed.append("locations")
    if employee.language != language:
        employee.language = language
        changed.append("language")
    if changed:
        details = {"fields": changed}
        if "permission_set" in changed:
            details.update({"from_set": old_set_id, "to_set": new_set.id})
        record("employee_updated", "employee", employee.id, employee_id=actor.id, details=details)
    return changed


def deactivate_employee(actor: Employee, employee: Employee) -> None:
    """Sign the employee out everywhere and refuse their sign-in from now on."""
    if employee.id == actor.id:
        raise TeamError(_l("Vous ne pouvez pas désactiver votre propre compte."))
    check_may_touch_owner(actor, employee.permission_set, employee)
    if not employee.active:
        return
    if is_last_active_owner(employee):
        raise TeamError(_l("C’est le dernier propriétaire actif : il ne peut pas être désactivé."))
    employee.active = False
    sessions.end_all(employee.id)
    record("employee_deactivated", "employee", employee.id, employee_id=actor.id)


def reactivate_employee(actor: Employee, employee: Employee) -> None:
    check_may_touch_owner(actor, employee.permission_set, employee)
    if employee.active:
        return
    employee.active = True
    record("employee_reactivated", "employee", employee.id, employee_id=actor.id)
