"""Plots of training: loss curves, gradient-check error against eps, Adagrad step sizes.

``loss_curve`` draws the loss against iteration (``loss_running_mean`` adds a sliding mean,
``bits_axis`` a second y-axis in bits per character, ``uniform_guess_line`` the level of a
uniform guess); ``curves`` draws several labelled curves over one x; ``eps_sweep`` draws a
gradient check's relative error against its step eps, log-log; ``adagrad_steps_by_char``
and ``step_size_boxes`` draw Adagrad's step sizes, per character and per parameter.

A training loss here is min-char-rnn's: summed over the ``seq_length`` = T characters of a
chunk. Give ``seq_length`` to read it per character too, in bits (rnnlib.metrics).
A history is K rows (iteration, loss, smooth_loss), a list such as ``Trainer.history`` or
an array (K, 3).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal, Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from numpy.typing import ArrayLike

from .. import metrics
from ._base import char_label, axes_or_new

if TYPE_CHECKING:
    from matplotlib.axes._secondary_axes import SecondaryAxis

LOSS_LABEL = "loss (sum over a chunk)"
BITS_LABEL = "bits per character"


def bits_axis(ax: Axes, seq_length: int,
              location: Literal["left", "right"] = "right") -> SecondaryAxis:
    """A second y-axis on ``ax`` that reads its loss per chunk as bits per character.

    The y of ``ax`` must be a loss summed over chunks of ``seq_length`` characters; the new
    axis shows the same height as loss / (T ln 2). Returns the secondary axis.
    """
    scale = metrics.bits_per_char(1.0, seq_length)        # bits per unit of chunk loss
    sec = ax.secondary_yaxis(location, functions=(lambda y: y * scale, lambda b: b / scale))
    sec.set_ylabel(BITS_LABEL)
    return sec


def uniform_guess_line(ax: Axes, vocab_size: int, seq_length: int, unit: str = "loss",
                       **style: Any) -> Line2D:
    """A dotted line where a uniform guess over V characters lies: log2 V bits per character,
    T log V per chunk (``unit`` says which the y of ``ax`` is: "loss" or "bits")."""
    bits = metrics.uniform_bits_per_char(vocab_size)
    loss = seq_length * np.log(vocab_size)
    y = bits if _unit_of(unit) == "bits" else loss
    style = {"color": "0.5", "ls": ":", "lw": 1.2, **style}
    label = style.pop("label", f"uniform guess: log₂ V = {bits:.2f} bits/char,"
                               f" T·log V = {loss:.1f}")
    return ax.axhline(y, label=label, **style)


def _unit_of(unit: str) -> str:
    if unit not in ("loss", "bits"):
        raise ValueError(f"unit must be 'loss' (the sum over a chunk, min-char-rnn's) or "
                         f"'bits' (bits per character), got {unit!r}.")
    return unit


def loss_curve(history: ArrayLike, ax: Axes | None = None, label: str | None = None,
               smooth: bool = True, seq_length: int | None = None,
               unit: str = "loss") -> Axes:
    """Loss against iteration. history: rows of (iteration, loss, smooth_loss).

    With ``seq_length`` (the T the losses were summed over) a second y-axis on the right
    reads the same curves in bits per character; ``unit="bits"`` draws them in bits instead.
    """
    if _unit_of(unit) == "bits" and seq_length is None:
        raise ValueError("unit='bits' needs seq_length, the number of characters each loss "
                         "is summed over (e.g. trainer.config.seq_length).")
    ax = axes_or_new(ax)
    h = np.asarray(history, dtype=float).reshape(-1, 3)
    if unit == "bits":
        h = np.column_stack([h[:, 0], metrics.bits_per_char(h[:, 1:], seq_length)])
    if len(h):
        if smooth:
            each = "loss of each chunk" if unit == "loss" else "each chunk, in bits"
            ax.plot(h[:, 0], h[:, 1], alpha=0.25, lw=0.8,
                    label=each if label is None else f"{label} (per chunk)")
            ax.plot(h[:, 0], h[:, 2], lw=2,
                    label=label or ("smooth loss" if unit == "loss" else "smooth loss, in bits"))
        else:
            ax.plot(h[:, 0], h[:, 1], lw=1.5, label=label)
    ax.set_xlabel("iteration")
    ax.set_ylabel(BITS_LABEL if unit == "bits" else LOSS_LABEL)
    if unit == "loss" and seq_length is not None:
        bits_axis(ax, seq_length)
    ax.grid(alpha=0.3)
    if label or smooth:
        ax.legend(loc="upper right", fontsize=9)
    return ax


def loss_running_mean(history: ArrayLike, window: int = 50, ax: Axes | None = None,
                      label: str | None = None, **style: Any) -> Axes:
    """The per-chunk loss averaged over a sliding ``window`` of iterations, as one line.

    history: rows of (iteration, loss, smooth_loss). Nothing is drawn until there are
    ``window`` rows. Unlike the smooth loss, this average has no starting value to forget.
    """
    ax = axes_or_new(ax)
    h = np.asarray(history, dtype=float).reshape(-1, 3)
    if len(h) >= window:
        mean = np.convolve(h[:, 1], np.ones(window) / window, mode="valid")
        ax.plot(h[window - 1:, 0], mean, lw=style.pop("lw", 1.8),
                label=label or f"mean of the last {window} chunks", **style)
    return ax


def curves(x: ArrayLike, ys: Mapping[str, ArrayLike], ax: Axes | None = None,
           xlabel: str = "", ylabel: str = "", title: str = "", logy: bool = False,
           styles: Mapping[str, dict] | None = None) -> Axes:
    """Several labelled curves over the same x, e.g. activation functions or norms over time.

    ys maps a legend label to an array shaped like x; ``styles`` may give each label
    matplotlib keyword arguments (colour, linestyle...).
    """
    ax = axes_or_new(ax, figsize=(5, 3.2))
    styles = styles or {}
    for label, y in ys.items():
        ax.plot(x, np.asarray(y, dtype=float), label=label, lw=2, **styles.get(label, {}))
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=11)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=9)
    return ax


def eps_sweep(eps: ArrayLike, errors: Mapping[str, ArrayLike], ax: Axes | None = None,
              slopes: bool = True) -> Axes:
    """Relative error of a centred-difference gradient against the step ``eps``, log-log.

    eps (K,): the steps tried; errors maps a label (e.g. "float64") to the K relative
    errors. Each curve's minimum is marked with a star. With ``slopes`` two reference
    lines run parallel to the first curve (drawn a little above it so both stay
    visible): eps^2 (truncation, right of the minimum) and 1/eps (round-off, left).
    """
    ax = axes_or_new(ax, figsize=(7.5, 4.5))
    eps = np.asarray(eps, dtype=float)
    order = np.argsort(eps)
    eps = eps[order]
    lowest = np.inf
    for k, (label, err) in enumerate(errors.items()):
        err = np.asarray(err, dtype=float)[order]
        err = np.where(err > 0, err, np.nan)          # an exact 0 has no place on a log axis
        line, = ax.plot(eps, err, marker="o", ms=3.5, lw=1.8, label=label)
        i = int(np.nanargmin(err))
        lowest = min(lowest, err[i])
        ax.plot(eps[i], err[i], marker="*", ms=15, color=line.get_color(),
                markeredgecolor="black", zorder=5)
        # the first label goes under its star, the others below and to the right of
        # theirs, clear of the first curve, which runs to the left of its minimum
        place = (dict(xytext=(0, -14), ha="center", va="top") if k == 0 else
                 dict(xytext=(10, -22), ha="left", va="top"))
        ax.annotate(f"best {err[i]:.0e}\nat ε = {eps[i]:.0e}", (eps[i], err[i]),
                    textcoords="offset points", fontsize=9, color=line.get_color(),
                    bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.85),
                    **place)
        if slopes and k == 0:
            lift = 10.0    # one decade above the curve, so the guide does not hide it
            right, left = eps >= eps[i], eps <= eps[i]
            ax.plot(eps[right], lift * err[-1] * (eps[right] / eps[-1]) ** 2, "--",
                    color="0.35", lw=1.3, label="slope ε²  (truncation error)")
            ax.plot(eps[left], lift * err[0] * (eps[0] / eps[left]), ":", color="0.1",
                    lw=1.6, label="slope 1/ε  (round-off error)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(bottom=lowest / 300)
    ax.set_xlabel("step ε of the centred difference")
    ax.set_ylabel("relative error vs. analytic gradient")
    ax.grid(alpha=0.3, which="major")
    ax.legend(fontsize=9, loc="lower left")
    return ax


def adagrad_steps_by_char(counts: ArrayLike, steps: ArrayLike, chars: Sequence[str],
                          ax: Axes | None = None, title: str = "") -> Axes:
    """Adagrad's step size for each character's column of Wxh against how often it was read.

    counts (V,): times each character was an input; steps (V,): lr / sqrt(mem + 1e-8)
    averaged over the column. Characters never read (count 0) are left out. A dashed guide
    shows the slope 1/sqrt(count) that adding up squared gradients predicts.
    """
    counts = np.asarray(counts, dtype=float)
    steps = np.asarray(steps, dtype=float)
    seen = counts > 0
    ax = axes_or_new(ax, figsize=(6.5, 4.2))
    ax.scatter(counts[seen], steps[seen], s=14, color="#3b75af", alpha=0.7)
    for c, n, s in zip(np.asarray(chars)[seen], counts[seen], steps[seen]):
        ax.annotate(char_label(c), (n, s), textcoords="offset points", xytext=(3, 2),
                    fontsize=8)
    if seen.sum() >= 2:
        n = np.geomspace(counts[seen].min(), counts[seen].max(), 50)
        mid = np.median(steps[seen] * np.sqrt(counts[seen]))
        ax.plot(n, mid / np.sqrt(n), "--", color="0.4", lw=1.2, label="∝ 1/√count")
        ax.legend(fontsize=9, loc="upper right")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("times the character was an input")
    ax.set_ylabel("step size lr / √(mem + 1e-8)")
    ax.grid(alpha=0.3, which="both")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def step_size_boxes(steps: Mapping[str, ArrayLike], ax: Axes | None = None,
                    title: str = "") -> Axes:
    """One box per parameter: the spread of its entries' step sizes, on a log axis.

    steps maps a parameter name to an array of per-entry step sizes (any shape).
    """
    ax = axes_or_new(ax, figsize=(5, 4.2))
    names = list(steps)
    data = [np.asarray(steps[k], dtype=float).ravel() for k in names]
    ax.boxplot(data, whis=(0, 100), widths=0.55)
    ax.set_xticks(range(1, len(names) + 1))
    ax.set_xticklabels(names)
    ax.set_yscale("log")
    ax.set_ylabel("step size lr / √(mem + 1e-8)")
    ax.grid(alpha=0.3, axis="y", which="both")
    if title:
        ax.set_title(title, fontsize=10)
    return ax
