"""The loyalty programme in Chromium: in-place names, the member panel (tags,
unlinking, rewards) and points with the balance changing on the page."""
import re

from playwright.sync_api import expect

from tests.support_loyalty import add_reward, member, read


def _name(page, text):
    return page.locator("span.inline-name", has_text=text)


def _collect_errors(page):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


# --- in-place name editing --------------------------------------------------------------------------

def test_double_click_then_enter_saves_the_name_in_place(signed_in_page, live_server, app, make_customer):
    member_id = member(app, make_customer, first_name="Elodie", last_name="Dupont")
    page = signed_in_page("cashier")
    errors = _collect_errors(page)
    page.goto(f"{live_server}/loyalty")
    _name(page, "Elodie").dblclick()
    field = page.locator("td.name-cell input[name=value]")
    expect(field).to_be_focused()
    field.fill("Éloïse")
    field.press("Enter")
    expect(_name(page, "Éloïse")).to_be_visible()
    expect(page.locator("td.name-cell input")).to_have_count(0)
    expect(_name(page, "Éloïse")).to_be_focused()  # keyboard users stay where they were
    assert read(app, member_id).first_name == "Éloïse"
    assert page.url.endswith("/loyalty")  # only the cell was swapped
    assert errors == []


def test_escape_cancels_without_saving(signed_in_page, live_server, app, make_customer):
    member_id = member(app, make_customer, first_name="Élodie", last_name="Dupont")
    page = signed_in_page("cashier")
    page.goto(f"{live_server}/loyalty")
    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    _name(page, "Dupont").dblclick()
    field = page.locator("td.name-cell input[name=value]")
    expect(field).to_be_focused()
    field.fill("Faute")
    field.press("Escape")
    expect(_name(page, "Dupont")).to_be_visible()
    expect(page.locator("td.name-cell input")).to_have_count(0)
    # A blur saves at once (a submit, sent synchronously): had the editor's
    # removal saved it, the request would be recorded by now.
    assert posts == []
    assert read(app, member_id).last_name == "Dupont"


def test_a_server_error_shows_in_place_and_the_editor_stays(signed_in_page, live_server, app, make_customer):
    member_id = member(app, make_customer, first_name="Élodie", last_name="Dupont")
    page = signed_in_page("cashier")
    page.goto(f"{live_server}/loyalty")
    _name(page, "Élodie").dblclick()
    field = page.locator("td.name-cell input[name=value]")
    expect(field).to_be_focused()  # the editor is ready (htmx has bound it)
    field.fill("")
    field.press("Enter")
    error = page.locator("td.name-cell small.error")
    expect(error).to_have_text("Saisissez le prénom.")
    expect(page.locator("td.name-cell input[aria-invalid=true]")).to_be_focused()
    expect(page.locator("#toast")).to_be_hidden()
    page.locator("td.name-cell input[name=value]").press("Escape")
    expect(_name(page, "Élodie")).to_be_visible()
    assert read(app, member_id).first_name == "Élodie"


def test_keyboard_enter_opens_the_editor_and_leaving_the_field_saves(signed_in_page, live_server, app, make_customer):
    member_id = member(app, make_customer, first_name="Élodie", last_name="Dupond")
    page = signed_in_page("cashier")
    page.goto(f"{live_server}/loyalty")
    last = _name(page, "Dupond")
    last.focus()
    page.keyboard.press("Enter")
    field = page.locator("td.name-cell input[name=value]")
    expect(field).to_be_focused()
    field.fill("Dupont")
    page.locator("h1").click()  # leaving the field saves
    expect(_name(page, "Dupont")).to_be_visible()
    assert read(app, member_id).last_name == "Dupont"


def test_the_pencil_opens_the_editor_for_touch_screens(signed_in_page, live_server, app, make_customer):
    member(app, make_customer, first_name="Élodie", last_name="Dupont")
    page = signed_in_page("cashier")
    page.goto(f"{live_server}/loyalty")
    page.locator("td.name-cell").first.locator("a.pencil").click()
    expect(page.locator("td.name-cell input[name=value]")).to_have_value("Élodie")


# --- the member panel ---------------------------------------------------------------------------------

def _open_panel(page, live_server, name):
    page.goto(f"{live_server}/loyalty")
    page.get_by_role("link", name=re.compile(rf"^Compte (de |d’){re.escape(name)}$")).click()
    dialog = page.locator("#member-dialog")
    expect(dialog).to_be_visible()
    return dialog


