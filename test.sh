#!/usr/bin/env bash
# Set up like run.sh and run the whole test suite (unit, web, browser).
# SQLite by default; TEST_DATABASE_URL=postgresql://... runs it on PostgreSQL.
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
COMPTOIR_REQUIREMENTS=requirements-dev.txt
source scripts/setup.sh
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  echo "note: no Chromium found; browser tests will be skipped (apt-get install chromium)."
fi
exec .venv/bin/python -m pytest "$@"
