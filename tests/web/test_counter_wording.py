"""Issue 14, the wording seen through the pages: French zero takes the singular,
"1er" for the first of the month, English dates in the shop's style, elision
before a name, the group filter's two counts, the language of a first visit."""
from datetime import date

from extensions import db
from models import Customer, Group
from tests.support_loyalty import member


def test_loyalty_group_filter_says_clients_and_members_when_they_differ(app, signed_in, make_customer):
    client = signed_in("cashier")
    ids = [member(app, make_customer, first_name=f"M{i}") for i in range(2)]
    ids += [make_customer(first_name=f"C{i}") for i in range(3)]
    with app.app_context():
        group = Group(name="VIP")
        db.session.add(group)
        customers = [db.session.get(Customer, customer_id) for customer_id in ids]
        for customer in customers:
            customer.groups.append(group)
        db.session.commit()
        group_id = group.id
    html = client.get(f"/loyalty?group={group_id}").get_data(as_text=True)
    assert "5 clients, dont 2 membres du programme" in html
    with app.app_context():
        customers = [db.session.get(Customer, customer_id) for customer_id in ids[-3:]]
        for customer in customers:
            customer.groups.clear()
        db.session.commit()
    html = client.get(f"/loyalty?group={group_id}").get_data(as_text=True)
    assert "dont" not in html and "2 membres" in html


def test_french_zero_takes_the_singular_on_a_page(app, signed_in, make_customer):
    import re
    client = signed_in("cashier")
    html = client.get("/loyalty?q=personne").get_data(as_text=True)
    assert re.search(r"\b0 membre\b(?!s)", html)
    client.post("/language", data={"language": "en"})
    html = client.get("/loyalty?q=personne").get_data(as_text=True)
    assert re.search(r"\b0 members\b", html)


def test_first_visit_follows_the_browser_language_french_when_unsure(client, make_employee):
    make_employee("owner")
    english = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en"' in english
    for header in ("de-DE,de;q=0.9", "", "fr-FR"):
        html = client.get("/login", headers={"Accept-Language": header}).get_data(as_text=True)
        assert '<html lang="fr"' in html, header


def test_the_chosen_language_is_remembered_over_the_browser(client, make_employee):
    make_employee("owner")
    client.post("/language", data={"language": "fr"})
    html = client.get("/login", headers={"Accept-Language": "en-US,en"}).get_data(as_text=True)
    assert '<html lang="fr"' in html


def test_dates_first_of_month_in_french_and_day_first_in_english(app):
    from core import formatting
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert formatting.format_date(date(2026, 12, 1)) == "1er déc. 2026"
        assert formatting.format_date(date(2026, 12, 11)) == "11 déc. 2026"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert formatting.format_date(date(2026, 12, 1)) == "1 Dec 2026"
        assert formatting.format_date(date(2026, 12, 1), "short") == "01/12/2026"
