"""Every notebook of the course runs top to bottom in a fresh kernel, and is committed clean."""
import json
import sys
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
sys.path.insert(0, str(ROOT / "scripts"))
from nbtools import SETUP_CELL  # noqa: E402

TIMEOUT = 300  # seconds per cell; defaults finish far sooner


def test_the_course_has_its_notebooks():
    assert len(NOTEBOOKS) >= 1, "no notebooks found in notebooks/"
    numbers = [p.name[:2] for p in NOTEBOOKS]
    assert numbers == sorted(set(numbers)), f"notebook numbers repeat: {numbers}"


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
    assert first_code.source == SETUP_CELL, f"{path.name}: first code cell is not the set-up cell"
    assert "Solution" in "".join(c.source for c in nb.cells if c.cell_type == "markdown"), \
        f"{path.name} has no revealable solution"


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path):
    from nbclient import NotebookClient
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    t0 = time.perf_counter()
    client.execute()
    took = time.perf_counter() - t0
    errors = [(i, o.get("ename"), o.get("evalue")) for i, c in enumerate(nb.cells)
              if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{path.name}: error outputs {errors}"
    print(f"{path.name}: {took:.1f} s")
