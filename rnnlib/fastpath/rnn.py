"""The fast path of the vanilla RNN: its loss, gradients and last state, fused for speed.

The same numbers as ``rnnlib.RNN.loss_and_grads`` (forward, loss, backward of rnn.py),
computed with the tricks that rnnlib.fastpath lists: every step's h_t as the rows of a
(T, N, H) array, so that the products that do not depend on the recurrence are one product
over all T * N rows; the one-hot product as a pick of columns; only the recurrence as a
Python loop, working in place; and, for N = 1, a path of its own on 1-d vectors.

Shapes: V = vocabulary size, H = hidden size, T = time steps, N = batch. Inputs and targets
are checked ints (T, N), h0 is (H, N); the grads have the keys and shapes of the model's
params: Wxh (H, V), Whh (H, H), Why (V, H), bh (H, 1), by (V, 1).
"""
from __future__ import annotations

import numpy as np

from .common import output_layer, sum_rows_by_index


def rnn_loss_and_grads(P: dict[str, np.ndarray], ix: np.ndarray, tg: np.ndarray,
                       h0: np.ndarray) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
    """RNN loss, grads and h_T from checked inputs and targets (T, N) and h0 (H, N)."""
    if ix.shape[1] == 1:
        return rnn_one_sequence(P, ix[:, 0], tg[:, 0], h0)
    hs = _hidden_states(P, ix, h0)                               # (T, N, H)
    T, N, H = hs.shape
    loss, dWhy, dby, dh_out = output_layer(P["Why"], P["by"], hs.reshape(T * N, H),
                                           tg.ravel(), N)
    dh_raw = dh_out.reshape(T, N, H)                             # becomes dh_raw in place
    through_time(P["Whh"], dh_raw, hs)
    dWxh, dWhh, dbh = _hidden_grads(dh_raw, hs, h0, ix, len(P["Why"]))
    grads = {"Wxh": dWxh, "Whh": dWhh, "Why": dWhy, "bh": dbh, "by": dby}
    return loss, grads, hs[-1].T.copy()


def _hidden_states(P: dict, ix: np.ndarray, h0: np.ndarray) -> np.ndarray:
    """h_t = tanh(Wxh x_t + Whh h_{t-1} + bh) for t = 1..T, as (T, N, H) rows."""
    # Wxh x_t + bh for every step at once: column ix of (Wxh + bh)
    a = np.take(P["Wxh"].T + P["bh"].T, ix, axis=0)              # (T, N, H)
    return tanh_recurrence(a, P["Whh"], h0)


def tanh_recurrence(a: np.ndarray, Whh: np.ndarray, h0: np.ndarray) -> np.ndarray:
    """h_t = tanh(a_t + Whh h_{t-1}) for t = 1..T, in place on (T, N, H) rows.

    ``a`` comes in holding every step's input pre-activation (Wxh x_t + bh, as rows) and
    leaves holding h_t; h0 is (H, N). Returns ``a``.
    """
    WhhT = Whh.T
    h, Whh_h = h0.T, np.empty_like(a[0])                         # (N, H) rows
    for a_t in a:                                                # step t's (N, H) rows
        np.matmul(h, WhhT, out=Whh_h)
        a_t += Whh_h                                             # Wxh x_t + bh + Whh h_{t-1}
        h = np.tanh(a_t, out=a_t)                                # a_t now holds h_t
    return a


def through_time(Whh: np.ndarray, dh_raw: np.ndarray, hs: np.ndarray) -> np.ndarray:
    """The backward time loop on (T, N, H) rows, from step T down to 1.

    ``dh_raw`` comes in holding dh_out and leaves holding dh_raw: at each step
    dh = dh_out + dh_next, dh_raw = (1 - h_t^2) * dh, and dh_next = Whh^T dh_raw.
    Returns dL/dh_0 as (N, H) rows.
    """
    dtanh = np.multiply(hs, hs)
    np.subtract(1, dtanh, out=dtanh)                             # 1 - h_t^2, every step
    dh_next = np.zeros_like(hs[0])
    for t in reversed(range(len(hs))):
        dh = dh_raw[t]
        dh += dh_next                                            # dh_out + dh_next
        dh *= dtanh[t]                                           # now dh_raw_t
        dh_next = dh @ Whh                                       # Whh^T dh_raw, as rows
    return dh_next


