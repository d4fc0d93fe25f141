"""Accent folding (textkeys.fold), the key every name search compares: typed
with or without accents, in any case, in any Unicode form, a part of a name
finds the name."""
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from core.textkeys import fold, name_key

# What names in a French shop are made of, ligatures and punctuation included.
LETTERS = list("abcdefghijklmnopqrstuvwxyzéèêëàâäîïôöùûüçñœæøåß") + list("ÉÈÀÇŒÆØÅ") + list(" '-.’")
names = st.text(st.sampled_from(LETTERS), min_size=1, max_size=30)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_the_key_is_lower_case_ascii_in_single_spaces_and_folds_to_itself(text):
    key = fold(text)
    assert key.isascii() and key == key.lower()
    assert key == key.strip() and "  " not in key
    assert fold(key) == key


@settings(max_examples=200, deadline=None)
@given(names, st.data())
def test_any_part_of_a_name_typed_any_way_finds_it(name, data):
    start = data.draw(st.integers(0, len(name) - 1))
    end = data.draw(st.integers(start + 1, len(name)))
    typed = name[start:end]
    stored = fold(name)
    # As typed, in capitals, decomposed (e + combining accent, as some keyboards send it).
    for variant in (typed, typed.upper(), unicodedata.normalize("NFD", typed)):
        assert fold(variant) in stored, (variant, stored)


@given(names)
def test_the_same_name_in_another_case_or_form_has_the_same_key(name):
    key = name_key(name, "Dupont")
    assert name_key(name.upper(), "DUPONT") == key
    assert name_key(unicodedata.normalize("NFD", name), "Dupont") == key


def test_known_spellings():
    assert fold("Œuvray") == "oeuvray"
    assert fold("  Jean-Élie  D'Aubigné ") == "jean elie d aubigne"
    assert fold("Straße") == "strasse"
