"""Step through the forward pass of the hidden layer, one character at a time.

    h_t = tanh(Wxh x_t + Whh h_{t-1} + bh),   h_0 = 0

``HelloStepper`` shows, for the step chosen with the slider (or ◀ Prev / Next ▶ / play), the
input and target characters, x_t, h_{t-1}, the three terms Wxh x_t, Whh h_{t-1} and bh,
their sum and h_t, as coloured columns; below them the heatmap of every h_t with the
current step outlined, and a table of the numbers. Shapes: V vocabulary, H hidden,
T = len(text) - 1 steps; every column shown is (V, 1) or (H, 1).
"""
from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from .. import plots
from .._style import MONO
from ..rnn import RNN
from ..vocab import Vocab
from ..plots.activations import set_columns
from .figure_view import FigureView
from .stepper import Stepper


def readable_rnn(vocab_size: int, hidden_size: int = 6, seed: int = 0) -> RNN:
    """An untrained RNN whose numbers are big enough to see.

    min-char-rnn's initial weights (0.01 * randn) give h_t of about 0.01: every cell of
    a plot would be white. Here Wxh, Whh and bh are drawn with a standard deviation of
    about 0.8, 0.5 and 0.3 instead, so h_t spreads over most of (-1, 1).
    """
    model = RNN(vocab_size, hidden_size, seed=seed)
    rng = np.random.default_rng(seed)
    for name, scale in (("Wxh", 0.8), ("Whh", 0.5), ("bh", 0.3)):
        p = model.params[name]
        p[...] = rng.standard_normal(p.shape) * scale
    return model


