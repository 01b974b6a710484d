"""The LSTM: a character model whose memory is a cell state updated by addition.

Shapes: V = vocab size, H = hidden size, T = time steps, N = batch (sequences as columns).
Inputs and targets are int arrays (T,) or (T, N) and the interface is :class:`rnnlib.RNN`'s,
so ``Trainer``, ``sample``, ``prime`` and ``check_model`` use it unchanged; the one
difference is the state, the pair (h, c), each (H, N). As in rnn.py, per-step arrays are
stored (T, N, K) and the cache shows them as (T, K, N) column views.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import float_dtype, index_array, positive_int, state_array
from .rnn import RNN, _cols, _softmax_layer, _softmax_layer_grads, _sum_rows_by_index

PARAM_NAMES = ("Wx", "Wh", "b", "Why", "by")
GATES = ("i", "f", "o", "g")   # the order of the four row blocks of Wx, Wh and b


def sigmoid(a: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-a)), written as 0.5 (1 + tanh(a / 2)): the same function, but it
    never overflows for large negative a."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))


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

    hs = property(lambda self: self.h, doc="h_t, (T, H, N): RNNCache's name, for plots.")

    @property
    def xs(self) -> np.ndarray:
        """The one-hot inputs x_t, shape (T, V, N) (built on demand)."""
        T, N = self.inputs.shape
        x = np.zeros((T, self.ps.shape[1], N), dtype=self.ps.dtype)
        t, n = np.indices((T, N))
        x[t, self.inputs, n] = 1
        return x

    h_last = property(lambda self: self.h[-1], doc="h_T, shape (H, N).")
    c_last = property(lambda self: self.c[-1], doc="c_T, shape (H, N).")


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


class LSTM:
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

    Equations
    ---------
    One stacked pre-activation, split into four blocks of H rows::

        a_t = Wx x_t + Wh h_{t-1} + b                     (4H, N)
        i = sigmoid(a_t[0:H])      f = sigmoid(a_t[H:2H])
        o = sigmoid(a_t[2H:3H])    g = tanh(a_t[3H:4H])
        c_t = f * c_{t-1} + i * g
        h_t = o * tanh(c_t)
        y_t = Why h_t + by         p_t = softmax(y_t)
        loss = sum_t -log p_t[target_t]   (averaged over the batch)

    Backward, from the last step to the first (``*`` is elementwise)::

        dh_t = Why^T dy_t + dh_next          dc_t = dc_next + dh_t * o * (1 - tanh(c_t)^2)
        di = dc_t * g    df = dc_t * c_{t-1}    do = dh_t * tanh(c_t)    dg = dc_t * i
        da_t = [di * i(1-i); df * f(1-f); do * o(1-o); dg * (1-g^2)]
        dWx += da_t x_t^T    dWh += da_t h_{t-1}^T    db += da_t
        dh_next = Wh^T da_t           dc_next = f * dc_t      (both sent to step t-1)
    """

    def __init__(self, vocab_size: int, hidden_size: int, seed: int | None = None,
                 dtype=np.float64):
        V = positive_int("vocab_size", vocab_size)
        H = positive_int("hidden_size", hidden_size)
        dt = float_dtype(dtype)
        rng = np.random.default_rng(seed)
        self.params: dict[str, np.ndarray] = {
            "Wx": (rng.standard_normal((4 * H, V)) * 0.01).astype(dt),
            "Wh": (rng.standard_normal((4 * H, H)) * 0.01).astype(dt),
            "b": np.zeros((4 * H, 1), dtype=dt),
            "Why": (rng.standard_normal((V, H)) * 0.01).astype(dt),
            "by": np.zeros((V, 1), dtype=dt),
        }

    # sizes are read off the parameters, so a learner may replace them freely
    @property
    def vocab_size(self) -> int:
        return self.params["Why"].shape[0]

    @property
    def hidden_size(self) -> int:
        return self.params["Why"].shape[1]

    @property
    def dtype(self) -> np.dtype:
        return self.params["Wh"].dtype

    def __repr__(self) -> str:
        return (f"LSTM(vocab_size={self.vocab_size}, hidden_size={self.hidden_size}, "
                f"dtype={self.dtype})")

    def initial_state(self, n: int = 1) -> tuple[np.ndarray, np.ndarray]:
        """(h_0, c_0) = (0, 0), each (H, n)."""
        return tuple(np.zeros((self.hidden_size, n), dtype=self.dtype) for _ in "hc")

    def _state(self, h_prev, n: int) -> tuple[np.ndarray, np.ndarray]:
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

    # ---- forward -----------------------------------------------------------------
    def forward(self, inputs, h_prev=None) -> LSTMCache:
        """Run T steps. inputs (T,) or (T, N) ints; h_prev the pair (h, c) or None."""
        P = self.params
        ix = index_array("inputs", inputs, self.vocab_size)
        T, N = ix.shape
        H = self.hidden_size
        h0, c0 = self._state(h_prev, N)

        # Wx x_t + b for every step at once: pick the columns of Wx, as rows
        a = np.take(P["Wx"].T, ix, axis=0)                          # (T, N, 4H)
        a += P["b"].T
        WhT = P["Wh"].T
        # i, f, o are adjacent blocks, so one sigmoid call computes all three
        ifo = np.empty((T, N, 3 * H), dtype=self.dtype)
        g, c, h = (np.empty((T, N, H), dtype=self.dtype) for _ in range(3))
        h_t, c_t = h0.T, c0.T                                        # (N, H) rows
        for t in range(T):
            a_t = a[t]
            a_t += h_t @ WhT                                         # (N, 4H)
            ifo[t] = sigmoid(a_t[:, :3 * H])
            g[t] = np.tanh(a_t[:, 3 * H:])
            i_t, f_t, o_t = ifo[t, :, :H], ifo[t, :, H:2 * H], ifo[t, :, 2 * H:]
            c_t = c[t] = f_t * c_t + i_t * g[t]                      # the additive path
            h_t = h[t] = o_t * np.tanh(c_t)
        i, f, o = ifo[:, :, :H], ifo[:, :, H:2 * H], ifo[:, :, 2 * H:]
        ys, ps, logps = _softmax_layer(h, P["Why"], P["by"])
        return LSTMCache(ix, h0, c0, *(_cols(x) for x in (i, f, o, g, c, h, ys, ps, logps)))

    # the output layer is the RNN's, so the loss and its target checks are too
    loss = RNN.loss
    _targets = RNN._targets

    # ---- backward ----------------------------------------------------------------
    def backward(self, cache: LSTMCache, targets, trace: bool = False) -> LSTMBackward:
        """Backpropagation through time over the chunk in ``cache``.

        Returns the parameter gradients, dL/dh_0, dL/dc_0 and, with ``trace=True``, the
        per-step dy, dh_next, dh, dc_next, dc and da.
        """
        P = self.params
        tg = self._targets(targets, cache.inputs)
        T, N = tg.shape
        H, V = self.hidden_size, self.vocab_size
        rows = lambda x: x.transpose(0, 2, 1)                        # (T, K, N) -> (T, N, K)
        i, f, o, g, c, h = (rows(x) for x in (cache.i, cache.f, cache.o, cache.g,
                                              cache.c, cache.h))
        h2 = h.reshape(T * N, H)
        dys, dWhy, dby, dh_out = _softmax_layer_grads(rows(cache.ps), tg, h, P["Why"])

        # every factor that does not depend on the gradient, for all steps at once
        tanh_c = np.tanh(c)
        c_before = np.concatenate([cache.c_prev.T[None], c[:-1]])    # c_{t-1}: (T, N, H)
        dc_from_h = o * (1 - tanh_c ** 2)                            # dc_t / dh_t
        da_i = g * i * (1 - i)                                       # da_i / dc_t
        da_f = c_before * f * (1 - f)                                # da_f / dc_t
        da_o = tanh_c * o * (1 - o)                                  # da_o / dh_t
        da_g = i * (1 - g ** 2)                                      # da_g / dc_t
        da = np.empty((T, N, 4 * H), dtype=self.dtype)
        if trace:
            dh_all, dc_all, dh_next_all, dc_next_all = (np.empty_like(dh_out) for _ in "1234")
        dh_next = np.zeros((N, H), dtype=self.dtype)
        dc_next = np.zeros((N, H), dtype=self.dtype)
        Wh = P["Wh"]
        for t in reversed(range(T)):
            dh = dh_out[t] + dh_next
            # c_t reaches the loss through h_t = o tanh(c_t) and through c_{t+1}
            dc = dc_next + dh * dc_from_h[t]
            np.multiply(dc, da_i[t], out=da[t, :, :H])
            np.multiply(dc, da_f[t], out=da[t, :, H:2 * H])
            np.multiply(dh, da_o[t], out=da[t, :, 2 * H:3 * H])
            np.multiply(dc, da_g[t], out=da[t, :, 3 * H:])
            if trace:
                dh_next_all[t], dc_next_all[t], dh_all[t], dc_all[t] = dh_next, dc_next, dh, dc
            dh_next = da[t] @ Wh                                     # Wh^T da_t, as rows
            dc_next = dc * f[t]                                      # the additive path back

        da2 = da.reshape(T * N, 4 * H)
        # sum_t da_t h_{t-1}^T, where h_0 is h_prev and h_{t-1} for t >= 2 is in h
        # one gate block at a time: four small products run far faster than one big one
        # in OpenBLAS, which splits the big one across threads that cost more than they save
        dWh = np.empty_like(Wh)
        for k in range(4):
            rows_k = slice(k * H, (k + 1) * H)
            dWh[rows_k] = da2[N:, rows_k].T @ h2[:-N] + da[0, :, rows_k].T @ cache.h_prev.T
        db = da2.sum(axis=0)[:, None]
        # sum_t da_t x_t^T for one-hot x_t: add each row of da into its character's column
        dWx = np.ascontiguousarray(_sum_rows_by_index(da2, cache.inputs.ravel(), V).T)
        grads = {"Wx": dWx, "Wh": dWh, "b": db, "Why": dWhy, "by": dby}

        tr = None
        if trace:
            tr = LSTMBackwardTrace(*(_cols(x) for x in (dys, dh_next_all, dh_all,
                                                        dc_next_all, dc_all, da)))
        return LSTMBackward(grads, dh_next.T, dc_next.T, tr)

    def loss_and_grads(self, inputs, targets, h_prev=None):
        """Like ``RNN.loss_and_grads``: returns (loss, grads, (h_last, c_last)).

        h_prev is the pair (h, c), each (H, N), or None for zeros; the returned pair is
        the state to pass as ``h_prev`` of the next chunk.
        """
        cache = self.forward(inputs, h_prev)
        loss = self.loss(cache, targets)
        back = self.backward(cache, targets)
        return loss, back.grads, (cache.h_last.copy(), cache.c_last.copy())

    # ---- one step, for sampling --------------------------------------------------
    def step(self, ix, state):
        """One step from int indices ix (N,) and state (h, c) -> (y (V, N), (h, c))."""
        P = self.params
        H = self.hidden_size
        h, c = self._state(state, len(np.atleast_1d(ix)))
        a = P["Wx"][:, ix] + P["Wh"] @ h + P["b"]                   # (4H, N)
        i, f, o = sigmoid(a[:H]), sigmoid(a[H:2 * H]), sigmoid(a[2 * H:3 * H])
        g = np.tanh(a[3 * H:])
        c = f * c + i * g
        h = o * np.tanh(c)
        return P["Why"] @ h + P["by"], (h, c)
