"""What the benchmark times: one row per operation.

An operation is a function `op(ctx, i)` that sends ONE request (the i-th
sample) through `ctx.get(...)` / `ctx.post(...)`; the harness times it, checks
the status and repeats it --requests times. To add a row, write the function
and append (name, function) to OPERATIONS. Values to send (ids, search terms)
come from `samples()`, read once from the benchmark database: add what a new
row needs there, then use `ctx.pick("key", i)`.
"""
from __future__ import annotations

import random
from urllib.parse import urlencode

from sqlalchemy import text


def samples(connection, seed: int = 1, count: int = 50) -> dict[str, list]:
    """Values that exist in the database, for the operations to send."""
    rng = random.Random(seed)
    max_id = connection.execute(text("SELECT MAX(id) FROM customers")).scalar() or 0
    ids = sorted({rng.randint(1, max_id) for _ in range(count * 4)}) if max_id else []
    rows = []
    for start in range(0, len(ids), 200):
        chunk = ids[start:start + 200]
        rows += connection.execute(text(
            "SELECT c.id, c.first_name, c.last_name, c.email, "
            "(SELECT p.raw FROM phones p WHERE p.customer_id = c.id AND p.linked AND p.e164 LIKE '+33%' "
            " ORDER BY p.id LIMIT 1) AS phone "
            "FROM customers c WHERE c.archived = :no AND c.anonymised = :no AND c.id IN ("
            + ", ".join(str(i) for i in chunk) + ")"), {"no": False}).all()
    rng.shuffle(rows)
    rows = rows[:count]

    def digits(raw: str) -> str:
        only = "".join(ch for ch in raw if ch.isdigit())
        return "0" + only[-9:] if raw.startswith("+") or raw.startswith("00") else only

    names, emails, phone_parts, phones = [], [], [], []
    for row in rows:
        # What a cashier types: a start of the last name, or a first name and a start of the last.
        if row.last_name and rng.random() < 0.6:
            names.append(row.last_name[:max(3, min(len(row.last_name), 5))])
        elif row.first_name and row.last_name:
            names.append(f"{row.first_name} {row.last_name[:3]}")
        elif row.first_name:
            names.append(row.first_name)
        if row.email:
            local = row.email.split("@")[0]
            emails.append(local[:max(4, min(len(local), 8))])
        if row.phone:
            national = digits(row.phone)
            # The last four digits ("56 78"), and the whole number as typed.
            phone_parts.append(f"{national[-4:-2]} {national[-2:]}")
            phones.append(row.phone)
    members = [row[0] for row in connection.execute(text(
        "SELECT id FROM customers WHERE loyalty_member = :yes AND archived = :no AND id IN ("
        + ", ".join(str(i) for i in ids) + ")"), {"yes": True, "no": False})] if ids else []
    # Members with points to spend at the till (the loyalty index's top end,
    # read from ix_customers_loyalty_points): each sample redeems a few.
    redeemers = [row[0] for row in connection.execute(text(
        "SELECT id FROM customers WHERE loyalty_member = :yes AND archived = :no "
        "AND points_balance >= 100 ORDER BY points_balance DESC, id DESC LIMIT :n"),
        {"yes": True, "no": False, "n": count})]
    location = connection.execute(text("SELECT MIN(id) FROM locations")).scalar()
    return {"customer_id": [row.id for row in rows], "name": names, "email": emails,
            "phone_part": phone_parts, "phone": phones, "member_id": members[:count],
            "redeemer_id": redeemers,
            "location_id": [location] if location else []}


def _list(**args):
    query = "?" + urlencode(args) if args else ""
    return lambda ctx, i: ctx.get(f"/customers{query}")


def _search(kind: str):
    return lambda ctx, i: ctx.get("/customers?" + urlencode({"q": ctx.pick(kind, i)}), htmx=True)


def profile(ctx, i):
    return ctx.get(f"/customers/{ctx.pick('customer_id', i)}")


def loyalty_list(ctx, i):
    return ctx.get("/loyalty?sort=-points" + (f"&page={i % 5 + 1}" if i % 2 else ""))


def add_points(ctx, i):
    return ctx.post(f"/loyalty/members/{ctx.pick('member_id', i)}/points",
                    {"quick-points": "5", "quick-reason": "bench", "action": "add"})


