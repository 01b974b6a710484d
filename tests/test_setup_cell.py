"""The set-up cell every notebook starts with, and the one repository address it shares with
the badges.

Where rnnlib imports, the cell does nothing. Where it does not (Colab, Kaggle, VS Code, a
notebook downloaded on its own) it clones the course and installs rnnlib from it. The tests
run the cell as a notebook would (IPython's shell) in a separate Python that has this
environment's packages linked in but not rnnlib nor the Korean font package, against a bare
clone of this repository standing in for GitHub, with pip kept off the network (a local
folder of wheels, no index). A run takes a few seconds.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import types
import zipfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import nbtools  # noqa: E402

GITHUB = f"https://github.com/{nbtools.REPO}"
FOLDER = nbtools.REPO.split("/")[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

needs_git = pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(),
                               reason="needs git and a git checkout of the project")


# --- one address, one cell, everywhere ---------------------------------------------------------

def test_set_repo_moves_every_badge_and_the_setup_cell(tmp_path):
    """After set-repo, README and each notebook agree with the new nbtools, old address gone."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts/nbtools.py", tmp_path / "scripts/nbtools.py")
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    (tmp_path / "notebooks").mkdir()
    nbtools.write(str(tmp_path / "notebooks/03_demo.ipynb"), "03 · Demo",
                  [nbtools.md("## Part\n\nSome text."), nbtools.code("x = 1")])
    for p in NOTEBOOKS:
        shutil.copy(p, tmp_path / "notebooks" / p.name)

    changed = nbtools.set_repo("my-uni/rnn-course", "spring", root=tmp_path)
    assert tmp_path / "scripts/nbtools.py" in changed

    import importlib.util
    spec = importlib.util.spec_from_file_location("nbtools_moved", tmp_path / "scripts/nbtools.py")
    moved = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(moved)
    assert (moved.REPO, moved.BRANCH) == ("my-uni/rnn-course", "spring")
    assert 'url = "https://github.com/my-uni/rnn-course"' in moved.SETUP_CELL
    assert '"--branch", "spring"' in moved.SETUP_CELL and '"rnn-course")' in moved.SETUP_CELL
    for f in [tmp_path / "README.md", *(tmp_path / "notebooks").glob("*.ipynb")]:
        assert nbtools.REPO not in f.read_text(encoding="utf-8"), f"{f.name} kept the old address"
    for f in (tmp_path / "notebooks").glob("*.ipynb"):
        nb = nbformat.read(f, as_version=4)
        assert moved.badges(f.name) in nb.cells[0].source, f.name
        assert next(c for c in nb.cells if c.cell_type == "code").source == moved.SETUP_CELL
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert moved.binder_url() in readme and moved.colab_url() in readme
    with pytest.raises(ValueError, match="OWNER/NAME"):
        nbtools.set_repo("not a repo", root=tmp_path)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_writing_the_setup_cell_changes_that_cell_and_nothing_else(path):
    """setup-cells rewrites one cell: a notebook that has it already comes back byte for byte,
    and a changed cell is the only difference."""
    text = path.read_text(encoding="utf-8")
    assert nbtools.with_setup_cell(text, nbtools.SETUP_CELL) == text
    other = nbtools.with_setup_cell(text, "print('another set-up')")
    changed = [(a, b) for a, b in zip(text.splitlines(), other.splitlines()) if a != b]
    assert len(text.splitlines()) == len(other.splitlines()) and len(changed) == 1
    assert '"source": "print(\'another set-up\')"' in changed[0][1]


# --- where rnnlib imports: nothing happens -----------------------------------------------------

@pytest.mark.parametrize("colab", [False, True], ids=["local", "colab-with-rnnlib"])
def test_setup_cell_does_nothing_where_rnnlib_imports(monkeypatch, capsys, colab):
    """Here rnnlib imports, so the cell runs no command, prints nothing and stays in this
    folder, on Colab (a google.colab module loaded) as elsewhere."""
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: calls.append(a))
    if colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    cwd = os.getcwd()
    exec(compile(nbtools.SETUP_CELL, "setup-cell", "exec"), {})
    assert calls == [] and os.getcwd() == cwd
    assert capsys.readouterr() == ("", "")


# --- where it does not: a Python without rnnlib ------------------------------------------------

