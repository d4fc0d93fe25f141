"""Birthdays, with or without a year.

A customer who gave only the day and the month (Square exports them as
`04-17`) keeps them: Customer.birthday holds a full date, birthday_month and
birthday_day a year-less one (one or the other, never both). Written out as
ISO 8601: `1990-04-17`, or `--04-17` without the year (vCard's form).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# 2000 is a leap year: 29 February exists without a year.
_LEAP = 2000
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_NO_YEAR_ISO = re.compile(r"^--(\d{1,2})-?(\d{1,2})$")
_TWO = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})$")
_THREE = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})$")


class BadBirthday(ValueError):
    """The text is not a date, or not a possible birthday (29 Feb 1969, a future date)."""


@dataclass(frozen=True)
class Birthday:
    month: int
    day: int
    year: int | None = None

    @classmethod
    def of(cls, customer) -> "Birthday | None":
        """The birthday a customer (or a row with the same columns) holds."""
        if customer.birthday is not None:
            value = customer.birthday
            return cls(value.month, value.day, value.year)
        month, day = getattr(customer, "birthday_month", None), getattr(customer, "birthday_day", None)
        return cls(month, day) if month and day else None

    def columns(self) -> dict:
        """The three Customer columns holding it."""
        if self.year is not None:
            return {"birthday": date(self.year, self.month, self.day), "birthday_month": None, "birthday_day": None}
        return {"birthday": None, "birthday_month": self.month, "birthday_day": self.day}

    def iso(self) -> str:
        if self.year is None:
            return f"--{self.month:02d}-{self.day:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    def as_date(self) -> date:
        """A date to format: in a leap year when the year is unknown."""
        return date(self.year or _LEAP, self.month, self.day)


NO_BIRTHDAY = {"birthday": None, "birthday_month": None, "birthday_day": None}


def _make(year: int | None, month: int, day: int, today: date) -> Birthday:
    try:
        value = date(year or _LEAP, month, day)
    except ValueError:
        raise BadBirthday(f"impossible date {year}-{month}-{day}") from None
    if year is not None and (year < 1900 or value > today):
        raise BadBirthday("not a birthday")
    return Birthday(month, day, year)


def parse(text: str | None, today: date | None = None) -> Birthday | None:
    """A birthday from what a person or another system wrote; None when empty.

    Full dates: ISO (1990-04-17, time ignored), day first (17/04/1990,
    17.04.1990, 17-04-1990), month first when the day-first reading is
    impossible (04/17/1990). Without a year: --04-17 (ISO), 04-17 (Square,
    month first), 17/04 or 17.04 (day first, month first when impossible).
    Raises BadBirthday for anything else."""
    text = (text or "").strip()
    if not text:
        return None
    today = today or date.today()
    text = text.split("T")[0].split(" ")[0]
    if (match := _ISO.match(text)):
        year, month, day = (int(part) for part in match.groups())
        if year == 0:  # Square's API: 0000-09-21 is 21 September without a year
            return _make(None, month, day, today)
        return _make(year, month, day, today)
    if (match := _NO_YEAR_ISO.match(text)):
        return _make(None, int(match.group(1)), int(match.group(2)), today)
    if (match := _THREE.match(text)):
        first, _sep, second, year = match.groups()
        return _either(int(year), int(first), int(second), today, day_first=True)
    if (match := _TWO.match(text)):
        first, separator, second = match.groups()
        # Square writes MM-DD; a person writes 17/04 or 17.04.
        return _either(None, int(first), int(second), today, day_first=separator != "-")
    raise BadBirthday(f"unreadable date {text!r}")


def _either(year, first: int, second: int, today: date, day_first: bool) -> Birthday:
    readings = [(second, first), (first, second)] if day_first else [(first, second), (second, first)]
    for month, day in readings:
        if 1 <= month <= 12:
            try:
                return _make(year, month, day, today)
            except BadBirthday:
                continue
    raise BadBirthday("impossible date")


def form_text(birthday: Birthday | None) -> str:
    """What a form shows: 17/04/1990, or 17/04 without the year."""
    if birthday is None:
        return ""
    if birthday.year is None:
        return f"{birthday.day:02d}/{birthday.month:02d}"
    return f"{birthday.day:02d}/{birthday.month:02d}/{birthday.year:04d}"
