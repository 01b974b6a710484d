#!/usr/bin/env bash
# Open the course in JupyterLab (sets up .venv on first use). Extra arguments go to
# `jupyter lab`, e.g. ./course.sh --no-browser --port 8890
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup-env.sh course
extra=()
# Jupyter refuses to start as root unless told; containers and cloud VMs often run as root.
[ "$(id -u)" -eq 0 ] && extra+=(--allow-root)
exec .venv/bin/jupyter lab ${extra[@]+"${extra[@]}"} notebooks/00_start_here.ipynb "$@"
