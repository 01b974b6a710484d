"""Plots of activations: hidden states over time, single columns, gates, one-hot matrices.

``hidden_heatmap`` draws h_t over time (hidden units down, time steps across);
``column_heatmap``, ``gate_column`` and ``columns_side_by_side`` draw one or several column
vectors as coloured cells with their values written in (``set_column`` and ``set_columns``
put new values into them); ``signed_heatmap`` draws a matrix of signed values such as a
gradient; ``one_hot_heatmap`` draws the one-hot matrix of a text; ``mark_time_step``
outlines one time step of a heatmap.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator
from numpy.typing import ArrayLike

from ._base import char_label, jamo_label, axes_or_new, first_column


def hidden_heatmap(hs: ArrayLike, chars: Sequence[str] | None = None, ax: Axes | None = None,
                   title: str = "hidden activations h_t") -> Axes:
    """Heatmap of h_t over time: rows are hidden units, columns are time steps.

    A diverging colour map centred on 0 with limits -1..1, the range of tanh.
    """
    h = first_column(hs)                                 # (T, H)
    T, H = h.shape
    ax = axes_or_new(ax, figsize=(max(4, 0.45 * T + 2), max(2.5, 0.22 * H + 1)))
    labelled = chars is not None and T <= 60
    # unlabelled columns sit at t = 1..T on the axis, as the steps are numbered
    im = ax.imshow(h.T, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto",
                   interpolation="nearest",
                   extent=None if labelled else (0.5, T + 0.5, H - 0.5, -0.5))
    ax.set_xlabel("time step t" + (" (input read)" if chars is not None else ""))
    ax.set_ylabel("hidden unit")
    if H <= 32:
        ax.set_yticks(range(H))                           # every unit numbered
    if labelled:
        ax.set_xticks(range(T))
        ax.set_xticklabels([f"{t + 1}\n{char_label(c)}" for t, c in enumerate(chars)])
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title)
    ax.figure.colorbar(im, ax=ax, fraction=0.04, pad=0.02, label="h value")
    return ax


def column_heatmap(v: ArrayLike, ax: Axes | None = None, title: str = "",
                   row_labels: Sequence[str] | None = None, vmax: float = 1.0,
                   annotate: bool = True, fmt: str = "{:.2f}") -> Axes:
    """One column vector (K,) or (K, 1) as a column of coloured cells, values written in.

    Diverging colours centred on 0 (blue negative, red positive) with limits -vmax..vmax;
    pass the same ``vmax`` to columns drawn side by side so their colours compare.
    """
    v = np.asarray(v, dtype=float).reshape(-1)
    K = len(v)
    ax = axes_or_new(ax, figsize=(1.2, max(1.5, 0.4 * K + 0.6)))
    ax.imshow(v[:, None], cmap="RdBu_r", vmin=-vmax, vmax=vmax, aspect="auto",
              interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks(range(K))
    ax.set_yticklabels(row_labels if row_labels is not None else [str(k) for k in range(K)],
                       fontsize=9)
    if annotate:
        for k, val in enumerate(v):
            ax.text(0, k, fmt.format(val), ha="center", va="center", fontsize=8.5,
                    color=_number_colour(val, -vmax, vmax))
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def _number_colour(val: float, vmin: float, vmax: float) -> str:
    """Dark cells get white text so the number stays readable: the top 40% of a scale
    from 0, the outer 40% of a scale symmetric about 0."""
    dark = (val - vmin) / (vmax - vmin) > 0.6 if vmin >= 0 else abs(val) > 0.6 * vmax
    return "white" if dark else "black"


def set_column(ax: Axes, v: ArrayLike, title: str | None = None,
               fmt: str = "{:.2f}") -> Axes:
    """Put new values (K,) or (K, 1) into a column drawn by :func:`column_heatmap` or
    :func:`gate_column` with the same K: its colours, its numbers and, if given, its title.

    The colour scale stays as it was drawn. A widget that steps through time calls this
    instead of drawing the column again, which costs a fraction of the time.
    """
    v = np.asarray(v, dtype=float).reshape(-1)
    im = ax.get_images()[0]
    im.set_data(v[:, None])
    lo, hi = im.norm.vmin, im.norm.vmax
    for text, val in zip(ax.texts, v):
        text.set_text(fmt.format(val))
        text.set_color(_number_colour(val, lo, hi))
    if title is not None:
        ax.set_title(title, fontsize=10)
    return ax


def mark_time_step(ax: Axes, t: int, colour: str = "#222", lw: float = 2.5) -> Axes:
    """Outline column ``t`` (0-based) of a heatmap drawn by :func:`hidden_heatmap`."""
    from matplotlib.patches import Rectangle
    rows = ax.get_images()[0].get_array().shape[0]
    ax.add_patch(Rectangle((t - 0.5, -0.5), 1, rows, fill=False, edgecolor=colour, lw=lw,
                           clip_on=False))
    return ax


def columns_side_by_side(columns: Sequence[tuple[ArrayLike, str, Sequence[str] | None]],
                         ax: Axes | None = None, vmax: float = 1.0,
                         fmt: str = "{:.2f}") -> Axes:
    """Several column vectors side by side in one axes, e.g. the terms of one RNN step.

    columns: a list of (values (K,) or (K, 1), title, row_labels or None). Each is drawn as
    a column of cells coloured on one diverging scale -vmax..vmax (blue negative, red
    positive), its values written in, its title above; rows of equal index line up. One axes
    for all columns draws several times faster than one axes per column, which matters in
    a widget that redraws on every slider move.
    """
    cols = [(np.asarray(v, dtype=float).reshape(-1), title, labels)
            for v, title, labels in columns]
    K = max(len(v) for v, _, _ in cols)
    step = 1.9                                        # room between columns for row labels
    ax = axes_or_new(ax, figsize=(1.3 * len(cols) + 1, 0.42 * K + 1.2))
    for j, (v, title, labels) in enumerate(cols):
        x0 = j * step
        ax.imshow(v[:, None], cmap="RdBu_r", vmin=-vmax, vmax=vmax,
                       extent=(x0 - 0.5, x0 + 0.5, len(v) - 0.5, -0.5),
                       interpolation="nearest")
        ax.add_patch(plt.Rectangle((x0 - 0.5, -0.5), 1, len(v), fill=False, lw=0.8,
                                   edgecolor="#444"))
        for k, val in enumerate(v):
            ax.text(x0, k, fmt.format(val), ha="center", va="center", fontsize=8.5,
                    color=_number_colour(val, -vmax, vmax), gid="value")
        if labels is not None:
            for k, lab in enumerate(labels):
                ax.text(x0 - 0.6, k, str(lab), ha="right", va="center", fontsize=9)
        ax.text(x0, -0.75, title, ha="center", va="bottom", fontsize=10)
    ax.set_xlim(-1.3, (len(cols) - 1) * step + 1.2)     # room for the last title
    ax.set_ylim(K - 0.45, -1.4)
    ax.set_aspect("auto")
    ax.axis("off")
    return ax


def set_columns(ax: Axes, values: Sequence[ArrayLike], fmt: str = "{:.2f}") -> Axes:
    """Put new values into the columns drawn by :func:`columns_side_by_side` (the same
    number of columns, each of the same length): their colours and numbers.

    ``values``: one (K,) or (K, 1) array per column. The colour scale stays as drawn.
    """
    numbers = iter(t for t in ax.texts if t.get_gid() == "value")
    for im, v in zip(ax.get_images(), values):
        v = np.asarray(v, dtype=float).reshape(-1)
        im.set_data(v[:, None])
        for val in v:
            text = next(numbers)
            text.set_text(fmt.format(val))
            text.set_color(_number_colour(val, im.norm.vmin, im.norm.vmax))
    return ax


def signed_heatmap(a: ArrayLike, ax: Axes | None = None, title: str = "",
                   row_labels: Sequence[str] | None = None,
                   col_labels: Sequence[str] | None = None,
                   vmax: float | None = None, annotate: bool = False, fmt: str = "{:+.2f}",
                   colorbar: bool = True, xlabel: str = "", ylabel: str = "") -> Axes:
    """A matrix of signed values (a gradient such as dWhy (V, H)) as coloured cells.

    Diverging colours centred on 0 (blue negative, white 0, red positive) with limits
    -vmax..vmax; None uses the largest |value|. Give several heatmaps the same ``vmax`` to
    compare them, or to watch one grow.
    """
    a = np.atleast_2d(np.asarray(a, dtype=float))
    R, C = a.shape
    if vmax is None:
        vmax = float(np.abs(a).max())
    vmax = vmax if vmax > 0 else 1.0      # an all-zero array still gets a valid scale
    ax = axes_or_new(ax, figsize=(max(2.5, 0.4 * C + 1.5), max(2, 0.35 * R + 1)))
    im = ax.imshow(a, cmap="RdBu_r", vmin=-vmax, vmax=vmax, aspect="auto",
                   interpolation="nearest")
    ax.set_xticks(range(C))
    ax.set_xticklabels(col_labels if col_labels is not None else range(C), fontsize=8)
    ax.set_yticks(range(R))
    ax.set_yticklabels(row_labels if row_labels is not None else range(R), fontsize=8)
    if annotate:
        for (r, c), val in np.ndenumerate(a):
            colour = "white" if abs(val) > 0.6 * vmax else "black"
            ax.text(c, r, fmt.format(val), ha="center", va="center", fontsize=7, color=colour)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=10)
    if colorbar:
        ax.figure.colorbar(im, ax=ax, fraction=0.05, pad=0.03)
    return ax


def gate_column(v: ArrayLike, ax: Axes | None = None, title: str = "", vmin: float = 0.0,
                vmax: float = 1.0, row_labels: Sequence[str] | None = None,
                fmt: str = "{:.2f}") -> Axes:
    """One column vector (K,) or (K, 1) as coloured cells with the values written in,
    on a fixed scale vmin..vmax.

    A scale from 0 (gates i, f, o: sigmoid outputs) uses a sequential map, white at 0
    (closed) to dark green at 1 (open); a scale symmetric about 0 (g, c, h) uses the
    diverging blue-white-red map with white at 0. The scale is fixed, so columns drawn
    at different steps compare by colour.
    """
    v = np.asarray(v, dtype=float).reshape(-1)
    K = len(v)
    ax = axes_or_new(ax, figsize=(1.2, max(1.5, 0.4 * K + 0.6)))
    cmap = "Greens" if vmin >= 0 else "RdBu_r"
    ax.imshow(v[:, None], cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto",
              interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks(range(K))
    ax.set_yticklabels(row_labels if row_labels is not None else [str(k) for k in range(K)],
                       fontsize=9)
    for k, val in enumerate(v):
        ax.text(0, k, fmt.format(val), ha="center", va="center", fontsize=8.5,
                color=_number_colour(val, vmin, vmax))
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def one_hot_heatmap(x: ArrayLike, vocab_chars: Sequence[str], text: str | None = None,
                    ax: Axes | None = None, title: str = "") -> Axes:
    """The one-hot matrix of a text: one row per vocabulary character, column t is x_t.

    x: (T, V, N) or (T, V) one-hot array (the first sequence is drawn); vocab_chars (V,);
    text: the T characters read, to label the columns. Columns are numbered by step,
    t = 1..T as in the equations, so column t is the array x[t - 1].
    """
    xs = first_column(x)                                  # (T, V)
    T, V = xs.shape
    ax = axes_or_new(ax, figsize=(max(3.5, 0.42 * T + 2.2), max(2.2, 0.3 * V + 1.3)))
    ax.imshow(xs.T, cmap="Blues", vmin=0, vmax=1.25, aspect="auto", interpolation="nearest")
    # thin lines between cells, so a single column can be followed by eye
    ax.set_xticks(np.arange(-0.5, T, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, V, 1), minor=True)
    ax.grid(which="minor", color="#c8c8c8", lw=0.6)
    ax.tick_params(which="minor", length=0)
    small = 8 if V > 25 else 10
    ax.set_yticks(range(V))
    ax.set_yticklabels([f"{i}  {jamo_label(c)}" for i, c in enumerate(vocab_chars)],
                       fontsize=small)
    if T <= 60:
        ax.set_xticks(range(T))
        labels = [f"{t + 1}\n{jamo_label(text[t])}" if text is not None else str(t + 1)
                  for t in range(T)]                   # steps t = 1..T
        # code points (no font can draw the character) are too wide to stand side by side
        wide = any(len(label.split("\n")[-1]) > 3 for label in labels)
        ax.set_xticklabels(labels, fontsize=small if T > 25 else 10, rotation=90 if wide else 0)
    ax.set_xlabel("step t (column x_t, the character read at step t; x[t-1] in code)")
    ax.set_ylabel("vocabulary index, character")
    ax.set_title(title or f"one-hot matrix: V = {V} rows, T = {T} columns", fontsize=10)
    return ax
