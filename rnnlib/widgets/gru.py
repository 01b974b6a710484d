"""Step through a GRU on "hello": the reset gate r, the update gate z, the candidate n, h_t.

    r = sigmoid(Wx_r x_t + bx_r + Wh_r h_{t-1} + bh_r)
    z = sigmoid(Wx_z x_t + bx_z + Wh_z h_{t-1} + bh_z)
    n = tanh(Wx_n x_t + bx_n + r * (Wh_n h_{t-1} + bh_n))
    h_t = (1 - z) * n + z * h_{t-1}

``GRUStepper`` shows, for the step t chosen with a slider, five columns of H cells: r, z,
n, h_{t-1} and h_t, the gates on a fixed 0..1 scale and n, h on -1..1, and below them the
prediction p_t against the target. It draws like ``GateStepper`` (a kept figure, one PNG
per step). All numbers come from ``GRU.forward``; shapes: V vocabulary, H hidden,
T = len(text) - 1 steps.
"""
from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from .. import plots
from ..gru import GRU
from ..vocab import Vocab
from ..plots.activations import set_column
from . import StepControls, check_model_vocab, text_vocab, warm_up
from .figure_view import FigureView


def trained_gru(vocab: Vocab, text: str, hidden_size: int = 6, seed: int = 0,
                iterations: int = 100) -> GRU:
    """A GRU after ``iterations`` Adagrad steps on ``text`` (inputs text[:-1], targets
    text[1:]): on "hello" enough to predict 'l' after the first 'l' and 'o' after the
    second, which takes memory."""
    return warm_up(GRU(len(vocab), hidden_size, seed=seed), vocab, text, iterations)


class GRUStepper(widgets.VBox):
    """Walk a GRU forward through ``text`` one step at a time.

    ``GRUStepper()`` uses "hello" and :func:`trained_gru`. Pass ``model`` (a GRU) and
    ``text``, and ``vocab`` when the model was built for another vocabulary.

    Attributes for the step shown: ``t`` (1..T), ``input_char``, ``target_char``,
    ``r``, ``z``, ``n``, ``h_prev``, ``h`` (all (H, 1)), ``p`` (V, 1), ``predicted_char``;
    ``cache`` is the whole forward pass.
    """

    def __init__(self, model: GRU | None = None, text: str = "hello",
                 vocab: Vocab | None = None):
        self.vocab = text_vocab(text, vocab)
        self.model = model if model is not None else trained_gru(self.vocab, text)
        check_model_vocab(self.model, self.vocab, text, kind=GRU)
        self.text = text
        self.inputs = self.vocab.encode(text[:-1])
        self.targets = self.vocab.encode(text[1:])
        self.T = T = len(self.inputs)
        self.cache = self.model.forward(self.inputs)

        self.steps = StepControls(T)
        self.slider = self.steps.slider
        self.prev_button, self.next_button = self.steps.prev_button, self.steps.next_button
        self.readout = widgets.HTML()
        H = self.model.hidden_size
        self.gates_view = FigureView((1.5 * 5 + 0.8, 0.42 * H + 1.6), 1, 5,
                                     layout="constrained")
        self.pred_view = FigureView((4.5, 2.4), layout="constrained")
        self.gates_out, self.pred_out = self.gates_view.out, self.pred_view.out
        self.slider.observe(lambda change: self._show(int(change["new"])), names="value")
        super().__init__([self.steps, self.readout, self.gates_out, self.pred_out])
        self._show(1)

    def _show(self, t: int) -> None:
        k = t - 1                                       # arrays are 0-based, steps 1-based
        cache = self.cache
        self.t = t
        self.input_char = self.vocab.chars[int(self.inputs[k])]
        self.target_char = self.vocab.chars[int(self.targets[k])]
        self.r, self.z, self.n = cache.r[k], cache.z[k], cache.n[k]
        self.h_prev = cache.h[k - 1] if k > 0 else cache.h_prev
        self.h = cache.h[k]
        self.p = cache.ps[k]
        self.predicted_char = self.vocab.chars[int(self.p[:, 0].argmax())]
        self.readout.value = self._readout_html()
        self.gates_view.show(self.t, self._gates_figure)
        self.pred_view.show(self.t, self._prediction_figure)

    def _gates_figure(self):
        H, t = self.model.hidden_size, self.t
        cols = [(self.r, "r (reset)", 0.0, 1.0), (self.z, "z (update)", 0.0, 1.0),
                (self.n, "n (candidate)", -1.0, 1.0),
                (self.h_prev, f"$h_{{{t - 1}}}$", -1.0, 1.0),
                (self.h, f"$h_{{{t}}} = (1-z)\\,n + z\\,h_{{{t - 1}}}$", -1.0, 1.0)]
        fig, axes = self.gates_view.figure, self.gates_view.axes
        drawn = bool(axes[0].images)
        for ax, (col, title, lo, hi) in zip(axes, cols):
            if drawn:                         # same columns, new numbers: update them
                set_column(ax, col, title=title)
            else:
                plots.gate_column(col, ax=ax, title=title, vmin=lo, vmax=hi,
                                  row_labels=[str(u) for u in range(H)])
        axes[0].set_ylabel("hidden unit")
        title = fig.suptitle(f"step t = {t}: input {plots.char_label(self.input_char)!r}   "
                             f"(gates: white = 0, green = 1; n, h: blue negative, red "
                             f"positive)", fontsize=10)
        return [*(a for ax in axes for a in (*ax.images, *ax.spines.values(), *ax.texts,
                                             ax.title)), title]

    def _prediction_figure(self) -> None:
        ax = self.pred_view.axes
        ax.clear()
        plots.prob_bars(self.p, self.vocab.chars, target=int(self.targets[self.t - 1]), ax=ax,
                        title=f"$p_{{{self.t}}}$:")

    def _readout_html(self) -> str:
        inp, tgt, pred = (html.escape(repr(ch), quote=False) for ch in
                          (self.input_char, self.target_char, self.predicted_char))
        ok = "✔" if self.predicted_char == self.target_char else "✘"
        p_target = float(self.p[int(self.targets[self.t - 1]), 0])
        return (f'<div style="font-size:14px;line-height:1.5">'
                f"<b>t = {self.t}</b> of {self.T}: input {inp} → target {tgt}; the model "
                f"predicts {pred} {ok} (p of the target = {p_target:.3f})<br>"
                f"mean update gate z = {float(np.mean(self.z)):.2f} (the share of "
                f"h<sub>{self.t - 1}</sub> kept) · mean reset gate r = "
                f"{float(np.mean(self.r)):.2f} · ‖h<sub>{self.t}</sub> − "
                f"h<sub>{self.t - 1}</sub>‖ = "
                f"{float(np.linalg.norm(self.h - self.h_prev)):.3f}</div>")
