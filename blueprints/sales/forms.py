"""The small forms of the sale screen. Their rules live in
counter_customers.py; these only carry labels and values (CSRF is checked for
every POST by CSRFProtect, and the sale form around them carries the token)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TelField


class _NoCsrf(FlaskForm):
    class Meta:
        csrf = False


class CounterCustomerForm(_NoCsrf):
    """Adding a customer on the spot (prefix "new")."""
    first_name = StringField(_l("Prénom"))
    last_name = StringField(_l("Nom"))
    email = EmailField(_l("Adresse courriel"))
    phone = TelField(_l("Téléphone"))


class NameForm(_NoCsrf):
    """Fixing a misspelt name in the side panel (prefix "name")."""
    first_name = StringField(_l("Prénom"))
    last_name = StringField(_l("Nom"))


def apply_errors(form, errors: dict[str, str]) -> None:
    """Put a service's messages beside the form's fields."""
    for name, message in errors.items():
        if name in form._fields:
            form[name].errors = list(form[name].errors or []) + [message]