def _hidden_grads(dh_raw: np.ndarray, hs: np.ndarray, h0: np.ndarray, ix: np.ndarray,
                  V: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """dWxh, dWhh and dbh from every step's dh_raw ((T, N, H) rows)."""
    T, N, H = dh_raw.shape
    dr2, hs2 = dh_raw.reshape(T * N, H), hs.reshape(T * N, H)
    # sum_t dh_raw_t h_{t-1}^T, where h_0 is h0 and h_{t-1} for t >= 2 is in hs
    dWhh = dr2[N:].T @ hs2[:-N] + dh_raw[0].T @ h0.T
    dWxhT = sum_rows_by_index(dr2, ix.ravel(), V)               # (V, H)
    # every dh_raw_t lands in exactly one column of dWxh, so dbh = sum over those columns
    dbh = dWxhT.sum(axis=0)[:, None]
    return np.ascontiguousarray(dWxhT.T), dWhh, dbh


def rnn_one_sequence(P: dict[str, np.ndarray], ix: np.ndarray, tg: np.ndarray,
                     h0: np.ndarray, out: dict[str, np.ndarray] | None = None
                     ) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
    """The RNN's loss, grads and h_T for N = 1, on 1-d vectors: ix and tg (T,), h0 (H, 1).

    At N = 1 every array is tiny and the cost is the number of numpy calls, so the time
    loops make three each per step (a product, an add, tanh; an add, a multiply, a
    product) and everything else is done once for the whole chunk, as (T, .) rows. The
    gradients go into the arrays of ``out`` if it is given (checked by the caller), else
    into new ones.
    """
    Wxh, Whh, Why = P["Wxh"], P["Whh"], P["Why"]
    T, (H, V) = len(ix), Wxh.shape
    hs = np.empty((T + 1, H), dtype=Why.dtype)                 # row t is h_t, row 0 h_0
    hs[0] = h0[:, 0]
    h = hs[1:]                                                 # (T, H): h_1 .. h_T
    np.add(Wxh.T[ix], P["bh"][:, 0], out=h)                    # first Wxh x_t + bh
    tanh_recurrence_1d(hs, Whh)
    loss, dy, dh = output_rows(Why, P["by"], h, tg)
    through_time_1d(Whh, dh, h)
    if out is None:
        out = {k: np.empty(p.shape, dtype=Why.dtype) for k, p in P.items()}
    grads = out
    np.dot(dh.T, one_hot_rows(ix, V, Why.dtype), grads["Wxh"])
    np.dot(dh.T, hs[:-1], grads["Whh"])
    np.dot(dy.T, h, grads["Why"])
    dh.sum(axis=0, out=grads["bh"][:, 0])
    dy.sum(axis=0, out=grads["by"][:, 0])
    return loss, grads, hs[T:].T.copy()


def tanh_recurrence_1d(hs: np.ndarray, Whh: np.ndarray) -> None:
    """h_t = tanh(a_t + Whh h_{t-1}) for t = 1..T, in place on the rows of hs (T + 1, H):
    row 0 holds h_0, and rows 1..T come in holding a_t (Wxh x_t + bh) and leave holding h_t.
    """
    rows, Whh_h = list(hs), np.empty(hs.shape[1], dtype=hs.dtype)
    dot, tanh = np.dot, np.tanh
    for h_prev, h_t in zip(rows, rows[1:]):                    # (out= given by position:
        h_t += dot(Whh, h_prev, Whh_h)                         #  it is quicker)
        tanh(h_t, h_t)                                         # h_t


def output_rows(Why: np.ndarray, by: np.ndarray, h: np.ndarray, tg: np.ndarray
                ) -> tuple[float, np.ndarray, np.ndarray]:
    """The output layer of one sequence as rows: h (T, H) and targets tg (T,) -> the loss,
    dy = p - onehot(target) (T, V) and dh_out = Why^T dy_t (T, H)."""
    T, V = len(h), len(Why)
    z = np.dot(h, Why.T)                                       # (T, V): y_t as rows
    z += by[:, 0]
    z -= z.max(axis=1, keepdims=True)                          # z = y - max y
    at = np.arange(0, T * V, V) + tg                           # each target in z.flat
    z_target = z.ravel()[at].sum()
    dy = np.exp(z, out=z)
    total = dy.sum(axis=1, keepdims=True)
    loss = float(np.log(total).sum() - z_target)               # log sum exp z - z[target]
    dy /= total                                                # p
    dy.ravel()[at] -= 1                                        # dy = p - onehot(target)
    return loss, dy, np.dot(dy, Why)


def through_time_1d(Whh: np.ndarray, dh: np.ndarray, h: np.ndarray) -> np.ndarray:
    """The backward time loop of one sequence, from step T down to 1: ``dh`` (T, H) comes
    in holding what reaches h_t from outside the recurrence and leaves holding dh_raw_t;
    h (T, H) holds h_1 .. h_T. Returns dL/dh_0 (H,)."""
    dtanh = np.multiply(h, h)
    np.subtract(1, dtanh, out=dtanh)                           # 1 - h_t^2, every step
    dh_next = np.zeros(h.shape[1], dtype=h.dtype)
    dot = np.dot
    for d, dtanh_t in zip(dh[::-1], dtanh[::-1]):              # steps T, T-1, .., 1
        d += dh_next                                           # dh_out + dh_next
        d *= dtanh_t                                           # dh_raw_t
        dot(d, Whh, dh_next)                                   # Whh^T dh_raw_t
    return dh_next


def one_hot_rows(ix: np.ndarray, V: int, dtype: np.dtype) -> np.ndarray:
    """The one-hot inputs x_t as rows, (T, V) from ix (T,), for one product."""
    x = np.zeros((len(ix), V), dtype=dtype)
    x.ravel()[np.arange(0, len(ix) * V, V) + ix] = 1
    return x
