"""Permission sets: their names, copying one, renaming, deleting, and the default set.

What a set may do is changed through the matrix (blueprints/team/permission_matrix.py).
Every function takes the acting employee, adds its audit event to the session
and lets the caller commit once; a refused change raises TeamError.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import func, select

from core.audit import record
from core.permissions import capabilities_of
from blueprints.team.errors import TeamError
from extensions import db
from models import Employee, PermissionSet

# The default sets' names are stored in French; shown in the reader's language
# while they keep them (a renamed set shows as named).
DEFAULT_SET_LABELS = {"Propriétaire": _l("Propriétaire"), "Gérant": _l("Gérant"), "Employé": _l("Employé")}


def set_label(name: str) -> str:
    return str(DEFAULT_SET_LABELS.get(name, name))


def list_sets() -> list[tuple[PermissionSet, int]]:
    """Every set with how many employees (active or not) hold it; owner first."""
    counts = dict(db.session.execute(
        select(Employee.permission_set_id, func.count(Employee.id)).group_by(Employee.permission_set_id)).all())
    sets = db.session.scalars(select(PermissionSet).order_by(PermissionSet.is_owner.desc(), PermissionSet.id))
    return [(permission_set, counts.get(permission_set.id, 0)) for permission_set in sets]


def get_set(set_id: int) -> PermissionSet | None:
    return db.session.get(PermissionSet, set_id)


def _check_set_name(name: str, set_id: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise TeamError(_l("Donnez un nom à l’ensemble."), "name")
    if len(name) > 80:
        raise TeamError(_l("80 caractères au plus."), "name")
    stmt = select(PermissionSet.id).where(func.lower(PermissionSet.name) == name.lower())
    if set_id is not None:
        stmt = stmt.where(PermissionSet.id != set_id)
    if db.session.scalar(stmt) is not None:
        raise TeamError(_l("Un ensemble porte déjà ce nom."), "name")
    return name


def copy_set(actor: Employee, source_id: int, name: str) -> PermissionSet:
    """A new set starting from another's capabilities (a copy of the owner set
    gets every capability but is an ordinary, editable set)."""
    source = db.session.get(PermissionSet, source_id) if source_id else None
    if source is None:
        raise TeamError(_l("Choisissez l’ensemble à copier."), "source")
    name = _check_set_name(name)
    permission_set = PermissionSet(name=name, is_owner=False, is_default=False)
    permission_set.capabilities = capabilities_of(source)
    db.session.add(permission_set)
    db.session.flush()
    record("permission_set_created", "permission_set", permission_set.id, employee_id=actor.id,
           details={"source": source.id})
    return permission_set


def rename_set(actor: Employee, permission_set: PermissionSet, name: str) -> None:
    if permission_set.is_owner:
        raise TeamError(_l("L’ensemble Propriétaire ne peut pas être modifié."), "name")
    name = _check_set_name(name, permission_set.id)
    if name != permission_set.name:
        permission_set.name = name
        record("permission_set_renamed", "permission_set", permission_set.id, employee_id=actor.id)


def employee_count(permission_set: PermissionSet) -> int:
    return db.session.scalar(select(func.count(Employee.id))
                             .where(Employee.permission_set_id == permission_set.id)) or 0


def delete_set(actor: Employee, permission_set: PermissionSet) -> None:
    if permission_set.is_owner:
        raise TeamError(_l("L’ensemble Propriétaire ne peut pas être supprimé."))
    if permission_set.is_default:
        raise TeamError(_l("C’est l’ensemble par défaut : choisissez d’abord un autre ensemble par défaut."))
    count = employee_count(permission_set)
    if count:
        raise TeamError(lazy_ngettext(
            "%(num)s employé utilise cet ensemble : attribuez-lui d’abord un autre ensemble.",
            "%(num)s employés utilisent cet ensemble : attribuez-leur d’abord un autre ensemble.", count))
    record("permission_set_deleted", "permission_set", permission_set.id, employee_id=actor.id)
    db.session.delete(permission_set)


def make_default_set(actor: Employee, permission_set: PermissionSet) -> None:
    """The set a new employee is given unless another is chosen."""
    if permission_set.is_owner:
        raise TeamError(_l("L’ensemble Propriétaire ne peut pas être l’ensemble par défaut."))
    if permission_set.is_default:
        return
    for other in db.session.scalars(select(PermissionSet).where(PermissionSet.is_default.is_(True))):
        other.is_default = False
    permission_set.is_default = True
    record("permission_set_default", "permission_set", permission_set.id, employee_id=actor.id)
