"""Optimizers. State lives in dicts under the same keys as ``params``."""
from __future__ import annotations

import numpy as np

from ._checks import positive_float


def _check_same_keys(params: dict, grads: dict) -> None:
    if set(params) != set(grads):
        raise ValueError(f"grads has keys {sorted(grads)} but params has {sorted(params)}; "
                         f"pass the grads returned by loss_and_grads for these params.")
    for k in params:
        if np.shape(grads[k]) != np.shape(params[k]):
            raise ValueError(f"grads[{k!r}] has shape {np.shape(grads[k])} but params[{k!r}] "
                             f"has shape {np.shape(params[k])}.")


def _clipped(g: np.ndarray, clip: float | None) -> np.ndarray:
    """g clipped to [-clip, clip] as a new array (the caller's gradient is left alone)."""
    if clip is None:
        return g
    g = np.minimum(g, clip)
    return np.maximum(g, -clip, out=g)


class SGD:
    """p -= lr * g, after clipping each gradient to [-clip, clip] (clip=None: no clipping)."""

    def __init__(self, lr: float = 0.1, clip: float | None = 5.0):
        self.lr = positive_float("lr", lr)
        self.clip = None if clip is None else positive_float("clip", clip)

    def step(self, params: dict, grads: dict) -> None:
        _check_same_keys(params, grads)
        for k, p in params.items():
            p -= self.lr * _clipped(grads[k], self.clip)


class Adagrad:
    """min-char-rnn's update: clip each gradient to [-clip, clip], then

        mem += g * g;   p -= lr * g / sqrt(mem + 1e-8)

    ``mem`` (one array per parameter, like ``mWxh``) only grows, so every parameter's
    step size shrinks as its squared gradients add up.
    """

    eps = 1e-8

    def __init__(self, lr: float = 0.1, clip: float | None = 5.0):
        self.lr = positive_float("lr", lr)
        self.clip = None if clip is None else positive_float("clip", clip)
        self.mem: dict[str, np.ndarray] = {}

    def step(self, params: dict, grads: dict) -> None:
        _check_same_keys(params, grads)
        for k, p in params.items():
            g = _clipped(grads[k], self.clip)
            m = self.mem.get(k)
            if m is None:
                m = self.mem[k] = np.zeros_like(p)
            m += g * g
            # p -= lr * g / sqrt(mem + eps), computed in one scratch array (no temporaries)
            step = np.add(m, self.eps)
            np.sqrt(step, out=step)
            np.divide(g, step, out=step)
            step *= self.lr
            p -= step
