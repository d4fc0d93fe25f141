"""The permission matrix: one row per capability (a contact field's three levels
folded into one four-way choice), one column per set, and the changes to it.

A change grants what the capability implies and removes what depends on it
(core/permissions.py), says so in a MatrixChange, and is refused (TeamError)
when it would lock the team out. The caller commits once.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from core.audit import record
from core.permissions import CAPABILITIES, CAPABILITY_GROUPS, CONTACT_FIELDS, capabilities_of, closure, dependents
from blueprints.team.errors import TeamError
from extensions import db
from models import Employee, PermissionSet

LEVEL_LABELS = {"none": _l("aucun"), "masked": _l("masqué"), "view": _l("consulter"), "edit": _l("modifier")}


def _labels() -> dict[str, object]:
    labels = {}
    for _key, _group_label, caps in CAPABILITY_GROUPS:
        for cap, label in caps:
            labels[cap] = label
    return labels


def capability_label(cap: str) -> str:
    """The on-screen name; a contact capability reads "Téléphone (consulter)"."""
    label = _labels().get(cap, cap)
    parts = cap.split(".")
    if len(parts) == 3 and parts[1] in CONTACT_FIELDS and parts[2] in LEVEL_LABELS:
        return f"{label} ({LEVEL_LABELS[parts[2]]})"
    return str(label)


def set_field_level(capabilities, field_name: str) -> str:
    level = "none"
    for candidate in ("masked", "view", "edit"):
        if f"customers.{field_name}.{candidate}" in capabilities:
            level = candidate
    return level


@dataclass
class MatrixRow:
    kind: str  # "capability" or "field"
    key: str  # capability name or contact field name
    label: object


@dataclass
class MatrixGroup:
    key: str
    label: object
    rows: list[MatrixRow] = field(default_factory=list)


def matrix_groups() -> list[MatrixGroup]:
    """CAPABILITY_GROUPS as rows, the three levels of a contact field folded
    into one row with a four-way choice."""
    groups = []
    for key, label, caps in CAPABILITY_GROUPS:
        group = MatrixGroup(key, label)
        seen_fields = set()
        for cap, cap_label in caps:
            parts = cap.split(".")
            if len(parts) == 3 and parts[0] == "customers" and parts[1] in CONTACT_FIELDS \
                    and parts[2] in ("masked", "view", "edit"):
                if parts[1] not in seen_fields:
                    seen_fields.add(parts[1])
                    group.rows.append(MatrixRow("field", parts[1], cap_label))
            else:
                group.rows.append(MatrixRow("capability", cap, cap_label))
        groups.append(group)
    return groups


@dataclass
class MatrixChange:
    """What one toggle did: the capability asked for and what followed."""
    permission_set: PermissionSet
    requested: str
    granted: bool
    also_granted: list[str]
    also_removed: list[str]


def _field_target(current: frozenset[str], field_name: str, level: str) -> frozenset[str]:
    if field_name not in CONTACT_FIELDS or level not in LEVEL_LABELS:
        raise TeamError(_l("Ce niveau d’accès n’existe pas."))
    caps = set(current)
    if level == "none":
        drop = f"customers.{field_name}.masked"
    elif level in ("masked", "view"):
        drop = f"customers.{field_name}.{'view' if level == 'masked' else 'edit'}"
    else:
        drop = None
    if drop:
        caps -= {drop} | dependents(drop)
    if level != "none":
        caps |= {f"customers.{field_name}.{level}"}
    return closure(caps)


def _check_change(actor: Employee, permission_set: PermissionSet, after: frozenset[str]) -> None:
    if permission_set.is_owner:
        raise TeamError(_l("L’ensemble Propriétaire a toutes les autorisations et ne peut pas être modifié."))
    if "team.manage" not in after:
        if actor.permission_set_id == permission_set.id:
            raise TeamError(_l("Vous perdriez vous-même l’accès à l’équipe : demandez ce changement à un "
                               "propriétaire."))
        # Someone active must still be able to manage the team.
        others = db.session.scalars(
            select(PermissionSet).join(Employee, Employee.permission_set_id == PermissionSet.id)
            .where(Employee.active.is_(True), PermissionSet.id != permission_set.id).distinct())
        if not any("team.manage" in capabilities_of(other) for other in others):
            raise TeamError(_l("Plus personne ne pourrait gérer l’équipe : ce changement est refusé."))


def _apply(actor: Employee, permission_set: PermissionSet, requested: str, granted: bool,
           after: frozenset[str]) -> MatrixChange:
    _check_change(actor, permission_set, after)
    before = closure(permission_set.capabilities)
    added = sorted(after - before)
    removed = sorted(before - after)
    permission_set.capabilities = after
    if added or removed:
        record("permission_changed", "permission_set", permission_set.id, employee_id=actor.id,
               details={"set": permission_set.id, "capability": requested, "granted": granted,
                        "added": added, "removed": removed})
    followed = lambda caps: [cap for cap in caps if cap != requested]  # noqa: E731
    return MatrixChange(permission_set, requested, granted, followed(added), followed(removed))


def toggle_capability(actor: Employee, permission_set: PermissionSet, capability: str,
                      granted: bool) -> MatrixChange:
    """Grant (with what it implies) or remove (with what depends on it) one
    capability. The caller commits."""
    if capability not in CAPABILITIES:
        raise TeamError(_l("Cette autorisation n’existe pas."))
    parts = capability.split(".")
    if len(parts) == 3 and parts[1] in CONTACT_FIELDS:
        current_level = set_field_level(closure(permission_set.capabilities), parts[1])
        order = ("none", "masked", "view", "edit")
        if granted:
            level = max(current_level, parts[2], key=order.index)
        else:
            level = order[order.index(parts[2]) - 1] if order.index(current_level) >= order.index(parts[2]) \
                else current_level
        return set_contact_level(actor, permission_set, parts[1], level)
    current = closure(permission_set.capabilities)
    if granted:
        after = closure(current | {capability})
    else:
        after = closure(current - {capability} - dependents(capability))
    return _apply(actor, permission_set, capability, granted, after)


def set_contact_level(actor: Employee, permission_set: PermissionSet, field_name: str,
                      level: str) -> MatrixChange:
    """One contact field's row: aucun / masqué / consulter / modifier."""
    after = _field_target(closure(permission_set.capabilities), field_name, level)
    requested = f"customers.{field_name}.{level if level != 'none' else 'masked'}"
    return _apply(actor, permission_set, requested, level != "none", after)

