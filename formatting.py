"""Jinja filters: money, dates and numbers in the interface language.

Dates follow the shop's style in both languages: day before month ("1 Dec 2026",
"01/12/2026"), never the US "12/1/26"; in French the first of the month is "1er"."""
from datetime import datetime

from babel import Locale
from babel import dates as babel_dates
from flask import Flask
from flask_babel import format_currency, format_decimal, get_locale, get_timezone, to_user_timezone

from french import elide, first_of_month

# English dates are written as in the shop's country (British order), not American.
_DATE_LOCALES = {"en": "en_GB"}


def _date_locale() -> Locale:
    locale = get_locale()
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


def register(app: Flask) -> None:
    from models import ShopSettings

    def currency() -> str:
        from flask import g
        if "_currency" not in g:
            g._currency = ShopSettings.get().currency
        return g._currency

    @app.template_filter("money")
    def money(cents: int | None) -> str:
        return format_currency((cents or 0) / 100, currency())

    @app.template_filter("datetime")
    def datetime_filter(value, style: str = "short") -> str:
        return format_datetime(value, style) if value else ""

    @app.template_filter("date")
    def date_filter(value, style: str = "medium") -> str:
        return format_date(value, style) if value else ""

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
        return format_decimal(value or 0)
