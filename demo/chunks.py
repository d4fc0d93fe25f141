"""One chunk of the demo's customers with everything that hangs off them: their
phones, sales, points, rewards, invoices, groups and consents, and the chunk's
share of anonymous sales, as rows ready for a bulk insert.

The rows are kept consistent the way the services keep them: a customer's
visit_count, total_spent_cents and first and last visits are what their
completed sales give, their points_balance the sum of their ledger.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from core import search_index
from demo.customers import DUPLICATE_EVERY, CustomerMaker, consent_events, consent_states
from demo.draws import Draws
from demo.loyalty import LoyaltyMaker
from demo.phones import PhoneMaker
from demo.sales import SaleMaker
from models import (ConsentEvent, Customer, CustomerConsent, Invoice, Phone, PointsEntry, Reward, Sale, SaleItem,
                    customer_groups)

ANONYMOUS_SHARE = 0.15  # sales without a customer
HISTORY_DAYS = 730      # sales over the last two years


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split total into whole numbers proportional to weights (largest remainders)."""
    weight_sum = sum(weights)
    if total <= 0 or weight_sum <= 0:
        return [0] * len(weights)
    shares = [total * w / weight_sum for w in weights]
    counts = [int(s) for s in shares]
    missing = total - sum(counts)
    by_remainder = sorted(range(len(weights)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in by_remainder[:missing]:
        counts[i] += 1
    return counts


class ChunkGenerator:
    """Generates the customers of one chunk with everything that hangs off them."""

    def __init__(self, rng: random.Random, seed: int, now: datetime, staff: dict,
                 customer_count: int, sale_count: int):
        self.draws = Draws(rng, now)
        self.rng, self.now = rng, now
        self.customer_count, self.sale_count = customer_count, sale_count
        self.history_start = now - timedelta(days=HISTORY_DAYS)
        self.customer_sales = round(sale_count * (1 - ANONYMOUS_SHARE)) if customer_count else 0
        self.customers = CustomerMaker(self.draws, customer_count, PhoneMaker(self.draws, seed), staff["groups"])
        self.sales = SaleMaker(self.draws, staff, self.history_start)
        self.loyalty = LoyaltyMaker(self.draws, staff)

    def chunk(self, low: int, high: int):
        """The rows of customers low to high - 1, as (table, rows) in the order they are written."""
        rng = self.rng
        customers, phones, memberships, consents = [], [], [], []
        previous = None
        for cid in range(low, high):
            copy_of = previous if cid % DUPLICATE_EVERY == 0 and previous is not None else None
            row = self.customers.customer(cid, copy_of)
            customers.append(row)
            previous = row

        # Sales: this chunk's share of the total, most of it spread over its customers.
        chunk_sales = (self.sale_count * (high - 1) // max(self.customer_count, 1)
                       - self.sale_count * (low - 1) // max(self.customer_count, 1))
        chunk_customer_sales = (self.customer_sales * (high - 1) // max(self.customer_count, 1)
                                - self.customer_sales * (low - 1) // max(self.customer_count, 1))
        weights = [0.0 if rng.random() < 0.08 else rng.expovariate(1.0) for _ in customers]
        counts = apportion(chunk_customer_sales, weights)

        sales, items, entries, rewards, invoices = [], [], [], [], []
        for row, count in zip(customers, counts):
            self._history(row, count, sales, items, entries, rewards, invoices)
            phones.extend(row.pop("_phones"))
            for key in ("_national", "_home", "_phone_raw"):
                row.pop(key)
            memberships.extend(self.customers.groups(row))
            consents.extend(consent_events(row))
        for _ in range(chunk_sales - sum(counts)):
            self.sales.anonymous_sale(sales, items, self.customers.name)
        # The search documents, as search_index.reindex would write them.
        linked, unverified = {}, {}
        for phone in phones:
            if phone["linked"] and phone["e164"]:
                linked.setdefault(phone["customer_id"], []).append(phone["e164"])
            elif phone["linked"]:
                unverified.setdefault(phone["customer_id"], []).append(phone["digits"])
        for row in customers:
            row.update(search_index.documents(row["first_name"], row["last_name"], row["email"],
                                              linked.get(row["id"], ()), row.get("company"),
                                              unverified.get(row["id"], ())))
        return [(Customer.__table__, customers), (Phone.__table__, phones),
                (customer_groups, memberships), (Sale.__table__, sales), (SaleItem.__table__, items),
                (PointsEntry.__table__, entries), (Reward.__table__, rewards), (Invoice.__table__, invoices),
                (ConsentEvent.__table__, consents), (CustomerConsent.__table__, consent_states(consents))]

    def _history(self, row, count, sales, items, entries, rewards, invoices) -> None:
        """The customer's sales, points, rewards and invoices; fills the summary columns."""
        rng, now = self.rng, self.now
        if row["origin"] == "card" and count == 0:
            row["origin"] = "manual"
        start = max(row["created_at"], self.history_start)
        moments = sorted(self.draws.moment(start, now) for _ in range(count))
        if row["origin"] == "card" and moments:
            row["created_at"] = moments[0]  # the card sale created the profile
        card = self.sales.card(row["first_name"], row["last_name"])
        enrolled, ledger = self.loyalty.enrol(row)
        visits, spent, first_visit, last_visit = 0, 0, None, None
        for index, moment in enumerate(moments):
            sale, invoiced = self.sales.customer_sale(row, moment, card, index == 0, items)
            sales.append(sale)
            self.loyalty.earn(sale, enrolled, ledger)
            if sale["status"] == "completed":
                visits += 1
                spent += sale["total_cents"]
                first_visit = first_visit or moment
                last_visit = moment
            if invoiced:
                self.sales.invoice(row, sale, invoices)
        row.update(visit_count=visits, total_spent_cents=spent, first_visit_at=first_visit,
                   last_visit_at=last_visit)
        self.loyalty.settle(row, enrolled, ledger, visits, entries, rewards)
        latest = max(filter(None, (row["created_at"], last_visit, enrolled)))
        if row["archived"]:
            row["archived_at"] = min(now, latest + timedelta(days=rng.randint(1, 120)))
            latest = row["archived_at"]
        row["updated_at"] = latest