class HelloStepper(Stepper):
    """Walk through h_t = tanh(Wxh x_t + Whh h_{t-1} + bh) over ``text``, step by step.

    ``HelloStepper()`` uses "hello" (inputs h, e, l, l; targets e, l, l, o) and a small
    seeded model from :func:`readable_rnn`. Pass ``model`` (an RNN) and ``text``, and
    ``vocab`` when the model was built for a vocabulary other than ``Vocab.from_text(text)``;
    ``h_prev`` (H, 1) is h_0 (None: zeros).

    The controls are those of every stepper (:class:`~rnnlib.widgets.stepper.Stepper`):
    ``play``, ``prev_button``, ``slider``, ``next_button``. After each step the numbers
    shown are kept as attributes: ``t`` (1..T), ``input_char``, ``target_char``, ``x_t``
    (V, 1), ``h_prev``, ``Wxh_x``, ``Whh_h``, ``bh``, ``a_t`` (the sum before tanh) and
    ``h_t`` (all (H, 1)); ``hs`` (T, H) holds every h_t.
    """
    kind = RNN

    def __init__(self, model: RNN | None = None, text: str = "hello",
                 vocab: Vocab | None = None, h_prev: np.ndarray | None = None):
        super().__init__(model, text, vocab, h_prev)

    def _default_model(self, vocab: Vocab, text: str) -> RNN:
        return readable_rnn(len(vocab))

    def _run(self, h_prev: np.ndarray | None) -> None:
        super()._run(h_prev)                                    # cache = model.forward
        self.hs = self.cache.hs[:, :, 0]                        # (T, H)

    def _build(self) -> list[widgets.Widget]:
        H, V, T = self.model.hidden_size, self.model.vocab_size, self.T
        self.columns_view = FigureView((1.3 * 7 + 1.6, 0.42 * max(H, V) + 1.3))
        self.heatmap_view = FigureView((max(4.0, 0.5 * T + 2.2), max(2.6, 0.3 * H + 1.4)))
        self.columns_out, self.heatmap_out = self.columns_view.out, self.heatmap_view.out
        self._outline = None
        return [self.columns_out, widgets.HBox([self.heatmap_out, self.readout])]

    # ---- what one step shows -----------------------------------------------------
    def _set_step(self, i: int) -> None:
        P = self.model.params
        self.x_t = self.cache.xs[i]                             # (V, 1) one-hot
        self.h_prev = self.cache.h_prev if i == 0 else self.cache.hs[i - 1]
        # the three terms of the sum, read off the parameters for display
        self.Wxh_x = P["Wxh"] @ self.x_t                        # = the column Wxh[:, ix]
        self.Whh_h = P["Whh"] @ self.h_prev
        self.bh = P["bh"]
        self.a_t = self.Wxh_x + self.Whh_h + self.bh
        self.h_t = self.cache.hs[i]                             # from the library's pass

    def _figures(self) -> list:
        return [(self.columns_view, self._columns_figure),
                (self.heatmap_view, self._heatmap_figure)]

    def _columns_figure(self):
        H = self.model.hidden_size
        cols = [(self.x_t, r"$x_t$", [plots.char_label(c) for c in self.vocab.chars]),
                (self.h_prev, r"$h_{t-1}$", range(H)),
                (self.Wxh_x, r"$W_{xh}x_t$", None),
                (self.Whh_h, r"$+\ W_{hh}h_{t-1}$", None),
                (self.bh, r"$+\ b_h$", None),
                (self.a_t, r"$=$ sum", None),
                (self.h_t, r"$h_t=\tanh($sum$)$", range(H))]
        fig, ax = self.columns_view.figure, self.columns_view.axes
        title = (f"step t = {self.t}: input {plots.char_label(self.input_char)!r}, "
                 f"target {plots.char_label(self.target_char)!r}   "
                 f"(rows: characters for $x_t$, hidden units for the rest)")
        if ax.images:                 # the same columns with this step's numbers
            set_columns(ax, [v for v, _, _ in cols])
        else:
            # one fixed colour scale, the range of tanh, for every column and step, so
            # equal colours mean equal numbers; larger sums saturate (the number shows)
            plots.columns_side_by_side(cols, ax=ax, vmax=1.0)
            fig.colorbar(ax.get_images()[-1], ax=ax, fraction=0.025, pad=0.01,
                         label="value (colours stop at ±1)")
        ax.set_title(title, fontsize=11, pad=14)
        # what changes from step to step, and the cell outlines drawn over the cells
        return [*ax.images, *ax.patches, *(t for t in ax.texts if t.get_gid() == "value"),
                ax.title]

    def _heatmap_figure(self):
        ax = self.heatmap_view.axes
        title = f"h_t over time (step {self.t} outlined)"
        if self._outline is None:            # the heatmap is the same at every step
            plots.hidden_heatmap(self.hs, chars=self.text[:-1], ax=ax, title=title)
            plots.mark_time_step(ax, self.t - 1)
            self._outline = ax.patches[-1]
            self.heatmap_view.figure.tight_layout()
        self._outline.set_x(self.t - 1.5)
        ax.set_title(title)
        # the frame and the tick marks are drawn over the outline
        return [self._outline, *ax.spines.values(), ax.xaxis, ax.title]

    def _readout_html(self) -> str:
        def esc(ch):
            return html.escape(repr(ch))
        td = '<td style="padding:1px 8px">'
        rows = "".join(
            f"<tr>{td}{k}</td>{td}{self.h_prev[k, 0]:.3f}</td>{td}{self.Wxh_x[k, 0]:.3f}</td>"
            f"{td}{self.Whh_h[k, 0]:.3f}</td>{td}{self.bh[k, 0]:.3f}</td>"
            f"{td}{self.a_t[k, 0]:.3f}</td>{td}<b>{self.h_t[k, 0]:.3f}</b></td></tr>"
            for k in range(self.model.hidden_size))
        head = "".join(f'<th style="padding:1px 8px;white-space:nowrap">{h}</th>' for h in
                       ("unit", "h<sub>t-1</sub>", "W<sub>xh</sub>x<sub>t</sub>",
                        "W<sub>hh</sub>h<sub>t-1</sub>", "b<sub>h</sub>", "sum",
                        "h<sub>t</sub>"))
        return (f'<div style="font-size:14px;margin-left:12px">'
                f"<b>t = {self.t}</b> of {self.T}: input {esc(self.input_char)} → "
                f"target {esc(self.target_char)}<br>"
                f'<table style="border-collapse:collapse;text-align:right;'
                f'font-family:{MONO}">'
                f"<tr>{head}</tr>{rows}</table></div>")
