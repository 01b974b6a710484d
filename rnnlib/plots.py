"""Plots of the course (matplotlib only). Each takes arrays and ``ax=None`` and returns the axes.

Shapes follow the library: hs (T, H, N) or (T, H), ps (T, V, N) or (T, V).
"""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt
from matplotlib import font_manager

_CJK_FONTS = ("Noto Sans CJK KR", "Noto Sans KR", "NanumGothic", "Noto Sans CJK JP",
              "Malgun Gothic", "AppleGothic", "Droid Sans Fallback")


def _find_cjk_font() -> str | None:
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in _CJK_FONTS if n in names), None)


CJK_FONT = _find_cjk_font()
if CJK_FONT:  # let Korean labels fall back to a font that has Hangul
    plt.rcParams["font.family"] = ["DejaVu Sans", CJK_FONT]


def char_label(ch: str) -> str:
    """A printable label for one character: space, newline and tab made visible; Hangul
    shown as its code point when no installed font can draw it."""
    special = {" ": "␣", "\n": "↵", "\t": "⇥"}
    if ch in special:
        return special[ch]
    if ord(ch) > 0x2FFF and CJK_FONT is None:
        return f"U+{ord(ch):04X}"
    return ch


def _ax(ax, figsize=(6, 3)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _first_column(a: np.ndarray) -> np.ndarray:
    """(T, K, N) -> (T, K) for the first sequence of the batch; (T, K) unchanged."""
    a = np.asarray(a)
    return a[..., 0] if a.ndim == 3 else a


def loss_curve(history, ax=None, label: str | None = None, smooth: bool = True):
    """Loss against iteration. history: rows of (iteration, loss, smooth_loss)."""
    ax = _ax(ax)
    h = np.asarray(history, dtype=float).reshape(-1, 3)
    if len(h):
        if smooth:
            ax.plot(h[:, 0], h[:, 1], alpha=0.25, lw=0.8,
                    label=None if label is None else f"{label} (per chunk)")
            ax.plot(h[:, 0], h[:, 2], lw=2, label=label or "smooth loss")
        else:
            ax.plot(h[:, 0], h[:, 1], lw=1.5, label=label)
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss (sum over a chunk)")
    ax.grid(alpha=0.3)
    if label or smooth:
        ax.legend(loc="upper right", fontsize=9)
    return ax


def hidden_heatmap(hs, chars=None, ax=None, title: str = "hidden activations h_t"):
    """Heatmap of h_t over time: rows are hidden units, columns are time steps.

    A diverging colour map centred on 0 with limits -1..1, the range of tanh.
    """
    h = _first_column(hs)                                 # (T, H)
    T, H = h.shape
    ax = _ax(ax, figsize=(max(4, 0.45 * T + 2), max(2.5, 0.22 * H + 1)))
    im = ax.imshow(h.T, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto",
                   interpolation="nearest")
    ax.set_xlabel("time step t" + (" (input character)" if chars is not None else ""))
    ax.set_ylabel("hidden unit")
    if chars is not None and T <= 60:
        ax.set_xticks(range(T))
        ax.set_xticklabels([f"{t + 1}\n{char_label(c)}" for t, c in enumerate(chars)])
    ax.set_title(title)
    ax.figure.colorbar(im, ax=ax, fraction=0.04, pad=0.02, label="h value")
    return ax


def prob_bars(p, vocab_chars, target: int | None = None, ax=None, title: str = ""):
    """Bars of one step's probabilities p_t (V,) or (V, 1), the target bar highlighted."""
    p = np.asarray(p, dtype=float).ravel()
    ax = _ax(ax, figsize=(max(3, 0.35 * len(p) + 1), 2.6))
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


def grad_norms(norms, ax=None, label: str | None = None, log: bool = True,
               xlabel: str = "steps back from the loss (T - t)"):
    """A gradient norm against distance in time, e.g. ||dL/dh_t|| for t = T..1."""
    ax = _ax(ax)
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


def column_heatmap(v, ax=None, title: str = "", row_labels=None, vmax: float = 1.0,
                   annotate: bool = True, fmt: str = "{:.2f}"):
    """One column vector (K,) or (K, 1) as a column of coloured cells, values written in.

    Diverging colours centred on 0 (blue negative, red positive) with limits -vmax..vmax;
    pass the same ``vmax`` to columns drawn side by side so their colours compare.
    """
    v = np.asarray(v, dtype=float).reshape(-1)
    K = len(v)
    ax = _ax(ax, figsize=(1.2, max(1.5, 0.4 * K + 0.6)))
    ax.imshow(v[:, None], cmap="RdBu_r", vmin=-vmax, vmax=vmax, aspect="auto",
              interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks(range(K))
    ax.set_yticklabels(row_labels if row_labels is not None else [str(k) for k in range(K)],
                       fontsize=9)
    if annotate:
        for k, val in enumerate(v):
            # dark cells get white text so the number stays readable
            colour = "white" if abs(val) > 0.6 * vmax else "black"
            ax.text(0, k, fmt.format(val), ha="center", va="center", fontsize=8.5,
                    color=colour)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def mark_time_step(ax, t: int, colour: str = "#222", lw: float = 2.5):
    """Outline column ``t`` (0-based) of a heatmap drawn by :func:`hidden_heatmap`."""
    from matplotlib.patches import Rectangle
    rows = ax.get_images()[0].get_array().shape[0]
    ax.add_patch(Rectangle((t - 0.5, -0.5), 1, rows, fill=False, edgecolor=colour, lw=lw,
                           clip_on=False))
    return ax


def curves(x, ys: dict, ax=None, xlabel: str = "", ylabel: str = "", title: str = "",
           logy: bool = False, styles: dict | None = None):
    """Several labelled curves over the same x, e.g. activation functions or norms over time.

    ys maps a legend label to an array shaped like x; ``styles`` may give each label
    matplotlib keyword arguments (colour, linestyle...).
    """
    ax = _ax(ax, figsize=(5, 3.2))
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


def logit_bars(y, vocab_chars, ax=None, title: str = "logits $y_t$"):
    """Bars of one step's logits y_t (V,) or (V, 1): any real number, so bars go up or down."""
    y = np.asarray(y, dtype=float).ravel()
    ax = _ax(ax, figsize=(max(3, 0.35 * len(y) + 1), 2.6))
    ax.bar(range(len(y)), y, color=["#c0392b" if v >= 0 else "#2e6da4" for v in y],
           edgecolor="#333", linewidth=0.5)
    ax.axhline(0, color="#333", lw=0.8)
    ax.set_xticks(range(len(y)))
    ax.set_xticklabels([char_label(c) for c in vocab_chars])
    lim = max(1.0, 1.15 * float(np.abs(y).max())) if len(y) else 1.0
    ax.set_ylim(-lim, lim)   # symmetric, so 0 sits in the middle at every step
    ax.set_ylabel("y")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def signed_heatmap(a, ax=None, title: str = "", row_labels=None, col_labels=None,
                   vmax: float | None = None, annotate: bool = False, fmt: str = "{:+.2f}",
                   colorbar: bool = True, xlabel: str = "", ylabel: str = ""):
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
    ax = _ax(ax, figsize=(max(2.5, 0.4 * C + 1.5), max(2, 0.35 * R + 1)))
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


def step_norms(series: dict, ax=None, chars=None, title: str = "",
               ylabel: str = "norm"):
    """Grouped bars of per-step values against t = 1..T, e.g. {"||dh_next||": (T,), ...}.

    ``chars`` (T characters) labels each step with its input character.
    """
    ax = _ax(ax, figsize=(6, 3))
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


def neg_log_curve(points=None, ax=None, labels=None):
    """The loss of one step, -log p, against the target's probability p in (0, 1].

    ``points`` (values of p) are marked on the curve in different colours; ``labels``
    name them in a legend, in the empty upper right where the loss is small.
    """
    ax = _ax(ax, figsize=(5, 3))
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


def unrolled_graph(inputs, targets, ax=None, backward: bool = True):
    """The RNN unrolled over time: x_t -> h_t -> y_t -> L_t, with h_{t-1} -> h_t.

    ``inputs`` and ``targets`` are strings (or lists of characters) of equal length T.
    With ``backward`` the gradient paths are drawn too (red, dashed): dy_t into h_t through
    Why^T, and dh_next from h_t back into h_{t-1}.
    """
    from matplotlib.patches import FancyArrowPatch
    T = len(inputs)
    ax = _ax(ax, figsize=(2.3 * T + 1.5, 4.6))
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


def eps_sweep(eps, errors: dict, ax=None, slopes: bool = True):
    """Relative error of a centred-difference gradient against the step ``eps``, log-log.

    eps (K,): the steps tried; errors maps a label (e.g. "float64") to the K relative
    errors. Each curve's minimum is marked with a star. With ``slopes`` two reference
    lines run parallel to the first curve (drawn a little above it so both stay
    visible): eps^2 (truncation, right of the minimum) and 1/eps (round-off, left).
    """
    ax = _ax(ax, figsize=(7.5, 4.5))
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
        # the first label goes under its star, the others to the left of theirs
        place = (dict(xytext=(0, -14), ha="center", va="top") if k == 0 else
                 dict(xytext=(-14, 0), ha="right", va="center"))
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


def final_states(h_last, names, ax=None, title: str = "final hidden state h_T",
                 vmax: float = 1.0):
    """h_T of a few sequences side by side: h_last (H, N), one column per name, values written in."""
    h = np.asarray(h_last, dtype=float)
    H, N = h.shape
    ax = _ax(ax, figsize=(1.3 * N + 1.8, 0.45 * H + 1.4))
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


def class_scatter(points, labels, class_names=None, ax=None, title: str = "",
                  xlabel: str = "component 1", ylabel: str = "component 2"):
    """Points (N, 2), e.g. final hidden states projected on two directions, coloured by class."""
    pts = np.asarray(points, dtype=float)
    labels = np.asarray(labels)
    ax = _ax(ax, figsize=(4.8, 4))
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


def proba_steps(p_over_time, tokens, class_names=None, ax=None,
                title: str = "prediction after each step"):
    """p(class) read out after each step: p_over_time (T, C) or (T, C, N) (first column)."""
    p = _first_column(p_over_time)
    T, C = p.shape
    ax = _ax(ax, figsize=(max(4, 0.5 * T + 2), 2.8))
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


def vocab_growth(series: dict, ax=None, title: str = "vocabulary size while reading"):
    """Distinct characters seen against characters read; series maps a label to the
    vocabulary size after each character, an array (L,). Log x, so the start shows."""
    ax = _ax(ax, figsize=(6, 3.4))
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


def columns_side_by_side(columns, ax=None, vmax: float = 1.0, fmt: str = "{:.2f}"):
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
    ax = _ax(ax, figsize=(1.3 * len(cols) + 1, 0.42 * K + 1.2))
    im = None
    for j, (v, title, labels) in enumerate(cols):
        x0 = j * step
        im = ax.imshow(v[:, None], cmap="RdBu_r", vmin=-vmax, vmax=vmax,
                       extent=(x0 - 0.5, x0 + 0.5, len(v) - 0.5, -0.5),
                       interpolation="nearest")
        ax.add_patch(plt.Rectangle((x0 - 0.5, -0.5), 1, len(v), fill=False, lw=0.8,
                                   edgecolor="#444"))
        for k, val in enumerate(v):
            # dark cells get white text so the number stays readable
            ax.text(x0, k, fmt.format(val), ha="center", va="center", fontsize=8.5,
                    color="white" if abs(val) > 0.6 * vmax else "black")
        if labels is not None:
            for k, lab in enumerate(labels):
                ax.text(x0 - 0.6, k, str(lab), ha="right", va="center", fontsize=9)
        ax.text(x0, -0.75, title, ha="center", va="bottom", fontsize=10)
    ax.set_xlim(-1.3, (len(cols) - 1) * step + 1.2)     # room for the last title
    ax.set_ylim(K - 0.45, -1.4)
    ax.set_aspect("auto")
    ax.axis("off")
    return ax


def adagrad_steps_by_char(counts, steps, chars, ax=None, title: str = ""):
    """Adagrad's step size for each character's column of Wxh against how often it was read.

    counts (V,): times each character was an input; steps (V,): lr / sqrt(mem + 1e-8)
    averaged over the column. Characters never read (count 0) are left out. A dashed guide
    shows the slope 1/sqrt(count) that adding up squared gradients predicts.
    """
    counts = np.asarray(counts, dtype=float)
    steps = np.asarray(steps, dtype=float)
    seen = counts > 0
    ax = _ax(ax, figsize=(6.5, 4.2))
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


def step_size_boxes(steps: dict, ax=None, title: str = ""):
    """One box per parameter: the spread of its entries' step sizes, on a log axis.

    steps maps a parameter name to an array of per-entry step sizes (any shape).
    """
    ax = _ax(ax, figsize=(5, 4.2))
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


def one_hot_heatmap(x, vocab_chars, text=None, ax=None, title: str = ""):
    """The one-hot matrix of a text: one row per vocabulary character, column t is x_t.

    x: (T, V, N) or (T, V) one-hot array (the first sequence is drawn); vocab_chars (V,);
    text: the T characters read, to label the columns. Columns are numbered like x[t].
    """
    xs = _first_column(x)                                  # (T, V)
    T, V = xs.shape
    ax = _ax(ax, figsize=(max(3.5, 0.42 * T + 2.2), max(2.2, 0.3 * V + 1.3)))
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
        ax.set_xticklabels([f"{t}\n{jamo_label(text[t])}" if text is not None else str(t)
                            for t in range(T)], fontsize=small if T > 25 else 10)
    ax.set_xlabel("t (column x[t] is the character read at step t)")
    ax.set_ylabel("vocabulary index, character")
    ax.set_title(title or f"one-hot matrix: V = {V} rows, T = {T} columns", fontsize=10)
    return ax


def cdf_segments(p, vocab_chars, u=None, ax=None, title: str = ""):
    """The interval [0, 1) cut into one piece per character, piece k as long as p[k].

    p: probabilities (V,) or (V, 1). A uniform number u lands in exactly one piece, and
    that piece's character is the sample (inverse-CDF sampling); ``u`` is drawn as a line.
    """
    p = np.asarray(p, dtype=float).ravel()
    edges = np.concatenate([[0.0], np.cumsum(p)])
    ax = _ax(ax, figsize=(8, 2.1))
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


def loss_running_mean(history, window: int = 50, ax=None, label: str | None = None,
                      **style):
    """The per-chunk loss averaged over a sliding ``window`` of iterations, as one line.

    history: rows of (iteration, loss, smooth_loss). Nothing is drawn until there are
    ``window`` rows. Unlike the smooth loss, this average has no starting value to forget.
    """
    ax = _ax(ax)
    h = np.asarray(history, dtype=float).reshape(-1, 3)
    if len(h) >= window:
        mean = np.convolve(h[:, 1], np.ones(window) / window, mode="valid")
        ax.plot(h[window - 1:, 0], mean, lw=style.pop("lw", 1.8),
                label=label or f"mean of the last {window} chunks", **style)
    return ax


_JAMO_PLACE = {"CHOSEONG": "{}-", "JUNGSEONG": "{}", "JONGSEONG": "-{}"}


def jamo_label(ch: str) -> str:
    """Like :func:`char_label`, but a conjoining Hangul jamo (U+1100..U+11FF, what NFD
    gives) is shown as the standalone letter marked by its place in the syllable: 'ㅎ-'
    initial, 'ㅏ' vowel, '-ㄴ' final. Drawn alone, conjoining jamo are hard-to-read fragments."""
    if not 0x1100 <= ord(ch) <= 0x11FF:
        return char_label(ch)
    import unicodedata
    try:
        _, place, letter = unicodedata.name(ch).split(" ", 2)
        shown = unicodedata.lookup("HANGUL LETTER " + letter)
        if CJK_FONT is None:
            raise KeyError(shown)
        return _JAMO_PLACE[place].format(shown)
    except (ValueError, KeyError):     # archaic jamo, or no font that can draw Hangul
        return f"U+{ord(ch):04X}"


def grad_flow(norms: dict, ax=None, guides: dict | None = None, ylim=None,
              mark: int | None = None, mark_label: str = "",
              xlabel: str = "k = steps back from the loss",
              ylabel: str = "gradient norm, relative to k = 0", styles: dict | None = None):
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
    ax = _ax(ax, figsize=(6.5, 3.6))
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


def gate_column(v, ax=None, title: str = "", vmin: float = 0.0, vmax: float = 1.0,
                row_labels=None, fmt: str = "{:.2f}"):
    """One column vector (K,) or (K, 1) as coloured cells with the values written in,
    on a fixed scale vmin..vmax.

    A scale from 0 (gates i, f, o: sigmoid outputs) uses a sequential map, white at 0
    (closed) to dark green at 1 (open); a scale symmetric about 0 (g, c, h) uses the
    diverging blue-white-red map with white at 0. The scale is fixed, so columns drawn
    at different steps compare by colour.
    """
    v = np.asarray(v, dtype=float).reshape(-1)
    K = len(v)
    ax = _ax(ax, figsize=(1.2, max(1.5, 0.4 * K + 0.6)))
    cmap = "Greens" if vmin >= 0 else "RdBu_r"
    ax.imshow(v[:, None], cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto",
              interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks(range(K))
    ax.set_yticklabels(row_labels if row_labels is not None else [str(k) for k in range(K)],
                       fontsize=9)
    for k, val in enumerate(v):
        # where the colour is dark the number is written in white
        dark = (val - vmin) / (vmax - vmin) > 0.6 if vmin >= 0 else abs(val) > 0.6 * vmax
        ax.text(0, k, fmt.format(val), ha="center", va="center", fontsize=8.5,
                color="white" if dark else "black")
    if title:
        ax.set_title(title, fontsize=10)
    return ax
