"""Every notebook of the course runs top to bottom in a fresh kernel, and is committed clean.

The run test keeps each executed notebook (outputs and widget state) in build/executed/, so
that scripts/build_site.py can render the static site without running the notebooks again.
Two environment variables let ./test.sh run the widget notebooks a second time elsewhere:
RNNLIB_KERNEL (the Jupyter kernel to use, default "python3") and RNNLIB_EXECUTED_DIR (where
executed notebooks go; empty: keep none).
"""
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
sys.path.insert(0, str(ROOT / "scripts"))
from nbtools import SETUP_CELL, badges  # noqa: E402
import build_site  # noqa: E402
import kernel_run  # noqa: E402

TIMEOUT = 300  # seconds per cell; defaults finish far sooner
KERNEL = os.environ.get("RNNLIB_KERNEL", "python3")
EXECUTED_DIR = os.environ.get("RNNLIB_EXECUTED_DIR", str(build_site.EXECUTED_DIR))

# The course, exactly: a notebook added, renamed or lost must be changed here on purpose.
COURSE = [
    "00_start_here.ipynb",
    "01_one_hot_input.ipynb",
    "02_hidden_layer.ipynb",
    "03_softmax_and_loss.ipynb",
    "04_backprop_through_time.ipynb",
    "05_gradient_checking.ipynb",
    "06_adagrad_and_training.ipynb",
    "07_sampling.ipynb",
    "08_training_on_real_text.ipynb",
    "09_vanishing_and_exploding_gradients.ipynb",
    "10_lstm.ipynb",
    "11_many_to_one_classification.ipynb",
    "12_gru_and_deeper_rnns.ipynb",
]
EXERCISE_TAG = re.compile(r"^(exercise|check|solution)-([a-z0-9]+(?:-[a-z0-9]+)*)$")


def exercises(nb) -> dict[str, dict[str, list[int]]]:
    """The tagged exercises of a notebook (DESIGN.md): for each NAME, the indices of the
    cells tagged exercise-NAME, check-NAME and solution-NAME. One cell may be both the
    exercise and its check (the learner's code ends with the call of the check)."""
    found: dict[str, dict[str, list[int]]] = {}
    for i, cell in enumerate(nb.cells):
        for tag in cell.get("metadata", {}).get("tags", []):
            m = EXERCISE_TAG.match(tag)
            if m:
                role, name = m.groups()
                found.setdefault(name, {"exercise": [], "check": [], "solution": []})
                found[name][role].append(i)
    return found


def output_text(cell) -> str:
    """Everything a code cell showed: streams, plain text and HTML of results and displays,
    and the error of a cell that raised."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type == "error":
            parts.append(f"{out.ename}: {out.evalue}")
        else:
            data = out.get("data", {})
            parts += [data.get("text/plain", ""), data.get("text/html", "")]
    return "\n".join(parts)


def uses_widgets(path: Path) -> bool:
    """Whether a notebook's code (the set-up cell aside) uses ipywidgets or rnnlib.widgets."""
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code"
                     and "setup" not in c.metadata.get("tags", []))
    return re.search(r"\bipywidgets\b|rnnlib\.widgets|from rnnlib import widgets", code) is not None


def _run_params():
    return [pytest.param(p, id=p.stem, marks=[pytest.mark.widgets] if uses_widgets(p) else [])
            for p in NOTEBOOKS]


def test_the_course_has_its_notebooks():
    """notebooks/ holds exactly the numbered notebooks of COURSE: none missing, none extra."""
    names = [p.name for p in NOTEBOOKS]
    assert names == COURSE, (
        f"notebooks/ has {names}, the course is {COURSE}: missing "
        f"{sorted(set(COURSE) - set(names))}, not in COURSE {sorted(set(names) - set(COURSE))}")


