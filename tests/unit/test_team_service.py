"""The team's rules without HTTP: the last owner, permission sets, the matrix's
dependencies and refusals, the audit trail's query and CSV."""
import csv
import io
from datetime import date, datetime

import pytest
from sqlalchemy import select

from blueprints.team import audit_csv, audit_log, employees, owners, permission_matrix, permission_sets
from blueprints.team.errors import TeamError
from blueprints.team.passwords import generate_password
from models import AuditEvent, Employee, PermissionSet
from core.permissions import CAPABILITIES, closure


@pytest.fixture
def team(db_session, shop, make_employee):
    """An owner and the default sets, as objects of the session."""
    sets = {name: db_session.get(PermissionSet, set_id) for name, set_id in shop["sets"].items()}
    owner = db_session.get(Employee, make_employee("owner"))
    return {"owner": owner, "sets": sets, "session": db_session, "make": make_employee}


def events(session, action):
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- the last owner ----------------------------------------------------------

def test_last_active_owner_cannot_be_demoted(team):
    owner = team["owner"]
    with pytest.raises(TeamError) as refused:
        employees.update_employee(owner, owner, name="Owner", email="owner@test.example",
                                permission_set_id=team["sets"]["Gérant"].id)
    assert refused.value.field == "permission_set"
    assert owner.permission_set.is_owner


def test_last_active_owner_cannot_be_deactivated_even_by_another_team_manager(team):
    session = team["session"]
    admin = session.get(Employee, team["make"](capabilities={"team.manage"}, email="admin@test.example"))
    with pytest.raises(TeamError):
        employees.deactivate_employee(admin, team["owner"])
    assert team["owner"].active


def test_an_inactive_owner_does_not_count_as_the_remaining_owner(team):
    session = team["session"]
    team["make"]("owner", email="gone@test.example", active=False)
    assert owners.active_owner_count(excluding=team["owner"].id) == 0
    with pytest.raises(TeamError):
        employees.update_employee(team["owner"], team["owner"], name="Owner", email="owner@test.example",
                                permission_set_id=team["sets"]["Employé"].id)
    session.rollback()


def test_an_owner_may_be_deactivated_while_another_stays_active(team):
    session = team["session"]
    second = session.get(Employee, team["make"]("owner", email="second@test.example"))
    employees.deactivate_employee(team["owner"], second)
    session.commit()
    assert second.active is False
    assert [e.target_id for e in events(session, "employee_deactivated")] == [second.id]
    # …and then the remaining one is the last.
    with pytest.raises(TeamError):
        employees.update_employee(team["owner"], team["owner"], name="O", email="owner@test.example",
                                permission_set_id=team["sets"]["Gérant"].id)


def test_temporary_passwords_are_long_and_different():
    passwords = {generate_password() for _ in range(50)}
    assert len(passwords) == 50
    assert all(len(p) == 14 and p.count("-") == 2 for p in passwords)
    assert not any(ch in "".join(passwords) for ch in "01ilo")


def test_creating_an_employee_lowercases_email_and_refuses_a_duplicate(team):
    employee, password = employees.create_employee(
        team["owner"], name="  Lou  ", email=" Lou@Boutique.Example ", permission_set_id=team["sets"]["Employé"].id)
    assert employee.email == "lou@boutique.example" and employee.name == "Lou"
    assert password not in employee.password_hash
    with pytest.raises(TeamError) as refused:
        employees.create_employee(team["owner"], name="Lou 2", email="LOU@boutique.example",
                                permission_set_id=team["sets"]["Employé"].id)
    assert refused.value.field == "email"


def test_an_unknown_location_is_refused(team):
    with pytest.raises(TeamError) as refused:
        employees.create_employee(team["owner"], name="X", email="x@test.example",
                                permission_set_id=team["sets"]["Employé"].id, location_ids=[9999])
    assert refused.value.field == "locations"


# --- permission sets ---------------------------------------------------------

def test_copy_of_a_set_has_its_capabilities_and_is_audited(team):
    copy = permission_sets.copy_set(team["owner"], team["sets"]["Gérant"].id, "Gérant du soir")
    assert closure(copy.capabilities) == closure(team["sets"]["Gérant"].capabilities)
    assert not copy.is_owner and not copy.is_default
    event, = events(team["session"], "permission_set_created")
    assert event.target_id == copy.id and event.details == {"source": team["sets"]["Gérant"].id}


def test_copy_of_the_owner_set_is_an_ordinary_editable_set_with_everything(team):
    copy = permission_sets.copy_set(team["owner"], team["sets"]["Propriétaire"].id, "Presque tout")
    assert copy.capabilities == CAPABILITIES and not copy.is_owner
    permission_matrix.toggle_capability(team["owner"], copy, "customers.delete", False)
    assert "customers.delete" not in copy.capabilities


