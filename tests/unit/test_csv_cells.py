"""A cell's trip out through our export and back in through our import
(core/csv_cells.py, importing/cells.py:unprotect), over any text (hypothesis)."""
from hypothesis import example, given
from hypothesis import strategies as st

from blueprints.customers.importing.cells import unprotect
from core.csv_cells import FORMULA_START, safe_text


@given(st.text())
@example("=SUM(A1:A9)")
@example("+33 6 12 34 56 78")
@example("-5")
@example("@dupont")
def test_an_exported_cell_imports_as_it_was(text):
    # Our export adds one apostrophe before a formula start; the import takes
    # it off again. A text that itself begins with an apostrophe is ambiguous
    # in any CSV (a spreadsheet's protection looks the same), so it is left out.
    if text.startswith("'"):
        return
    assert unprotect(safe_text(text)) == text


@given(st.text(min_size=1))
def test_no_exported_cell_starts_a_formula(text):
    assert not safe_text(text).startswith(FORMULA_START)
