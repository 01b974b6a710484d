"""Helpers to write the course notebooks consistently.

Every notebook gets: its title, the Binder and Colab badges, the same set-up cell (which,
wherever rnnlib cannot be imported, fetches the project and installs rnnlib without
upgrading the numpy or ipywidgets already there), slide metadata on each section heading
for presentation mode, no outputs.

    from nbtools import md, code, write
    write("notebooks/02_hidden_layer.ipynb", "02 · The hidden layer", [md("..."), code("...")])

After changing the set-up cell below, put it into every notebook (nothing else changes) with

    python scripts/nbtools.py setup-cells

The GitHub address the badges and the set-up cell point at is ``REPO`` (and ``BRANCH``)
below, and only here. To move the course to another repository, run

    python scripts/nbtools.py set-repo OWNER/NAME [--branch BRANCH]

which rewrites these two constants, the badges in README.md and every notebook's badges
and set-up cell in place (tests/test_setup_cell.py checks that they all agree).
"""
from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from rnnlib._io import write_text_atomic

REPO = "rnns-from-scratch/rnns-from-scratch"
BRANCH = "main"

ROOT = Path(__file__).resolve().parent.parent
# Where the set-up cell puts the course when rnnlib is missing: a folder named after the
# repository, in Colab's /content, in Kaggle's /kaggle/working (the folder Kaggle keeps), or
# else in the home folder, one place that every notebook opened anywhere on that computer
# finds again (a clone of the course around the notebook is used as it is).
COLAB_DIR = "/content"
KAGGLE_DIR = "/kaggle/working"


def setup_cell(repo: str = REPO, branch: str = BRANCH) -> str:
    """The set-up cell every notebook starts with, fetching the course from ``repo``."""
    return f'''\
# Set-up. Where rnnlib is installed (./course.sh, Binder) this does nothing. Elsewhere (Colab,
# Kaggle, VS Code, a notebook downloaded on its own) it fetches the course with git into
# {COLAB_DIR}, {KAGGLE_DIR} or your home folder, and installs rnnlib from it with pip,
# keeping the numpy, matplotlib and ipywidgets you have.
import importlib, importlib.util, os, subprocess, sys, warnings
if importlib.util.find_spec("rnnlib") is None:
    def run_or_stop(command, advice):
        """Run a command; if it fails, show its own message, say what to do, and stop."""
        try:
            done = subprocess.run(command, capture_output=True, text=True)
            error = done.returncode and (done.stdout + done.stderr).strip()
        except OSError as e:  # the program itself is missing
            error = f"{{e}}: install {{command[0]}} first"
        if error:
            print(error, file=sys.stderr)
            warnings.filterwarnings("ignore", "To exit")  # IPython's hint, not for us
            raise SystemExit(advice)

    url = "https://github.com/{repo}"
    if os.path.isfile("../rnnlib/__init__.py"):  # this notebook is inside a clone
        course = os.path.abspath("..")
    else:
        if "google.colab" in sys.modules:
            folder = "{COLAB_DIR}"
        elif os.path.isdir("{KAGGLE_DIR}"):
            folder = "{KAGGLE_DIR}"
        else:
            folder = os.path.expanduser("~")
        course = os.path.join(folder, "{repo.split("/")[1]}")
        if not os.path.isdir(course):
            run_or_stop(["git", "clone", "--depth", "1", "--branch", "{branch}", url, course],
                        f"git could not fetch the course (its message is above). Check that "
                        f"this notebook can reach the internet (on Kaggle: Settings > Internet "
                        f"on) and that {{url}} opens in a browser, then run this cell again.")
    # --no-deps: pip leaves numpy, matplotlib and ipywidgets alone where they are installed
    ready = all(importlib.util.find_spec(m) for m in ("numpy", "matplotlib", "ipywidgets"))
    pip = [sys.executable, "-m", "pip", "install", *(["--no-deps"] if ready else []),
           "-e", course, "koreanize-matplotlib"]
    run_or_stop(pip, f"pip could not install rnnlib (its message is above). Check the "
                     f"network, then run this cell again, or install by hand in a new cell: "
                     f"%pip {{' '.join(pip[3:])}}")
    sys.path.insert(0, course)
    importlib.invalidate_caches()
    os.chdir(os.path.join(course, "notebooks"))
    print(f"rnnlib installed from {{course}}; working in {{os.getcwd()}}")'''


SETUP_CELL = setup_cell()


def binder_url(notebook: str = "00_start_here.ipynb", repo: str = REPO,
               branch: str = BRANCH) -> str:
    """Binder link that opens ``notebooks/<notebook>`` in JupyterLab."""
    return f"https://mybinder.org/v2/gh/{repo}/{branch}?urlpath=lab/tree/notebooks/{notebook}"


def colab_url(notebook: str = "00_start_here.ipynb", repo: str = REPO,
              branch: str = BRANCH) -> str:
    """Colab link that opens ``notebooks/<notebook>`` straight from GitHub."""
    return f"https://colab.research.google.com/github/{repo}/blob/{branch}/notebooks/{notebook}"


