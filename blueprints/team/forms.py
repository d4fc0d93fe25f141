"""The team room's forms: an employee, a copy of a permission set, a set's new name.
What was typed; the rules are in the services."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, Length
from wtforms.widgets import CheckboxInput, ListWidget

from blueprints.team.employees import LANGUAGES
from blueprints.team.permission_sets import set_label


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (easier to touch than a multi-select)."""
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EmployeeForm(FlaskForm):
    name = StringField(_l("Nom"), validators=[DataRequired(_l("Saisissez le nom de l’employé.")),
                                              Length(max=120)])
    email = EmailField(_l("Adresse courriel"), validators=[
        DataRequired(_l("Saisissez une adresse courriel.")),
        Email(_l("Cette adresse courriel n’est pas valide."), check_deliverability=False),
        Length(max=254)])
    permission_set = SelectField(_l("Ensemble d’autorisations"), coerce=int,
                                 validators=[DataRequired(_l("Choisissez un ensemble d’autorisations."))])
    locations = CheckboxesField(_l("Points de vente"), coerce=int)
    language = SelectField(_l("Langue"), choices=list(LANGUAGES))

    def fill_choices(self, sets, locations) -> None:
        self.permission_set.choices = [(permission_set.id, set_label(permission_set.name))
                                       for permission_set, _ in sets]
        self.locations.choices = [(location.id, location.name) for location in locations]


class CopySetForm(FlaskForm):
    source = SelectField(_l("À partir de"), coerce=int,
                         validators=[DataRequired(_l("Choisissez l’ensemble à copier."))])
    name = StringField(_l("Nom du nouvel ensemble"), validators=[
        DataRequired(_l("Donnez un nom à l’ensemble.")), Length(max=80, message=_l("80 caractères au plus."))])


class RenameSetForm(FlaskForm):
    name = StringField(_l("Nom"), validators=[
        DataRequired(_l("Donnez un nom à l’ensemble.")), Length(max=80, message=_l("80 caractères au plus."))])
