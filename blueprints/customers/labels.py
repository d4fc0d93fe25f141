"""The words the interface shows for stored codes (account profiles, origins),
for the export and for reading those words back on import. The templates'
macros (templates/customers/_labels.html) say the same."""
from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from core.textkeys import fold

PROFILE_LABELS = {"standard": _l("Standard"), "business": _l("Entreprise"), "staff": _l("Personnel"),
                  "vip": _l("VIP")}
ORIGIN_LABELS = {"manual": _l("Ajouté à la main"), "import": _l("Importé"), "card": _l("Paiement par carte"),
                 "marketing": _l("Inscription marketing"), "loyalty": _l("Programme de fidélité"),
                 "sale": _l("Vente"), "demo": _l("Démo")}


def label(labels: dict, code: str | None) -> str | None:
    return str(labels[code]) if code in labels else code


def codes_by_word(labels: dict) -> dict[str, str]:
    """Folded word (French, English or the code itself) -> code."""
    words = {fold(code): code for code in labels}
    for locale in ("fr", "en"):
        with force_locale(locale):
            words.update({fold(str(text)): code for code, text in labels.items()})
    return words