def test_tag_editor_adds_with_enter_creates_and_removes(signed_in_page, live_server, app, make_customer):
    member_id = member(app, make_customer, first_name="Élodie", last_name="Dupont")
    page = signed_in_page("manager")
    dialog = _open_panel(page, live_server, "Élodie Dupont")
    tag_input = dialog.locator("#group-input")
    tag_input.fill("Habitués")
    tag_input.press("Enter")
    expect(dialog.locator("li.tag", has_text="Habitués")).to_be_visible()
    expect(dialog.locator("#group-input")).to_be_focused()
    dialog.locator("#group-input").fill("Brunch")
    dialog.locator("#group-input").press("Enter")
    expect(dialog.locator("li.tag")).to_have_count(2)
    assert sorted(g.name for g in read(app, member_id).groups) == ["Brunch", "Habitués"]
    dialog.get_by_role("button", name="Retirer du groupe Habitués").click()
    expect(dialog.locator("li.tag", has_text="Habitués")).to_have_count(0)
    assert [g.name for g in read(app, member_id).groups] == ["Brunch"]
    # The list behind the dialog shows the change once it is closed.
    page.set_viewport_size({"width": 1280, "height": 800})
    dialog.get_by_role("button", name="Fermer").click()
    expect(page.locator("#member-%d td .tag" % member_id)).to_have_text("Brunch")


def test_tag_editor_suggests_existing_groups(signed_in_page, live_server, app, make_customer):
    other = member(app, make_customer, first_name="Paul", last_name="Durand")
    member(app, make_customer, first_name="Élodie", last_name="Dupont")
    page = signed_in_page("manager")
    dialog = _open_panel(page, live_server, "Paul Durand")
    dialog.locator("#group-input").fill("Clients fidèles")
    dialog.locator("#group-input").press("Enter")
    expect(dialog.locator("li.tag", has_text="Clients fidèles")).to_be_visible()
    dialog.get_by_role("button", name="Fermer").click()
    dialog = _open_panel(page, live_server, "Élodie Dupont")
    dialog.locator("#group-input").press_sequentially("fid")
    expect(dialog.locator("#group-options option[value='Clients fidèles']")).to_have_count(1)
    assert other


def test_unlinking_a_phone_asks_first_then_keeps_it_in_history(signed_in_page, live_server, app, make_customer):
    # With an email: unlinking her only number leaves the email as her username.
    member_id = member(app, make_customer, first_name="Élodie", last_name="Dupont", phones=["06 12 34 56 78"],
                       email="elodie@example.fr")
    page = signed_in_page("manager")
    dialog = _open_panel(page, live_server, "Élodie Dupont")
    unlinks = []
    page.on("request", lambda request: unlinks.append(request.url) if "/unlink" in request.url else None)
    page.once("dialog", lambda confirm: confirm.dismiss())
    dialog.get_by_role("button", name="Dissocier").click()
    # The click returns once the confirm is answered; htmx would have sent at once.
    assert unlinks == []
    assert read(app, member_id).phones[0].linked is True
    page.once("dialog", lambda confirm: confirm.accept())
    dialog.get_by_role("button", name="Dissocier").click()
    expect(dialog.locator("ul.phones li.unlinked")).to_contain_text("06 12 34 56 78")
    assert len(unlinks) == 1
    expect(dialog.locator("ul.phones .badge")).to_contain_text("Dissocié le")
    assert read(app, member_id).phones[0].linked is False


def test_the_red_x_revokes_an_earned_reward_after_confirmation(signed_in_page, live_server, app, make_customer):
    member_id = member(app, make_customer, first_name="Élodie", last_name="Dupont")
    add_reward(app, member_id, "Café offert", "earned")
    add_reward(app, member_id, "Dessert offert", "claimed")
    page = signed_in_page("manager")
    dialog = _open_panel(page, live_server, "Élodie Dupont")
    dialog.get_by_text("Récompenses ponctuelles").click()
    row = dialog.locator("tr", has_text="Café offert")
    expect(row.locator(".badge")).to_have_text("Obtenue")
    expect(dialog.locator("tr", has_text="Dessert offert").locator(".badge")).to_have_text("Réclamée")
    messages = []
    page.once("dialog", lambda confirm: (messages.append(confirm.message), confirm.accept()))
    row.get_by_role("button", name="Supprimer la récompense Café offert").click()
    expect(dialog.locator("tr", has_text="Café offert")).to_have_count(0)
    assert "révoquée" in messages[0]
    expect(dialog.locator("tr", has_text="Dessert offert")).to_have_count(1)


# --- points -----------------------------------------------------------------------------------------------

