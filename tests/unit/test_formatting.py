"""formatting.Formats (issue 13): built once per request, and writing exactly
what Babel writes for money, numbers and dates."""
from __future__ import annotations

import random
from datetime import date, datetime
from decimal import Decimal

import pytest
import pytz
from babel import Locale, dates, numbers

from core.formatting import Formats

PARIS = pytz.timezone("Europe/Paris")


@pytest.mark.parametrize("language", ["fr", "en", "de_CH", "es"])
@pytest.mark.parametrize("currency", ["EUR", "USD", "JPY"])
def test_money_and_numbers_are_babels(language, currency):
    formats = Formats(Locale.parse(language), currency, PARIS)
    rng = random.Random(13)
    for value in [0, 1, -1, 99, 100, 1234, -123456, 10**9 + 7] + [rng.randint(-10**9, 10**9) for _ in range(300)]:
        assert formats.money(value) == numbers.format_currency(Decimal(value) / 100, currency, locale=language)
        assert formats.number(value) == numbers.format_decimal(value, locale=language)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_dates_are_babels_in_the_shops_time_zone(language):
    """Babel's, in the shop's date style: English day-first (en_GB), as formatting.format_date."""
    formats = Formats(Locale.parse(language), "EUR", PARIS)
    language = "en_GB" if language == "en" else language
    rng = random.Random(7)
    for _ in range(300):
        moment = datetime(2026, 1, 1) + (datetime(2027, 1, 1) - datetime(2026, 1, 1)) * rng.random()
        local = PARIS.normalize(pytz.utc.localize(moment).astimezone(PARIS)).date()
        for style in ("short", "medium"):
            assert formats.date(moment, style) == dates.format_date(local, style, locale=language), moment
    # Just before and after midnight in Paris (22:59 and 23:00 UTC in winter).
    assert formats.date(datetime(2026, 1, 5, 22, 59), "short") == dates.format_date(date(2026, 1, 5), "short",
                                                                                    locale=language)
    assert formats.date(datetime(2026, 1, 5, 23, 0), "short") == dates.format_date(date(2026, 1, 6), "short",
                                                                                   locale=language)
    assert formats.date(date(2026, 3, 1), "long") == dates.format_date(date(2026, 3, 1), "long", locale=language)


def test_the_filters_follow_a_locale_forced_within_the_request(app):
    from flask import render_template_string
    from flask_babel import force_locale
    with app.test_request_context():
        french = render_template_string("{{ 123456|money }} {{ 1234|number }}")
        with force_locale("en"):
            english = render_template_string("{{ 123456|money }} {{ 1234|number }}")
        again = render_template_string("{{ 123456|money }}")
    assert french == "1\u202f234,56\xa0€ 1\u202f234"
    assert english == "€1,234.56 1,234"
    assert again == "1\u202f234,56\xa0€"
