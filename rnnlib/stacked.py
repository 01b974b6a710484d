"""A deeper RNN: L vanilla RNN layers stacked, each reading the hidden states of the one below.

Shapes: V = vocab size, H = hidden size (the same in every layer), T = time steps,
N = batch (sequences as columns), L = number of layers. Layer l = 0 .. L-1 runs

    h_t^0 = tanh(Wxh0 x_t       + Whh0 h_{t-1}^0 + bh0)         x_t one-hot (V, N)
    h_t^l = tanh(Wxh{l} h_t^{l-1} + Whh{l} h_{t-1}^l + bh{l})    for l >= 1
    y_t = Why h_t^{L-1} + by        p_t = softmax(y_t)

so only the top layer feeds the output. The state is (L, H, N): one (H, N) column matrix
per layer. Per-layer hidden states are kept as (L, T, H, N), so ``hs_by_layer[l, t]`` is
h_{t+1}^l. With L = 1 this is :class:`rnnlib.RNN` with the names Wxh0, Whh0, bh0.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import float_dtype, index_array, positive_int
from .rnn import RNN, _cols, _softmax_layer, _softmax_layer_grads, _sum_rows_by_index


def layer_count(value) -> int:
    """num_layers as an int, or a clear error: it must be a whole number >= 1."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"num_layers must be a whole number of layers, at least 1 (1 is the "
                         f"plain RNN), got {value!r}; pass e.g. num_layers=2.")
    return int(value)


class StackedCache(NamedTuple):
    """Everything the forward pass computed, kept for the backward pass and for plots."""
    inputs: np.ndarray       # (T, N) int: the characters fed in
    h_prev: np.ndarray       # (L, H, N): each layer's h_0
    hs_by_layer: np.ndarray  # (L, T, H, N): h_t of every layer, t = 1..T
    ys: np.ndarray           # (T, V, N): logits of the top layer's output
    ps: np.ndarray           # (T, V, N): softmax probabilities
    logps: np.ndarray        # (T, V, N): log p

    hs = property(lambda self: self.hs_by_layer[-1],
                  doc="h_t of the top layer, (T, H, N): RNNCache's name, for plots.")
    h_last = property(lambda self: self.hs_by_layer[:, -1],
                      doc="h_T of every layer, (L, H, N): the state for the next chunk.")


class StackedBackwardTrace(NamedTuple):
    """Per-layer, per-step quantities of the backward pass."""
    dys: np.ndarray      # (T, V, N): dL/dy_t
    dh: np.ndarray       # (L, T, H, N): dL/dh_t^l, from above (or the output) and from t+1
    dh_raw: np.ndarray   # (L, T, H, N): (1 - (h_t^l)^2) * dh, the gradient before tanh


class StackedBackward(NamedTuple):
    grads: dict              # same keys and shapes as params
    dh_prev: np.ndarray      # (L, H, N): dL/dh_0 of every layer
    trace: StackedBackwardTrace | None