def test_add_then_redeem_points_by_username_with_the_balance_on_the_page(signed_in_page, live_server, app, make_customer):
    member_id = member(app, make_customer, first_name="Élodie", last_name="Dupont",
                       email="elodie@example.fr", points=10)
    page = signed_in_page("cashier")
    page.goto(f"{live_server}/loyalty/points/add")
    page.fill("#username", "elodie@example.fr")
    page.fill("#points", "50")
    page.get_by_role("button", name="Ajouter des points").last.click()
    expect(page.locator(".points-result [data-balance]")).to_have_text("60")
    expect(page.locator("#points")).to_be_focused()
    page.goto(f"{live_server}/loyalty/points/redeem")
    page.fill("#username", "06 00 00 00 00")
    page.fill("#points", "5")
    page.get_by_role("button", name="Utiliser des points").last.click()
    expect(page.locator("small.error")).to_contain_text("Aucun membre")
    expect(page.locator("#username")).to_be_focused()  # the field in error
    page.fill("#username", "elodie@example.fr")
    page.fill("#points", "100")
    page.get_by_role("button", name="Utiliser des points").last.click()
    expect(page.locator("small.error")).to_contain_text("Solde insuffisant : Élodie Dupont n’a que 60 points.")
    expect(page.locator("#points")).to_be_focused()
    page.fill("#points", "45")
    page.get_by_role("button", name="Utiliser des points").last.click()
    expect(page.locator(".points-result [data-balance]")).to_have_text("15")
    assert read(app, member_id).points_balance == 15


def test_panel_balance_changes_at_once_and_the_list_follows(signed_in_page, live_server, app, make_customer):
    member_id = member(app, make_customer, first_name="Élodie", last_name="Dupont", points=0)
    page = signed_in_page("cashier")
    dialog = _open_panel(page, live_server, "Élodie Dupont")
    dialog.locator("#quick-points").fill("30")
    dialog.get_by_role("button", name="Ajouter des points").click()
    expect(dialog.locator("[data-balance]")).to_have_text("30")
    dialog.locator("#quick-points").fill("12")
    dialog.get_by_role("button", name="Utiliser des points").click()
    expect(dialog.locator("[data-balance]")).to_have_text("18")
    dialog.get_by_role("button", name="Fermer").click()
    expect(page.locator(f"#member-{member_id} td.points")).to_have_text("18")


def test_removal_from_the_programme_needs_the_checkbox(signed_in_page, live_server, app, make_customer):
    member_id = member(app, make_customer, first_name="Élodie", last_name="Dupont", points=40)
    page = signed_in_page("owner")
    dialog = _open_panel(page, live_server, "Élodie Dupont")
    dialog.locator("#panel-remove summary").click()
    dialog.locator("#panel-remove button[type=submit]").click()
    expect(dialog.locator("#panel-remove small.error")).to_contain_text("Cochez la case")
    dialog.locator("#panel-remove input[type=checkbox]").check()
    dialog.locator("#panel-remove button[type=submit]").click()
    expect(page.locator(".flash")).to_contain_text("Retrait du programme")
    expect(page.locator(f"#member-{member_id}")).to_have_count(0)
    assert read(app, member_id).loyalty_member is False


def test_group_filter_and_sort_update_the_list_and_the_url(signed_in_page, live_server, app, make_customer):
    from blueprints.loyalty import groups
    from extensions import db
    from models import Customer
    rich = member(app, make_customer, first_name="Riche", points=90)
    poor = member(app, make_customer, first_name="Pauvre", points=5)
    member(app, make_customer, first_name="Autre", points=50)
    with app.test_request_context():
        for customer_id in (rich, poor):
            groups.add_to_group(db.session.get(Customer, customer_id), "VIP", None)
        db.session.commit()
    page = signed_in_page("cashier")
    page.goto(f"{live_server}/loyalty")
    page.locator("select[name=group]").select_option(label="VIP")
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page).to_have_url(re.compile(r"group=\d+"))
    page.locator("select[name=sort]").select_option("points")
    expect(page.locator("tbody tr").first).to_contain_text("Pauvre")
    expect(page).to_have_url(re.compile(r"sort=points"))
    page.reload()  # the URL alone gives the same list
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.locator("tbody tr").first).to_contain_text("Pauvre")


def test_enter_right_after_a_swap_still_goes_through_htmx(signed_in_page, live_server, app, make_customer):
    """htmx restores the focus at once after a swap but binds the new form
    only when it settles: an Enter in between left the page by a native
    submit (seen as a flaky failure above). Widened to half a second here."""
    member(app, make_customer, first_name="Élodie", last_name="Dupont")
    page = signed_in_page("manager")
    dialog = _open_panel(page, live_server, "Élodie Dupont")
    page.evaluate("htmx.config.defaultSettleDelay = 500")
    dialog.locator("#group-input").fill("Habitués")
    dialog.locator("#group-input").press("Enter")
    expect(dialog.locator("li.tag", has_text="Habitués")).to_be_visible()
    expect(dialog.locator("#group-input")).to_be_focused()
    dialog.locator("#group-input").fill("Brunch")
    dialog.locator("#group-input").press("Enter")
    expect(dialog.locator("li.tag")).to_have_count(2)
    assert page.url.endswith("/loyalty")  # still the list, under its dialog
