"""The loyalty forms. They check that something was typed; the rules (a valid
username, a whole positive number, a known member...) live in the service
modules, and their messages are put beside the field they belong to."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField, TelField
from wtforms.validators import DataRequired, Optional, ValidationError
from wtforms.widgets import NumberInput


class EnrolForm(FlaskForm):
    email = EmailField(_l("Adresse courriel"), validators=[DataRequired(_l("Saisissez l’adresse courriel du client."))],
                       render_kw={"autocomplete": "off", "maxlength": 254})
    phone = TelField(_l("Numéro de téléphone"), validators=[Optional()],
                     render_kw={"autocomplete": "off", "maxlength": 40})
    first_name = StringField(_l("Prénom"), validators=[DataRequired(_l("Saisissez le prénom."))],
                             render_kw={"autocomplete": "off", "maxlength": 100})
    last_name = StringField(_l("Nom de famille"), validators=[DataRequired(_l("Saisissez le nom."))],
                            render_kw={"autocomplete": "off", "maxlength": 100})

    # Every field's message at once; the service checks the same again.
    def validate_email(self, field):
        from blueprints.loyalty.enrolment import valid_email
        if field.data and not valid_email(field.data.strip()):
            raise ValidationError(_l("Cette adresse courriel n’est pas valide."))

    def validate_phone(self, field):
        from models import ShopSettings
        from core.phones import normalise
        if field.data and field.data.strip() and not normalise(field.data, ShopSettings.get().phone_region):
            raise ValidationError(_l("Ce numéro de téléphone n’est pas valide."))


def _points_field(label):
    return StringField(label, validators=[DataRequired(_l("Saisissez un nombre entier de points supérieur à zéro."))],
                       widget=NumberInput(min=1, step=1),
                       render_kw={"inputmode": "numeric", "autocomplete": "off"})


class PointsForm(FlaskForm):
    """Ajouter des points / Utiliser des points, by username (seed 003)."""
    username = StringField(_l("Nom d’utilisateur"),
                           validators=[DataRequired(_l("Saisissez l’adresse courriel ou le numéro de téléphone du client."))],
                           render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"})
    points = _points_field(_l("Points"))
    reason = StringField(_l("Motif (facultatif)"), validators=[Optional()],
                         render_kw={"autocomplete": "off", "maxlength": 200})


class RedeemForm(PointsForm):
    points = _points_field(_l("Utiliser des points"))


class MemberPointsForm(FlaskForm):
    """The same, in a member's panel: the member is known."""
    points = _points_field(_l("Points"))
    reason = StringField(_l("Motif (facultatif)"), validators=[Optional()],
                         render_kw={"autocomplete": "off", "maxlength": 200})


class GroupForm(FlaskForm):
    name = StringField(_l("Nom du groupe"), validators=[DataRequired(_l("Saisissez le nom du groupe."))],
                       render_kw={"autocomplete": "off", "maxlength": 80})


def _kind_choices(with_panel_only: bool):
    choices = [("fixed", _l("Montant de réduction")), ("percent", _l("Pourcentage de réduction")),
               ("item", _l("Article offert"))]
    return [("", _l("À réclamer dans le panneau (aucune réduction)")), *choices] if with_panel_only else choices


class RewardForm(FlaskForm):
    # A kind of the settings' catalogue, or "" for one typed below (choices set per form).
    type_id = SelectField(_l("Type de récompense"), choices=[], validate_choice=False)
    # Empty with a catalogue type: the type's name (the service says when one is missing).
    name = StringField(_l("Récompense"), validators=[Optional()],
                       render_kw={"autocomplete": "off", "maxlength": 120})
    validity_days = StringField(_l("Valable (jours)"), validators=[Optional()], widget=NumberInput(min=1, step=1),
                                render_kw={"inputmode": "numeric"})
    kind = SelectField(_l("En caisse"), choices=_kind_choices(True), validate_choice=False)
    value = StringField(_l("Montant ou pourcentage"), validators=[Optional()],
                        render_kw={"inputmode": "decimal", "autocomplete": "off"})
    item_name = StringField(_l("Article offert"), validators=[Optional()],
                            render_kw={"autocomplete": "off", "maxlength": 120})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from blueprints.loyalty.reward_types import describe, list_types
        self.type_id.choices = [("", _l("Autre : saisie ci-dessous")),
                                *((str(t.id), f"{t.name} ({describe(t)})") for t in list_types())]


class RewardTypeForm(FlaskForm):
    """A kind of reward of the catalogue, in the loyalty settings."""
    name = StringField(_l("Nom"), validators=[DataRequired(_l("Saisissez le nom de la récompense."))],
                       render_kw={"autocomplete": "off", "maxlength": 120})
    kind = SelectField(_l("En caisse"), choices=_kind_choices(False), validate_choice=False)
    value = StringField(_l("Montant ou pourcentage"), validators=[Optional()],
                        render_kw={"inputmode": "decimal", "autocomplete": "off"})
    item_name = StringField(_l("Article offert"), validators=[Optional()],
                            render_kw={"autocomplete": "off", "maxlength": 120})


class RemoveForm(FlaskForm):
    confirm = BooleanField(_l("Je comprends que ce retrait est définitif."),
                           validators=[DataRequired(_l("Cochez la case pour confirmer le retrait."))])


class SettingsForm(FlaskForm):
    earn_rate = StringField(_l("Points par unité de monnaie dépensée"),
                            validators=[DataRequired(_l("Saisissez un nombre entre 0 et 1000, avec deux décimales au plus."))],
                            render_kw={"inputmode": "decimal", "autocomplete": "off"})
    reward_validity_days = StringField(_l("Durée de validité d’une récompense (jours)"),
                                       validators=[DataRequired(_l("Entre 1 et 3650 jours."))],
                                       widget=NumberInput(min=1, step=1), render_kw={"inputmode": "numeric"})
    redeem_points = StringField(_l("Points utilisés"),
                                validators=[DataRequired(_l("Un nombre entier de points supérieur à zéro."))],
                                render_kw={"inputmode": "numeric", "autocomplete": "off"})
    redeem_value = StringField(_l("valent (en caisse)"),
                               validators=[DataRequired(_l("Saisissez un montant, par exemple 5 ou 4,50 (0 : les points ne s’utilisent pas en caisse)."))],
                               render_kw={"inputmode": "decimal", "autocomplete": "off"})


def attach_error(form, error) -> None:
    """Put a service's message (a LoyaltyError) beside the field it names, or on the form."""
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = [*target.errors, str(error)]
    else:
        form.form_errors.append(str(error))
