"""The demo shop (flask --app app demo): who can sign in, and that its data is
consistent the way the services keep it."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

CUSTOMERS = 200


@pytest.fixture
def demo(app):
    """A small demo shop, built like `flask --app app demo --customers 200`."""
    from demo.build import build_demo_shop
    with app.app_context():
        summary = build_demo_shop(customer_count=CUSTOMERS, echo=lambda *_: None)
    return summary


def _scalar(app, stmt):
    from extensions import db
    with app.app_context():
        return db.session.scalar(stmt)


def test_demo_employees_sign_in_with_the_demo_password(app, demo):
    from tests.conftest import CSRFClient
    app.test_client_class = CSRFClient
    for email in ("owner@demo.test", "manager@demo.test", "cashier@demo.test"):
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": "comptoir-demo"})
        assert response.status_code == 302, email
        assert client.get("/account").status_code == 200


def test_demo_employee_holds_the_set_of_their_role(app, demo):
    from extensions import db
    from models import Employee
    with app.app_context():
        sets = {e.email: e.permission_set.name for e in db.session.scalars(select(Employee))}
    assert sets == {"owner@demo.test": "Propriétaire", "manager@demo.test": "Gérant",
                    "cashier@demo.test": "Employé"}


def test_demo_shop_has_its_settings_and_two_locations(app, demo):
    from extensions import db
    from models import Location, ShopSettings
    with app.app_context():
        settings = ShopSettings.get()
        assert (settings.name, settings.currency, settings.phone_region, int(settings.earn_rate)) == \
            ("Épicerie Comptoir", "EUR", "FR", 1)
        names = set(db.session.scalars(select(Location.name)))
    assert names == {"Comptoir Bastille", "Comptoir Croix-Rousse"}


def test_demo_ledger_sums_equal_every_balance(app, demo):
    from models import Customer, PointsEntry
    ledger = (select(func.coalesce(func.sum(PointsEntry.delta), 0))
              .where(PointsEntry.customer_id == Customer.id).scalar_subquery())
    assert _scalar(app, select(func.count()).where(Customer.points_balance != ledger)) == 0
    assert _scalar(app, select(func.count()).where(Customer.points_balance < 0)) == 0
    # Members earn on their sales, and the earn rows point at the sale.
    from models import Sale
    earned = select(func.count(PointsEntry.id)).join(Sale, Sale.id == PointsEntry.sale_id).where(
        PointsEntry.kind == "earn", Sale.customer_id == PointsEntry.customer_id)
    assert _scalar(app, earned) > CUSTOMERS


def test_demo_sales_summaries_equal_the_completed_sales(app, demo):
    from extensions import db
    from models import Customer, Sale
    with app.app_context():
        completed = dict(((row.customer_id), row) for row in db.session.execute(
            select(Sale.customer_id, func.count(Sale.id).label("visits"),
                   func.sum(Sale.total_cents).label("spent"), func.min(Sale.created_at).label("first"),
                   func.max(Sale.created_at).label("last"))
            .where(Sale.status == "completed", Sale.customer_id.is_not(None)).group_by(Sale.customer_id)))
        customers = db.session.execute(select(Customer.id, Customer.visit_count, Customer.total_spent_cents,
                                              Customer.first_visit_at, Customer.last_visit_at)).all()
        statuses = set(db.session.scalars(select(Sale.status).distinct()))
    assert len(customers) == CUSTOMERS
    for customer in customers:
        row = completed.get(customer.id)
        expected = (row.visits, row.spent, row.first, row.last) if row else (0, 0, None, None)
        assert (customer.visit_count, customer.total_spent_cents, customer.first_visit_at,
                customer.last_visit_at) == expected, customer.id
    assert statuses == {"completed", "refunded", "voided"}


def test_demo_sales_are_five_per_customer_some_without_customer(app, demo):
    from models import Sale, SaleItem
    assert _scalar(app, select(func.count(Sale.id))) == 5 * CUSTOMERS
    assert _scalar(app, select(func.count(Sale.id)).where(Sale.customer_id.is_(None))) > 0
    assert _scalar(app, select(func.count(func.distinct(Sale.location_id)))) == 2
    # A sale's total is the sum of its lines.
    lines = (select(func.sum(SaleItem.quantity * SaleItem.unit_price_cents))
             .where(SaleItem.sale_id == Sale.id).scalar_subquery())
    assert _scalar(app, select(func.count(Sale.id)).where(Sale.total_cents != lines)) == 0


def test_demo_card_sales_carry_brand_last_four_and_holder(app, demo):
    from extensions import db
    from models import Sale
    with app.app_context():
        sales = db.session.scalars(select(Sale).where(Sale.payment_method == "card")).all()
    assert {sale.card_brand for sale in sales} <= {"visa", "mastercard", "amex", "cb"}
    assert all(len(sale.card_last4) == 4 and sale.card_last4.isdigit() for sale in sales)
    assert all(sale.card_holder_name and sale.card_holder_name == sale.card_holder_name.upper() for sale in sales)


def test_demo_rewards_exist_in_all_three_statuses(app, demo):
    from extensions import db
    from models import Reward
    with app.app_context():
        statuses = {reward.status() for reward in db.session.scalars(select(Reward))}
    assert statuses == {"earned", "claimed", "expired"}


def test_demo_invoices_are_open_and_paid(app, demo):
    from extensions import db
    from models import Invoice
    with app.app_context():
        invoices = db.session.scalars(select(Invoice)).all()
        assert {invoice.status for invoice in invoices} == {"open", "paid"}
        for invoice in invoices:
            assert invoice.number == f"F-{invoice.issued_at.year}-{invoice.id:06d}"
            assert invoice.amount_cents == invoice.sale.total_cents
            assert invoice.sale.status == "completed" and invoice.customer_id == invoice.sale.customer_id
            assert (invoice.paid_at is not None) == (invoice.status == "paid")


def test_demo_has_duplicates_for_the_merge(app, demo):
    from extensions import db
    from models import Customer, Phone
    with app.app_context():
        same_email = db.session.execute(
            select(Customer.email_key, func.count(func.distinct(Customer.email)))
            .where(Customer.email_key.is_not(None)).group_by(Customer.email_key)
            .having(func.count(Customer.id) == 2)).all()
        same_phone = db.session.execute(
            select(Phone.e164, func.count(func.distinct(Phone.raw)))
            .where(Phone.e164.is_not(None)).group_by(Phone.e164).having(func.count(Phone.id) == 2)).all()
        same_name = db.session.execute(
            select(Customer.name_key, func.count(func.distinct(Customer.first_name)))
            .group_by(Customer.name_key).having(func.count(Customer.id) >= 2)).all()
    # Same email typed with other capitals, same number typed another way, same name without accents.
    assert any(distinct_spellings == 2 for _key, distinct_spellings in same_email)
    assert any(distinct_spellings == 2 for _key, distinct_spellings in same_phone)
    assert any(distinct_spellings == 2 for _key, distinct_spellings in same_name)


def test_demo_names_have_accents_hyphens_and_apostrophes(app, demo):
    from extensions import db
    from models import Customer
    with app.app_context():
        names = [f"{c.first_name or ''} {c.last_name or ''}"
                 for c in db.session.execute(select(Customer.first_name, Customer.last_name))]
    assert any(not name.isascii() for name in names)
    assert any("-" in name for name in names)


def test_demo_search_keys_and_phones_are_what_the_services_store(app, demo):
    from types import SimpleNamespace

    from blueprints.customers.service import make_phone
    from extensions import db
    from models import Customer, Phone
    from core.textkeys import fold
    with app.app_context():
        for customer in db.session.scalars(select(Customer)):
            stored = (customer.sort_name, customer.email_key, customer.name_key)
            fresh = SimpleNamespace(first_name=customer.first_name, last_name=customer.last_name,
                                    email=customer.email)
            Customer.refresh_keys(fresh)
            assert stored == (fresh.sort_name, fresh.email_key, fresh.name_key), customer.id
        phones = db.session.scalars(select(Phone)).all()
        assert phones
        for phone in phones:
            made = make_phone(phone.raw, "FR", phone.label)
            assert (phone.raw, phone.e164, phone.digits) == (made.raw, made.e164, made.digits)
        formats = {"spaces": False, "plain": False, "plus33": False, "dots": False}
        for phone in phones:
            formats["spaces"] |= phone.raw.startswith("0") and " " in phone.raw
            formats["plain"] |= phone.raw.isdigit()
            formats["plus33"] |= phone.raw.startswith("+33")
            formats["dots"] |= "." in phone.raw
        assert all(formats.values()), formats
        assert any(not phone.linked for phone in phones)
        from models import SaleItem
        assert all(item.name_key == fold(item.name) for item in db.session.scalars(select(SaleItem).limit(500)))


def test_demo_membership_archive_and_groups_vary(app, demo):
    from models import Customer, Group, customer_groups
    members = _scalar(app, select(func.count()).where(Customer.loyalty_member.is_(True)))
    assert 0.45 * CUSTOMERS < members < 0.75 * CUSTOMERS
    assert _scalar(app, select(func.count()).where(Customer.loyalty_member.is_(True),
                                                   Customer.loyalty_enrolled_at.is_(None))) == 0
    assert _scalar(app, select(func.count()).where(Customer.archived.is_(True))) > 0
    assert _scalar(app, select(func.count(func.distinct(Customer.origin)))) >= 5
    assert _scalar(app, select(func.count(func.distinct(customer_groups.c.group_id)))) == \
        _scalar(app, select(func.count(Group.id))) == 5


def test_demo_same_seed_builds_the_same_customers(app):
    from demo.build import build_demo_shop
    from extensions import db
    from models import Customer
    names = []
    for _ in range(2):
        with app.app_context():
            build_demo_shop(customer_count=60, sale_count=100, seed=7, echo=lambda *_: None)
            names.append(db.session.execute(
                select(Customer.id, Customer.first_name, Customer.last_name, Customer.email,
                       Customer.points_balance).order_by(Customer.id)).all())
    assert names[0] == names[1] and len(names[0]) == 60


def test_demo_command_if_empty_loads_once_and_replaces_otherwise(app, monkeypatch):
    from models import Customer, Employee
    monkeypatch.setenv("COMPTOIR_DEMO", "1")  # the tests' database is not the demo one (test_demo_database.py)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--customers", "2000", "--sales", "300", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "2,000 customers" in result.output
    assert _scalar(app, select(func.count(Customer.id))) == 2000
    # At 2,000 customers every kind of name shows up, apostrophes included.
    assert _scalar(app, select(func.count()).where(Customer.last_name.contains("'"))) > 0

    result = runner.invoke(args=["demo", "--customers", "40", "--if-empty"])
    assert result.exit_code == 0 and "not loaded" in result.output
    assert _scalar(app, select(func.count(Customer.id))) == 2000

    result = runner.invoke(args=["demo", "--customers", "40", "--sales", "10"])
    assert result.exit_code == 0, result.output
    assert _scalar(app, select(func.count(Customer.id))) == 40
    assert _scalar(app, select(func.max(Customer.id))) == 40
    assert _scalar(app, select(func.count(Employee.id))) == 3


def test_demo_search_documents_are_what_reindex_writes(app, demo):
    from core import search_index
    from extensions import db
    from models import Customer
    with app.app_context():
        def all_terms():
            return set(db.session.execute(select(Customer.id, Customer.name_search, Customer.email_search,
                                                 Customer.phone_search)).all())
        loaded = all_terms()
        assert loaded
        if db.engine.dialect.name == "sqlite":  # the FTS5 index rebuilt after the load finds them
            from core.textkeys import fold
            name = max(fold(db.session.scalar(select(Customer.last_name).where(Customer.last_name.is_not(None))
                                              .limit(1))).split(), key=len)
            found = db.session.scalar(text("SELECT count(*) FROM customer_fts WHERE customer_fts MATCH :q"),
                                      {"q": f'name_search : "{name}"'})
            assert found >= 1
        ids = list(db.session.scalars(select(Customer.id)))
        search_index.reindex(db.session.connection(), ids)
        assert all_terms() == loaded
        db.session.rollback()
