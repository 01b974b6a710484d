"""Step through an LSTM on "hello": the gates i, f, o, g, the cell state and h_t.

    i, f, o = sigmoid(blocks of a_t)   g = tanh(block of a_t)   a_t = Wx x_t + Wh h_{t-1} + b
    c_t = f * c_{t-1} + i * g          h_t = o * tanh(c_t)

``GateStepper`` shows, for the step t chosen with a slider, seven columns of H cells:
f and c_{t-1} (what is kept), i and g (what is written), c_t, o and h_t, with the gates on
a fixed 0..1 scale and g, h on -1..1 (c on a symmetric scale wide enough for every step),
and below them the prediction p_t against the target. All numbers come from
``LSTM.forward``; shapes: V vocabulary, H hidden, T = len(text) - 1 steps.

``GatedStepper`` is what GateStepper and GRUStepper (in :mod:`rnnlib.widgets.gru`) share
on top of :class:`~rnnlib.widgets.stepper.Stepper`: a figure of gate columns, the
prediction and a readout that says whether it is right.
"""
from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from .. import plots
from ..lstm import LSTM
from ..model import CharModel
from ..vocab import Vocab
from ..plots.activations import set_column
from .figure_view import FigureView
from .stepper import Stepper, warm_up


def trained_lstm(vocab: Vocab, text: str, hidden_size: int = 6, seed: int = 0,
                 iterations: int = 100) -> LSTM:
    """An LSTM after ``iterations`` Adagrad steps on ``text`` (inputs text[:-1], targets
    text[1:]): enough on "hello" to predict 'l' after the first 'l' and 'o' after the
    second, so the gates have something to show."""
    return warm_up(LSTM(len(vocab), hidden_size, seed=seed), vocab, text, iterations)


class GatedStepper(Stepper):
    """What the gate step-throughs share: ``text`` run through a gated model once, one
    figure of H-cell columns per step, the prediction p_t against the target, and a
    readout that says whether the prediction is right.

    A subclass names its model class (``kind``), how to train a default one
    (``_default_model``), the gates and states of step k (``_set_gates``), its columns
    (``_columns``), their legend and the gate summary of its readout (``_gate_summary``).
    """
    n_columns = 1
    column_width = 1.5
    legend = ""

    def __init__(self, model: CharModel | None = None, text: str = "hello",
                 vocab: Vocab | None = None):
        super().__init__(model, text, vocab)

    def _set_gates(self, k: int) -> None:
        """Keep the gates and states of step t = k + 1 as attributes."""
        raise NotImplementedError(self._missing("_set_gates"))

    def _columns(self) -> list:
        """The columns of step t: (array (H, 1), title, lowest, highest value shown)."""
        raise NotImplementedError(self._missing("_columns"))

    def _gate_summary(self) -> str:
        """One line of HTML about the gates of step t, for the readout."""
        raise NotImplementedError(self._missing("_gate_summary"))

    def _build(self) -> list[widgets.Widget]:
        H = self.model.hidden_size
        self.gates_view = FigureView((self.column_width * self.n_columns + 0.8, 0.42 * H + 1.6),
                                     1, self.n_columns, layout="constrained")
        self.pred_view = FigureView((4.5, 2.4), layout="constrained")
        self.gates_out, self.pred_out = self.gates_view.out, self.pred_view.out
        return [self.readout, self.gates_out, self.pred_out]

    def _set_step(self, k: int) -> None:
        self._set_gates(k)
        self.p = self.cache.ps[k]
        self.predicted_char = self.vocab.chars[int(self.p[:, 0].argmax())]

    def _figures(self) -> list:
        return [(self.gates_view, self._gates_figure),
                (self.pred_view, self._prediction_figure)]

    def _gates_figure(self):
        units = [str(u) for u in range(self.model.hidden_size)]
        fig, axes = self.gates_view.figure, self.gates_view.axes
        drawn = bool(axes[0].images)
        for ax, (col, title, lo, hi) in zip(axes, self._columns()):
            if drawn:                         # same columns, new numbers: update them
                set_column(ax, col, title=title)
            else:
                plots.gate_column(col, ax=ax, title=title, vmin=lo, vmax=hi, row_labels=units)
        axes[0].set_ylabel("hidden unit")
        title = fig.suptitle(f"step t = {self.t}: input {plots.char_label(self.input_char)!r}"
                             f"   ({self.legend})", fontsize=10)
        # what changes from step to step, and the frames drawn over the cells
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
                f"{self._gate_summary()}</div>")


class GateStepper(GatedStepper):
    """Walk an LSTM forward through ``text`` one step at a time.

    ``GateStepper()`` uses "hello" and :func:`trained_lstm`. Pass ``model`` (an LSTM) and
    ``text``, and ``vocab`` when the model was built for another vocabulary.

    The controls are those of every stepper (:class:`~rnnlib.widgets.stepper.Stepper`):
    ``play``, ``prev_button``, ``slider``, ``next_button``.
    Attributes for the step shown: ``t`` (1..T), ``input_char``, ``target_char``,
    ``i``, ``f``, ``o``, ``g``, ``c_prev``, ``c``, ``h`` (all (H, 1)), ``p`` (V, 1),
    ``predicted_char``; ``cache`` is the whole forward pass.
    """
    kind = LSTM                        # an RNN has no gates
    n_columns, column_width = 7, 1.45
    legend = "gates: white = closed 0, green = open 1; g, c, h: blue negative, red positive"

    def __init__(self, model: LSTM | None = None, text: str = "hello",
                 vocab: Vocab | None = None):
        super().__init__(model, text, vocab)

    def _default_model(self, vocab: Vocab, text: str) -> LSTM:
        return trained_lstm(vocab, text)

    def _set_gates(self, k: int) -> None:
        cache = self.cache
        self.i, self.f, self.o, self.g = (getattr(cache, n)[k] for n in "ifog")
        self.c_prev = cache.c[k - 1] if k > 0 else cache.c_prev
        self.c, self.h = cache.c[k], cache.h[k]

    def _columns(self) -> list:
        t = self.t
        # one scale for c over all steps (c_0 included), so its colours compare across t
        vc = float(max(1.0, np.abs(self.cache.c).max(), np.abs(self.cache.c_prev).max()))
        return [(self.f, "f (forget)", 0.0, 1.0), (self.c_prev, f"$c_{{{t - 1}}}$", -vc, vc),
                (self.i, "i (input)", 0.0, 1.0), (self.g, "g (candidate)", -1.0, 1.0),
                (self.c, f"$c_{{{t}}} = f\\,c_{{{t - 1}}} + i\\,g$", -vc, vc),
                (self.o, "o (output)", 0.0, 1.0),
                (self.h, f"$h_{{{t}}} = o\\,\\tanh(c_{{{t}}})$", -1.0, 1.0)]

    def _gate_summary(self) -> str:
        return (f"mean forget gate f = {float(np.mean(self.f)):.2f} (the share of "
                f"c<sub>{self.t - 1}</sub> kept) · mean input gate i = "
                f"{float(np.mean(self.i)):.2f} · mean output gate o = "
                f"{float(np.mean(self.o)):.2f} · ‖c<sub>{self.t}</sub>‖ = "
                f"{float(np.linalg.norm(self.c)):.3f}")
