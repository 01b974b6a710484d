"""Plots of the many-to-one classifier: final hidden states, class scatter, p(class) over time.

``final_states`` draws h_T of a few sequences side by side, one column each; ``class_scatter``
draws points (such as final states projected on two directions) coloured by class;
``proba_steps`` draws p(class) read out after each step of one sequence.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
from matplotlib.axes import Axes
from numpy.typing import ArrayLike

from ._base import char_label, axes_or_new, first_column


def final_states(h_last: ArrayLike, names: Sequence[str], ax: Axes | None = None,
                 title: str = "final hidden state h_T", vmax: float = 1.0) -> Axes:
    """h_T of a few sequences side by side: h_last (H, N), one column per name, values written in."""
    h = np.asarray(h_last, dtype=float)
    H, N = h.shape
    ax = axes_or_new(ax, figsize=(1.3 * N + 1.8, 0.45 * H + 1.4))
    im = ax.imshow(h, cmap="RdBu_r", vmin=-vmax, vmax=vmax, aspect="auto",
                   interpolation="nearest")
    for k in range(H):
        for n in range(N):
            ax.text(n, k, f"{h[k, n]:.2f}", ha="center", va="center", fontsize=9,
                    color="white" if abs(h[k, n]) > 0.6 * vmax else "black")
    names = [str(n) for n in names]
    long = max(len(n) for n in names) > 6        # long names would overlap: slant them
    ax.set_xticks(range(N))
    ax.set_xticklabels(names, fontsize=9, rotation=30 if long else 0,
                       ha="right" if long else "center")
    ax.set_yticks(range(H))
    ax.set_ylabel("hidden unit")
    ax.set_title(title, fontsize=10)
    ax.figure.colorbar(im, ax=ax, fraction=0.05, pad=0.03, label="h value")
    return ax


def class_scatter(points: ArrayLike, labels: ArrayLike,
                  class_names: Sequence[str] | None = None, ax: Axes | None = None,
                  title: str = "", xlabel: str = "component 1",
                  ylabel: str = "component 2") -> Axes:
    """Points (N, 2), e.g. final hidden states projected on two directions, coloured by class."""
    pts = np.asarray(points, dtype=float)
    labels = np.asarray(labels)
    ax = axes_or_new(ax, figsize=(4.8, 4))
    markers = "osD^v<>"
    for c in np.unique(labels):
        name = class_names[c] if class_names is not None else f"class {c}"
        sel = labels == c
        ax.scatter(pts[sel, 0], pts[sel, 1], s=22, alpha=0.7, marker=markers[c % 7],
                   label=f"{name} ({sel.sum()})", edgecolors="none")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)
    return ax


def proba_steps(p_over_time: ArrayLike, tokens: Sequence[str],
                class_names: Sequence[str] | None = None, ax: Axes | None = None,
                title: str = "prediction after each step") -> Axes:
    """p(class) read out after each step: p_over_time (T, C) or (T, C, N) (first column)."""
    p = first_column(p_over_time)
    T, C = p.shape
    ax = axes_or_new(ax, figsize=(max(4, 0.5 * T + 2), 2.8))
    x = np.arange(1, T + 1)
    for c in range(C):
        name = class_names[c] if class_names is not None else f"class {c}"
        ax.plot(x, p[:, c], marker="o", lw=2, label=f"p({name})")
    ax.axhline(0.5, color="0.6", lw=0.8, ls="--")
    ax.set_ylim(-0.03, 1.03)
    ax.set_xticks(x)
    ax.set_xticklabels([f"{t}\n{char_label(str(tok)) if len(str(tok)) == 1 else tok}"
                        for t, tok in zip(x, tokens)])
    ax.set_xlabel("step t (token read)")
    ax.set_ylabel("probability")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best", framealpha=0.85)
    return ax
