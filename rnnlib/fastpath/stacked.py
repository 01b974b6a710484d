"""The fast path of the stacked RNN: its loss, gradients and last state, fused for speed.

The same numbers as ``rnnlib.StackedRNN.loss_and_grads`` (the step loops of stacked.py),
computed a layer at a time with the RNN's fused pieces (fastpath.rnn): every step's h_t^l
as the rows of a (T, N, H) array, so that what does not depend on the recurrence is one
product over all T * N rows. Layer 0's input Wxh0 x_t + bh0 is a pick of columns; layer
l >= 1 reads the whole (T, N, H) output of layer l - 1 in one product, Wxh{l} h_t^{l-1} +
bh{l} for every step at once; only the recurrence of each layer is a Python loop. Backward,
the top layer first: each layer's time loop turns the gradient reaching its h_t into
dh_raw, whose products give dWxh{l} and dWhh{l} and, through Wxh{l}, the gradient reaching
the layer below, again one product each. For N = 1 a path of its own works on 1-d vectors
with the loops of ``rnn_one_sequence``, as the RNN's does.

Shapes: V = vocabulary size, H = hidden size (every layer's), T = time steps, N = batch,
L = number of layers. Inputs and targets are checked ints (T, N), the start state h0 is
(L, H, N) and so is the returned h_T; the grads have the keys and shapes of the model's
params: Wxh0 (H, V), Wxh{l} (H, H) for l >= 1, Whh{l} (H, H), bh{l} (H, 1), Why (V, H),
by (V, 1).
"""
from __future__ import annotations

import numpy as np

from .common import output_layer, sum_rows_by_index
from .rnn import (one_hot_rows, output_rows, tanh_recurrence, tanh_recurrence_1d,
                  through_time, through_time_1d)


def stacked_loss_and_grads(P: dict[str, np.ndarray], ix: np.ndarray, tg: np.ndarray,
                           h0: np.ndarray) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
    """Stacked RNN loss, grads and h_T (L, H, N) from checked inputs and targets (T, N) and
    the start state h0 (L, H, N)."""
    L, H, N = h0.shape
    if N == 1:
        return stacked_one_sequence(P, ix[:, 0], tg[:, 0], h0)
    T, V = len(ix), len(P["Why"])
    # forward, a layer at a time: hs[l, t] holds h_t^l as (N, H) rows, t = 0..T
    hs = np.empty((L, T + 1, N, H), dtype=P["Why"].dtype)
    hs[:, 0] = h0.transpose(0, 2, 1)
    rows = hs.reshape(L, (T + 1) * N, H)                        # the same, as (T + 1) * N rows
    np.take(P["Wxh0"].T + P["bh0"].T, ix, axis=0, out=hs[0, 1:])  # Wxh0 x_t + bh0
    tanh_recurrence(hs[0, 1:], P["Whh0"], h0[0])
    for l in range(1, L):
        a = rows[l, N:]                                         # (T * N, H): steps 1..T
        np.matmul(rows[l - 1, N:], P[f"Wxh{l}"].T, out=a)      # Wxh{l} h_t^{l-1}, every step
        a += P[f"bh{l}"].T
        tanh_recurrence(hs[l, 1:], P[f"Whh{l}"], h0[l])

    loss, dWhy, dby, dh_out = output_layer(P["Why"], P["by"], rows[-1, N:], tg.ravel(), N)
    grads = {"Why": dWhy, "by": dby}
    # backward, the top layer first: dh_raw comes into layer l holding what reaches h_t^l
    # from above (Why^T dy_t for the top layer), as T * N rows, and the layer's time loop
    # turns it into dh_raw in place
    dh_raw = dh_out
    for l in reversed(range(L)):
        through_time(P[f"Whh{l}"], dh_raw.reshape(T, N, H), hs[l, 1:])
        grads[f"Whh{l}"] = dh_raw.T @ rows[l, :-N]              # sum_t dh_raw_t h_{t-1}^T
        if l > 0:
            grads[f"Wxh{l}"] = dh_raw.T @ rows[l - 1, N:]       # sum_t dh_raw_t h_t^{l-1}^T
            grads[f"bh{l}"] = dh_raw.sum(axis=0)[:, None]
            dh_raw = dh_raw @ P[f"Wxh{l}"]                      # Wxh{l}^T dh_raw_t, as rows
    # layer 0 read one-hot x_t: each row of dh_raw adds into its character's column
    dWxh0T = sum_rows_by_index(dh_raw, ix.ravel(), V)           # (V, H)
    grads["Wxh0"] = np.ascontiguousarray(dWxh0T.T)
    grads["bh0"] = dWxh0T.sum(axis=0)[:, None]                  # every row is in one column
    return loss, {k: grads[k] for k in P}, hs[:, -1].transpose(0, 2, 1).copy()


def stacked_one_sequence(P: dict[str, np.ndarray], ix: np.ndarray, tg: np.ndarray,
                         h0: np.ndarray, out: dict[str, np.ndarray] | None = None
                         ) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
    """The stacked RNN's loss, grads and h_T (L, H, 1) for N = 1, on 1-d vectors: ix and tg
    (T,), h0 (L, H, 1).

    At N = 1 the cost is the number of numpy calls, so each layer's time loops are those of
    ``rnn_one_sequence`` (three calls per step) and the rest is done once per layer on
    (T, H) rows. The gradients go into the arrays of ``out`` if it is given (checked by the
    caller), else into new ones.
    """
    L, H, _ = h0.shape
    T, V = len(ix), len(P["Why"])
    hs = np.empty((L, T + 1, H), dtype=P["Why"].dtype)         # hs[l, t] is h_t^l, t = 0..T
    hs[:, 0] = h0[:, :, 0]
    np.add(P["Wxh0"].T[ix], P["bh0"][:, 0], out=hs[0, 1:])     # Wxh0 x_t + bh0
    tanh_recurrence_1d(hs[0], P["Whh0"])
    for l in range(1, L):
        np.dot(hs[l - 1, 1:], P[f"Wxh{l}"].T, hs[l, 1:])          # Wxh{l} h_t^{l-1}
        hs[l, 1:] += P[f"bh{l}"][:, 0]
        tanh_recurrence_1d(hs[l], P[f"Whh{l}"])

    loss, dy, dh = output_rows(P["Why"], P["by"], hs[-1, 1:], tg)
    if out is None:
        out = {k: np.empty(p.shape, dtype=hs.dtype) for k, p in P.items()}
    grads = out
    np.dot(dy.T, hs[-1, 1:], grads["Why"])
    dy.sum(axis=0, out=grads["by"][:, 0])
    for l in reversed(range(L)):                                # dh becomes dh_raw in place
        through_time_1d(P[f"Whh{l}"], dh, hs[l, 1:])
        below = one_hot_rows(ix, V, hs.dtype) if l == 0 else hs[l - 1, 1:]
        np.dot(dh.T, below, grads[f"Wxh{l}"])
        np.dot(dh.T, hs[l, :-1], grads[f"Whh{l}"])             # sum_t dh_raw_t h_{t-1}^T
        dh.sum(axis=0, out=grads[f"bh{l}"][:, 0])
        if l > 0:
            dh = np.dot(dh, P[f"Wxh{l}"])                         # Wxh{l}^T dh_raw_t, rows
    return loss, grads, hs[:, -1, :, None].copy()
