"""What an import can fill, and the header names of the systems shops leave
(Square, Shopify, Lightspeed, Comptoir's own export) that find each field."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.permissions import can, field_level
from core.textkeys import fold


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

# Header names, folded (textkeys.fold: lower-case ASCII, punctuation as spaces).
# Comptoir's own export (French and English), Square, Shopify (old and new),
# Lightspeed Retail (R-Series) and Lightspeed X-Series.
ALIASES: dict[str, tuple[str, ...]] = {
    "first_name": ("prenom", "first name", "firstname", "given name", "first"),
    # Lightspeed eCom's "Jan" "van der" "Berg": the particle belongs to the last name.
    "last_name_prefix": ("lastnamepreposition", "lastname preposition", "last name preposition", "tussenvoegsel",
                         "particule"),
    "last_name": ("nom de famille", "last name", "lastname", "surname", "family name", "nom", "last"),
    "full_name": ("name", "full name", "nom complet", "customer name", "client", "contact"),
    "company": ("entreprise", "societe", "company", "company name", "default address company", "organisation",
                "organization", "business name", "raison sociale"),
    "email": ("courriel", "email", "e mail", "email address", "e mail address", "adresse courriel",
              "adresse e mail", "mail", "email 1"),
    "phone": ("telephone", "autres telephones", "other phones", "phone", "phone number", "phone 1", "phone 2",
              "mobile", "mobile phone", "mobile number", "cell", "home", "work", "home phone", "work phone",
              "default address phone", "portable", "tel", "numero de telephone"),
    "address_line1": ("adresse ligne 1", "address line 1", "address", "address 1", "address1",
                      "street address 1", "street address", "default address address1", "adresse",
                      "physical address 1", "street"),
    "street_name": ("streetname", "street name", "nom de rue"),
    "house_number": ("number", "house number", "numero", "numero de rue"),
    "house_extension": ("extension", "house number extension", "number extension"),
    "address_line2": ("adresse ligne 2", "address line 2", "address 2", "address2", "street address 2",
                      "default address address2", "physical address 2"),
    "postal_code": ("code postal", "postal code", "zip", "zip code", "zipcode", "postcode", "post code",
                    "default address zip", "physical postcode", "cp"),
    "city": ("ville", "city", "town", "default address city", "physical city"),
    "country": ("pays", "country", "country code", "default address country code", "physical country id"),
    "birthday": ("date de naissance", "birthday", "date of birth", "birth date", "birthdate", "dob",
                 "anniversaire", "date of birth dd mm yyyy"),
    "tax_id": ("identifiant fiscal", "tax id", "vat number", "numero de tva", "tax number"),
    "comments": ("commentaires", "comments", "comment", "memo", "note", "notes", "remarques"),
    "e_receipts": ("autoriser les notifications par courriel", "allow email notifications",
                   "email notifications"),
    # Square "Email Subscription Status", Shopify "Accepts Email Marketing",
    # Open Source POS "Consent"; "Consentement marketing" is our older export.
    "email_marketing": ("marketing par courriel", "email marketing", "consentement marketing", "marketing consent",
                        "accepts email marketing", "accepts marketing", "email subscription status", "opt in",
                        "consent"),
    "sms_marketing": ("marketing par sms", "sms marketing", "accepts sms marketing"),
    # Lightspeed Retail's "No Email": true is a refusal, false says nothing.
    "no_email": ("no email", "pas de courriel"),
    "groups": ("groupes", "groups", "tags", "customer groups", "customer group name"),
    "loyalty_member": ("membre du programme de fidelite", "loyalty member", "loyalty programme member",
                       "loyalty program member", "enable loyalty"),
    "points": ("points", "solde de points", "points balance", "loyalty points", "loyalty balance"),
    "default_discount": ("reduction", "discount", "default discount"),
    "account_profile": ("profil", "profile", "account profile"),
    "archived": ("archive", "archived"),
}
_ALIAS_TARGET = {alias: target for target, names in ALIASES.items() for alias in names}


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


def auto_mapping(headers: list[str], allowed: list[str]) -> list[str]:
    """A target per column ("" to ignore) from the header names."""
    used: set[str] = set()
    mapping = []
    for header in headers:
        target = _ALIAS_TARGET.get(fold(header), "")
        if target and (target not in allowed or (target in used and not TARGETS[target].multi)):
            target = ""
        used.add(target)
        mapping.append(target)
    return mapping


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
