"""The demo customers' phone numbers: unique, valid French numbers typed the
many ways people type them, some overseas or foreign, a few invalid.

Each stored value comes from the customers' own make_phone, so a demo number
is stored exactly as one typed at the counter.
"""
from __future__ import annotations

from datetime import datetime

from blueprints.customers.service import make_phone
from core.phones import normalise
from demo.draws import Draws, Weighted

REGION = "FR"


def valid_prefixes(candidates, country_code: str) -> list[str]:
    """Three-digit national prefixes that phones.normalise accepts for this
    country (so the generated numbers are valid ones; each stored value still
    comes from make_phone)."""
    return [str(p) for p in candidates
            if (normalise(f"0{p}123456", REGION) or "").startswith(country_code)]


def spaced(national: str) -> str:
    return " ".join(national[i:i + 2] for i in range(0, 10, 2))


# How a French number is typed: "06 12 34 56 78", "0612345678", "+33 6 12 34 56 78"...
PHONE_FORMATS = Weighted((
    (spaced, 35),
    (lambda n: n, 25),
    (lambda n: "+33 " + n[1] + " " + " ".join(n[i:i + 2] for i in range(2, 10, 2)), 12),
    (lambda n: ".".join(n[i:i + 2] for i in range(0, 10, 2)), 10),
    (lambda n: "-".join(n[i:i + 2] for i in range(0, 10, 2)), 3),
    (lambda n: "+33" + n[1:], 5),
    (lambda n: "0033 " + n[1] + " " + " ".join(n[i:i + 2] for i in range(2, 10, 2)), 2),
    (lambda n: n[:4] + " " + n[4:7] + " " + n[7:], 3),
))
OVERSEAS_FORMATS = (lambda n: n[:4] + " " + " ".join(n[i:i + 2] for i in range(4, 10, 2)), lambda n: n)


def foreign_number(rng) -> str:
    kind = rng.randrange(6)
    if kind == 0:
        return f"+44 7{rng.choice('1234579')}{rng.randint(10, 99)} {rng.randint(100000, 999999)}"
    if kind == 1:
        return f"+1 {rng.choice(('415', '212', '617', '312'))} {rng.randint(201, 989)} {rng.randint(1000, 9999)}"
    if kind == 2:
        return f"+1 {rng.choice(('514', '438', '418'))} {rng.randint(201, 989)}-{rng.randint(1000, 9999)}"
    if kind == 3:
        return f"+32 4{rng.randint(70, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    if kind == 4:
        return f"+41 7{rng.choice('6789')} {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    return f"+49 1{rng.choice(('51', '60', '70', '76'))} {rng.randint(1000000, 9999999)}"


class PhoneMaker:
    """The phone rows of each customer."""

    def __init__(self, draws: Draws, seed: int):
        self.draws, self.rng = draws, draws.rng
        # Every number is unique: a bijection of (customer, slot) onto the prefixes x 10^6.
        self.mobile_prefixes = valid_prefixes(range(600, 800), "+33")
        self.landline_prefixes = valid_prefixes([*range(140, 150), *range(430, 480), *range(950, 990)], "+33")
        self.overseas_prefixes = valid_prefixes((690, 692, 693, 694, 696), "+")
        self.offset = seed * 7919

    def _unique(self, k: int, prefixes: list[str]) -> str:
        space = len(prefixes) * 1_000_000
        u = (k * 48271 + self.offset) % space
        return f"0{prefixes[u // 1_000_000]}{u % 1_000_000:06d}"

    def row(self, customer_id: int, raw: str, label: str, created_at: datetime,
            linked: bool = True, unlinked_at: datetime | None = None) -> dict:
        phone = make_phone(raw, REGION, label)
        return {"id": self.draws.next_id("phone"), "customer_id": customer_id, "raw": phone.raw, "e164": phone.e164,
                "display": phone.display,
                "digits": phone.digits, "label": phone.label, "linked": linked,
                "unlinked_at": unlinked_at, "created_at": created_at}

    def numbers(self, cid: int, created_at: datetime, force: bool) -> tuple[list[dict], str | None]:
        """The customer's numbers and, for a duplicate to retype, the first national number."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.12 and not force:
            return [], None
        rows, national, label = [], None, "mobile"
        if roll < 0.76 or force:
            national = self._unique(cid * 4, self.mobile_prefixes)
            raw = PHONE_FORMATS.pick(rng)(national)
        elif roll < 0.86:
            national = self._unique(cid * 4, self.landline_prefixes)
            raw = PHONE_FORMATS.pick(rng)(national)
            label = "home"
        elif roll < 0.9:
            national = self._unique(cid, self.overseas_prefixes)
            raw = rng.choice(OVERSEAS_FORMATS)(national)
        elif roll < 0.99:
            raw = foreign_number(rng)
        else:
            raw = spaced(self._unique(cid * 4, self.mobile_prefixes))[:11]  # typed short: invalid
        rows.append(self.row(cid, raw, label, created_at))
        if rng.random() < 0.08:  # a second number
            second = self._unique(cid * 4 + 1, self.mobile_prefixes if rng.random() < 0.5 else self.landline_prefixes)
            rows.append(self.row(cid, PHONE_FORMATS.pick(rng)(second), rng.choice(("work", "home")), created_at))
        if rng.random() < 0.04:  # an old number, unlinked (it no longer finds the customer)
            old = self._unique(cid * 4 + 2, self.mobile_prefixes)
            rows.append(self.row(cid, PHONE_FORMATS.pick(rng)(old), "mobile", created_at, linked=False,
                                 unlinked_at=self.draws.moment(created_at, self.draws.now)))
        return rows, national

    def retyped(self, cid: int, original: dict, created_at: datetime) -> list[dict]:
        """A duplicate's number: the original's, typed the other way."""
        national = original["_national"]
        raw = spaced(national) if original["_phone_raw"] != spaced(national) else national
        return [self.row(cid, raw, "mobile", created_at)]
