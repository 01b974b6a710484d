"""Small pure functions of the equations: softmax, cross-entropy, tanh'.

Arrays are columns: logits y have shape (V, N) (or (T, V, N); the softmax is taken over
the vocabulary axis, -2).
"""
from __future__ import annotations

import numpy as np


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
