"""The search index: terms, and that ORM changes keep it right."""
from sqlalchemy import select

from models import Customer, CustomerSearchTerm, Phone
from search_index import email_terms, name_terms, phone_terms


def terms_of(session, customer_id):
    return set(session.execute(select(CustomerSearchTerm.field, CustomerSearchTerm.term)
                               .where(CustomerSearchTerm.customer_id == customer_id)).all())


def test_name_terms_fold_accents_ligatures_and_apostrophes():
    assert name_terms("Élodie", "O'Brien") == {"elodie", "o", "brien", "elodieobrien"}
    assert "oeuvray" in name_terms(None, "Œuvray")


def test_email_terms_hold_whole_address_and_parts():
    assert email_terms("Elodie.Dupont@Gmail.com") == {"elodie.dupont@gmail.com", "elodie", "dupont", "gmail", "com"}


def test_phone_terms_hold_international_national_and_last_four():
    assert phone_terms("+33612345678") == {"33612345678", "612345678", "5678"}


def test_new_customer_is_indexed(db_session, make_customer):
    customer_id = make_customer(first_name="Zoë", last_name="Müller", email="zoe@example.com",
                                phones=["06 12 34 56 78"])
    terms = terms_of(db_session, customer_id)
    assert ("name", "zoe") in terms and ("name", "muller") in terms
    assert ("email", "zoe@example.com") in terms
    assert ("phone", "612345678") in terms


def test_renamed_customer_is_reindexed(db_session, make_customer):
    customer_id = make_customer(first_name="Léa", last_name="Petit")
    customer = db_session.get(Customer, customer_id)
    customer.last_name = "Grand"
    customer.refresh_keys()
    db_session.commit()
    terms = terms_of(db_session, customer_id)
    assert ("name", "grand") in terms and ("name", "petit") not in terms


def test_unlinked_phone_leaves_the_index(db_session, make_customer):
    customer_id = make_customer(phones=["06 12 34 56 78"])
    phone = db_session.scalar(select(Phone).where(Phone.customer_id == customer_id))
    phone.linked = False
    db_session.commit()
    assert not any(field == "phone" for field, _ in terms_of(db_session, customer_id))
