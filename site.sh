#!/usr/bin/env bash
# Build the course as a static website in site/ that reads offline: every notebook executed
# and rendered to HTML and to reveal.js slides (site/slides/), with an index page and the
# scripts they load in site/vendor/ (fetched once with npm, then kept in build/vendor/).
# Sets up .venv on first use. Extra arguments go to scripts/build_site.py, e.g.
# ./site.sh --fresh to run every notebook again.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup-env.sh site
exec .venv/bin/python scripts/build_site.py "$@"
