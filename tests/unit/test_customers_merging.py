"""Merging customers (seed 000): the rules, field by field, without HTTP."""
from datetime import date

import pytest
from sqlalchemy import select

from blueprints.customers import merge_candidates, merge_plan, merging
from models import AuditEvent, Customer, Invoice, Phone, PointsEntry, Reward, Sale
from tests.support_customers_data import add_points, add_reward, add_sale, add_to_group, in_request, ledger_sum  # noqa: F401

pytestmark = pytest.mark.usefixtures("in_request")


def merge(db_session, primary_id, secondary_ids, **kwargs):
    result = merging.merge_customers(primary_id, secondary_ids, employee_id=None, **kwargs)
    db_session.commit()
    db_session.expire_all()
    return result


def get(db_session, customer_id) -> Customer:
    return db_session.get(Customer, customer_id)


def test_merge_keeps_primary_value_on_conflict(db_session, make_customer):
    primary = make_customer(first_name="Élodie", last_name="Dupont", email="elodie@example.com", tax_id="FR111")
    secondary = make_customer(first_name="Elodie", last_name="Dupond", email="e.dupont@example.com", tax_id="FR222")
    merge(db_session, primary, [secondary])
    merged = get(db_session, primary)
    assert (merged.first_name, merged.last_name, merged.email, merged.tax_id) == \
        ("Élodie", "Dupont", "elodie@example.com", "FR111")


def test_merge_fills_empty_primary_fields_from_the_first_secondary_with_a_value(db_session, make_customer):
    primary = make_customer(first_name="Léa", last_name="Petit", email=None)
    first = make_customer(first_name="Lea", last_name=None, email=None, birthday=date(1990, 5, 17))
    second = make_customer(first_name="L.", last_name="Petit", email="lea@example.com",
                           birthday=date(1985, 1, 1), comments="Allergique aux noix", tax_id="FR333")
    merge(db_session, primary, [first, second])
    merged = get(db_session, primary)
    assert merged.email == "lea@example.com"          # only the second has one
    assert merged.birthday == date(1990, 5, 17)        # the first secondary in the chosen order wins
    assert merged.comments == "Allergique aux noix"
    assert merged.tax_id == "FR333"
    assert merged.first_name == "Léa"                  # the primary's value stays


def test_merge_order_of_secondaries_decides_which_value_fills(db_session, make_customer):
    primary = make_customer(first_name="Paul", last_name="Roux", email=None)
    a = make_customer(first_name="Paul", last_name="Roux", email="a@example.com")
    b = make_customer(first_name="Paul", last_name="Roux", email="b@example.com")
    merge(db_session, primary, [b, a])
    assert get(db_session, primary).email == "b@example.com"


def test_merge_takes_the_postal_address_as_one_field(db_session, make_customer):
    primary = make_customer(first_name="Ana", city="Lyon")  # a city without a street: not empty
    secondary = make_customer(first_name="Ana", address_line1="3 rue Neuve", postal_code="75001", city="Paris")
    empty_primary = make_customer(first_name="Bob")
    other = make_customer(first_name="Bob", address_line1="1 quai Est", postal_code="69002", city="Lyon",
                          country="FR")
    merge(db_session, primary, [secondary])
    merge(db_session, empty_primary, [other])
    kept = get(db_session, primary)
    assert (kept.address_line1, kept.postal_code, kept.city) == (None, None, "Lyon")
    filled = get(db_session, empty_primary)
    assert (filled.address_line1, filled.postal_code, filled.city, filled.country) == \
        ("1 quai Est", "69002", "Lyon", "FR")


def test_merge_archives_the_secondaries_and_links_them_to_the_primary(db_session, make_customer):
    primary = make_customer(first_name="Jo")
    a, b = make_customer(first_name="Jo"), make_customer(first_name="Jo")
    merge(db_session, primary, [a, b])
    for secondary in (a, b):
        record = get(db_session, secondary)
        assert record.archived and record.archived_at is not None
        assert record.merged_into_id == primary
        assert record.first_name == "Jo"  # kept, so it can be recovered
    assert not get(db_session, primary).archived


def test_merge_moves_sales_invoices_and_rewards(db_session, make_customer, shop):
    primary = make_customer(first_name="Max")
    secondary = make_customer(first_name="Max")
    sale = add_sale(secondary, shop["location_id"], invoice=True)
    reward = add_reward(secondary)
    db_session.commit()
    merge(db_session, primary, [secondary])
    assert db_session.get(Sale, sale).customer_id == primary
    assert db_session.scalar(select(Invoice.customer_id).where(Invoice.sale_id == sale)) == primary
    assert db_session.get(Reward, reward).customer_id == primary