def test_set_names_are_unique_whatever_the_case(team):
    with pytest.raises(TeamError):
        permission_sets.copy_set(team["owner"], team["sets"]["Employé"].id, "gérant")
    with pytest.raises(TeamError):
        permission_sets.rename_set(team["owner"], team["sets"]["Employé"], " GÉRANT ")


def test_the_owner_set_cannot_be_renamed_deleted_or_edited(team):
    owner_set = team["sets"]["Propriétaire"]
    for attempt in (lambda: permission_sets.rename_set(team["owner"], owner_set, "Chef"),
                    lambda: permission_sets.delete_set(team["owner"], owner_set),
                    lambda: permission_matrix.toggle_capability(team["owner"], owner_set, "customers.delete", False),
                    lambda: permission_matrix.set_contact_level(team["owner"], owner_set, "email", "none")):
        with pytest.raises(TeamError):
            attempt()
    assert owner_set.name == "Propriétaire"


def test_a_set_in_use_cannot_be_deleted_and_says_how_many_use_it(team, app):
    manager_set = team["sets"]["Gérant"]
    team["make"]("manager", email="m1@test.example")
    team["make"]("manager", email="m2@test.example")
    with app.test_request_context():
        with pytest.raises(TeamError) as refused:
            permission_sets.delete_set(team["owner"], manager_set)
        assert str(refused.value.message).startswith("2 employés utilisent cet ensemble")


def test_an_unused_set_is_deleted_and_audited(team):
    copy = permission_sets.copy_set(team["owner"], team["sets"]["Employé"].id, "Saisonniers")
    team["session"].commit()
    copy_id = copy.id
    permission_sets.delete_set(team["owner"], copy)
    team["session"].commit()
    assert team["session"].get(PermissionSet, copy_id) is None
    assert [e.target_id for e in events(team["session"], "permission_set_deleted")] == [copy_id]


def test_the_default_set_cannot_be_deleted_until_another_is_default(team):
    default = team["sets"]["Employé"]
    assert default.is_default
    with pytest.raises(TeamError):
        permission_sets.delete_set(team["owner"], default)
    copy = permission_sets.copy_set(team["owner"], default.id, "Saisonniers")
    permission_sets.make_default_set(team["owner"], copy)
    assert copy.is_default and not default.is_default
    permission_sets.delete_set(team["owner"], default)  # unused and no longer the default


# --- the matrix --------------------------------------------------------------

def test_granting_delete_grants_basic_and_archive_and_says_so(team):
    cashier_set = permission_sets.copy_set(team["owner"], team["sets"]["Employé"].id, "Vide")
    cashier_set.capabilities = set()
    change = permission_matrix.toggle_capability(team["owner"], cashier_set, "customers.delete", True)
    assert {"customers.delete", "customers.basic", "customers.archive", "access.backoffice"} <= \
        cashier_set.capabilities
    assert set(change.also_granted) == {"customers.basic", "customers.archive", "access.backoffice"}
    assert change.also_removed == []


def test_removing_basic_removes_everything_that_depends_on_it(team):
    manager_set = team["sets"]["Gérant"]
    change = permission_matrix.toggle_capability(team["owner"], manager_set, "customers.basic", False)
    caps = manager_set.capabilities
    assert not caps & {"customers.basic", "customers.email.edit", "customers.email.view", "customers.email.masked",
                       "customers.merge", "customers.archive", "loyalty.points", "sales.invoices"}
    assert {"access.register", "access.backoffice", "sales.refund"} <= caps  # not dependent on basic
    assert "customers.merge" in change.also_removed and "customers.email.edit" in change.also_removed


def test_edit_level_grants_view_and_masked(team):
    cashier_set = team["sets"]["Employé"]
    change = permission_matrix.set_contact_level(team["owner"], cashier_set, "phone", "edit")
    assert {"customers.phone.edit", "customers.phone.view", "customers.phone.masked"} <= cashier_set.capabilities
    assert set(change.also_granted) == {"customers.phone.view", "customers.phone.masked"}


def test_lowering_a_field_to_masked_drops_view_and_edit(team):
    manager_set = team["sets"]["Gérant"]
    permission_matrix.set_contact_level(team["owner"], manager_set, "address", "masked")
    assert permission_matrix.set_field_level(manager_set.capabilities, "address") == "masked"
    permission_matrix.set_contact_level(team["owner"], manager_set, "address", "none")
    assert not {c for c in manager_set.capabilities if c.startswith("customers.address.")}
    with pytest.raises(TeamError):
        permission_matrix.set_contact_level(team["owner"], manager_set, "address", "everything")


def test_unchecking_view_of_a_field_at_edit_leaves_it_masked(team):
    manager_set = team["sets"]["Gérant"]
    permission_matrix.toggle_capability(team["owner"], manager_set, "customers.email.view", False)
    assert permission_matrix.set_field_level(manager_set.capabilities, "email") == "masked"


