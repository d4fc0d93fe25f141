"""The sales service without HTTP: reading amounts and lines, card keys and
names, recording a sale in one transaction, refunds, invoices."""
import pytest
from sqlalchemy import func, select

from blueprints.sales.cards import card_match_key, split_holder_name
from blueprints.sales.errors import SaleError
from blueprints.sales.invoices import settle_invoice
from blueprints.sales.lines import Line, apply_line_op, parse_money, read_lines, recent_items
from blueprints.sales.recording import SaleRequest, record_sale
from blueprints.sales.refunds import cancel_sale


@pytest.mark.parametrize("text, cents", [
    ("3,50", 350), ("3.5", 350), ("3", 300), ("0", 0), ("1 234,56", 123456), ("1.234,56", 123456),
    ("1,234.56", 123456), ("12,30 €", 1230), (" 7 ", 700)])
def test_parse_money_reads_what_a_cashier_types(text, cents):
    assert parse_money(text) == cents


@pytest.mark.parametrize("text", ["", "trois", "-2", "3,555", "1e3", None, "99999999999"])
def test_parse_money_refuses_what_is_not_an_amount(text):
    assert parse_money(text) is None


@pytest.mark.parametrize("holder, expected", [
    ("JEANNE DUPONT", ("Jeanne", "Dupont")),
    ("DUPONT/JEANNE", ("Jeanne", "Dupont")),
    ("Marie-Claire de la Tour", ("Marie-Claire de la", "Tour")),
    ("MADONNA", (None, "Madonna")),
    ("  jean   pierre  ", ("Jean", "Pierre")),
])
def test_holder_name_splits_into_first_and_last(holder, expected):
    assert split_holder_name(holder) == expected


def test_card_match_key_ignores_case_accents_and_spaces():
    assert card_match_key("Élodie  DUPONT", "visa", "4242") == \
        card_match_key("elodie dupont", "visa", "4242") == "elodie dupont|visa|4242"
    assert card_match_key("", "visa", "4242") is None


def test_line_ops_add_merge_and_remove():
    lines = apply_line_op([], "add", ("Café", "2", "3,50"))
    lines = apply_line_op(lines, "quick:350:CAFÉ", (None, None, None))
    assert [(l.name, l.quantity, l.unit_price_cents) for l in lines] == [("Café", 3, 350)]
    lines = apply_line_op(lines, "add", ("Café", "1", "4"))  # another price: another line
    assert len(lines) == 2
    assert apply_line_op(lines, "dec:0", (None, None, None))[0].quantity == 2
    assert apply_line_op(lines, "remove:5", (None, None, None)) == lines  # out of range: nothing
    assert len(apply_line_op(lines, "remove:1", (None, None, None))) == 1


def test_line_op_reports_each_bad_field():
    with pytest.raises(SaleError) as caught:
        apply_line_op([], "add", ("", "0", "x"))
    assert set(caught.value.errors) == {"entry_name", "entry_qty", "entry_price"}


def test_read_lines_refuses_tampering():
    assert read_lines(["A"], ["2"], ["150"])[0].total_cents == 300
    for names, qtys, prices in ((["A"], ["2"], ["-1"]), (["A"], ["x"], ["1"]), (["A", "B"], ["1"], ["1", "1"])):
        with pytest.raises(SaleError):
            read_lines(names, qtys, prices)


# --- with the database -----------------------------------------------------------

@pytest.fixture
def counter(app, shop, make_customer):
    """An app context with a request (for gettext) and the shop's location."""
    with app.test_request_context():
        yield shop["location_id"]


def _count(model):
    from extensions import db
    return db.session.scalar(select(func.count()).select_from(model))


def test_record_sale_validates_everything_before_writing(counter, make_customer):
    from models import Sale
    archived = make_customer(archived=True)
    req = SaleRequest(location_id=None, lines=[], payment_method="card", customer_id=archived,
                      card_brand="nope", card_last4="12")
    with pytest.raises(SaleError) as caught:
        record_sale(req, None)
    assert set(caught.value.errors) >= {"location_id", "items", "card_brand", "card_last4", "customer_id"}
    assert _count(Sale) == 0


