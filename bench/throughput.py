"""Throughput of the directory's htmx fragment against a bare Flask + Jinja
page of 50 rows, measured in the same run (issue 13: the fragment at 2,000
customers should reach 0.25x the bare page, 0.5x as the goal).

    bench/throughput                         # 2,000 customers, SQLite bench/data/comptoir-2000.sqlite3
    bench/throughput --database-url postgresql://postgres@127.0.0.1:5432/comptoir_bench   # (REPLACED)
    bench/throughput --reuse --seconds 20

Both are served by gunicorn with the same workers on 127.0.0.1; the load is
wrk when it is installed (Debian: apt-get install wrk), else a Python loop of
keep-alive connections; each measure is bounded in time. See bench/README.md.
"""
from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import subprocess
import sys
import threading
import time
from datetime import datetime

from bench import harness
from bench.harness import BENCH, GUNICORN, HOST, REQUEST_TIMEOUT, ROOT, Client, Server


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="bench/throughput", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--sales", type=int, default=None, help="default: 10 per customer")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, for both servers (default 2)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections (default 4)")
    parser.add_argument("--seconds", type=float, default=10.0, help="each measure's length (default 10)")
    parser.add_argument("--search", default="ma", help="the search term of the search row (default 'ma')")
    parser.add_argument("--python-load", action="store_true", help="use the Python loop even if wrk is there")
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args(argv)


class BareServer(Server):
    """bench/bare_app.py under gunicorn, as the app is served."""

    def __init__(self, env: dict, workers: int):
        self.port = harness.free_port()
        self.process = subprocess.Popen(
            [str(GUNICORN), "-w", str(workers), "-b", f"{HOST}:{self.port}", "--timeout", str(REQUEST_TIMEOUT + 10),
             "--log-level", "warning", "bench.bare_app:app"],
            cwd=ROOT, env=env, start_new_session=True)


# --- load ------------------------------------------------------------------------

def wrk_load(port: int, path: str, headers: dict, connections: int, seconds: float) -> tuple[float, int]:
    """(requests per second, non-2xx answers) from wrk."""
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
               "--timeout", "30s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, f"http://{HOST}:{port}{path}"], capture_output=True, text=True,
                            timeout=seconds + 60, check=True).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if not rate:
        sys.exit(f"wrk gave no rate:\n{output}")
    return float(rate.group(1)), int(bad.group(1)) if bad else 0


def python_load(port: int, path: str, headers: dict, connections: int, seconds: float) -> tuple[float, int]:
    """The same with threads, each one keep-alive connection (reopened when
    the sync worker closes it), for `seconds`."""
    counts, errors = [0] * connections, [0] * connections
    deadline = time.monotonic() + seconds

    def run(index: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        while time.monotonic() < deadline:
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status != 200:
                    errors[index] += 1
                counts[index] += 1
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (http.client.HTTPException, OSError):
                connection.close()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - started), sum(errors)


def measure(load, port: int, path: str, headers: dict, args) -> tuple[float, int]:
    load(port, path, headers, args.connections, min(2.0, args.seconds))  # warm-up: imports, templates, caches
    return load(port, path, headers, args.connections, args.seconds)


def main(argv=None) -> None:
    args = parse_args(argv)
    args.requests, args.max_seconds = 0, 0  # what harness.build does not read
    url = harness.database_url(args)
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_hex(32),
           "FLASK_APP": "app", "PYTHONUNBUFFERED": "1"}
    harness.build(args, url, env)
    use_wrk = shutil.which("wrk") and not args.python_load
    load = wrk_load if use_wrk else python_load

    rows = []
    bare = BareServer(env, args.workers)
    try:
        bare.wait_ready()
        rate, bad = measure(load, bare.port, "/", {}, args)
        rows.append(("bare Flask + Jinja, 50 rows", rate, bad))
    finally:
        bare.stop()
    app = Server(env, args.workers)
    try:
        app.wait_ready()
        client = Client(app.port)
        harness.sign_in(client)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in client.cookies.items()), "HX-Request": "true"}
        for name, path in (("directory fragment (htmx)", "/customers"),
                           (f"search fragment q={args.search} (htmx)", f"/customers?q={args.search}")):
            size = len(client.request("GET", path, headers={"HX-Request": "true"}).body)
            rate, bad = measure(load, app.port, path, headers, args)
            rows.append((f"{name}, {size // 1024} KB", rate, bad))
    finally:
        app.stop()

    base = rows[0][1]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True, check=False).stdout.strip()
    lines = [f"Comptoir throughput {datetime.now():%Y%m%d-%H%M%S} (commit {commit or '?'})",
             (f"database: {harness.redacted(url)}, {args.customers:,} customers; gunicorn -w {args.workers}; "
              f"{args.connections} connections, {args.seconds:.0f} s each; load: {'wrk' if use_wrk else 'Python'}"),
             "", f"{'page':<45} {'req/s':>8} {'ratio':>6}  errors", "-" * 70]
    for name, rate, bad in rows:
        lines.append(f"{name:<45} {rate:>8.1f} {rate / base:>6.2f}  {bad or ''}")
    report = "\n".join(lines) + "\n"
    print()
    print(report)
    (BENCH / "results").mkdir(exist_ok=True)
    path = BENCH / "results" / f"throughput-{datetime.now():%Y%m%d-%H%M%S}.txt"
    path.write_text(report)
    print(f"Written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
