"""Where learners run the course: Binder's and the test environments agree with pyproject.toml,
the README's badges point at the one repository address in scripts/nbtools.py, and notebook
kernels run where we think. The set-up cell has its own tests in tests/test_setup_cell.py."""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest brings tomli
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import nbtools  # noqa: E402

# conda-forge names that differ from the PyPI name of the same package
CONDA_TO_PYPI = {"matplotlib-base": "matplotlib"}
# every version a.b.c with a < 13, b < 41, c < 4: enough to tell version ranges apart
GRID = [Version(f"{a}.{b}.{c}") for a in range(13) for b in range(41) for c in range(4)]


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def declared() -> dict[str, SpecifierSet]:
    """Every dependency pyproject.toml names (core and extras), by normalised name."""
    p = pyproject()
    reqs = list(p["dependencies"])
    for extra in p.get("optional-dependencies", {}).values():
        reqs += extra
    out: dict[str, SpecifierSet] = {}
    for r in map(Requirement, reqs):
        name = canonicalize_name(r.name)
        out[name] = out.get(name, SpecifierSet()) & r.specifier
    return out


def conda_spec(spec: str) -> SpecifierSet:
    """A conda version spec ('=3.11', '>=8,<9', '==1.2', '') as a PEP 440 SpecifierSet."""
    spec = spec.strip()
    if re.fullmatch(r"=[0-9][0-9.]*", spec):          # conda's '=3.11' is '3.11.*'
        return SpecifierSet(f"=={spec[1:]}.*")
    return SpecifierSet(spec)


