"""The loyalty programme's rules (the service modules of blueprints/loyalty/), without HTTP."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from blueprints.customers.service import create_customer, find_by_username
from blueprints.loyalty import contact, enrolment, groups, manual_points, members, programme_settings, rewards
from blueprints.loyalty.members import MemberQuery, get_member, list_members
from blueprints.loyalty.rules import LoyaltyError
from extensions import db
from models import AuditEvent, Customer, Employee, Group, PointsEntry, Reward
from models.base import utcnow
from tests.support_loyalty import balance_and_ledger, enrol, request_context


@pytest.fixture(autouse=True)
def _babel(app):
    with request_context(app):
        yield


def _member(first="Élodie", last="Dupont", email=None, phones=None, points=0, **fields):
    customer = create_customer(first_name=first, last_name=last, email=email, phones=phones or [], **fields)
    enrol(customer.id, points)
    return customer


def _actions():
    return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


# --- Ajouter le client -----------------------------------------------------------

def test_enrol_creates_a_member_whose_email_is_the_username(db_session, shop):
    result = enrolment.enrol_customer(email=" Elodie@Example.fr ", phone="06 12 34 56 78",
                                    first_name="Élodie", last_name="Dupont", employee_id=None)
    db_session.commit()
    assert result.created and not result.already_member
    customer = result.customer
    assert customer.loyalty_member and customer.loyalty_enrolled_at is not None
    assert customer.points_balance == 0 and customer.origin == "loyalty"
    assert [c.id for c in find_by_username("elodie@example.fr")] == [customer.id]
    assert [c.id for c in find_by_username("+33612345678")] == [customer.id]
    assert "loyalty_enrolled" in _actions()


def test_enrol_with_a_directory_email_enrols_that_customer_without_a_duplicate(db_session, shop):
    existing = create_customer(first_name="Élodie", last_name="Dupont", email="elodie@example.fr")
    db_session.commit()
    result = enrolment.enrol_customer(email="ELODIE@example.fr", phone="", first_name="Elo",
                                    last_name="D", employee_id=None)
    db_session.commit()
    assert not result.created and result.customer.id == existing.id
    assert result.customer.loyalty_member
    assert result.customer.first_name == "Élodie"  # details are not overwritten
    assert db_session.scalar(select(db.func.count()).select_from(Customer)) == 1


def test_enrol_with_a_directory_phone_in_another_format_enrols_that_customer(db_session, shop):
    existing = create_customer(first_name="Paul", last_name="Durand", phones=["0612345678"])
    db_session.commit()
    result = enrolment.enrol_customer(email="paul@example.fr", phone="+33 6 12 34 56 78",
                                    first_name="Paul", last_name="Durand", employee_id=None)
    assert result.customer.id == existing.id and not result.created


def test_enrol_an_existing_member_changes_nothing(db_session, shop):
    existing = _member(email="elodie@example.fr", points=30)
    db_session.commit()
    result = enrolment.enrol_customer(email="elodie@example.fr", phone=None, first_name="Élodie",
                                    last_name="Dupont", employee_id=None)
    assert result.already_member and result.customer.id == existing.id
    assert result.customer.points_balance == 30


def test_enrol_refuses_when_email_and_phone_belong_to_two_customers(db_session, shop):
    create_customer(first_name="Élodie", last_name="Dupont", email="elodie@example.fr")
    create_customer(first_name="Paul", last_name="Durand", phones=["06 12 34 56 78"])
    db_session.commit()
    with pytest.raises(LoyaltyError) as error:
        enrolment.enrol_customer(email="elodie@example.fr", phone="0612345678",
                               first_name="Élodie", last_name="Dupont", employee_id=None)
    assert "Élodie Dupont" in str(error.value) and "Paul Durand" in str(error.value)


def test_enrol_refuses_an_email_shared_by_two_directory_customers_and_names_them(db_session, shop):
    create_customer(first_name="Élodie", last_name="Dupont", email="elodie@example.fr")
    create_customer(first_name="Elodie", last_name="Dupond", email="elodie@example.fr")
    db_session.commit()
    with pytest.raises(LoyaltyError) as error:
        enrolment.enrol_customer(email="elodie@example.fr", phone="", first_name="Élodie",
                               last_name="Dupont", employee_id=None)
    assert error.value.field == "email"
    assert "Élodie Dupont" in str(error.value) and "Elodie Dupond" in str(error.value)


def test_enrol_refuses_an_archived_customer(db_session, shop):
    create_customer(first_name="Élodie", last_name="Dupont", email="elodie@example.fr", archived=True)
    db_session.commit()
    with pytest.raises(LoyaltyError, match="archivé"):
        enrolment.enrol_customer(email="elodie@example.fr", phone="", first_name="Élodie",
                               last_name="Dupont", employee_id=None)


@pytest.mark.parametrize("fields, wrong", [
    ({"email": ""}, "email"),
    ({"email": "elodie@"}, "email"),
    ({"email": "elodie example.fr"}, "email"),
    ({"phone": "12"}, "phone"),
    ({"first_name": "  "}, "first_name"),
    ({"last_name": ""}, "last_name"),
    ({"last_name": "x" * 101}, "last_name"),
])
def test_enrol_validates_each_field(db_session, shop, fields, wrong):
    data = {"email": "elodie@example.fr", "phone": "06 12 34 56 78", "first_name": "Élodie",
            "last_name": "Dupont", **fields}
    with pytest.raises(LoyaltyError) as error:
        enrolment.enrol_customer(employee_id=None, **data)
    assert error.value.field == wrong
    assert db_session.scalar(select(Customer)) is None


# --- names and phones --------------------------------------------------------------

def test_rename_updates_the_search_keys(db_session, shop):
    customer = _member(first="Elodie")
    assert contact.rename(customer, "first", "  Éloïse ", None)
    db_session.commit()
    assert customer.first_name == "Éloïse"
    assert customer.name_search == "eloise dupont eloisedupont"
    assert "customer_updated" in _actions()


def test_rename_to_the_same_value_writes_nothing(db_session, shop):
    customer = _member()
    db_session.commit()
    assert contact.rename(customer, "last", "Dupont", None) is False
    assert "customer_updated" not in _actions()


@pytest.mark.parametrize("value", ["", "   ", "x" * 101])
def test_rename_refuses_an_empty_or_too_long_name(db_session, shop, value):
    customer = _member()
    with pytest.raises(LoyaltyError):
        contact.rename(customer, "first", value, None)


def test_unlinked_phone_no_longer_finds_the_member_and_stays_in_history(db_session, shop):
    customer = _member(phones=["06 12 34 56 78", "06 98 76 54 32"])
    db_session.commit()
    old = customer.phones[0]
    contact.unlink_phone(customer, old.id, None)
    db_session.commit()
    assert find_by_username("06 12 34 56 78") == []
    with pytest.raises(LoyaltyError):
        manual_points.resolve_username("0612345678")
    assert manual_points.resolve_username("06 98 76 54 32").id == customer.id
    kept = db_session.get(type(old), old.id)
    assert kept is not None and kept.linked is False and kept.unlinked_at is not None
    assert "phone_unlinked" in _actions()


def test_unlink_refuses_a_phone_of_another_customer(db_session, shop):
    customer = _member()
    other = create_customer(first_name="Paul", phones=["06 12 34 56 78"])
    db_session.commit()
    with pytest.raises(LookupError):
        contact.unlink_phone(customer, other.phones[0].id, None)


# --- groups ---------------------------------------------------------------------------

def test_tag_editor_creates_an_unknown_group_and_reuses_one_ignoring_case(db_session, shop):
    first = _member()
    second = _member(first="Paul", last="Durand")
    group, created = groups.add_to_group(first, "Clients VIP", None)
    assert created
    again, created_again = groups.add_to_group(second, "  clients   vip ", None)
    db_session.commit()
    assert not created_again and again.id == group.id
    assert db_session.scalars(select(Group.name)).all() == ["Clients VIP"]
    assert [g.name for g in second.groups] == ["Clients VIP"]


def test_adding_a_group_twice_keeps_one_tag(db_session, shop):
    customer = _member()
    groups.add_to_group(customer, "VIP", None)
    groups.add_to_group(customer, "vip", None)
    db_session.commit()
    assert [g.name for g in customer.groups] == ["VIP"]


def test_remove_from_group_keeps_the_group(db_session, shop):
    customer = _member()
    group, _ = groups.add_to_group(customer, "VIP", None)
    groups.remove_from_group(customer, group.id, None)
    db_session.commit()
    assert customer.groups == [] and db_session.get(Group, group.id) is not None


def test_delete_group_says_how_many_customers_it_touches(db_session, shop):
    group = groups.create_group("Habitués", None)
    for first in ("A", "B", "C"):
        groups.add_to_group(_member(first=first), "Habitués", None)
    db_session.commit()
    assert groups.delete_group(group, None) == 3
    db_session.commit()
    assert db_session.scalar(select(Group)) is None
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "group_deleted"))
    assert event.count == 3


def test_group_names_are_unique_ignoring_case(db_session, shop):
    groups.create_group("Élite", None)
    other = groups.create_group("Voisins", None)
    with pytest.raises(LoyaltyError):
        groups.create_group("élite", None)
    with pytest.raises(LoyaltyError):
        groups.rename_group(other, "ÉLITE", None)
    groups.rename_group(other, "Voisins du quartier", None)
    assert other.name == "Voisins du quartier"


def test_suggestions_match_accent_free_parts_of_names(db_session, shop):
    for name in ("Élite", "Clients fidèles", "Voisins"):
        groups.create_group(name, None)
    assert [g.name for g in groups.suggest_groups("eli")] == ["Élite"]
    assert [g.name for g in groups.suggest_groups("FIDE")] == ["Clients fidèles"]


# --- points by username -------------------------------------------------------------------

def test_username_matching_two_members_is_refused_naming_both(db_session, shop):
    _member(first="Élodie", last="Dupont", phones=["06 12 34 56 78"])
    _member(first="Paul", last="Dupont", phones=["0612345678"])
    db_session.commit()
    with pytest.raises(LoyaltyError) as error:
        manual_points.change_points_by_username("add", "06 12 34 56 78", "10", None, None)
    message = str(error.value)
    assert "2 membres" in message and "Élodie Dupont" in message and "Paul Dupont" in message
    assert db_session.scalar(select(PointsEntry)) is None


@pytest.mark.parametrize("typed", ["06 12 34 56 78", "+33612345678", "06.12.34.56.78", "ELODIE@example.fr"])
def test_username_is_an_email_or_a_phone_in_any_format(db_session, shop, typed):
    customer = _member(email="elodie@example.fr", phones=["0612345678"])
    db_session.commit()
    found, entry = manual_points.change_points_by_username("add", typed, "15", "geste commercial", None)
    db_session.commit()
    assert found.id == customer.id and entry.delta == 15 and entry.reason == "geste commercial"
    assert balance_and_ledger(customer.id) == (15, 15)


def test_username_of_a_customer_outside_the_programme_is_refused(db_session, shop):
    create_customer(first_name="Paul", email="paul@example.fr")
    db_session.commit()
    with pytest.raises(LoyaltyError, match="pas membre du programme"):
        manual_points.resolve_username("paul@example.fr")
    with pytest.raises(LoyaltyError, match="Aucun membre"):
        manual_points.resolve_username("nobody@example.fr")
    with pytest.raises(LoyaltyError):
        manual_points.resolve_username("not a phone")


@pytest.mark.parametrize("raw", ["", "0", "-3", "1.5", "abc", "10000000", " ", None])
def test_points_must_be_a_whole_positive_number(db_session, shop, raw):
    with pytest.raises(LoyaltyError) as error:
        manual_points.parse_points(raw)
    assert error.value.field == "points"


def test_redeeming_more_than_the_balance_is_refused_with_the_balance(db_session, shop):
    customer = _member(email="elodie@example.fr", points=40)
    db_session.commit()
    with pytest.raises(LoyaltyError) as error:
        manual_points.change_points_by_username("redeem", "elodie@example.fr", "41", None, None)
    assert "40 points" in str(error.value)
    db_session.rollback()
    assert balance_and_ledger(customer.id) == (40, 40)


def test_redeeming_grants_no_reward(db_session, shop):
    customer = _member(email="elodie@example.fr", points=500)
    db_session.commit()
    manual_points.change_points_by_username("redeem", "elodie@example.fr", "500", None, None)
    db_session.commit()
    assert db_session.scalar(select(Reward)) is None
    assert balance_and_ledger(customer.id) == (0, 0)


# --- one-time rewards -------------------------------------------------------------------------

def _reward(customer, **fields):
    now = utcnow()
    reward = Reward(customer_id=customer.id, name="Café offert", earned_at=now - timedelta(days=3),
                    expires_at=now + timedelta(days=10), **fields)
    db.session.add(reward)
    db.session.flush()
    return reward


def test_claiming_an_earned_reward_marks_it_claimed(db_session, shop):
    customer = _member()
    reward = _reward(customer)
    rewards.claim_reward(customer, reward.id, None)
    db_session.commit()
    assert reward.status() == "claimed"
    with pytest.raises(LoyaltyError):
        rewards.claim_reward(customer, reward.id, None)


def test_an_expired_reward_cannot_be_claimed(db_session, shop):
    customer = _member()
    reward = _reward(customer)
    reward.expires_at = utcnow() - timedelta(minutes=1)
    assert reward.status() == "expired"
    with pytest.raises(LoyaltyError, match="expiré"):
        rewards.claim_reward(customer, reward.id, None)


def test_removing_an_earned_reward_revokes_it(db_session, shop):
    customer = _member()
    reward = _reward(customer)
    assert rewards.delete_reward(customer, reward.id, None) == "earned"
    db_session.commit()
    assert db_session.scalar(select(Reward)) is None
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "reward_revoked"))
    assert event.details == {"reward_id": reward.id, "status": "earned"}


def test_a_reward_of_another_customer_is_not_found(db_session, shop):
    customer = _member()
    other = _member(first="Paul")
    reward = _reward(other)
    with pytest.raises(LookupError):
        rewards.delete_reward(customer, reward.id, None)


def test_granting_a_reward_uses_the_shop_validity_by_default(db_session, shop):
    customer = _member()
    reward = rewards.grant_reward(customer, "Dessert offert", "", None)
    assert reward.status() == "earned"
    assert 89 <= (reward.expires_at - reward.earned_at).days <= 90


# --- Retirer du programme -----------------------------------------------------------------------

def test_removal_ends_membership_balance_and_rewards_but_keeps_the_customer(db_session, shop):
    customer = _member(email="elodie@example.fr", points=120)
    _reward(customer)
    db_session.commit()
    assert enrolment.remove_from_programme(customer, None) == 120
    db_session.commit()
    db_session.expire_all()
    kept = db_session.get(Customer, customer.id)
    assert kept is not None and kept.loyalty_member is False and kept.loyalty_enrolled_at is None
    assert balance_and_ledger(customer.id) == (0, 0)
    last = db_session.scalar(select(PointsEntry).order_by(PointsEntry.id.desc()))
    assert (last.kind, last.delta) == ("removal", -120)
    assert db_session.scalar(select(Reward)) is None
    assert get_member(customer.id) is None
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "loyalty_removed"))
    assert event.details == {"points": 120, "rewards": 1}


def test_removal_of_a_negative_balance_brings_it_to_zero(db_session, shop):
    customer = _member()
    from blueprints.loyalty.points import change_balance
    change_balance(customer.id, -15, kind="refund", employee_id=None, allow_negative=True)
    enrolment.remove_from_programme(customer, None)
    db_session.commit()
    assert balance_and_ledger(customer.id) == (0, 0)


# --- settings --------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, stored", [("1,5", "1.50"), ("2", "2.00"), ("0", "0.00"), (" 1 000 ", "1000.00")])
def test_earn_rate_accepts_a_decimal_comma(db_session, shop, typed, stored):
    settings = programme_settings.update_settings(typed, "90", None)
    assert str(settings.earn_rate) == stored


@pytest.mark.parametrize("typed", ["-1", "abc", "1.555", "1001", "NaN", ""])
def test_earn_rate_refuses_nonsense(db_session, shop, typed):
    with pytest.raises(LoyaltyError) as error:
        programme_settings.update_settings(typed, "90", None)
    assert error.value.field == "earn_rate"


# --- the members list -------------------------------------------------------------------------------

@pytest.fixture
def owner(db_session, make_employee):
    return db_session.get(Employee, make_employee("owner"))


def _ids(owner, **query):
    page = list_members(owner, MemberQuery(**query), per_page=50)
    return [c.id for c in page.items]


def test_list_holds_every_member_even_with_zero_points_and_no_one_else(db_session, shop, owner):
    zero = _member(first="Zoé")
    rich = _member(first="Rita", points=100)
    create_customer(first_name="Non", last_name="Membre")
    archived = _member(first="Archi")
    archived.archived = True
    db_session.commit()
    assert _ids(owner) == [rich.id, zero.id]


def test_list_sorts_by_points_both_ways_with_a_stable_tie_break(db_session, shop, owner):
    a = _member(first="A", points=10)
    b = _member(first="B", points=50)
    c = _member(first="C", points=10)
    db_session.commit()
    assert _ids(owner, sort="-points") == [b.id, c.id, a.id]
    assert _ids(owner, sort="points") == [a.id, c.id, b.id]


def test_list_pages_without_repeating_or_skipping(db_session, shop, owner):
    members = [_member(first=f"M{i}", points=i % 3) for i in range(7)]
    db_session.commit()
    seen = []
    for page_number in (1, 2, 3):
        page = list_members(owner, MemberQuery(page=page_number), per_page=3)
        seen += [c.id for c in page.items]
        assert page.has_next == (page_number < 3)
    assert sorted(seen) == sorted(m.id for m in members) and len(seen) == 7


def test_list_filters_by_group(db_session, shop, owner):
    vip = _member(first="Vip")
    _member(first="Other")
    group, _ = groups.add_to_group(vip, "VIP", None)
    db_session.commit()
    assert _ids(owner, group=group.id) == [vip.id]


def test_search_matches_like_the_directory(db_session, shop, owner):
    elodie = _member(first="Élodie", last="Dupont", email="elodie@example.fr", phones=["06 12 34 56 78"])
    _member(first="Paul", last="Durand")
    db_session.commit()
    assert _ids(owner, q="elo dup") == [elodie.id]
    assert _ids(owner, q="elodie@example") == [elodie.id]
    assert _ids(owner, q="0612345678") == [elodie.id]


def test_search_does_not_match_fields_the_employee_may_not_view(db_session, shop, make_employee):
    cashier = db_session.get(Employee, make_employee("cashier"))
    elodie = _member(first="Élodie", email="elodie@example.fr", phones=["06 12 34 56 78"])
    db_session.commit()
    assert _ids(cashier, q="Élodie") == [elodie.id]
    assert _ids(cashier, q="06 12 34 56") == []
    assert _ids(cashier, q="elodie@example") == []
    # The full-value lookup rule: the complete value finds her.
    assert _ids(cashier, q="06 12 34 56 78") == [elodie.id]
    assert _ids(cashier, q="elodie@example.fr") == [elodie.id]


def test_total_is_counted_exactly_below_the_cap(db_session, shop, owner):
    for i in range(3):
        _member(first=f"M{i}")
    db_session.commit()
    page = list_members(owner, MemberQuery(), per_page=2)
    assert (page.total, page.total_is_capped, page.has_next) == (3, False, True)


def test_total_is_capped_above_the_cap(db_session, shop, owner, monkeypatch):
    monkeypatch.setattr(members, "COUNT_CAP", 2)
    for i in range(3):
        _member(first=f"M{i}")
    db_session.commit()
    page = list_members(owner, MemberQuery(), per_page=50)
    assert (page.total, page.total_is_capped, len(page.items)) == (2, True, 3)
