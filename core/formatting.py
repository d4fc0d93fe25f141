"""Jinja filters: money, dates and numbers in the interface language.

A page of 50 customers formats three values per row. Babel's format_currency,
format_decimal and format_date look up the locale, parse their pattern and
work in Decimal on every call (~50 µs a cell); here the formatters are built
once per request (Formats, on flask.g, rebuilt when the locale, the currency
or the time zone changes) and a cell costs a few integer operations.
"""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import Flask, g
from babel import Locale
from flask_babel import format_decimal, get_locale, get_timezone, to_user_timezone

from core.french import elide, first_of_month

# English dates are written as in the shop's country (British order, "1 Dec
# 2026", "01/12/2026"), not American; in French the first of the month is "1er".
_DATE_LOCALES = {"en": "en_GB"}


def _date_locale(locale=None) -> Locale:
    locale = locale if locale is not None else get_locale()
    override = _DATE_LOCALES.get(locale.language) if locale is not None else None
    return Locale.parse(override) if override else locale


def format_date(value, style: str = "medium") -> str:
    if isinstance(value, datetime):
        value = to_user_timezone(value).date()
    return first_of_month(babel_dates.format_date(value, style, locale=_date_locale()), value.day)


def format_datetime(value, style: str = "short") -> str:
    local = to_user_timezone(value)
    text = babel_dates.format_datetime(value, style, tzinfo=get_timezone(), locale=_date_locale())
    return first_of_month(text, local.day)

# Samples a fast formatter must render exactly as Babel does before it is
# trusted; otherwise the filter calls Babel for each cell.
_SAMPLES = (0, 1, 5, 99, 100, 999, 1000, 1234, 9999, 12345, 99999, 100000, 123456, 999999,
            1234567, 12345678, 123456789, 1234567890, 98765432101)


def _grouped(whole: int, group: str, minimum: int) -> str:
    """An integer with groups of three digits, as Babel writes it for a
    locale whose minimum grouping is `minimum` (fr: 1, es: 2)."""
    text = str(whole)
    if len(text) < 4 + (minimum - 1):
        return text
    head, rest = len(text) % 3 or 3, []
    rest.append(text[:head])
    rest.extend(text[i:i + 3] for i in range(head, len(text), 3))
    return group.join(rest)


def _checked(candidates, slow):
    """The first candidate that agrees with Babel on every sample (both
    signs), else `slow` (Babel itself)."""
    for fast in candidates:
        try:
            if fast is not None and all(fast(value) == slow(value) for sample in _SAMPLES
                                        for value in (sample, -sample)):
                return fast
        except Exception:  # noqa: BLE001, S112  an unusual pattern: try the next, then Babel
            continue
    return slow


