"""The data-quality inbox's rules (issue 15), without HTTP: each kind finds
what it should and nothing else, through its partial index; fixes, ignore,
permissions, the capped badge."""
from datetime import date

import pytest
from sqlalchemy import text, update

from blueprints.customers import quality
from blueprints.customers.email_typos import suggestion
from extensions import db
from models import Customer, Employee, Phone
from tests.support_customers_data import in_request  # noqa: F401

pytestmark = pytest.mark.usefixtures("in_request")


def employee(db_session, make_employee, role="owner", **kwargs):
    return db_session.get(Employee, make_employee(role, **kwargs))


def ids_of(owner, kind, **kwargs):
    return [item.customer.id for item in quality.page(owner, kind, **kwargs).items]


def raw_update(db_session, customer_id, **values):
    """Values the forms would refuse, as an old import or another system left them."""
    db_session.execute(update(Customer).where(Customer.id == customer_id).values(**values))
    db_session.commit()


def test_names_in_capitals_or_with_stray_spaces(db_session, make_customer, make_employee):
    owner = employee(db_session, make_employee)
    shouting = make_customer(first_name="JEAN-PIERRE", last_name="DE LA FONTAINE")
    spaced = make_customer(first_name="Anne", last_name="Le  Goff")
    fine = make_customer(first_name="Élodie", last_name="Dupont")
    initial = make_customer(first_name="J.", last_name="Dupont")
    raw_update(db_session, spaced, first_name=" Anne")
    assert ids_of(owner, "name") == [shouting, spaced]
    assert fine and initial
    item = quality.page(owner, "name").items[0]
    assert item.fix == "Jean-Pierre / De La Fontaine"
    assert quality.tidy_name("O'BRIEN") == "O'Brien" and quality.tidy_name("D'ARTAGNAN") == "d'Artagnan"
    assert quality.tidy_name("  Le  Goff ") == "Le Goff"


def test_email_typos_suggest_the_domain_meant(db_session, make_customer, make_employee):
    owner = employee(db_session, make_employee)
    typo = make_customer(email="claire@gmial.com")
    orange = make_customer(email="paul@orange.fe")
    make_customer(email="lea@gmail.com")
    make_customer(email="luc@sfr.fr")
    assert ids_of(owner, "email_typo") == [typo, orange]
    assert suggestion("b@hotmial.fr") == "b@hotmail.fr" and suggestion("x@gmail.com") is None
    assert [item.fix for item in quality.page(owner, "email_typo").items] == ["claire@gmail.com",
                                                                            "paul@orange.fr"]


def test_malformed_emails(db_session, make_customer, make_employee):
    owner = employee(db_session, make_employee)
    bad = make_customer()
    raw_update(db_session, bad, email="jean.dupont@gmail")
    spaced = make_customer()
    raw_update(db_session, spaced, email="jean dupont@free.fr")
    make_customer(email="ok@free.fr")
    assert ids_of(owner, "email") == [bad, spaced]


def test_unverified_phones_one_item_per_number(db_session, make_customer, make_employee):
    owner = employee(db_session, make_employee)
    customer_id = make_customer(phones=["06 12 34 56 78", "chez sa mère 12"])
    make_customer(phones=["06 98 76 54 32"])
    unverified = db_session.scalar(text("SELECT id FROM phones WHERE e164 IS NULL"))
    items = quality.page(owner, "phone").items
    assert [(i.customer.id, i.subject_id) for i in items] == [(customer_id, unverified)]
    db_session.execute(update(Phone).where(Phone.id == unverified).values(linked=False))
    db_session.commit()
    assert quality.page(owner, "phone").items == []  # an unlinked number is history, not a problem


def test_impossible_birthdays(db_session, make_customer, make_employee):
    owner = employee(db_session, make_employee)
    future = make_customer()
    raw_update(db_session, future, birthday=date(2031, 5, 1))
    ancient = make_customer()
    raw_update(db_session, ancient, birthday=date(1850, 5, 1))
    make_customer(birthday=date(1990, 4, 17))
    assert ids_of(owner, "birthday", today=date(2026, 12, 1)) == [future, ancient]


def test_card_only_profiles_without_any_contact(db_session, make_customer, make_employee):
    owner = employee(db_session, make_employee)
    bare = make_customer(origin="card")
    make_customer(origin="card", phones=["06 12 34 56 78"])
    make_customer(origin="card", email="a@free.fr")
    make_customer(origin="manual")
    assert ids_of(owner, "card_only") == [bare]


def test_imported_values_to_review_and_the_fix(db_session, make_customer, make_employee):
    owner = employee(db_session, make_employee)
    customer_id = make_customer(needs_review=True)
    make_customer()
    assert ids_of(owner, "review") == [customer_id]
    quality.apply_fix(owner, "review", db_session.get(Customer, customer_id), region="FR")
    db_session.commit()
    assert ids_of(owner, "review") == []


def test_archived_customers_are_not_in_the_inbox(db_session, make_customer, make_employee):
    owner = employee(db_session, make_employee)
    make_customer(first_name="ARCHIVÉE", archived=True, needs_review=True, email="a@gmial.com")
    for kind in ("name", "review", "email_typo"):
        assert ids_of(owner, kind) == []


