"""The import benchmark: a Square export of N customers (bench/square_csv.py)
uploaded over HTTP to gunicorn -w 2 with the job queue's consumer beside it,
as ./run.sh serves, into an empty shop (the demo's employees, no customers),
while a cashier records a sale every 250 ms. Reports upload-to-done time,
the consumer's peak memory and the sales' latency and errors.

    bench/import_run [--rows 100000] [--database-url postgresql://...]
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path

from bench.harness import (BENCH, FLASK, ROOT, Client, Server, percentile, redacted, sign_in,
                           sqlalchemy_url)
from bench.square_csv import square_csv

CASHIER = ("cashier@demo.test", "comptoir-demo")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file under bench/data/")
    parser.add_argument("--sale-every", type=float, default=0.25, help="seconds between two sales")
    parser.add_argument("--timeout", type=float, default=600)
    return parser.parse_args(argv)


def fresh_database(url: str, env: dict) -> None:
    """An empty shop: the schema, the demo's employees and locations, no customers."""
    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{url[len('sqlite:///'):]}{suffix}").unlink(missing_ok=True)
    else:
        from sqlalchemy import create_engine, text
        engine = create_engine(sqlalchemy_url(url))
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    subprocess.run([str(FLASK), "--app", "app", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run([str(FLASK), "--app", "app", "demo", "--customers", "0", "--sales", "0"], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL)


def multipart(name: str, filename: str, content: bytes, fields: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
             for key, value in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                 f'Content-Type: text/csv\r\n\r\n'.encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def peak_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def main(argv=None) -> None:
    args = parse_args(argv)
    (BENCH / "data").mkdir(exist_ok=True)
    url = args.database_url or f"sqlite:///{BENCH / 'data' / 'import-bench.sqlite3'}"
    queue_file = BENCH / "data" / "import-bench-queue.sqlite3"
    queue_file.unlink(missing_ok=True)
    env = {**os.environ, "DATABASE_URL": url, "QUEUE_URL": f"sqlite:///{queue_file}",
           "SECRET_KEY": "bench-secret", "FLASK_APP": "app"}
    env.pop("REDIS_URL", None)
    print(f"Import benchmark: {args.rows:,} rows (Square export) into {redacted(url)}")
    fresh_database(url, env)
    data = square_csv(args.rows)
    print(f"File: {len(data) / 1e6:.1f} MB")
    server = Server(env, workers=2)
    consumer = subprocess.Popen([str(FLASK), "--app", "app", "jobs", "--workers", "1"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    sales: list[tuple[float, int]] = []
    stop = threading.Event()
    try:
        server.wait_ready()
        owner = Client(server.port)
        token = sign_in(owner)
        cashier = Client(server.port)
        cashier_token = sign_in(cashier, CASHIER)
        page = cashier.request("GET", "/sales/new").text
        location = re.search(r'name="location_id"[^>]*value="(\d+)"', page) or \
            re.search(r'<option value="(\d+)"', page)

        def sell():
            while not stop.is_set():
                started = time.perf_counter()
                response = cashier.request("POST", "/sales/new", body={
                    "location_id": location.group(1) if location else "1", "line_name": "Café",
                    "line_qty": "1", "line_price": "350", "payment_method": "cash", "entry_name": "",
                    "entry_qty": "1", "entry_price": ""},
                    headers={"X-CSRFToken": cashier_token, "HX-Request": "true"})
                sales.append((time.perf_counter() - started, response.status))
                time.sleep(max(0.0, args.sale_every - (time.perf_counter() - started)))

        seller = threading.Thread(target=sell, daemon=True)
        seller.start()
        time.sleep(3)  # the till's latency before the import, for comparison
        before = len(sales)
        started = time.monotonic()
        body, content_type = multipart("file", "square-customers.csv", data, {"csrf_token": token})
        response = owner.request("POST", "/customers/import", body=body, headers={"Content-Type": content_type})
        match = re.search(r"/customers/import/(\d+)", response.headers.get("Location", ""))
        if response.status != 303 or not match:
            sys.exit(f"upload refused: HTTP {response.status}")
        job_id = match.group(1)
        uploaded = time.monotonic() - started
        response = owner.request("POST", f"/customers/import/{job_id}/run",
                                 body={"csrf_token": token, "duplicates": "skip", "valid_only": "1"})
        status = ""
        while time.monotonic() - started < args.timeout:
            fragment = owner.request("GET", f"/customers/import/{job_id}/status", headers={"HX-Request": "true"}).text
            found = re.search(r'data-status="(\w+)"', fragment)
            status = found.group(1) if found else "finished"
            if status == "finished":
                break
            time.sleep(0.5)
        elapsed = time.monotonic() - started
        consumer_mb = peak_mb(consumer.pid)
        created = re.search(r'data-count="created">([^<]+)<', fragment)
        warnings = re.search(r'data-count="warnings">([^<]+)<', fragment)
        rejected = re.search(r'data-count="rejected">([^<]+)<', fragment)
    finally:
        stop.set()
        time.sleep(0.3)
        server.stop()
        consumer.terminate()
        consumer.wait(15)
    during = [t for t, _s in sales[before:]]
    errors = sum(1 for _t, s in sales[before:] if s >= 400)
    quiet = [t for t, _s in sales[:before]]
    lines = [
        f"Import of {args.rows:,} rows, {redacted(url)}, {datetime.now():%Y-%m-%d %H:%M}",
        f"  upload to done: {elapsed:.1f} s (upload {uploaded:.1f} s), status {status}",
        f"  created {created.group(1) if created else '?'}, with warnings {warnings.group(1) if warnings else '?'}, "
        f"refused {rejected.group(1) if rejected else '?'}",
        f"  consumer peak memory: {consumer_mb:.0f} MB",
        f"  sales during the import: {len(during)}, errors {errors}, "
        f"median {percentile(during, 0.5) * 1000:.0f} ms, p95 {percentile(during, 0.95) * 1000:.0f} ms, "
        f"max {max(during) * 1000:.0f} ms" if during else "  no sale during the import",
        f"  sales before it: median {percentile(quiet, 0.5) * 1000:.0f} ms" if quiet else "",
    ]
    report = "\n".join(line for line in lines if line)
    print(report)
    (BENCH / "results").mkdir(exist_ok=True)
    (BENCH / "results" / f"import-{datetime.now():%Y%m%d-%H%M%S}.txt").write_text(report + "\n")


if __name__ == "__main__":
    main()
