#!/usr/bin/env bash
# Run every test. Sets itself up on first use: .venv (rnnlib, JupyterLab and the test tools)
# and .venv-widgets7 (ipywidgets 7.7, as Colab ships it).
#
#   ./test.sh                       everything: the widget tests and widget notebooks under
#                                   ipywidgets 7.7, then the whole suite in .venv
#   ./test.sh ARGS                  only `pytest ARGS` in .venv, e.g.
#                                   ./test.sh -m "not notebook"   (no notebooks, no browser)
#                                   ./test.sh tests/test_rnn.py -x
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup-env.sh test
if [ $# -gt 0 ]; then
    exec .venv/bin/python -m pytest "$@"
fi

echo "=== 1/2: widget tests and widget notebooks under ipywidgets 7.7 (.venv-widgets7)"
scripts/setup-env.sh widgets7
widget_tests=(tests/test_widgets_*.py)
[ -e "${widget_tests[0]}" ] || widget_tests=()
status7=0
RNNLIB_KERNEL=rnnlib-widgets7 RNNLIB_EXPECT_IPYWIDGETS=7.7 RNNLIB_EXECUTED_DIR="" \
    .venv-widgets7/bin/python -m pytest -q -p no:cacheprovider \
    -m "widgets or not notebook" "${widget_tests[@]}" tests/test_notebooks.py \
    tests/test_environment.py::test_the_notebook_kernel_is_this_environment || status7=$?

echo "=== 2/2: the whole suite (.venv)"
status=0
.venv/bin/python -m pytest || status=$?

if [ "$status7" -ne 0 ]; then
    echo "The ipywidgets 7.7 run failed (exit $status7): see its output above." >&2
    [ "$status" -ne 0 ] || status=$status7
fi
exit "$status"
