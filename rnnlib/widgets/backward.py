"""Step backwards through time: how the gradient of the loss reaches every h_t and weight.

    dy_t = p_t - onehot(target_t)          dh_t = Why^T dy_t + dh_next
    dh_raw_t = (1 - h_t^2) * dh_t          dh_next (for step t-1) = Whh^T dh_raw_t
    dWhy = sum_t dy_t h_t^T                dWhh = sum_t dh_raw_t h_{t-1}^T

``BackwardStepper`` starts at the last step t = T and moves back to t = 1. For the step
chosen it shows dy_t, the two gradients h_t receives (Why^T dy_t from its own output and
dh_next from the future), their sum dh_t, the tanh factor 1 - h_t^2, dh_raw_t and what
is sent on to step t-1; below, dWhy and dWhh summed over the steps visited so far
(T down to t). All numbers come from ``RNN.backward(..., trace=True)``. Shapes: V vocabulary,
H hidden, T = len(text) - 1 steps; every column shown is (V, 1) or (H, 1).
"""
from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from .. import plots
from ..functional import dtanh
from ..rnn import RNN
from ..vocab import Vocab
from ..plots.activations import set_column
from .figure_view import FigureView
from .stepper import Stepper, warm_up


def warmed_up_rnn(vocab: Vocab, text: str, hidden_size: int = 6, seed: int = 0,
                  iterations: int = 10) -> RNN:
    """An RNN that has taken a few Adagrad steps on ``text``.

    At min-char-rnn's initial weights (0.01 * randn) almost nothing flows back through
    Whh, so dh_next would be a column of near-zeros; after a few steps of learning every
    path carries a visible share of the gradient.
    """
    return warm_up(RNN(len(vocab), hidden_size, seed=seed), vocab, text, iterations)


def _from_the_end(a: np.ndarray) -> np.ndarray:
    """Running sums taken from the last step back: out[t] = a[t] + a[t+1] + ... + a[T-1]."""
    return a[::-1].cumsum(axis=0)[::-1]


