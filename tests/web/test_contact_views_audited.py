"""Opening a customer with contact details shown is audited in every room,
and not when the employee sees none."""
from sqlalchemy import select

from models import AuditEvent


def viewed(app, customer_id):
    from extensions import db
    with app.app_context():
        return [event.details.get("via") for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "profile_viewed", AuditEvent.target_id == customer_id))]


def test_directory_loyalty_and_counter_views_are_audited(app, signed_in, make_customer):
    client = signed_in("owner")
    customer_id = make_customer(first_name="Inès", email="ines@example.com", phones=["06 12 34 56 78"],
                                loyalty_member=True)
    assert client.get(f"/customers/{customer_id}").status_code == 200
    assert client.get(f"/loyalty/members/{customer_id}").status_code == 200
    assert client.get(f"/sales/counter/customer?customer_id={customer_id}").status_code == 200
    assert sorted(viewed(app, customer_id)) == ["counter", "directory", "loyalty"]


def test_no_audit_when_no_contact_detail_is_shown(app, signed_in, make_customer):
    client = signed_in("cashier")
    customer_id = make_customer(first_name="Inès", email="ines@example.com", loyalty_member=True)
    assert client.get(f"/customers/{customer_id}").status_code == 200
    assert client.get(f"/loyalty/members/{customer_id}").status_code == 200
    assert viewed(app, customer_id) == []
