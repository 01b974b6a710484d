"""Training on a batch split across threads: groups of columns computed side by side.

The N columns of a batch are independent sequences and the loss is their mean, so groups of
columns can be computed at the same time, in threads (numpy lets other threads run while it
works on arrays), and put together: the batch mean is the groups' means weighted by their
share of the columns, and the last states are the groups' states side by side.

Shapes: T = time steps, N = batch, H = hidden size, L = layers. Inputs and targets are
(T, N) ints; a state is (H, N), a stacked RNN's (L, H, N), an LSTM's the pair (h, c) of
(H, N) arrays; in every one the batch is the last axis.
"""
from __future__ import annotations

from concurrent.futures import Executor
from typing import Any, Callable

import numpy as np


def columns(state: Any, cols: slice) -> Any:
    """Columns ``cols`` of a hidden state (H, N) or (L, H, N), of each part of an (h, c)
    pair, or None."""
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(s[..., cols] for s in state)
    return state[..., cols]


def split_batch(compute: Callable[[np.ndarray, np.ndarray, Any], tuple], inputs: np.ndarray,
                targets: np.ndarray, state: Any, pool: Executor, parts: int
                ) -> tuple[float, dict[str, np.ndarray], Any]:
    """``compute(inputs, targets, state) -> (loss, grads, state)`` over the whole batch, done
    as ``parts`` groups of columns in the threads of ``pool``."""
    N = inputs.shape[1]
    edges = np.linspace(0, N, parts + 1).astype(int)
    groups = [slice(a, b) for a, b in zip(edges[:-1], edges[1:])]
    results = list(pool.map(
        lambda g: compute(inputs[:, g], targets[:, g], columns(state, g)), groups))
    shares = [(g.stop - g.start) / N for g in groups]
    loss = sum(w * r[0] for w, r in zip(shares, results))
    grads = {k: sum(w * r[1][k] for w, r in zip(shares, results)) for k in results[0][1]}
    states = [r[2] for r in results]
    if isinstance(states[0], tuple):      # an LSTM's (h, c)
        return loss, grads, tuple(np.concatenate(s, axis=-1) for s in zip(*states))
    return loss, grads, np.concatenate(states, axis=-1)
