"""The directory in Chromium at tablet size: search as you type, a section
edited in place, archive then find with Avancé > Archivé."""
import re

from playwright.sync_api import expect


def test_search_as_you_type_updates_the_list_and_the_url(signed_in_page, live_server, make_customer):
    make_customer(first_name="Élodie", last_name="Dupont", email="elodie@example.com")
    make_customer(first_name="Marc", last_name="Œuvray")
    page = signed_in_page("owner")
    page.goto(f"{live_server}/customers")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(2)
    page.locator("#q").press_sequentially("elod", delay=40)
    expect(page.locator("#results")).to_contain_text("Élodie Dupont")
    expect(page.locator("#results")).not_to_contain_text("Marc")
    expect(page).to_have_url(re.compile(r"/customers\?q=elod$"))
    expect(page.locator("#result-count")).to_have_text(re.compile("1 client"))
    # A reload gives the same list (the query is in the URL).
    page.reload()
    expect(page.locator("#q")).to_have_value("elod")
    expect(rows).to_have_count(1)
    # Back returns to the whole list.
    page.go_back()
    expect(page.locator("#results")).to_contain_text("Marc")


def test_editing_a_section_in_place(signed_in_page, live_server, make_customer):
    customer_id = make_customer(first_name="Élodie", last_name="Dupont", email="elodie@example.com",
                                phones=["06 12 34 56 78"])
    page = signed_in_page("owner")
    page.goto(f"{live_server}/customers/{customer_id}")
    contact = page.locator("#section-contact")
    contact.get_by_role("button", name=re.compile("Modifier")).click()
    email = contact.locator("input[name=email]")
    expect(email).to_be_visible()
    email.fill("elodie@")
    contact.get_by_role("button", name="Enregistrer").click()
    expect(contact.locator("small.error")).to_contain_text("Cette adresse courriel n’est pas valide.")
    expect(page).to_have_url(f"{live_server}/customers/{customer_id}")  # in place, no navigation
    contact.locator("input[name=email]").fill("elodie.dupont@example.com")
    contact.locator("input[name=new_phone]").first.fill("0692 12 34 56")
    contact.get_by_role("button", name="Enregistrer").click()
    expect(contact).to_contain_text("elodie.dupont@example.com")
    expect(contact).to_contain_text("Enregistré")
    expect(contact.locator("form")).to_have_count(0)
    # A second section saved right after is not taken for someone else's change.
    comments = page.locator("#section-comments")
    comments.get_by_role("button", name=re.compile("Modifier")).click()
    comments.locator("textarea[name=comments]").fill("Préfère le thé")
    comments.get_by_role("button", name="Enregistrer").click()
    expect(comments).to_contain_text("Préfère le thé")
    # The settings save on change, with a confirmation.
    page.locator("#default_discount").select_option("10")
    expect(page.locator("#settings .saved")).to_contain_text("Enregistré")
    page.reload()
    expect(page.locator("#default_discount")).to_have_value("10")
    expect(page.locator("#section-comments")).to_contain_text("Préfère le thé")


def test_archive_then_find_with_advanced_archived_then_unarchive(signed_in_page, live_server, make_customer):
    customer_id = make_customer(first_name="Zoé", last_name="Bernard")
    make_customer(first_name="Anne", last_name="Petit")
    page = signed_in_page("owner")
    page.goto(f"{live_server}/customers/{customer_id}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Archiver").click()
    expect(page.locator(".flash")).to_contain_text("Client archivé")
    expect(page.locator("h1 .badge-archived")).to_be_visible()

    page.goto(f"{live_server}/customers")
    expect(page.locator("#results")).not_to_contain_text("Zoé")
    page.locator("details.advanced > summary").click()
    page.get_by_label("Archivé").check()
    archived_row = page.locator("#results tr.archived")
    expect(archived_row).to_contain_text("Zoé Bernard")
    expect(page).to_have_url(re.compile(r"archived=1"))
    background = archived_row.locator("td").first.evaluate("cell => getComputedStyle(cell).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)")

    archived_row.get_by_role("link", name="Zoé Bernard").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Désarchiver").click()
    expect(page.locator(".flash")).to_contain_text("Client désarchivé")
    page.goto(f"{live_server}/customers")
    expect(page.locator("#results")).to_contain_text("Zoé Bernard")


def test_cancelling_the_archive_confirmation_changes_nothing(signed_in_page, live_server, make_customer):
    customer_id = make_customer(first_name="Zoé", last_name="Bernard")
    page = signed_in_page("owner")
    page.goto(f"{live_server}/customers/{customer_id}")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Archiver").click()
    page.goto(f"{live_server}/customers")
    expect(page.locator("#results")).to_contain_text("Zoé Bernard")


def test_filters_panel_applies_with_show_customers(signed_in_page, live_server, make_customer, app):
    from tests.support_customers import set_fields
    rich = make_customer(first_name="Riche", last_name="Client")
    make_customer(first_name="Pauvre", last_name="Client")
    set_fields(app, rich, points_balance=500)
    page = signed_in_page("owner")
    page.goto(f"{live_server}/customers")
    page.locator("details.filters > summary").click()
    page.get_by_label("Points minimum").fill("100")
    page.get_by_role("button", name="Afficher les clients").click()
    expect(page.locator("#results")).not_to_contain_text("Pauvre")
    expect(page.locator("#results")).to_contain_text("Riche")
    expect(page).to_have_url(re.compile(r"points_min=100"))
    expect(page.locator("#filter-count")).to_have_text("1")


def test_add_a_customer_with_a_duplicate_warning(signed_in_page, live_server, make_customer):
    existing = make_customer(first_name="Élodie", last_name="Dupont")
    page = signed_in_page("owner")
    page.goto(f"{live_server}/customers")
    page.locator("a.add-customer").click()
    page.get_by_label("Prénom").fill("elodie")
    page.get_by_label("Nom de famille").fill("DUPONT")
    page.get_by_label("Téléphone").fill("06 12 34 56 78")
    page.locator("#new-customer button[type=submit]", has_text="Ajouter le client").click()
    warning = page.locator(".duplicates")
    expect(warning).to_contain_text("Doublons possibles")
    expect(warning.get_by_role("link", name="Élodie Dupont")).to_have_attribute("href", f"/customers/{existing}")
    page.get_by_role("button", name="Créer quand même").click()
    expect(page.locator(".flash")).to_contain_text("Client ajouté.")
    expect(page).not_to_have_url(f"{live_server}/customers/{existing}")
    expect(page.locator("#section-contact")).to_contain_text("06 12 34 56 78")
