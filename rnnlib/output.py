"""The softmax output layer, shared by every model in rnnlib.

Forward, for each step t (or once, for a classifier that reads only h_T)::

    y_t = Why h_t + by          p_t = softmax(y_t)
    loss = sum_t -log p_t[target_t]          (averaged over the batch)

Backward::

    dy_t = (p_t - onehot(target_t)) / N      (the loss is a batch mean)
    dWhy = sum_t dy_t h_t^T    dby = sum_t dy_t    dh_t = Why^T dy_t

Shapes: V = vocabulary size (or the number of classes), H = hidden size, T = time steps,
N = batch. Columns throughout: h is (H, N) for one step or (T, H, N) for T steps, and y, p,
log p are then (V, N) or (T, V, N); targets are ints (N,) or (T, N).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Output(NamedTuple):
    """The output layer's forward pass."""
    y: np.ndarray        # (V, N) or (T, V, N): logits
    p: np.ndarray        # softmax probabilities, same shape
    logp: np.ndarray     # log p, exact even where p underflows to 0


class OutputGrads(NamedTuple):
    """The output layer's backward pass."""
    dy: np.ndarray       # (V, N) or (T, V, N): dL/dy_t = (p_t - onehot(target_t)) / N
    dWhy: np.ndarray     # (V, H)
    dby: np.ndarray      # (V, 1)
    dh: np.ndarray       # (H, N) or (T, H, N): Why^T dy_t, what h_t gets from its output


def _flat(a: np.ndarray) -> np.ndarray:
    """(K, N) stays; (T, K, N) -> (K, T * N): every step's columns side by side."""
    return a if a.ndim == 2 else np.moveaxis(a, -2, 0).reshape(a.shape[-2], -1)


def output_forward(h: np.ndarray, Why: np.ndarray, by: np.ndarray) -> Output:
    """y = Why h + by and p = softmax(y) over the V rows, for h (H, N) or (T, H, N).

    One exp serves p and log p: z = y - max y (which keeps exp from overflowing),
    log p = z - log sum exp z, p = exp z / sum exp z.
    """
    y = np.matmul(Why, h) + by                             # (V, N) or (T, V, N)
    z = y - y.max(axis=-2, keepdims=True)
    e = np.exp(z)
    total = e.sum(axis=-2, keepdims=True)
    return Output(y, e / total, z - np.log(total))


def picked(a: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """a[.., targets[n], n]: each column's entry at its target, (N,) or (T, N)."""
    targets = np.asarray(targets)
    n = np.arange(targets.shape[-1])
    if a.ndim == 2:
        return a[targets, n]
    return a[np.arange(targets.shape[0])[:, None], targets, n]


def output_loss(logp: np.ndarray, targets: np.ndarray) -> float:
    """sum_t -log p_t[target_t], averaged over the N columns of the batch."""
    return float(-picked(logp, targets).sum() / logp.shape[-1])


def output_backward(p: np.ndarray, targets: np.ndarray, h: np.ndarray,
                    Why: np.ndarray) -> OutputGrads:
    """Backward through the softmax and Why: p and h as in :func:`output_forward`."""
    N = p.shape[-1]
    dy = p.copy()
    np.put_along_axis(dy, np.asarray(targets)[..., None, :],
                      picked(p, targets)[..., None, :] - 1, axis=-2)   # p - onehot(target)
    dy /= N
    dWhy = _flat(dy) @ _flat(h).T                           # sum_t dy_t h_t^T
    dby = _flat(dy).sum(axis=1, keepdims=True)              # sum_t dy_t
    return OutputGrads(dy, dWhy, dby, np.matmul(Why.T, dy))