def test_widget_notebooks_are_found(tmp_path):
    """The ipywidgets 7.7 run of ./test.sh selects notebooks by the 'widgets' mark: it goes
    by the code (the set-up cell, which names ipywidgets, does not count), and some of the
    course's notebooks carry it, or that run would test none."""
    from nbtools import code, write
    plain, shows = tmp_path / "01_plain.ipynb", tmp_path / "02_shows.ipynb"
    write(str(plain), "Plain", [code("import numpy as np\nprint(np.ones(3))")])
    write(str(shows), "Shows", [code("from rnnlib.widgets.forward import HelloStepper")])
    assert not uses_widgets(plain) and uses_widgets(shows)
    assert any(uses_widgets(p) for p in NOTEBOOKS), "no notebook imports rnnlib.widgets"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{path.name} cell {i} has outputs committed"
            assert cell.get("execution_count") is None, f"{path.name} cell {i} has a count"
    assert "widgets" not in nb.get("metadata", {}), f"{path.name} has widget state saved"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_has_the_shared_setup_cell_first(path):
    nb = nbformat.read(path, as_version=4)
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert first_code.source == SETUP_CELL, (
        f"{path.name}: first code cell is not the set-up cell of scripts/nbtools.py; "
        f"put it into every notebook with `python scripts/nbtools.py setup-cells`")
    assert "Solution" in "".join(c.source for c in nb.cells if c.cell_type == "markdown"), \
        f"{path.name} has no revealable solution"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_title_and_badges_open_this_notebook(path):
    """The first cell is a '# ' title with this notebook's own Binder and Colab links."""
    nb = nbformat.read(path, as_version=4)
    head = nb.cells[0]
    assert head.cell_type == "markdown" and head.source.startswith("# "), \
        f"{path.name}: the first cell should be the '# ' title"
    assert badges(path.name) in head.source, \
        f"{path.name}: the badges under the title do not point at {path.name}"


def course_copy(tmp: Path) -> Path:
    """A copy of notebooks/ beside a link to data/, so that whatever a notebook writes next to
    itself (checkpoints, say) stays out of the project and two runs never share files."""
    shutil.copytree(ROOT / "notebooks", tmp / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (tmp / "data").symlink_to(ROOT / "data", target_is_directory=True)
    return tmp / "notebooks"


@pytest.mark.notebook
@pytest.mark.parametrize("path", _run_params())
def test_notebook_runs_top_to_bottom(path, tmp_path):
    stamp = build_site.fingerprint(path)
    copy = course_copy(tmp_path) / path.name
    # raises CellExecutionError, naming the cell, at the first cell that fails; a kernel
    # message that gets lost is reported (LostReplyWarning) and the notebook run again
    nb, took = build_site.execute(copy, kernel_name=KERNEL, timeout=TIMEOUT)
    # as committed, no exercise is done yet, so every check must say so (a check that
    # passes the placeholders would pass anything); tests/test_solutions.py runs the
    # notebook again with the solutions pasted in and sees every check pass
    for name, cells in exercises(nb).items():
        for i in cells["check"]:
            said = output_text(nb.cells[i])
            assert "Not yet" in said and "✔" not in said, (
                f"{path.name}: check-{name} (cell {i}) should say 'Not yet' before the "
                f"exercise is done; it showed:\n{said}")
    if EXECUTED_DIR:
        build_site.save_executed(nb, path, Path(EXECUTED_DIR), seconds=took, stamp=stamp)
    run = kernel_run.history[-1] if kernel_run.history else None
    record_timing(path, took, nb, run)
    print(f"{path.name}: {took:.1f} s (kernel {KERNEL})")


def record_timing(path: Path, took: float, nb, run=None) -> None:
    """Note how long the notebook and its slowest cells took, how much of it was spent
    outside the cells (starting and stopping the kernel, waiting on it), and any kernel
    message that got lost (the notebook then ran twice), in
    test-artifacts/notebook-times-<kernel>.jsonl, to find out what makes a run slow.
    ./test.sh prints a summary of these files at the end."""
    from datetime import datetime

    def when(stamp):
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()

    cells, first = [], None
    for i, c in enumerate(nb.cells):
        ex = c.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in ex and "shell.execute_reply" in ex:
            start = when(ex["iopub.execute_input"])
            first = start if first is None else first
            cells.append((round(when(ex["shell.execute_reply"]) - start, 2), i))
    out = ROOT / "test-artifacts" / f"notebook-times-{KERNEL}.jsonl"
    out.parent.mkdir(exist_ok=True)
    in_cells = round(sum(s for s, _ in cells), 2)
    with open(out, "a", encoding="utf-8") as f:
        f.write(json.dumps({"notebook": path.name, "seconds": round(took, 2),
                            "in_cells": in_cells, "outside_cells": round(took - in_cells, 2),
                            "slowest_cells": sorted(cells, reverse=True)[:3],
                            "attempts": run.attempts if run else 1,
                            "stalls": run.as_dict()["stalls"] if run else [],
                            "at": time.strftime("%Y-%m-%dT%H:%M:%S")}) + "\n")
