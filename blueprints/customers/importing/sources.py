"""The systems shops leave and what their customer exports look like:
Comptoir's own export (French and English), Square, Shopify (old and new),
Lightspeed Retail (R-Series), Lightspeed X-Series and eCom, and Open Source
POS. Their column names find each field (auto_mapping); some of them protect
every cell with an apostrophe (protects_cells). A new source is taught here.
"""
from __future__ import annotations

from blueprints.customers.importing.targets import TARGETS
from core.textkeys import fold

# Header names, folded (textkeys.fold: lower-case ASCII, punctuation as spaces).
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

# Sources that put an apostrophe before every cell a spreadsheet might read
# as a number (Shopify's exports and import template).
_PROTECTING_HEADERS = {"default address zip", "default address phone", "accepts sms marketing", "tax exempt",
                       "default address address1", "accepts email marketing"}


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


def protects_cells(headers: list[str] | None) -> bool:
    """Whether these headers are those of a source that protects cells with `'`."""
    return bool(headers) and len({fold(h) for h in headers} & _PROTECTING_HEADERS) >= 2
