"""The data model's own rules: keys, phones, rewards, versions, configuration."""
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm.exc import StaleDataError

from config import _secret_key, database_url
from models import Customer, Reward, ShopSettings
from models.base import utcnow
from blueprints.customers.search_terms import phone_fragment
from core.phones import display, normalise
from core.textkeys import fold, name_key


def test_fold_removes_accents_case_and_ligatures():
    assert fold("Élodie") == "elodie"
    assert fold("Œuvray") == "oeuvray"
    assert fold("  Jean-Baptiste  O'Brien ") == "jean baptiste o brien"


def test_name_key_ignores_accents_spaces_and_case():
    assert name_key("Élodie", "Dupont") == name_key("elodie", "DUPONT")


@pytest.mark.parametrize("typed", ["06 12 34 56 78", "0612345678", "+33 6 12 34 56 78", "06.12.34.56.78"])
def test_phone_formats_normalise_to_the_same_e164(typed):
    assert normalise(typed, "FR") == "+33612345678"


def test_overseas_mobile_falls_back_to_its_region():
    assert normalise("0692 12 34 56", "FR") == "+262692123456"


def test_invalid_phone_is_none():
    assert normalise("12", "FR") is None
    assert normalise("not a phone", "FR") is None


def test_phone_display_is_national_for_the_shop_region():
    assert display("+33612345678", "FR") == "06 12 34 56 78"
    assert display("+442079460000", "FR").startswith("+44")


def test_phone_fragment_for_full_and_partial_numbers():
    assert phone_fragment("06 12 34 56 78") == "33612345678"
    assert phone_fragment("+33 6 12 34 56 78") == "33612345678"
    assert phone_fragment("0033 6 12") == "33612"
    assert phone_fragment("0612") == "0612"  # the national form in the document keeps its 0
    assert phone_fragment("56 78") == "5678"
    assert phone_fragment("élodie") is None
    assert phone_fragment("06") is None


def test_refresh_keys_derives_sort_and_duplicate_keys():
    customer = Customer(first_name="Élodie", last_name="Œuvray", email="Elodie.O@Example.com")
    customer.refresh_keys()
    assert customer.sort_name == "oeuvray elodie"
    assert customer.email_key == "elodie.o@example.com"
    assert customer.name_key == "elodieoeuvray"


def test_reward_status_follows_claim_and_expiry():
    now = utcnow()
    assert Reward(name="Café offert", expires_at=now + timedelta(days=3)).status(now) == "earned"
    assert Reward(name="Café offert", expires_at=now - timedelta(days=1)).status(now) == "expired"
    assert Reward(name="Café offert", claimed_at=now, expires_at=now - timedelta(days=1)).status(now) == "claimed"


def test_customer_version_refuses_a_stale_write(db_session, make_customer):
    customer_id = make_customer(first_name="Léa")
    customer = db_session.get(Customer, customer_id)
    assert customer.version == 1
    # Another writer changes the row behind this session's back.
    db_session.execute(text("UPDATE customers SET version = version + 1 WHERE id = :id"), {"id": customer_id})
    customer.first_name = "Lea"
    with pytest.raises(StaleDataError):
        db_session.flush()


def test_shop_settings_has_defaults(db_session):
    settings = ShopSettings.get()
    assert (settings.currency, settings.phone_region) == ("EUR", "FR")


def test_sqlite_runs_with_foreign_keys_wal_and_secure_delete(app, tmp_path):
    """On an SQLite engine of its own, so that it runs (not skipped) in the PostgreSQL stage too."""
    from sqlalchemy import create_engine
    engine = create_engine(f"sqlite:///{tmp_path / 'pragmas.sqlite3'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA secure_delete")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
    engine.dispose()


def test_secret_key_is_generated_once_into_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = _secret_key(tmp_path)
    assert len(first) >= 32 and (tmp_path / "secret_key").exists()
    assert _secret_key(tmp_path) == first
    monkeypatch.setenv("SECRET_KEY", "from-env")
    assert _secret_key(tmp_path) == "from-env"


def test_database_url_defaults_to_sqlite_and_maps_postgres_to_psycopg(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert database_url(tmp_path).startswith("sqlite:///")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    assert database_url(tmp_path) == "postgresql+psycopg://u@h/db"


def test_a_short_part_of_a_number_is_not_taken_for_an_overseas_number():
    assert phone_fragment("55 12 98") == "551298"
    assert phone_fragment("34 56 78") == "345678"
