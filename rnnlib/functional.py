"""Small pure functions of the equations: one-hot columns, softmax, cross-entropy, tanh',
sigmoid.

Shapes: V = vocabulary size, T = time steps, N = batch (sequences side by side as columns).
Arrays are columns: logits y have shape (V, N) (or (T, V, N); the softmax is taken over
the vocabulary axis, -2).
"""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, DTypeLike


def one_hot(ix: ArrayLike, V: int, dtype: DTypeLike = np.float64) -> np.ndarray:
    """One-hot columns: indices (N,) -> x (V, N), or (T, N) -> (T, V, N), x[.., ix[n], n] = 1.

    The one builder of one-hot inputs in rnnlib; ``Vocab.one_hot`` checks its indices and
    calls it. Indices must already be in 0..V-1.
    """
    ix = np.asarray(ix)
    return (ix[..., None, :] == np.arange(V)[:, None]).astype(dtype)   # row v: ix == v


def softmax(y: np.ndarray, axis: int = -2) -> np.ndarray:
    """p = exp(y) / sum(exp(y)) over the vocabulary axis, stable for large logits.

    Subtracting the column maximum changes nothing mathematically (it cancels in the
    ratio) but keeps exp from overflowing.
    """
    z = y - y.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def cross_entropy(p: np.ndarray, targets: np.ndarray) -> float:
    """sum over time of -log p_t[target_t], averaged over the batch.

    p: (T, V, N) probabilities; targets: (T, N) integer indices.
    """
    T, V, N = p.shape
    t, n = np.indices((T, N))
    return float(-np.log(p[t, targets, n]).sum() / N)


def dtanh(h: np.ndarray) -> np.ndarray:
    """Derivative of tanh written with its output: d tanh(a)/da = 1 - tanh(a)^2 = 1 - h^2."""
    return 1.0 - h * h


def sigmoid(a: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-a)), written as 0.5 (1 + tanh(a / 2)): the same function, but it
    never overflows for large negative a."""
    return 0.5 * (1.0 + np.tanh(0.5 * a))