def badges(path: str) -> str:
    """Markdown for the Binder and Colab badges of one notebook."""
    nb = Path(path).name
    return (f"[![Binder](https://mybinder.org/badge_logo.svg)]({binder_url(nb)}) "
            f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
            f"({colab_url(nb)})")


def md(source: str):
    cell = new_markdown_cell(source.strip("\n"))
    if cell.source.startswith("## ") or cell.source.startswith("# "):
        cell.metadata["slideshow"] = {"slide_type": "slide"}
    elif cell.source.startswith("### "):
        cell.metadata["slideshow"] = {"slide_type": "subslide"}
    return cell


def code(source: str, tags: tuple[str, ...] = ()):
    cell = new_code_cell(source.strip("\n"))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def write(path: str, title: str, cells: list) -> None:
    """Write a notebook: title + badges, the set-up cell, then ``cells``; no outputs."""
    head = md(f"# {title}\n\n{badges(path)}")
    setup = code(SETUP_CELL, tags=("setup",))
    nb = new_notebook(cells=[head, setup, *cells])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, c in enumerate(nb.cells):
        c["id"] = f"c{i:03d}"
    nbformat.validate(nb)
    write_text_atomic(path, json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


# --- moving the course to another repository -------------------------------------------

_SLUG = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


def with_setup_cell(notebook_json: str, source: str) -> str:
    """The text of a notebook (as ``write`` saves it) with its set-up cell's source replaced
    by ``source``; every other byte stays as it was."""
    nb = json.loads(notebook_json)
    cell = next((c for c in nb["cells"] if "setup" in c["metadata"].get("tags", [])), None)
    if cell is None:
        raise ValueError("this notebook has no cell tagged 'setup'; write it with nbtools.write")
    cell["source"] = source
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def write_setup_cells(root: Path = ROOT, source: str = SETUP_CELL) -> list[Path]:
    """Put ``source`` (the set-up cell) into every notebook under ``root``; returns the files
    it changed."""
    changed = []
    for f in sorted((root / "notebooks").glob("*.ipynb")):
        text = f.read_text(encoding="utf-8")
        new = with_setup_cell(text, source)
        if new != text:
            write_text_atomic(f, new)
            changed.append(f)
    return changed


def set_repo(repo: str, branch: str | None = None, root: Path = ROOT) -> list[Path]:
    """Point every badge and the set-up cell at ``repo`` (``owner/name``) and ``branch``.

    Edits ``scripts/nbtools.py``, ``README.md`` and ``notebooks/*.ipynb`` under ``root``:
    the badges by plain text replacement, the set-up cells written anew for the new address
    (the notebooks keep everything else byte for byte). Returns the files it changed.
    """
    if not _SLUG.match(repo):
        raise ValueError(f"repository {repo!r} should look like OWNER/NAME, "
                         f"e.g. my-university/rnn-course")
    branch = branch or BRANCH
    if not re.match(r"^[A-Za-z0-9_./-]+$", branch):
        raise ValueError(f"branch {branch!r} has characters a URL cannot carry as they are")
    # The longer, branch-carrying forms first, then the bare address.
    swaps = [(f"gh/{REPO}/{BRANCH}?", f"gh/{repo}/{branch}?"),
             (f"github/{REPO}/blob/{BRANCH}/", f"github/{repo}/blob/{branch}/"),
             (REPO, repo)]
    files = [root / "README.md", *sorted((root / "notebooks").glob("*.ipynb"))]
    changed = []
    for f in files:
        if not f.exists():
            continue
        text = f.read_text(encoding="utf-8")
        new = text
        for old, rep in swaps:
            new = new.replace(old, rep)
        if f.suffix == ".ipynb":
            new = with_setup_cell(new, setup_cell(repo, branch))
        if new != text:
            write_text_atomic(f, new)
            changed.append(f)
    me = root / "scripts" / "nbtools.py"
    text = me.read_text(encoding="utf-8")
    new = re.sub(r'^REPO = ".*"$', f'REPO = "{repo}"', text, count=1, flags=re.M)
    new = re.sub(r'^BRANCH = ".*"$', f'BRANCH = "{branch}"', new, count=1, flags=re.M)
    if new != text:
        write_text_atomic(me, new)
        changed.append(me)
    return changed


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Tools for the course notebooks.")
    sub = ap.add_subparsers(dest="command", required=True)
    sr = sub.add_parser("set-repo", help="point the badges and the set-up cell at a repository")
    sr.add_argument("repo", help="OWNER/NAME on GitHub")
    sr.add_argument("--branch", default=None, help=f"branch (default: keep {BRANCH!r})")
    sub.add_parser("setup-cells", help="write SETUP_CELL into every notebook's set-up cell")
    args = ap.parse_args(argv)
    changed = (set_repo(args.repo, args.branch) if args.command == "set-repo"
               else write_setup_cells())
    for f in changed:
        print(f"updated {f}")


if __name__ == "__main__":
    main()
