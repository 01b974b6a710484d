"""Optimizers: SGD and min-char-rnn's Adagrad, which update ``params`` in place.

``params`` and ``grads`` are dicts of arrays with the same keys, each gradient the shape of
its parameter (e.g. Wxh (H, V)); the update works entry by entry, so any shapes do. An
optimizer's state lives in dicts under the same keys as ``params`` (Adagrad's ``mem``).

Each optimizer has two ways to do the same update:

- **one parameter at a time** (``_step_each``): the maths, written as min-char-rnn writes it.
  Any dicts of arrays take this way.
- **all parameters at once** (``_step_flat``), purely a speed measure: if every parameter
  is a view into one flat buffer (see :func:`make_flat`, which ``Trainer`` uses) and the
  gradients are views into another buffer of the same layout, the update is a handful of
  numpy calls on the two buffers instead of a handful per parameter. Both ways do the same
  element-wise operations in the same order, so they give exactly the same numbers (the
  tests compare them bit for bit). The moment an array is replaced (a learner's
  ``model.params["Wxh"] = new_array``), the optimizer notices and goes one parameter at a
  time again.
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
    return g if clip is None else np.clip(g, -clip, clip)


class _Optimizer:
    """What SGD and Adagrad share: settings, checks, and finding the flat buffers.

    Each writes its update twice: ``_step_each(params, grads)``, one parameter at a time
    (the maths), and ``_step_flat(p, g)``, the same operations on the flat buffers (speed;
    see the end of this module). ``step`` picks the way.
    """

    def __init__(self, lr: float = 0.1, clip: float | None = 5.0) -> None:
        self.lr = positive_float("lr", lr)
        self.clip = None if clip is None else positive_float("clip", clip)
        # the flat buffers found at the last step, and scratch arrays of their size
        self._seen: dict[str, Flat | None] = {"params": None, "grads": None}
        self._pair: tuple[Flat, Flat] | None = None
        self._scratch: tuple[np.ndarray, np.ndarray] | None = None

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        """Update every parameter in place from its gradient."""
        flat = self._flat(params, grads)
        if flat is not None:          # same keys, same shapes, numpy arrays: checked already
            self._step_flat(*flat)
            return
        _check_same_keys(params, grads)
        if not all(isinstance(p, np.ndarray) for p in params.values()):
            raise TypeError("params must be numpy arrays, updated in place; got "
                            f"{ {k: type(p).__name__ for k, p in params.items()} }.")
        self._step_each(params, grads)

    def _find(self, which: str, arrays: dict[str, np.ndarray]) -> Flat | None:
        """find_flat, remembering the last answer so that the same views cost only the
        identity check next time."""
        seen = self._seen[which]
        if seen is not None and seen.holds(arrays):
            return seen
        self._seen[which] = found = find_flat(arrays)
        return found

    def _flat(self, params, grads) -> tuple[Flat, Flat] | None:
        """The flat buffers of params and grads if both are views laid out alike, else None."""
        p = self._find("params", params)
        g = self._find("grads", grads) if p is not None else None
        if g is None:
            return None
        pair = self._pair
        if pair is not None and pair[0] is p and pair[1] is g:
            return pair                                   # as at the last step
        if not p.keys or not p.same_layout(g):
            return None
        if (self._scratch is None or self._scratch[0].size != p.buffer.size
                or self._scratch[0].dtype != p.buffer.dtype):
            self._scratch = (np.empty_like(p.buffer), np.empty_like(p.buffer))
        self._pair = (p, g)
        return self._pair


class SGD(_Optimizer):
    """p -= lr * g, after clipping each gradient to [-clip, clip] (clip=None: no clipping)."""

    def _step_each(self, params, grads) -> None:
        for k, p in params.items():
            p -= self.lr * _clipped(grads[k], self.clip)

    def _step_flat(self, p: Flat, g: Flat) -> None:
        step, _ = self._scratch
        if self.clip is None:
            np.multiply(g.buffer, self.lr, out=step)
        else:
            np.clip(g.buffer, -self.clip, self.clip, out=step)
            step *= self.lr
        np.subtract(p.buffer, step, out=p.buffer)             # p -= ...


class Adagrad(_Optimizer):
    """min-char-rnn's update: clip each gradient to [-clip, clip], then

        mem += g * g;   p -= lr * g / sqrt(mem + 1e-8)

    ``mem`` (one array per parameter, like ``mWxh``) only grows, so every parameter's
    step size shrinks as its squared gradients add up. Replacing an entry of ``mem``, as
    loading a checkpoint does, is fine: the next step uses it. A parameter whose shape
    changes starts again from a memory of zeros.
    """

    eps = 1e-8

    def __init__(self, lr: float = 0.1, clip: float | None = 5.0) -> None:
        super().__init__(lr, clip)
        self.mem: dict[str, np.ndarray] = {}
        self._mem_flat: Flat | None = None     # mem as views of one buffer, made by a step
        self._mem_for: Flat | None = None      # the params' buffer _mem_flat was checked for

    def _memory(self, k: str, p: np.ndarray) -> np.ndarray:
        """mem[k], made (zeros) if it is missing or no longer has p's shape."""
        m = self.mem.get(k)
        if m is None or m.shape != p.shape:
            m = self.mem[k] = np.zeros_like(p)
        return m

    def _step_each(self, params, grads) -> None:
        """The update one parameter at a time: the maths."""
        for k, p in params.items():
            g = _clipped(grads[k], self.clip)
            mem = self._memory(k, p)
            mem += g * g
            p -= self.lr * g / np.sqrt(mem + self.eps)

    def _step_flat(self, p: Flat, g: Flat) -> None:
        """The same update on the flat buffers: the same operations, in the same order."""
        mem = self._flat_memory(p).buffer
        g_clipped, step = self._scratch
        if self.clip is None:
            np.copyto(g_clipped, g.buffer)
        else:
            np.clip(g.buffer, -self.clip, self.clip, out=g_clipped)
        mem += np.multiply(g_clipped, g_clipped, out=step)    # mem += g * g
        np.add(mem, self.eps, out=step)
        np.sqrt(step, out=step)                               # sqrt(mem + eps)
        g_clipped *= self.lr                                  # lr * g
        np.divide(g_clipped, step, out=step)                  # lr * g / sqrt(mem + eps)
        np.subtract(p.buffer, step, out=p.buffer)             # p -= ...

    def _flat_memory(self, p: Flat) -> Flat:
        """``mem`` as views into one buffer laid out like the params' buffer ``p``: made again,
        with the values ``mem`` holds, whenever an entry was replaced or the layout changed."""
        m = self._mem_flat
        if (m is not None and (self._mem_for is p or m.same_layout(p))
                and all(self.mem.get(k) is v for k, v in zip(m.keys, m.views))):
            self._mem_for = p
            return m
        m = self._mem_flat = flat_zeros(dict(zip(p.keys, p.views)))
        self._mem_for = p
        for k, view in zip(m.keys, m.views):
            old = self.mem.get(k)
            if old is not None and np.shape(old) == view.shape:
                view[...] = old                  # keep what was learned so far
            self.mem[k] = view
        return m


