"""CSV cells safe from spreadsheet formula injection. Every export writes its
cells through safe_text (customers, audit trail), or safe_texts for a whole
column of a long export; the import reads our own export back by taking the
protective apostrophe off (importing/cells.py)."""

# A cell starting with one of these is run by Excel, LibreOffice or Sheets as
# a formula (or split by a control character): it gets a leading apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
_FORMULA_FIRST = frozenset(FORMULA_START)  # each start is one character
BOM = "\ufeff"  # first in every CSV, so Excel reads UTF-8 accents


def safe_text(text: str) -> str:
    """The text as a cell a spreadsheet will show, never run."""
    return "'" + text if text.startswith(FORMULA_START) else text


def safe_texts(texts) -> list:
    """safe_text of each text of a column (None stays None), in one loop: a
    million-row export would otherwise make a call per cell."""
    first = _FORMULA_FIRST
    return ["'" + text if text and text[0] in first else text for text in texts]
