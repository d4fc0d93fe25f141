"""CSV cells safe from spreadsheet formula injection. Every export writes its
cells through safe_text (customers, audit trail); the import reads our own
export back by taking the protective apostrophe off (importing/cells.py)."""

# A cell starting with one of these is run by Excel, LibreOffice or Sheets as
# a formula (or split by a control character): it gets a leading apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
BOM = "\ufeff"  # first in every CSV, so Excel reads UTF-8 accents


def safe_text(text: str) -> str:
    """The text as a cell a spreadsheet will show, never run."""
    return "'" + text if text.startswith(FORMULA_START) else text
