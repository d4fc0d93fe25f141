"""What an import can fill: the fields (targets) a column can be mapped to,
which of them an employee may fill, and whether a mapping can work. The
sources' own column names for each field are in sources.py."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.permissions import can, field_level


@dataclass(frozen=True)
class Target:
    key: str
    label: object
    multi: bool = False  # several columns may feed it (phones, comments)
    limit: int = 0
    needs: tuple[str, str] | None = None  # ("field", "email") or ("cap", "customers.history.view")


TARGETS: dict[str, Target] = {t.key: t for t in (
    Target("first_name", _l("Prénom"), limit=100),
    Target("last_name_prefix", _l("Particule du nom (van, de…)"), limit=40),
    Target("last_name", _l("Nom de famille"), limit=100),
    Target("full_name", _l("Nom complet (prénom puis nom)"), limit=201),
    Target("email", _l("Courriel"), limit=254, needs=("field", "email")),
    Target("phone", _l("Téléphone"), multi=True, limit=40, needs=("field", "phone")),
    Target("company", _l("Société"), limit=200),
    Target("address_line1", _l("Adresse ligne 1"), limit=200, needs=("field", "address")),
    Target("street_name", _l("Rue (sans le numéro)"), limit=200, needs=("field", "address")),
    Target("house_number", _l("Numéro de rue"), limit=20, needs=("field", "address")),
    Target("house_extension", _l("Complément du numéro (bis, B…)"), limit=20, needs=("field", "address")),
    Target("address_line2", _l("Adresse ligne 2"), limit=200, needs=("field", "address")),
    Target("postal_code", _l("Code postal"), limit=20, needs=("field", "address")),
    Target("city", _l("Ville"), limit=100, needs=("field", "address")),
    Target("country", _l("Pays"), needs=("field", "address")),
    Target("birthday", _l("Date de naissance")),
    Target("tax_id", _l("Identifiant fiscal"), limit=40),
    Target("comments", _l("Commentaires"), multi=True, limit=5000, needs=("cap", "customers.history.view")),
    # Consent per purpose (consent.py): the file and the column are its proof.
    # Recording one needs the edit right of its channel, as at the counter.
    Target("email_marketing", _l("Marketing par courriel"), needs=("field", "email")),
    Target("sms_marketing", _l("Marketing par SMS"), needs=("field", "phone")),
    Target("e_receipts", _l("Autoriser les notifications par courriel"), needs=("field", "email")),
    Target("no_email", _l("Pas de courriel (refus du marketing par courriel)"), needs=("field", "email")),
    Target("groups", _l("Groupes"), needs=("cap", "loyalty.groups")),
    Target("loyalty_member", _l("Membre du programme de fidélité"), needs=("cap", "loyalty.points")),
    Target("points", _l("Solde de points"), needs=("cap", "loyalty.points")),
    Target("default_discount", _l("Réduction"), needs=("cap", "customers.discounts")),
    Target("account_profile", _l("Profil"), needs=("cap", "customers.discounts")),
    Target("archived", _l("Archivé"), needs=("cap", "customers.archive")),
)}


def allowed_targets(employee) -> list[str]:
    result = []
    for target in TARGETS.values():
        if target.needs is None:
            result.append(target.key)
        elif target.needs[0] == "field" and field_level(employee, target.needs[1]) == "edit":
            result.append(target.key)
        elif target.needs[0] == "cap" and can(employee, target.needs[1]):
            result.append(target.key)
    return result


def check_mapping(mapping: list[str], allowed: list[str]) -> list[str]:
    """Messages for a mapping that cannot work (empty when it can)."""
    errors = []
    chosen = [t for t in mapping if t]
    for target in chosen:
        if target not in allowed:
            errors.append(_("Vous ne pouvez pas importer ce champ : %(field)s.", field=TARGETS[target].label)
                          if target in TARGETS else _("Champ inconnu."))
    for target in set(chosen):
        if target in TARGETS and not TARGETS[target].multi and chosen.count(target) > 1:
            errors.append(_("Plusieurs colonnes vont vers le même champ : %(field)s.", field=TARGETS[target].label))
    if not {"first_name", "last_name", "full_name", "company", "email", "phone"} & set(chosen):
        errors.append(_("Associez au moins une colonne au nom, au courriel ou au téléphone."))
    return errors
