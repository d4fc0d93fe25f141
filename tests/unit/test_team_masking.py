"""The masked view, between none and full (seed 004): edge cases of the masks
and of customer_view, and the marketing sign-up rule."""
from types import SimpleNamespace

import pytest

from core.masking import mask_email, mask_phone
from core.permissions import customer_view, field_level


def employee_with(capabilities):
    from core.permissions import closure
    permission_set = SimpleNamespace(is_owner=False, capabilities=closure(capabilities))
    return SimpleNamespace(id=1, permission_set_id=id(permission_set), permission_set=permission_set,
                           is_authenticated=True, active=True)


def phone(number_id, e164, raw, linked=True):
    return SimpleNamespace(id=number_id, e164=e164, raw=raw, linked=linked, label="mobile")


def customer(**fields):
    values = dict(id=7, first_name="Élodie", last_name="Dupont", display_name="Élodie Dupont", archived=False,
                  anonymised=False, origin="manual", visit_count=0, email="elodie.dupont@gmail.com",
                  phones=[phone(1, "+33612345678", "06 12 34 56 78")], address_line1="12 rue des Lilas",
                  address_line2="Bâtiment B", postal_code="75011", city="Paris", country="FR",
                  comments="Allergique aux noix", groups=[],
                  consents=[SimpleNamespace(purpose="email_marketing", state="yes")])
    values.update(fields)
    return SimpleNamespace(**values)


MASKED = employee_with({"customers.email.masked", "customers.phone.masked", "customers.address.masked"})
VIEWER = employee_with({"customers.email.view", "customers.phone.view", "customers.address.view"})
EDITOR = employee_with({"customers.email.edit", "customers.phone.edit", "customers.address.edit"})
NOTHING = employee_with({"customers.basic"})


@pytest.mark.parametrize("email, masked", [
    ("élodie@gmail.com", "é•••@gmail.com"),
    ("Jean.Paul+promo@exemple.fr", "J•••@exemple.fr"),       # tags and case hidden with the rest
    ("a@b.fr", "a•••@b.fr"),                                 # the length of the local part is not told
    ("sans-arobase", "s•••"),
    ("œuvray@exemple.fr", "œ•••@exemple.fr"),
])
def test_masked_email_keeps_the_first_letter_and_the_domain_only(email, masked):
    assert mask_email(email) == masked


def test_empty_values_mask_to_nothing():
    assert mask_email("") is None and mask_email(None) is None
    assert mask_phone("") is None and mask_phone(None) is None


@pytest.mark.parametrize("text, masked", [
    ("06 12 34 56 78", "•• •• •• •• 78"),
    ("+33 6 12 34 56 78", "+•• • •• •• •• 78"),
    ("0692 12 34 56", "•••• •• •• 56"),                      # an overseas number, same rule
    ("06.12.34.56.78", "••.••.••.••.78"),
])
def test_masked_phone_shows_only_the_last_two_digits(text, masked):
    assert mask_phone(text) == masked


def test_masked_phone_does_not_keep_words_typed_with_the_number():
    # A number that could not be normalised is shown as typed; in a masked
    # view a note typed beside it must not come through.
    masked = mask_phone("06 12 34 56 78 chez Mme Durand")
    assert "Durand" not in masked and masked.startswith("•• •• •• •• 78")


def test_masked_view_of_an_unnormalised_number_masks_the_raw_text():
    view = customer_view(MASKED, customer(phones=[phone(1, None, "12-34-56 poste 78")]))
    text = view.phones[0].text
    assert "poste" not in text and text.endswith("78") and "12" not in text


def test_masked_view_hides_unlinked_numbers_but_full_view_keeps_the_history():
    numbers = [phone(1, "+33612345678", "06 12 34 56 78"), phone(2, "+33799887766", "07 99 88 77 66", linked=False)]
    assert [p.text for p in customer_view(MASKED, customer(phones=numbers)).phones] == ["•• •• •• •• 78"]
    assert len(customer_view(VIEWER, customer(phones=numbers)).phones) == 2


def test_masked_address_is_the_city_without_street_postcode_or_second_line():
    address = customer_view(MASKED, customer()).address
    assert (address.line1, address.line2, address.postal_code) == (None, None, None)
    assert address.city == "Paris" and address.masked


def test_masked_address_without_a_city_is_empty():
    address = customer_view(MASKED, customer(city=None, country=None)).address
    assert address.is_empty


def test_no_level_means_no_value_at_all():
    view = customer_view(NOTHING, customer())
    assert view.email is None and view.phones == [] and view.address is None
    assert (view.email_level, view.phone_level, view.address_level) == ("none", "none", "none")


def test_marketing_sign_up_is_masked_at_view_level_for_every_contact_field():
    signup = customer(origin="marketing", visit_count=0)
    view = customer_view(VIEWER, signup)
    assert view.email == "e•••@gmail.com"
    assert [p.text for p in view.phones] == ["•• •• •• •• 78"]
    assert view.address.line1 is None and view.address.city == "Paris"
    assert not view.can_edit("email")


def test_marketing_sign_up_is_shown_in_full_to_a_set_that_may_edit():
    view = customer_view(EDITOR, customer(origin="marketing", visit_count=0))
    assert view.email == "elodie.dupont@gmail.com" and view.address.line1 == "12 rue des Lilas"


def test_marketing_rule_never_raises_a_level():
    signup = customer(origin="marketing", visit_count=0)
    for name in ("email", "phone", "address"):
        assert field_level(NOTHING, name, signup) == "none"
        assert field_level(MASKED, name, signup) == "masked"


def test_other_origins_are_not_masked_at_view_level():
    for origin in ("manual", "import", "card", "loyalty", "sale"):
        assert customer_view(VIEWER, customer(origin=origin)).email == "elodie.dupont@gmail.com"


def test_an_inactive_employee_sees_nothing():
    inactive = employee_with({"customers.email.edit"})
    inactive.active = False
    assert customer_view(inactive, customer()).email is None

