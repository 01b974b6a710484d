"""Private helpers that lstm.py, gru.py and stacked.py imported from rnn.py before they were
rewritten on rnnlib.output and the step pairs. rnn.py re-exports them until then; once no
module imports them, delete this file and that import at the end of rnn.py.

Shapes: V = vocabulary size, H = hidden size, T = time steps, N = batch; these work on
batch-major (T, N, K) rows, the transpose of the (T, K, N) columns of the equations.
"""
from __future__ import annotations

import numpy as np


def _cols(a: np.ndarray) -> np.ndarray:
    """(T, N, K) storage -> (T, K, N) view: each [t] is a column matrix."""
    return a.transpose(0, 2, 1)


def _softmax_layer(hs: np.ndarray, Why: np.ndarray, by: np.ndarray):
    """y_t = Why h_t + by, p_t and log p_t for every step, from and to (T, N, .) rows."""
    T, N, H = hs.shape
    ys = np.matmul(hs.reshape(T * N, H), Why.T).reshape(T, N, -1)
    ys += by.T
    z = ys - ys.max(axis=2, keepdims=True)
    ps = np.exp(z)
    total = ps.sum(axis=2, keepdims=True)
    ps /= total
    logps = np.subtract(z, np.log(total), out=z)
    return ys, ps, logps


def _softmax_layer_grads(ps: np.ndarray, targets: np.ndarray, hs: np.ndarray, Why: np.ndarray):
    """dys (T, N, V), dWhy, dby and dh_out (T, N, H) rows of the output layer."""
    T, N, V = ps.shape
    dys = np.multiply(ps, 1 / N, order="C")
    flat = np.arange(T * N) * V + targets.ravel()
    dys.reshape(-1)[flat] -= 1 / N
    dys2, hs2 = dys.reshape(T * N, V), hs.reshape(T * N, -1)
    dh_out = (dys2 @ Why).reshape(T, N, -1)
    return dys, dys2.T @ hs2, dys2.sum(axis=0)[:, None], dh_out


def _sum_rows_by_index(rows: np.ndarray, ix: np.ndarray, V: int) -> np.ndarray:
    """out[v] = sum of rows[k] over every k with ix[k] == v; rows (K, H) -> out (V, H)."""
    out = np.zeros((V, rows.shape[1]), dtype=rows.dtype)
    np.add.at(out, ix, rows)
    return out
