"""Add English translations to a catalogue: python scripts/po_add.py PO_FILE DICT_FILE.

DICT_FILE is a Python file defining T = {"msgid": "English",
("French singular", "French plural"): ("English singular", "English plural")}.
Entries already in the catalogue are replaced; the file is kept sorted.
"""
import runpy
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po


def main(po_file: str, dict_file: str) -> None:
    path = Path(po_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale="en")
    else:
        catalogue = Catalog(locale="en", project="Comptoir")
    for msgid, text in runpy.run_path(dict_file)["T"].items():
        # Catalog.add keeps an existing entry's old (often empty) text: drop it first.
        key = msgid[0] if isinstance(msgid, tuple) else msgid
        if key in catalogue:
            del catalogue[key]
        catalogue.add(msgid, text)
    catalogue.fuzzy = False
    with path.open("wb") as handle:
        write_po(handle, catalogue, sort_output=True, width=0)


if __name__ == "__main__":
    main(*sys.argv[1:3])
