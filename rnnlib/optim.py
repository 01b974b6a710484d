"""Optimizers: SGD and min-char-rnn's Adagrad, which update ``params`` in place.

``params`` and ``grads`` are dicts of arrays with the same keys, each gradient the shape of
its parameter (e.g. Wxh (H, V)); the update works entry by entry, so any shapes do. An
optimizer's state lives in dicts under the same keys as ``params`` (Adagrad's ``mem``).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import positive_float


def _check_same_keys(params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
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

    def __init__(self, lr: float = 0.1, clip: float | None = 5.0) -> None:
        self.lr = positive_float("lr", lr)
        self.clip = None if clip is None else positive_float("clip", clip)

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        _check_same_keys(params, grads)
        for k, p in params.items():
            p -= self.lr * _clipped(grads[k], self.clip)


class _Flat(NamedTuple):
    """Adagrad's buffers: every parameter's entries laid end to end."""
    keys: tuple
    shapes: tuple
    mem: np.ndarray        # the memory; Adagrad.mem holds views of it
    g: np.ndarray          # scratch: the clipped gradients
    step: np.ndarray       # scratch: lr * g / sqrt(mem + eps)
    step_views: tuple      # step, one view per parameter
    mem_views: tuple


class Adagrad:
    """min-char-rnn's update: clip each gradient to [-clip, clip], then

        mem += g * g;   p -= lr * g / sqrt(mem + 1e-8)

    ``mem`` (one array per parameter, like ``mWxh``) only grows, so every parameter's
    step size shrinks as its squared gradients add up.

    For speed the update runs once over all parameters laid end to end: the entries of
    ``mem`` are views into one flat array, so a step is a handful of numpy calls whatever
    the number of parameters. (Replacing an entry of ``mem``, as loading a checkpoint
    does, is fine: the next step takes it in. A parameter that changes shape starts again
    from a memory of zeros.)
    """

    eps = 1e-8

    def __init__(self, lr: float = 0.1, clip: float | None = 5.0) -> None:
        self.lr = positive_float("lr", lr)
        self.clip = None if clip is None else positive_float("clip", clip)
        self.mem: dict[str, np.ndarray] = {}
        self._flat: _Flat | None = None

    def _buffers(self, params: dict[str, np.ndarray]) -> _Flat:
        """The flat buffers for these params, made again if a key, a shape, a dtype or an
        entry of ``mem`` changed since the last step."""
        f = self._flat
        if (f is not None and f.keys == tuple(params)
                and all(self.mem.get(k) is m for k, m in zip(f.keys, f.mem_views))
                and all(params[k].shape == shape and params[k].dtype == f.mem.dtype
                        for k, shape in zip(f.keys, f.shapes))):
            return f
        keys = tuple(params)
        dtype = np.result_type(*params.values())
        ends = np.cumsum([p.size for p in params.values()]).tolist()
        mem, g, step = (np.zeros(ends[-1], dtype=dtype) for _ in range(3))

        def views(flat):
            return tuple(flat[e - p.size:e].reshape(p.shape) for p, e in zip(params.values(), ends))
        mem_views = views(mem)
        for k, m in zip(keys, mem_views):
            if k in self.mem and np.shape(self.mem[k]) == m.shape:
                m[...] = self.mem[k]          # keep what was learned so far
            self.mem[k] = m
        self._flat = _Flat(keys, tuple(p.shape for p in params.values()), mem, g, step,
                           views(step), mem_views)
        return self._flat

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        _check_same_keys(params, grads)
        if not params:
            return
        if not all(isinstance(p, np.ndarray) for p in params.values()):
            raise TypeError("params must be numpy arrays, updated in place; got "
                            f"{ {k: type(p).__name__ for k, p in params.items()} }.")
        keys, _, mem, g, step, step_views, _ = self._buffers(params)
        np.concatenate([grads[k] for k in keys], axis=None, out=g, casting="same_kind")
        if self.clip is not None:
            np.clip(g, -self.clip, self.clip, out=g)
        mem += np.multiply(g, g, out=step)
        # p -= lr * g / sqrt(mem + eps), computed in the scratch array ``step``
        np.add(mem, self.eps, out=step)
        np.sqrt(step, out=step)
        np.divide(g, step, out=step)
        step *= self.lr
        for k, s in zip(keys, step_views):
            params[k] -= s