class Formats:
    """The request's formatters for one locale, currency and time zone."""

    def __init__(self, locale, currency: str, zone):
        self.key = (str(locale), currency, str(zone))
        self.locale, self.zone = locale, zone
        group = babel_numbers.get_group_symbol(locale)
        decimal_symbol = babel_numbers.get_decimal_symbol(locale)
        minus = babel_numbers.get_minus_sign_symbol(locale)
        # Most locales group from 4 digits (1 234), some from 5 (es: 1234, 12 345).
        self.money = _checked([self._money_fast(currency, group, decimal_symbol, minimum) for minimum in (1, 2)],
                              lambda cents: babel_numbers.format_currency(Decimal(cents) / 100, currency, locale=locale))
        self.number = _checked([self._number_fast(group, minus, minimum) for minimum in (1, 2)],
                               lambda n: babel_numbers.format_decimal(n, locale=locale))
        self._date_patterns, self._dates = {}, {}
        self.date_locale = _date_locale(locale)

    @staticmethod
    def _number_fast(group: str, minus: str, minimum: int):
        return lambda n: (minus if n < 0 else "") + _grouped(abs(n), group, minimum)

    def _money_fast(self, currency: str, group: str, decimal_symbol: str, minimum: int):
        if babel_numbers.get_currency_precision(currency) != 2:
            return None
        # Babel's own output for 1234567.89, with the number cut out, is the
        # template (symbol before or after, spaces, the minus sign's place).
        number = _grouped(1234567, group, minimum) + decimal_symbol + "89"
        templates = []
        for sign in (1, -1):
            text = babel_numbers.format_currency(Decimal(sign * 123456789) / 100, currency, locale=self.locale)
            if text.count(number) != 1:
                return None
            templates.append(text.replace(number, "{}"))
        positive, negative = templates

        def money(cents: int) -> str:
            whole, part = divmod(abs(cents), 100)
            text = f"{_grouped(whole, group, minimum)}{decimal_symbol}{part:02d}"
            return (negative if cents < 0 else positive).format(text)
        return money

    def date(self, value, style: str = "medium") -> str:
        """Babel's format_date for the interface: a datetime (naive UTC) in
        the time zone, a date as it is. Remembered per quarter hour (every
        zone's offset is a multiple of 15 minutes): a list's dates repeat."""
        key = (value.replace(minute=value.minute - value.minute % 15, second=0, microsecond=0)
               if isinstance(value, datetime) else value, style)
        text = self._dates.get(key)
        if text is None:
            if len(self._dates) > 20_000:
                self._dates.clear()
            text = self._dates[key] = self._format_date(value, style)
        return text

    def _format_date(self, value, style: str) -> str:
        if isinstance(value, datetime):
            value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(self.zone)
            value = self.zone.normalize(value) if hasattr(self.zone, "normalize") else value
            value = value.date()
        pattern = self._date_patterns.get(style)
        if pattern is None:
            pattern = self._date_patterns[style] = babel_dates.parse_pattern(
                babel_dates.get_date_format(style, locale=self.date_locale)
                if style in ("full", "long", "medium", "short") else style)
        return first_of_month(pattern.apply(value, self.date_locale), value.day)


@lru_cache(maxsize=64)
def _formats_for(locale_name: str, currency: str, zone_name: str, locale, zone) -> Formats:
    """Built (and checked against Babel) once per process for each locale,
    currency and zone; Locale and time zone objects do not change."""
    return Formats(locale, currency, zone)


def formats() -> Formats:
    """The request's Formats: looked up once per request (three values a row
    would otherwise ask Flask-Babel for the locale and zone each time), and
    again if the locale or zone changed within it (force_locale)."""
    store = g._get_current_object()
    held = getattr(store, "_formats", None)  # (locale, zone, Formats)
    babel_state = getattr(store, "_flask_babel", None)  # where Flask-Babel keeps the request's locale and zone
    if (held is not None and babel_state is not None and held[0] is getattr(babel_state, "babel_locale", None)
            and held[1] is getattr(babel_state, "babel_tzinfo", None)):
        return held[2]
    from models import ShopSettings
    if "_currency" not in g:
        g._currency = ShopSettings.get().currency
    locale, zone = get_locale(), get_timezone()
    found = _formats_for(str(locale), g._currency, str(zone), locale, zone)
    g._formats = (locale, zone, found)
    return found


def register(app: Flask) -> None:
    @app.template_filter("money")
    def money(cents: int | None) -> str:
        return formats().money(cents or 0)

    @app.template_filter("datetime")
    def datetime_filter(value, style: str = "short") -> str:
        return format_datetime(value, style) if value else ""

    @app.template_filter("date")
    def date_filter(value, style: str = "medium") -> str:
        return formats().date(value, style) if value else ""

    @app.template_filter("birthday")
    def birthday_filter(value) -> str:
        """A birthdays.Birthday: "17 avril 1990", or "17 avril" without the year."""
        if not value:
            return ""
        if value.year is not None:
            return format_date(value.as_date(), "long")
        return first_of_month(babel_dates.format_skeleton("MMMMd", value.as_date(), locale=_date_locale()),
                              value.as_date().day)

    app.jinja_env.globals["elide"] = elide

    @app.template_filter("number")
    def number(value) -> str:
        if value.__class__ is int:
            return formats().number(value)
        return format_decimal(value or 0)

