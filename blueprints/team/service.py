"""The team's rules: employees, permission sets and their matrix, the audit trail.

Every function takes plain arguments and the acting employee (never `request`),
adds its audit events to the session and lets the caller commit once. A refused
change raises TeamError before anything is written.
"""
from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from core import sessions
from core.audit import record
from core.csv_cells import BOM, safe_text
from extensions import db
from core.guards import parse_id, parse_page
from models import AuditEvent, Employee, Location, PermissionSet
from core.passwords import hash_password
from core.permissions import CAPABILITIES, CAPABILITY_GROUPS, CONTACT_FIELDS, capabilities_of, closure, dependents

LANGUAGES = (("fr", "Français"), ("en", "English"))


class TeamError(ValueError):
    """A rule refused the change; `field` names the form field it belongs to."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# --- passwords -------------------------------------------------------------

# No 0/o, 1/l/i: read aloud or copied from a screen without mistakes.
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def generate_password() -> str:
    """A temporary password: three groups of four, about 59 bits."""
    return "-".join("".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3))


# --- employees ---------------------------------------------------------------

def list_employees() -> list[Employee]:
    stmt = (select(Employee).options(selectinload(Employee.locations))
            .order_by(Employee.active.desc(), func.lower(Employee.name), Employee.id))
    return list(db.session.scalars(stmt))


def list_locations() -> list[Location]:
    return list(db.session.scalars(select(Location).order_by(Location.name)))


def get_employee(employee_id: int) -> Employee | None:
    return db.session.get(Employee, employee_id)


def _is_owner(employee: Employee) -> bool:
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


def _normalise_email(email: str) -> str:
    return (email or "").strip().lower()


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


def _check_may_touch_owner(actor: Employee, target_set: PermissionSet, employee: Employee | None = None) -> None:
    """Only an owner hands out the owner set or changes an owner's account:
    otherwise a manager with team.manage could take the shop over."""
    if _is_owner(actor):
        return
    if target_set.is_owner or (employee is not None and _is_owner(employee)):
        raise TeamError(_l("Seul un propriétaire peut attribuer l’ensemble Propriétaire ou modifier le compte "
                           "d’un propriétaire."), "permission_set")


def create_employee(actor: Employee, *, name: str, email: str, permission_set_id: int,
                    location_ids=(), language: str = "fr") -> tuple[Employee, str]:
    """Add an employee with a temporary password, returned once and stored
    only as its hash. The caller commits."""
    name = (name or "").strip()
    if not name:
        raise TeamError(_l("Saisissez le nom de l’employé."), "name")
    email = _normalise_email(email)
    if not email:
        raise TeamError(_l("Saisissez une adresse courriel."), "email")
    _check_email_free(email)
    permission_set = _permission_set(permission_set_id)
    _check_may_touch_owner(actor, permission_set)
    password = generate_password()
    employee = Employee(name=name[:120], email=email, password_hash=hash_password(password),
                        permission_set=permission_set, language=_check_language(language), active=True,
                        must_change_password=True)
    employee.locations = _locations(location_ids)
    db.session.add(employee)
    db.session.flush()
    record("employee_created", "employee", employee.id, employee_id=actor.id,
           details={"set": permission_set.id, "locations": sorted(loc.id for loc in employee.locations)})
    return employee, password


def update_employee(actor: Employee, employee: Employee, *, name: str, email: str, permission_set_id: int,
                    location_ids=(), language: str = "fr") -> list[str]:
    """Change an employee; returns the names of the fields that changed. A new
    set applies on the employee's next request. The caller commits."""
    name = (name or "").strip()
    if not name:
        raise TeamError(_l("Saisissez le nom de l’employé."), "name")
    email = _normalise_email(email)
    if not email:
        raise TeamError(_l("Saisissez une adresse courriel."), "email")
    _check_email_free(email, employee.id)
    new_set = _permission_set(permission_set_id)
    _check_may_touch_owner(actor, new_set, employee)
    if _is_owner(employee) and not new_set.is_owner and employee.active and \
            active_owner_count(employee.id, lock=True) == 0:
        raise TeamError(_l("C’est le dernier propriétaire actif : donnez d’abord l’ensemble Propriétaire à un "
                           "autre employé, sinon plus personne ne pourrait gérer la boutique."), "permission_set")
    locations = _locations(location_ids)
    language = _check_language(language)

    changed = []
    old_set_id = employee.permission_set_id
    if employee.name != name[:120]:
        employee.name = name[:120]
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
    _check_may_touch_owner(actor, employee.permission_set, employee)
    if not employee.active:
        return
    if _is_owner(employee) and active_owner_count(employee.id, lock=True) == 0:
        raise TeamError(_l("C’est le dernier propriétaire actif : il ne peut pas être désactivé."))
    employee.active = False
    sessions.end_all(employee.id)
    record("employee_deactivated", "employee", employee.id, employee_id=actor.id)


def reactivate_employee(actor: Employee, employee: Employee) -> None:
    _check_may_touch_owner(actor, employee.permission_set, employee)
    if employee.active:
        return
    employee.active = True
    record("employee_reactivated", "employee", employee.id, employee_id=actor.id)


