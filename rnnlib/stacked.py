"""A deeper RNN: L vanilla RNN layers stacked, each reading the hidden states of the one below.

Shapes: V = vocabulary size, H = hidden size (the same in every layer), T = time steps,
N = batch (sequences side by side as columns), L = number of layers. Layer l = 0 .. L-1 runs

    h_t^0 = tanh(Wxh0 x_t       + Whh0 h_{t-1}^0 + bh0)         x_t one-hot (V, N)
    h_t^l = tanh(Wxh{l} h_t^{l-1} + Whh{l} h_{t-1}^l + bh{l})    for l >= 1
    y_t = Why h_t^{L-1} + by        p_t = softmax(y_t)

so only the top layer feeds the output. Each layer is the step pair of :mod:`rnnlib.rnn`
(``rnn_step_forward`` / ``rnn_step_backward``), reading one-hot columns in layer 0 and the
layer below's h_t above it; the output layer is :mod:`rnnlib.output`'s. The state is
(L, H, N): one (H, N) column matrix per layer. Per-layer hidden states are kept as
(L, T, H, N), so ``hs_by_layer[l, t]`` is h_{t+1}^l. With L = 1 this is :class:`rnnlib.RNN`
with the names Wxh0, Whh0, bh0.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from ._checks import positive_int
from .functional import one_hot
from .model import CharModel, init_params
from .output import output_backward, output_forward
from .rnn import RNNStepCache, rnn_step_backward, rnn_step_forward


def layer_count(value: int) -> int:
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

    @property
    def hs(self) -> np.ndarray:
        """h_t of the top layer, (T, H, N): RNNCache's name, for plots."""
        return self.hs_by_layer[-1]

    @property
    def h_last(self) -> np.ndarray:
        """h_T of every layer, (L, H, N): the state for the next chunk."""
        return self.hs_by_layer[:, -1]

    @property
    def xs(self) -> np.ndarray:
        """The one-hot inputs x_t of layer 0, shape (T, V, N) (built on demand)."""
        return one_hot(self.inputs, self.ps.shape[1], self.ps.dtype)


class StackedBackwardTrace(NamedTuple):
    """Per-layer, per-step quantities of the backward pass."""
    dys: np.ndarray      # (T, V, N): dL/dy_t
    dh: np.ndarray       # (L, T, H, N): dL/dh_t^l, from above (or the output) and from t+1
    dh_raw: np.ndarray   # (L, T, H, N): (1 - (h_t^l)^2) * dh, the gradient before tanh


class StackedBackward(NamedTuple):
    grads: dict              # same keys and shapes as params
    dh_prev: np.ndarray      # (L, H, N): dL/dh_0 of every layer
    trace: StackedBackwardTrace | None


