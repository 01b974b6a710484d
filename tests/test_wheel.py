"""rnnlib as an installed package: the wheel carries the bundled texts, and the course runs
from it in a new virtual environment outside the clone, from a folder outside the clone.

The new environment gets the wheel alone (pip --no-deps); rnnlib's dependencies (numpy,
matplotlib, ipywidgets, the font package, the kernel) are taken from this environment by a
.pth file, so nothing is downloaded. Deselect with -m "not wheel".
"""
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import warnings
import zipfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.wheel, pytest.mark.notebook]

ROOT = Path(__file__).resolve().parent.parent
KERNEL = "rnnlib-wheel"


def _run(cmd, **kwargs):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=300,
                       **kwargs)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{r.stdout}\n{r.stderr}"
    return r


def _can_build_offline() -> bool:
    """setuptools 70.1 or newer builds wheels by itself (older ones need the wheel package)."""
    try:
        import setuptools
        from packaging.version import Version
    except ImportError:
        return False
    return Version(setuptools.__version__) >= Version("70.1")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(python of the new environment, the wheel, a working folder outside the clone,
    environment variables for it)."""
    tmp = tmp_path_factory.mktemp("wheel")
    # Build from a copy of the files the package is made of, so the clone gets no build/.
    src = tmp / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("rnnlib", "data"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    isolation = ["--no-build-isolation"] if _can_build_offline() else []
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", *isolation,
          "-w", tmp / "dist", src])
    wheel = next((tmp / "dist").glob("rnnlib-*.whl"))

    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps",
          "--no-index", wheel])
    # Only now (pip would otherwise see, and replace, this environment's editable rnnlib):
    # the dependencies, from this environment, placed after the new one's own packages.
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"])
                .stdout.strip())
    here = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (site / "zz_test_dependencies.pth").write_text("\n".join(sorted(here)) + "\n")
    # a kernel of the new environment, found only by processes of that environment
    _run([python, "-m", "ipykernel", "install", "--prefix", venv, "--name", KERNEL])

    work = tmp / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "VIRTUAL_ENV", "JUPYTER"))}
    env["JUPYTER_DATA_DIR"] = str(tmp / "jupyter-data")      # no kernel of the user's
    return python, wheel, work, env


def test_the_wheel_holds_the_package_and_its_texts_and_nothing_else(installed):
    _, wheel, _, _ = installed
    names = zipfile.ZipFile(wheel).namelist()
    assert all(n.startswith(("rnnlib/", "rnnlib-")) for n in names), \
        [n for n in names if not n.startswith(("rnnlib/", "rnnlib-"))]
    for path in (ROOT / "data").glob("*.txt"):
        assert f"rnnlib/corpora/{path.name}" in names, f"the wheel lacks data/{path.name}"
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("/METADATA")))
    assert b"Requires-Dist: koreanize-matplotlib" in metadata


LOAD_ALL = r'''
import json, sys
import rnnlib
from importlib import resources
texts = {name: rnnlib.data.load(name) for name in rnnlib.data.CORPORA}
print(json.dumps({"rnnlib": rnnlib.__file__, "corpora": texts,
                  "files": sorted(p.name for p in resources.files("rnnlib.corpora").iterdir()
                                  if p.name.endswith(".txt"))}))
'''


def test_every_bundled_corpus_loads_from_the_installed_wheel(installed):
    python, _, work, env = installed
    out = json.loads(_run([python, "-c", LOAD_ALL], cwd=work, env=env).stdout)
    venv = python.parent.parent
    assert Path(out["rnnlib"]).resolve().is_relative_to(venv.resolve()), \
        f"rnnlib was imported from {out['rnnlib']}, not from the wheel in {venv}"
    assert {"hello", "python_docs", "korean"} <= set(out["corpora"])
    assert out["corpora"]["korean"] == (ROOT / "data/korean.txt").read_text(encoding="utf-8")
    assert len(out["corpora"]["python_docs"]) > 100_000
    assert out["files"] == sorted(p.name for p in (ROOT / "data").glob("*.txt"))


RUN_NOTEBOOK = r'''
import json, sys
import nbformat
from nbformat.v4 import new_code_cell
from kernel_run import run_notebook    # the course's runner: a lost kernel reply costs seconds
nb = nbformat.read(sys.argv[1], as_version=4)
nb.cells.append(new_code_cell("import sys, rnnlib\nprint(rnnlib.__file__)\nprint(sys.prefix)"))
nb, run = run_notebook(sys.argv[1], kernel_name=sys.argv[2], nb=nb)
streams = [(o.name, o.text) for c in nb.cells if c.cell_type == "code"
           for o in c.outputs if o.output_type == "stream"]
print(json.dumps({"streams": streams, "stalls": [s.describe() for s in run.stalls]}))
'''


def test_notebook_01_runs_against_the_installed_wheel(installed):
    """Notebook 01 (the Korean corpus, the one-hot explorer, the plots) runs top to bottom in
    a kernel of the new environment, from a folder outside the clone, without a warning."""
    python, _, work, env = installed
    notebook = work / "01_one_hot_input.ipynb"
    shutil.copy(ROOT / "notebooks/01_one_hot_input.ipynb", notebook)
    driver = work / "run_notebook.py"
    driver.write_text(RUN_NOTEBOOK, encoding="utf-8")
    shutil.copy(ROOT / "scripts/kernel_run.py", work / "kernel_run.py")
    out = json.loads(_run([python, driver, notebook, KERNEL], cwd=work, env=env).stdout)
    streams = out["streams"]
    if out["stalls"]:
        warnings.warn(f"notebook 01 in the wheel's kernel lost a kernel message and ran again: "
                      f"{out['stalls']}")
    stdout = "".join(text for name, text in streams if name == "stdout")
    stderr = "".join(text for name, text in streams if name == "stderr")
    rnnlib_file, prefix = stdout.strip().splitlines()[-2:]
    venv = python.parent.parent.resolve()
    assert Path(prefix).resolve() == venv, f"the kernel ran in {prefix}, not in {venv}"
    assert Path(rnnlib_file).resolve().is_relative_to(venv)
    korean = (ROOT / "data/korean.txt").read_text(encoding="utf-8")
    assert korean.splitlines()[4] in stdout          # the sentence the notebook prints
    assert "Warning" not in stderr, stderr           # no FontWarning, no missing glyph
