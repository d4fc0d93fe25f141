"""Issue 14: the merge screen first offers the likely duplicates it already
knows (as the Doublons page does); a record already merged into another is
never offered and cannot be merged again."""
import re

from blueprints.customers.merging import merge_customers
from extensions import db


def _offered(html: str) -> set[str]:
    return set(re.findall(r'name="secondary" value="(\d+)"', html))


def test_merge_screen_offers_the_known_likely_duplicates_before_any_search(signed_in, make_customer):
    primary = make_customer(first_name="Élodie", last_name="Dupont", email="elodie@example.fr")
    same_name = make_customer(first_name="Elodie", last_name="DUPONT")
    same_email = make_customer(first_name="E.", last_name="D.", email="Elodie@Example.fr")
    make_customer(first_name="Marc", last_name="Durand")
    html = signed_in("manager").get(f"/customers/{primary}/merge").get_data(as_text=True)
    assert _offered(html) == {str(same_name), str(same_email)}
    assert "Doublon probable" in html
    assert "Un autre doublon ? Recherchez-le" in html


def test_likely_duplicates_follow_what_the_employee_may_see(signed_in, make_customer):
    primary = make_customer(first_name="Léa", last_name="Petit", email="lea@example.fr")
    same_email = make_customer(first_name="L.", last_name="P.", email="lea@example.fr")
    # Merge without the email field: the shared email is not a reason it may see.
    html = signed_in(capabilities={"customers.merge"}).get(f"/customers/{primary}/merge").get_data(as_text=True)
    assert str(same_email) not in _offered(html)


def test_a_record_already_merged_is_not_offered_and_cannot_be_merged_again(app, signed_in, make_customer):
    first = make_customer(first_name="Paul", last_name="Roux")
    merged = make_customer(first_name="Paul", last_name="Roux")
    other = make_customer(first_name="Paul", last_name="Roux")
    with app.test_request_context():
        merge_customers(first, [merged], employee_id=None, expected_versions=None)
        db.session.commit()
    client = signed_in("manager")
    html = client.get(f"/customers/{other}/merge").get_data(as_text=True)
    assert _offered(html) == {str(first)}
    html = client.htmx("get", f"/customers/{other}/merge?q=roux").get_data(as_text=True)
    assert str(merged) not in _offered(html)
    preview = client.get(f"/customers/{other}/merge/preview?secondary={merged}")
    assert preview.status_code == 422
    assert "déjà été fusionné" in preview.get_data(as_text=True)
