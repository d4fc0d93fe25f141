# Sourced by run.sh and test.sh: a virtual environment with the pinned
# requirements. run.sh needs requirements.txt (what the app runs with);
# test.sh and .ci/run set COMPTOIR_REQUIREMENTS=requirements-dev.txt (that
# plus the test, bench and lint tools). Reinstalled only when either file
# changes, or when the tests need the dev tools that a run.sh-only setup lacks.
set -euo pipefail

find_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "Comptoir needs Python 3.11 or newer (python3 --version)." >&2
  return 1
}

if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv ..."
  "$(find_python)" -m venv .venv
fi
requirements=${COMPTOIR_REQUIREMENTS:-requirements.txt}
case "$requirements" in
  requirements.txt) level=runtime ;;
  requirements-dev.txt) level=dev ;;
  *) echo "COMPTOIR_REQUIREMENTS: requirements.txt or requirements-dev.txt" >&2; return 1 ;;
esac
# The stamp: both files' hash and what was installed ("dev" covers "runtime").
stamp=.venv/.requirements.sha256
files_hash=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
installed=$(cat "$stamp" 2>/dev/null || true)
if [ "$installed" != "$files_hash dev" ] && [ "$installed" != "$files_hash $level" ]; then
  echo "Installing $requirements ..."
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r "$requirements"
  echo "$files_hash $level" > "$stamp"
fi
export FLASK_APP=app
