"""The demo's loyalty programme: when a customer enrolled, the points their
sales earned (and gave back when refunded), points spent, and rewards.

A member's points are a ledger of PointsEntry rows, and the customer's balance
is their sum, as blueprints/loyalty/points.py keeps it.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from blueprints.loyalty.points import points_for_amount
from demo import data
from demo.draws import Draws

EARN_RATE = Decimal(1)
REWARD_VALIDITY_DAYS = 90


class LoyaltyMaker:
    """A member's ledger and rewards; `staff` says who adds and refunds points.

    A ledger entry is (created_at, delta, kind, reason, employee_id, sale_id)."""

    def __init__(self, draws: Draws, staff: dict):
        self.draws, self.rng, self.now, self.staff = draws, draws.rng, draws.now, staff
        self.rewards_made = 0

    def enrol(self, row) -> tuple[datetime | None, list]:
        """When a member enrolled (None for a customer who is not one), and
        their ledger so far: maybe a welcome gift."""
        rng = self.rng
        if not row["loyalty_member"]:
            return None, []
        enrolled = row["created_at"] if row["origin"] == "loyalty" else min(
            self.now, row["created_at"] + timedelta(days=rng.randint(0, 90)))
        row["loyalty_enrolled_at"] = enrolled
        ledger = []
        if rng.random() < 0.4:
            ledger.append((enrolled, 20, "add", "Bienvenue dans le programme", self.staff["cashier"], None))
        return enrolled, ledger

    def earn(self, sale, enrolled: datetime | None, ledger: list) -> None:
        """The points a member's sale earns; a sale refunded or voided later
        gives them back (reverse_for_sale)."""
        moment = sale["created_at"]
        if enrolled is None or moment < enrolled:
            return
        points = points_for_amount(sale["total_cents"], EARN_RATE)
        if points <= 0:
            return
        ledger.append((moment, points, "earn", None, sale["employee_id"], sale["id"]))
        if sale["status"] == "completed":
            sale["points_earned"] = points
        else:
            later = min(self.now, moment + timedelta(minutes=5) if sale["status"] == "voided"
                        else moment + timedelta(days=self.rng.randint(1, 10)))
            ledger.append((later, -points, "refund", None, self.staff["manager"], sale["id"]))

    def settle(self, row, enrolled: datetime | None, ledger: list, visits: int, entries: list,
               rewards: list) -> None:
        """After the member's sales: maybe some points spent, the ledger written
        as entries, the balance, and rewards."""
        rng = self.rng
        member = enrolled is not None
        if member and ledger and rng.random() < 0.3:
            self._redeem(ledger)
        ledger.sort(key=lambda entry: entry[0])
        balance = 0
        for created_at, delta, kind, reason, employee_id, sale_id in ledger:
            balance += delta
            entries.append({"id": self.draws.next_id("points"), "customer_id": row["id"], "delta": delta,
                            "kind": kind, "reason": reason, "employee_id": employee_id, "sale_id": sale_id,
                            "created_at": created_at})
        row["points_balance"] = balance
        if member and (visits >= 3 or self.rewards_made < 3) and (rng.random() < 0.3 or self.rewards_made < 3):
            self._rewards(row["id"], enrolled, rewards)

    def _redeem(self, ledger) -> None:
        """Redeem some points at a moment when the balance, then and afterwards, allows it."""
        rng = self.rng
        ledger.sort(key=lambda entry: entry[0])
        running, balances = 0, []
        for entry in ledger:
            running += entry[1]
            balances.append(running)
        at = rng.randrange(len(ledger))
        allowed = min(balances[at:])
        amount = (allowed // 50) * 50
        if amount >= 50:
            amount = rng.randrange(50, amount + 1, 50)
            moment = ledger[at][0] + timedelta(minutes=rng.randint(1, 600))
            moment = min(moment, self.now, ledger[at + 1][0] if at + 1 < len(ledger) else self.now)
            ledger.append((moment, -amount, "redeem", "Utilisés en caisse", self.staff["cashier"], None))

    def _rewards(self, cid: int, enrolled: datetime, rewards: list) -> None:
        """One to three rewards; the shop's first three show each state: valid, claimed, expired."""
        rng, now = self.rng, self.now
        for _ in range(rng.randint(1, 3)):
            forced = self.rewards_made if self.rewards_made < 3 else None
            self.rewards_made += 1
            if forced == 0:     # earned, still valid
                earned = now - timedelta(days=5)
            elif forced == 2:   # expired
                earned = now - timedelta(days=REWARD_VALIDITY_DAYS + 40)
            else:
                earned = self.draws.moment(enrolled, now)
            expires = earned + timedelta(days=REWARD_VALIDITY_DAYS)
            claimed = None
            if forced == 1 or (forced is None and rng.random() < 0.45):
                claimed = earned + timedelta(seconds=rng.random() * (min(expires, now) - earned).total_seconds())
                claimed = claimed.replace(microsecond=0)
            rewards.append({"id": self.draws.next_id("reward"), "customer_id": cid, "name": rng.choice(data.REWARDS),
                            "earned_at": earned, "expires_at": expires, "claimed_at": claimed})
