"""The purchase index (core/purchase_index.py): kept right by the sales service and
the merge, rebuilt identically from the sales, and filled for existing sales
by its migration."""
import pytest
from sqlalchemy import delete, select, text

from core import purchase_index
from blueprints.sales.lines import Line
from blueprints.sales.recording import SaleRequest, record_sale
from blueprints.sales.refunds import cancel_sale


@pytest.fixture
def counter(app, shop, make_customer):
    with app.test_request_context():
        yield shop["location_id"]


def _sale(location_id, customer_id, *names, **fields):
    from extensions import db
    lines = [Line(name, 1, 100) for name in names]
    sale = record_sale(SaleRequest(location_id=location_id, customer_id=customer_id, lines=lines, **fields),
                       None)
    db.session.commit()
    return sale


def _purchases():
    from extensions import db
    from models import CustomerPurchase
    return sorted(db.session.execute(select(CustomerPurchase.customer_id, CustomerPurchase.name_key,
                                            CustomerPurchase.sale_id)).all())


def _names():
    from extensions import db
    from models import ItemName
    return dict(db.session.execute(select(ItemName.name_key, ItemName.name)).all())


def test_a_recorded_sale_indexes_each_item_name_once(counter, make_customer):
    customer_id = make_customer()
    sale = _sale(counter, customer_id, "Croissant", "Café crème", "CROISSANT")
    assert _purchases() == [(customer_id, "cafe creme", sale.id), (customer_id, "croissant", sale.id)]
    assert set(_names()) == {"cafe creme", "croissant"}


def test_a_sale_without_customer_adds_names_but_no_purchase(counter):
    _sale(counter, None, "Tarte aux pommes")
    assert _purchases() == []
    assert _names() == {"tarte aux pommes": "Tarte aux pommes"}


def test_a_known_name_keeps_its_first_spelling(counter, make_customer):
    _sale(counter, make_customer(), "Éclair")
    _sale(counter, make_customer(first_name="Paul"), "ECLAIR")
    assert _names() == {"eclair": "Éclair"}


def test_voiding_forgets_the_purchases_and_refunding_keeps_them(counter, make_customer):
    customer_id = make_customer()
    voided = _sale(counter, customer_id, "Baguette")
    refunded = _sale(counter, customer_id, "Brioche")
    cancel_sale(voided.id, "void", None)
    cancel_sale(refunded.id, "refund", None)
    assert _purchases() == [(customer_id, "brioche", refunded.id)]


def test_a_merge_gives_the_purchases_to_the_primary(counter, make_customer):
    from blueprints.customers.merging import merge_customers
    from extensions import db
    primary, secondary = make_customer(), make_customer(first_name="Jean")
    first, second = _sale(counter, primary, "Café"), _sale(counter, secondary, "Thé")
    merge_customers(primary, [secondary], employee_id=None)
    db.session.commit()
    assert _purchases() == [(primary, "cafe", first.id), (primary, "the", second.id)]


def test_rebuild_gives_what_the_service_kept(counter, make_customer):
    from extensions import db
    from models import CustomerPurchase
    ana, bob = make_customer(first_name="Ana"), make_customer(first_name="Bob")
    _sale(counter, ana, "Croissant", "Café")
    _sale(counter, bob, "Croissant")
    cancel_sale(_sale(counter, bob, "Pain").id, "void", None)
    _sale(counter, None, "Journal")
    kept, names = _purchases(), _names()
    db.session.execute(delete(CustomerPurchase))
    purchase_index.rebuild(db.session.connection())
    db.session.commit()
    assert _purchases() == kept and len(kept) == 3
    assert _names() == names and "journal" in names


def test_suggestions_are_the_names_that_start_with_the_typed_text(counter):
    _sale(counter, None, "Pain au chocolat", "Pain de campagne", "Croissant", "Épeautre")
    assert purchase_index.suggestions("PAIN") == ["Pain au chocolat", "Pain de campagne"]
    assert purchase_index.suggestions("epe") == ["Épeautre"]
    assert purchase_index.suggestions("") == ["Croissant", "Épeautre", "Pain au chocolat", "Pain de campagne"]
    assert purchase_index.suggestions("zz") == []


def test_the_migration_indexes_the_sales_already_there(app, shop, make_customer):
    """Downgrade below the index, write sales the old way, upgrade: the
    migration fills customer_purchases and item_names from them."""
    from flask_migrate import downgrade, upgrade

    from extensions import db
    from tests.conftest import ROOT
    customer_id = make_customer()
    migrations = str(ROOT / "migrations")
    with app.app_context():
        db.session.remove()
        downgrade(directory=migrations, revision="3067bbc37c81")
        try:
            with db.engine.begin() as connection:
                connection.execute(text(
                    "INSERT INTO sales (id, location_id, customer_id, created_at, total_cents, status, "
                    "payment_method, points_earned) VALUES "
                    "(1, :loc, :cid, '2025-01-02 10:00:00', 300, 'completed', 'cash', 0), "
                    "(2, :loc, :cid, '2025-01-03 10:00:00', 300, 'voided', 'cash', 0), "
                    "(3, :loc, NULL, '2025-01-04 10:00:00', 300, 'completed', 'cash', 0)"),
                    {"loc": shop["location_id"], "cid": customer_id})
                connection.execute(text(
                    "INSERT INTO sale_items (sale_id, name, name_key, quantity, unit_price_cents) VALUES "
                    "(1, 'Café', 'cafe', 1, 100), (1, 'CAFÉ', 'cafe', 1, 100), (1, 'Thé', 'the', 1, 100), "
                    "(2, 'Tarte', 'tarte', 1, 300), (3, 'Journal', 'journal', 1, 300)"))
        finally:
            upgrade(directory=migrations)
        assert _purchases() == [(customer_id, "cafe", 1), (customer_id, "the", 1)]
        assert set(_names()) == {"cafe", "the", "tarte", "journal"}
