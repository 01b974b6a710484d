"""Plots of gradients: norms against distance in time, per-step norms, the unrolled graph.

``grad_norms`` and ``grad_flow`` draw gradient norms against how many steps back from the
loss they are, on a log axis (``set_grad_flow`` puts new values into ``grad_flow``'s curves);
``step_norms`` draws per-step values as grouped bars against t = 1..T; ``unrolled_graph``
draws the RNN unrolled over time with its forward and backward paths.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from numpy.typing import ArrayLike

from ._base import char_label, axes_or_new


def grad_norms(norms: ArrayLike, ax: Axes | None = None, label: str | None = None,
               log: bool = True, xlabel: str = "steps back from the loss (T - t)") -> Axes:
    """A gradient norm against distance in time, e.g. ||dL/dh_t|| for t = T..1."""
    ax = axes_or_new(ax)
    norms = np.asarray(norms, dtype=float)
    ax.plot(np.arange(len(norms)), norms, marker="o", ms=3, label=label)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("gradient norm")
    ax.grid(alpha=0.3, which="both")
    if label:
        ax.legend(fontsize=9)
    return ax


def step_norms(series: Mapping[str, ArrayLike], ax: Axes | None = None,
               chars: Sequence[str] | None = None, title: str = "",
               ylabel: str = "norm") -> Axes:
    """Grouped bars of per-step values against t = 1..T, e.g. {"||dh_next||": (T,), ...}.

    ``chars`` (T characters) labels each step with its input character.
    """
    ax = axes_or_new(ax, figsize=(6, 3))
    k = len(series)
    width = 0.8 / max(k, 1)
    T = 0
    for j, (label, vals) in enumerate(series.items()):
        vals = np.asarray(vals, dtype=float).ravel()
        T = len(vals)
        ax.bar(np.arange(T) + (j - (k - 1) / 2) * width, vals, width, label=label,
               edgecolor="#333", linewidth=0.4)
    ax.set_xticks(range(T))
    if chars is not None:
        ax.set_xticklabels([f"t={t + 1}\n{char_label(c)!r}" for t, c in enumerate(chars)])
    else:
        ax.set_xticklabels([f"t={t + 1}" for t in range(T)])
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3, axis="y")
    if title:
        ax.set_title(title, fontsize=11)
    if k:
        ax.legend(fontsize=9)
    return ax


def grad_flow(norms: Mapping[str, ArrayLike], ax: Axes | None = None,
              guides: Mapping[str, float] | None = None,
              ylim: tuple[float, float] | None = None,
              mark: int | None = None, mark_label: str = "",
              xlabel: str = "k = steps back from the loss",
              ylabel: str = "gradient norm, relative to k = 0",
              styles: Mapping[str, dict] | None = None) -> Axes:
    """Gradient norms against their distance from the loss, one line per label, log y.

    ``norms`` maps a label to values (K,) at distances k = 0..K-1 (k = 0 is the step the
    loss sits on). ``guides`` maps some of those labels to a factor r per step, drawn
    dashed in the curve's colour as r^k times the curve's value at k = 0: what a linear
    model with spectral radius r predicts. ``mark`` draws a vertical line at that
    distance (e.g. where truncated BPTT stops), labelled ``mark_label``. ``styles`` may
    give a label matplotlib keyword arguments (colour, linestyle...). With more than four
    legend entries the legend goes to the right of the axes, off the curves.
    """
    from matplotlib.lines import Line2D
    ax = axes_or_new(ax, figsize=(6.5, 3.6))
    guides, styles = guides or {}, styles or {}
    for label, vals in norms.items():
        vals = np.asarray(vals, dtype=float)
        k = np.arange(len(vals))
        # an exact 0 (a gradient that underflowed) has no place on a log axis
        line, = ax.plot(k, np.where(vals > 0, vals, np.nan), **{"lw": 2, **styles.get(label, {})},
                        label=label)
        if label in guides:
            r = float(guides[label])
            ax.plot(k, vals[0] * r ** k, ls="--", lw=1.2, color=line.get_color())
    if mark is not None:
        ax.axvline(mark, color="0.3", ls=":", lw=1.5, label=mark_label or None)
    handles, labels = ax.get_legend_handles_labels()
    if guides:   # one legend entry for every dashed guide, in the curves' colours
        handles.append(Line2D([], [], color="0.35", ls="--", lw=1.2))
        labels.append("dashed: $r^k$ (linear prediction)")
    ax.set_yscale("log")
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3, which="major")
    if len(handles) > 4:
        ax.legend(handles, labels, fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    else:
        ax.legend(handles, labels, fontsize=8, loc="best", framealpha=0.85)
    return ax


def set_grad_flow(ax: Axes, norms: Mapping[str, ArrayLike],
                  guides: Mapping[str, float] | None = None) -> Axes:
    """Put new values into the curves drawn by :func:`grad_flow` with as many labels (the
    same ones with guides): the lines, their labels and the legend's texts. The limits
    of the axes stay as they are; a widget calls this instead of drawing again.
    """
    guides = guides or {}
    lines = iter(ax.lines)
    legend = ax.get_legend()
    texts = iter(legend.get_texts() if legend is not None else [])
    for label, vals in norms.items():
        vals = np.asarray(vals, dtype=float)
        k = np.arange(len(vals))
        line = next(lines)
        line.set_data(k, np.where(vals > 0, vals, np.nan))
        line.set_label(label)
        text = next(texts, None)             # the curves come first in the legend
        if text is not None:
            text.set_text(label)
        if label in guides:
            next(lines).set_data(k, vals[0] * float(guides[label]) ** k)
    return ax


def unrolled_graph(inputs: Sequence[str], targets: Sequence[str], ax: Axes | None = None,
                   backward: bool = True) -> Axes:
    """The RNN unrolled over time: x_t -> h_t -> y_t -> L_t, with h_{t-1} -> h_t.

    ``inputs`` and ``targets`` are strings (or lists of characters) of equal length T.
    With ``backward`` the gradient paths are drawn too (red, dashed): dy_t into h_t through
    Why^T, and dh_next from h_t back into h_{t-1}.
    """
    from matplotlib.patches import FancyArrowPatch
    T = len(inputs)
    ax = axes_or_new(ax, figsize=(2.3 * T + 1.5, 4.6))
    rows = {"x": 0.0, "h": 1.4, "y": 2.8, "L": 4.0}
    colours = {"x": "#e8eef6", "h": "#f6e9d8", "y": "#e6f2e6", "L": "#f3e0e0"}

    def node(t, kind, text, char=None):
        ax.text(t, rows[kind], text, ha="center", va="center", fontsize=11, zorder=3,
                bbox=dict(boxstyle="round,pad=0.35", fc=colours[kind], ec="#555"))
        if char is not None:
            # a separate plain-text label: mathtext has no fallback font for e.g. Hangul
            below = kind == "x"
            ax.text(t, rows[kind] + (-0.42 if below else 0.42), repr(char_label(char)),
                    ha="center", va="top" if below else "bottom", fontsize=11)

    def arrow(p, q, back=False, label=None, lx=0.0, ly=0.0, rad=0.0):
        style = dict(color="#c0392b", ls="--", lw=1.6) if back else dict(color="#777", lw=1.3)
        ax.add_patch(FancyArrowPatch(p, q, arrowstyle="-|>", mutation_scale=12,
                                     shrinkA=14, shrinkB=14, connectionstyle=f"arc3,rad={rad}",
                                     zorder=2, **style))
        if label:
            ax.text((p[0] + q[0]) / 2 + lx, (p[1] + q[1]) / 2 + ly, label, fontsize=9,
                    ha="center", va="center", color=style["color"], zorder=4)

    node(-1, "h", "$h_0$")
    for t in range(T):
        last = t == T - 1
        node(t, "x", f"$x_{t + 1}$", inputs[t])
        node(t, "h", f"$h_{t + 1}$")
        node(t, "y", f"$y_{t + 1}, p_{t + 1}$")
        node(t, "L", f"$L_{t + 1}$", targets[t])
        # the same three weight matrices at every step: that is what "shared" means
        arrow((t, rows["x"]), (t, rows["h"]), label="$W_{xh}$", lx=-0.25, ly=-0.25)
        arrow((t - 1, rows["h"]), (t, rows["h"]), label="$W_{hh}$", ly=0.17)
        arrow((t, rows["h"]), (t, rows["y"]), label="$W_{hy}$", lx=-0.25)
        arrow((t, rows["y"]), (t, rows["L"]))
        if backward:
            arrow((t + 0.1, rows["L"]), (t + 0.1, rows["y"]), back=True,
                  label=f"$dy_{t + 1}$", lx=0.3)
            arrow((t + 0.1, rows["y"]), (t + 0.1, rows["h"]), back=True,
                  label="$W_{hy}^T dy$" if last else None, lx=0.45)
            arrow((t, rows["h"]), (t - 1, rows["h"]), back=True, rad=-0.4,
                  label="$dh_{next}$" if last else None, ly=-0.72)
    ax.set_xlim(-1.6, T - 0.3)
    ax.set_ylim(-0.9, 4.9)
    ax.axis("off")
    return ax
