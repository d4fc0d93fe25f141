"""Every string of the interface has its English translation (French is the source)."""
from core.i18n import missing_english


def test_every_interface_string_is_translated_to_english():
    assert missing_english() == []