def test_merge_adds_points_up_and_every_ledger_equals_its_balance(db_session, make_customer):
    primary = make_customer(first_name="Zoé")
    a, b = make_customer(first_name="Zoé"), make_customer(first_name="Zoé")
    add_points(primary, 10)
    add_points(a, 25)
    add_points(b, 7)
    db_session.commit()
    merge(db_session, primary, [a, b])
    assert get(db_session, primary).points_balance == 42
    assert ledger_sum(primary) == 42
    for secondary in (a, b):
        assert get(db_session, secondary).points_balance == 0
        assert ledger_sum(secondary) == 0


def test_merge_reconciles_a_balance_that_had_no_ledger_rows(db_session, make_customer):
    primary = make_customer(first_name="Ivy")
    secondary = make_customer(first_name="Ivy", points_balance=15)  # older data: no ledger row
    add_points(primary, 5)
    db_session.commit()
    merge(db_session, primary, [secondary])
    assert get(db_session, primary).points_balance == 20
    assert ledger_sum(primary) == 20
    assert db_session.scalar(select(PointsEntry.delta).where(PointsEntry.customer_id == primary,
                                                            PointsEntry.kind == "merge")) == 15


def test_merge_makes_the_primary_a_member_if_any_record_was(db_session, make_customer):
    primary = make_customer(first_name="Ugo")
    secondary = make_customer(first_name="Ugo")
    add_points(secondary, 3)
    db_session.commit()
    merge(db_session, primary, [secondary])
    merged = get(db_session, primary)
    assert merged.loyalty_member and merged.loyalty_enrolled_at is not None
    assert not get(db_session, secondary).loyalty_member


def test_merge_gives_the_union_of_groups(db_session, make_customer):
    primary = make_customer(first_name="Rita")
    secondary = make_customer(first_name="Rita")
    add_to_group("VIP", primary)
    add_to_group("VIP", secondary)
    add_to_group("Voisins", secondary)
    db_session.commit()
    merge(db_session, primary, [secondary])
    assert [g.name for g in get(db_session, primary).groups] == ["VIP", "Voisins"]


def test_merge_moves_phones_without_duplicates(db_session, make_customer):
    primary = make_customer(first_name="Nina", phones=["06 12 34 56 78"])
    a = make_customer(first_name="Nina", phones=["+33 6 12 34 56 78", "07 81 22 33 44"])
    b = make_customer(first_name="Nina", phones=["0781223344", "01 40 00 00 00"])
    merge(db_session, primary, [a, b])
    numbers = sorted(p.e164 for p in get(db_session, primary).phones)
    assert numbers == ["+33140000000", "+33612345678", "+33781223344"]
    assert db_session.scalar(select(Phone).where(Phone.customer_id.in_([a, b]))) is None


def test_merge_recomputes_the_sales_summary_from_completed_sales(db_session, make_customer, shop):
    primary = make_customer(first_name="Eva")
    secondary = make_customer(first_name="Eva")
    add_sale(primary, shop["location_id"], 1000, days_ago=3)
    add_sale(secondary, shop["location_id"], 500, days_ago=10)
    add_sale(secondary, shop["location_id"], 700, days_ago=1)
    add_sale(secondary, shop["location_id"], 9999, status="refunded")
    db_session.commit()
    merge(db_session, primary, [secondary])
    merged = get(db_session, primary)
    assert merged.visit_count == 3
    assert merged.total_spent_cents == 2200
    sales = db_session.scalars(select(Sale).where(Sale.customer_id == primary, Sale.status == "completed")).all()
    assert merged.first_visit_at == min(s.created_at for s in sales)
    assert merged.last_visit_at == max(s.created_at for s in sales)
    assert get(db_session, secondary).visit_count == 0


def test_merge_bumps_the_version_and_refreshes_keys_and_search_documents(db_session, make_customer):
    primary = make_customer(first_name="Chloé", last_name=None)
    secondary = make_customer(first_name="Chloe", last_name="Bérard", phones=["06 98 76 54 32"])
    version = get(db_session, primary).version
    merge(db_session, primary, [secondary])
    merged = get(db_session, primary)
    assert merged.version > version
    db_session.expire_all()
    merged, old = get(db_session, primary), get(db_session, secondary)
    assert merged.name_search == "chloe berard chloeberard"
    assert merged.phone_search == "33698765432 0698765432"
    assert old.phone_search == ""  # its number moved to the primary


def test_merge_writes_an_audit_event_with_ids_only(db_session, make_customer):
    primary = make_customer(first_name="Hugo", email="hugo@example.com")
    a, b = make_customer(first_name="Hugo"), make_customer(first_name="Hugo")
    merge(db_session, primary, [a, b])
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "customers_merged"))
    assert (event.target_type, event.target_id, event.count) == ("customer", primary, 2)
    assert event.details["secondary_ids"] == [a, b]
    assert "hugo" not in str(event.details).lower()


@pytest.mark.parametrize("case", ["self", "none", "anonymised_primary", "anonymised_secondary",
                                  "archived_primary", "too_many"])
