"""Accent-free search keys, the same on SQLite and PostgreSQL.

anyascii folds ligatures too ("Œuvray" -> "oeuvray"), which SQLite's
remove_diacritics misses; the key is stored so a LIKE on it is all a search needs.
"""
import re
from functools import lru_cache

from anyascii import anyascii

_NOT_ALNUM = re.compile(r"[^a-z0-9@.+]+")


def fold(text: str | None) -> str:
    """Lower-case ASCII, punctuation collapsed to single spaces."""
    if not text:
        return ""
    if text.isascii():
        return _NOT_ALNUM.sub(" ", text.lower()).strip()
    return _fold_unicode(text)


@lru_cache(maxsize=65536)
def _fold_unicode(text: str) -> str:
    # Names repeat (an import of 100,000 customers folds a few thousand
    # distinct ones); anyascii is the costly part.
    return _NOT_ALNUM.sub(" ", anyascii(text).lower()).strip()


def name_key(first: str | None, last: str | None) -> str:
    """Key for "same name ignoring accents and case" (duplicates)."""
    return fold(f"{first or ''} {last or ''}").replace(" ", "")


def digits(text: str | None) -> str:
    return re.sub(r"\D", "", text or "")
