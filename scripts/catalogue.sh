#!/usr/bin/env bash
# The one catalogue, the usual Flask-Babel way: extract every French msgid of
# the tree into translations/messages.pot, then bring the English catalogue in
# step (new msgids appear untranslated, unused ones go). Then fill in the new
# English strings; tests/unit/test_translations.py fails while one is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pybabel extract -F babel.cfg --ignore-dirs=".* _* tests bench migrations instance" \
  -k _l -k lazy_gettext -k lazy_ngettext:1,2 --no-location --sort-output \
  --project=Comptoir -o translations/messages.pot .
.venv/bin/pybabel update -i translations/messages.pot -d translations -l en \
  --no-fuzzy-matching --ignore-obsolete --no-wrap
