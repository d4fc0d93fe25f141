#!/usr/bin/env bash
# Set up and start Comptoir at http://127.0.0.1:5000
# (first start: creates .venv, installs, migrates, loads the demo shop), with
# the job queue's consumer (imports, sweeps) beside the web server.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
.venv/bin/flask db upgrade
.venv/bin/flask demo --if-empty
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-5000}
.venv/bin/flask jobs &
jobs_pid=$!
trap 'kill "$jobs_pid" 2>/dev/null; wait "$jobs_pid" 2>/dev/null' EXIT INT TERM
echo "Comptoir: http://$HOST:$PORT  (demo: owner@demo.test / comptoir-demo)"
.venv/bin/gunicorn --bind "$HOST:$PORT" --workers "${WORKERS:-2}" --threads 4 \
  --access-logfile - "app:create_app()"