def test_record_sale_writes_a_handful_of_statements(app, counter, make_customer):
    """Sale, its items, the summary, the points: a fixed, small number of statements."""
    from sqlalchemy import event

    from extensions import db
    from models import ShopSettings
    customer_id = make_customer(loyalty_member=True)
    ShopSettings.get()
    statements = []

    def count(*_args, **_kwargs):
        statements.append(_args[2] if len(_args) > 2 else "")

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        req = SaleRequest(location_id=counter, customer_id=customer_id,
                          lines=[Line("A", 1, 1000), Line("B", 2, 500), Line("C", 1, 250)])
        sale = record_sale(req, None)
        db.session.commit()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert sale.points_earned == 22
    # Whatever the number of lines; two of them keep the purchase index.
    assert len(statements) <= 12, statements
    assert sum("customer_purchases" in statement for statement in statements) == 1


def test_summary_recompute_counts_only_completed_sales(counter, make_customer):
    from extensions import db
    from models import Customer
    customer_id = make_customer()
    ids = []
    for cents in (1000, 2000, 3000):
        sale = record_sale(SaleRequest(location_id=counter, lines=[Line("A", 1, cents)],
                                       customer_id=customer_id), None)
        ids.append(sale.id)
    db.session.commit()
    cancel_sale(ids[1], "refund", None)
    db.session.commit()
    customer = db.session.get(Customer, customer_id)
    assert (customer.visit_count, customer.total_spent_cents) == (2, 4000)


def test_settle_invoice_twice_is_refused(counter, make_customer):
    from extensions import db
    from models import Invoice
    customer_id = make_customer()
    sale = record_sale(SaleRequest(location_id=counter, lines=[Line("A", 1, 990)],
                                   customer_id=customer_id, payment_method="invoice"), None)
    db.session.commit()
    invoice = db.session.scalar(select(Invoice).where(Invoice.sale_id == sale.id))
    settle_invoice(invoice.id, None)
    db.session.commit()
    with pytest.raises(SaleError):
        settle_invoice(invoice.id, None)


def test_recent_items_ranks_by_frequency_in_one_query(counter):
    from extensions import db
    for name in ("Café", "Café", "café", "Thé"):
        record_sale(SaleRequest(location_id=counter, lines=[Line(name, 1, 350)]), None)
    db.session.commit()
    recent = recent_items()
    assert recent[0]["count"] == 3 and recent[0]["price_cents"] == 350
    assert [item["name"] for item in recent][1] == "Thé"


def _race(app, work, times=4):
    """Run work() in several threads at once; each returns "ok" or "refused"."""
    import threading

    from extensions import db
    barrier = threading.Barrier(times)
    results = []

    def run():
        with app.test_request_context():
            barrier.wait()
            try:
                work()
                db.session.commit()
                results.append("ok")
            except SaleError:
                db.session.rollback()
                results.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(results)


def test_concurrent_refunds_take_points_back_once(app, shop, make_customer):
    from extensions import db
    from models import Customer
    customer_id = make_customer(loyalty_member=True)
    with app.test_request_context():
        sale_id = record_sale(SaleRequest(location_id=shop["location_id"], customer_id=customer_id,
                                          lines=[Line("Menu", 1, 3000)]), None).id
        db.session.commit()
    results = _race(app, lambda: cancel_sale(sale_id, "refund", None))
    assert results == ["ok", "refused", "refused", "refused"]
    with app.app_context():
        customer = db.session.get(Customer, customer_id)
        assert (customer.points_balance, customer.visit_count, customer.total_spent_cents) == (0, 0, 0)


def test_concurrent_settlements_settle_once(app, shop, make_customer):
    from extensions import db
    from models import Invoice
    customer_id = make_customer()
    with app.test_request_context():
        sale = record_sale(SaleRequest(location_id=shop["location_id"], customer_id=customer_id,
                                       payment_method="invoice", lines=[Line("A", 1, 100)]), None)
        db.session.commit()
        invoice_id = db.session.scalar(select(Invoice.id).where(Invoice.sale_id == sale.id))
    assert _race(app, lambda: settle_invoice(invoice_id, None)) == ["ok", "refused", "refused", "refused"]


def test_concurrent_invoiced_sales_get_distinct_numbers(app, shop, make_customer):
    from extensions import db
    from models import Invoice
    customer_id = make_customer()
    results = _race(app, lambda: record_sale(SaleRequest(
        location_id=shop["location_id"], customer_id=customer_id, payment_method="invoice",
        lines=[Line("A", 1, 100)]), None))
    assert results == ["ok"] * 4
    with app.app_context():
        numbers = list(db.session.scalars(select(Invoice.number)))
    assert len(numbers) == len(set(numbers)) == 4
