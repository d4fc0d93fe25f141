"""The audit trail as the team's manager reads it: the actions' labels
(ACTION_LABELS), the filters (AuditQuery), the events they select, and each
event's details in words.

The events are written elsewhere, by explicit `core.audit.record` calls in the
services; a new action gets its label here. The CSV export is in
blueprints/team/audit_csv.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from core.guards import parse_id, parse_page
from blueprints.team.permission_matrix import capability_label
from blueprints.team.permission_sets import set_label
from extensions import db
from models import AuditEvent, Employee, PermissionSet

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

