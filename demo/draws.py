"""The demo's randomness: one seeded stream of draws shared by every generator
(weighted choices, moments in opening hours) and the ids it hands out.

One seed, one shop: every generator draws from the same `random.Random` in a
fixed order, so changing the order of the draws changes the shop.
"""
from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta


class Weighted:
    """rng-driven weighted choice with a precomputed cumulative table."""

    def __init__(self, pairs):
        self.values = [value for value, _ in pairs]
        self.cumulative = []
        total = 0
        for _, weight in pairs:
            total += weight
            self.cumulative.append(total)
        self.total = total

    def pick(self, rng):
        return self.values[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


@dataclass
class Draws:
    """What the generators share: the stream of draws, the start of today
    (every date is relative to it), and the last id written of each kind
    (rows are written with explicit ids)."""
    rng: random.Random
    now: datetime
    ids: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("phone", "sale", "item", "points", "reward", "invoice"), 0))

    def next_id(self, kind: str) -> int:
        self.ids[kind] += 1
        return self.ids[kind]

    def moment(self, start: datetime, end: datetime) -> datetime:
        """A moment between start and end, during opening hours when possible."""
        span = (end - start).total_seconds()
        moment = start + timedelta(seconds=self.rng.random() * span)
        opening = moment.replace(hour=self.rng.randint(6, 17), minute=self.rng.randrange(60),
                                 second=self.rng.randrange(60), microsecond=0)
        return opening if start <= opening <= end else moment.replace(microsecond=0)

