#!/usr/bin/env bash
# Create .venv next to the project (once) and install rnnlib with the given extras.
# Re-installs only when pyproject.toml changes. Usage: scripts/setup-env.sh course|test
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-course}"
PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
    echo "rnnlib needs Python 3.10 or newer; '$PY' is $("$PY" --version 2>&1)." >&2
    echo "Install a newer Python, or point PYTHON at one: PYTHON=python3.11 $0" >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    echo "Creating .venv ..."
    "$PY" -m venv .venv
fi
stamp=".venv/.rnnlib-$extras-$(sha1sum pyproject.toml | cut -c1-12)"
if [ ! -f "$stamp" ]; then
    echo "Installing rnnlib[$extras] into .venv ..."
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".[$extras]"
    touch "$stamp"
fi
