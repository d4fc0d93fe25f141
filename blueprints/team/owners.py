"""The owner's safeguards: only an owner touches an owner, and the shop keeps
one active owner.

Every change to an employee's account (its set, its activity, its password)
asks these first; a refusal raises TeamError before anything is written.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from blueprints.team.errors import TeamError
from extensions import db
from models import Employee, PermissionSet


def is_owner(employee: Employee) -> bool:
    return bool(employee.permission_set and employee.permission_set.is_owner)


def active_owner_count(excluding: int | None = None, lock: bool = False) -> int:
    """Active employees holding the owner set. With `lock`, their rows stay
    locked until commit (PostgreSQL), so two owners demoting each other at the
    same moment cannot both succeed and leave the shop without one."""
    stmt = (select(Employee.id).join(PermissionSet, Employee.permission_set_id == PermissionSet.id)
            .where(PermissionSet.is_owner.is_(True), Employee.active.is_(True)))
    if excluding is not None:
        stmt = stmt.where(Employee.id != excluding)
    if lock:
        stmt = stmt.with_for_update(of=Employee)
    return len(db.session.scalars(stmt).all())


def is_last_active_owner(employee: Employee) -> bool:
    """Whether the shop would be left without an active owner were this one
    gone (the other owners' rows stay locked until commit)."""
    return is_owner(employee) and active_owner_count(employee.id, lock=True) == 0


def check_may_touch_owner(actor: Employee, target_set: PermissionSet, employee: Employee | None = None) -> None:
    """Only an owner hands out the owner set or changes an owner's account:
    otherwise a manager with team.manage could take the shop over."""
    if is_owner(actor):
        return
    if target_set.is_owner or (employee is not None and is_owner(employee)):
        raise TeamError(_l("Seul un propriétaire peut attribuer l’ensemble Propriétaire ou modifier le compte "
                           "d’un propriétaire."), "permission_set")
