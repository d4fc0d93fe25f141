#!/usr/bin/env bash
# Set up and start Comptoir at http://127.0.0.1:5000
# (first start: creates .venv, installs, migrates, loads the demo shop), with
# the job queue's consumer (imports, sweeps) beside the web server.
set -euo pipefail
cd "$(dirname "$0")"
COMPTOIR_REQUIREMENTS=requirements.txt
source scripts/setup.sh
if [ "${1:-}" = "--demo" ]; then export COMPTOIR_DEMO=1; fi
.venv/bin/flask db upgrade
# The demo shop goes only into the demo database (the default instance/ file,
# or COMPTOIR_DEMO=1 / --demo); any other empty database opens the setup page.
.venv/bin/flask demo --if-empty
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-5000}
.venv/bin/flask jobs &
jobs_pid=$!
trap 'kill "$jobs_pid" 2>/dev/null; wait "$jobs_pid" 2>/dev/null' EXIT INT TERM
if [ -z "${DATABASE_URL:-}" ] || [ "${COMPTOIR_DEMO:-}" = 1 ]; then
  echo "Comptoir: http://$HOST:$PORT  (demo: owner@demo.test / comptoir-demo)"
else
  echo "Comptoir: http://$HOST:$PORT"
fi
# The request line limit is gunicorn's largest, above the app's own (MAX_URL_LENGTH),
# so that a long URL gets the app's French 414 rather than gunicorn's English one.
.venv/bin/gunicorn --bind "$HOST:$PORT" --workers "${WORKERS:-2}" --threads 4 \
  --limit-request-line 8190 --access-logfile - "app:create_app()"
