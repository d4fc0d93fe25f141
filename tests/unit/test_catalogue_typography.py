"""Issue 14: the catalogue holds one apostrophe (the typographic ’) and counts
are plural-aware, French zero taking the singular.

After merging strings that use ', run scripts/typographic_apostrophes.py --tests."""
import re

from babel.messages.pofile import read_po

from core.i18n import ROOT, interface_messages

CATALOGUES = sorted(ROOT.glob("translations/*/LC_MESSAGES/*.po"))

# A count followed by what it counts: "%(num)s points". Such a string must go
# through ngettext ("0 point", "1 point", "2 points").
COUNTED = re.compile(r"%\((num|count|done|removed|restored|points|total)\)[sd] "
                     r"(points?|articles?|transactions?|clients?|membres?|ventes?|lignes?|jours?|employés?"
                     r"|récompenses?|groupes?|fiches?|numéros?|dossiers?|factures?)\b")
# Counts that are never below two: a capped total, "belongs to N customers".
ALWAYS_SEVERAL = re.compile(r"^Plus de %\(num\)s|appartient à %\(num\)s clients")


def _interface_messages():
    """(message, is_plural, where) for every string of the code and the templates."""
    for message, where in interface_messages():
        yield message, isinstance(message, tuple), where


def _catalogue_texts():
    for path in CATALOGUES:
        with path.open("rb") as handle:
            for message in read_po(handle):
                for value in (message.id, message.string):
                    for text in ([value] if isinstance(value, str) else list(value or ())):
                        if text:
                            yield text, path.relative_to(ROOT)


def test_catalogues_use_only_the_typographic_apostrophe():
    straight = sorted({f"{where}: {text[:70]}" for text, where in _catalogue_texts() if "'" in text})
    assert straight == [], "run scripts/typographic_apostrophes.py --tests"


def test_interface_strings_use_only_the_typographic_apostrophe():
    straight = sorted({f"{where}: {(m if isinstance(m, str) else m[0])[:70]}"
                       for m, _plural, where in _interface_messages()
                       if "'" in (m if isinstance(m, str) else " ".join(x for x in m if x))})
    assert straight == [], "run scripts/typographic_apostrophes.py --tests"


def test_every_shown_count_goes_through_ngettext():
    singular_only = sorted({f"{where}: {message}" for message, plural, where in _interface_messages()
                            if not plural and COUNTED.search(message) and not ALWAYS_SEVERAL.search(message)})
    assert singular_only == []


def test_every_plural_has_its_two_english_forms():
    incomplete = []
    for path in CATALOGUES:
        with path.open("rb") as handle:
            for message in read_po(handle):
                if message.pluralizable and not all(message.string):
                    incomplete.append(f"{path.relative_to(ROOT)}: {message.id[0]}")
    assert incomplete == []


def test_french_zero_takes_the_singular_and_english_zero_the_plural(app):
    from flask_babel import ngettext
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert [ngettext("%(num)s point", "%(num)s points", n) for n in (0, 1, 2)] == ["0 point", "1 point", "2 points"]
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert [ngettext("%(num)s point", "%(num)s points", n) for n in (0, 1, 2)] == ["0 points", "1 point", "2 points"]


def test_elision_before_a_vowel_sound_only():
    from core.french import elides
    assert [elides(name) for name in ("Isabella", "Émile", "Hélène", "Yves", "Œdipe", "Ulysse")] == [True] * 6
    assert [elides(name) for name in ("Léa", "Yannick", "Karim", "", None)] == [False] * 5
