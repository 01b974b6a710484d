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
    """The dependencies of environment.yml, conda's ('name spec') and those of its pip:
    section ('name==version'), by normalised PyPI name."""
    lines = (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines()
    deps, inside, pip_indent = {}, False, None
    for line in lines:
        if re.match(r"^dependencies:\s*$", line):
            inside = True
            continue
        if inside and re.match(r"^\S", line):
            break
        line = line.split("#")[0].rstrip()
        if not inside or not line.strip():
            continue
        m = re.match(r"^(\s+)-\s+([^:]+?)\s*(:?)$", line)
        assert m, f"environment.yml: cannot read {line!r}"
        indent, entry, is_section = m.groups()
        if is_section:                                   # '- pip:' opens pip's list
            deps["pip"], pip_indent = SpecifierSet(), len(indent)
        elif pip_indent is not None and len(indent) > pip_indent:   # in it: PyPI syntax
            r = Requirement(entry)
            deps[canonicalize_name(r.name)] = r.specifier
        else:
            pip_indent = None
            name, spec = re.match(r"([A-Za-z0-9_.-]+)\s*(.*)", entry).groups()
            name = CONDA_TO_PYPI.get(name, name)
            deps[canonicalize_name(name)] = conda_spec(spec)
    return deps


def pins(path: Path) -> dict[str, Version]:
    """The exact versions (name==version) a requirements or constraints file pins; every
    line it has must be such a pin."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        r = Requirement(line)
        specs = list(r.specifier)
        assert len(specs) == 1 and specs[0].operator == "==" and "*" not in specs[0].version, \
            f"{path.name}: {line!r} should pin one exact version, e.g. {r.name}==1.2.3"
        out[canonicalize_name(r.name)] = Version(specs[0].version)
    return out


CONSTRAINTS = ROOT / "scripts/constraints.txt"
WIDGETS7 = ROOT / "scripts/widgets7-requirements.txt"
# What Colab had on the date scripts/widgets7-requirements.txt names (Python 3.13 there).
COLAB = {"numpy": "2.1.3", "matplotlib": "3.10.0", "ipywidgets": "7.7.1", "ipykernel": "6.17.1",
         "ipython": "7.34.0", "traitlets": "5.7.1"}


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


def test_binder_pins_the_versions_of_the_constraints_file():
    """Every package of environment.yml but Python and pip is pinned (==) to the version
    scripts/constraints.txt gives it, the one list of tested versions."""
    env, pinned = environment_yml(), pins(CONSTRAINTS)
    for name, spec in env.items():
        if name in ("python", "pip"):
            continue
        assert name in pinned, f"environment.yml installs {name}, which {CONSTRAINTS.name} lacks"
        want = f"=={pinned[name]}"
        assert str(spec) == want, (
            f"environment.yml has {name} {spec or '(any version)'}, but {CONSTRAINTS.name} "
            f"pins {name}{want}: write `{name}{want}` in environment.yml")


def test_the_pin_files_pin_what_rnnlib_needs_within_pyproject_bounds():
    """Both pin files hold every run-time dependency (the widgets7 environment installs
    rnnlib with --no-deps, so it must), each inside pyproject.toml's bounds."""
    decl, p = declared(), pyproject()
    runtime = {canonicalize_name(Requirement(r).name) for r in p["dependencies"]}
    course = {canonicalize_name(Requirement(r).name) for r in p["optional-dependencies"]["course"]}
    for path, needed in ((CONSTRAINTS, runtime | course), (WIDGETS7, runtime)):
        pinned = pins(path)
        for name in needed:
            assert name in pinned, f"{path.name} does not pin {name}, which pyproject.toml needs"
        for name, version in pinned.items():
            if name in decl:
                assert version in decl[name], (
                    f"{path.name} pins {name}=={version}, outside pyproject's {decl[name]}")


@pytest.mark.parametrize("path", sorted([*ROOT.glob("requirements*.txt"),
                                         *ROOT.glob("binder/requirements*.txt"),
                                         *ROOT.glob("scripts/*requirements*.txt")]),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_requirements_file_within_pyproject_bounds(path):
    """A requirements file keeps the packages pyproject.toml declares inside its bounds."""
    decl = declared()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if not line or line.startswith("-"):
            continue
        r = Requirement(line)
        name = canonicalize_name(r.name)
        if name in decl:
            assert is_within(r.specifier or SpecifierSet(), decl[name]), (
                f"{path.name} allows {r.name} {r.specifier}, outside pyproject's {decl[name]}")


def test_widgets7_environment_pins_colabs_packages():
    """The second environment holds Colab's versions (ipywidgets 7.7 among them), and README
    names the date of Colab they match."""
    pinned = pins(WIDGETS7)
    for name, version in COLAB.items():
        assert pinned.get(name) == Version(version), \
            f"{WIDGETS7.name} pins {name} {pinned.get(name)}, Colab has {version}"
    assert pinned["ipywidgets"].release[:2] == (7, 7)
    text = WIDGETS7.read_text(encoding="utf-8")
    date = re.search(r"Colab's runtime as of (\d{1,2} \w+ \d{4})", text)
    assert date, f"{WIDGETS7.name} should say which date's Colab it matches"
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert date.group(1) in readme, f"README should say the pins match Colab of {date.group(1)}"


def test_this_environment_has_the_pinned_versions():
    """The environment running the tests has the versions its pin file names: .venv those of
    scripts/constraints.txt (and so of Binder), .venv-widgets7 those of Colab."""
    import importlib.metadata as md
    import ipywidgets
    widgets7 = ipywidgets.__version__.startswith("7.")
    path = WIDGETS7 if widgets7 else CONSTRAINTS
    if not widgets7 and sys.version_info < (3, 11):
        pytest.skip("the pins of scripts/constraints.txt need Python 3.11; setup-env.sh "
                    "does without them on this Python")
    # the pinned packages rnnlib and its course need must be installed; others, if they are
    p = pyproject()
    must = {canonicalize_name(Requirement(r).name)
            for r in p["dependencies"] + ([] if widgets7 else p["optional-dependencies"]["course"])}
    wrong = []
    for name, version in pins(path).items():
        try:
            have = Version(md.version(name))
        except md.PackageNotFoundError:
            if name in must:
                wrong.append(f"{name} is not installed ({path.name} pins {version})")
            continue
        if have != version:
            wrong.append(f"{name} {have} is installed, {path.name} pins {version}")
    assert not wrong, ("; ".join(wrong) + ". Run scripts/setup-env.sh "
                       + ("widgets7" if widgets7 else "test") + " to install the pinned versions.")


def test_binder_python_is_the_python_of_the_tests():
    """Binder gets the Python CI tests with (3.11, as Debian 12 ships it)."""
    python = environment_yml()["python"]
    here = Version(f"{sys.version_info.major}.{sys.version_info.minor}")
    if os.environ.get("CI") != "true" and here not in python:
        pytest.skip(f"this is Python {here}; Binder's is {python} (checked in CI)")
    assert here in python, f"the tests run Python {here}, environment.yml gives Binder {python}"


def test_postbuild_installs_rnnlib_without_dependencies():
    """Binder runs postBuild: it must be executable and must not let pip replace conda's packages."""
    post = ROOT / "postBuild"
    assert os.access(post, os.X_OK), "postBuild must be executable (chmod +x postBuild)"
    text = post.read_text()
    assert text.startswith("#!"), "postBuild needs a #! line"
    assert re.search(r"^pip install --no-deps -e \.\s*$", text, re.M), text


def _run_ci(tmp_path, present: list[str]) -> tuple[str, list[str]]:
    """Run a copy of .ci/run where only the commands ``present`` (and the shell tools it
    uses) exist, with apt-get and ./test.sh replaced by stubs that record their calls."""
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.log"
    bin_dir.mkdir(parents=True)
    for tool in ("bash", "dirname", "id"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    (bin_dir / "python3").symlink_to(Path(sys.executable).resolve())
    for name in present:
        (bin_dir / name).write_text("#!/bin/sh\nexit 0\n")
        (bin_dir / name).chmod(0o755)
    (bin_dir / "apt-get").write_text(f'#!/bin/sh\necho "apt-get $*" >> {log}\n')
    (bin_dir / "apt-get").chmod(0o755)
    (tmp_path / ".ci").mkdir()
    shutil.copy(ROOT / ".ci/run", tmp_path / ".ci/run")
    (tmp_path / "test.sh").write_text(f'#!/bin/sh\necho "test.sh" >> {log}\n')
    (tmp_path / "test.sh").chmod(0o755)
    r = subprocess.run([str(bin_dir / "bash"), str(tmp_path / ".ci/run")], capture_output=True,
                       text=True, env={"PATH": str(bin_dir), "HOME": str(tmp_path)}, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout, log.read_text().splitlines() if log.exists() else []


@pytest.mark.skipif(os.name != "posix" or shutil.which("bash") is None, reason="needs bash")
def test_ci_installs_the_driver_even_where_chromium_is_there(tmp_path):
    """.ci/run asks apt-get for whichever of chromium and chromium-driver is missing (and
    no system font), then runs ./test.sh; with everything there it installs nothing."""
    _, calls = _run_ci(tmp_path / "a", present=["chromium", "git"])
    assert calls[-1] == "test.sh"
    installs = [c for c in calls if c.startswith("apt-get install")]
    assert len(installs) == 1 and installs[0].split()[-1] == "chromium-driver", calls
    assert "fonts-noto-cjk" not in " ".join(calls)
    _, calls = _run_ci(tmp_path / "b", present=["chromium", "chromedriver", "git"])
    assert calls == ["test.sh"]


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
