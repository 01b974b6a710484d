"""min-char-rnn, written the way min-char-rnn writes it: the one reference that the tests,
benchmarks/speed.py and the exercise checks compare against. Dense one-hot column vectors
(V, 1), one time step at a time, `np.dot`,
dicts of per-step arrays, a softmax with two exps, clipping inside lossFun with
`np.clip(dparam, -5, 5, out=dparam)` and Adagrad with memories mWxh, ... by hand.

Shapes: V vocabulary, H hidden, T steps, one sequence (N = 1): x_t, y_t, p_t (V, 1), h_t
(H, 1); params Wxh (H, V), Whh (H, H), Why (V, H), bh (H, 1), by (V, 1).

``lossfun(..., slip=name)`` is the same loop with one line of its backward pass written
as a learner might write it wrong (the table rnnlib.exercises.slips.SLIPS): the exercise
checks compare a learner's gradients with these to name the slip.
"""
from __future__ import annotations

import __future__
import functools
import inspect
from collections.abc import Callable, Sequence

import numpy as np


def lossfun(params: dict[str, np.ndarray], inputs: Sequence[int], targets: Sequence[int],
            hprev: np.ndarray, clip: float | None = None, slip: str | None = None
            ) -> tuple[float, dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """min-char-rnn's lossFun for one sequence (N = 1), returning (loss, grads, h_last, dh_0).

    ``inputs`` and ``targets`` are lists (or 1-d arrays) of character indices, hprev (H, 1).
    With ``clip`` every gradient is clipped in place to [-clip, clip] before it is
    returned, as min-char-rnn does (clip=5); without it the exact gradients come back.
    ``slip`` names a line of the backward loop to write wrong (a key of
    rnnlib.exercises.slips.SLIPS); None runs min-char-rnn's own loop.
    """
    if slip is not None:   # decided once per call: the loop below stays min-char-rnn's own
        return with_slip(slip)(params, inputs, targets, hprev, clip)
    Wxh, Whh, Why, bh, by = (params[k] for k in ("Wxh", "Whh", "Why", "bh", "by"))
    vocab_size = Why.shape[0]
    xs, hs, ys, ps = {}, {}, {}, {}
    hs[-1] = np.copy(hprev)
    loss = 0
    for t in range(len(inputs)):
        xs[t] = np.zeros((vocab_size, 1))
        xs[t][inputs[t]] = 1
        hs[t] = np.tanh(np.dot(Wxh, xs[t]) + np.dot(Whh, hs[t - 1]) + bh)
        ys[t] = np.dot(Why, hs[t]) + by
        ps[t] = np.exp(ys[t]) / np.sum(np.exp(ys[t]))
        loss += -np.log(ps[t][targets[t], 0])
    dWxh, dWhh, dWhy = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros_like(Why)
    dbh, dby = np.zeros_like(bh), np.zeros_like(by)
    dhnext = np.zeros_like(hs[0])
    for t in reversed(range(len(inputs))):
        dy = np.copy(ps[t])
        dy[targets[t]] -= 1
        dWhy += np.dot(dy, hs[t].T)
        dby += dy
        dh = np.dot(Why.T, dy) + dhnext
        dhraw = (1 - hs[t] * hs[t]) * dh
        dbh += dhraw
        dWxh += np.dot(dhraw, xs[t].T)
        dWhh += np.dot(dhraw, hs[t - 1].T)
        dhnext = np.dot(Whh.T, dhraw)
    if clip is not None:
        for dparam in [dWxh, dWhh, dWhy, dbh, dby]:
            np.clip(dparam, -clip, clip, out=dparam)
    grads = {"Wxh": dWxh, "Whh": dWhh, "Why": dWhy, "bh": dbh, "by": dby}
    return loss, grads, hs[len(inputs) - 1], dhnext


@functools.cache
def with_slip(name: str) -> Callable[..., tuple]:
    """``lossfun`` with the slip ``name`` planted: its source, with the slip's ``line``
    replaced by its ``planted`` line, compiled again. Same arguments and returns."""
    from .exercises.slips import slip_named     # the table; it imports nothing from here

    slip = slip_named(name)
    source = inspect.getsource(lossfun)
    if source.count(slip.line) != 1:
        raise RuntimeError(f"the slip {name!r} replaces {slip.line!r}, which must stand "
                           f"exactly once in lossfun; it stands there "
                           f"{source.count(slip.line)} times.")
    code = compile(source.replace(slip.line, slip.planted),
                   f"<rnnlib.reference.lossfun with the slip {name}>", "exec",
                   flags=__future__.annotations.compiler_flag, dont_inherit=True)
    namespace = {"np": np}
    exec(code, namespace)   # defines the planted lossfun in namespace, nothing else
    return namespace["lossfun"]


class MinCharRNN:
    """min-char-rnn's main loop over the text ``data``: characters to indices through
    ``char_to_ix`` one chunk at a time, a data pointer that wraps to 0 (and h to zeros) at
    the end, hprev carried from chunk to chunk, lossFun with clipping to [-5, 5], the smooth
    loss, and Adagrad by hand. ``chars`` is the vocabulary in index order; ``params`` are
    copied.
    """

    def __init__(self, data: str, chars: Sequence[str], params: dict[str, np.ndarray],
                 seq_length: int = 25, learning_rate: float = 1e-1):
        self.data, self.seq_length, self.learning_rate = data, seq_length, learning_rate
        self.char_to_ix = {ch: i for i, ch in enumerate(chars)}
        self.params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
        self.mem = {k: np.zeros_like(v) for k, v in self.params.items()}   # mWxh, mWhh, ...
        vocab_size = self.params["Why"].shape[0]
        self.smooth_loss = -np.log(1.0 / vocab_size) * seq_length
        self.p, self.hprev = 0, None

    def iteration(self) -> float:
        """One chunk: forward, backward, clipping and the Adagrad update; returns the loss."""
        data, seq_length, char_to_ix = self.data, self.seq_length, self.char_to_ix
        if self.hprev is None or self.p + seq_length + 1 >= len(data):
            self.hprev = np.zeros((self.params["Whh"].shape[0], 1))   # reset RNN memory
            self.p = 0                                                  # go from start of data
        inputs = [char_to_ix[ch] for ch in data[self.p:self.p + seq_length]]
        targets = [char_to_ix[ch] for ch in data[self.p + 1:self.p + seq_length + 1]]
        loss, grads, self.hprev, _ = lossfun(self.params, inputs, targets, self.hprev, clip=5)
        self.smooth_loss = self.smooth_loss * 0.999 + loss * 0.001
        for param, dparam, mem in zip([self.params[k] for k in self.params],
                                      [grads[k] for k in self.params],
                                      [self.mem[k] for k in self.params]):
            mem += dparam * dparam
            param += -self.learning_rate * dparam / np.sqrt(mem + 1e-8)   # adagrad update
        self.p += seq_length
        return loss


def sample(params: dict[str, np.ndarray], h: np.ndarray, seed_ix: int, n: int) -> list[int]:
    """min-char-rnn's sample: n character indices drawn with np.random.choice, feeding each
    one back in as a one-hot vector."""
    Wxh, Whh, Why, bh, by = (params[k] for k in ("Wxh", "Whh", "Why", "bh", "by"))
    vocab_size = Why.shape[0]
    x = np.zeros((vocab_size, 1))
    x[seed_ix] = 1
    ixes = []
    for t in range(n):
        h = np.tanh(np.dot(Wxh, x) + np.dot(Whh, h) + bh)
        y = np.dot(Why, h) + by
        p = np.exp(y) / np.sum(np.exp(y))
        ix = np.random.choice(range(vocab_size), p=p.ravel())
        x = np.zeros((vocab_size, 1))
        x[ix] = 1
        ixes.append(ix)
    return ixes
