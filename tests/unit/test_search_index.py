"""The search documents, that every write keeps them (and the databases'
trigram indexes) right, and the trigram index answering like the LIKE."""
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from models import Customer, Phone
from core.search_index import documents, email_document, name_document, phone_document
from core.textkeys import fold


def docs_of(session, customer_id):
    row = session.execute(select(Customer.name_search, Customer.email_search, Customer.phone_search)
                          .where(Customer.id == customer_id)).one()
    return {"name": row[0], "email": row[1], "phone": row[2]}


def fts_ids(session, query):
    """Customers the database's own index finds (SQLite FTS5, PostgreSQL pg_trgm)."""
    if session.get_bind().dialect.name == "sqlite":
        return set(session.scalars(text("SELECT rowid FROM customer_fts WHERE customer_fts MATCH :q"), {"q": query}))
    column, word = query.split(" : ")
    return set(session.scalars(text(f"SELECT id FROM customers WHERE {column} LIKE :w"),
                               {"w": "%" + word.strip('"') + "%"}))


def test_name_document_folds_accents_ligatures_and_apostrophes():
    assert name_document("Élodie", "O'Brien") == "elodie o brien elodieobrien"
    assert "oeuvray" in name_document(None, "Œuvray")
    assert name_document("Jan", "van der Berg", "Boulangerie Lefèvre") == \
        "jan van der berg janvanderberg boulangerie lefevre boulangerielefevre"


def test_email_document_is_the_folded_address():
    assert email_document("Elodie.Dupont@Gmail.com") == "elodie.dupont@gmail.com"


def test_phone_document_holds_international_and_national_forms():
    assert phone_document(["+33612345678"]) == "33612345678 0612345678"
    assert phone_document(["+15145550199"]) == "15145550199"  # trunk "1" in North America: one form
    assert phone_document(["+390612345678"]) == "390612345678 0612345678"  # Italy: the 0 is part of it
    assert phone_document([], ["0912345678"]) == "0912345678"  # kept as typed


def test_new_customer_gets_its_documents(db_session, make_customer):
    customer_id = make_customer(first_name="Zoë", last_name="Müller", email="zoe@example.com",
                                phones=["06 12 34 56 78"])
    assert docs_of(db_session, customer_id) == {"name": "zoe muller zoemuller", "email": "zoe@example.com",
                                                "phone": "33612345678 0612345678"}


def test_renamed_customer_is_reindexed_in_the_trigram_index(db_session, make_customer):
    customer_id = make_customer(first_name="Léa", last_name="Petitjean")
    assert customer_id in fts_ids(db_session, 'name_search : "petitj"')
    customer = db_session.get(Customer, customer_id)
    customer.last_name = "Grandval"
    customer.refresh_keys()
    db_session.commit()
    assert "grandval" in docs_of(db_session, customer_id)["name"]
    assert customer_id in fts_ids(db_session, 'name_search : "randva"')
    assert customer_id not in fts_ids(db_session, 'name_search : "petitj"')


def test_unlinked_phone_leaves_the_document(db_session, make_customer):
    customer_id = make_customer(phones=["06 12 34 56 78"])
    assert customer_id in fts_ids(db_session, 'phone_search : "3456"')
    phone = db_session.scalar(select(Phone).where(Phone.customer_id == customer_id))
    phone.linked = False
    db_session.commit()
    assert docs_of(db_session, customer_id)["phone"] == ""
    assert customer_id not in fts_ids(db_session, 'phone_search : "3456"')


def test_documents_are_written_only_by_search_index(db_session, make_customer):
    """refresh_keys (called by every edit) must not overwrite the name
    document with a shorter one that lacks the company."""
    customer_id = make_customer(first_name="Anne", last_name="Roux", company="Fromagerie Roux")
    customer = db_session.get(Customer, customer_id)
    customer.refresh_keys()
    customer.city = "Lyon"
    db_session.commit()
    assert "fromagerie" in docs_of(db_session, customer_id)["name"]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="aàbcçdeéèêfghiïjklmnoôœpqrstuùvwxyz '-", min_size=1, max_size=20),
       st.text(alphabet="aàbcçdeéèêfghiïjklmnoôœpqrstuùvwxyz '-", min_size=1, max_size=20))
def test_every_word_of_a_name_is_found_in_its_document(first, last):
    """What the search folds from a typed name is in the document of that name."""
    doc = name_document(first, last)
    for word in fold(f"{first} {last}").split():
        assert word in doc
    assert documents(first, last, None)["name_search"] == doc


def test_reindex_search_command_repairs_documents_changed_behind_the_app(app, db_session, make_customer):
    customer_id = make_customer(first_name="Bérénice", last_name="Quaglia", phones=["06 11 22 33 44"])
    db_session.execute(text("UPDATE customers SET name_search = '', phone_search = '' WHERE id = :id"),
                       {"id": customer_id})
    db_session.commit()
    assert customer_id not in fts_ids(db_session, 'name_search : "quagl"')
    result = app.test_cli_runner().invoke(args=["reindex-search"])
    assert result.exit_code == 0, result.output
    db_session.expire_all()
    assert docs_of(db_session, customer_id)["phone"] == "33611223344 0611223344"
    assert customer_id in fts_ids(db_session, 'name_search : "quagl"')


def test_the_migration_round_trip_keeps_phones_and_rebuilds_the_documents(app, db_session, make_customer):
    """Down to before the trigram search and up again: the phones survive
    (a batch copy of customers would cascade to them on SQLite) and the
    upgrade writes every document from the data."""
    from pathlib import Path

    from flask_migrate import downgrade, upgrade
    customer_id = make_customer(first_name="Ysé", last_name="Kerbrat", phones=["06 55 44 33 22"])
    migrations = str(Path(__file__).resolve().parents[2] / "migrations")
    db_session.remove()
    with app.app_context():
        downgrade(directory=migrations, revision="d15a00000001")
        try:
            assert db_session.execute(text("SELECT count(*) FROM phones")).scalar() == 1
        finally:
            db_session.remove()
            upgrade(directory=migrations)
    assert docs_of(db_session, customer_id) == {"name": "yse kerbrat ysekerbrat", "email": "",
                                                "phone": "33655443322 0655443322"}
    assert customer_id in fts_ids(db_session, 'phone_search : "5544"')