def test_fixes_go_through_the_profile_service_and_are_audited(db_session, make_customer, make_employee):
    from models import AuditEvent
    owner = employee(db_session, make_employee)
    customer_id = make_customer(first_name="MARIE", last_name="CURIE", email="marie@gmial.com")
    customer = db_session.get(Customer, customer_id)
    quality.apply_fix(owner, "name", customer, region="FR")
    quality.apply_fix(owner, "email_typo", customer, region="FR")
    db_session.commit()
    customer = db_session.get(Customer, customer_id)
    assert (customer.first_name, customer.last_name, customer.email) == ("Marie", "Curie", "marie@gmail.com")
    assert customer.email_key == "marie@gmail.com"
    fields = [e.details["fields"] for e in db_session.query(AuditEvent).filter_by(action="customer_updated")]
    assert fields == [["first_name", "last_name"], ["email"]]
    with pytest.raises(quality.NoFix):
        quality.apply_fix(owner, "name", customer, region="FR")


def test_ignored_items_are_remembered(db_session, make_customer, make_employee):
    owner = employee(db_session, make_employee)
    first = make_customer(first_name="PAUL")
    second = make_customer(first_name="LÉA")
    quality.ignore("name", first, 0, employee_id=owner.id)
    db_session.commit()
    assert ids_of(owner, "name") == [second]
    assert quality.counts(owner)["name"] == 1


def test_a_set_that_cannot_see_emails_is_not_shown_email_problems(db_session, make_customer, make_employee):
    cashier = employee(db_session, make_employee, "cashier")  # Employé: no contact details
    assert quality.visible_kinds(cashier) == ["review", "birthday", "name"]
    with pytest.raises(PermissionError):
        quality.page(cashier, "email_typo")
    masked = employee(db_session, make_employee, "custom", capabilities={"customers.email.masked"})
    assert "email_typo" not in quality.visible_kinds(masked)
    manager = employee(db_session, make_employee, "manager")
    assert set(quality.visible_kinds(manager)) == set(quality.KINDS)
    nobody = employee(db_session, make_employee, "till", capabilities={"access.register"})
    assert quality.visible_kinds(nobody) == [] and quality.badge(nobody) == 0


def test_the_badge_is_capped(db_session, make_customer, make_employee, monkeypatch):
    owner = employee(db_session, make_employee)
    for index in range(5):
        make_customer(first_name=f"NOM{index}", email=f"c{index}@gmial.com")
    assert quality.counts(owner)["name"] == 5
    monkeypatch.setattr(quality, "BADGE_CAP", 3)
    assert quality.counts(owner, cap=3) == {k: min(v, 3) for k, v in quality.counts(owner).items()}
    assert quality.badge(owner) == 3


def test_keyset_pages(db_session, make_customer, make_employee):
    owner = employee(db_session, make_employee)
    ids = [make_customer(first_name=f"NOM{index}") for index in range(5)]
    first = quality.page(owner, "name", limit=2)
    assert [i.customer.id for i in first.items] == ids[:2] and first.next_after == ids[1]
    last = quality.page(owner, "name", after=ids[3], limit=2)
    assert [i.customer.id for i in last.items] == ids[4:] and last.next_after is None


def test_the_counters_hint_names_the_open_kinds(db_session, make_customer, make_employee):
    owner = employee(db_session, make_employee)
    cashier = employee(db_session, make_employee, "cashier")
    customer_id = make_customer(phones=["chez sa mère"], email="a@gmial.com")
    assert quality.open_kinds(owner, customer_id) == ["phone", "email_typo"]
    assert quality.open_kinds(cashier, customer_id) == []
    assert quality.open_kinds(owner, make_customer()) == []


@pytest.mark.parametrize("kind", ["review", "name", "email", "card_only", "phone"])
def test_each_rule_is_read_through_its_partial_index(db_session, make_customer, make_employee, kind):
    """The planner uses the index that holds only the flagged rows: the page
    never walks the million customers."""
    from models.quality_rules import PARTIAL_INDEXES
    owner = employee(db_session, make_employee)
    stmt, key = quality._rows(kind, date(2026, 12, 1))
    compiled = stmt.where(key > 0).limit(26).compile(db.engine, compile_kwargs={"literal_binds": True})
    if db.engine.dialect.name == "postgresql":
        # PostgreSQL chooses by cost: give it a table where the rule flags few.
        db_session.execute(text(
            "INSERT INTO customers (first_name, last_name, email, origin, archived, anonymised, needs_review,"
            " account_profile, default_discount, loyalty_member,"
            " points_balance, visit_count, total_spent_cents, sort_name, name_search, email_search, name_key,"
            " created_at, updated_at, version) SELECT 'Anne', 'Martin', 'a' || g || '@free.fr', 'manual', false,"
            " false, false, 'standard', 0, false, 0, 0, 0, '', '', '', '', now(), now(), 1"
            " FROM generate_series(1, 5000) g"))
        db_session.execute(text("INSERT INTO phones (customer_id, raw, e164, digits, label, linked, created_at)"
                                " SELECT id, '0612345678', '+33612345678', '33612345678', 'mobile', true, now()"
                                " FROM customers"))
        db_session.commit()
        db_session.execute(text("ANALYZE customers"))
        db_session.execute(text("ANALYZE phones"))
        # The compiled text escapes % for psycopg; sent without parameters, it must not be.
        sql = str(compiled).replace("%%", "%")
        cursor = db_session.connection().connection.cursor()
        cursor.execute(f"EXPLAIN {sql}")  # no parameters: psycopg reads no placeholder
        plan = "\n".join(r[0] for r in cursor.fetchall())
    else:
        plan = "\n".join(str(r[-1]) for r in db_session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))
    if kind == "phone" and "ix_phones_e164" in plan:  # PostgreSQL may read the NULLs of the e164 index: as few
        assert "e164 IS NULL" in plan, plan
    else:
        assert PARTIAL_INDEXES[kind][1] in plan, plan
    assert owner
