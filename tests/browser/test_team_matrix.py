"""The permission matrix in Chromium: a toggle saves at once, shows what
followed, survives a reload; the owner column is locked; the table scrolls
sideways on a tablet with the capability column kept in view."""
from playwright.sync_api import expect


def test_matrix_toggle_saves_shows_dependency_and_survives_reload(signed_in_page, live_server, shop):
    page = signed_in_page("owner")
    cashier_set = shop["sets"]["Employé"]
    page.goto(f"{live_server}/team/permissions")
    delete = page.locator(f"#cell-{cashier_set}-customers-delete")
    expect(delete).not_to_be_checked()
    delete.check()
    status = page.locator("#matrix .matrix-status")
    expect(status).to_contain_text("Clients – Suppression de clients accordé")
    expect(status).to_contain_text("Également accordé : Clients – Archivage")
    # The swap keeps the keyboard where it was.
    assert page.evaluate("document.activeElement.id") == f"cell-{cashier_set}-customers-delete"
    # What followed is ticked and highlighted in the same column.
    archive = page.locator(f"#cell-{cashier_set}-customers-archive")
    expect(archive).to_be_checked()
    expect(page.locator(f"td.changed #cell-{cashier_set}-customers-archive")).to_have_count(1)

    page.reload()
    expect(page.locator(f"#cell-{cashier_set}-customers-delete")).to_be_checked()
    expect(page.locator(f"#cell-{cashier_set}-customers-archive")).to_be_checked()

    # Removing Clients – Base removes what depends on it, and says so.
    page.locator(f"#cell-{cashier_set}-customers-basic").uncheck()
    expect(status).to_contain_text("Également retiré")
    expect(page.locator(f"#cell-{cashier_set}-customers-delete")).not_to_be_checked()
    page.reload()
    expect(page.locator(f"#cell-{cashier_set}-customers-delete")).not_to_be_checked()


def test_contact_field_level_modifier_grants_consulter(signed_in_page, live_server, shop):
    page = signed_in_page("owner")
    cashier_set = shop["sets"]["Employé"]
    page.goto(f"{live_server}/team/permissions")
    page.select_option(f"#cell-{cashier_set}-email", "edit")
    expect(page.locator("#matrix .matrix-status")).to_contain_text("Adresse courriel (consulter)")
    page.reload()
    expect(page.locator(f"#cell-{cashier_set}-email")).to_have_value("edit")


def test_owner_column_is_locked(signed_in_page, live_server, shop):
    page = signed_in_page("owner")
    page.goto(f"{live_server}/team/permissions")
    owner_header = page.locator(f"#set-{shop['sets']['Propriétaire']}")
    expect(owner_header).to_contain_text("Verrouillé")
    expect(page.locator("td input[type=checkbox][disabled]").first).to_be_checked()
    expect(page.locator("td select[disabled]").first).to_be_disabled()


def test_matrix_scrolls_sideways_on_a_tablet_with_the_first_column_in_view(signed_in_page, live_server, shop):
    page = signed_in_page("owner")
    for name in ("Saisonniers", "Week-end", "Inventaire", "Stagiaires"):
        page.goto(f"{live_server}/team/sets")
        page.fill("#name", name)
        page.click("form[action$='/team/sets'] button[type=submit]")
    page.goto(f"{live_server}/team/permissions")
    wrap = page.locator(".matrix-wrap")
    assert wrap.evaluate("el => el.scrollWidth > el.clientWidth")
    first_cell = page.locator("tbody th.matrix-cap").first
    before = first_cell.bounding_box()["x"]
    wrap.evaluate("el => el.scrollLeft = 400")
    page.wait_for_function("document.querySelector('.matrix-wrap').scrollLeft > 0")
    assert abs(first_cell.bounding_box()["x"] - before) < 2  # sticky
    # The page itself does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