def environment_yml() -> dict[str, SpecifierSet]:
    """The conda dependencies of environment.yml (a list of 'name spec' strings)."""
    lines = (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines()
    deps, inside = {}, False
    for line in lines:
        if re.match(r"^dependencies:\s*$", line):
            inside = True
            continue
        if inside and re.match(r"^\S", line):
            break
        m = re.match(r"^\s+-\s+([A-Za-z0-9_.-]+)\s*([^#]*?)\s*(#.*)?$", line)
        if inside and m:
            name = CONDA_TO_PYPI.get(m.group(1), m.group(1))
            deps[canonicalize_name(name)] = conda_spec(m.group(2))
    return deps


def is_within(narrow: SpecifierSet, wide: SpecifierSet) -> bool:
    """Whether every version ``narrow`` allows (on a fine grid, plus the versions either
    range names) ``wide`` allows too."""
    named = [Version(s.version.rstrip(".*")) for s in [*narrow, *wide]]
    allowed = [v for v in GRID + named if v in narrow]
    return bool(allowed) and all(v in wide for v in allowed)


def test_is_within_tells_ranges_apart():
    """The range check itself: nested ranges pass; overlapping or disjoint ones do not."""
    assert is_within(SpecifierSet(">=8,<9"), SpecifierSet(">=7.7,<9"))
    assert is_within(SpecifierSet("==7.7.5"), SpecifierSet(">=7.7,<9"))
    assert not is_within(SpecifierSet(">=7"), SpecifierSet(">=7.7,<9"))
    assert not is_within(SpecifierSet("<7"), SpecifierSet(">=7.7"))
    assert conda_spec("=3.11") == SpecifierSet("==3.11.*")


def test_binder_environment_has_what_pyproject_needs():
    """environment.yml installs every run-time and course dependency, within pyproject's bounds."""
    env, decl = environment_yml(), declared()
    p = pyproject()
    needed = [Requirement(r) for r in p["dependencies"] + p["optional-dependencies"]["course"]]
    for r in needed:
        name = canonicalize_name(r.name)
        assert name in env, f"environment.yml lacks {r.name}, which pyproject.toml needs"
        assert is_within(env[name], decl[name]), (
            f"environment.yml allows {r.name} {env[name]}, outside pyproject's {decl[name]}")
    assert "pip" in env, "environment.yml needs pip, for postBuild's pip install"
    python = env.get("python")
    assert python is not None and str(python).startswith("=="), \
        "environment.yml should pin an exact Python version, e.g. python=3.11"
    assert is_within(python, SpecifierSet(p["requires-python"])), \
        f"environment.yml's python {python} is outside requires-python {p['requires-python']}"
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert re.search(r"channels:\s*\n\s+-\s+conda-forge\s*\n", text), \
        "environment.yml should take packages from conda-forge"


@pytest.mark.parametrize("path", sorted([*ROOT.glob("requirements*.txt"),
                                         *ROOT.glob("binder/requirements*.txt"),
                                         *ROOT.glob("scripts/*requirements*.txt")]),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_requirements_file_within_pyproject_bounds(path):
    """A requirements file names only packages pyproject.toml declares, inside its bounds."""
    decl = declared()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if not line or line.startswith("-"):
            continue
        r = Requirement(line)
        name = canonicalize_name(r.name)
        assert name in decl, f"{path.name}: {r.name} is not declared in pyproject.toml"
        assert is_within(r.specifier or SpecifierSet(), decl[name]), (
            f"{path.name} allows {r.name} {r.specifier}, outside pyproject's {decl[name]}")


def test_widgets7_environment_really_pins_ipywidgets_7_7():
    reqs = [Requirement(line.split("#")[0]) for line in
            (ROOT / "scripts/widgets7-requirements.txt").read_text().splitlines()
            if line.split("#")[0].strip()]
    pin = next(r for r in reqs if r.name == "ipywidgets")
    assert all(v.release[:2] == (7, 7) for v in GRID if v in pin.specifier), \
        f"the second environment should hold ipywidgets 7.7 as on Colab, not {pin.specifier}"


def test_postbuild_installs_rnnlib_without_dependencies():
    """Binder runs postBuild: it must be executable and must not let pip replace conda's packages."""
    post = ROOT / "postBuild"
    assert os.access(post, os.X_OK), "postBuild must be executable (chmod +x postBuild)"
    text = post.read_text()
    assert text.startswith("#!"), "postBuild needs a #! line"
    assert re.search(r"^pip install --no-deps -e \.\s*$", text, re.M), text
    apt = (ROOT / "apt.txt").read_text().split()
    assert "fonts-noto-cjk" in apt, "Binder needs a font with Hangul for the Korean plots"


def test_scripts_are_executable_in_git():
    """A fresh clone must be able to run these directly (the mode is stored in git)."""
    names = ["course.sh", "test.sh", "site.sh", ".ci/run", "postBuild", "scripts/setup-env.sh"]
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    out = subprocess.run(["git", "ls-files", "-s", "--", *names], cwd=ROOT, text=True,
                         capture_output=True, check=True).stdout
    modes = {line.split("\t")[1]: line.split()[0] for line in out.splitlines()}
    for n in names:
        assert modes.get(n) == "100755", f"{n} should be committed executable (mode {modes.get(n)})"


def test_setup_env_requires_the_python_pyproject_requires():
    text = (ROOT / "scripts/setup-env.sh").read_text()
    low = re.search(r"sys\.version_info < \((\d+), (\d+)\)", text)
    assert low, "setup-env.sh should check the Python version"
    assert f">={low.group(1)}.{low.group(2)}" == pyproject()["requires-python"]


def test_setup_env_explains_a_wrong_python_and_a_wrong_mode():
    """The set-up script speaks to the person running it rather than failing obscurely."""
    script = str(ROOT / "scripts/setup-env.sh")
    r = subprocess.run(["bash", script, "test"], env={**os.environ, "PYTHON": "false"},
                       capture_output=True, text=True)
    assert r.returncode == 1 and "needs Python 3.10 or newer" in r.stderr
    r = subprocess.run(["bash", script, "tset"], capture_output=True, text=True)
    assert r.returncode == 2 and "usage:" in r.stderr and "'tset'" in r.stderr


# --- the repository address: one place, everywhere the same ---------------------------------

def test_readme_badges_use_the_repository_of_nbtools():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert nbtools.binder_url() in readme, "README needs the Binder badge (nbtools.binder_url())"
    assert nbtools.colab_url() in readme, "README needs the Colab badge (nbtools.colab_url())"
    slugs = set(re.findall(r"(?:mybinder\.org/v2/gh|colab\.research\.google\.com/github)/"
                           r"([\w.-]+/[\w.-]+)", readme))
    assert slugs == {nbtools.REPO}, f"README's badges point at {slugs}, not {nbtools.REPO}"


# --- the kernel the notebook tests use ------------------------------------------------------

@pytest.mark.notebook
@pytest.mark.widgets
def test_the_notebook_kernel_is_this_environment():
    """Notebooks run in a kernel of this very environment (not another Python on the machine);
    under ./test.sh's second run that means ipywidgets 7.7 (RNNLIB_EXPECT_IPYWIDGETS)."""
    import ipywidgets
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell, new_notebook
    nb = new_notebook(cells=[new_code_cell(
        "import sys, json, ipywidgets, numpy\n"
        "print(json.dumps([sys.prefix, ipywidgets.__version__, numpy.__version__]))")])
    kernel = os.environ.get("RNNLIB_KERNEL", "python3")
    NotebookClient(nb, timeout=60, kernel_name=kernel).execute()
    prefix, widgets_version, numpy_version = json.loads(nb.cells[0].outputs[0]["text"])
    assert Path(prefix).resolve() == Path(sys.prefix).resolve(), \
        f"kernel {kernel!r} runs the Python in {prefix}, not this one in {sys.prefix}"
    assert widgets_version == ipywidgets.__version__
    expect = os.environ.get("RNNLIB_EXPECT_IPYWIDGETS")
    if expect:
        assert widgets_version.startswith(expect + "."), \
            f"expected ipywidgets {expect}.x in kernel {kernel!r}, found {widgets_version}"
