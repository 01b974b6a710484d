#!/usr/bin/env bash
# Run every test. Sets itself up on first use: .venv (rnnlib, JupyterLab and the test tools)
# and .venv-widgets7 (ipywidgets 7.7, as Colab ships it).
#
#   ./test.sh          everything, in two runs side by side (one per core):
#                        - the widget tests and every notebook that shows a widget, under
#                          ipywidgets 7.7 in .venv-widgets7 (log: test-artifacts/widgets7.log)
#                        - the whole suite in .venv: library, notebooks, Colab set-up,
#                          JupyterLab in Chromium, the static site
#                      then one closing line with the totals of both.
#   ./test.sh ARGS     only `pytest ARGS` in .venv, e.g.
#                        ./test.sh -m "not notebook"     (quick: no notebooks, no browser)
#                        ./test.sh tests/test_rnn.py -x
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup-env.sh test
if [ $# -gt 0 ]; then
    exec .venv/bin/python -m pytest "$@"
fi
scripts/setup-env.sh widgets7

out=test-artifacts
mkdir -p "$out"
rm -f "$out/junit-main.xml" "$out/junit-widgets7.xml"
# Two runs share two cores: one BLAS thread each keeps them from slowing each other down.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

widget_tests=(tests/test_widgets_*.py)
[ -e "${widget_tests[0]}" ] || widget_tests=()
echo "=== ipywidgets 7.7 run started in the background (.venv-widgets7; log: $out/widgets7.log)"
RNNLIB_KERNEL=rnnlib-widgets7 RNNLIB_EXPECT_IPYWIDGETS=7.7 RNNLIB_EXECUTED_DIR="" \
    .venv-widgets7/bin/python -m pytest -q -p no:cacheprovider \
    --junitxml="$out/junit-widgets7.xml" -m "widgets or not notebook" \
    "${widget_tests[@]}" tests/test_notebooks.py \
    tests/test_environment.py::test_the_notebook_kernel_is_this_environment \
    >"$out/widgets7.log" 2>&1 &
widgets7_pid=$!

echo "=== the whole suite (.venv)"
status=0
.venv/bin/python -m pytest --durations=10 --junitxml="$out/junit-main.xml" || status=$?

status7=0
wait "$widgets7_pid" || status7=$?
echo "=== the ipywidgets 7.7 run (.venv-widgets7), exit status $status7:"
cat "$out/widgets7.log"
[ "$status" -ne 0 ] || status=$status7

# Each notebook's time outside its cells (kernel start and stop, waiting on the kernel).
.venv/bin/python scripts/kernel_run.py "$out"/notebook-times-*.jsonl || true

# One closing line for both runs, counted from their JUnit reports.
.venv/bin/python - "$out/junit-widgets7.xml" "$out/junit-main.xml" <<'EOF'
import sys
import xml.etree.ElementTree as ET
total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
missing = 0
for f in sys.argv[1:]:
    try:
        suites = ET.parse(f).getroot().iter("testsuite")
    except (OSError, ET.ParseError):
        missing += 1          # that run died before it could report: count it as a failure
        continue
    for s in suites:
        for k in total:
            total[k] += int(s.get(k, 0))
failed = total["failures"] + total["errors"] + missing
passed = total["tests"] - total["failures"] - total["errors"] - total["skipped"]
print(f"total: {passed} passed, {failed} failed, {total['skipped']} skipped")
EOF
exit "$status"
