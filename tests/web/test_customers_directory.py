"""The directory /customers: search as you type, filters, sort, paging, the
count, archived customers, and what each permission set may see."""
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from extensions import db
from tests.support_customers import add_location, set_consent, set_fields
from tests.support_customers_data import add_sale, add_to_group


def results(client, **args):
    response = client.get("/customers", query_string=args, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def people(make_customer):
    return {
        "elodie": make_customer(first_name="Élodie", last_name="Dupont", email="elodie.dupont@gmail.com",
                                phones=["06 12 34 56 78"]),
        "marc": make_customer(first_name="Marc", last_name="Œuvray", email="marc@orange.fr",
                              phones=["07 98 76 54 32"]),
        "zoe": make_customer(first_name="Zoé", last_name="Bernard", email="zoe.b@free.fr"),
    }


# --- the page and the fragment ------------------------------------------------

def test_directory_page_is_a_full_page_and_htmx_gets_only_the_results(signed_in, people):
    client = signed_in("owner")
    page = client.get("/customers").get_data(as_text=True)
    assert "<html" in page and 'id="directory-search"' in page and "Élodie" in page
    fragment = results(client)
    assert "<html" not in fragment and "Élodie" in fragment and 'id="directory-search"' not in fragment


def test_directory_has_add_button_and_the_data_helpers_slot(signed_in, people):
    page = signed_in("owner").get("/customers").get_data(as_text=True)
    assert 'href="/customers/new"' in page and "Ajouter le client" in page


def test_result_count_is_shown(signed_in, people):
    client = signed_in("owner")
    assert "3 clients" in results(client)
    assert "1 client" in results(client, q="zoe")


def test_a_long_plain_list_stops_counting_at_its_cap(signed_in, people, monkeypatch):
    from blueprints.customers import routes_directory
    monkeypatch.setattr(routes_directory, "LIST_COUNT_CAP", 2)
    html = results(signed_in("owner"))
    assert "Plus de 2 clients" in html and "Élodie" in html and "Zoé" in html and "Marc" in html


def test_htmx_search_pushes_the_canonical_url(signed_in, people):
    client = signed_in("owner")
    response = client.get("/customers?q=elod&group=&item=&sort=name", headers={"HX-Request": "true"})
    assert response.headers["HX-Push-Url"] == "/customers?q=elod"


# --- search ------------------------------------------------------------------

@pytest.mark.parametrize("term", ["elod", "ELODIE", "Élo", "dupo", "elo dup"])
def test_search_by_name_part_ignores_accents_and_case(signed_in, people, term):
    html = results(signed_in("owner"), q=term)
    assert "Élodie Dupont" in html and "Marc" not in html and "Zoé" not in html


def test_search_folds_ligatures(signed_in, people):
    assert "Marc Œuvray" in results(signed_in("owner"), q="oeuvray")


def test_search_by_email_part(signed_in, people):
    html = results(signed_in("owner"), q="orange.fr")
    assert "Marc" in html and "Élodie" not in html


@pytest.mark.parametrize("term", ["06 12 34 56 78", "0612345678", "+33 6 12 34 56 78", "56 78"])
def test_search_by_phone_in_any_format(signed_in, people, term):
    html = results(signed_in("owner"), q=term)
    assert "Élodie Dupont" in html and "Marc" not in html


def test_search_over_part_of_a_field_the_employee_may_not_view_finds_nothing(signed_in, people):
    cashier = signed_in("cashier")
    assert "0 client" in results(cashier, q="orange.fr")
    assert "0 client" in results(cashier, q="06 12 34 56")
    assert "Élodie" in results(cashier, q="elodie")  # names are always searchable


def test_search_over_part_of_a_masked_field_finds_nothing(signed_in, people):
    client = signed_in(capabilities={"customers.basic", "customers.email.masked", "customers.phone.masked"})
    assert "0 client" in results(client, q="orange.fr")
    assert "0 client" in results(client, q="56 78")


def test_marketing_only_contacts_are_not_searchable_with_view_level(signed_in, make_customer, app):
    """Seed 004: a marketing sign-up's details are masked for a set that may
    view but not edit them; searching by them must not find the customer."""
    lise = make_customer(first_name="Lise", last_name="Nova", email="lise.nova@example.com",
                         phones=["06 98 76 54 32"], origin="marketing")
    set_consent(app, lise, "email_marketing", "yes")  # subscribed: masked (seed 004)
    viewer = signed_in(capabilities={"customers.basic", "customers.email.view", "customers.phone.view"})
    assert "0 client" in results(viewer, q="lise.nova@example")
    assert "0 client" in results(viewer, q="06 98 76")
    assert "Lise Nova" in results(viewer, q="lise")
    # The complete value finds her (the full-value lookup rule), still masked.
    html = results(viewer, q="0698765432")
    assert "Lise Nova" in html and "98 76" not in html


def test_marketing_only_contacts_are_searchable_with_edit_level(signed_in, make_customer):
    make_customer(first_name="Lise", last_name="Nova", email="lise.nova@example.com", phones=["06 98 76 54 32"],
                  origin="marketing")
    assert "Lise Nova" in results(signed_in("manager"), q="0698765432")


# --- what each employee sees -----------------------------------------------------

def test_cashier_sees_no_email_or_phone_in_the_list(signed_in, people):
    client = signed_in("cashier")
    for html in (client.get("/customers").get_data(as_text=True), results(client, q="elodie")):
        assert "Élodie" in html
        assert "elodie.dupont@gmail.com" not in html and "gmail" not in html
        assert "06 12 34 56 78" not in html and "56 78" not in html
        assert "Courriel" not in html and "Téléphone</th>" not in html


def test_masked_level_shows_masked_values_in_the_list(signed_in, people):
    client = signed_in(capabilities={"customers.basic", "customers.email.masked", "customers.phone.masked"})
    html = results(client)
    assert "e•••@gmail.com" in html and "•• •• •• •• 78" in html
    assert "elodie.dupont@gmail.com" not in html and "06 12 34 56 78" not in html


def test_manager_sees_email_and_phone_in_the_list(signed_in, people):
    html = results(signed_in("manager"))
    assert "elodie.dupont@gmail.com" in html and "06 12 34 56 78" in html


# --- archived ------------------------------------------------------------------

def test_archived_customers_are_hidden_unless_advanced_archived(signed_in, people, app):
    set_fields(app, people["zoe"], archived=True)
    client = signed_in("owner")
    assert "Zoé" not in results(client)
    html = results(client, archived="1")
    assert "Zoé" in html and "Élodie" in html
    row = html[html.index("Zoé") - 300:html.index("Zoé")]
    assert 'class="archived"' in row


def test_anonymised_customers_never_listed(signed_in, people, app):
    set_fields(app, people["zoe"], archived=True, anonymised=True)
    assert "Zoé" not in results(signed_in("owner"), archived="1")


# --- filters --------------------------------------------------------------------

@pytest.fixture
def shop_sales(app, shop, people):
    gare = add_location(app, "Gare")
    centre = shop["location_id"]
    with app.app_context():
        add_sale(people["elodie"], centre, 500, items=(("Croissant au beurre", 1, 500), ("Café", 1, 500)),
                 payment_method="card", card_brand="visa", card_last4="4242", created_at=datetime(2025, 3, 3, 9))
        add_sale(people["marc"], gare, 500, items=(("Baguette", 1, 500),), payment_method="cash",
                 created_at=datetime(2025, 6, 1, 9))
        add_sale(people["marc"], centre, 500, items=(("Éclair", 1, 500),), payment_method="card",
                 card_brand="mastercard", card_last4="1111", created_at=datetime(2024, 12, 1, 9))
        db.session.commit()
    return {"gare": gare, "centre": centre}


def listed(html):
    return {name for name in ("Élodie", "Marc", "Zoé") if name in html}


def test_filter_by_group(signed_in, people, app):
    with app.app_context():
        group_id = add_to_group("VIP", people["zoe"], people["marc"])
        db.session.commit()
    assert listed(results(signed_in("owner"), group=group_id)) == {"Zoé", "Marc"}


def test_filter_by_location_visited(signed_in, shop_sales):
    client = signed_in("owner")
    assert listed(results(client, location=shop_sales["gare"])) == {"Marc"}
    assert listed(results(client, location=shop_sales["centre"])) == {"Élodie", "Marc"}


def test_filter_by_item_purchased_ignores_accents_and_matches_the_start(signed_in, shop_sales):
    client = signed_in("owner")
    assert listed(results(client, item="croissant")) == {"Élodie"}
    assert listed(results(client, item="ECLAIR")) == {"Marc"}
    assert listed(results(client, item="pain")) == set()


def test_filter_by_payment_method(signed_in, shop_sales):
    client = signed_in("owner")
    assert listed(results(client, payment="cash")) == {"Marc"}
    assert listed(results(client, payment="card")) == {"Élodie", "Marc"}


def test_filter_by_card_brand_and_last_four(signed_in, shop_sales):
    client = signed_in("owner")
    assert listed(results(client, card_brand="visa")) == {"Élodie"}
    assert listed(results(client, card_last4="1111")) == {"Marc"}
    assert listed(results(client, card_brand="visa", card_last4="1111")) == set()


def test_period_filters_on_last_visit_or_first_visit(signed_in, shop_sales):
    client = signed_in("owner")
    # Marc: first visit 2024-12-01, last 2025-06-01; Élodie: both 2025-03-03; Zoé: never.
    assert listed(results(client, period_from="2025-05-01", period_to="2025-06-30")) == {"Marc"}
    assert listed(results(client, period_from="2025-03-03", period_to="2025-03-03")) == {"Élodie"}
    assert listed(results(client, period_from="2024-11-01", period_to="2024-12-31",
                          period_on="first_visit")) == {"Marc"}


def test_period_applies_to_the_sales_of_a_sale_filter(signed_in, shop_sales):
    client = signed_in("owner")
    # Marc paid by card only in December 2024.
    assert listed(results(client, payment="card", period_from="2025-01-01", period_to="2025-12-31")) == {"Élodie"}
    assert listed(results(client, payment="card", period_from="2024-12-01", period_to="2024-12-01")) == {"Marc"}


def test_item_filter_suggests_the_names_sold(signed_in, shop_sales):
    client = signed_in("owner")
    page = client.get("/customers").get_data(as_text=True)
    datalist = page[page.index('<datalist id="item-names">'):page.index("</datalist>")]
    assert datalist.count("<option") == 4
    positions = [datalist.index(f'value="{name}"') for name in ("Baguette", "Café", "Croissant au beurre", "Éclair")]
    assert positions == sorted(positions)  # alphabetical, accents ignored
    assert 'list="item-names"' in page
    assert "<datalist" not in results(client)  # the fragment has no filter panel


def test_one_sale_must_match_every_sale_filter(signed_in, shop_sales):
    client = signed_in("owner")
    assert listed(results(client, item="baguette", location=shop_sales["gare"])) == {"Marc"}
    assert listed(results(client, item="baguette", location=shop_sales["centre"])) == set()
    assert listed(results(client, item="eclair", payment="cash")) == set()  # cash at Gare, the éclair by card
    assert listed(results(client, item="croissant", period_from="2025-03-01", period_to="2025-03-31")) == {"Élodie"}
    assert listed(results(client, item="croissant", period_from="2025-04-01", period_to="2025-12-31")) == set()
    assert listed(results(client, item="cafe", card_brand="visa", card_last4="4242")) == {"Élodie"}


@pytest.mark.parametrize("filters", [
    {"item": "c"}, {"item": "c", "period_from": "2025-03-02", "sort": "-name"}, {"payment": "card"},
    {"location": "centre"}, {"location": "centre", "period_to": "2025-03-31"}, {"location": "gare"},
    {"location": "gare", "q": ".fr"}, {"item": "croissant", "sort": "-last_visit"},
])
def test_a_broad_list_walked_in_order_finds_what_the_gathered_matches_find(app, signed_in, shop_sales, people,
                                                                           filters, monkeypatch):
    """customer_page: when the matching sales are many (SALES_SAMPLE) and
    hold more customers than the count limit, the list is read in its order
    with a probe per customer (EXISTS); otherwise the matches are gathered
    (IN). A sample of 1 and a limit of 1 send these queries down the first
    road: same customers."""
    from blueprints.customers import search
    from blueprints.customers.search import customer_page
    from blueprints.customers.search_query import CustomerQuery
    from extensions import db
    from models import Employee
    with app.app_context():
        add_sale(people["zoe"], shop_sales["gare"], 500, items=(("Croissant aux amandes", 1, 500),),
                 created_at=datetime(2025, 4, 1, 9))
        db.session.commit()
    client = signed_in("owner")
    args = {key: str(shop_sales.get(value, value)) for key, value in filters.items()}
    query = CustomerQuery.from_args(args)
    with app.test_request_context():
        owner = db.session.get(Employee, client.employee_id)
        gathered = customer_page(owner, query, "FR", per_page=50, count_limit=1000)
        gathered_capped = customer_page(owner, query, "FR", per_page=50, count_limit=1)
        monkeypatch.setattr(search, "SALES_SAMPLE", 1)
        roads, real_select = [], search.customer_select
        monkeypatch.setattr(search, "customer_select", lambda *args, **kwargs: (
            roads.append(kwargs.get("sales", "in")), real_select(*args, **kwargs))[1])
        walked = customer_page(owner, query, "FR", per_page=50, count_limit=1)
        # A search term that gathers few customers keeps them gathered.
        assert roads[-1] == ("in" if "q" in filters else "exists")
        assert gathered.total >= 2 and not gathered.total_is_capped
        assert walked.total_is_capped and walked.total == 1 and gathered_capped.total_is_capped
        assert [c.id for c in gathered_capped.items] == [c.id for c in gathered.items]
        assert [c.id for c in walked.items] == [c.id for c in gathered.items]


@pytest.mark.parametrize("term", ["be", "ber", "ard", ".fr", "06 00 00", "ma be", "ma ber"])
@pytest.mark.parametrize("sort", ["-name", "name", "-points"])
def test_a_search_from_the_top_gathered_or_walked_lists_the_same(app, signed_in, people, make_customer, monkeypatch,
                                                                 term, sort):
    """The three roads to a search's first page give the same page: from the
    top of the list (customers.search._page_from_the_top), gathered through
    the trigram index, and walked along the sorted list."""
    from blueprints.customers import search
    from blueprints.customers.search_query import CustomerQuery
    from extensions import db
    from models import Employee
    for first, last in (("Mathis", "Bernard"), ("Maëlle", "Zola"), ("Zoé", "Martin"), ("Emma", "Benoît"),
                        ("Maxime", "Bernard")):
        make_customer(first_name=first, last_name=last, email=f"{first[:3].lower()}@free.fr", phones=["06 00 00 00 01"])
    client = signed_in("owner")
    query = CustomerQuery.from_args({"q": term, "sort": sort})
    with app.test_request_context():
        owner = db.session.get(Employee, client.employee_id)
        everything = search.customer_page(owner, query, "FR", per_page=50, count_limit=1000)
        top = search.customer_page(owner, query, "FR", per_page=2, count_limit=1)
        monkeypatch.setattr(search, "TOP_WINDOW", 0)  # the window never fills: gathered
        gathered = search.customer_page(owner, query, "FR", per_page=2, count_limit=1)
        monkeypatch.setattr(search, "_needs_walking", lambda term: True)
        walked = search.customer_page(owner, query, "FR", per_page=2, count_limit=1)
    first_two = [c.id for c in everything.items][:2]
    assert [c.id for c in top.items] == [c.id for c in gathered.items] == [c.id for c in walked.items] == first_two
    assert len(everything.items) >= 2 and walked.total_is_capped


def test_the_top_of_the_list_holds_only_its_own_matches(app, signed_in, make_customer, monkeypatch):
    """The window is the start of the list: a match past it must not be
    taken for the first page (the page falls back to gathering)."""
    from blueprints.customers import search
    from blueprints.customers.search_query import CustomerQuery
    from extensions import db
    from models import Employee
    ids = [make_customer(first_name="Anne", last_name=name) for name in ("Aubert", "Blanc", "Caron", "Dupuis")]
    client = signed_in("owner")
    monkeypatch.setattr(search, "TOP_WINDOW", 2)
    with app.test_request_context():
        owner = db.session.get(Employee, client.employee_id)
        page = search.customer_page(owner, CustomerQuery(q="anne"), "FR", per_page=3, count_limit=1)
    assert [c.id for c in page.items] == ids[:3]


def test_a_word_inside_a_name_finds_it(app, signed_in, make_customer):
    """Word middles are found ("okkab" in Quokkabelle: the old prefix index could not)."""
    for n in range(5):
        make_customer(first_name="Jean", last_name=f"Durand{n}")
    make_customer(first_name="Jean", last_name="Quokkabelle")
    page = signed_in("owner").get("/customers?q=okkab").get_data(as_text=True)
    assert "Quokkabelle" in page and "Durand0" not in page


def test_voided_sales_do_not_count_as_visits(signed_in, app, shop, people):
    with app.app_context():
        add_sale(people["zoe"], shop["location_id"], 500, items=(("Tarte", 1, 500),), status="voided")
        db.session.commit()
    assert listed(results(signed_in("owner"), item="tarte")) == set()


def test_filter_by_points_range(signed_in, people, app):
    set_fields(app, people["elodie"], points_balance=50)
    set_fields(app, people["marc"], points_balance=200)
    client = signed_in("owner")
    assert listed(results(client, points_min="100")) == {"Marc"}
    assert listed(results(client, points_min="10", points_max="100")) == {"Élodie"}
    assert listed(results(client, points_max="0")) == {"Zoé"}


def test_filter_by_origin(signed_in, people, app):
    set_fields(app, people["zoe"], origin="card")
    assert listed(results(signed_in("owner"), origin="card")) == {"Zoé"}


def test_filter_by_email_consent(signed_in, people, app):
    """Only a "yes" to email marketing is "yes"; no decision is "unknown"."""
    set_consent(app, people["marc"], "email_marketing", "yes")
    set_consent(app, people["elodie"], "email_marketing", "no")
    set_consent(app, people["zoe"], "e_receipts", "yes")  # a service message is no marketing consent
    client = signed_in("owner")
    assert listed(results(client, email_consent="yes")) == {"Marc"}
    assert listed(results(client, email_consent="no")) == {"Élodie"}
    assert listed(results(client, email_consent="unknown")) == {"Zoé"}


def test_filter_follows_a_withdrawal_and_sms_is_its_own_purpose(signed_in, people, app):
    set_consent(app, people["marc"], "email_marketing", "yes")
    set_consent(app, people["marc"], "email_marketing", "no")  # withdrawn
    set_consent(app, people["zoe"], "sms_marketing", "yes")
    client = signed_in("owner")
    assert listed(results(client, email_consent="yes")) == set()
    assert listed(results(client, sms_consent="yes")) == {"Zoé"}


def test_a_group_filtered_for_contact_takes_only_a_yes(signed_in, people, app):
    with app.app_context():
        group_id = add_to_group("Newsletter", people["marc"], people["elodie"], people["zoe"])
        db.session.commit()
    set_consent(app, people["marc"], "email_marketing", "yes")
    set_consent(app, people["elodie"], "email_marketing", "no")
    assert listed(results(signed_in("owner"), group=group_id, email_consent="yes")) == {"Marc"}


def test_malformed_filters_are_ignored_not_a_crash(signed_in, people):
    html = results(signed_in("owner"), group="x", points_min="lots", period_from="2025-13-45",
                   card_last4="12", payment="bitcoin", page="-3", sort="email")
    assert listed(html) == {"Élodie", "Marc", "Zoé"}


def test_filters_are_combined_with_the_search(signed_in, shop_sales):
    client = signed_in("owner")
    assert listed(results(client, q="marc", location=shop_sales["centre"])) == {"Marc"}
    assert listed(results(client, q="zoe", location=shop_sales["centre"])) == set()


def test_applied_filters_are_listed_and_counted(signed_in, shop_sales):
    client = signed_in("owner")
    page = client.get(f"/customers?location={shop_sales['gare']}&payment=cash").get_data(as_text=True)
    assert "Point de vente : Gare" in page and "Espèces" in page
    assert '<span id="filter-count" class="badge filter-count" >2</span>' in page
    fragment = results(client, location=shop_sales["gare"])
    assert 'hx-swap-oob="true"' in fragment  # the count on "Filtres" follows


def test_filter_panel_shows_the_applied_values_after_reload(signed_in, shop_sales, people, app):
    with app.app_context():
        group_id = add_to_group("Habitués", people["marc"])
        db.session.commit()
    page = signed_in("owner").get(
        f"/customers?group={group_id}&item=Baguette&period_from=2025-01-01&email_consent=no").get_data(as_text=True)
    assert f'<option value="{group_id}" selected>Habitués</option>' in page
    assert 'name="item" value="Baguette"' in page
    assert 'name="period_from" value="2025-01-01"' in page
    assert '<option value="no" selected>' in page


# --- sort and paging -------------------------------------------------------------

def order_of(html, *names):
    return sorted(names, key=html.index)


def test_sort_by_name_both_ways(signed_in, people):
    client = signed_in("owner")
    assert order_of(results(client), "Zoé", "Élodie", "Marc") == ["Zoé", "Élodie", "Marc"]  # Bernard, Dupont, Œuvray
    assert order_of(results(client, sort="-name"), "Zoé", "Élodie", "Marc") == ["Marc", "Élodie", "Zoé"]


def test_sort_by_points_and_total_spent(signed_in, people, app):
    set_fields(app, people["elodie"], points_balance=10, total_spent_cents=9000)
    set_fields(app, people["marc"], points_balance=30, total_spent_cents=100)
    set_fields(app, people["zoe"], points_balance=20, total_spent_cents=500)
    client = signed_in("owner")
    assert order_of(results(client, sort="-points"), "Zoé", "Élodie", "Marc") == ["Marc", "Zoé", "Élodie"]
    assert order_of(results(client, sort="points"), "Zoé", "Élodie", "Marc") == ["Élodie", "Zoé", "Marc"]
    assert order_of(results(client, sort="-spent"), "Zoé", "Élodie", "Marc") == ["Élodie", "Zoé", "Marc"]


def test_sort_by_last_visit(signed_in, shop_sales):
    client = signed_in("owner")
    html = results(client, sort="-last_visit")
    assert order_of(html, "Élodie", "Marc") == ["Marc", "Élodie"]
    html = results(client, sort="last_visit")
    assert order_of(html, "Élodie", "Marc") == ["Élodie", "Marc"]


def test_paging_links_keep_the_whole_query(signed_in, make_customer, app, shop):
    for index in range(55):
        make_customer(first_name=f"Anne{index:02d}", last_name="Petit", points_balance=index)
    client = signed_in("owner")
    html = client.get("/customers?q=anne&sort=-points&points_min=1&archived=1").get_data(as_text=True)
    assert "54 clients" in html
    next_link = html[html.index('rel="next"') - 400:html.index('rel="next"')]
    href = next_link[next_link.index('href="') + 6:].split('"')[0].replace("&amp;", "&")
    args = parse_qs(urlsplit(href).query)
    assert args == {"q": ["anne"], "sort": ["-points"], "points_min": ["1"], "archived": ["1"], "page": ["2"]}
    page2 = client.get(href).get_data(as_text=True)  # a shared link or a reload: the same list
    assert "Anne03" in page2 and "Anne53" not in page2 and "Page 2 sur 2" in page2
    assert 'value="anne"' in page2 and '<option value="-points" selected>' in page2


def test_page_beyond_the_last_shows_the_last(signed_in, people):
    assert "Élodie" in results(signed_in("owner"), page="99")


def test_list_is_a_fixed_number_of_queries(signed_in, make_customer, app, shop):
    from sqlalchemy import event

    from extensions import db
    for index in range(30):
        make_customer(first_name=f"Client{index}", phones=[f"06 00 00 00 {index:02d}"])
    client = signed_in("owner")
    client.get("/customers")
    statements = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        client.get("/customers", headers={"HX-Request": "true"})
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    customer_queries = [s for s in statements if "customers" in s or "phones" in s or "groups" in s]
    assert len(customer_queries) <= 6, customer_queries


def test_a_broad_search_stops_counting_at_the_cap(signed_in, make_customer, monkeypatch):
    import blueprints.customers.routes_directory as routes_directory
    monkeypatch.setattr(routes_directory, "COUNT_CAP", 2)
    for index in range(4):
        make_customer(first_name=f"Anne{index}", last_name="Petit")
    client = signed_in("owner")
    html = results(client, q="petit")
    assert "Plus de 2 clients" in html and 'rel="next"' not in html  # one page of 4 rows
    assert "4 clients" in results(client)  # the plain list is counted exactly


# --- issue 13: the trigram search's own rules -----------------------------------

@pytest.mark.parametrize("term, expected", [
    ("pont", {"Élodie"}),            # a word middle: Dupont
    ("uvray", {"Marc"}),             # Œuvray folded, from its middle
    ("range.f", {"Marc"}),           # inside an address: marc@orange.fr
    ("34 56", {"Élodie"}),           # inside a number
    ("0798", {"Marc"}),              # a national start with its 0
    ("+33 7 98", {"Marc"}),          # an international start
    ("0033 7 98", {"Marc"}),
    ("elodie d", {"Élodie"}),        # a short word starts a word
    ("elodie u", set()),             # ...and only starts one ("dupont" has a "u" inside)
    ("be", {"Zoé"}),                 # one or two characters: the start of the sorted name
    ("zo", set()),                   # ...which is the last name first
])
def test_trigram_search_rules(signed_in, people, term, expected):
    assert listed(results(signed_in("owner"), q=term)) == expected


@pytest.mark.parametrize("term", ["0", "06", "+3", "0 6"])
def test_a_digit_or_two_keep_the_whole_list(signed_in, people, term):
    """Too short for any number: the list stays as it was rather than emptying."""
    assert listed(results(signed_in("owner"), q=term)) == {"Élodie", "Marc", "Zoé"}


def test_a_set_that_cannot_view_emails_does_not_find_a_word_inside_one(signed_in, people):
    """The email document is not searched for a set that may not view the
    field, middle matches included (the full-value lookup still works)."""
    client = signed_in("clerk", capabilities={"customers.basic", "customers.email.masked"})
    assert listed(results(client, q="orange")) == set()
    assert listed(results(client, q="marc@orange.fr")) == {"Marc"}


def test_a_set_that_views_emails_finds_a_word_inside_one(signed_in, people):
    client = signed_in("viewer", capabilities={"customers.basic", "customers.email.view"})
    assert listed(results(client, q="orange")) == {"Marc"}
