"""The search rows of the benchmark, each beside the database's own trigram
query on the same data (issue 13).

For every kind of search a cashier types, the app's search fragment
(GET /customers?q=..., htmx) is timed, then the database alone answers the
same question on the same documents: a count capped at 1,001 and the first
50 customers by name, through SQLite's FTS5 trigram index or PostgreSQL's
pg_trgm GIN indexes (one or two characters: the start of the sorted name;
a digit or two: the plain list). The difference of the medians is the
app's own cost: Python, templates, permissions, the plan it chooses.
"""
from __future__ import annotations

import random
import statistics
import time
from urllib.parse import urlencode

from sqlalchemy import text

# (row name, a fixed term, or the sample key to draw terms from)
SEARCHES: list[tuple[str, str | None, str | None]] = [
    ("search 'm' (first letter)", "m", None),
    ("search '06' (two digits)", "06", None),
    ("search common first name", "marie", None),
    ("search rare surname", None, "rare_surname"),
    ("search accent-free 'helene'", "helene", None),
    ("search accent-free 'francois'", "francois", None),
    ("search phone '06 12'", "06 12", None),
    ("search email fragment", None, "email_fragment"),
    ("search two words 'marie dup'", "marie dup", None),
    ("search first name + last start", None, "name"),
    ("search word middle 'pont'", "pont", None),
]


def samples(connection, seed: int, count: int = 50) -> dict[str, list]:
    """Rare surnames (at most three customers each) and email fragments
    ("thomas.jo": the local part's first nine characters)."""
    rng = random.Random(seed)
    rare = [row[0] for row in connection.execute(text(
        "SELECT last_name FROM customers WHERE last_name IS NOT NULL AND archived = :no "
        "GROUP BY last_name HAVING count(*) <= 3 LIMIT 500"), {"no": False})]
    rng.shuffle(rare)
    emails = [row[0] for row in connection.execute(text(
        "SELECT email FROM customers WHERE email LIKE '%.%@%' AND archived = :no AND id % 997 = 0 LIMIT 500"),
        {"no": False})]
    rng.shuffle(emails)
    return {"rare_surname": rare[:count], "email_fragment": [e.split("@")[0][:9] for e in emails[:count]]}


def term_for(ctx, fixed: str | None, key: str | None, i: int) -> str:
    return fixed if fixed is not None else ctx.pick(key, i)


def app_operation(fixed, key):
    return lambda ctx, i: ctx.get("/customers?" + urlencode({"q": term_for(ctx, fixed, key, i)}), htmx=True)


def _words(term: str) -> list[str]:
    """The words as the app folds them; a phone-like term is its digits."""
    from blueprints.customers.search_terms import phone_fragment
    from core.textkeys import fold
    digits = phone_fragment(term)
    return [digits] if digits else fold(term).split()


def database_statements(dialect: str, term: str) -> tuple[str, dict]:
    """The condition of the database's own query for a term, over one
    document: the three columns."""
    words = _words(term)
    if not words or (all(ch.isdigit() or ch.isspace() for ch in term) and len(term.replace(" ", "")) < 3):
        return "1 = 1", {}
    if len(words) == 1 and len(words[0]) < 3:
        return "c.sort_name >= :low AND c.sort_name < :high", {"low": words[0], "high": words[0][:-1] + chr(ord(words[0][-1]) + 1)}
    if dialect == "sqlite":
        query = " AND ".join(f'{{name_search email_search phone_search}} : "{word}"' for word in words)
        # CROSS JOIN: SQLite reads the FTS5 matches first (its planner would
        # otherwise walk the sorted list and probe each customer).
        return "c.id = f.rowid AND customer_fts MATCH :q", {"q": query}
    parts, params = [], {}
    for n, word in enumerate(words):
        params[f"w{n}"] = f"%{word}%"
        parts.append(f"(c.name_search LIKE :w{n} OR c.email_search LIKE :w{n} OR c.phone_search LIKE :w{n})")
    return " AND ".join(parts), params


def time_database(connection, fixed, key, ctx, requests: int, budget: float) -> dict:
    dialect = connection.dialect.name
    timings = []
    started = time.monotonic()
    for i in range(-2, requests):  # two warm-up runs
        condition, params = database_statements(dialect, term_for(ctx, fixed, key, i if i >= 0 else 10_000 + i))
        begin = time.perf_counter()
        source = "customer_fts f CROSS JOIN customers c" if "f.rowid" in condition else "customers c"
        connection.execute(text(f"SELECT count(*) FROM (SELECT c.id FROM {source} WHERE {condition} "
                                f"AND c.archived = :no LIMIT 1001) t"), {**params, "no": False}).scalar()
        connection.execute(text(f"SELECT c.id, c.first_name, c.last_name, c.email FROM {source} "
                                f"WHERE {condition} AND c.archived = :no ORDER BY c.sort_name LIMIT 50"),
                           {**params, "no": False}).all()
        if i >= 0:
            timings.append((time.perf_counter() - begin) * 1000)
        if time.monotonic() - started > budget:
            break
    return {"median": statistics.median(timings), "p95": sorted(timings)[max(0, -(-len(timings) * 95 // 100) - 1)]}


def comparison_table(rows: list[tuple[str, dict, dict]]) -> str:
    header = (f"{'search (50 rows)':<32} {'app p50':>8} {'app p95':>8} {'db p50':>7} {'db p95':>7} "
              f"{'app-db p50':>10} {'ratio':>6}")
    lines = [header, "-" * len(header)]
    for name, app, db in rows:
        lines.append(f"{name:<32} {app['median']:>8.1f} {app['p95']:>8.1f} {db['median']:>7.1f} {db['p95']:>7.1f} "
                     f"{app['median'] - db['median']:>10.1f} {app['median'] / max(db['median'], 0.01):>6.1f}")
    return "\n".join(lines)
