"""The profile /customers/<id>: sections shown and editable per permission,
edit in place (Modifier > Enregistrer), errors in place with 422, a stale
version refused, a forged field refused with 403, settings saved on change."""
import re

import pytest

from extensions import db
from tests.support_customers import audit_actions, get_customer, set_consent, set_fields
from tests.support_customers_data import add_to_group


@pytest.fixture
def elodie(make_customer):
    return make_customer(first_name="Élodie", last_name="Dupont", email="elodie@gmail.com",
                         phones=["06 12 34 56 78"], address_line1="12 rue des Lilas", postal_code="69001",
                         city="Lyon", country="FR", comments="Allergique aux noix", tax_id="FR123")


def version_of(app, customer_id):
    return get_customer(app, customer_id)["version"]


def edit_form(client, customer_id, section):
    response = client.htmx("get", f"/customers/{customer_id}/{section}/edit")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return html, re.search(r'name="version" value="(\d+)"', html).group(1)


# --- reading the profile ------------------------------------------------------

def test_profile_shows_every_section_to_the_owner(signed_in, elodie, app):
    with app.app_context():
        add_to_group("VIP", elodie)
        db.session.commit()
    html = signed_in("owner").get(f"/customers/{elodie}").get_data(as_text=True)
    for text in ("Élodie Dupont", "Coordonnées", "elodie@gmail.com", "06 12 34 56 78", "Adresse postale",
                 "12 rue des Lilas", "Commentaires", "Allergique aux noix", "Identifiant fiscal", "FR123",
                 "VIP", "Profil", "Réduction", "Autoriser les notifications par courriel",
                 "Pas membre du programme de fidélité", "Visites", "Total dépensé"):
        assert text in html, text
    assert html.count(">Modifier<") == 4
    assert f'hx-get="/sales/customer/{elodie}/history"' in html and 'hx-trigger="load"' in html


def test_profile_includes_the_data_helpers_actions_slot(signed_in, elodie):
    # templates/customers/_profile_actions.html is included in the page head (empty until filled).
    html = signed_in("owner").get(f"/customers/{elodie}").get_data(as_text=True)
    head = html[html.index('class="page-head profile-head"'):html.index('class="profile-grid"')]
    assert 'class="actions"' in head


def test_cashier_profile_has_no_contact_details_no_comments_no_history(signed_in, elodie):
    html = signed_in("cashier").get(f"/customers/{elodie}").get_data(as_text=True)
    assert "Élodie Dupont" in html
    for text in ("elodie@gmail.com", "gmail", "06 12 34 56 78", "56 78", "Coordonnées", "Adresse postale",
                 "12 rue des Lilas", "Lyon", "Allergique", "Commentaires", "/sales/customer/"):
        assert text not in html, text
    assert html.count(">Modifier<") == 1  # Détails only


def test_masked_levels_show_masked_values_without_modifier(signed_in, elodie):
    client = signed_in(capabilities={"customers.basic", "customers.email.masked", "customers.phone.masked",
                                     "customers.address.masked"})
    html = client.get(f"/customers/{elodie}").get_data(as_text=True)
    assert "e•••@gmail.com" in html and "•• •• •• •• 78" in html and "Lyon" in html
    assert "elodie@gmail.com" not in html and "06 12 34 56 78" not in html and "12 rue des Lilas" not in html
    contact = html[html.index('id="section-contact"'):html.index('id="section-address"')]
    assert "Modifier" not in contact
    assert client.htmx("get", f"/customers/{elodie}/contact/edit").status_code == 403


def test_view_level_shows_values_without_modifier(signed_in, elodie):
    client = signed_in(capabilities={"customers.basic", "customers.email.view", "customers.address.view"})
    html = client.get(f"/customers/{elodie}").get_data(as_text=True)
    assert "elodie@gmail.com" in html and "12 rue des Lilas" in html
    assert "06 12 34 56 78" not in html
    assert html.count(">Modifier<") == 1
    assert client.htmx("get", f"/customers/{elodie}/address/edit").status_code == 403


