"""The demo's customers: names, emails, addresses and the customer rows, with a
deliberate duplicate every DUPLICATE_EVERY customers, their groups and their
consents.

A row holds private "_" keys (the phones, the home location, the consents to
write) that the chunk uses and removes before the insert.
"""
from __future__ import annotations

import hashlib
from datetime import date, timedelta
from types import SimpleNamespace

from anyascii import anyascii

from blueprints.customers.consent import QUESTIONS
from core.textkeys import fold
from demo import data
from demo.draws import Draws, Weighted
from demo.phones import PhoneMaker
from models import Customer

DUPLICATE_EVERY = 50    # one customer in 50 is a deliberate duplicate of the previous one
CONSENT_PURPOSES = ("e_receipts", "email_marketing")


def _digest(value: str) -> int:
    """A 64-bit digest: a million emails in a set of ints, not of strings."""
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest(), "big")


class CustomerMaker:
    """One customer row at a time, drawn from the shared stream."""

    def __init__(self, draws: Draws, customer_count: int, phones: PhoneMaker, groups: dict[str, int]):
        self.draws, self.rng, self.now = draws, draws.rng, draws.now
        self.customer_count, self.phones, self.group_ids = customer_count, phones, groups
        self.import_day = draws.now - timedelta(days=600)  # the day the shop switched systems
        self.emails_seen: set[int] = set()
        self.first_fr = Weighted([(name, 3) for name in data.FIRST_NAMES_FR])
        self.first_intl = Weighted([(name, 1) for name in data.FIRST_NAMES_INTL])
        self.accented_first = [n for n in data.FIRST_NAMES_FR if anyascii(n) != n]
        self.domains = Weighted(data.EMAIL_DOMAINS)
        self.profiles = Weighted((("standard", 91), ("business", 4), ("vip", 4), ("staff", 1)))
        self.origins = Weighted((("manual", 40), ("import", 25), ("card", 12), ("marketing", 8),
                                 ("loyalty", 15)))

    def name(self):
        rng = self.rng
        first = self.first_fr.pick(rng) if rng.random() < 0.8 else self.first_intl.pick(rng)
        roll = rng.random()
        if roll < 0.78:
            last = rng.choice(data.LAST_NAMES_FR)
        elif roll < 0.95:
            last = rng.choice(data.LAST_NAMES_INTL)
        else:
            last = f"{rng.choice(data.LAST_NAMES_FR)}-{rng.choice(data.LAST_NAMES_FR)}"
        roll = rng.random()
        if roll < 0.01:
            return first, None  # a regular known by first name only
        if roll < 0.015:
            return None, last
        return first, last

    def _email(self, first, last, profile) -> str:
        rng = self.rng
        f = fold(first).replace(" ", "-") or "contact"
        l = fold(last).replace(" ", "") or "client"
        style = rng.random()
        if style < 0.35:
            local = f"{f}.{l}"
        elif style < 0.5:
            local = f"{f}{l}"
        elif style < 0.62:
            local = f"{f[0]}{l}"
        elif style < 0.8:
            local = f"{f}.{l}{rng.randint(1, 99)}"
        elif style < 0.9:
            local = f"{l}.{f}"
        else:
            local = f"{f}_{l}{rng.randint(60, 2009)}"
        domain = f"{l}-conseil.fr" if profile == "business" and rng.random() < 0.6 else self.domains.pick(rng)
        email = f"{local}@{domain}"
        while _digest(email) in self.emails_seen:
            email = f"{local}{rng.randint(2, 9999)}@{domain}"
        self.emails_seen.add(_digest(email))
        if rng.random() < 0.05:  # typed with capitals
            email = email[0].upper() + email[1:]
        return email

    def _address(self, rng) -> dict:
        where = rng.random()
        if where < 0.55:
            street, (postal, city) = rng.choice(data.PARIS_STREETS), rng.choice(data.PARIS_CITIES)
            country, home = "FR", 0
        elif where < 0.9:
            street, (postal, city) = rng.choice(data.LYON_STREETS), rng.choice(data.LYON_CITIES)
            country, home = "FR", 1
        elif where < 0.97:
            street, postal, city = rng.choice(data.OTHER_FR)
            country, home = "FR", None
        else:
            line1, postal, city, country = rng.choice(data.ABROAD)
            return {"address_line1": line1, "address_line2": None, "postal_code": postal, "city": city,
                    "country": country, "_home": None}
        number = rng.randint(1, 180)
        suffix = " bis" if rng.random() < 0.04 else ""
        return {"address_line1": f"{number}{suffix} {street}",
                "address_line2": rng.choice(data.ADDRESS_LINE2) if rng.random() < 0.15 else None,
                "postal_code": postal, "city": city, "country": country, "_home": home}

    def customer(self, cid: int, original: dict | None) -> dict:
        """The customer row (with private "_" keys the chunk uses, removed before insert)."""
        rng = self.rng
        now = self.now
        duplicate_kind = (cid // DUPLICATE_EVERY) % 3 if original else None
        will_be_copied = (cid + 1) % DUPLICATE_EVERY == 0 and cid + 1 <= self.customer_count
        origin = self.origins.pick(rng)
        if origin == "import":
            created_at = self.import_day + timedelta(seconds=cid % 86400 // 4)
        else:
            created_at = now - timedelta(seconds=rng.randint(3600, 3 * 365 * 86400))
        profile = self.profiles.pick(rng)

        if original is None:
            first, last = self.name()
            if will_be_copied and (cid + 1) // DUPLICATE_EVERY % 3 == 2:
                first = rng.choice(self.accented_first)  # so the copy without accents differs
                last = last or rng.choice(data.LAST_NAMES_FR)
            has_email = rng.random() < 0.8 or will_be_copied
            email = self._email(first, last, profile) if has_email else None
            phones, national = self.phones.numbers(cid, created_at, force=will_be_copied)
        else:
            first, last = original["first_name"], original["last_name"]
            email, phones, national = None, [], None
            if duplicate_kind == 0:  # same email, typed with other capitals
                email = original["email"].swapcase() if rng.random() < 0.5 else original["email"].upper()
            elif duplicate_kind == 1:  # the same number typed another way
                national = original["_national"]
                phones = self.phones.retyped(cid, original, created_at)
            else:  # the same name without accents (and no contact details)
                first, last = anyascii(first or "") or None, anyascii(last or "") or None
            origin = rng.choice(("import", "card", "manual"))
        address = self._address(rng) if rng.random() < 0.65 else {
            "address_line1": None, "address_line2": None, "postal_code": None, "city": None,
            "country": None, "_home": None}
        home = address.pop("_home")
        if home is None:
            home = 0 if rng.random() < 0.6 else 1

        keys = SimpleNamespace(first_name=first, last_name=last, email=email)
        Customer.refresh_keys(keys)
        discount = 0
        if profile == "staff":
            discount = rng.choice((20, 25, 50))
        elif profile == "vip":
            discount = rng.choice((10, 15))
        elif profile == "business":
            discount = rng.choice((0, 5, 10))
        elif rng.random() < 0.03:
            discount = 5
        birthday = None
        if rng.random() < 0.45:
            birthday = date(now.year - rng.randint(16, 88), rng.randint(1, 12), rng.randint(1, 28))
        tax_id = None
        if profile == "business" or rng.random() < 0.004:
            if rng.random() < 0.7:  # intra-EU VAT number, or a SIRET
                tax_id = f"FR{rng.randint(10, 99)}{rng.randint(100000000, 999999999)}"
            else:
                tax_id = f"{rng.randint(100, 999)} {rng.randint(100, 999)} {rng.randint(100, 999)} 000{rng.randint(10, 99)}"
        consent = email is not None and rng.random() < 0.35
        archived = rng.random() < 0.03
        row = {
            "id": cid, "first_name": first, "last_name": last, "email": email, **address,
            "birthday": birthday,
            "comments": rng.choice(data.COMMENTS) if rng.random() < 0.08 else None,
            "tax_id": tax_id, "account_profile": profile, "default_discount": discount,
            # Consents (models/consent.py), written by consent_events() as history and state.
            "_e_receipts": email is not None and rng.random() < 0.55,
            "_email_marketing": consent, "origin": origin,
            "archived": archived, "archived_at": None, "anonymised": False, "anonymised_at": None,
            "merged_into_id": None,
            "loyalty_member": origin == "loyalty" or rng.random() < 0.53, "loyalty_enrolled_at": None,
            "points_balance": 0, "visit_count": 0, "total_spent_cents": 0,
            "first_visit_at": None, "last_visit_at": None,
            "sort_name": keys.sort_name,
            "email_key": keys.email_key, "name_key": keys.name_key, "card_match_key": None,
            "created_at": created_at, "updated_at": created_at, "version": 1,
            "_phones": phones, "_national": national, "_home": home,
            "_phone_raw": phones[0]["raw"] if phones else None,
        }
        return row

    def groups(self, row) -> list[dict]:
        """The customer's group memberships (after the sales: VIP follows the spending)."""
        rng, groups = self.rng, self.group_ids
        chosen = []
        if row["account_profile"] == "vip" or (row["total_spent_cents"] > 40000 and rng.random() < 0.3):
            chosen.append("VIP")
        if row["postal_code"] in ("75011", "69004") and rng.random() < 0.5:
            chosen.append("Voisins")
        if row["account_profile"] == "business":
            chosen.append("Entreprises")
        if row["birthday"] and self.now.year - row["birthday"].year <= 25 and rng.random() < 0.4:
            chosen.append("Étudiants")
        if row["_email_marketing"] and rng.random() < 0.7:
            chosen.append("Newsletter")
        return [{"customer_id": row["id"], "group_id": groups[name]} for name in chosen]


def consent_events(row) -> list[dict]:
    """The consents the customer gave at the counter when added (their private
    keys leave the row)."""
    events = []
    for purpose in CONSENT_PURPOSES:
        if row.pop(f"_{purpose}"):
            events.append({"customer_id": row["id"], "purpose": purpose, "state": "yes",
                           "method": "counter", "recorded_at": row["created_at"],
                           "employee_id": None, "text_shown": str(QUESTIONS[purpose])})
    return events


def consent_states(events: list[dict]) -> list[dict]:
    """Each consent's current state, as the consent service keeps it beside its history."""
    return [{"customer_id": e["customer_id"], "purpose": e["purpose"], "state": "yes",
             "changed_at": e["recorded_at"], "event_id": None} for e in events]