class BackwardStepper(Stepper):
    """Walk the backward pass of an RNN on ``text`` from the last step to the first.

    ``BackwardStepper()`` uses "hello" (inputs h, e, l, l; targets e, l, l, o) and
    :func:`warmed_up_rnn`. Pass ``model`` (an RNN) and ``text``, and ``vocab`` when the
    model was built for a vocabulary other than ``Vocab.from_text(text)``; ``h_prev``
    (H, 1) is h_0 (None: zeros).

    The controls are those of every stepper (:class:`~rnnlib.widgets.stepper.Stepper`):
    ``play``, ``prev_button``, ``slider``, ``next_button``; here the widget starts at
    t = T, ◀ Prev (one step further back) is the highlighted button and play runs from
    T to 1. The numbers shown are kept as attributes: ``t`` (1..T), ``input_char``,
    ``target_char``, ``dy`` (V, 1), ``dh_out`` (= Why^T dy), ``dh_next``, ``dh``,
    ``tanh_grad`` (= 1 - h_t^2), ``dh_raw`` and ``dh_to_prev`` (= Whh^T dh_raw, what step
    t-1 receives), all (H, 1); ``dWhy_so_far`` (V, H) and ``dWhh_so_far`` (H, H) summed
    over steps T..t. ``trace`` and ``grads`` hold the library's whole backward pass.
    """
    kind = RNN
    backwards = True                 # backpropagation starts at the last step

    def __init__(self, model: RNN | None = None, text: str = "hello",
                 vocab: Vocab | None = None, h_prev: np.ndarray | None = None):
        super().__init__(model, text, vocab, h_prev)

    def _default_model(self, vocab: Vocab, text: str) -> RNN:
        return warmed_up_rnn(vocab, text)

    def _run(self, h_prev: np.ndarray | None) -> None:
        # the library does the whole backward pass; the widget only reads it out
        super()._run(h_prev)                                        # cache = model.forward
        back = self.model.backward(self.cache, self.targets, trace=True)
        self.trace, self.grads, self.dh_prev = back.trace, back.grads, back.dh_prev
        hs = self.cache.hs[:, :, 0]                                 # (T, H)
        h_before = np.concatenate([self.cache.h_prev.T, hs[:-1]])   # h_{t-1}: (T, H)
        dys, dh_raw = self.trace.dys[:, :, 0], self.trace.dh_raw[:, :, 0]
        # each step's share of dWhy and dWhh (outer products), summed from T back to t
        self._dWhy_running = _from_the_end(dys[:, :, None] * hs[:, None, :])        # (T, V, H)
        self._dWhh_running = _from_the_end(dh_raw[:, :, None] * h_before[:, None, :])  # (T, H, H)
        # fixed colour scales over all steps, so colours compare as t moves
        self._vmax_dy = float(np.abs(dys).max())
        self._vmax_dh = float(max(np.abs(getattr(self.trace, k)).max()
                                  for k in ("dh_out", "dh_next", "dh", "dh_raw")))
        self._vmax_dWhy = float(np.abs(self._dWhy_running).max())
        self._vmax_dWhh = float(np.abs(self._dWhh_running).max())

    def _build(self) -> list[widgets.Widget]:
        H, V = self.model.hidden_size, self.model.vocab_size
        self.columns_view = FigureView((1.3 * 7 + 0.6, 0.42 * max(H, V) + 1.9), 1, 7,
                                       layout="constrained")
        self.totals_view = FigureView((4.0 + 0.45 * 2 * H, 0.35 * H + 2.0), 1, 2,
                                      gridspec_kw={"width_ratios": [1, 1]},
                                      layout="constrained")
        self.columns_out, self.totals_out = self.columns_view.out, self.totals_view.out
        return [self.readout, self.columns_out, self.totals_out]

    # ---- what one step shows -----------------------------------------------------
    def _set_step(self, i: int) -> None:
        tr = self.trace
        self.dy = tr.dys[i]
        self.dh_out = tr.dh_out[i]
        self.dh_next = tr.dh_next[i]
        self.dh = tr.dh[i]
        self.tanh_grad = dtanh(self.cache.hs[i])
        self.dh_raw = tr.dh_raw[i]
        # what leaves this step backwards: the next step's dh_next, or dL/dh_0 at t = 1
        self.dh_to_prev = tr.dh_next[i - 1] if i > 0 else self.dh_prev
        self.dWhy_so_far = self._dWhy_running[i]
        self.dWhh_so_far = self._dWhh_running[i]

    def _figures(self) -> list:
        return [(self.columns_view, self._columns_figure),
                (self.totals_view, self._totals_figure)]

    def _columns_figure(self):
        units = [str(k) for k in range(self.model.hidden_size)]
        t = self.t
        cols = [(self.dy, f"$dy_{{{t}}}$", [plots.char_label(c) for c in self.vocab.chars],
                 self._vmax_dy),
                (self.dh_out, "$W_{hy}^T dy$\n(from output)", units, self._vmax_dh),
                (self.dh_next, "$+\\ dh_{next}$\n(from future)", units, self._vmax_dh),
                (self.dh, f"$=\\ dh_{{{t}}}$", units, self._vmax_dh),
                (self.tanh_grad, f"$\\odot\\ (1-h_{{{t}}}^2)$", units, 1.0),
                (self.dh_raw, "$=\\ dh_{raw}$", units, self._vmax_dh),
                (self.dh_to_prev, "$W_{hh}^T dh_{raw}$\n" +
                 (f"(sent to t={t - 1})" if t > 1 else "($dL/dh_0$)"), units,
                 self._vmax_dh)]
        fig, axes = self.columns_view.figure, self.columns_view.axes
        drawn = bool(axes[0].images)
        for ax, (col, title, labels, vmax) in zip(axes, cols):
            if drawn:                         # same columns, new numbers: update them
                set_column(ax, col, title=title, fmt="{:+.3f}")
            else:
                plots.column_heatmap(col, ax=ax, title=title, row_labels=labels, vmax=vmax,
                                     fmt="{:+.3f}")
        axes[0].set_ylabel("character")
        axes[1].set_ylabel("hidden unit")
        title = fig.suptitle(f"backward through step t = {t}: input "
                             f"{plots.char_label(self.input_char)!r}, target "
                             f"{plots.char_label(self.target_char)!r}   "
                             f"(gradient columns: one colour scale over all steps; "
                             f"1 − h²: 0 to 1)", fontsize=10)
        # what changes from step to step, and the frames drawn over the cells
        return [*(a for ax in axes for a in (*ax.images, *ax.spines.values(), *ax.texts,
                                             ax.title)), title]

    def _totals_figure(self):
        t, T = self.t, self.T
        steps = f"steps {T}..{t}" if t < T else f"step {T} only"
        fig, axes = self.totals_view.figure, self.totals_view.axes
        why_title = f"$dW_{{hy}}$ so far: $\\sum_{{s={t}}}^{{{T}}} dy_s\\,h_s^T$"
        whh_title = (f"$dW_{{hh}}$ so far: $\\sum_{{s={t}}}^{{{T}}} "
                     f"dh_{{raw,s}}\\,h_{{s-1}}^T$")
        drawn = bool(axes[0].images)
        if drawn:                             # the same heatmaps with new sums
            axes[0].images[0].set_data(self.dWhy_so_far)
            axes[1].images[0].set_data(self.dWhh_so_far)
        else:
            plots.signed_heatmap(self.dWhy_so_far, ax=axes[0], vmax=self._vmax_dWhy,
                                 row_labels=[plots.char_label(c) for c in self.vocab.chars],
                                 title=why_title, xlabel="hidden unit", ylabel="character")
            plots.signed_heatmap(self.dWhh_so_far, ax=axes[1], vmax=self._vmax_dWhh,
                                 title=whh_title, xlabel="from unit (of $h_{s-1}$)",
                                 ylabel="to unit")
        for ax, title in zip(axes, (why_title, whh_title)):
            ax.set_title(title, fontsize=10, pad=12)     # room for the sums' limits
        title = fig.suptitle(f"running totals over {steps} (full sums at t = 1); each "
                             f"colour scale is fixed over all steps", fontsize=10)
        return [*(a for ax in axes for a in (ax.images[0], *ax.spines.values(), ax.title)),
                title]

    def _readout_html(self) -> str:
        def norm(a):
            return f"{float(np.linalg.norm(a)):.4f}"
        inp = html.escape(repr(self.input_char))
        tgt = html.escape(repr(self.target_char))
        sent = (f"sent back to step {self.t - 1} as its dh_next" if self.t > 1
                else "sent back to h<sub>0</sub> (dL/dh<sub>0</sub>)")
        future = ("0 (t = T: no later step)" if self.t == self.T
                  else norm(self.dh_next))
        return (f'<div style="font-size:14px;line-height:1.6">'
                f"<b>t = {self.t}</b> of {self.T}: input {inp} → target {tgt} · "
                f"‖dy<sub>t</sub>‖ = {norm(self.dy)}<br>"
                f"into h<sub>t</sub>: from its output ‖W<sub>hy</sub><sup>T</sup>"
                f"dy<sub>t</sub>‖ = {norm(self.dh_out)}, from the future ‖dh_next‖ = "
                f"{future}, together ‖dh<sub>t</sub>‖ = {norm(self.dh)}<br>"
                f"after the tanh: ‖dh<sub>raw</sub>‖ = {norm(self.dh_raw)}; {sent}: "
                f"‖W<sub>hh</sub><sup>T</sup>dh<sub>raw</sub>‖ = {norm(self.dh_to_prev)}</div>")