def test_opening_a_profile_with_contact_details_is_audited(signed_in, elodie, app):
    client = signed_in("owner")
    client.get(f"/customers/{elodie}")
    assert [(action, target) for action, target, _, _ in audit_actions(app, "profile_viewed")] == [
        ("profile_viewed", elodie)]


def test_missing_or_deleted_customer_is_404(signed_in, elodie, app):
    client = signed_in("owner")
    assert client.get("/customers/99999").status_code == 404
    set_fields(app, elodie, archived=True, anonymised=True)
    assert client.get(f"/customers/{elodie}").status_code == 404
    assert client.htmx("get", f"/customers/{elodie}/details/edit").status_code == 404


# --- Modifier > form > Enregistrer ------------------------------------------------

@pytest.mark.parametrize("section", ["details", "contact", "address", "comments"])
def test_modifier_returns_the_form_and_annuler_the_display(signed_in, elodie, section):
    client = signed_in("owner")
    html, version = edit_form(client, elodie, section)
    assert f'id="section-{section}"' in html and "<form" in html and ">Enregistrer<" in html
    assert "<html" not in html and version == "1"
    display = client.htmx("get", f"/customers/{elodie}/{section}").get_data(as_text=True)
    assert "<form" not in display and ">Modifier<" in display


def test_edit_without_javascript_opens_the_page_with_that_form(signed_in, elodie):
    html = signed_in("owner").get(f"/customers/{elodie}/address/edit").get_data(as_text=True)
    assert "<html" in html and 'name="address_line1"' in html and 'name="email"' not in html


