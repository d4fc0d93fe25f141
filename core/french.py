"""What French needs beyond Babel's defaults (issue 14).

- Zero takes the singular ("0 point"). The msgids are French and there is no
  French catalogue, so gettext falls back to the msgids with the English rule
  (n != 1 -> plural); a last fallback in the French chain applies the French
  rule (n < 2 -> singular) instead.
- "de/que + a name" elides before a vowel sound: "Compte d’Isabella" but
  "Compte de Léa" and "de Yannick".
- The first of the month is "1er": "le 1er déc. 2026".
"""
from __future__ import annotations

import gettext
import re
import unicodedata

from flask_babel import Babel, Domain, get_locale


class _FrenchSource(gettext.NullTranslations):
    """The end of the French chain: the msgids themselves, French plural rule."""

    def ngettext(self, singular, plural, n):
        return singular if abs(n) < 2 else plural

    def npgettext(self, context, singular, plural, n):
        return singular if abs(n) < 2 else plural


class FrenchFirstDomain(Domain):
    def get_translations(self):
        translations = super().get_translations()
        locale = get_locale()
        if locale is not None and locale.language == "fr" and not getattr(translations, "_french_source", False):
            translations.add_fallback(_FrenchSource())
            translations._french_source = True  # once: the object is cached per locale
        return translations


class ComptoirBabel(Babel):
    """Flask-Babel with the French plural rule for the French msgids."""

    @property
    def domain_instance(self):
        if not hasattr(self, "_french_domain"):
            self._french_domain = FrenchFirstDomain(domain=self.domain)
        return self._french_domain


_VOWELS = set("aeiouyhœæ")


def elides(name: str | None) -> bool:
    """Whether "de"/"que"/"le" before this name becomes d’/qu’/l’ in French.
    Y elides before a consonant (d’Yves) but not before a vowel (de Yannick);
    an H is taken as mute, as it is in nearly every first name (d’Hélène)."""
    if not name:
        return False
    letters = unicodedata.normalize("NFD", name.strip().lower())
    letters = "".join(c for c in letters if not unicodedata.combining(c))
    if not letters or letters[0] not in _VOWELS:
        return False
    if letters[0] == "y":
        return len(letters) > 1 and letters[1] not in "aeiouy"
    return True


def elide(name: str | None, plain: str, elided: str) -> str:
    """The phrase for this name, both already translated and formatted:
    elide(name, _('Compte de %(name)s', name=name), _('Compte d’%(name)s', name=name)).
    Only French elides; other languages translate both msgids alike."""
    locale = get_locale()
    if locale is not None and locale.language == "fr" and elides(name):
        return elided
    return plain


_FIRST_OF_MONTH = re.compile(r"^1(?=[\s\u00a0\u202f])")


def first_of_month(text: str, day: int) -> str:
    """"1 déc. 2026" -> "1er déc. 2026" in French, for the first of a month."""
    locale = get_locale()
    if day == 1 and locale is not None and locale.language == "fr":
        return _FIRST_OF_MONTH.sub("1er", text, count=1)
    return text