def record_sale(ctx, i):
    return ctx.post("/sales/new", {
        "location_id": ctx.pick("location_id", i), "payment_method": "cash",
        "customer_id": ctx.pick("member_id", i),
        "line_name": ["Croissant", "Café crème"], "line_qty": ["2", "1"], "line_price": ["120", "320"]})  # cents, as the form carries them


def record_sale_with_redemption(ctx, i):
    """A member's sale that spends 20 points (1 € at the default rate) inside
    the sale: the quote, the conditional UPDATE of the balance, the spend and
    earn ledger rows, all in the sale's transaction."""
    member = ctx.pick("redeemer_id", i)
    return ctx.post("/sales/new", {
        "location_id": ctx.pick("location_id", i), "payment_method": "cash",
        "customer_id": member, "adjust_for": member, "redeem_points": "20", "customer_discount": "1",
        "line_name": ["Croissant", "Café crème"], "line_qty": ["2", "1"], "line_price": ["120", "320"]})


def transactions(ctx, i):
    return ctx.get("/sales")


def directory_item_and_period(ctx, i):
    return ctx.get("/customers?" + urlencode({"item": ("croissant", "cafe", "baguette")[i % 3],
                                               "period_from": "2026-09-01", "period_to": "2026-10-31"}))


def _directory(*variants):
    """The directory with the i-th of these filter sets (relative periods
    in days before today, so a database built another day still has sales)."""
    from datetime import date, timedelta

    def op(ctx, i):
        args = dict(variants[i % len(variants)])
        for key in ("period_from", "period_to"):
            if isinstance(args.get(key), int):
                args[key] = (date.today() - timedelta(days=args[key])).isoformat()
        if args.get("location") == "sample":
            args["location"] = ctx.pick("location_id", i)
        return ctx.get("/customers?" + urlencode(args), htmx=True)
    return op


def transactions_filtered(ctx, i):
    from datetime import date, timedelta
    return ctx.get("/sales?" + urlencode({"location": ctx.pick("location_id", i), "payment": "card",
                                          "from": (date.today() - timedelta(days=30)).isoformat()}))


def inbox(ctx, i):
    """The data-quality inbox (issue 15), one kind after another: each tab
    reads its rule's partial index, plus the capped counts and the badge."""
    kinds = ("name", "email_typo", "phone", "review", "birthday", "card_only", "email", "duplicate")
    return ctx.get("/customers/inbox?kind=" + kinds[i % len(kinds)])


OPERATIONS: list[tuple[str, object]] = [
    ("list /customers (by name)", _list()),
    ("list sort=-last_visit", _list(sort="-last_visit")),
    ("list sort=-points", _list(sort="-points")),
    ("list sort=-spent", _list(sort="-spent")),
    ("list page=200", _list(page=200)),
    ("search name part (htmx)", _search("name")),
    ("search email part (htmx)", _search("email")),
    ("search phone part (htmx)", _search("phone_part")),
    ("search whole phone (htmx)", _search("phone")),
    ("profile /customers/<id>", profile),
    ("directory item + period filter", directory_item_and_period),
    ("directory rare item, all time", _directory({"item": "poivre"}, {"item": "panier"}, {"item": "vinaigre"})),
    ("directory item, one day", _directory({"item": "cafe", "period_from": 3, "period_to": 3},
                                           {"item": "croissant", "period_from": 10, "period_to": 10})),
    ("directory item + location + period", _directory(
        {"item": "croissant", "location": "sample", "period_from": 90, "period_to": 30})),
    ("directory item filter, page 5", _directory({"item": "baguette", "page": 5, "sort": "-spent"})),
    ("directory location + period", _directory({"location": "sample", "period_from": 60, "period_to": 1})),
    ("directory payment + period", _directory({"payment": "invoice", "period_from": 60},
                                              {"payment": "card", "period_from": 30})),
    ("directory card last four", _directory({"card_last4": "3236"}, {"card_brand": "cb", "card_last4": "1362"})),
    ("loyalty list sort=-points", loyalty_list),
    ("loyalty add points (htmx)", add_points),
    ("record a sale (htmx)", record_sale),
    ("record a sale with a redemption (htmx)", record_sale_with_redemption),
    ("transactions /sales", transactions),
    ("transactions filtered", transactions_filtered),
    # Every customer as CSV, streamed (bounded by --max-seconds like every row;
    # bench/export_run measures it beside a plain csv.writer).
    ("export all customers (CSV)", lambda ctx, i: ctx.get("/customers/export")),
    ("data-quality inbox /customers/inbox", inbox),
]
