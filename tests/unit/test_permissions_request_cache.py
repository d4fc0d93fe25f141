"""permissions.viewer (issue 13): the employee's capabilities and field levels
worked out once per request, never served to another employee, another
request, or after their permission set changed."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from core import permissions
from core.permissions import can, customer_view, customer_views, field_level, viewer


def employee(employee_id: int, capabilities: set[str], set_id: int | None = None, active: bool = True):
    return SimpleNamespace(id=employee_id, permission_set_id=set_id or employee_id, active=active,
                           is_authenticated=True,
                           permission_set=SimpleNamespace(is_owner=False, capabilities=frozenset(capabilities)))


def customer(**fields):
    values = dict(id=1, first_name="Élodie", last_name="Dupont", company=None, display_name="Élodie Dupont",
                  archived=False, anonymised=False, origin="manual", visit_count=1, email="elodie@gmail.com",
                  phones=[], address_line1="1 rue Haute", address_line2=None, postal_code="29000", city="Quimper",
                  country="FR", comments="VIP", groups=[])
    values.update(fields)
    return SimpleNamespace(**values)


@pytest.fixture
def counted(monkeypatch):
    """How many times the capabilities were worked out."""
    calls = []
    original = permissions.capabilities_of

    def capabilities_of(permission_set):
        calls.append(permission_set)
        return original(permission_set)
    monkeypatch.setattr(permissions, "capabilities_of", capabilities_of)
    return calls


def test_a_page_of_rows_works_the_capabilities_out_once(app, counted):
    viewing = employee(1, {"customers.email.view", "customers.phone.masked", "customers.history.view"})
    with app.test_request_context():
        views = customer_views(viewing, [customer(id=i) for i in range(50)])
        for i in range(50):
            customer_view(viewing, customer(id=i))
            assert can(viewing, "customers.basic") and field_level(viewing, "email") == "view"
    assert len(counted) == 1
    assert all(view.email == "elodie@gmail.com" and view.comments == "VIP" for view in views)


def test_two_employees_in_one_request_each_get_their_own_answer(app):
    seeing = employee(1, {"customers.email.edit", "customers.history.view"})
    blind = employee(2, {"customers.basic"})
    with app.test_request_context():
        assert customer_view(seeing, customer()).email == "elodie@gmail.com"
        assert customer_view(blind, customer()).email is None
        assert customer_view(blind, customer()).comments is None
        assert customer_view(seeing, customer()).comments == "VIP"
        assert field_level(blind, "email") == "none" and field_level(seeing, "email") == "edit"


def test_a_permission_set_changed_within_the_request_is_worked_out_again(app, counted):
    changing = employee(1, {"customers.email.edit"})
    with app.test_request_context():
        assert field_level(changing, "email") == "edit"
        changing.permission_set.capabilities = frozenset({"customers.basic"})  # the matrix saved
        assert field_level(changing, "email") == "none"
        assert customer_view(changing, customer()).email is None
        changing.active = False  # deactivated
        assert not can(changing, "customers.basic")
    assert len(counted) == 2


def test_nothing_is_kept_from_one_request_to_the_next(app, counted):
    viewing = employee(1, {"customers.email.view"})
    with app.test_request_context():
        viewer(viewing)
    with app.test_request_context():
        viewer(viewing)
    assert len(counted) == 2


def test_the_proxy_of_the_signed_in_employee_is_resolved(app, signed_in, make_customer, make_employee):
    """Through the real current_user, requests taking turns: an owner sees the
    email, an employee of the default set (no contact details) never does."""
    from tests.conftest import CSRFClient, sign_in
    make_customer(email="visible@example.com")
    owner = signed_in("owner")
    app.test_client_class = CSRFClient
    cashier = app.test_client()
    make_employee("cashier")
    assert sign_in(cashier, "cashier@test.example").status_code == 302
    for _ in range(2):
        assert "visible@example.com" in owner.get("/customers", headers={"HX-Request": "true"}).get_data(
            as_text=True)
        assert "visible@example.com" not in cashier.get("/customers", headers={"HX-Request": "true"}).get_data(
            as_text=True)


def test_marketing_only_customers_are_still_masked_per_row(app):
    viewing = employee(1, {"customers.email.view", "customers.phone.view", "customers.address.view"})
    with app.test_request_context():
        subscribed = [SimpleNamespace(purpose="email_marketing", state="yes")]  # seed 004: while subscribed
        plain, signed_up = customer_views(viewing, [customer(consents=[]), customer(origin="marketing", visit_count=0,
                                                                                  consents=subscribed)])
    assert plain.email == "elodie@gmail.com" and plain.address.line1 == "1 rue Haute"
    assert signed_up.email == "e•••@gmail.com" and signed_up.email_level == "masked"
    assert signed_up.address.line1 is None and signed_up.address.city == "Quimper"
