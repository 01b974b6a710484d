"""The LSTM: a character model whose memory is a cell state updated by addition.

Shapes: V = vocabulary size, H = hidden size, T = time steps, N = batch (sequences side by
side as columns). x_t is the one-hot column matrix (V, N); h_t and c_t are (H, N); the
stacked pre-activation a_t and its gradient are (4H, N), four blocks of H rows in the
order i, f, o, g (``GATES``). Inputs and targets are ints (T,) or (T, N). The interface is
:class:`rnnlib.RNN`'s, so ``Trainer``, ``sample``, ``prime`` and ``check_model`` use it
unchanged; the one difference is the state, the pair (h, c).

One step, forward (``lstm_step_forward``)::

    a_t = Wx x_t + Wh h_{t-1} + b                          (4H, N)
    i = sigmoid(a_t[0:H])       f = sigmoid(a_t[H:2H])
    o = sigmoid(a_t[2H:3H])     g = tanh(a_t[3H:4H])
    c_t = f * c_{t-1} + i * g   h_t = o * tanh(c_t)         (* is elementwise)

and backward (``lstm_gate_grads`` and ``lstm_step_backward``), with dh = dL/dh_t and
dc_next, what c_t gets from c_{t+1}::

    dc_t = dc_next + dh * o * (1 - tanh(c_t)^2)
    di = dc_t * g    df = dc_t * c_{t-1}    do = dh * tanh(c_t)    dg = dc_t * i
    da_t = [di * i(1-i); df * f(1-f); do * o(1-o); dg * (1-g^2)]
    dWx = da_t x_t^T    dWh = da_t h_{t-1}^T    db = da_t (summed over N)
    dh_prev = Wh^T da_t           dc_prev = f * dc_t

:class:`LSTM` runs the step over T characters, then the softmax output layer of
:mod:`rnnlib.output`.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from ._checks import positive_int, state_array
from .functional import one_hot, sigmoid
from .model import CharModel, init_params
from .output import output_backward, output_forward

PARAM_NAMES = ("Wx", "Wh", "b", "Why", "by")
GATES = ("i", "f", "o", "g")   # the order of the four row blocks of Wx, Wh and b


# ---- one step ----------------------------------------------------------------------------
class LSTMStepCache(NamedTuple):
    """What one step keeps for its backward step."""
    x: np.ndarray        # (V, N): the input columns x_t (one-hot characters)
    h_prev: np.ndarray   # (H, N): h_{t-1}
    c_prev: np.ndarray   # (H, N): c_{t-1}
    i: np.ndarray        # (H, N): input gate, in (0, 1)
    f: np.ndarray        # (H, N): forget gate, in (0, 1)
    o: np.ndarray        # (H, N): output gate, in (0, 1)
    g: np.ndarray        # (H, N): candidate values, in (-1, 1)
    c: np.ndarray        # (H, N): the new cell state c_t
    Wh: np.ndarray       # (4H, H), the weights themselves (not a copy)


def lstm_step_forward(x: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray,
                      params: dict[str, np.ndarray]
                      ) -> tuple[np.ndarray, np.ndarray, LSTMStepCache]:
    """One step: x (V, N), h_prev and c_prev (H, N) -> (h_t, c_t, cache).

    ``params`` needs ``Wx`` (4H, V), ``Wh`` (4H, H) and ``b`` (4H, 1).
    """
    Wx, Wh, b = params["Wx"], params["Wh"], params["b"]
    H = Wh.shape[1]
    a = Wx @ x + Wh @ h_prev + b                  # (4H, N): the four blocks, stacked
    i = sigmoid(a[0:H])                           # input gate: how much of g to write
    f = sigmoid(a[H:2 * H])                       # forget gate: how much of c_prev to keep
    o = sigmoid(a[2 * H:3 * H])                   # output gate: how much of the cell to show
    g = np.tanh(a[3 * H:4 * H])                   # candidate values
    c = f * c_prev + i * g                        # the conveyor belt: scaled and added to
    h = o * np.tanh(c)
    return h, c, LSTMStepCache(x, h_prev, c_prev, i, f, o, g, c, Wh)


def lstm_gate_grads(dh: np.ndarray, dc_next: np.ndarray,
                    cache: LSTMStepCache) -> tuple[np.ndarray, np.ndarray]:
    """The backward step up to the pre-activation: -> (da (4H, N), dc (H, N)).

    dh (H, N) is dL/dh_t, everything h_t receives; dc_next (H, N) is what c_t receives
    from c_{t+1}. dc is all of dL/dc_t, and da is dL/da_t, stacked like a_t.
    """
    i, f, o, g, c = cache.i, cache.f, cache.o, cache.g, cache.c
    tanh_c = np.tanh(c)
    dc = dc_next + dh * o * (1 - tanh_c ** 2)     # c_t reaches the loss through h_t and c_{t+1}
    di, df, do, dg = dc * g, dc * cache.c_prev, dh * tanh_c, dc * i
    da = np.vstack([di * i * (1 - i),             # through the sigmoids: s' = s (1 - s)
                    df * f * (1 - f),
                    do * o * (1 - o),
                    dg * (1 - g ** 2)])           # through tanh
    return da, dc


def lstm_step_backward(dh: np.ndarray, dc_next: np.ndarray, cache: LSTMStepCache
                       ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """One backward step: dh = dL/dh_t, dc_next from c_{t+1} -> (grads, dh_prev, dc_prev).

    grads holds ``Wx``, ``Wh`` and ``b``: this step's share of their gradients. dh_prev and
    dc_prev (H, N) are what h_{t-1} and c_{t-1} receive: the next step's dh_next, dc_next.
    """
    da, dc = lstm_gate_grads(dh, dc_next, cache)
    grads = {"Wx": da @ cache.x.T, "Wh": da @ cache.h_prev.T,
             "b": da.sum(axis=1, keepdims=True)}
    return grads, cache.Wh.T @ da, cache.f * dc   # the additive path back: f * dc_t


# ---- a sequence ----------------------------------------------------------------------------
class LSTMCache(NamedTuple):
    """Everything the forward pass computed, kept for the backward pass and for plots."""
    inputs: np.ndarray   # (T, N) int: the characters fed in
    h_prev: np.ndarray   # (H, N): h_0
    c_prev: np.ndarray   # (H, N): c_0
    i: np.ndarray        # (T, H, N): input gate, in (0, 1)
    f: np.ndarray        # (T, H, N): forget gate, in (0, 1)
    o: np.ndarray        # (T, H, N): output gate, in (0, 1)
    g: np.ndarray        # (T, H, N): candidate values, in (-1, 1)
    c: np.ndarray        # (T, H, N): cell state c_t
    h: np.ndarray        # (T, H, N): hidden state h_t = o * tanh(c_t)
    ys: np.ndarray       # (T, V, N): logits
    ps: np.ndarray       # (T, V, N): softmax probabilities
    logps: np.ndarray    # (T, V, N): log p, exact even where p underflows to 0

    @property
    def hs(self) -> np.ndarray:
        """h_t, (T, H, N): RNNCache's name, for plots."""
        return self.h

    @property
    def h_last(self) -> np.ndarray:
        """h_T, shape (H, N)."""
        return self.h[-1]

    @property
    def c_last(self) -> np.ndarray:
        """c_T, shape (H, N)."""
        return self.c[-1]

    @property
    def xs(self) -> np.ndarray:
        """The one-hot inputs x_t, shape (T, V, N) (built on demand)."""
        return one_hot(self.inputs, self.ps.shape[1], self.ps.dtype)

    def step_cache(self, t: int, params: dict[str, np.ndarray]) -> LSTMStepCache:
        """The cache of step t + 1 (t = 0..T-1), as ``lstm_step_forward`` returned it."""
        h_before = self.h[t - 1] if t > 0 else self.h_prev
        c_before = self.c[t - 1] if t > 0 else self.c_prev
        x = one_hot(self.inputs[t], self.ps.shape[1], self.ps.dtype)
        return LSTMStepCache(x, h_before, c_before, self.i[t], self.f[t], self.o[t],
                             self.g[t], self.c[t], params["Wh"])


