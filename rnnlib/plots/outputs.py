"""Plots of the output layer, and of the vocabulary it spans.

``prob_bars`` and ``logit_bars`` draw one step's p_t or y_t (V,) as bars, one per character;
``neg_log_curve`` draws a step's loss -log p against p; ``cdf_segments`` draws [0, 1) cut
into one piece per character, as inverse-CDF sampling uses it; ``vocab_growth`` draws the
number of distinct characters against the characters read.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from numpy.typing import ArrayLike

from ._base import char_label, axes_or_new


def prob_bars(p: ArrayLike, vocab_chars: Sequence[str], target: int | None = None,
              ax: Axes | None = None, title: str = "") -> Axes:
    """Bars of one step's probabilities p_t (V,) or (V, 1), the target bar highlighted."""
    p = np.asarray(p, dtype=float).ravel()
    ax = axes_or_new(ax, figsize=(max(3, 0.35 * len(p) + 1), 2.6))
    colours = ["#9aa5b1"] * len(p)
    if target is not None:
        colours[target] = "#d9822b"
    ax.bar(range(len(p)), p, color=colours, edgecolor="#333", linewidth=0.5)
    ax.set_xticks(range(len(p)))
    ax.set_xticklabels([char_label(c) for c in vocab_chars])
    ax.set_ylim(0, 1)
    ax.set_ylabel("p")
    if target is not None:
        ax.set_title((title + "  " if title else "") +
                     f"target {char_label(vocab_chars[target])!r}: p = {p[target]:.3f}, "
                     f"loss = {-np.log(max(p[target], 1e-300)):.3f}", fontsize=10)
    elif title:
        ax.set_title(title, fontsize=10)
    return ax


def logit_bars(y: ArrayLike, vocab_chars: Sequence[str], ax: Axes | None = None,
               title: str = "logits $y_t$") -> Axes:
    """Bars of one step's logits y_t (V,) or (V, 1): any real number, so bars go up or down.

    The axis is symmetric about 0 and scaled to the largest |y|, so small logits still show
    (read the scale, e.g. 1e-4, above the axis)."""
    y = np.asarray(y, dtype=float).ravel()
    ax = axes_or_new(ax, figsize=(max(3, 0.35 * len(y) + 1), 2.6))
    ax.bar(range(len(y)), y, color=["#c0392b" if v >= 0 else "#2e6da4" for v in y],
           edgecolor="#333", linewidth=0.5)
    ax.axhline(0, color="#333", lw=0.8)
    ax.set_xticks(range(len(y)))
    ax.set_xticklabels([char_label(c) for c in vocab_chars])
    # scaled to the data, so the tiny logits of an untrained model (about 1e-4) show as
    # bars; the floor only keeps an all-zero y drawable
    lim = max(1e-8, 1.15 * float(np.abs(y).max())) if len(y) else 1.0
    ax.set_ylim(-lim, lim)   # symmetric, so 0 sits in the middle at every step
    ax.ticklabel_format(axis="y", style="sci", scilimits=(-2, 3))   # 1e-4 shown once, above
    ax.set_ylabel("y")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def neg_log_curve(points: ArrayLike | None = None, ax: Axes | None = None,
                  labels: Sequence[str] | None = None) -> Axes:
    """The loss of one step, -log p, against the target's probability p in (0, 1].

    ``points`` (values of p) are marked on the curve in different colours; ``labels``
    name them in a legend, in the empty upper right where the loss is small.
    """
    ax = axes_or_new(ax, figsize=(5, 3))
    p = np.linspace(0.005, 1, 400)
    ax.plot(p, -np.log(p), color="#333", lw=2)
    if points is not None:
        pts = np.asarray(points, dtype=float).ravel()
        colours = plt.get_cmap("tab10").colors
        for j, q in enumerate(pts):
            ax.scatter([q], [-np.log(q)], color=colours[j % 10], edgecolor="#333", s=45,
                       zorder=3, label=None if labels is None else labels[j])
        if labels is not None:
            ax.legend(fontsize=9, loc="upper right")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 5.5)
    ax.set_xlabel("p = probability given to the target")
    ax.set_ylabel("loss of the step")
    ax.grid(alpha=0.3)
    return ax


def cdf_segments(p: ArrayLike, vocab_chars: Sequence[str], u: float | None = None,
                 ax: Axes | None = None, title: str = "") -> Axes:
    """The interval [0, 1) cut into one piece per character, piece k as long as p[k].

    p: probabilities (V,) or (V, 1). A uniform number u lands in exactly one piece, and
    that piece's character is the sample (inverse-CDF sampling); ``u`` is drawn as a line.
    """
    p = np.asarray(p, dtype=float).ravel()
    edges = np.concatenate([[0.0], np.cumsum(p)])
    ax = axes_or_new(ax, figsize=(8, 2.1))
    colours = plt.get_cmap("tab20")(np.arange(len(p)) % 20)
    for k, c in enumerate(vocab_chars):
        ax.barh(0, p[k], left=edges[k], height=0.8, color=colours[k], edgecolor="white",
                linewidth=1)
        if p[k] > 0.035:   # label only the pieces wide enough to hold a letter
            ax.text(edges[k] + p[k] / 2, 0, char_label(c), ha="center", va="center",
                    fontsize=11)
    if u is not None:    # a marker above the bar, so the piece labels stay readable
        ax.plot([u, u], [-0.45, 0.45], color="black", lw=2)
        ax.plot([u], [0.52], marker="v", color="black", ms=8)
        ax.text(u, 0.62, f"u = {u:.3g}", ha="center", va="bottom", fontsize=10)
    ax.set_xlim(0, max(1.0, edges[-1]))
    ax.set_ylim(-0.5, 1.05)
    ax.set_yticks([])
    ax.set_xlabel("cumulative probability (the CDF)")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def vocab_growth(series: Mapping[str, ArrayLike], ax: Axes | None = None,
                 title: str = "vocabulary size while reading") -> Axes:
    """Distinct characters seen against characters read; series maps a label to the
    vocabulary size after each character, an array (L,). Log x, so the start shows."""
    ax = axes_or_new(ax, figsize=(6, 3.4))
    for label, sizes in series.items():
        sizes = np.asarray(sizes, dtype=float)
        ax.plot(np.arange(1, len(sizes) + 1), sizes, lw=2,
                label=f"{label}: V = {int(sizes[-1])}")
    ax.set_xscale("log")
    ax.set_xlabel("characters read")
    ax.set_ylabel("distinct characters V")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=9)
    return ax
