"""Common passwords and trivial patterns are refused, saying why (issue 12)."""
from __future__ import annotations

import pytest

from tests.conftest import PASSWORD


@pytest.mark.parametrize("password, why", [
    ("aaaaaaaaaaaa", "répète les mêmes caractères"),
    ("abcabcabcabc", "répète les mêmes caractères"),
    ("abcdefghijkl", "suit une suite"),
    ("azertyuiop", "plus utilisés"),
    ("motdepasse", "plus utilisés"),
    ("1234567890", "plus utilisés"),
    ("password123", "plus utilisés"),
])
def test_a_common_or_trivial_new_password_is_refused_saying_why(app, signed_in, password, why):
    client = signed_in("owner")
    response = client.post("/account/password", data={"current_password": PASSWORD, "new_password": password,
                                                       "confirm": password})
    assert response.status_code == 422
    assert why in response.get_data(as_text=True)
    with app.app_context():
        from extensions import db
        from models import Employee
        from core.passwords import check_password
        assert check_password(db.session.get(Employee, client.employee_id).password_hash, PASSWORD)


def test_a_password_made_of_ones_own_name_is_refused(signed_in):
    client = signed_in("owner", name="Bernadette Lachaise", email="bernadette@test.example")
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "bernadettelachaise", "confirm": "bernadettelachaise"})
    assert response.status_code == 422
    assert "reprend votre nom" in response.get_data(as_text=True)


def test_a_good_passphrase_is_accepted(signed_in):
    client = signed_in("owner")
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "cactus-violon-marée-42", "confirm": "cactus-violon-marée-42"})
    assert response.status_code == 302


def test_the_reason_is_given_in_english_too(signed_in):
    client = signed_in("owner", language="en")
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "aaaaaaaaaaaa", "confirm": "aaaaaaaaaaaa"})
    assert "repeats the same characters" in response.get_data(as_text=True)


def test_the_setup_page_refuses_a_common_password(client):
    response = client.post("/setup", data={"shop_name": "Chez Léa", "name": "Léa", "email": "lea@test.example",
                                           "password": "azertyuiop", "confirm": "azertyuiop"})
    assert response.status_code == 422
    assert "plus utilisés" in response.get_data(as_text=True)


def test_create_owner_refuses_a_trivial_password(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-owner", "--name", "Léa", "--email", "lea@test.example",
                                 "--password", "aaaaaaaaaaaa"])
    assert result.exit_code != 0
    assert "répète" in result.output
