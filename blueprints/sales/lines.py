"""The sale's lines as the cashier types them: an amount or a quantity read
from the keyboard, the lines the sale form carries checked, one tap's change
(add, +/−, remove, a quick item), and the shop's frequent items that the
quick buttons offer.

No server-side cart: the lines travel in the sale form's hidden inputs, so
each request reads them again and refuses a tampered one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import select

from blueprints.sales.errors import SaleError
from core.textkeys import fold
from extensions import db
from models import SaleItem

MAX_LINES = 200
MAX_QUANTITY = 9999
MAX_PRICE_CENTS = 10_000_000_00  # ten million in the shop's currency


def parse_money(text: str | None) -> int | None:
    """"3,50", "3.5", "1 234,56 €" -> cents; None when it is not an amount >= 0."""
    if text is None:
        return None
    cleaned = re.sub(r"[\s\u00a0\u202f€$£]", "", str(text))
    if not cleaned:
        return None
    if "," in cleaned and "." in cleaned:  # "1.234,56" or "1,234.56": the last one is decimal
        decimal_mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        cleaned = cleaned.replace("." if decimal_mark == "," else ",", "")
    cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d{1,2})?", cleaned):
        return None
    try:
        cents = int((Decimal(cleaned) * 100).to_integral_value())
    except InvalidOperation:
        return None
    return cents if cents <= MAX_PRICE_CENTS else None


def parse_quantity(text) -> int | None:
    try:
        value = int(str(text).strip())
    except (TypeError, ValueError):
        return None
    return value if 1 <= value <= MAX_QUANTITY else None


@dataclass
class Line:
    name: str
    quantity: int
    unit_price_cents: int

    @property
    def total_cents(self) -> int:
        return self.quantity * self.unit_price_cents


def read_lines(names: list[str], quantities: list[str], prices: list[str]) -> list[Line]:
    """The lines carried by the sale form's hidden inputs (prices in cents).

    They were checked when added; a tampered line is refused, not repaired."""
    if not (len(names) == len(quantities) == len(prices)) or len(names) > MAX_LINES:
        raise SaleError(_("Les articles de la vente sont illisibles. Rechargez la page."), "items")
    lines = []
    for name, quantity, price in zip(names, quantities, prices):
        name = (name or "").strip()
        qty = parse_quantity(quantity)
        try:
            cents = int(price)
        except (TypeError, ValueError):
            cents = -1
        if not name or len(name) > 120 or qty is None or not 0 <= cents <= MAX_PRICE_CENTS:
            raise SaleError(_("Les articles de la vente sont illisibles. Rechargez la page."), "items")
        lines.append(Line(name, qty, cents))
    return lines


def read_entry(name: str | None, quantity: str | None, price: str | None) -> Line:
    """The item being typed (name, quantity, unit price), checked field by field."""
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["entry_name"] = _("Saisissez le nom de l’article.")
    elif len(name) > 120:
        errors["entry_name"] = _("120 caractères au plus.")
    qty = parse_quantity(quantity if (quantity or "").strip() else "1")
    if qty is None:
        errors["entry_qty"] = _("Une quantité entière entre 1 et %(max)s.", max=MAX_QUANTITY)
    cents = parse_money(price)
    if cents is None:
        errors["entry_price"] = _("Saisissez un prix, par exemple 3,50.")
    if errors:
        raise SaleError(errors)
    return Line(name, qty, cents)


def add_line(lines: list[Line], new: Line) -> list[Line]:
    """The same item at the same price adds to its line instead of a new one."""
    for line in lines:
        if fold(line.name) == fold(new.name) and line.unit_price_cents == new.unit_price_cents:
            line.quantity = min(MAX_QUANTITY, line.quantity + new.quantity)
            return lines
    if len(lines) >= MAX_LINES:
        raise SaleError(_("Une vente compte %(max)s lignes au plus.", max=MAX_LINES), "entry_name")
    return lines + [new]


def apply_line_op(lines: list[Line], op: str, entry: tuple[str | None, str | None, str | None]) -> list[Line]:
    """One change of the sale's lines, as the screen's buttons ask for it:
    "add" (the typed entry), "inc:i", "dec:i", "remove:i", "quick:<cents>:<name>"."""
    lines = [Line(line.name, line.quantity, line.unit_price_cents) for line in lines]
    kind, _sep, arg = (op or "").partition(":")
    if kind == "add":
        return add_line(lines, read_entry(*entry))
    if kind == "quick":
        cents, _sep, name = arg.partition(":")
        return add_line(lines, read_entry(name, "1", str(int(cents) / 100) if cents.isdigit() else None))
    if kind in ("inc", "dec", "remove"):
        index = int(arg) if arg.isdigit() else -1
        if not 0 <= index < len(lines):
            return lines
        line = lines[index]
        if kind == "inc":
            line.quantity = min(MAX_QUANTITY, line.quantity + 1)
        elif kind == "dec":
            line.quantity = max(1, line.quantity - 1)
        else:
            del lines[index]
        return lines
    return lines


def recent_items(limit: int = 8, window: int = 400) -> list[dict]:
    """The shop's frequent items lately, for the quick buttons: one query over
    the last few hundred sold lines (primary-key order, so it stays cheap)."""
    rows = db.session.execute(
        select(SaleItem.name, SaleItem.name_key, SaleItem.unit_price_cents)
        .order_by(SaleItem.id.desc()).limit(window)).all()
    counts: dict[tuple[str, int], dict] = {}
    for name, key, price in rows:  # newest first: the first spelling seen is kept
        entry = counts.setdefault((key, price), {"name": name, "price_cents": price, "count": 0})
        entry["count"] += 1
    ranked = sorted(counts.values(), key=lambda e: -e["count"])
    return ranked[:limit]
