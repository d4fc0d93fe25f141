"""The demo shop's build: `flask --app app demo` (and the benchmark's million customers).

It replaces every row of the database with an épicerie of two locations, three
employees, customers, loyalty members, sales and invoices, all drawn from one
seed, and writes them in chunks of CHUNK customers, one transaction each
(demo/chunks.py makes the rows, demo/loading.py writes them).
"""
from __future__ import annotations

import random
import time

from core import purchase_index
from demo.accounts import PASSWORD
from demo.chunks import HISTORY_DAYS, ChunkGenerator
from demo.loading import after_load, bulk_mode, indexes_dropped, wipe, write_rows
from demo.shop_setup import set_up_shop
from extensions import db
from models.base import utcnow

CHUNK = 2000            # customers generated and written per transaction (a multiple of 50)
SALES_PER_CUSTOMER = 5
DEFAULT_MAX_SALES = 5_000_000


def default_sale_count(customer_count: int) -> int:
    return min(SALES_PER_CUSTOMER * customer_count, DEFAULT_MAX_SALES)


def build_demo_shop(customer_count: int = 2000, sale_count: int | None = None, seed: int = 2026,
                    echo=print) -> str:
    """Replace all data with the demo shop; returns a one-line summary."""
    if customer_count < 0 or (sale_count is not None and sale_count < 0):
        raise ValueError("counts must not be negative")
    started = time.monotonic()
    if sale_count is None:
        sale_count = default_sale_count(customer_count)
    db.session.remove()
    engine = db.engine
    echo(f"Demo shop: {customer_count:,} customers, {sale_count:,} sales (seed {seed}) "
         f"into {engine.url.render_as_string(hide_password=True)}")
    wipe(engine)
    # The employees were there before the first sale.
    staff = set_up_shop(employees_since_days=HISTORY_DAYS + 30)
    # Everything is dated relative to the start of today: one seed, one shop (shifted by whole days).
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    generator = ChunkGenerator(random.Random(seed), seed, today, staff, customer_count, sale_count)
    totals: dict[str, int] = {}
    with engine.connect() as connection:
        with bulk_mode(connection), indexes_dropped(connection, echo):
            for low in range(1, customer_count + 1, CHUNK):
                high = min(low + CHUNK, customer_count + 1)
                rows = generator.chunk(low, high)
                for table, table_rows in rows:
                    write_rows(connection, table, table_rows)
                    totals[table.name] = totals.get(table.name, 0) + len(table_rows)
                connection.commit()
                if high - 1 == customer_count or (high - 1) % max(CHUNK, customer_count // 10 // CHUNK * CHUNK) == 0:
                    echo(f"  {high - 1:,} customers, {totals.get('sales', 0):,} sales "
                         f"({time.monotonic() - started:.0f} s)")
            indexed = time.monotonic()
            purchase_index.rebuild(connection)
            connection.commit()
            echo(f"  purchase index built in {time.monotonic() - indexed:.0f} s")
        after_load(connection, echo)
    elapsed = time.monotonic() - started
    return (f"Demo shop ready in {elapsed:.0f} s: {totals.get('customers', 0):,} customers, "
            f"{totals.get('phones', 0):,} phones, {totals.get('sales', 0):,} sales, "
            f"{totals.get('sale_items', 0):,} items, {totals.get('points_entries', 0):,} ledger rows, "
            f"{totals.get('rewards', 0):,} rewards, {totals.get('invoices', 0):,} invoices. "
            f"Sign in as owner@demo.test, manager@demo.test or cashier@demo.test / {PASSWORD}")