def test_save_details_changes_names_and_search_keys(signed_in, elodie, app):
    client = signed_in("owner")
    _, version = edit_form(client, elodie, "details")
    response = client.htmx("post", f"/customers/{elodie}/details", data={
        "version": version, "first_name": "Élodie", "last_name": "Durand", "birthday": "1990-04-12",
        "tax_id": "FR999"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Durand" in html and "<form" not in html and "Enregistré" in html
    assert 'hx-swap-oob="outerHTML:input.customer-version"' in html and 'value="2"' in html
    row = get_customer(app, elodie)
    assert (row["last_name"], row["tax_id"], str(row["birthday"]), row["version"]) == (
        "Durand", "FR999", "1990-04-12", 2)
    assert row["name_key"] == "elodiedurand"
    assert ("customer_updated", elodie) in [(a, t) for a, t, _, _ in audit_actions(app)]


def test_save_details_without_any_name_is_refused_in_place(signed_in, elodie, app):
    client = signed_in("owner")
    response = client.htmx("post", f"/customers/{elodie}/details", data={
        "version": "1", "first_name": " ", "last_name": "", "birthday": "2999-01-01", "tax_id": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Saisissez un prénom ou un nom." in html and "Cette date n’est pas valide." in html
    assert 'id="section-details"' in html and "<form" in html
    assert get_customer(app, elodie)["last_name"] == "Dupont"


def test_save_contact_validates_email_and_normalises_phones(signed_in, elodie, app):
    client = signed_in("owner")
    html, version = edit_form(client, elodie, "contact")
    phone_id = re.search(r'name="phone-(\d+)"', html).group(1)
    response = client.htmx("post", f"/customers/{elodie}/contact", data={
        "version": version, "email": "Elodie.D@Example.COM", f"phone-{phone_id}": "+33 6 12 34 56 78",
        "new_phone": ["0692 12 34 56", ""]})
    assert response.status_code == 200, response.get_data(as_text=True)
    row = get_customer(app, elodie)
    assert row["email"] == "Elodie.D@example.com" and row["email_key"] == "elodie.d@example.com"
    assert row["phones"] == ["+33612345678", "+262692123456"]
    assert "0692 12 34 56" in response.get_data(as_text=True) or "+262" in response.get_data(as_text=True)


def test_invalid_email_and_phone_get_messages_beside_them_and_nothing_saved(signed_in, elodie, app):
    client = signed_in("owner")
    html, version = edit_form(client, elodie, "contact")
    phone_id = re.search(r'name="phone-(\d+)"', html).group(1)
    response = client.htmx("post", f"/customers/{elodie}/contact", data={
        "version": version, "email": "elodie@", f"phone-{phone_id}": "06 12 34 56 78", "new_phone": "12"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Cette adresse courriel n’est pas valide." in html
    assert "Ce numéro de téléphone n’est pas valide." in html
    assert 'value="12"' in html and 'value="elodie@"' in html  # what was typed is kept
    row = get_customer(app, elodie)
    assert row["email"] == "elodie@gmail.com" and row["phones"] == ["+33612345678"] and row["version"] == 1


def test_removing_and_editing_phone_numbers(signed_in, make_customer, app):
    customer = make_customer(phones=["06 12 34 56 78", "07 11 22 33 44"])
    client = signed_in("owner")
    html, version = edit_form(client, customer, "contact")
    first, second = re.findall(r'name="phone-(\d+)"', html)
    response = client.htmx("post", f"/customers/{customer}/contact", data={
        "version": version, "email": "", f"phone-{first}": "06 12 34 56 79",
        f"phone-{second}": "07 11 22 33 44", f"remove-{second}": "1", "new_phone": ""})
    assert response.status_code == 200
    assert get_customer(app, customer)["phones"] == ["+33612345679"]


def test_same_number_twice_is_refused(signed_in, elodie, app):
    client = signed_in("owner")
    html, version = edit_form(client, elodie, "contact")
    phone_id = re.search(r'name="phone-(\d+)"', html).group(1)
    response = client.htmx("post", f"/customers/{elodie}/contact", data={
        "version": version, "email": "elodie@gmail.com", f"phone-{phone_id}": "06 12 34 56 78",
        "new_phone": "+33612345678"})
    assert response.status_code == 422 and "Ce numéro est déjà dans la liste." in response.get_data(as_text=True)


def test_a_number_shared_with_another_customer_is_allowed_and_flagged(signed_in, elodie, make_customer, app):
    other = make_customer(first_name="Paul", last_name="Dupont", phones=["04 78 00 00 00"])
    client = signed_in("owner")
    _, version = edit_form(client, elodie, "contact")
    response = client.htmx("post", f"/customers/{elodie}/contact", data={
        "version": version, "email": "elodie@gmail.com", "new_phone": "04 78 00 00 00"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Aussi le numéro de :" in html and f'href="/customers/{other}"' in html and "Paul Dupont" in html


def test_phone_only_editor_gets_a_form_without_email(signed_in, elodie, app):
    client = signed_in(capabilities={"customers.basic", "customers.phone.edit", "customers.email.view"})
    html, version = edit_form(client, elodie, "contact")
    assert 'name="email"' not in html and "elodie@gmail.com" in html and 'name="new_phone"' in html
    response = client.htmx("post", f"/customers/{elodie}/contact", data={
        "version": version, "new_phone": "07 81 00 00 01"})
    assert response.status_code == 200
    assert get_customer(app, elodie)["phones"] == ["+33612345678", "+33781000001"]


def test_forged_email_edit_by_a_phone_only_editor_is_403(signed_in, elodie, app):
    client = signed_in(capabilities={"customers.basic", "customers.phone.edit"})
    response = client.htmx("post", f"/customers/{elodie}/contact", data={
        "version": "1", "email": "thief@example.com", "new_phone": ""})
    assert response.status_code == 403
    assert get_customer(app, elodie)["email"] == "elodie@gmail.com"
    assert any(action == "forbidden" for action, _, _, _ in audit_actions(app))


def test_forged_phone_edit_by_an_email_only_editor_is_403(signed_in, elodie, app):
    client = signed_in(capabilities={"customers.basic", "customers.email.edit"})
    response = client.htmx("post", f"/customers/{elodie}/contact", data={
        "version": "1", "email": "elodie@gmail.com", "new_phone": "07 81 00 00 01"})
    assert response.status_code == 403
    assert get_customer(app, elodie)["phones"] == ["+33612345678"]


def test_contact_and_address_edits_are_403_for_a_cashier(signed_in, elodie, app):
    client = signed_in("cashier")
    assert client.htmx("post", f"/customers/{elodie}/contact", data={
        "version": "1", "email": "x@example.com"}).status_code == 403
    assert client.htmx("post", f"/customers/{elodie}/address", data={
        "version": "1", "address_line1": "ailleurs"}).status_code == 403
    assert client.htmx("post", f"/customers/{elodie}/comments", data={
        "version": "1", "comments": "x"}).status_code == 403
    assert client.htmx("get", f"/customers/{elodie}/comments").status_code == 403
    row = get_customer(app, elodie)
    assert (row["email"], row["address_line1"], row["comments"]) == (
        "elodie@gmail.com", "12 rue des Lilas", "Allergique aux noix")


def test_marketing_only_customer_is_masked_for_a_viewer(signed_in, make_customer, app):
    customer = make_customer(first_name="Lise", email="lise@example.com", origin="marketing")
    set_consent(app, customer, "email_marketing", "yes")  # subscribed (seed 004)
    html = signed_in(capabilities={"customers.basic", "customers.email.view"}).get(
        f"/customers/{customer}").get_data(as_text=True)
    assert "l•••@example.com" in html and "lise@example.com" not in html


def test_save_address(signed_in, elodie, app):
    client = signed_in("manager")
    _, version = edit_form(client, elodie, "address")
    response = client.htmx("post", f"/customers/{elodie}/address", data={
        "version": version, "address_line1": "3 place Bellecour", "address_line2": "", "postal_code": "69002",
        "city": "Lyon", "country": "BE"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "3 place Bellecour" in html and "Belgique" in html
    row = get_customer(app, elodie)
    assert (row["address_line1"], row["address_line2"], row["country"]) == ("3 place Bellecour", None, "BE")


def test_address_too_long_is_refused_in_place(signed_in, elodie, app):
    client = signed_in("owner")
    response = client.htmx("post", f"/customers/{elodie}/address", data={
        "version": "1", "address_line1": "x" * 201, "city": "Lyon", "country": "FR"})
    assert response.status_code == 422
    assert "200 caractères au plus." in response.get_data(as_text=True)


def test_save_comments_needs_history_view(signed_in, elodie, app):
    client = signed_in("manager")
    response = client.htmx("post", f"/customers/{elodie}/comments", data={
        "version": "1", "comments": "Préfère le thé\nle matin"})
    assert response.status_code == 200
    assert get_customer(app, elodie)["comments"] == "Préfère le thé\nle matin"


def test_plain_post_without_htmx_redirects_to_the_profile(signed_in, elodie, app):
    client = signed_in("owner")
    response = client.post(f"/customers/{elodie}/comments", data={"version": "1", "comments": "Sans JS"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/customers/{elodie}")
    assert get_customer(app, elodie)["comments"] == "Sans JS"


# --- optimistic locking -------------------------------------------------------------

def test_second_save_from_a_stale_form_is_refused_and_overwrites_nothing(signed_in, elodie, app, make_employee,
                                                                         client):
    first = signed_in("owner")
    _, version = edit_form(first, elodie, "details")
    # Someone else saves the same customer meanwhile.
    set_fields(app, elodie, last_name="Martin", version=2)
    response = first.htmx("post", f"/customers/{elodie}/details", data={
        "version": version, "first_name": "Élodie", "last_name": "Dupond", "birthday": "", "tax_id": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Ce client a été modifié par quelqu’un d’autre pendant que vous l’éditiez." in html
    assert "Recharger la fiche" in html and 'value="Dupond"' in html
    row = get_customer(app, elodie)
    assert row["last_name"] == "Martin" and row["version"] == 2


def test_stale_version_is_refused_for_contact_and_settings(signed_in, elodie, app):
    client = signed_in("owner")
    set_fields(app, elodie, comments="changed", version=5)
    response = client.htmx("post", f"/customers/{elodie}/contact", data={
        "version": "1", "email": "new@example.com"})
    assert response.status_code == 422 and "Rechargez" in response.get_data(as_text=True)
    response = client.htmx("post", f"/customers/{elodie}/settings", data={
        "version": "1", "account_profile": "vip", "default_discount": "0", "email_notifications": "0"})
    assert response.status_code == 422 and "Rechargez" in response.get_data(as_text=True)
    row = get_customer(app, elodie)
    assert (row["email"], row["account_profile"]) == ("elodie@gmail.com", "standard")


def test_a_missing_version_is_treated_as_stale(signed_in, elodie, app):
    response = signed_in("owner").htmx("post", f"/customers/{elodie}/comments", data={"comments": "x"})
    assert response.status_code == 422
    assert get_customer(app, elodie)["comments"] == "Allergique aux noix"


def test_own_consecutive_saves_are_not_taken_for_a_conflict(signed_in, elodie, app):
    client = signed_in("owner")
    page = client.get(f"/customers/{elodie}").get_data(as_text=True)
    settings_version = re.search(r'name="version" value="(\d+)" class="customer-version"', page).group(1)
    saved = client.htmx("post", f"/customers/{elodie}/comments", data={"version": settings_version,
                                                                       "comments": "un"})
    # The response updates every open form's version (out of band)...
    new_version = re.search(r'value="(\d+)" class="customer-version" hx-swap-oob', saved.get_data(as_text=True))
    assert new_version.group(1) == "2"
    # ...so the settings form, saved next with that version, is accepted.
    response = client.htmx("post", f"/customers/{elodie}/settings", data={
        "version": new_version.group(1), "account_profile": "vip", "default_discount": "10",
        "email_notifications": ["0", "1"]})
    assert response.status_code == 200


# --- Profil, Réduction, notifications ----------------------------------------------------

def test_settings_save_on_change_with_a_confirmation(signed_in, elodie, app):
    client = signed_in("manager")  # Clients – Remises et profil (test_customers_discounts_right.py)
    response = client.htmx("post", f"/customers/{elodie}/settings", data={
        "version": "1", "account_profile": "business", "default_discount": "15"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Enregistré" in html and '<option value="business" selected>' in html
    row = get_customer(app, elodie)
    assert (row["account_profile"], row["default_discount"]) == ("business", 15)


def test_settings_refuse_values_not_in_the_menus(signed_in, elodie, app):
    response = signed_in("owner").htmx("post", f"/customers/{elodie}/settings", data={
        "version": "1", "account_profile": "emperor", "default_discount": "99", "email_notifications": "0"})
    assert response.status_code == 422
    assert "Choisissez une option de la liste." in response.get_data(as_text=True)
    assert get_customer(app, elodie)["default_discount"] == 0


def test_phone_row_adds_an_empty_number_input(signed_in, elodie):
    client = signed_in("owner")
    html = client.htmx("get", f"/customers/{elodie}/contact/phone-row").get_data(as_text=True)
    assert 'name="new_phone"' in html


def test_phone_row_needs_phone_edit(signed_in, elodie):
    client = signed_in(capabilities={"customers.basic", "customers.email.edit"})
    assert client.htmx("get", f"/customers/{elodie}/contact/phone-row").status_code == 403


def test_profile_shows_loyalty_and_sales_summary(signed_in, elodie, app):
    from datetime import datetime
    set_fields(app, elodie, loyalty_member=True, points_balance=120, visit_count=7, total_spent_cents=12345,
               last_visit_at=datetime(2025, 5, 10, 12))
    html = signed_in("cashier").get(f"/customers/{elodie}").get_data(as_text=True)
    assert "120 points" in html and "123,45" in html and ">7<" in html and "2025" in html
