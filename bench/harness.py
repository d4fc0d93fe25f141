"""The benchmark: build a big demo shop, serve it with gunicorn, time the pages
over HTTP. Run it with bench/run (see bench/README.md)."""
from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = ROOT / ".venv" / "bin" / "python"
FLASK = ROOT / ".venv" / "bin" / "flask"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
HOST = "127.0.0.1"  # the benchmark never talks to anything else
REQUEST_TIMEOUT = 120  # seconds, one request
OWNER = ("owner@demo.test", "comptoir-demo")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000, help="customers in the shop (default 1000000)")
    parser.add_argument("--sales", type=int, default=None,
                        help="sales (default: 10 per customer, the issue's 10,000,000 for 1,000,000 customers)")
    parser.add_argument("--database-url", default=None,
                        help="default: a SQLite file bench/data/comptoir-<N>.sqlite3; postgresql://... to use PostgreSQL")
    parser.add_argument("--reuse", action="store_true", help="skip the build when the database already has N customers")
    parser.add_argument("--requests", type=int, default=200, help="samples per operation (default 200)")
    parser.add_argument("--max-seconds", type=float, default=120.0,
                        help="time budget per operation; it stops early past it (default 120)")
    parser.add_argument("--only", default=None, help="run only the operations whose name contains this text")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args(argv)


# --- the database ------------------------------------------------------------

def database_url(args) -> str:
    if args.database_url:
        return args.database_url
    (BENCH / "data").mkdir(exist_ok=True)
    return f"sqlite:///{BENCH / 'data' / f'comptoir-{args.customers}.sqlite3'}"


def sqlalchemy_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def redacted(url: str) -> str:
    return re.sub(r"://([^:/@]+):[^@]+@", r"://\1:***@", url)


def customer_count(url: str) -> int | None:
    from sqlalchemy import create_engine, text
    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT COUNT(*) FROM customers")).scalar()
    except Exception:
        return None
    finally:
        engine.dispose()


def build(args, url: str, env: dict) -> float | None:
    """Migrate and load the demo shop; returns the demo loader's wall time (None if reused)."""
    if args.reuse and customer_count(url) == args.customers:
        print(f"Reusing {redacted(url)} ({args.customers:,} customers); migrating it if needed ...")
        started = time.monotonic()
        subprocess.run([str(FLASK), "--app", "app", "db", "upgrade"], cwd=ROOT, env=env, check=True)
        print(f"Migrations: {time.monotonic() - started:.0f} s")
        return None
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        if not str(path.resolve()).startswith(str((BENCH / "data").resolve())) and path.exists():
            sys.exit(f"refusing to replace {path}: the benchmark writes only under bench/data/")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    subprocess.run([str(FLASK), "--app", "app", "db", "upgrade"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    command = [str(FLASK), "--app", "app", "demo", "--customers", str(args.customers), "--seed", str(args.seed)]
    command += ["--sales", str(args.sales if args.sales is not None else 10 * args.customers)]
    started = time.monotonic()
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    elapsed = time.monotonic() - started
    print(f"Build: {elapsed:.0f} s ({elapsed / 60:.1f} min)")
    return elapsed


# --- the server ----------------------------------------------------------------

def free_port() -> int:
    for port in range(5800, 5900):
        with socket.socket() as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            return port
    sys.exit("no free port in 5800-5899")


class Server:
    def __init__(self, env: dict, workers: int):
        self.port = free_port()
        self.process = subprocess.Popen(
            [str(GUNICORN), "-w", str(workers), "-b", f"{HOST}:{self.port}", "--timeout", str(REQUEST_TIMEOUT + 10),
             "--log-level", "warning", "app:create_app()"],
            cwd=ROOT, env=env, start_new_session=True)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit("gunicorn stopped while starting")
            try:
                connection = http.client.HTTPConnection(HOST, self.port, timeout=5)
                connection.request("GET", "/login")
                connection.getresponse().read()
                return
            except OSError:
                time.sleep(0.3)
        sys.exit("gunicorn did not answer within a minute")

    def workers(self) -> list[int]:
        pid = self.process.pid
        try:
            return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # gunicorn stops its own workers
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Memory:
    """Peak RSS of the workers during an operation: VmHWM, reset before it
    through /proc/<pid>/clear_refs (or sampled VmRSS if that is refused)."""

    def __init__(self, server: Server):
        self.server = server
        self.sampled = 0
        self.resettable = True
        self._stop = threading.Event()
        self._thread = None

    @staticmethod
    def _status(pid: int, key: str) -> int:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])  # kB
        return 0

    def start(self) -> None:
        self.sampled = 0
        for pid in self.server.workers():
            try:
                Path(f"/proc/{pid}/clear_refs").write_text("5")
            except OSError:
                self.resettable = False
        self._stop.clear()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            for pid in self.server.workers():
                try:
                    self.sampled = max(self.sampled, self._status(pid, "VmRSS"))
                except OSError:
                    pass

    def peak_mb(self) -> float:
        self._stop.set()
        if self._thread:
            self._thread.join()
        peak = self.sampled
        if self.resettable:
            for pid in self.server.workers():
                try:
                    peak = max(peak, self._status(pid, "VmHWM"))
                except OSError:
                    pass
        return peak / 1024


