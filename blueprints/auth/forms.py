from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from blueprints.auth.service import MIN_PASSWORD_LENGTH
from core.passwords import weakness


class LoginForm(FlaskForm):
    email = EmailField(_l("Adresse courriel"), validators=[DataRequired(_l("Saisissez votre adresse courriel."))])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(_l("Saisissez votre mot de passe."))])


class SetupForm(FlaskForm):
    shop_name = StringField(_l("Nom de la boutique"), validators=[
        DataRequired(_l("Donnez un nom à votre boutique.")), Length(max=120)])
    name = StringField(_l("Votre nom"), validators=[DataRequired(_l("Saisissez votre nom.")), Length(max=120)])
    email = EmailField(_l("Adresse courriel"), validators=[
        DataRequired(_l("Saisissez votre adresse courriel.")),
        Email(_l("Cette adresse courriel n’est pas valide."), check_deliverability=False)])
    password = PasswordField(_l("Mot de passe"), validators=[
        DataRequired(_l("Choisissez un mot de passe.")),
        Length(min=MIN_PASSWORD_LENGTH, message=_l("Au moins 10 caractères."))])
    confirm = PasswordField(_l("Confirmez le mot de passe"), validators=[
        EqualTo("password", _l("Les deux mots de passe diffèrent."))])

    def validate_password(self, field):
        reason = weakness(field.data or "", user_inputs=(self.name.data, self.email.data, self.shop_name.data))
        if reason:
            raise ValidationError(reason)


class PasswordForm(FlaskForm):
    """The employee's own password. The rules live in service.change_password,
    which names the field each refusal belongs to."""
    current_password = PasswordField(_l("Mot de passe actuel"), render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("Nouveau mot de passe"), render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Confirmez le nouveau mot de passe"), render_kw={"autocomplete": "new-password"})
