"""The demo's sales at the two tills: baskets from the catalogue, payments by
cash, card or invoice, the card that creates or finds a customer, and the
invoices.

Stored values come from the sales services' own functions (card_match_key,
invoice_number), so they are exactly what the till would store.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

from anyascii import anyascii

from blueprints.sales.cards import card_match_key
from blueprints.sales.invoices import invoice_number
from core.textkeys import fold
from demo import data
from demo.draws import Draws, Weighted


class SaleMaker:
    """Sales, their items and invoices; `staff` says who works at which till."""

    def __init__(self, draws: Draws, staff: dict, history_start: datetime):
        self.draws, self.rng, self.staff, self.history_start = draws, draws.rng, staff, history_start
        self.catalogue = Weighted([((name, price, fold(name), most), weight)
                                   for name, price, weight, most in data.CATALOGUE])
        self.item_counts = Weighted(((1, 40), (2, 30), (3, 20), (4, 10)))
        self.brands = Weighted((("cb", 45), ("visa", 30), ("mastercard", 20), ("amex", 5)))

    def card(self, first, last):
        """A payment card: brand, last four digits, the name embossed on it."""
        rng = self.rng
        name = anyascii(" ".join(part for part in (first, last) if part)).upper()
        if rng.random() < 0.3 and first and last:
            name = f"{anyascii(first)[0].upper()} {anyascii(last).upper()}"
        return self.brands.pick(rng), f"{rng.randrange(10000):04d}", name[:120]

    def _basket(self, sale_id: int, items: list) -> int:
        rng = self.rng
        wanted = self.item_counts.pick(rng)
        chosen = set()
        total = 0
        for _ in range(wanted * 2):
            if len(chosen) == wanted:
                break
            name, price, key, most = self.catalogue.pick(rng)
            if name in chosen:
                continue
            chosen.add(name)
            quantity = 1 if most == 1 or rng.random() < 0.6 else rng.randint(2, most)
            items.append({"id": self.draws.next_id("item"), "sale_id": sale_id, "name": name, "name_key": key,
                          "quantity": quantity, "unit_price_cents": price})
            total += quantity * price
        return total

    def _new_sale(self, created_at, home, customer_id, link, items) -> dict:
        rng = self.rng
        locations = self.staff["locations"]
        location = locations[home] if rng.random() < 0.9 else locations[1 - home]
        sale_id = self.draws.next_id("sale")
        roll = rng.random()
        status = "refunded" if roll < 0.025 else "voided" if roll < 0.035 else "completed"
        return {"id": sale_id, "location_id": location, "employee_id": rng.choice(self.staff["tills"][location]),
                "customer_id": customer_id, "customer_link": link, "created_at": created_at,
                "total_cents": self._basket(sale_id, items), "status": status, "payment_method": "cash",
                "card_brand": None, "card_last4": None, "card_holder_name": None, "points_earned": 0}

    def anonymous_sale(self, sales, items, name) -> None:
        """A sale without a customer; paid by card, it carries a name (`name()` draws one)."""
        rng = self.rng
        sale = self._new_sale(self.draws.moment(self.history_start, self.draws.now), rng.randrange(2), None, None,
                              items)
        if rng.random() < 0.55:
            first, last = name()
            sale["payment_method"] = "card"
            sale["card_brand"], sale["card_last4"], sale["card_holder_name"] = self.card(first, last)
        sales.append(sale)

    def customer_sale(self, row, moment: datetime, card, first: bool, items) -> tuple[dict, bool]:
        """One of the customer's sales, paid with their own `card` mostly; the
        first sale of a customer the card created created them. Returns the
        sale and whether it is invoiced."""
        rng = self.rng
        card_rate = 0.85 if row["origin"] == "card" else 0.65
        sale = self._new_sale(moment, row["_home"], row["id"], "chosen", items)
        card_created = first and row["origin"] == "card"
        invoiced = sale["status"] == "completed" and not card_created and self._wants_invoice(row)
        if invoiced:
            sale["payment_method"] = "invoice"
        elif card_created or rng.random() < card_rate:
            sale["payment_method"] = "card"
            own = rng.random() < 0.8 or row["origin"] == "card"
            sale["card_brand"], sale["card_last4"], sale["card_holder_name"] = (
                card if own else self.card(row["first_name"], row["last_name"]))
            if row["origin"] == "card" and own:
                sale["customer_link"] = "card_created" if card_created else "card_matched"
        if card_created:
            row["card_match_key"] = card_match_key(sale["card_holder_name"], sale["card_brand"], sale["card_last4"])
        return sale, invoiced

    def _wants_invoice(self, row) -> bool:
        """Businesses are invoiced often, others rarely (the first two always: one open, one paid)."""
        share = 0.35 if row["account_profile"] == "business" else 0.003
        return self.draws.ids["invoice"] < 2 or self.rng.random() < share

    def invoice(self, row, sale, invoices) -> None:
        rng, now = self.rng, self.draws.now
        invoice_id = self.draws.next_id("invoice")
        issued = sale["created_at"]
        recent = (now - issued).days < 45
        if invoice_id <= 2:
            paid = invoice_id == 2
        else:
            paid = rng.random() < (0.3 if recent else 0.95)
        paid_at = min(now, issued + timedelta(days=rng.randint(0, 30), hours=rng.randint(1, 8))) if paid else None
        number = invoice_number(SimpleNamespace(id=invoice_id, issued_at=issued))
        invoices.append({"id": invoice_id, "number": number, "sale_id": sale["id"], "customer_id": row["id"],
                         "amount_cents": sale["total_cents"],
                         "status": "paid" if paid else "open", "issued_at": issued, "paid_at": paid_at,
                         "paid_by_id": rng.choice((self.staff["owner"], self.staff["manager"])) if paid else None})