DRIVER = r'''
import json, os, subprocess, sys, types
calls = []
_run = subprocess.run
def run(cmd, *args, **kwargs):
    calls.append([str(c) for c in cmd])
    return _run(cmd, *args, **kwargs)
subprocess.run = run
if "--colab" in sys.argv:  # what Colab's kernel has loaded
    sys.modules["google"] = types.ModuleType("google")
    sys.modules["google.colab"] = types.ModuleType("google.colab")
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
result = shell.run_cell(open(sys.argv[1], encoding="utf-8").read())
sys.stdout.flush(); sys.stderr.flush()
report = {"calls": calls, "cwd": os.getcwd(),
          "error": type(result.error_in_exec).__name__ if result.error_in_exec else None}
if result.error_in_exec is None:  # the running Python imports what the cell installed
    import importlib.util
    import rnnlib
    report.update(rnnlib=rnnlib.__file__, hello=rnnlib.Vocab.from_text("hello").decode([0, 1, 2]),
                  font=importlib.util.find_spec("koreanize_matplotlib") is not None)
print("REPORT " + json.dumps(report))
'''

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def fake_font_wheel(folder: Path) -> None:
    """A tiny koreanize-matplotlib wheel, so that pip can install it with no network."""
    files = {"koreanize_matplotlib/__init__.py": '"""Stand-in for the tests."""\n',
             "koreanize_matplotlib-0.1.1.dist-info/METADATA":
                 "Metadata-Version: 2.1\nName: koreanize-matplotlib\nVersion: 0.1.1\n",
             "koreanize_matplotlib-0.1.1.dist-info/WHEEL":
                 "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    files["koreanize_matplotlib-0.1.1.dist-info/RECORD"] = "".join(f"{n},,\n" for n in files)
    with zipfile.ZipFile(folder / "koreanize_matplotlib-0.1.1-py3-none-any.whl", "w") as z:
        for name, text in files.items():
            z.writestr(name, text)


@pytest.fixture(scope="module")
def mirror(tmp_path_factory) -> Path:
    """A bare clone of this repository whose branch BRANCH is this checkout's HEAD."""
    path = tmp_path_factory.mktemp("github") / "mirror.git"
    subprocess.run(["git", "clone", "--quiet", "--bare", str(ROOT), str(path)], check=True)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, text=True,
                          capture_output=True, check=True).stdout.strip()
    subprocess.run(["git", "update-ref", f"refs/heads/{nbtools.BRANCH}", head], cwd=path,
                   check=True)
    return path


class Place:
    """A Python without rnnlib (a venv with this environment's packages linked in, minus
    rnnlib, the font package and any in ``leave_out``), its home folder, Colab's and
    Kaggle's folders in a temporary directory, and the set-up cell pointed at them."""

    def __init__(self, tmp: Path, mirror: Path, leave_out: tuple[str, ...] = (),
                 url: str | None = None):
        self.tmp = tmp
        venv = tmp / "python"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        self.python = str(venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))
        self.site = Path(subprocess.run(
            [self.python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            text=True, capture_output=True, check=True).stdout.strip())
        here = {Path(sysconfig.get_path(kind)) for kind in ("purelib", "platlib")}
        font_here = any((d / "koreanize_matplotlib").exists() for d in here)
        skip = ("rnnlib", "__editable__", "_rnnlib", "__pycache__", *leave_out,
                *(() if font_here else ("koreanize",)))
        for entry in (e for d in sorted(here) for e in d.iterdir()):
            link = self.site / entry.name
            if not entry.name.lower().replace("-", "_").startswith(skip) and not link.exists():
                link.symlink_to(entry)
        self.before = {p.name for p in self.site.iterdir()}
        wheels = tmp / "wheels"
        wheels.mkdir()
        fake_font_wheel(wheels)
        self.home, self.content = tmp / "home", tmp / "content"
        self.kaggle = tmp / "kaggle" / "working"
        for d in (self.home, self.content):
            d.mkdir()
        self.cell = tmp / "cell.py"
        self.cell.write_text(nbtools.SETUP_CELL
                             .replace(GITHUB, url or mirror.as_uri())
                             .replace(f'"{nbtools.COLAB_DIR}"', f'"{self.content}"')
                             .replace(f'"{nbtools.KAGGLE_DIR}"', f'"{self.kaggle}"'),
                             encoding="utf-8")
        (tmp / "driver.py").write_text(DRIVER, encoding="utf-8")
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("VIRTUAL_ENV", "PYTHON", "PIP_", "GIT_"))}
        self.env = {**env, "HOME": str(self.home), "USERPROFILE": str(self.home),
                    "PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1",
                    "PIP_FIND_LINKS": str(wheels), "PIP_DISABLE_PIP_VERSION_CHECK": "1",
                    # setuptools is here already: building rnnlib needs nothing from the network
                    "PIP_NO_BUILD_ISOLATION": "0",
                    "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"}

    def run(self, colab: bool = False, cwd: Path | None = None, path: str | None = None):
        """Run the cell as a notebook does; returns (report, everything the learner sees)."""
        env = self.env if path is None else {**self.env, "PATH": path}
        r = subprocess.run([self.python, str(self.tmp / "driver.py"), str(self.cell),
                            *(["--colab"] if colab else [])], cwd=cwd or self.tmp, env=env,
                           text=True, capture_output=True, timeout=300)
        out, _, report = r.stdout.partition("REPORT ")
        shown = ANSI.sub("", r.stderr + out)
        assert r.returncode == 0 and report, f"the driver broke:\n{shown}"
        return json.loads(report), shown

    def added(self) -> set[str]:
        return {p.name for p in self.site.iterdir()} - self.before - {"__pycache__"}


