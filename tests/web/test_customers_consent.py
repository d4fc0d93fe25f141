"""The profile's Consentements card (issue 15): the state per purpose and its
history with the proof, recording a decision at the counter (htmx, CSRF),
and who may (the edit right of the purpose's channel, as in the contact form)."""
import re

from sqlalchemy import select

from extensions import db
from models import ConsentEvent
from tests.support_customers import audit_actions, get_customer, set_consent


def card(html: str) -> str:
    match = re.search(r'<section id="consent".*?</section>', html, re.DOTALL)
    assert match, "no consent card"
    return match.group(0)


def record(client, customer_id, htmx=True, **data):
    data.setdefault("method", "counter")
    if htmx:
        return client.htmx("post", f"/customers/{customer_id}/consent", data=data)
    return client.post(f"/customers/{customer_id}/consent", data=data)


def events(app, customer_id):
    with app.app_context():
        return [(e.purpose, e.state, e.method, e.employee_id) for e in db.session.scalars(
            select(ConsentEvent).where(ConsentEvent.customer_id == customer_id).order_by(ConsentEvent.id))]


def test_the_profile_shows_every_purpose_unknown_and_nothing_pre_ticked(signed_in, make_customer):
    customer_id = make_customer()
    html = card(signed_in("owner").get(f"/customers/{customer_id}").get_data(as_text=True))
    for label in ("Marketing par courriel", "Marketing par SMS", "Autoriser les notifications par courriel"):
        assert label in html
    assert html.count('data-state="unknown"') == 3
    assert html.count('type="radio" name="state"') == 9 and "checked" not in html
    assert "Aucun choix enregistré" in html


def test_record_at_the_counter_shows_the_state_and_the_history_with_its_proof(signed_in, make_customer, app):
    customer_id = make_customer()
    client = signed_in("owner", name="Camille Comptoir")
    response = record(client, customer_id, purpose="email_marketing", state="yes")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="consent"' in html and "<html" not in html  # the fragment
    assert 'data-state="yes"' in html and "✓ Enregistré" in html
    assert "Au comptoir" in html and "par Camille Comptoir" in html
    assert "Texte présenté : « Acceptez-vous de recevoir nos offres et nouveautés par courriel" in html
    assert events(app, customer_id) == [("email_marketing", "yes", "counter", client.employee_id)]
    assert get_customer(app, customer_id)["consents"] == {"email_marketing": "yes"}
    assert ("consent_recorded", customer_id) in [(a, t) for a, t, _e, _d in audit_actions(app)]


def test_a_withdrawal_on_request_is_recorded_the_same_way(signed_in, make_customer, app):
    customer_id = make_customer()
    client = signed_in("owner")
    record(client, customer_id, purpose="sms_marketing", state="yes")
    response = record(client, customer_id, purpose="sms_marketing", state="no", method="request")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "À la demande du client" in html
    assert [e[:3] for e in events(app, customer_id)] == [("sms_marketing", "yes", "counter"),
                                                         ("sms_marketing", "no", "request")]
    assert get_customer(app, customer_id)["consents"] == {"sms_marketing": "no"}


def test_without_htmx_the_decision_redirects_to_the_profile(signed_in, make_customer, app):
    customer_id = make_customer()
    client = signed_in("owner")
    response = record(client, customer_id, htmx=False, purpose="e_receipts", state="yes")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/customers/{customer_id}#consent")
    assert "Consentement enregistré." in client.get(f"/customers/{customer_id}").get_data(as_text=True)


def test_a_missing_choice_comes_back_beside_the_field_with_422(signed_in, make_customer, app):
    customer_id = make_customer()
    response = record(signed_in("owner"), customer_id, purpose="email_marketing")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="error-state-email_marketing">Choisissez Oui, Non ou Inconnu.' in html
    assert events(app, customer_id) == []


def test_a_forged_purpose_or_method_is_refused(signed_in, make_customer, app):
    customer_id = make_customer()
    client = signed_in("owner")
    assert record(client, customer_id, purpose="newsletter", state="yes").status_code == 422
    # An import's proof cannot be typed in at the counter.
    assert record(client, customer_id, purpose="email_marketing", state="yes", method="import").status_code == 422
    assert events(app, customer_id) == []


def test_a_cashier_sees_the_states_but_may_not_record(signed_in, make_customer, app):
    customer_id = make_customer()
    set_consent(app, customer_id, "email_marketing", "yes")
    client = signed_in("cashier")  # Employé: no contact details, so no consent to record for them
    html = card(client.get(f"/customers/{customer_id}").get_data(as_text=True))
    assert 'data-state="yes"' in html and 'name="state"' not in html
    response = record(client, customer_id, purpose="email_marketing", state="no")
    assert response.status_code == 403
    assert get_customer(app, customer_id)["consents"] == {"email_marketing": "yes"}
    assert ("forbidden", {"endpoint": "customers.record_consent", "capability": "customers.email.edit"}) in [
        (a, d) for a, _t, _e, d in audit_actions(app)]


def test_the_right_follows_the_channel(signed_in, make_customer, app):
    customer_id = make_customer()
    client = signed_in(capabilities={"customers.basic", "customers.phone.edit"})
    html = card(client.get(f"/customers/{customer_id}").get_data(as_text=True))
    assert html.count('name="purpose"') == 1 and 'value="sms_marketing"' in html
    assert record(client, customer_id, purpose="sms_marketing", state="yes").status_code == 200
    assert record(client, customer_id, purpose="email_marketing", state="yes").status_code == 403
    assert get_customer(app, customer_id)["consents"] == {"sms_marketing": "yes"}


def test_recording_needs_the_csrf_token(signed_in, make_customer, app):
    customer_id = make_customer()
    client = signed_in("owner")
    client.send_csrf = False
    assert record(client, customer_id, purpose="email_marketing", state="yes").status_code == 400
    assert events(app, customer_id) == []


def test_a_deleted_customer_has_no_consent_card(signed_in, make_customer):
    customer_id = make_customer(anonymised=True, archived=True)
    client = signed_in("owner")
    assert client.get(f"/customers/{customer_id}/consent").status_code == 404
    assert record(client, customer_id, purpose="email_marketing", state="yes").status_code == 404


def test_the_card_alone_is_a_fragment_for_htmx_and_a_page_otherwise(signed_in, make_customer):
    customer_id = make_customer(first_name="Lou")
    client = signed_in("owner")
    fragment = client.htmx("get", f"/customers/{customer_id}/consent").get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="consent"')
    page = client.get(f"/customers/{customer_id}/consent").get_data(as_text=True)
    assert "<html" in page and 'id="consent"' in page


def test_the_card_speaks_english(signed_in, make_customer, app):
    customer_id = make_customer()
    client = signed_in("owner", language="en")
    html = card(client.get(f"/customers/{customer_id}").get_data(as_text=True))
    assert "Email marketing" in html and "SMS marketing" in html and "Allow email notifications" in html
    assert "Would you like to receive our offers and news by email?" in html
