"""Generating text: feed each sampled character back in as the next input.

Shapes: V = vocabulary size, H = hidden size, T = length of a prefix, N = batch
(sampling runs one sequence, N = 1).

Works with any model that has ``vocab_size``, ``initial_state(n)`` and ``step(ix, state) ->
(y, state)`` (RNN, LSTM, GRU and StackedRNN, or a model of your own): ix is an int array
(N,), y the logits (V, N). The state is h (H, N), an LSTM's pair (h, c), or a stacked RNN's
(L, H, N) with L = number of layers. ``prime`` reads a prefix of indices (T,); ``sample``
returns n indices as a list.
"""
from __future__ import annotations

from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike

from ._checks import positive_float
from .threads import limit_blas_threads
from .vocab import Vocab

# h (H, 1), an LSTM's pair (h, c), or a stacked RNN's (L, H, 1)
State = np.ndarray | tuple[np.ndarray, np.ndarray]
Seed = int | np.random.Generator | None


class StepModel(Protocol):
    """What sampling needs of a model: V, the zero state h_0 and one step."""

    @property
    def vocab_size(self) -> int: ...

    def initial_state(self, n: int = 1) -> State: ...

    def step(self, ix: np.ndarray, state: State) -> tuple[np.ndarray, State]: ...


def _rng(rng: Seed) -> np.random.Generator:
    if rng is None or isinstance(rng, (int, np.integer)):
        return np.random.default_rng(rng)
    if isinstance(rng, np.random.Generator):
        return rng
    raise TypeError(f"rng must be None, an int seed or a numpy Generator, got {rng!r}.")


def _check_ix(name: str, ix, vocab_size: int) -> int:
    if isinstance(ix, bool) or not isinstance(ix, (int, np.integer)):
        raise TypeError(f"{name} must be one character index (an int), got {ix!r}; "
                        f"use vocab.encode(ch)[0] to get it.")
    if not 0 <= ix < vocab_size:
        raise ValueError(f"{name} = {ix} is outside the vocabulary: use 0..{vocab_size - 1}.")
    return int(ix)


def _start_state(model: StepModel, h: State | None) -> State:
    """h, checked against the model's own zero state (h_0 of shape (H, 1), or (h, c))."""
    zero = model.initial_state(1)
    if h is None:
        return zero
    want = [np.shape(z) for z in (zero if isinstance(zero, tuple) else (zero,))]
    got = [np.shape(x) for x in (h if isinstance(h, tuple) else (h,))]
    if got != want:
        if isinstance(zero, tuple):
            expected = f"the pair (h, c), each {want[0]} = (hidden_size, 1)"
        elif len(want[0]) == 3:                                  # a stacked RNN's (L, H, 1)
            expected = f"{want[0]} = (num_layers, hidden_size, 1)"
        else:
            expected = f"{want[0]} = (hidden_size, 1)"
        column = "h[..., :1]" if len(want[0]) == 3 else "h[:, :1]"
        raise ValueError(f"h has shape {got if isinstance(h, tuple) else got[0]}, but this "
                         f"model's state is {expected}: sampling runs one "
                         f"sequence. Pass None to start from zeros, or one column of a batch "
                         f"state, {column}.")
    return h


_BLOCK = 1024     # characters of Gumbel noise drawn at a time


def sample(model: StepModel, h: State | None, seed_ix: int, n: int,
           temperature: float = 1.0, rng: Seed = None, greedy: bool = False) -> list[int]:
    """Sample ``n`` character indices, starting from state ``h`` and input ``seed_ix``.

    h: (H, 1) state (for an LSTM the pair (h, c)); None starts from zeros.
    temperature: logits are divided by it before the softmax; below 1 the model is more
    confident (as temperature -> 0 the sample becomes greedy), above 1 more random.
    greedy: always take the most likely character instead of sampling.

    Each character is drawn from p = softmax(y / temperature) by the Gumbel-max trick:
    add independent Gumbel noise g to the logits and take the largest, since
    argmax(y / T + g) follows softmax(y / T) exactly. The code uses argmax(y + T g), the
    same choice (multiplying by T > 0 keeps the argmax), which stays exact as T -> 0.
    It needs no exp or sum per character, so it is faster than np.random.choice(V, p=p).
    """
    V = model.vocab_size
    ix = _check_ix("seed_ix", seed_ix, V)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a whole number of characters >= 0, got {n!r}.")
    temperature = positive_float("temperature", temperature)
    gen = _rng(rng)
    state = _start_state(model, h)
    out: list[int] = []
    col = np.empty(1, dtype=np.intp)
    with limit_blas_threads():                                   # see rnnlib.threads
        for start in range(0, n, _BLOCK):
            k = min(_BLOCK, n - start)
            noise = None if greedy else gen.gumbel(size=(k, V, 1)) * temperature
            for j in range(k):
                col[0] = ix
                y, state = model.step(col, state)                 # y: logits (V, 1)
                if noise is not None:
                    y = y + noise[j]
                ix = int(y.argmax())
                out.append(ix)
    return out


def prime(model: StepModel, ixs: ArrayLike, h: State | None = None) -> State:
    """Feed the characters ``ixs`` (T,) to the model and return the state after them.

    Use it to start sampling from a prefix: ``h = prime(model, ixs[:-1])`` then
    ``sample(model, h, ixs[-1], n)``.
    """
    state = _start_state(model, h)
    col = np.empty(1, dtype=np.intp)
    with limit_blas_threads():
        for ix in np.asarray(ixs, dtype=np.intp).ravel():
            col[0] = _check_ix("prefix index", int(ix), model.vocab_size)
            _, state = model.step(col, state)
    return state


def sample_text(model: StepModel, vocab: Vocab, prefix: str, n: int, temperature: float = 1.0,
                rng: Seed = None, greedy: bool = False, h: State | None = None) -> str:
    """Convenience: prime with ``prefix`` and return prefix + ``n`` sampled characters.

    ``h`` is the state to start priming from (None: zeros). A model trained with its state
    carried from chunk to chunk can do much better from a state it has seen in training,
    such as ``Trainer.state`` (one column of it), than from zeros.
    """
    if not prefix:
        raise ValueError("prefix is empty; give at least one character to start from, "
                         f"e.g. {vocab.chars[0]!r}.")
    ixs = vocab.encode(prefix)
    h = prime(model, ixs[:-1], h)
    return prefix + vocab.decode(sample(model, h, int(ixs[-1]), n, temperature, rng, greedy))
