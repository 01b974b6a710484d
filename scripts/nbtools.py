"""Helpers to write the course notebooks consistently.

Every notebook gets: its title, the Binder and Colab badges, the same set-up cell (which on
Colab fetches the project and installs rnnlib without upgrading Colab's numpy or
ipywidgets), slide metadata on each section heading for presentation mode, no outputs.

    from nbtools import md, code, write
    write("notebooks/02_hidden_layer.ipynb", "02 · The hidden layer", [md("..."), code("...")])
"""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

REPO = "rnns-from-scratch/rnns-from-scratch"
BRANCH = "main"

SETUP_CELL = f'''\
# Set-up: on Colab this fetches the course and installs rnnlib (keeping Colab's numpy
# and ipywidgets); locally and on Binder rnnlib is already installed and this does nothing.
import importlib.util, subprocess, sys
if "google.colab" in sys.modules and importlib.util.find_spec("rnnlib") is None:
    subprocess.run(["git", "clone", "--depth", "1", "https://github.com/{REPO}",
                    "/content/rnns-from-scratch"], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "-e", "/content/rnns-from-scratch"], check=True)
    sys.path.insert(0, "/content/rnns-from-scratch")'''


def badges(path: str) -> str:
    """Markdown for the Binder and Colab badges of one notebook."""
    nb = Path(path).name
    binder = (f"https://mybinder.org/v2/gh/{REPO}/{BRANCH}?urlpath=lab/tree/notebooks/{nb}")
    colab = f"https://colab.research.google.com/github/{REPO}/blob/{BRANCH}/notebooks/{nb}"
    return (f"[![Binder](https://mybinder.org/badge_logo.svg)]({binder}) "
            f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab})")


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
    Path(path).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