class StackedRNN(CharModel):
    """L vanilla RNN layers with one softmax output layer on top.

    params: for each layer l, ``Wxh{l}`` ((H, V) for l = 0, else (H, H)), ``Whh{l}`` (H, H),
    ``bh{l}`` (H, 1); then ``Why`` (V, H) and ``by`` (V, 1). Initialised like min-char-rnn
    (randn * 0.01, zero biases).
    """

    def __init__(self, vocab_size: int, hidden_size: int, num_layers: int,
                 seed: int | None = None, dtype: DTypeLike = np.float64) -> None:
        V = positive_int("vocab_size", vocab_size)
        H = positive_int("hidden_size", hidden_size)
        L = layer_count(num_layers)
        shapes: dict[str, tuple[int, ...]] = {}
        for l in range(L):
            shapes[f"Wxh{l}"] = (H, V if l == 0 else H)
            shapes[f"Whh{l}"] = (H, H)
            shapes[f"bh{l}"] = (H, 1)
        shapes["Why"], shapes["by"] = (V, H), (V, 1)
        self.params: dict[str, np.ndarray] = init_params(shapes, seed, dtype)

    @property
    def num_layers(self) -> int:
        """L, the number of layers: one Whh per layer."""
        return sum(1 for k in self.params if k.startswith("Whh"))

    def _sizes(self) -> str:
        return f"{super()._sizes()}, num_layers={self.num_layers}"

    def layer_params(self, l: int) -> dict[str, np.ndarray]:
        """Layer l's weights under the names of :func:`rnnlib.rnn.rnn_step_forward`:
        ``Wxh`` (``Wxh{l}``), ``Whh`` and ``bh``, the arrays themselves (not copies)."""
        return {name: self.params[f"{name}{l}"] for name in ("Wxh", "Whh", "bh")}

    # ---- the state is (L, H, N) --------------------------------------------------------
    def initial_state(self, n: int = 1) -> np.ndarray:
        """h_0 = 0 in every layer, shape (L, H, n)."""
        return np.zeros((self.num_layers, self.hidden_size, n), dtype=self.dtype)

    def checked_state(self, h_prev: Any, n: int) -> np.ndarray:
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

    # ---- forward -----------------------------------------------------------------------
    def forward(self, inputs: ArrayLike, h_prev: ArrayLike | None = None) -> StackedCache:
        """Run T steps through every layer. inputs (T,) or (T, N); h_prev (L, H, N) or None."""
        P = self.params
        ix = self._inputs(inputs)
        T, N = ix.shape
        h0 = self.checked_state(h_prev, N)
        hs = np.empty((self.num_layers, T, self.hidden_size, N), dtype=self.dtype)
        below = one_hot(ix, self.vocab_size, self.dtype)            # (T, V, N): layer 0 reads x_t
        for l in range(self.num_layers):
            layer, h = self.layer_params(l), h0[l]
            for t in range(T):
                h, _ = rnn_step_forward(below[t], h, layer)
                hs[l, t] = h
            below = hs[l]                                           # what layer l + 1 reads
        out = output_forward(hs[-1], P["Why"], P["by"])             # the top layer only
        return StackedCache(ix, h0, hs, out.y, out.p, out.logp)

    # ---- backward ----------------------------------------------------------------------
    def backward(self, cache: StackedCache, targets: ArrayLike,
                 trace: bool = False) -> StackedBackward:
        """Backpropagation through time and down through the layers, top layer first.

        Layer l's dh_t is what reaches h_t^l from above (Why^T dy_t for the top layer,
        Wxh{l+1}^T dh_raw_t^{l+1} otherwise) plus dh_next from step t+1 of the same layer.
        """
        P = self.params
        tg = self._targets(targets, cache.inputs)
        hs = cache.hs_by_layer
        L, T, H, N = hs.shape
        out = output_backward(cache.ps, tg, cache.hs, P["Why"])     # dy_t and Why^T dy_t
        grads = {name: np.zeros_like(p) for name, p in P.items()}
        grads["Why"], grads["by"] = out.dWhy, out.dby
        dh_all, dh_raw_all = np.empty_like(hs), np.empty_like(hs)
        dh_prev = np.empty_like(cache.h_prev)
        dh_from_above = out.dh                                      # (T, H, N), into the top layer
        for l in reversed(range(L)):
            layer = self.layer_params(l)
            below = cache.xs if l == 0 else hs[l - 1]               # what layer l read: (T, ., N)
            h_before = np.concatenate([cache.h_prev[l][None], hs[l, :-1]])  # h_{t-1}^l
            dh_next = np.zeros((H, N), dtype=self.dtype)            # nothing after step T
            for t in reversed(range(T)):
                dh = dh_all[l, t] = dh_from_above[t] + dh_next      # dL/dh_t^l
                step = RNNStepCache(below[t], h_before[t], hs[l, t], layer["Wxh"], layer["Whh"])
                step_grads, dh_next = rnn_step_backward(dh, step)
                for name, grad in step_grads.items():               # sums over time
                    grads[f"{name}{l}"] += grad
                dh_raw_all[l, t] = (1 - hs[l, t] ** 2) * dh         # for the layer below
            dh_prev[l] = dh_next
            if l > 0:                        # layer l read h^{l-1} through Wxh{l}
                dh_from_above = P[f"Wxh{l}"].T @ dh_raw_all[l]      # (T, H, N)
        tr = StackedBackwardTrace(out.dy, dh_all, dh_raw_all) if trace else None
        return StackedBackward(grads, dh_prev, tr)

    # ---- one step, for sampling --------------------------------------------------------
    def step(self, ix: ArrayLike, h: ArrayLike | None) -> tuple[np.ndarray, np.ndarray]:
        """One step from int indices ix (N,) and state h (L, H, N) -> (y (V, N), h_next)."""
        P = self.params
        ix = np.asarray(ix).reshape(-1)
        h = self.checked_state(h, len(ix))
        h_next = np.empty_like(h)
        below = one_hot(ix, self.vocab_size, self.dtype)            # (V, N)
        for l in range(self.num_layers):
            below, _ = rnn_step_forward(below, h[l], self.layer_params(l))
            h_next[l] = below
        return P["Why"] @ below + P["by"], h_next
