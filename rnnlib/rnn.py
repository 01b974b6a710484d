"""The vanilla character RNN of min-char-rnn, written as the equations of notebooks 02 to 04.

Forward, one step at a time (``rnn_step_forward``), then the output layer (rnnlib.output)::

    h_t = tanh(Wxh x_t + Whh h_{t-1} + bh)      y_t = Why h_t + by      p_t = softmax(y_t)
    loss = sum_t -log p_t[target_t]              (averaged over the batch)

Backward: the output layer gives dy_t, dWhy, dby and dh_out_t = Why^T dy_t; then from the
last step to the first (``rnn_step_backward``)::

    dh = dh_out_t + dh_next                 h_t feeds its output and the next step
    dh_raw = (1 - h_t^2) * dh               back through the tanh
    dWxh += dh_raw x_t^T    dWhh += dh_raw h_{t-1}^T    dbh += dh_raw
    dh_next = Whh^T dh_raw                  what step t-1 receives

Shapes: V = vocabulary size, H = hidden size, T = time steps, N = batch (sequences side by
side as columns). Inputs and targets are ints (T,) or (T, N); x_t is the one-hot (V, N),
h_t is (H, N), y_t and p_t are (V, N); the cache and the trace stack the steps, (T, H, N)
and (T, V, N). Parameters: Wxh (H, V), Whh (H, H), Why (V, H), bh (H, 1), by (V, 1).

This is the code to read, and what ``check_model`` checks. Training calls
``rnnlib.fastpath``, which computes the same numbers with every step batched and fused.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from ._checks import positive_int
from .functional import one_hot
from .model import CharModel, init_params
from .output import output_backward, output_forward

PARAM_NAMES = ("Wxh", "Whh", "Why", "bh", "by")


# ---- one step ------------------------------------------------------------------------------
class RNNStepCache(NamedTuple):
    """What one step keeps for its backward step."""
    x: np.ndarray        # (V, N): the input columns x_t (one-hot for characters)
    h_prev: np.ndarray   # (H, N): h_{t-1}
    h: np.ndarray        # (H, N): h_t
    Wxh: np.ndarray      # (H, V), the weights themselves (not copies)
    Whh: np.ndarray      # (H, H)


def rnn_step_forward(x: np.ndarray, h_prev: np.ndarray,
                     params: dict[str, np.ndarray]) -> tuple[np.ndarray, RNNStepCache]:
    """One step: h_t = tanh(Wxh x_t + Whh h_{t-1} + bh), x (V, N), h_prev (H, N).

    ``params`` needs ``Wxh`` (H, V), ``Whh`` (H, H) and ``bh`` (H, 1). x may be any input
    columns: one-hot characters, a layer below's h, or a classifier's features.
    """
    Wxh, Whh, bh = params["Wxh"], params["Whh"], params["bh"]
    h = np.tanh(Wxh @ x + Whh @ h_prev + bh)
    return h, RNNStepCache(x, h_prev, h, Wxh, Whh)


def rnn_step_backward(dh: np.ndarray,
                      cache: RNNStepCache) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """One backward step: dh = dL/dh_t (H, N) -> (grads, dh_prev (H, N)).

        dh_raw = (1 - h_t^2) * dh              the gradient before tanh
        dWxh = dh_raw x_t^T    dWhh = dh_raw h_{t-1}^T    dbh = dh_raw summed over N
        dh_prev = Whh^T dh_raw                 what h_{t-1} gets: the next dh_next

    grads holds ``Wxh``, ``Whh`` and ``bh``: this step's share of their gradients.
    """
    dh_raw = (1 - cache.h * cache.h) * dh
    grads = {"Wxh": dh_raw @ cache.x.T, "Whh": dh_raw @ cache.h_prev.T,
             "bh": dh_raw.sum(axis=1, keepdims=True)}
    return grads, cache.Whh.T @ dh_raw


# ---- what a whole chunk keeps --------------------------------------------------------------
class RNNCache(NamedTuple):
    """Everything the forward pass computed, kept for the backward pass and for plots."""
    inputs: np.ndarray   # (T, N) int: the characters fed in
    h_prev: np.ndarray   # (H, N): h_0, the state before the first step
    hs: np.ndarray       # (T, H, N): h_t for t = 1..T
    ys: np.ndarray       # (T, V, N): logits
    ps: np.ndarray       # (T, V, N): softmax probabilities
    logps: np.ndarray    # (T, V, N): log p, exact even where p underflows to 0

    @property
    def xs(self) -> np.ndarray:
        """The one-hot inputs x_t, shape (T, V, N) (built on demand)."""
        return one_hot(self.inputs, self.ps.shape[1], self.ps.dtype)

    @property
    def h_last(self) -> np.ndarray:
        """h_T, shape (H, N): the state to carry into the next chunk."""
        return self.hs[-1]


class BackwardTrace(NamedTuple):
    """Per-step quantities of the backward pass (all (T, ., N); index t is step t+1)."""
    dys: np.ndarray      # (T, V, N): dL/dy_t = p_t - onehot(target_t), over N
    dh_out: np.ndarray   # (T, H, N): Why^T dy_t, what h_t gets from its own output
    dh_next: np.ndarray  # (T, H, N): what h_t gets from the future (zero at the last step)
    dh: np.ndarray       # (T, H, N): dL/dh_t = dh_out + dh_next
    dh_raw: np.ndarray   # (T, H, N): (1 - h_t^2) * dh, the gradient before tanh


class Backward(NamedTuple):
    grads: dict          # same keys and shapes as params
    dh_prev: np.ndarray  # (H, N): dL/dh_0, the gradient that leaves the chunk
    trace: BackwardTrace | None


# ---- the model -----------------------------------------------------------------------------
class RNN(CharModel):
    """Vanilla RNN with min-char-rnn's parameters and initialisation (randn * 0.01, zero
    biases): Wxh (H, V), Whh (H, H), Why (V, H), bh (H, 1), by (V, 1)."""

    def __init__(self, vocab_size: int, hidden_size: int, seed: int | None = None,
                 dtype: DTypeLike = np.float64) -> None:
        V = positive_int("vocab_size", vocab_size)
        H = positive_int("hidden_size", hidden_size)
        self.params: dict[str, np.ndarray] = init_params(
            {"Wxh": (H, V), "Whh": (H, H), "Why": (V, H), "bh": (H, 1), "by": (V, 1)},
            seed, dtype)

    def forward(self, inputs: ArrayLike, h_prev: ArrayLike | None = None) -> RNNCache:
        """Run T steps. inputs (T,) or (T, N) ints; h_prev (H, N) or None for zeros."""
        P = self.params
        ix = self._inputs(inputs)                                   # (T, N)
        h0 = self.checked_state(h_prev, ix.shape[1])                       # (H, N)
        xs = one_hot(ix, self.vocab_size, self.dtype)               # (T, V, N)
        hs = []
        h = h0
        for x_t in xs:
            h, _ = rnn_step_forward(x_t, h, P)                      # h_t (H, N)
            hs.append(h)
        hs = np.stack(hs)                                           # (T, H, N)
        out = output_forward(hs, P["Why"], P["by"])                 # y, p, log p: (T, V, N)
        return RNNCache(ix, h0, hs, out.y, out.p, out.logp)

    def backward(self, cache: RNNCache, targets: ArrayLike, trace: bool = False) -> Backward:
        """Backpropagation through time over the chunk in ``cache``.

        Returns the parameter gradients, dL/dh_0 and, with ``trace=True``, the per-step
        dy, dh_out, dh_next, dh and dh_raw.
        """
        P = self.params
        tg = self._targets(targets, cache.inputs)
        xs, hs = cache.xs, cache.hs                                 # (T, V, N), (T, H, N)
        h_before = [cache.h_prev, *hs[:-1]]                         # h_{t-1} of each step
        out = output_backward(cache.ps, tg, hs, P["Why"])           # dy_t, dWhy, dby, dh_out_t
        dWxh, dWhh, dbh = (np.zeros_like(P[k]) for k in ("Wxh", "Whh", "bh"))
        dh_next = np.zeros_like(cache.h_prev)                       # nothing after step T
        steps = {name: [None] * len(hs) for name in ("dh_next", "dh", "dh_raw")}
        for t in reversed(range(len(hs))):
            dh = out.dh[t] + dh_next                                # own output + the future
            step = RNNStepCache(xs[t], h_before[t], hs[t], P["Wxh"], P["Whh"])
            if trace:
                steps["dh_next"][t], steps["dh"][t] = dh_next, dh
                steps["dh_raw"][t] = (1 - hs[t] * hs[t]) * dh       # as the step computes it
            step_grads, dh_next = rnn_step_backward(dh, step)       # dh_next = Whh^T dh_raw
            dWxh += step_grads["Wxh"]                               # the weights are shared:
            dWhh += step_grads["Whh"]                               # their gradients are sums
            dbh += step_grads["bh"]                                 # over the steps
        grads = {"Wxh": dWxh, "Whh": dWhh, "Why": out.dWhy, "bh": dbh, "by": out.dby}
        tr = None
        if trace:
            tr = BackwardTrace(out.dy, out.dh, *(np.stack(steps[k]) for k in steps))
        return Backward(grads, dh_next, tr)

    def step(self, ix: ArrayLike, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One step for sampling: int indices ix (N,) and state h (H, N) -> (y (V, N), h_t).

        It is called once per sampled character, so it takes the columns ``Wxh[:, ix]``,
        which equal ``Wxh @ x`` for the one-hot x (notebook 02 shows why), and works in place.
        """
        P = self.params
        a = P["Whh"] @ h
        a += P["Wxh"][:, ix]
        a += P["bh"]
        h = np.tanh(a, out=a)
        y = P["Why"] @ h
        y += P["by"]
        return y, h