class LSTMBackwardTrace(NamedTuple):
    """Per-step quantities of the backward pass (all (T, ., N); index t is step t+1)."""
    dys: np.ndarray      # (T, V, N): dL/dy_t = p_t - onehot(target_t), over N
    dh_next: np.ndarray  # (T, H, N): what h_t gets from the future (zero at the last step)
    dh: np.ndarray       # (T, H, N): dL/dh_t = Why^T dy_t + dh_next
    dc_next: np.ndarray  # (T, H, N): what c_t gets from c_{t+1}, f_{t+1} * dc_{t+1}
    dc: np.ndarray       # (T, H, N): dL/dc_t, through h_t and through c_{t+1}
    da: np.ndarray       # (T, 4H, N): dL/da_t, the gradient of the stacked pre-activation


class LSTMBackward(NamedTuple):
    grads: dict          # same keys and shapes as params
    dh_prev: np.ndarray  # (H, N): dL/dh_0
    dc_prev: np.ndarray  # (H, N): dL/dc_0
    trace: LSTMBackwardTrace | None


class LSTM(CharModel):
    """Long short-term memory with a softmax output, min-char-rnn's initialisation.

    Parameters
    ----------
    vocab_size : int
        V, the number of characters.
    hidden_size : int
        H, the size of h_t and of the cell state c_t.
    seed : int or None
        Seed of the random initial weights (randn * 0.01; biases zero).
    dtype : float64 (default) or float32

    Attributes
    ----------
    params : dict
        ``Wx`` (4H, V), ``Wh`` (4H, H), ``b`` (4H, 1), ``Why`` (V, H), ``by`` (V, 1).
        The 4H rows are four blocks of H in the order i, f, o, g.
    """

    def __init__(self, vocab_size: int, hidden_size: int, seed: int | None = None,
                 dtype: DTypeLike = np.float64) -> None:
        V = positive_int("vocab_size", vocab_size)
        H = positive_int("hidden_size", hidden_size)
        self.params: dict[str, np.ndarray] = init_params(
            {"Wx": (4 * H, V), "Wh": (4 * H, H), "b": (4 * H, 1),
             "Why": (V, H), "by": (V, 1)}, seed, dtype)

    # ---- the state is the pair (h, c) ------------------------------------------------
    def initial_state(self, n: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """(h_0, c_0) = (0, 0), each (H, n)."""
        return super().initial_state(n), super().initial_state(n)

    def checked_state(self, h_prev: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Check a state argument: None (zeros) or the pair (h, c), each (H, n)."""
        if h_prev is None:
            return self.initial_state(n)
        if not isinstance(h_prev, (tuple, list)) or len(h_prev) != 2:
            got = f"{type(h_prev).__name__} of shape {np.shape(h_prev)}"
            raise ValueError(f"an LSTM's state is the pair (h, c), each (hidden_size, batch) = "
                             f"({self.hidden_size}, {n}); got {got}. Pass (h, c), e.g. "
                             f"model.initial_state({n}), or None to start from zeros.")
        H = self.hidden_size
        return (state_array("h_prev (the h of the pair)", h_prev[0], H, n, self.dtype),
                state_array("c_prev (the c of the pair)", h_prev[1], H, n, self.dtype))

    def last_state(self, cache: LSTMCache) -> tuple[np.ndarray, np.ndarray]:
        """(h_T, c_T), copies: the state to pass as ``h_prev`` of the next chunk."""
        return cache.h_last.copy(), cache.c_last.copy()

    # ---- forward -----------------------------------------------------------------------
    def forward(self, inputs: ArrayLike,
                h_prev: tuple[ArrayLike, ArrayLike] | None = None) -> LSTMCache:
        """Run T steps. inputs (T,) or (T, N) ints; h_prev the pair (h, c) or None."""
        P = self.params
        ix = self._inputs(inputs)
        T, N = ix.shape
        h0, c0 = h, c = self.checked_state(h_prev, N)
        x = one_hot(ix, self.vocab_size, self.dtype)                # (T, V, N)
        i, f, o, g, cs, hs = (np.empty((T, self.hidden_size, N), dtype=self.dtype)
                              for _ in range(6))
        for t in range(T):
            h, c, step = lstm_step_forward(x[t], h, c, P)
            i[t], f[t], o[t], g[t], cs[t], hs[t] = step.i, step.f, step.o, step.g, c, h
        out = output_forward(hs, P["Why"], P["by"])                 # y_t, p_t: (T, V, N)
        return LSTMCache(ix, h0, c0, i, f, o, g, cs, hs, out.y, out.p, out.logp)

    # ---- backward ----------------------------------------------------------------------
    def backward(self, cache: LSTMCache, targets: ArrayLike,
                 trace: bool = False) -> LSTMBackward:
        """Backpropagation through time over the chunk in ``cache``.

        From step T down to 1: dh = Why^T dy_t + dh_next, then ``lstm_step_backward``
        gives this step's share of dWx, dWh and db (summed here) and the dh_next and
        dc_next of the step before. Returns the parameter gradients, dL/dh_0, dL/dc_0 and,
        with ``trace=True``, the per-step dy, dh_next, dh, dc_next, dc and da.
        """
        P = self.params
        tg = self._targets(targets, cache.inputs)
        out = output_backward(cache.ps, tg, cache.h, P["Why"])      # dy_t and Why^T dy_t
        grads = {name: np.zeros_like(p) for name, p in P.items()}
        grads["Why"], grads["by"] = out.dWhy, out.dby
        T, H, N = cache.h.shape
        if trace:
            dh_all, dc_all, dh_next_all, dc_next_all = (np.empty_like(cache.h) for _ in "1234")
            da_all = np.empty((T, 4 * H, N), dtype=self.dtype)
        dh_next = np.zeros((H, N), dtype=self.dtype)                # nothing after step T
        dc_next = np.zeros((H, N), dtype=self.dtype)
        for t in reversed(range(T)):
            dh = out.dh[t] + dh_next                                 # dL/dh_t
            step = cache.step_cache(t, P)
            if trace:                                               # recorded for plots
                da_all[t], dc_all[t] = lstm_gate_grads(dh, dc_next, step)
                dh_all[t], dh_next_all[t], dc_next_all[t] = dh, dh_next, dc_next
            step_grads, dh_next, dc_next = lstm_step_backward(dh, dc_next, step)
            for name, grad in step_grads.items():                   # sums over time
                grads[name] += grad

        tr = None
        if trace:
            tr = LSTMBackwardTrace(out.dy, dh_next_all, dh_all, dc_next_all, dc_all, da_all)
        return LSTMBackward(grads, dh_next, dc_next, tr)

    # ---- one step, for sampling --------------------------------------------------------
    def step(self, ix: ArrayLike, state: tuple[ArrayLike, ArrayLike] | None
             ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """One step from int indices ix (N,) and state (h, c) -> (y (V, N), (h, c))."""
        P = self.params
        ix = np.asarray(ix).reshape(-1)
        h, c = self.checked_state(state, len(ix))
        h, c, _ = lstm_step_forward(one_hot(ix, self.vocab_size, self.dtype), h, c, P)
        return P["Why"] @ h + P["by"], (h, c)