class StackedRNN:
    """L vanilla RNN layers with one softmax output layer on top.

    params: for each layer l, ``Wxh{l}`` ((H, V) for l = 0, else (H, H)), ``Whh{l}`` (H, H),
    ``bh{l}`` (H, 1); then ``Why`` (V, H) and ``by`` (V, 1). Initialised like min-char-rnn
    (randn * 0.01, zero biases).
    """

    def __init__(self, vocab_size: int, hidden_size: int, num_layers: int,
                 seed: int | None = None, dtype=np.float64):
        V = positive_int("vocab_size", vocab_size)
        H = positive_int("hidden_size", hidden_size)
        L = layer_count(num_layers)
        dt = float_dtype(dtype)
        rng = np.random.default_rng(seed)
        randn = lambda *shape: (rng.standard_normal(shape) * 0.01).astype(dt)
        self.params: dict[str, np.ndarray] = {}
        for l in range(L):
            self.params[f"Wxh{l}"] = randn(H, V if l == 0 else H)
            self.params[f"Whh{l}"] = randn(H, H)
            self.params[f"bh{l}"] = np.zeros((H, 1), dtype=dt)
        self.params["Why"] = randn(V, H)
        self.params["by"] = np.zeros((V, 1), dtype=dt)

    @property
    def vocab_size(self) -> int:
        return self.params["Why"].shape[0]

    @property
    def hidden_size(self) -> int:
        return self.params["Why"].shape[1]

    @property
    def num_layers(self) -> int:
        return sum(1 for k in self.params if k.startswith("Whh"))

    @property
    def dtype(self) -> np.dtype:
        return self.params["Why"].dtype

    def __repr__(self) -> str:
        return (f"StackedRNN(vocab_size={self.vocab_size}, hidden_size={self.hidden_size}, "
                f"num_layers={self.num_layers}, dtype={self.dtype})")

    def initial_state(self, n: int = 1) -> np.ndarray:
        """h_0 = 0 in every layer, shape (L, H, n)."""
        return np.zeros((self.num_layers, self.hidden_size, n), dtype=self.dtype)

    def _state(self, h_prev, n: int) -> np.ndarray:
        """Check a state argument: None (zeros) or (L, H, n); (L, H, 1) is repeated n times."""
        L, H = self.num_layers, self.hidden_size
        if h_prev is None:
            return self.initial_state(n)
        arr = np.asarray(h_prev, dtype=self.dtype)
        if arr.ndim == 2:
            raise ValueError(
                f"h_prev has shape {arr.shape}, one layer's state (H, N), but this "
                f"StackedRNN has {L} layers and needs (L, H, N) = ({L}, {H}, {n}): stack one "
                f"(H, N) state per layer, e.g. np.zeros(({L}, {H}, {n})), or pass None to "
                f"start from zeros.")
        if arr.shape == (L, H, 1) and n > 1:
            arr = np.repeat(arr, n, axis=2)
        if arr.shape != (L, H, n):
            raise ValueError(f"h_prev must have shape (L, H, N) = ({L}, {H}, {n}) = "
                             f"(num_layers, hidden_size, batch), got {arr.shape}; pass None "
                             f"to start from zeros.")
        return arr

    # ---- forward -----------------------------------------------------------------
    def forward(self, inputs, h_prev=None) -> StackedCache:
        """Run T steps through every layer. inputs (T,) or (T, N); h_prev (L, H, N) or None."""
        P = self.params
        ix = index_array("inputs", inputs, self.vocab_size)
        T, N = ix.shape
        h0 = self._state(h_prev, N)
        hs = np.empty((self.num_layers, T, self.hidden_size, N), dtype=self.dtype)
        for l in range(self.num_layers):
            Wxh, Whh, bh = P[f"Wxh{l}"], P[f"Whh{l}"], P[f"bh{l}"]
            # what layer l sees at every step: characters (l = 0) or the layer below's h
            a = Wxh[:, ix].transpose(1, 0, 2) if l == 0 else Wxh @ hs[l - 1]   # (T, H, N)
            h = h0[l]
            for t in range(T):
                h = hs[l, t] = np.tanh(a[t] + Whh @ h + bh)
        ys, ps, logps = _softmax_layer(hs[-1].transpose(0, 2, 1), P["Why"], P["by"])
        return StackedCache(ix, h0, hs, _cols(ys), _cols(ps), _cols(logps))

    # the output layer is the RNN's, so the loss and its target checks are too
    loss = RNN.loss
    _targets = RNN._targets

    # ---- backward ----------------------------------------------------------------
    def backward(self, cache: StackedCache, targets, trace: bool = False) -> StackedBackward:
        """Backpropagation through time and down through the layers, top layer first.

        Layer l's dh_t is what reaches h_t^l from above (Why^T dy_t for the top layer,
        Wxh{l+1}^T dh_raw_t^{l+1} otherwise) plus dh_next from step t+1 of the same layer.
        """
        P = self.params
        tg = self._targets(targets, cache.inputs)
        T, N = tg.shape
        L, H, V = self.num_layers, self.hidden_size, self.vocab_size
        hs = cache.hs_by_layer
        dys, dWhy, dby, dh_out = _softmax_layer_grads(
            cache.ps.transpose(0, 2, 1), tg, hs[-1].transpose(0, 2, 1), P["Why"])
        grads = {}
        dh_all, dh_raw_all = np.empty_like(hs), np.empty_like(hs)
        dh_prev = np.empty_like(cache.h_prev)
        dh_from_above = _cols(dh_out)                                # (T, H, N)
        for l in reversed(range(L)):
            Whh = P[f"Whh{l}"]
            dh_raw = dh_raw_all[l]
            dh_next = np.zeros((H, N), dtype=self.dtype)
            for t in reversed(range(T)):
                dh = dh_all[l, t] = dh_from_above[t] + dh_next
                dh_raw[t] = (1 - hs[l, t] ** 2) * dh
                dh_next = Whh.T @ dh_raw[t]
            dh_prev[l] = dh_next
            h_before = np.concatenate([cache.h_prev[l][None], hs[l, :-1]])  # (T, H, N)
            grads[f"Whh{l}"] = np.tensordot(dh_raw, h_before, axes=([0, 2], [0, 2]))
            grads[f"bh{l}"] = dh_raw.sum(axis=(0, 2))[:, None]
            if l == 0:                       # sum_t dh_raw_t x_t^T with one-hot x_t
                rows = dh_raw.transpose(0, 2, 1).reshape(T * N, H)
                grads["Wxh0"] = np.ascontiguousarray(
                    _sum_rows_by_index(rows, cache.inputs.ravel(), V).T)
            else:                            # the input of layer l is h^{l-1}
                grads[f"Wxh{l}"] = np.tensordot(dh_raw, hs[l - 1], axes=([0, 2], [0, 2]))
                dh_from_above = P[f"Wxh{l}"].T @ dh_raw                # (T, H, N)
        grads["Why"], grads["by"] = dWhy, dby
        grads = {k: grads[k] for k in P}                             # the params' order
        tr = StackedBackwardTrace(_cols(dys), dh_all, dh_raw_all) if trace else None
        return StackedBackward(grads, dh_prev, tr)

    def loss_and_grads(self, inputs, targets, h_prev=None):
        """Like ``RNN.loss_and_grads``: returns (loss, grads, h_last (L, H, N))."""
        cache = self.forward(inputs, h_prev)
        loss = self.loss(cache, targets)
        back = self.backward(cache, targets)
        return loss, back.grads, cache.h_last.copy()

    # ---- one step, for sampling --------------------------------------------------
    def step(self, ix, h):
        """One step from int indices ix (N,) and state h (L, H, N) -> (y (V, N), h_next)."""
        P = self.params
        ix = np.asarray(ix).reshape(-1)
        h = self._state(h, len(ix))
        h_next = np.empty_like(h)
        below = None
        for l in range(self.num_layers):
            into = P["Wxh0"][:, ix] if l == 0 else P[f"Wxh{l}"] @ below
            below = h_next[l] = np.tanh(into + P[f"Whh{l}"] @ h[l] + P[f"bh{l}"])
        return P["Why"] @ below + P["by"], h_next
