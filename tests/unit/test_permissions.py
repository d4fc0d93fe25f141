"""The permission mechanism alone: capabilities, implications, field levels, masking."""
from types import SimpleNamespace

import pytest

from core.masking import mask_email, mask_phone
from core.permissions import (CAPABILITIES, DEFAULT_SETS, capabilities_of, closure, customer_view, dependents,
                              field_level, searchable_fields)


def employee_with(capabilities, owner=False):
    permission_set = SimpleNamespace(is_owner=owner, capabilities=frozenset(capabilities))
    return SimpleNamespace(id=1, permission_set_id=id(permission_set), permission_set=permission_set,
                           is_authenticated=True, active=True)


# A "yes" to email marketing (models/consent.py's current state).
SUBSCRIBED = SimpleNamespace(purpose="email_marketing", state="yes")


def customer(**fields):
    values = dict(id=7, first_name="Élodie", last_name="Dupont", display_name="Élodie Dupont",
                  archived=False, anonymised=False, origin="manual", visit_count=0,
                  email="elodie.dupont@gmail.com", phones=[SimpleNamespace(
                      id=1, e164="+33612345678", raw="06 12 34 56 78", linked=True, label="mobile")],
                  address_line1="12 rue des Lilas", address_line2=None, postal_code="75011",
                  city="Paris", country="FR", comments="Allergique aux noix", groups=[],
                  consents=[SUBSCRIBED])
    values.update(fields)
    return SimpleNamespace(**values)


def test_owner_set_has_every_capability():
    assert capabilities_of(SimpleNamespace(is_owner=True, capabilities=frozenset())) == CAPABILITIES


def test_edit_implies_view_implies_masked():
    assert closure({"customers.email.edit"}) >= {"customers.email.view", "customers.email.masked",
                                                  "customers.basic"}


def test_delete_implies_basic():
    assert "customers.basic" in closure({"customers.delete"})


def test_removing_view_removes_edit_that_depends_on_it():
    assert "customers.phone.edit" in dependents("customers.phone.view")


def test_default_employee_set_sees_no_contact_details():
    cashier = employee_with(DEFAULT_SETS["Employé"])
    for name in ("email", "phone", "address"):
        assert field_level(cashier, name) == "none"
    view = customer_view(cashier, customer())
    assert view.email is None and view.phones == [] and view.address is None
    assert view.comments is None


def test_manager_sees_and_edits_contact_details():
    manager = employee_with(DEFAULT_SETS["Gérant"])
    view = customer_view(manager, customer())
    assert view.email == "elodie.dupont@gmail.com"
    assert view.phones[0].text == "06 12 34 56 78"
    assert view.address.line1 == "12 rue des Lilas"
    assert view.can_edit("email")


def test_masked_view_shows_enough_to_confirm_identity():
    masked = employee_with({"customers.email.masked", "customers.phone.masked", "customers.address.masked"})
    view = customer_view(masked, customer())
    assert view.email == "e•••@gmail.com"
    assert view.phones[0].text == "•• •• •• •• 78"
    assert view.address.city == "Paris" and view.address.line1 is None and view.address.masked


def test_mask_helpers():
    assert mask_email("élodie@gmail.com") == "é•••@gmail.com"
    assert mask_phone("06 12 34 56 78") == "•• •• •• •• 78"
    assert mask_email(None) is None


def test_marketing_only_customer_is_masked_for_view_sets():
    viewer = employee_with({"customers.email.view"})
    view = customer_view(viewer, customer(origin="marketing", visit_count=0))
    assert view.email == "e•••@gmail.com"
    editor = employee_with({"customers.email.edit"})
    assert customer_view(editor, customer(origin="marketing")).email == "elodie.dupont@gmail.com"
    # Once they have bought something they are an ordinary customer.
    assert customer_view(viewer, customer(origin="marketing", visit_count=1)).email == "elodie.dupont@gmail.com"


def test_marketing_masking_follows_the_consent():
    """Seed 004 masks a sign-up "si le client est abonné": a "yes" to email or
    SMS marketing. Withdrawn, or never given, the sign-up is not masked."""
    viewer = employee_with({"customers.email.view"})
    sms_yes = SimpleNamespace(purpose="sms_marketing", state="yes")
    assert customer_view(viewer, customer(origin="marketing", consents=[sms_yes])).email == "e•••@gmail.com"
    for consents in ([], [SimpleNamespace(purpose="email_marketing", state="no")],
                     [SimpleNamespace(purpose="e_receipts", state="yes")]):
        assert customer_view(viewer, customer(origin="marketing", consents=consents)).email == \
            "elodie.dupont@gmail.com"


def test_search_only_over_fields_seen_in_full():
    assert searchable_fields(employee_with({"customers.basic"})) == {"name"}
    assert searchable_fields(employee_with({"customers.email.masked"})) == {"name"}
    assert searchable_fields(employee_with({"customers.email.view", "customers.phone.edit"})) == {
        "name", "email", "phone"}


def test_unknown_capability_is_an_error():
    from core.permissions import can
    with pytest.raises(ValueError):
        can(employee_with(set()), "customers.everything")


# Properties of the closure over any set of capabilities (hypothesis): what a
# permission set grants is its capabilities with all they imply, transitively.
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

capability_sets = st.frozensets(st.sampled_from(sorted(CAPABILITIES)))


@given(capability_sets)
def test_closure_keeps_what_was_given_and_is_complete(given_set):
    granted = closure(given_set)
    assert given_set <= granted
    # Complete: closing again adds nothing (a one-step closure would miss
    # "edit -> view -> masked -> basic").
    assert closure(granted) == granted


@given(capability_sets, capability_sets)
def test_closure_is_the_union_of_each_capabilitys_closure(first, second):
    # Monotone and distributive: granting more never takes anything away,
    # and the matrix can show each capability's implications on its own.
    assert closure(first) <= closure(first | second)
    assert closure(first | second) == closure(first) | closure(second)


@given(st.sampled_from(sorted(CAPABILITIES)), capability_sets)
def test_removing_a_capability_with_its_dependents_leaves_it_out(capability, given_set):
    # What the matrix does when a box is unticked: the capability and every
    # one that implies it go, and the closure then no longer grants it.
    kept = given_set - {capability} - dependents(capability)
    assert capability not in closure(kept)