# --- HTTP ------------------------------------------------------------------------

class Response:
    def __init__(self, status: int, body: bytes, headers):
        self.status, self.body, self.headers = status, body, headers

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Client:
    """A tiny cookie-keeping HTTP client bound to 127.0.0.1:<port>."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)

    def request(self, method: str, path: str, body: dict | bytes | None = None,
                headers: dict | None = None) -> Response:
        """A form (dict) or raw bytes (bytes, with its Content-Type in headers)."""
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = body if isinstance(body, bytes) else None
        if isinstance(body, dict):
            data = urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            self.connection.close()  # the sync worker closed it; reconnect once
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        return Response(response.status, content, response.headers)


class Context:
    """What an operation sees: the signed-in client and the sample values."""

    def __init__(self, client: Client, values: dict[str, list], csrf: str = ""):
        self.client, self.values, self.csrf = client, values, csrf

    def pick(self, key: str, i: int):
        values = self.values.get(key) or []
        if not values:
            raise LookupError(f"no sample values for {key!r}")
        return values[i % len(values)]

    def get(self, path: str, htmx: bool = False) -> Response:
        return self.client.request("GET", path, headers={"HX-Request": "true"} if htmx else None)

    def post(self, path: str, data: dict, htmx: bool = True) -> Response:
        headers = {"X-CSRFToken": self.csrf}
        if htmx:
            headers["HX-Request"] = "true"
        return self.client.request("POST", path, body=data, headers=headers)


def sign_in(client: Client, who: tuple[str, str] = OWNER) -> str:
    page = client.request("GET", "/login")
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text) or \
        re.search(r'"X-CSRFToken":\s*"([^"]+)"', page.text)
    if not match:
        sys.exit("no CSRF token on the sign-in page")
    token = match.group(1)
    response = client.request("POST", "/login", body={"email": who[0], "password": who[1], "csrf_token": token})
    if response.status != 302:
        sys.exit(f"sign-in as {who[0]} failed: HTTP {response.status}")
    home = client.request("GET", "/customers")
    match = re.search(r'"X-CSRFToken":\s*"([^"]+)"', home.text) or \
        re.search(r'name="csrf_token"[^>]*value="([^"]+)"', home.text)
    return match.group(1) if match else token


# --- timing ------------------------------------------------------------------------

def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))  # nearest rank
    return ordered[int(rank) - 1]


def time_operation(ctx: Context, memory: Memory, function, requests: int, budget: float) -> dict:
    for i in range(min(2, requests)):  # warm-up: imports, templates, caches
        function(ctx, 10_000 + i)
    timings, errors, sizes = [], {}, []
    memory.start()
    started = time.monotonic()
    for i in range(requests):
        begin = time.perf_counter()
        response = function(ctx, i)
        timings.append((time.perf_counter() - begin) * 1000)
        sizes.append(len(response.body))
        if not 200 <= response.status < 400:  # a sale answers 204 + HX-Redirect
            errors[response.status] = errors.get(response.status, 0) + 1
        if time.monotonic() - started > budget:
            break
    return {"n": len(timings), "median": statistics.median(timings), "p95": percentile(timings, 0.95),
            "max": max(timings), "peak_mb": memory.peak_mb(), "errors": errors,
            "kb": statistics.median(sizes) / 1024}


def table(rows: list[tuple[str, dict]]) -> str:
    header = f"{'operation':<30} {'N':>5} {'median ms':>10} {'p95 ms':>9} {'max ms':>9} {'peak MB':>8} {'KB':>6}  errors"
    lines = [header, "-" * len(header)]
    for name, r in rows:
        errors = ", ".join(f"{n}x HTTP {s}" for s, n in sorted(r["errors"].items())) if r["errors"] else ""
        lines.append(f"{name:<30} {r['n']:>5} {r['median']:>10.1f} {r['p95']:>9.1f} {r['max']:>9.1f} "
                     f"{r['peak_mb']:>8.0f} {r['kb']:>6.1f}  {errors}")
    return "\n".join(lines)


def main(argv=None) -> None:
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from bench import search_compare
    from bench.operations import OPERATIONS, samples

    url = database_url(args)
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_hex(32),
           "FLASK_APP": "app", "PYTHONUNBUFFERED": "1"}
    build_seconds = build(args, url, env)

    from sqlalchemy import create_engine
    engine = create_engine(sqlalchemy_url(url))
    with engine.connect() as connection:
        values = samples(connection, seed=args.seed)
        values.update(search_compare.samples(connection, seed=args.seed))

    server = Server(env, args.workers)
    results, compared = [], []
    try:
        server.wait_ready()
        client = Client(server.port)
        ctx = Context(client, values)
        ctx.csrf = sign_in(client)
        memory = Memory(server)
        operations = [(n, f) for n, f in OPERATIONS if not args.only or args.only in n]
        for name, function in operations:
            print(f"  {name} ...", end="", flush=True)
            result = time_operation(ctx, memory, function, args.requests, args.max_seconds)
            print(f" median {result['median']:.1f} ms, p95 {result['p95']:.1f} ms")
            results.append((name, result))
        for name, fixed, key in search_compare.SEARCHES:
            if args.only and args.only not in name:
                continue
            print(f"  {name} ...", end="", flush=True)
            app = time_operation(ctx, memory, search_compare.app_operation(fixed, key), args.requests,
                                 args.max_seconds)
            with engine.connect() as connection:
                database = search_compare.time_database(connection, fixed, key, ctx, args.requests,
                                                        args.max_seconds)
            print(f" app median {app['median']:.1f} ms, database {database['median']:.1f} ms")
            results.append((name, app))
            compared.append((name, app, database))
    finally:
        server.stop()
        engine.dispose()

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    head = [f"Comptoir benchmark {stamp} (commit {commit or '?'})",
            f"database: {redacted(url)}, {args.customers:,} customers; gunicorn -w {args.workers}; "
            f"{args.requests} requests per operation",
            f"build: {'reused' if build_seconds is None else f'{build_seconds:.0f} s'}",
            "peak MB: the largest peak RSS of one worker during the operation", ""]
    report = "\n".join(head) + table(results) + "\n"
    if compared:
        report += ("\nThe search beside the database's own trigram query on the same data "
                   "(count capped at 1,001 + first 50 by name; ms):\n" + search_compare.comparison_table(compared) + "\n")
    print()
    print(report)
    (BENCH / "results").mkdir(exist_ok=True)
    path = BENCH / "results" / f"{stamp}.txt"
    path.write_text(report)
    print(f"Written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
