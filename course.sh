#!/usr/bin/env bash
# Open the course in JupyterLab (sets up .venv on first use).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup-env.sh course
exec .venv/bin/jupyter lab notebooks/00_start_here.ipynb "$@"
