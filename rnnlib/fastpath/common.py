"""The pieces of the fast path that its models share.

The softmax output layer and its backward pass a block of columns at a time
(:func:`output_layer`), and the sum of rows by character that turns every step's gradient
at the pre-activation into the gradient of the input weights (:func:`sum_rows_by_index`).

Shapes: V = vocabulary size, H = hidden size, T = time steps, N = batch. The hidden states
of every step, a (T, N, H) array, come in as T * N rows of H numbers (h_t of column n of
the batch in row t * N + n), the (T, N) targets flattened in the same order; Why is (V, H)
and by (V, 1).
"""
from __future__ import annotations

import numpy as np

# the output layer runs on about this many columns at a time: a (V, 1024) block of float32
# logits is ~400 KB, small enough to stay in the processor's cache while it becomes p and dy
OUTPUT_COLUMNS = 1024


def sum_rows_by_index(rows: np.ndarray, ix: np.ndarray, V: int) -> np.ndarray:
    """out[v] = sum of rows[k] over every k with ix[k] == v; rows (K, H) -> out (V, H).

    This is sum_t dh_raw_t x_t^T (transposed) for one-hot x_t.
    """
    # characters fit in 16 bits, and numpy sorts 16-bit integers by radix sort, ~10x faster
    order = np.argsort(ix.astype(np.uint16) if V <= 1 << 16 else ix, kind="stable")
    ix_sorted = ix[order]
    new_run = np.empty(len(ix), dtype=bool)
    new_run[0] = True
    np.not_equal(ix_sorted[1:], ix_sorted[:-1], out=new_run[1:])
    starts = np.flatnonzero(new_run)                              # first row of each run
    rows_sorted = np.take(rows, order, axis=0)
    out = np.zeros((V, rows.shape[1]), dtype=rows.dtype)
    ends = [*starts[1:].tolist(), len(ix)]
    for v, start, end in zip(ix_sorted[starts].tolist(), starts.tolist(), ends):
        rows_sorted[start:end].sum(axis=0, out=out[v])             # all the rows of character v
    return out


def output_layer(Why: np.ndarray, by: np.ndarray, h2: np.ndarray, tg: np.ndarray, N: int
                 ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """The softmax output layer and its backward pass, from h as (T * N, H) rows and the
    targets (T * N,) in the same order.

    Returns the loss (summed over time, batch mean), dWhy (V, H), dby (V, 1) and
    dh_out = Why^T dy_t as (T * N, H) rows, where dy_t = (p_t - onehot(target_t)) / N.
    """
    TN = len(h2)
    dh_out = np.empty_like(h2)
    dWhy, dby = np.zeros_like(Why), np.zeros_like(by)
    block = max(1, OUTPUT_COLUMNS // N) * N                     # whole time steps
    y_block = np.empty((len(Why), min(block, TN)), dtype=h2.dtype)
    loss = 0.0
    for start in range(0, TN, block):
        rows = slice(start, min(TN, start + block))
        h = h2[rows]                                             # these steps' h, as rows
        cols = len(h)
        y = np.matmul(Why, h.T, out=y_block[:, :cols])           # (V, cols): y_t columns
        y += by
        y -= y.max(axis=0)                                       # z = y - max y
        at = (tg[rows], np.arange(cols))                         # each column's target
        loss -= float(y[at].sum())                               # -z[target] ...
        p = np.exp(y, out=y)
        total = p.sum(axis=0)
        loss += float(np.log(total).sum())                       # ... + log sum exp z
        dy = np.multiply(p, np.divide(1 / N, total, out=total), out=p)   # p / N
        dy[at] -= 1 / N                                          # (p - onehot(target)) / N
        dWhy += dy @ h
        dby += dy.sum(axis=1, keepdims=True)
        np.matmul(dy.T, Why, out=dh_out[rows])                   # Why^T dy_t, as rows
    return loss / N, dWhy, dby, dh_out
