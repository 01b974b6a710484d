#!/usr/bin/env bash
# Build the course as a static website in site/ (every notebook executed and rendered to
# HTML, with an index page). Sets up .venv on first use. Extra arguments go to
# scripts/build_site.py, e.g. ./site.sh --fresh to run every notebook again.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup-env.sh site
exec .venv/bin/python scripts/build_site.py "$@"
