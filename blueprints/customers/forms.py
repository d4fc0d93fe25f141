"""Forms of the directory. They render fields and carry errors; the rules
(email syntax, phone numbers, lengths, permissions) live in the services, whose
FieldErrors are put back beside the fields (attach_errors)."""
from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)

# Territory codes that are not countries one lives in.
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}


def country_choices() -> list[tuple[str, str]]:
    from babel import Locale

    from core.textkeys import fold
    territories = Locale.parse(str(get_locale() or "fr")).territories
    countries = [(code, name) for code, name in territories.items()
                 if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES]
    return [("", "—")] + sorted(countries, key=lambda item: fold(item[1]))


def country_name(code: str | None) -> str:
    if not code:
        return ""
    from babel import Locale
    return Locale.parse(str(get_locale() or "fr")).territories.get(code, code)


class VersionedForm(FlaskForm):
    # The version of the customer the form was read at (optimistic locking).
    version = HiddenField()


class DetailsForm(VersionedForm):
    first_name = StringField(_l("Prénom"), render_kw={"autocomplete": "off", "maxlength": 100})
    last_name = StringField(_l("Nom de famille"), render_kw={"autocomplete": "off", "maxlength": 100})
    company = StringField(_l("Société"), render_kw={"autocomplete": "off", "maxlength": 200})
    # Text, not a date picker: a birthday may come without its year (17/04).
    birthday = StringField(_l("Date de naissance"),
                           render_kw={"placeholder": _l("JJ/MM/AAAA"), "maxlength": 10, "autocomplete": "off"})
    tax_id = StringField(_l("Identifiant fiscal"), render_kw={"maxlength": 40, "autocomplete": "off"})


class ContactForm(VersionedForm):
    email = EmailField(_l("Adresse courriel"), render_kw={"autocomplete": "off", "maxlength": 254})


class AddressForm(VersionedForm):
    address_line1 = StringField(_l("Adresse"), render_kw={"maxlength": 200, "autocomplete": "off"})
    address_line2 = StringField(_l("Complément d’adresse"), render_kw={"maxlength": 200, "autocomplete": "off"})
    postal_code = StringField(_l("Code postal"), render_kw={"maxlength": 20, "autocomplete": "off"})
    city = StringField(_l("Ville"), render_kw={"maxlength": 100, "autocomplete": "off"})
    country = SelectField(_l("Pays"), choices=[], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices()


class CommentsForm(VersionedForm):
    comments = TextAreaField(_l("Commentaires"), render_kw={"rows": 4, "maxlength": 5000})


class NewCustomerForm(FlaskForm):
    first_name = StringField(_l("Prénom"), render_kw={"autocomplete": "off", "maxlength": 100})
    last_name = StringField(_l("Nom de famille"), render_kw={"autocomplete": "off", "maxlength": 100})
    company = StringField(_l("Société"), render_kw={"autocomplete": "off", "maxlength": 200})
    email = EmailField(_l("Adresse courriel"), render_kw={"autocomplete": "off", "maxlength": 254})
    phone = StringField(_l("Téléphone"), render_kw={"type": "tel", "autocomplete": "off", "maxlength": 40})
    address_line1 = StringField(_l("Adresse"), render_kw={"maxlength": 200, "autocomplete": "off"})
    address_line2 = StringField(_l("Complément d’adresse"), render_kw={"maxlength": 200, "autocomplete": "off"})
    postal_code = StringField(_l("Code postal"), render_kw={"maxlength": 20, "autocomplete": "off"})
    city = StringField(_l("Ville"), render_kw={"maxlength": 100, "autocomplete": "off"})
    country = SelectField(_l("Pays"), choices=[], validate_choice=False)
    # Text, not a date picker: a birthday may come without its year (17/04).
    birthday = StringField(_l("Date de naissance"),
                           render_kw={"placeholder": _l("JJ/MM/AAAA"), "maxlength": 10, "autocomplete": "off"})
    tax_id = StringField(_l("Identifiant fiscal"), render_kw={"maxlength": 40, "autocomplete": "off"})
    comments = TextAreaField(_l("Commentaires"), render_kw={"rows": 3, "maxlength": 5000})
    email_notifications = BooleanField(_l("Autoriser les notifications par courriel"))

    def __init__(self, *args, editable: set[str] = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        # A field the employee may not fill in is not in the form at all.
        if "email" not in editable:
            del self.email
            del self.email_notifications  # a consent for the email: its edit right (consent.py)
        if "phone" not in editable:
            del self.phone
        if "address" not in editable:
            for name in ("address_line1", "address_line2", "postal_code", "city", "country"):
                delattr(self, name)
        else:
            self.country.choices = country_choices()
        if "comments" not in editable:
            del self.comments


def attach_errors(form: FlaskForm, errors: dict[str, str]) -> dict[str, str]:
    """Put service errors beside their fields; returns those with no field
    in the form (phone rows, the version)."""
    rest = {}
    for name, message in errors.items():
        field = getattr(form, name, None) if name in form._fields else None
        if field is not None:
            field.errors = list(field.errors or []) + [message]
        else:
            rest[name] = message
    return rest
