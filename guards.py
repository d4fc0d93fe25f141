"""Input refused at the edge, once, before any view or form sees it.

PostgreSQL refuses a NUL byte in text (`psycopg.DataError`) and its `integer`
ends at 2^31 - 1 (`NumericValueOutOfRange`), where SQLite takes both: without
these guards the same request is a 500 on one database and not the other.

- every query and form parameter (names and values), uploaded file name and
  text URL segment goes through `refuse_control_characters`: NUL and the C0
  controls are refused (TAB, LF and CR stay allowed: comments and addresses
  span lines);
- every integer id in a URL goes through `IdConverter` (registered as both
  `int` and `id`, so a new route cannot forget it): outside 1..2^31-1 the URL
  matches nothing and answers 404;
- every integer id read from a query string or a form goes through `parse_id`;
- a form without files larger than MAX_FORM_BYTES is answered 413;
- a URL longer than MAX_URL_LENGTH is answered 414 here, in the user's
  language (gunicorn would answer beyond its own, larger, limit in English).
"""
from __future__ import annotations

import re
from collections import Counter

from flask import Flask, abort, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

# The columns are PostgreSQL `integer`s (SQLite's are wider): ids live in 1..ID_MAX.
ID_MAX = 2**31 - 1

# C0 controls but TAB (09), LF (0A) and CR (0D).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# The same set plus TAB/LF/CR, for values that must stay on one line.
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f]")


def has_control_characters(text: str | None, multiline: bool = True) -> bool:
    if not text:
        return False
    pattern = _CONTROL if multiline else _CONTROL_SINGLE_LINE
    return pattern.search(text) is not None


class ControlCharacterRefused(BadRequest):
    """A parameter holds a control character; `field` names it."""

    def __init__(self, field: str):
        super().__init__()
        self.field = field


def field_label(name: str) -> str:
    """The label the user sees for a form parameter (from the WTForms forms,
    those of the request's blueprint first), or the parameter's name."""
    from flask_wtf import FlaskForm
    from wtforms.fields.core import UnboundField

    forms, pending = [], list(FlaskForm.__subclasses__())
    while pending:
        form = pending.pop()
        forms.append(form)
        pending.extend(form.__subclasses__())
    own = f"blueprints.{request.blueprint}." if request.blueprint else "\0"
    bare = name.split("-", 1)[-1]  # a prefixed form: "new-first_name"
    # The label most forms give the name, those of this blueprint first.
    for mine in (True, False):
        labels = Counter()
        for form in sorted(forms, key=lambda form: (form.__module__, form.__name__)):
            if form.__module__.startswith(own) != mine:
                continue
            for attribute in (name, bare):
                field = getattr(form, attribute, None)
                if isinstance(field, UnboundField):
                    label = field.kwargs.get("label") or (field.args[0] if field.args else None)
                    if label:
                        labels[str(label)] += 1
                        break
        if labels:
            return labels.most_common(1)[0][0]
    return name


class IdConverter(IntegerConverter):
    """A positive id that fits the database's integer columns; anything else
    matches no route (404)."""

    def __init__(self, url_map, fixed_digits=0, min=1, max=ID_MAX, signed=False):  # noqa: A002
        lowest, highest = 1 if min is None else min, ID_MAX if max is None else max
        super().__init__(url_map, fixed_digits=fixed_digits, min=lowest if lowest > 1 else 1,
                         max=highest if highest < ID_MAX else ID_MAX, signed=False)


def parse_id(value) -> int | None:
    """An id read from a query string or a form: the integer when it is one
    in 1..ID_MAX, else None (the caller answers 404 or a field message)."""
    if value is None:
        return None
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= ID_MAX else None


# Beyond this a page number is a typo or a probe; the offset must stay a small integer.
PAGE_MAX = 1_000_000


def parse_page(value) -> int:
    """A page number from a query string: 1 when absent or unreadable, capped at PAGE_MAX."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit():
        return 1
    return max(1, min(int(text) if len(text) <= 12 else PAGE_MAX, PAGE_MAX))


def _first_refused() -> str | None:
    """The name of the first parameter holding a refused control character."""
    for source in (request.args, request.form):
        for name, values in source.lists():
            if has_control_characters(name):
                return name.encode("unicode_escape").decode()
            for value in values:
                if has_control_characters(value):
                    return name
    for name, upload in request.files.items(multi=True):
        if has_control_characters(name) or has_control_characters(upload.filename or "", multiline=False):
            return name
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str) and has_control_characters(value, multiline=False):
            return name
    return None


def init_app(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["int"] = IdConverter

    @app.before_request
    def refuse_control_characters():
        if len(request.environ.get("RAW_URI") or request.full_path) > app.config["MAX_URL_LENGTH"]:
            abort(414)
        # A form without files has no business being large (MAX_CONTENT_LENGTH is for uploads).
        if request.mimetype != "multipart/form-data" and (request.content_length or 0) > app.config["MAX_FORM_BYTES"]:
            abort(413)
        if request.endpoint == "static":
            return None
        field = _first_refused()
        if field is not None:
            raise ControlCharacterRefused(field)
        return None
