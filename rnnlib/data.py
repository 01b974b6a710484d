"""Corpora that need no download, by name.

- ``hello``: the four-letter running example of the course.
- ``python_docs``: the Python reference manual's topics (English prose with code), read at
  run time from the standard library's ``pydoc_data``, so every Python install has it.
  Its exact text follows the Python version.
- ``korean``: a short Korean text written for this course (data/korean.txt), to show
  a Unicode vocabulary.
"""
from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

HELLO = "hello"


def _python_docs() -> str:
    from pydoc_data.topics import topics
    return "\n\n".join(topics[k].strip() for k in sorted(topics)) + "\n"


def _file(name: str):
    def read() -> str:
        path = DATA_DIR / name
        if not path.exists():
            raise FileNotFoundError(
                f"{path} is missing; rnnlib reads its bundled texts from the data/ folder "
                f"of the project. Install it with 'pip install -e .' from a clone of the "
                f"project so the folder stays next to the package.")
        return path.read_text(encoding="utf-8")
    return read


CORPORA = {
    "hello": lambda: HELLO,
    "python_docs": _python_docs,
    "korean": _file("korean.txt"),
}


def load(name: str) -> str:
    """Return the text of a bundled corpus: one of ``CORPORA``."""
    if name not in CORPORA:
        raise ValueError(f"unknown corpus {name!r}; choose one of {sorted(CORPORA)}.")
    return CORPORA[name]()