# ---- for speed: many arrays as views into one flat buffer ----------------------------------
class Flat(NamedTuple):
    """Arrays laid end to end in one 1-d ``buffer``: ``views[i]`` is the array of ``keys[i]``,
    a C-ordered view of its stretch of the buffer."""
    buffer: np.ndarray
    keys: tuple[str, ...]
    views: tuple[np.ndarray, ...]

    def holds(self, arrays: dict[str, np.ndarray]) -> bool:
        """True if ``arrays`` has exactly these keys, in this order, and each entry is still
        the very view this buffer made (an identity check: a microsecond or so)."""
        return (len(arrays) == len(self.keys)
                and all(arrays.get(k) is v for k, v in zip(self.keys, self.views)))

    def same_layout(self, other: "Flat") -> bool:
        """True if ``other`` lays out arrays of the same keys, shapes and dtype the same way."""
        return (self.keys == other.keys and self.buffer.dtype == other.buffer.dtype
                and all(a.shape == b.shape for a, b in zip(self.views, other.views)))


def flat_zeros(like: dict[str, np.ndarray]) -> Flat:
    """A new buffer of zeros with a view shaped like each array of ``like``, in its order."""
    dtype = np.result_type(*like.values())
    ends = np.cumsum([np.size(a) for a in like.values()]).tolist()
    buffer = np.zeros(ends[-1] if ends else 0, dtype=dtype)
    views = tuple(buffer[end - np.size(a):end].reshape(np.shape(a))
                  for a, end in zip(like.values(), ends))
    return Flat(buffer, tuple(like), views)


def make_flat(arrays: dict[str, np.ndarray]) -> Flat:
    """Copy the arrays of a dict into one new buffer and put the views in the dict in their
    place: same keys, shapes, dtype and values, now laid end to end in memory."""
    flat = flat_zeros(arrays)
    for k, view in zip(flat.keys, flat.views):
        view[...] = arrays[k]
        arrays[k] = view
    return flat


def find_flat(arrays: dict[str, np.ndarray]) -> Flat | None:
    """The Flat whose views ``arrays`` are, if they are views of one 1-d buffer laid end to end
    in the dict's order and filling it; None otherwise (e.g. separate arrays)."""
    views = tuple(arrays.values())
    buffer = getattr(views[0], "base", None) if views else None
    if (not isinstance(buffer, np.ndarray) or buffer.ndim != 1
            or not buffer.flags.c_contiguous):
        return None
    start = buffer.ctypes.data
    for v in views:
        if (not isinstance(v, np.ndarray) or v.base is not buffer or v.dtype != buffer.dtype
                or not v.flags.c_contiguous or v.ctypes.data != start):
            return None
        start += v.nbytes
    if start != buffer.ctypes.data + buffer.nbytes:
        return None
    return Flat(buffer, tuple(arrays), views)
