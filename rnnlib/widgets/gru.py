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

import numpy as np

from ..gru import GRU
from ..vocab import Vocab
from .gates import GatedStepper
from .stepper import warm_up


def trained_gru(vocab: Vocab, text: str, hidden_size: int = 6, seed: int = 0,
                iterations: int = 100) -> GRU:
    """A GRU after ``iterations`` Adagrad steps on ``text`` (inputs text[:-1], targets
    text[1:]): on "hello" enough to predict 'l' after the first 'l' and 'o' after the
    second, which takes memory."""
    return warm_up(GRU(len(vocab), hidden_size, seed=seed), vocab, text, iterations)


class GRUStepper(GatedStepper):
    """Walk a GRU forward through ``text`` one step at a time.

    ``GRUStepper()`` uses "hello" and :func:`trained_gru`. Pass ``model`` (a GRU) and
    ``text``, and ``vocab`` when the model was built for another vocabulary.

    The controls are those of every stepper (:class:`~rnnlib.widgets.stepper.Stepper`):
    ``play``, ``prev_button``, ``slider``, ``next_button``.
    Attributes for the step shown: ``t`` (1..T), ``input_char``, ``target_char``,
    ``r``, ``z``, ``n``, ``h_prev``, ``h`` (all (H, 1)), ``p`` (V, 1), ``predicted_char``;
    ``cache`` is the whole forward pass.
    """
    kind = GRU
    n_columns, column_width = 5, 1.5
    legend = "gates: white = 0, green = 1; n, h: blue negative, red positive"

    def __init__(self, model: GRU | None = None, text: str = "hello",
                 vocab: Vocab | None = None):
        super().__init__(model, text, vocab)

    def _default_model(self, vocab: Vocab, text: str) -> GRU:
        return trained_gru(vocab, text)

    def _set_gates(self, k: int) -> None:
        cache = self.cache
        self.r, self.z, self.n = cache.r[k], cache.z[k], cache.n[k]
        self.h_prev = cache.h[k - 1] if k > 0 else cache.h_prev
        self.h = cache.h[k]

    def _columns(self) -> list:
        t = self.t
        return [(self.r, "r (reset)", 0.0, 1.0), (self.z, "z (update)", 0.0, 1.0),
                (self.n, "n (candidate)", -1.0, 1.0),
                (self.h_prev, f"$h_{{{t - 1}}}$", -1.0, 1.0),
                (self.h, f"$h_{{{t}}} = (1-z)\\,n + z\\,h_{{{t - 1}}}$", -1.0, 1.0)]

    def _gate_summary(self) -> str:
        return (f"mean update gate z = {float(np.mean(self.z)):.2f} (the share of "
                f"h<sub>{self.t - 1}</sub> kept) · mean reset gate r = "
                f"{float(np.mean(self.r)):.2f} · ‖h<sub>{self.t}</sub> − "
                f"h<sub>{self.t - 1}</sub>‖ = "
                f"{float(np.linalg.norm(self.h - self.h_prev)):.3f}")