def reset_password(actor: Employee, employee: Employee) -> str:
    """A new temporary password (returned once); every session of the employee ends."""
    _check_may_touch_owner(actor, employee.permission_set, employee)
    password = generate_password()
    employee.password_hash = hash_password(password)
    employee.must_change_password = True
    sessions.end_all(employee.id)
    record("password_reset", "employee", employee.id, employee_id=actor.id)
    return password


# --- permission sets ---------------------------------------------------------

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
        from flask_babel import lazy_ngettext
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


# --- the matrix --------------------------------------------------------------

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


# --- the audit trail ---------------------------------------------------------

# Known actions, with their label; an action another room adds later shows as its token.
ACTION_LABELS = {
    "sign_in": _l("Connexion"),
    "sign_out": _l("Déconnexion"),
    "password_changed": _l("Mot de passe changé"),
    "forbidden": _l("Tentative refusée"),
    "profile_viewed": _l("Fiche avec coordonnées consultée"),
    "customer_created": _l("Client ajouté"),
    "customer_updated": _l("Client modifié"),
    "customer_archived": _l("Client archivé"),
    "customer_unarchived": _l("Client désarchivé"),
    "customers_archived": _l("Clients archivés"),
    "customer_merged": _l("Clients fusionnés"),
    "customers_merged": _l("Clients fusionnés"),
    "merge_undone": _l("Fusion annulée"),
    "import_undone": _l("Annulation d’un import"),
    "customer_deleted": _l("Client supprimé"),
    "consent_recorded": _l("Consentement enregistré"),
    "customer_exported": _l("Client exporté"),
    "customers_exported": _l("Clients exportés"),
    "customers_imported": _l("Clients importés"),
    "import_started": _l("Importation lancée"),
    "import_finished": _l("Importation terminée"),
    "loyalty_enrolled": _l("Inscrit au programme"),
    "group_created": _l("Groupe créé"),
    "group_renamed": _l("Groupe renommé"),
    "group_deleted": _l("Groupe supprimé"),
    "group_member_added": _l("Ajouté à un groupe"),
    "group_member_removed": _l("Retiré d’un groupe"),
    "reward_granted": _l("Récompense accordée"),
    "reward_claimed": _l("Récompense réclamée"),
    "reward_deleted": _l("Récompense effacée de l’historique"),
    "settings_changed": _l("Réglages modifiés"),
    "sale_recorded": _l("Vente enregistrée"),
    "points_added": _l("Points ajoutés"),
    "points_redeemed": _l("Points utilisés"),
    "reward_revoked": _l("Récompense retirée"),
    "loyalty_removed": _l("Retiré du programme"),
    "phone_unlinked": _l("Téléphone dissocié"),
    "invoice_paid": _l("Facture réglée"),
    "sale_refunded": _l("Vente remboursée"),
    "sale_voided": _l("Vente annulée"),
    "employee_created": _l("Employé ajouté"),
    "employee_updated": _l("Employé modifié"),
    "employee_deactivated": _l("Employé désactivé"),
    "employee_reactivated": _l("Employé réactivé"),
    "password_reset": _l("Mot de passe réinitialisé"),
    "permission_changed": _l("Autorisation modifiée"),
    "permission_set_created": _l("Ensemble créé"),
    "permission_set_renamed": _l("Ensemble renommé"),
    "permission_set_deleted": _l("Ensemble supprimé"),
    "permission_set_default": _l("Ensemble par défaut changé"),
    "audit_exported": _l("Journal d’audit exporté"),
    "points_spent": _l("Points utilisés dans une vente"),
    "reward_restored": _l("Récompense rendue (vente remboursée)"),
    "sale_partly_refunded": _l("Vente remboursée en partie"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


@dataclass
class AuditQuery:
    """The trail's filters; they round-trip through the URL."""
    employee_id: int | None = None
    action: str = ""
    start: date | None = None
    end: date | None = None
    page: int = 1

    @classmethod
    def from_args(cls, args) -> "AuditQuery":
        def day(name):
            try:
                return date.fromisoformat(args.get(name) or "")
            except ValueError:
                return None

        action = (args.get("action") or "").strip()
        return cls(employee_id=parse_id(args.get("employee")), action=action if len(action) <= 40 else "",
                   start=day("from"), end=day("to"), page=parse_page(args.get("page")))

    def to_args(self, **overrides) -> dict:
        args = {"employee": self.employee_id, "action": self.action or None,
                "from": self.start.isoformat() if self.start else None,
                "to": self.end.isoformat() if self.end else None,
                "page": self.page if self.page > 1 else None}
        args.update(overrides)
        return {key: value for key, value in args.items() if value not in (None, "")}


def _filtered(stmt: Select, query: AuditQuery, to_utc) -> Select:
    if query.employee_id:
        stmt = stmt.where(AuditEvent.employee_id == query.employee_id)
    if query.action:
        stmt = stmt.where(AuditEvent.action == query.action)
    if query.start:
        stmt = stmt.where(AuditEvent.at >= to_utc(datetime.combine(query.start, time.min)))
    if query.end:
        stmt = stmt.where(AuditEvent.at < to_utc(datetime.combine(query.end + timedelta(days=1), time.min)))
    return stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def audit_select(query: AuditQuery, to_utc=lambda moment: moment) -> Select:
    """Events matching the filters, newest first. `to_utc` turns a local
    midnight into the stored naive UTC (the period is in the shop's days)."""
    return _filtered(select(AuditEvent).options(selectinload(AuditEvent.employee)), query, to_utc)


def audit_rows_select(query: AuditQuery, to_utc=lambda moment: moment) -> Select:
    """The same events as plain rows with the employee's name, for a streamed export."""
    stmt = (select(AuditEvent.at, AuditEvent.employee_id, Employee.name.label("employee_name"), AuditEvent.action,
                   AuditEvent.target_type, AuditEvent.target_id, AuditEvent.count, AuditEvent.details)
            .outerjoin(Employee, Employee.id == AuditEvent.employee_id))
    return _filtered(stmt, query, to_utc)


def known_actions() -> list[str]:
    present = set(db.session.scalars(select(AuditEvent.action).distinct()))
    return sorted(present | set(ACTION_LABELS), key=lambda action: action_label(action).lower())


def target_names() -> dict[tuple[str, int], str]:
    """Names of employees and permission sets, which events point at by id
    (both tables are small). A customer is never named: shown by id only."""
    names = {("employee", employee_id): name
             for employee_id, name in db.session.execute(select(Employee.id, Employee.name))}
    names.update({("permission_set", set_id): name
                  for set_id, name in db.session.execute(select(PermissionSet.id, PermissionSet.name))})
    return names


_FIELD_LABELS = {"name": _l("Nom"), "email": _l("Adresse courriel"), "permission_set": _l("Ensemble d’autorisations"),
                 "locations": _l("Points de vente"), "language": _l("Langue")}


def describe(event, names: dict) -> str:
    """The details of an event in words, for the trail's page (the CSV keeps
    the raw tokens)."""
    from flask_babel import gettext as _
    details = event.details or {}

    def set_name(set_id):
        name = names.get(("permission_set", set_id))
        return set_label(name) if name else f"#{set_id}"

    if event.action == "permission_changed" and "capability" in details:
        label = capability_label(details["capability"])
        parts = [_("%(capability)s accordé.", capability=label) if details.get("granted")
                 else _("%(capability)s retiré.", capability=label)]
        requested = details["capability"]
        also_added = [capability_label(c) for c in details.get("added") or () if c != requested]
        also_removed = [capability_label(c) for c in details.get("removed") or () if c != requested]
        if also_added:
            parts.append(_("Également accordé : %(list)s.", list=", ".join(also_added)))
        if also_removed:
            parts.append(_("Également retiré : %(list)s.", list=", ".join(also_removed)))
        return " ".join(parts)
    if event.action == "forbidden" and "capability" in details:
        return _("Autorisation manquante : %(capability)s", capability=capability_label(details["capability"]))
    if event.action == "employee_updated" and details.get("fields"):
        text = _("Modifié : %(fields)s", fields=", ".join(str(_FIELD_LABELS.get(f, f)) for f in details["fields"]))
        if details.get("to_set"):
            text += f" ({set_name(details.get('from_set'))} → {set_name(details['to_set'])})"
        return text
    if event.action == "employee_created" and isinstance(details.get("set"), int):
        return _("Ensemble : %(set)s", set=set_name(details["set"]))
    if event.action == "permission_set_created" and details.get("source"):
        return _("Copie de « %(set)s »", set=set_name(details["source"]))
    return details_text(details)


def details_text(details: dict | None) -> str:
    parts = []
    for key, value in (details or {}).items():
        if isinstance(value, list):
            value = ",".join(str(item) for item in value)
        parts.append(f"{key}={value}")
    return "; ".join(parts)


def csv_cell(value) -> str:
    return safe_text("" if value is None else str(value))


def audit_csv_rows(rows, names: dict, local_time, labels: dict | None = None) -> Iterator[str]:
    """CSV text of audit_rows_select's rows, header first, UTF-8 BOM in front
    (so Excel reads accents). `labels` are the actions' names already in the
    reader's language (a streamed response has no signed-in employee to ask)."""
    labels = labels if labels is not None else {}
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush():
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(["date", "employee_id", "employee", "action", "action_label", "target_type", "target_id",
                     "target", "count", "details"])
    yield BOM + flush()
    for index, row in enumerate(rows):
        target = ""
        if row.target_type and row.target_id is not None:
            target = names.get((row.target_type, row.target_id), "")
        writer.writerow([csv_cell(value) for value in (
            local_time(row.at).isoformat(timespec="seconds"), row.employee_id, row.employee_name or "",
            row.action, labels.get(row.action, row.action), row.target_type, row.target_id, target, row.count,
            details_text(row.details))])
        if index % 200 == 199:
            yield flush()
    yield flush()
