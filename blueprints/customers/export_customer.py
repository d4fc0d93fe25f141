"""One customer's whole file as CSV (the answer to an access request):
everything held about them that this employee may view (through
permissions.customer_view), section by section. The cells are written by
export_cells.py.
"""
from __future__ import annotations

from typing import Iterator

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blueprints.customers import consent_files
from blueprints.customers.export_cells import money
from extensions import db
from models import Customer, Invoice, PointsEntry, Reward, Sale
from core.permissions import customer_view


def birthday_text(record) -> str | None:
    """1990-04-17, or --04-17 without the year (ISO 8601, what the import reads back)."""
    from core.birthdays import Birthday
    birthday = Birthday.of(record)
    return birthday.iso() if birthday else None


def _labels() -> dict:
    return {
        "kind": {"add": _("Ajout"), "redeem": _("Utilisation"), "earn": _("Gagnés sur une vente"),
                 "refund": _("Repris (remboursement)"), "merge": _("Fusion"), "removal": _("Retrait du programme"),
                 "spend": _("Utilisés dans une vente"), "return": _("Rendus (remboursement)"),
                 "unrecovered": _("Non repris (remboursement)")},
        "reward": {"earned": _("Obtenue"), "claimed": _("Réclamée"), "expired": _("Expirée")},
        "sale": {"completed": _("Terminée"), "refunded": _("Remboursée"), "voided": _("Annulée")},
        "payment": {"cash": _("Espèces"), "card": _("Carte"), "invoice": _("Facture")},
        "invoice": {"open": _("Ouverte"), "paid": _("Payée")},
    }


def customer_file(employee, customer: Customer, region: str, decimal: str = ".") -> Iterator[list]:
    """Everything held about one customer that this employee may view, section
    by section in one CSV: each row starts with its section's name, each
    section with its column titles, and a blank row separates sections."""
    view = customer_view(employee, customer, region)
    history = view.history_visible
    labels = _labels()
    consents = consent_files.current_states(customer)
    yes_no = {True: _("Oui"), False: _("Non")}

    section = _("Profil")
    yield [_("Section"), _("Champ"), _("Valeur")]
    from blueprints.customers.labels import ORIGIN_LABELS, PROFILE_LABELS, label
    profile = [("ID", customer.id), (_("Prénom"), view.first_name), (_("Nom de famille"), view.last_name),
               (_("Société"), customer.company)]
    if view.email_level != "none":
        profile.append((_("Courriel"), view.email))
    if view.address_level != "none" and view.address is not None:
        profile += [(_("Adresse ligne 1"), view.address.line1), (_("Adresse ligne 2"), view.address.line2),
                    (_("Code postal"), view.address.postal_code), (_("Ville"), view.address.city),
                    (_("Pays"), view.address.country)]
    profile += [
        (_("Date de naissance"), birthday_text(customer)), (_("Identifiant fiscal"), customer.tax_id),
        (_("Profil"), label(PROFILE_LABELS, customer.account_profile)), (_("Réduction"), customer.default_discount),
        *[(title, cells(consents, [customer.id])[0]) for title, cells, _kind in consent_files.export_columns()],
        (_("Origine"), label(ORIGIN_LABELS, customer.origin)), (_("Archivé"), yes_no[bool(customer.archived)]),
        (_("Membre du programme de fidélité"), yes_no[bool(customer.loyalty_member)]),
        (_("Inscrit au programme le"), customer.loyalty_enrolled_at),
        (_("Points"), customer.points_balance), (_("Visites"), customer.visit_count),
        (_("Total dépensé"), money(customer.total_spent_cents, decimal)),
        (_("Première visite"), customer.first_visit_at), (_("Dernière visite"), customer.last_visit_at),
        (_("Créé le"), customer.created_at), (_("Modifié le"), customer.updated_at),
    ]
    if history:
        profile.append((_("Commentaires"), view.comments))
    for title, value in profile:
        yield [section, title, value]

    if view.phone_level != "none":
        yield []
        section = _("Téléphones")
        yield [section, _("Numéro"), _("Libellé"), _("Associé"), _("Ajouté le"), _("Dissocié le")]
        records = {p.id: p for p in customer.phones}
        for phone in view.phones:
            stored = records[phone.id]
            number = phone.text if view.phone_level == "masked" else (stored.e164 or stored.raw)
            yield [section, number, phone.label, yes_no[phone.linked], stored.created_at, stored.unlinked_at]

    yield []
    section = _("Groupes")
    yield [section, _("Nom")]
    for name in view.groups:
        yield [section, name]

    yield []
    yield from consent_files.history_rows(customer.id)

    if history:
        yield []
        section = _("Ventes")
        yield [section, _("Vente"), _("Date"), _("Point de vente"), _("Statut"), _("Paiement"), _("Carte"),
               _("4 derniers chiffres"), _("Titulaire de la carte"), _("Total"), _("Points gagnés"),
               _("Article"), _("Quantité"), _("Prix unitaire"), _("Total de la ligne")]
        sales = db.session.scalars(
            select(Sale).where(Sale.customer_id == customer.id).order_by(Sale.created_at, Sale.id)
            .options(selectinload(Sale.items), selectinload(Sale.location)))
        for sale in sales:
            head = [section, sale.id, sale.created_at, sale.location.name if sale.location else None,
                    labels["sale"].get(sale.status, sale.status),
                    labels["payment"].get(sale.payment_method, sale.payment_method),
                    sale.card_brand, sale.card_last4, sale.card_holder_name, money(sale.total_cents, decimal),
                    sale.points_earned]
            if not sale.items:
                yield head
            for item in sale.items:
                yield head + [item.name, item.quantity, money(item.unit_price_cents, decimal), money(item.line_total_cents, decimal)]

    yield []
    section = _("Points")
    yield [section, _("Date"), _("Variation"), _("Type"), _("Motif"), _("Vente")]
    for entry in db.session.scalars(select(PointsEntry).where(PointsEntry.customer_id == customer.id)
                                    .order_by(PointsEntry.id)):
        yield [section, entry.created_at, entry.delta, labels["kind"].get(entry.kind, entry.kind),
               entry.reason, entry.sale_id]

    yield []
    section = _("Récompenses")
    yield [section, _("Nom"), _("Obtenue le"), _("Expire le"), _("Réclamée le"), _("État")]
    for reward in db.session.scalars(select(Reward).where(Reward.customer_id == customer.id)
                                     .order_by(Reward.earned_at, Reward.id)):
        yield [section, reward.name, reward.earned_at, reward.expires_at, reward.claimed_at,
               labels["reward"].get(reward.status(), reward.status())]

    if history:
        yield []
        section = _("Factures")
        yield [section, _("Numéro"), _("Vente"), _("Montant"), _("État"), _("Émise le"), _("Payée le")]
        for invoice in db.session.scalars(select(Invoice).where(Invoice.customer_id == customer.id)
                                          .order_by(Invoice.issued_at, Invoice.id)):
            yield [section, invoice.number, invoice.sale_id, money(invoice.amount_cents, decimal),
                   labels["invoice"].get(invoice.status, invoice.status), invoice.issued_at, invoice.paid_at]
