"""A progress bar with an estimated time left, for ``Trainer.train``, wherever it runs.

    trainer.train(2000, callback=progress_callback(2000))

The bar comes from tqdm.auto: in Jupyter it is a widget bar, in a terminal or a script a
line of text on stderr, such as

    training: 40%|██ | 800/2000 [00:04<00:06, 198.31it/s, smooth loss 71.234 = 4.111 bits/char]

(done / total, time so far < time left, iterations per second, min-char-rnn's smooth loss,
and the same per character in bits: loss / (T ln 2), see rnnlib.metrics).
Samples the trainer draws while it runs are shown too: in Jupyter the latest one below the
bar, in a terminal each one printed above it.
"""
from __future__ import annotations

import html
import math
import sys
from typing import NamedTuple, TextIO

import numpy as np

from ._style import MONO, PANEL


class Progress(NamedTuple):
    """What a callback receives after every iteration."""
    iteration: int        # iterations done so far
    loss: float           # loss of this chunk (summed over time, batch mean)
    smooth_loss: float    # 0.999 * previous + 0.001 * loss, as min-char-rnn prints
    chars_seen: int
    elapsed: float        # seconds spent in train() so far
    sample: str | None    # text sampled at this iteration, if it was due
    # the two losses per character, in bits: loss / (T ln 2) (see rnnlib.metrics)
    bits_per_char: float = math.nan
    smooth_bits_per_char: float = math.nan


# JupyterLab's own colours for a box of code (in either theme), else a grey that reads on both
_SAMPLE_STYLE = (f"font-family:{MONO};white-space:pre-wrap;{PANEL};"
                 f"padding:6px 8px;margin:2px 0;line-height:1.35")


def sample_html(iteration: int, text: str) -> str:
    """A sample drawn during training as HTML: a caption, then the text in a box."""
    return (f"<b>sample at iteration {iteration}:</b>"
            f"<div style='{_SAMPLE_STYLE}'>{html.escape(text)}</div>")


def _whole(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a whole number >= 1, got {value!r}.")
    return int(value)


class ProgressBar:
    """Call it with each :class:`rnnlib.Progress`; it moves a tqdm bar and closes it at the end.

    Attributes: ``count`` (calls so far), ``last`` (the latest Progress), ``samples`` (the
    (iteration, text) pairs the trainer sampled while it ran) and ``bar`` (the tqdm bar).
    ``file`` is where a text bar goes (default: stderr); in Jupyter the bar is a widget.
    """

    def __init__(self, n_iters: int, description: str = "training", show_samples: bool = True,
                 file: TextIO | None = None) -> None:
        self.total = _whole("n_iters", n_iters)
        # the smooth loss (and its bits) is written into the bar ~200 times per run, not every call
        self.every = max(1, self.total // 200)
        self.count = 0
        self.last: Progress | None = None
        self.samples: list[tuple[int, str]] = []
        self.show_samples = show_samples
        from tqdm.auto import tqdm       # here, so that importing rnnlib does not need it
        self.bar = tqdm(total=self.total, desc=description, unit="it", file=file,
                        mininterval=0.2)
        notebook = sys.modules.get("tqdm.notebook")         # imported if tqdm.auto chose it
        self._in_notebook = notebook is not None and isinstance(self.bar, notebook.tqdm)
        self._sample_view = None

    def __call__(self, p: Progress) -> None:
        self.count += 1
        self.last = p
        if p.sample is not None:
            self.samples.append((p.iteration - 1, p.sample))
            if self.show_samples:
                self._show_sample(p.iteration - 1, p.sample)
        if self.count % self.every == 0 or self.count >= self.total:
            self.bar.set_postfix_str(f"smooth loss {p.smooth_loss:.3f} = "
                                     f"{p.smooth_bits_per_char:.3f} bits/char", refresh=False)
        self.bar.update(1)
        if self.count == self.total:
            self.close()

    def _show_sample(self, iteration: int, text: str) -> None:
        if not self._in_notebook:
            self.bar.write(f"── sample at iteration {iteration} ──\n{text}")
            return
        from IPython.display import HTML, display
        view = HTML(sample_html(iteration, text))
        if self._sample_view is None:
            self._sample_view = display(view, display_id=True)
        else:
            self._sample_view.update(view)

    def close(self) -> None:
        """Close the bar (it closes itself after ``n_iters`` calls)."""
        self.bar.close()


def progress_callback(n_iters: int, description: str = "training",
                      show_samples: bool = True) -> ProgressBar:
    """A progress bar for ``n_iters`` iterations, with the time left, to pass as ``callback``.

    ``trainer.train(2000, callback=progress_callback(2000))``. In Jupyter it shows a widget
    bar; in a terminal a text bar on stderr.
    """
    return ProgressBar(n_iters, description=description, show_samples=show_samples)
