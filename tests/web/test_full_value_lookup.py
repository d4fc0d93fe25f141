"""The full-value lookup rule (permissions.complete_lookups): an employee who
may not view a contact field finds a customer by typing that field's complete
value (a whole phone number in any format, a whole email address), and the
answer never shows the value; a partial value over a hidden field finds
nothing. For each level (aucun / masqué / consulter / modifier), full and
partial phone and email, at the counter, in the directory, in the loyalty
list and in Fidélité > Ajouter des points / Utiliser des points."""
import re
from urllib.parse import urlencode

import pytest

from tests.support_loyalty import member

BASE = {"access.register", "access.backoffice", "customers.basic", "loyalty.points"}
LEVELS = {
    "aucun": BASE,
    "masque": BASE | {"customers.email.masked", "customers.phone.masked"},
    "consulter": BASE | {"customers.email.view", "customers.phone.view"},
    "modifier": BASE | {"customers.email.edit", "customers.phone.edit"},
}
HIDDEN = ("aucun", "masque")
EMAIL = "elodie.dupont@exemple-fidele.fr"
FULL = {"email": ["Elodie.Dupont@Exemple-Fidele.fr", EMAIL], "phone": ["0612345678", "+33 6 12 34 56 78", "06.12.34.56.78"]}
PARTIAL = {"email": ["elodie.dupont@exemple", "exemple-fidele"], "phone": ["06 12 34 56", "061234"]}
# The value itself, in any spelling: its local part, or the phone's middle digits.
SHOWN = [re.compile(r"elodie\.dupont", re.I), re.compile(r"12[\s.\u00a0]?34[\s.\u00a0]?56")]


@pytest.fixture
def elodie(app, make_customer):
    return member(app, make_customer, first_name="Élodie", last_name="Dupont", email=EMAIL,
                  phones=["06 12 34 56 78"], points=40)


def _without(page: str, term: str) -> str:
    """The answer without the echo of what the employee typed."""
    return page.replace(term, "").replace(urlencode({"q": term})[2:], "")


def _shows_value(page: str, term: str) -> bool:
    return any(pattern.search(_without(page, term)) for pattern in SHOWN)


PLACES = {
    "counter": lambda client, term: client.htmx("get", "/sales/counter/customers?" + urlencode({"customer_q": term})),
    "directory": lambda client, term: client.htmx("get", "/customers?" + urlencode({"q": term})),
    "loyalty list": lambda client, term: client.htmx("get", "/loyalty?" + urlencode({"q": term})),
}


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("field", ["phone", "email"])
@pytest.mark.parametrize("place", PLACES)
def test_the_complete_value_finds_the_customer_at_every_level(signed_in, elodie, level, field, place):
    client = signed_in(capabilities=LEVELS[level])
    for term in FULL[field]:
        response = PLACES[place](client, term)
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Élodie" in page, (level, field, place, term)
        if level in HIDDEN:
            assert not _shows_value(page, term), (level, field, place, term)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("field", ["phone", "email"])
@pytest.mark.parametrize("place", PLACES)
def test_a_partial_value_finds_only_where_the_field_may_be_viewed(signed_in, elodie, level, field, place):
    client = signed_in(capabilities=LEVELS[level])
    for term in PARTIAL[field]:
        page = PLACES[place](client, term).get_data(as_text=True)
        if level in HIDDEN:
            assert "Élodie" not in page, (level, field, place, term)
        elif not (field == "phone" and term == "061234"):  # a start of the number, as typed
            assert "Élodie" in page, (level, field, place, term)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("action", ["add", "redeem"])
@pytest.mark.parametrize("field", ["phone", "email"])
def test_the_loyalty_points_forms_take_the_complete_value_only(app, signed_in, elodie, level, action, field):
    client = signed_in(capabilities=LEVELS[level])
    for term in FULL[field]:
        response = client.htmx("post", f"/loyalty/points/{action}", data={"username": term, "points": "1"})
        page = response.get_data(as_text=True)
        assert response.status_code == 200, (level, field, term, page[:500])
        assert "Élodie Dupont" in page
        if level in HIDDEN:
            assert not _shows_value(page, term), (level, field, term)
    for term in PARTIAL[field]:
        response = client.htmx("post", f"/loyalty/points/{action}", data={"username": term, "points": "1"})
        page = response.get_data(as_text=True)
        assert response.status_code == 422, (level, field, term)
        assert "Élodie" not in page


def test_the_rule_is_written_in_the_permission_matrix(signed_in):
    page = signed_in("owner").get("/team/permissions").get_data(as_text=True)
    assert "Recherche par valeur complète" in page and "Une valeur partielle ne trouve rien." in page


def test_an_unlinked_number_finds_nobody(app, signed_in, make_customer):
    from extensions import db
    from models import Phone
    customer_id = make_customer(first_name="Élodie", phones=["06 12 34 56 78"])
    with app.app_context():
        phone = db.session.query(Phone).filter_by(customer_id=customer_id).one()
        phone.linked = False
        db.session.commit()
    client = signed_in(capabilities=LEVELS["aucun"])
    assert "Élodie" not in PLACES["counter"](client, "0612345678").get_data(as_text=True)
