#!/usr/bin/env bash
# Create the project's virtual environments (once) and keep them in step with the project.
#
#   scripts/setup-env.sh course    .venv with rnnlib and JupyterLab (what ./course.sh opens)
#   scripts/setup-env.sh test      .venv with the test tools as well (what ./test.sh runs)
#   scripts/setup-env.sh site      .venv with what scripts/build_site.py needs (./site.sh)
#   scripts/setup-env.sh widgets7  .venv-widgets7: Colab's packages (ipywidgets 7.7), with its
#                                  own Jupyter kernel "rnnlib-widgets7", to run the widget tests
#
# The versions are pinned: .venv by scripts/constraints.txt (the ones environment.yml gives
# Binder), .venv-widgets7 by scripts/widgets7-requirements.txt (Colab's). Re-installs only
# when pyproject.toml or those files change. Needs Python 3.10 or newer (the pins of .venv,
# 3.11): set PYTHON to choose the interpreter, e.g. PYTHON=python3.11 scripts/setup-env.sh test
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-course}"
PY="${PYTHON:-python3}"

if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
    echo "rnnlib needs Python 3.10 or newer; '$PY' is $("$PY" --version 2>&1)." >&2
    echo "Install a newer Python, or point PYTHON at one: PYTHON=python3.11 $0 $mode" >&2
    exit 1
fi

# A short fingerprint of the files an environment is built from (sha1sum is not on macOS).
fingerprint() {
    "$PY" -c 'import hashlib, sys
h = hashlib.sha1()
for f in sys.argv[1:]:
    h.update(open(f, "rb").read())
print(h.hexdigest()[:12])' "$@"
}

make_venv() {  # make_venv DIR (again, if an earlier attempt left one without pip)
    if ! "$1/bin/python" -m pip --version >/dev/null 2>&1; then
        echo "Creating $1 ..."
        "$PY" -m venv "$1"
        "$1/bin/python" -m pip install --quiet --upgrade pip
    fi
}

pins=scripts/constraints.txt
pin_args=(-c "$pins")
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    pin_args=()   # the pinned versions need 3.11: let pip choose ones that suit this Python
fi

case "$mode" in
    course|test|site)
        make_venv .venv
        stamp=".venv/.rnnlib-$mode-$(fingerprint pyproject.toml "$pins")"
        if [ ! -f "$stamp" ]; then
            echo "Installing rnnlib[$mode] into .venv ..."
            if [ ${#pin_args[@]} -eq 0 ]; then
                echo "($("$PY" --version 2>&1): the tested versions of $pins need Python 3.11" \
                     "or newer, so pip chooses the newest that suit this one.)" >&2
            fi
            PYTHONWARNINGS=ignore .venv/bin/python -m pip install --quiet -e ".[$mode]" \
                ${pin_args[@]+"${pin_args[@]}"}
            touch "$stamp"
        fi
        # JupyterLab's settings for the course: widget messages go to the kernel's main thread.
        # By default JupyterLab 4.4+ sends them to a second thread of an ipykernel 7 kernel,
        # where a click's figure is drawn beside a running cell's, and matplotlib is not
        # thread-safe: figures came out half-drawn or went missing.
        mkdir -p .venv/share/jupyter/lab/settings
        cp scripts/lab-overrides.json .venv/share/jupyter/lab/settings/overrides.json
        ;;
    widgets7)
        reqs=scripts/widgets7-requirements.txt
        make_venv .venv-widgets7
        stamp=".venv-widgets7/.rnnlib-widgets7-$(fingerprint pyproject.toml "$reqs")"
        if [ ! -f "$stamp" ]; then
            echo "Installing Colab's packages (ipywidgets 7.7) and rnnlib into .venv-widgets7 ..."
            .venv-widgets7/bin/python -m pip install --quiet -r "$reqs"
            # --no-deps: keep the pinned ipywidgets 7.7, exactly as the Colab set-up cell does.
            PYTHONWARNINGS=ignore .venv-widgets7/bin/python -m pip install --quiet --no-deps -e .
            # Its own kernel, inside the venv, so notebooks run there never reach another Python.
            # (ipykernel 6.17's debugger warns about frozen modules at every start: hush it.)
            PYDEVD_DISABLE_FILE_VALIDATION=1 .venv-widgets7/bin/python -m ipykernel install \
                --prefix .venv-widgets7 --env PYDEVD_DISABLE_FILE_VALIDATION 1 \
                --name rnnlib-widgets7 --display-name "Python (rnnlib, ipywidgets 7.7)" >/dev/null
            touch "$stamp"
        fi
        ;;
    *)
        echo "usage: $0 course|test|site|widgets7 (got '$mode')" >&2
        exit 2
        ;;
esac