def test_every_matrix_change_is_audited_with_set_and_capability(team):
    cashier_set = team["sets"]["Employé"]
    permission_matrix.toggle_capability(team["owner"], cashier_set, "customers.export", True)
    permission_matrix.set_contact_level(team["owner"], cashier_set, "email", "masked")
    team["session"].commit()
    first, second = sorted(events(team["session"], "permission_changed"), key=lambda e: e.id)
    assert first.target_id == cashier_set.id
    assert first.details["set"] == cashier_set.id and first.details["capability"] == "customers.export"
    assert first.details["granted"] is True and first.details["added"] == ["customers.export"]
    assert second.details["capability"] == "customers.email.masked"


def test_a_toggle_that_changes_nothing_is_not_audited(team):
    permission_matrix.toggle_capability(team["owner"], team["sets"]["Gérant"], "customers.basic", True)
    assert events(team["session"], "permission_changed") == []


def test_an_unknown_capability_is_refused(team):
    with pytest.raises(TeamError):
        permission_matrix.toggle_capability(team["owner"], team["sets"]["Gérant"], "customers.everything", True)


def test_removing_team_manage_from_ones_own_set_is_refused(team):
    session = team["session"]
    admin_set = permission_sets.copy_set(team["owner"], team["sets"]["Gérant"].id, "Admins")
    permission_matrix.toggle_capability(team["owner"], admin_set, "team.manage", True)
    session.commit()  # make_employee writes from its own session
    admin = session.get(Employee, team["make"]("manager", email="admin@test.example"))
    admin.permission_set = admin_set
    session.flush()
    with pytest.raises(TeamError):
        permission_matrix.toggle_capability(admin, admin_set, "team.manage", False)
    assert "team.manage" in admin_set.capabilities
    # The owner may (an owner keeps the team).
    permission_matrix.toggle_capability(team["owner"], admin_set, "team.manage", False)
    assert "team.manage" not in admin_set.capabilities


def test_matrix_rows_fold_each_contact_field_into_one_row():
    groups = permission_matrix.matrix_groups()
    assert [g.key for g in groups] == ["access", "customer_data", "profile", "actions", "loyalty", "sales", "team"]
    customer_data = next(g for g in groups if g.key == "customer_data")
    assert [(r.kind, r.key) for r in customer_data.rows] == [("field", "email"), ("field", "phone"),
                                                             ("field", "address")]
    rows = [r.key for g in groups for r in g.rows if r.kind == "capability"]
    assert set(rows) == {c for c in CAPABILITIES if c.split(".")[1] not in ("email", "phone", "address")}


# --- the audit trail ---------------------------------------------------------

def test_audit_query_round_trips_through_the_url():
    query = audit_log.AuditQuery.from_args({"employee": "3", "action": "profile_viewed", "from": "2026-01-02",
                                          "to": "2026-01-31", "page": "2"})
    assert query.employee_id == 3 and query.start == date(2026, 1, 2) and query.page == 2
    assert audit_log.AuditQuery.from_args(query.to_args()) == query
    junk = audit_log.AuditQuery.from_args({"employee": "x", "from": "hier", "page": "-4"})
    assert junk.employee_id is None and junk.start is None and junk.page == 1


def test_audit_period_includes_the_whole_last_day(team):
    session = team["session"]
    for day, hour in ((1, 10), (2, 23), (3, 0)):
        session.add(AuditEvent(action="sign_in", at=datetime(2026, 3, day, hour), details={}))
    session.flush()
    query = audit_log.AuditQuery(start=date(2026, 3, 2), end=date(2026, 3, 2))
    found = list(session.scalars(audit_log.audit_select(query)))
    assert [e.at.day for e in found] == [2]


def test_csv_cells_are_neutralised_against_formulas():
    for dangerous in ("=1+1", "+33", "-2", "@SUM(A1)", "\tx", "\rx", "\nx", "\0x"):
        assert audit_csv.csv_cell(dangerous).startswith("'")
    assert audit_csv.csv_cell("Camille") == "Camille" and audit_csv.csv_cell(None) == "" and audit_csv.csv_cell(3) == "3"


def test_audit_csv_starts_with_a_bom_and_names_employees_not_customers(team, app):
    session = team["session"]
    session.add(AuditEvent(action="profile_viewed", employee_id=team["owner"].id, target_type="customer",
                           target_id=42, details={}))
    session.flush()
    events_ = list(session.execute(audit_log.audit_rows_select(audit_log.AuditQuery())))
    with app.test_request_context():
        text = "".join(audit_csv.audit_csv_rows(events_, audit_log.target_names(), lambda moment: moment))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:4] == ["date", "employee_id", "employee", "action"]
    assert rows[1][2] == "Owner" and rows[1][3] == "profile_viewed" and rows[1][6] == "42"
