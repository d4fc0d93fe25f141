# Sourced by run.sh and test.sh: a virtual environment with the pinned
# requirements, reinstalled only when requirements.txt changes.
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
stamp=.venv/.requirements.sha256
wanted=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  echo "Installing requirements ..."
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements.txt
  echo "$wanted" > "$stamp"
fi
export FLASK_APP=app