def test_merge_refusals_write_nothing(db_session, make_customer, case):
    primary = make_customer(first_name="Lou")
    secondary = make_customer(first_name="Lou", email="lou@example.com")
    ids = [secondary]
    if case == "self":
        ids = [primary]
    elif case == "none":
        ids = []
    elif case == "anonymised_primary":
        get(db_session, primary).anonymised = True
    elif case == "anonymised_secondary":
        get(db_session, secondary).anonymised = True
    elif case == "archived_primary":
        get(db_session, primary).archived = True
    elif case == "too_many":
        ids = [make_customer(first_name="Lou") for _ in range(merge_plan.MAX_SECONDARIES + 1)]
    db_session.commit()
    with pytest.raises(merge_plan.MergeError):
        merging.merge_customers(primary, ids, employee_id=None)
    db_session.rollback()
    assert get(db_session, secondary).merged_into_id is None
    assert get(db_session, primary).email is None


def test_merge_refuses_records_changed_since_the_preview(db_session, make_customer):
    primary = make_customer(first_name="Tom")
    secondary = make_customer(first_name="Tom")
    stale = {primary: get(db_session, primary).version, secondary: get(db_session, secondary).version}
    get(db_session, secondary).email = "tom@example.com"
    db_session.commit()
    with pytest.raises(merge_plan.MergeError):
        merging.merge_customers(primary, [secondary], employee_id=None, expected_versions=stale)
    db_session.rollback()
    assert get(db_session, secondary).merged_into_id is None


def test_archived_secondary_can_be_merged(db_session, make_customer):
    primary = make_customer(first_name="Alix")
    secondary = make_customer(first_name="Alix", email="alix@example.com", archived=True)
    merge(db_session, primary, [secondary])
    assert get(db_session, primary).email == "alix@example.com"


# --- duplicates -------------------------------------------------------------

def test_duplicates_by_email_ignore_case_archived_and_deleted(db_session, make_customer):
    a = make_customer(first_name="A", email="Same@Example.com")
    b = make_customer(first_name="B", email="same@example.com")
    make_customer(first_name="C", email="same@example.com", archived=True)
    make_customer(first_name="D", email="other@example.com")
    groups, next_start = merge_candidates.find_duplicates("email")
    assert [[c.id for c in g.customers] for g in groups] == [[a, b]]
    assert next_start is None


def test_duplicates_by_phone_in_any_format(db_session, make_customer):
    a = make_customer(first_name="A", phones=["06 12 34 56 78"])
    b = make_customer(first_name="B", phones=["+33612345678"])
    make_customer(first_name="C", phones=["07 81 00 00 00"])
    groups, _ = merge_candidates.find_duplicates("phone")
    assert [[c.id for c in g.customers] for g in groups] == [[a, b]]
    assert groups[0].pairs == [(get(db_session, a), get(db_session, b))]


def test_duplicates_by_name_ignore_accents_and_case(db_session, make_customer):
    a = make_customer(first_name="Élodie", last_name="Dupont")
    b = make_customer(first_name="elodie", last_name="DUPONT")
    make_customer(first_name="Élodie", last_name="Durand")
    groups, _ = merge_candidates.find_duplicates("name")
    assert [[c.id for c in g.customers] for g in groups] == [[a, b]]


def test_duplicates_are_paged_by_an_integer_position(db_session, make_customer):
    for index in range(5):
        make_customer(first_name=f"P{index}", email=f"dup{index}@example.com")
        make_customer(first_name=f"Q{index}", email=f"dup{index}@example.com")
    first, next_start = merge_candidates.find_duplicates("email", per_page=2)
    assert len(first) == 2 and next_start == 2
    second, after = merge_candidates.find_duplicates("email", start=next_start, per_page=2)
    assert len(second) == 2 and {g.customers[0].id for g in second}.isdisjoint({g.customers[0].id for g in first})
    last, end = merge_candidates.find_duplicates("email", start=after, per_page=2)
    assert len(last) == 1 and end is None


def test_duplicates_skip_keys_whose_other_holders_are_archived(db_session, make_customer):
    for index in range(6):  # six keys whose second holder was archived (an earlier merge)
        make_customer(first_name=f"A{index}", email=f"gone{index}@example.com")
        make_customer(first_name=f"B{index}", email=f"gone{index}@example.com", archived=True)
    a = make_customer(first_name="Real", email="zz@example.com")
    b = make_customer(first_name="Real", email="zz@example.com")
    groups, next_start = merge_candidates.find_duplicates("email", per_page=1)
    assert [[c.id for c in g.customers] for g in groups] == [[a, b]]


def test_a_large_duplicate_group_shows_a_few_pairs_and_counts_the_rest(db_session, make_customer):
    for _ in range(merge_candidates.PAIRS_PER_GROUP + 3):
        make_customer(first_name="Jean", last_name="Martin")
    (group,), _ = merge_candidates.find_duplicates("name")
    assert len(group.pairs) == merge_candidates.PAIRS_PER_GROUP and group.more == 2
