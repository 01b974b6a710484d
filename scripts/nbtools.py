"""Helpers to write the course notebooks consistently.

Every notebook gets: its title, the Binder and Colab badges, the same set-up cell (which on
Colab fetches the project and installs rnnlib without upgrading Colab's numpy or
ipywidgets), slide metadata on each section heading for presentation mode, no outputs.

    from nbtools import md, code, write
    write("notebooks/02_hidden_layer.ipynb", "02 · The hidden layer", [md("..."), code("...")])

The GitHub address the badges and the set-up cell point at is ``REPO`` (and ``BRANCH``)
below, and only here. To move the course to another repository, run

    python scripts/nbtools.py set-repo OWNER/NAME [--branch BRANCH]

which rewrites these two constants, the badges in README.md and every notebook's badges
and set-up cell in place (tests/test_environment.py checks that they all agree).
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
# Where the set-up cell puts the course on Colab; it then works from the notebooks/ folder
# there, so relative paths behave as they do locally.
COLAB_DIR = "/content/rnns-from-scratch"

SETUP_CELL = f'''\
# Set-up: on Colab this fetches the course and installs rnnlib (keeping Colab's numpy
# and ipywidgets); locally and on Binder rnnlib is already installed and this does nothing.
import importlib.util, os, subprocess, sys
if "google.colab" in sys.modules and importlib.util.find_spec("rnnlib") is None:
    course_dir = "{COLAB_DIR}"
    if not os.path.isdir(course_dir):
        subprocess.run(["git", "clone", "--depth", "1", "--branch", "{BRANCH}",
                        "https://github.com/{REPO}",
                        course_dir], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "-e", course_dir], check=True)
    sys.path.insert(0, course_dir)
    os.chdir(os.path.join(course_dir, "notebooks"))'''


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


def set_repo(repo: str, branch: str | None = None, root: Path = ROOT) -> list[Path]:
    """Point every badge and the set-up cell at ``repo`` (``owner/name``) and ``branch``.

    Edits ``scripts/nbtools.py``, ``README.md`` and ``notebooks/*.ipynb`` under ``root``
    by plain text replacement (the notebooks keep everything else byte for byte).
    Returns the files it changed.
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
             (f'"--branch", "{BRANCH}"', f'"--branch", "{branch}"'),
             (f'\\"--branch\\", \\"{BRANCH}\\"', f'\\"--branch\\", \\"{branch}\\"'),
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
    sr = sub.add_parser("set-repo", help="point the badges and the Colab set-up at a repository")
    sr.add_argument("repo", help="OWNER/NAME on GitHub")
    sr.add_argument("--branch", default=None, help=f"branch (default: keep {BRANCH!r})")
    args = ap.parse_args(argv)
    if args.command == "set-repo":
        for f in set_repo(args.repo, args.branch):
            print(f"updated {f}")


if __name__ == "__main__":
    main()
