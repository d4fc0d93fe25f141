"""An import's report in words: the reason codes a row is refused, skipped
or imported with a warning for, and the report as CSV rows. The job stores
line numbers and codes only, never a value read from the file."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from blueprints.customers.importing.targets import TARGETS
from models import ImportJob

REASONS = {
    "broken_line": _l("Ligne mal formée (nombre de cellules ou guillemets) : elle n’est pas importée"),
    "no_identity": _l("Ni nom, ni courriel, ni téléphone"),
    "invalid_email": _l("Courriel invalide"),
    "invalid_phone": _l("Téléphone non reconnu (gardé tel quel, non vérifié)"),
    "no_name_no_email": _l("Ni nom ni courriel"),
    "invalid_birthday": _l("Date de naissance invalide"),
    "invalid_country": _l("Pays non reconnu"),
    "invalid_points": _l("Solde de points illisible"),
    "points_not_member": _l("Points d’un client qui n’est pas membre du programme"),
    "invalid_value": _l("Valeur non reconnue"),
    "too_many_columns": _l("Plus de cellules que de colonnes dans l’en-tête"),
    "duplicate_email": _l("Déjà dans le répertoire (même courriel)"),
    "duplicate_phone": _l("Déjà dans le répertoire (même téléphone)"),
    "duplicate_in_file": _l("Doublon d’une ligne précédente du fichier"),
}


def reason_text(code: str) -> str:
    if code.startswith("too_long:"):
        target = TARGETS.get(code.split(":", 1)[1])
        return _("Valeur trop longue : %(field)s", field=target.label if target else "?")
    return str(REASONS.get(code, code))


def warning_text(field_key: str, code: str) -> str:
    """"Téléphone : Téléphone non reconnu…" for the report."""
    target = TARGETS.get(field_key)
    return f"{target.label if target else field_key} : {reason_text(code)}"


def entry_reason(entry: dict, code: str) -> str:
    """A report entry's reason as text: a warning's code names its field."""
    if entry["outcome"] == "warning":
        return warning_text(*code.split(":", 1))
    return reason_text(code)


def report_rows(job: ImportJob):
    """The report as CSV rows: a summary, then one row per line skipped, refused or with warnings."""
    yield [_("Résultat"), _("Nombre")]
    yield [_("Créés"), job.created_count]
    yield [_("Mis à jour"), job.updated_count]
    yield [_("Ignorés"), job.skipped_count]
    yield [_("Refusés"), job.rejected_count]
    yield [_("Avec avertissements"), job.warning_count]
    yield []
    yield [_("Ligne"), _("Résultat"), _("Motif")]
    outcomes = {"skipped": _("Ignorée"), "rejected": _("Refusée"), "warning": _("Importée, à vérifier")}
    for entry in job.report or []:
        yield [entry["line"], outcomes.get(entry["outcome"], entry["outcome"]),
               " ; ".join(entry_reason(entry, code) for code in entry["reasons"])]
