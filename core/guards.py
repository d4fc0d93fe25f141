"""Input refused at the edge, once, before any view or form sees it.

PostgreSQL refuses a NUL byte in text (`psycopg.DataError`) and its `integer`
ends at 2^31 - 1 (`NumericValueOutOfRange`), where SQLite takes both: without
these guards the same request is a 500 on one database and not the other.

- every query and form parameter (names and values), uploaded file name and
  text URL segment goes through `refuse_control_characters`: NUL and the C0
  controls are refused (TAB, LF and CR stay allowed: comments and addresses
  span lines). A query parameter, a parameter's name, a file name or a URL
  segment is answered 400 at once. A form value is taken out of the form
  instead (the view sees it without the character) and its field is refused
  beside it: every FlaskForm's validate() fails with the message on that
  field, and views that take a form without validate() ask `refused_in(form)`
  (see refuse_form_value below). Nothing is written meanwhile: a commit in
  that request is refused, and a refused value no form claimed is answered
  400 like a query parameter;
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

from flask import Flask, abort, g, has_request_context, request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import ImmutableMultiDict
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
    """The name of the first parameter holding a refused control character,
    but for form values (refuse_form_value)."""
    for source in (request.args, request.form):
        for name, values in source.lists():
            if has_control_characters(name):
                return name.encode("unicode_escape").decode()
            for value in values:
                if source is request.args and has_control_characters(value):
                    return name
    for name, upload in request.files.items(multi=True):
        if has_control_characters(name) or has_control_characters(upload.filename or "", multiline=False):
            return name
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str) and has_control_characters(value, multiline=False):
            return name
    return None


# --- form values: refused beside their field ------------------------------------------

FIELD_MESSAGE = _l("Ce champ contenait un caractère de contrôle invisible (comme un octet nul), qui ne peut "
                   "pas être enregistré : il a été retiré. Vérifiez la valeur et enregistrez à nouveau.")


def refuse_form_value() -> None:
    """Form values holding a control character are taken out of request.form
    (the form comes back with the value as it can be saved) and remembered in
    g.refused_fields {parameter name: claimed by a form?}."""
    refused = [name for name, values in request.form.lists() if any(has_control_characters(v) for v in values)]
    if not refused:
        return
    # The employee is loaded first: loading may commit (the session's last
    # activity), which must not meet the refusal below.
    from flask_login import current_user
    current_user._get_current_object()
    cleaned = ImmutableMultiDict([(name, _CONTROL.sub("", value) if name in refused else value)
                                  for name, values in request.form.lists() for value in values])
    real = request._get_current_object()
    real.form = cleaned  # werkzeug's cached property: what every later reader gets
    real.__dict__.pop("values", None)
    g.refused_fields = dict.fromkeys(refused, False)


def refused_in(form) -> dict[str, str]:
    """{field name: message} for the fields of `form` whose value was refused,
    marking them claimed: for views that hand a form to a service without
    validate(); they show these messages like the service's own."""
    refused = g.get("refused_fields") if has_request_context() else None
    if not refused:
        return {}
    found = {}
    for field in form:
        if field.name in refused:
            refused[field.name] = True
            found[field.short_name] = str(FIELD_MESSAGE)
    return found


def _install_form_hook() -> None:
    """Every FlaskForm's validate() fails on a refused field, with the message
    beside it: one place for every form that validates."""
    from flask_wtf import FlaskForm
    if getattr(FlaskForm.validate, "_refuses_control_characters", False):
        return
    original = FlaskForm.validate

    def validate(self, extra_validators=None):
        valid = original(self, extra_validators)
        refused = refused_in(self)
        for name, message in refused.items():
            self[name].errors = [*self[name].errors, message]
        return valid and not refused

    validate._refuses_control_characters = True
    FlaskForm.validate = validate


def _first_unclaimed() -> str | None:
    refused = g.get("refused_fields") or {}
    return next((name for name, claimed in refused.items() if not claimed), None)


def _install_commit_guard() -> None:
    """No commit while a request holds a refused value: the view saw it
    without the character, and must not save that silently."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session
    if event.contains(Session, "before_commit", _refuse_commit):
        return
    event.listen(Session, "before_commit", _refuse_commit)


def _refuse_commit(_session) -> None:
    if has_request_context() and g.get("refused_fields"):
        raise ControlCharacterRefused(_first_unclaimed() or next(iter(g.refused_fields)))


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
        refuse_form_value()
        return None

    @app.after_request
    def refuse_unclaimed_values(response):
        """A refused form value that no form put beside its field is answered
        like a query parameter (400, naming it); one that a form did makes
        the answer a 422 (the form with its message) whatever the view said."""
        if not g.get("refused_fields"):
            return response
        field = _first_unclaimed()
        if field is not None or 300 <= response.status_code < 400:
            # Rewritten in place: the headers already set (security, Vary) stay.
            refusal = app.make_response(app.handle_user_exception(
                ControlCharacterRefused(field or next(iter(g.refused_fields)))))
            for name in ("Location", "HX-Redirect", "HX-Location", "HX-Refresh", "HX-Trigger", "Content-Disposition"):
                response.headers.pop(name, None)
            response.direct_passthrough = False
            response.set_data(refusal.get_data())
            response.status_code = refusal.status_code
            response.content_type = refusal.content_type
        elif response.status_code < 400:
            response.status_code = 422
        return response

    _install_form_hook()
    _install_commit_guard()
