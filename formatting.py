"""Jinja filters: money, dates and numbers in the interface language."""
from flask import Flask
from flask_babel import format_currency, format_date, format_datetime, format_decimal


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
        from babel.dates import format_skeleton
        from flask_babel import get_locale
        return format_skeleton("MMMMd", value.as_date(), locale=get_locale())

    @app.template_filter("number")
    def number(value) -> str:
        return format_decimal(value or 0)
