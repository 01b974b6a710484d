"""Interactive widgets of the course (ipywidgets only; no maths of their own).

Every widget here works on ipywidgets 7.7 (what Colab ships) and 8: each is a ``VBox``
subclass that displays itself, and draws matplotlib figures inside ``Output`` widgets
with ``plt.show()``, so no ipympl or custom widget manager is needed. Each keeps the
numbers it shows as attributes, so tests can drive it without a browser.
"""
from __future__ import annotations

import warnings
from contextlib import contextmanager

import matplotlib.pyplot as plt


@contextmanager
def figure_in(out, *args, **kwargs):
    """Draw a new figure into Output widget ``out``, replacing what it showed.

    ``with figure_in(out, 1, 2, figsize=(8, 3)) as (fig, axes): ...`` — the figure is
    shown with ``plt.show()`` on leaving the block and then closed.
    """
    with out:
        out.clear_output(wait=True)
        fig, axes = plt.subplots(*args, **kwargs)
        try:
            yield fig, axes
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*non-interactive.*")
                plt.show()
        finally:
            plt.close(fig)
