"""Discounts and the account profile are a right of their own, "Clients –
Remises et profil", held by Propriétaire and Gérant by default (issue 12)."""
from __future__ import annotations

import pytest

from tests.support_customers import audit_actions, get_customer


@pytest.mark.parametrize("role", ["cashier"])
@pytest.mark.parametrize("data", [{"default_discount": "50"}, {"account_profile": "staff"},
                                  {"default_discount": "50", "email_notifications": ["0", "1"]}])
def test_without_the_right_a_discount_or_profile_cannot_be_set(app, signed_in, make_customer, role, data):
    customer_id = make_customer()
    client = signed_in(role)
    before = get_customer(app, customer_id)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.post(f"/customers/{customer_id}/settings", data={"version": before["version"], **data},
                               headers=headers)
        assert response.status_code == 403
    after = get_customer(app, customer_id)
    assert (after["default_discount"], after["account_profile"], after["consents"]) == \
        (before["default_discount"], before["account_profile"], before["consents"])
    assert audit_actions(app, "forbidden")


def test_email_notifications_are_a_consent_not_a_setting(app, signed_in, make_customer):
    """Autoriser les notifications par courriel is the e-receipts consent now
    (routes_consent.py): the settings form neither shows nor saves it."""
    customer_id = make_customer()
    client = signed_in("owner")
    version = get_customer(app, customer_id)["version"]
    response = client.post(f"/customers/{customer_id}/settings", headers={"HX-Request": "true"},
                           data={"version": version, "email_notifications": ["0", "1"]})
    assert response.status_code == 200 and 'name="email_notifications"' not in response.get_data(as_text=True)
    assert get_customer(app, customer_id)["consents"] == {}


@pytest.mark.parametrize("role", ["owner", "manager"])
def test_owner_and_manager_set_the_discount(app, signed_in, make_customer, role):
    customer_id = make_customer()
    client = signed_in(role)
    version = get_customer(app, customer_id)["version"]
    response = client.post(f"/customers/{customer_id}/settings", headers={"HX-Request": "true"},
                           data={"version": version, "default_discount": "10"})
    assert response.status_code == 200
    assert get_customer(app, customer_id)["default_discount"] == 10


def test_a_custom_set_with_the_right_sets_the_discount(app, signed_in, make_customer):
    customer_id = make_customer()
    client = signed_in("custom", capabilities={"customers.basic", "customers.discounts"})
    version = get_customer(app, customer_id)["version"]
    response = client.post(f"/customers/{customer_id}/settings", headers={"HX-Request": "true"},
                           data={"version": version, "default_discount": "10"})
    assert response.status_code == 200


def test_the_profile_shows_menus_only_to_those_with_the_right(app, signed_in, make_customer):
    customer_id = make_customer()
    client = signed_in("cashier")
    cashier_page = client.get(f"/customers/{customer_id}").get_data(as_text=True)
    assert 'name="default_discount"' not in cashier_page and 'name="account_profile"' not in cashier_page
    assert 'id="default_discount"' in cashier_page  # the value is still read
    client.post("/logout")
    manager_page = signed_in("manager").get(f"/customers/{customer_id}").get_data(as_text=True)
    assert 'name="default_discount"' in manager_page


def test_the_right_is_in_the_matrix(app, signed_in):
    page = signed_in("owner").get("/team/permissions").get_data(as_text=True)
    assert "Clients – Remises et profil" in page


def test_a_default_manager_set_holds_it_and_an_employee_set_does_not():
    from core.permissions import DEFAULT_SETS, closure
    assert "customers.discounts" in closure(DEFAULT_SETS["Gérant"])
    assert "customers.discounts" not in closure(DEFAULT_SETS["Employé"])
