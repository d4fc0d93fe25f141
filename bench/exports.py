"""The export benchmark: the list export (GET /customers/export, every
customer, signed in as the owner) served by gunicorn, beside a plain
csv.writer over a server-side cursor of the same customer columns, on the
same database. Run it with bench/export_run (see bench/README.md).

It prints the export's time, rows and size, the worker's peak memory (VmHWM)
and the csv.writer time, and writes them to bench/results/export-<stamp>.txt.
Beside each time, the CPU time it took (the worker's, from /proc; the
csv.writer's own): on a shared machine the wall times wander with the load,
the CPU times much less.
"""
from __future__ import annotations

import argparse
import csv
import os
import secrets
import subprocess
import time
from datetime import datetime
from pathlib import Path

from bench import harness
from bench.harness import BENCH, ROOT, Client, Memory, Server


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="bench/export_run", description=__doc__)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--sales", type=int, default=None, help="default: one per customer (the export reads none)")
    parser.add_argument("--database-url", default=None,
                        help="default: a SQLite file bench/data/comptoir-<N>.sqlite3; postgresql://... (REPLACED)")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args(argv)


class _Null:
    """A file that counts what is written to it."""

    def __init__(self):
        self.size = 0

    def write(self, text: str) -> int:
        self.size += len(text)
        return len(text)


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of these processes so far (/proc/<pid>/stat)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def plain_writer(url: str) -> tuple[float, int, float]:
    """csv.writer over a server-side cursor of the export's customer columns:
    the floor of any export in Python."""
    from sqlalchemy import create_engine, text

    from blueprints.customers.export_list import EXPORT_COLUMNS
    engine = create_engine(harness.sqlalchemy_url(url))
    sink = _Null()
    writer = csv.writer(sink, lineterminator="\r\n")
    started, cpu = time.monotonic(), time.process_time()
    rows = 0
    with engine.connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=1000).execute(text(
            f"SELECT {', '.join(EXPORT_COLUMNS)} FROM customers WHERE archived = :no ORDER BY sort_name, id"),
            {"no": False})
        for partition in result.partitions(1000):
            writer.writerows(partition)
            rows += len(partition)
    seconds, cpu = time.monotonic() - started, time.process_time() - cpu
    engine.dispose()
    return seconds, rows, cpu


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.sales is None:
        args.sales = args.customers
    url = harness.database_url(args)
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_hex(32),
           "FLASK_APP": "app", "PYTHONUNBUFFERED": "1"}
    harness.build(args, url, env)

    server = Server(env, 1)
    try:
        server.wait_ready()
        client = Client(server.port)
        harness.sign_in(client)
        memory = Memory(server)
        memory.start()
        workers = server.workers()
        cpu = cpu_seconds(workers)
        started = time.monotonic()
        response = client.request("GET", "/customers/export")
        seconds = time.monotonic() - started
        cpu = cpu_seconds(workers) - cpu
        peak = memory.peak_mb()
    finally:
        server.stop()
    if response.status != 200:
        raise SystemExit(f"export answered HTTP {response.status}")
    lines = response.body.count(b"\r\n") - 1  # less the header
    plain_seconds, plain_rows, plain_cpu = plain_writer(url)

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True, check=False).stdout.strip()
    report = "\n".join([
        f"Comptoir export benchmark {datetime.now():%Y%m%d-%H%M%S} (commit {commit or '?'})",
        f"database: {harness.redacted(url)}, {args.customers:,} customers",
        (f"export (gunicorn -w 1, HTTP):   {seconds:7.1f} s  {lines:,} rows  {len(response.body) / 2**20:.0f} MB  "
         f"worker peak {peak:.0f} MB  worker CPU {cpu:.1f} s"),
        (f"csv.writer, server-side cursor: {plain_seconds:7.1f} s  {plain_rows:,} rows (the same customer columns)  "
         f"CPU {plain_cpu:.1f} s"),
        f"ratio: {seconds / plain_seconds:.2f}x the csv.writer time (CPU: {cpu / plain_cpu:.2f}x)",
        f"load average: {' '.join(f'{value:.2f}' for value in os.getloadavg())}", ""])
    print(report)
    (BENCH / "results").mkdir(exist_ok=True)
    path = BENCH / "results" / f"export-{datetime.now():%Y%m%d-%H%M%S}.txt"
    path.write_text(report)
    print(f"Written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