def assert_installed(report, shown, course: Path, place: Place, no_deps: bool = True):
    """rnnlib installed from ``course`` by pip (and nothing but it and the font package),
    imports in the running Python, and the cell now works in course/notebooks."""
    assert report["error"] is None, shown
    pip = report["calls"][-1]
    assert pip[:4] == [place.python, "-m", "pip", "install"], pip
    assert ("--no-deps" in pip) == no_deps and "koreanize-matplotlib" in pip
    assert pip[pip.index("-e") + 1] == str(course)
    assert Path(report["rnnlib"]).is_relative_to(course), report["rnnlib"]
    assert report["hello"] == "ehl" and report["font"]
    assert report["cwd"] == str(course / "notebooks")
    assert f"rnnlib installed from {course}" in shown
    added = place.added()
    assert all(re.search(r"rnnlib|koreanize", name) for name in added), \
        f"pip installed more than rnnlib and the font: {added}"


@needs_git
@pytest.mark.parametrize("where", ["colab", "kaggle", "elsewhere"])
def test_setup_cell_clones_and_installs_where_rnnlib_is_missing(tmp_path, mirror, where):
    """Without rnnlib the cell clones the course (the bare clone stands in for GitHub) into
    Colab's /content, Kaggle's /kaggle/working, or else the home folder (VS Code, a notebook
    on its own), installs it with pip --no-deps, and rnnlib imports in the same Python. Run
    again in a new Python (a restarted kernel) it finds rnnlib and does nothing."""
    place = Place(tmp_path, mirror)
    if where == "kaggle":
        place.kaggle.mkdir(parents=True)
    folder = {"colab": place.content, "kaggle": place.kaggle, "elsewhere": place.home}[where]
    report, shown = place.run(colab=where == "colab")
    course = folder / FOLDER
    clone = report["calls"][0]
    assert clone[:2] == ["git", "clone"] and "--depth" in clone, clone
    assert clone[clone.index("--branch") + 1] == nbtools.BRANCH
    assert clone[-2:] == [mirror.as_uri(), str(course)], clone
    assert (course / "rnnlib" / "__init__.py").exists() and len(report["calls"]) == 2
    assert_installed(report, shown, course, place)

    again, shown = place.run(colab=where == "colab")
    assert again["calls"] == [] and again["error"] is None and shown == ""
    assert Path(again["rnnlib"]).is_relative_to(course)


@needs_git
def test_setup_cell_installs_from_the_clone_a_notebook_sits_in(tmp_path, mirror):
    """A notebook opened inside a clone of the course (in VS Code, say) with a Python that
    lacks rnnlib: the cell clones nothing and installs rnnlib from that clone."""
    place = Place(tmp_path, mirror)
    clone = tmp_path / "my-copy"
    subprocess.run(["git", "clone", "--quiet", str(mirror), str(clone)], check=True)
    report, shown = place.run(cwd=clone / "notebooks")
    assert len(report["calls"]) == 1, report["calls"]
    assert_installed(report, shown, clone, place)
    assert not (place.home / FOLDER).exists()


@needs_git
@pytest.mark.parametrize("fault", ["bad address", "no git"])
def test_setup_cell_shows_gits_message_and_what_to_do(tmp_path, mirror, fault):
    """When git cannot fetch the course, the learner sees git's own message and what to do
    next, not a traceback; nothing is installed."""
    missing = tmp_path / "no-such-repository.git"
    place = Place(tmp_path, mirror, url=missing.as_uri())
    no_git = str(Path(place.python).parent) if fault == "no git" else None
    report, shown = place.run(colab=True, path=no_git)
    assert report["error"] == "SystemExit", shown
    if fault == "bad address":
        assert "does not appear to be a git repository" in shown, shown  # git's own words
    else:
        assert "No such file or directory: 'git'" in shown and "install git" in shown, shown
    assert "git could not fetch the course" in shown and "opens in a browser" in shown
    assert missing.as_uri() in shown and "run this cell again" in shown
    assert "Traceback" not in shown and "CalledProcessError" not in shown, shown
    assert "To exit" not in shown, shown
    assert len(report["calls"]) == 1, report["calls"]  # the clone, and no pip after it
    assert place.added() == set()


@needs_git
def test_setup_cell_shows_pips_message_and_what_to_do(tmp_path, mirror):
    """A Python without numpy, matplotlib and ipywidgets gets rnnlib with its dependencies
    (no --no-deps); when pip cannot find them (no network here) the learner sees pip's own
    message and the %pip line that installs by hand, not a traceback."""
    place = Place(tmp_path, mirror, leave_out=("numpy", "matplotlib", "ipywidgets"))
    report, shown = place.run(colab=True)
    pip = report["calls"][-1]
    assert report["error"] == "SystemExit" and "--no-deps" not in pip, shown
    assert "No matching distribution found for numpy" in shown, shown  # pip's own words
    course = place.content / FOLDER
    assert "pip could not install rnnlib" in shown
    assert f"%pip install -e {course} koreanize-matplotlib" in shown, shown
    assert "Traceback" not in shown and "CalledProcessError" not in shown, shown
    assert "To exit" not in shown, shown
    assert not any("rnnlib" in name for name in place.added())
