"""scripts/other_kernels.py runs a notebook as another processor's OpenBLAS would and lists
the printed outputs that change."""
import sys
from pathlib import Path

import nbformat
import pytest
from threadpoolctl import threadpool_info

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import other_kernels  # noqa: E402


def openblas_core() -> str:
    return next(i.get("architecture", "") for i in threadpool_info()
                if i.get("internal_api") == "openblas")


@pytest.fixture
def probe(tmp_path):
    """A notebook that prints OpenBLAS's core type (which OPENBLAS_CORETYPE changes) and a
    number that no core type changes."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
                    "import numpy\nfrom threadpoolctl import threadpool_info\n"
                    "print([i.get('architecture') for i in threadpool_info()\n"
                    "       if i.get('internal_api') == 'openblas'])"),
                nbformat.v4.new_markdown_cell("Some prose."),
                nbformat.v4.new_code_cell("print(sum(range(10)))")]
    path = tmp_path / "probe.ipynb"
    nbformat.write(nb, path)
    return path


def test_a_cell_that_depends_on_the_core_type_is_listed_and_a_fixed_one_is_not(probe, capsys):
    other = "SandyBridge" if openblas_core() == "Haswell" else "Haswell"
    assert other_kernels.main([str(probe), "--coretypes", other]) == 0
    out = capsys.readouterr().out
    assert f"probe.ipynb: 1 differing cell output(s) against {other}" in out
    assert f"  cell 0, {other}:" in out and f"+['{other}']" in out
    assert "cell 2" not in out
    assert "1 differing cell output(s) in 1 notebook(s)" in out


def test_a_path_that_is_not_a_notebook_is_a_clear_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as stop:
        other_kernels.main([str(tmp_path / "missing.ipynb")])
    assert stop.value.code == 2
    assert "missing.ipynb is not a file; give the path of a notebook" in capsys.readouterr().err
