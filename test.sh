#!/usr/bin/env bash
# Run every test (sets up .venv on first use). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup-env.sh test
exec .venv/bin/python -m pytest "$@"
