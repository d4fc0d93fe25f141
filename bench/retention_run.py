"""Time one automatic anonymisation run (issue 15) on a benchmark database:
`DATABASE_URL=... python bench/retention_run.py --years 1`. It turns the
setting on (first run: today), runs anonymising.run() once and prints the
count and the time. The database is CHANGED (customers anonymised)."""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--years", type=int, default=3)
    args = parser.parse_args()
    from sqlalchemy import func, select

    from app import create_app
    from blueprints.customers import anonymising
    from extensions import db
    from models import Customer, ShopSettings
    from models.base import utcnow
    app = create_app()
    with app.app_context():
        today = utcnow().date()
        total = db.session.scalar(select(func.count()).select_from(Customer))
        started = time.perf_counter()
        due = anonymising.count_inactive(args.years, today)
        counted = time.perf_counter() - started
        settings = ShopSettings.get()
        settings.retention_enabled, settings.retention_years, settings.retention_starts_on = True, args.years, today
        db.session.commit()
        started, cpu = time.perf_counter(), time.process_time()
        done = anonymising.run(today)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        # CPU time of this process (SQLite runs inside it): what a busy machine does not inflate.
        print(f"{total} customers, {due} due (counted in {counted:.1f} s); run anonymised {done} in {elapsed:.1f} s "
              f"wall, {cpu:.1f} s CPU ({db.engine.dialect.name})")


if __name__ == "__main__":
    main()
