"""Checks for the exercise of notebook 10 (the LSTM cell).

``check_lstm_cell(lstm_cell)`` runs a learner's ``lstm_cell(a, c_prev) -> (c_t, h_t)`` on
random stacked pre-activations and compares it with ``rnnlib.LSTM.forward``. When it
disagrees it tries the usual slips (PyTorch's block order i, f, g, o, a sigmoid for g,
no tanh on c_t, c_{t-1} where c_t belongs, the roles of i and f swapped, gates left as
raw pre-activations, the pair returned as (h, c)) and names the one that matches.
Shapes: H hidden, N batch; a (4H, N), c_prev, c_t and h_t (H, N).
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..functional import sigmoid
from ..lstm import LSTM
from .feedback import Feedback, call_learner, check_array

_CASES = ((3, 1), (4, 3), (2, 5))     # (H, N): H != N so a transposed answer shows


def _case(H: int, N: int, seed: int):
    """A random a (4H, N) and c_prev (H, N), and rnnlib's c_t and h_t for them.

    An LSTM whose vocabulary is the N columns, with Wx = a, Wh = 0 and b = 0, fed the
    inputs 0..N-1, has exactly the pre-activation a at its first step.
    """
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((4 * H, N)) * 1.5
    c_prev = rng.standard_normal((H, N))
    model = LSTM(N, H)
    model.params["Wx"][...] = a
    model.params["Wh"][...] = 0.0
    cache = model.forward(np.arange(N)[None, :], (np.zeros((H, N)), c_prev))
    return a, c_prev, cache.c[0], cache.h[0]


def _mistakes(a: np.ndarray, c_prev: np.ndarray) -> dict:
    H = a.shape[0] // 4
    blk = [a[k * H:(k + 1) * H] for k in range(4)]
    i, f, o, g = sigmoid(blk[0]), sigmoid(blk[1]), sigmoid(blk[2]), np.tanh(blk[3])
    c = f * c_prev + i * g
    out = {}

    def add(message, c_t, h_t):
        out[message] = (c_t, h_t)

    # PyTorch stacks its blocks as i, f, g, o: the same maths, another order
    g2, o2 = np.tanh(blk[2]), sigmoid(blk[3])
    c2 = f * c_prev + i * g2
    add("it reads the blocks in the order i, f, g, o (PyTorch's order). Here the rows are "
        "i = a[0:H], f = a[H:2H], o = a[2H:3H], g = a[3H:4H].", c2, o2 * np.tanh(c2))
    gs = sigmoid(blk[3])
    cs = f * c_prev + i * gs
    add("it uses the sigmoid for g. g is the candidate value and uses tanh, so it can be "
        "negative; only the gates i, f, o use the sigmoid.", cs, o * np.tanh(cs))
    add("it forgets the tanh in h_t: h_t = o * np.tanh(c_t).", c, o * c)
    add("it uses c_{t-1} in h_t; use the new cell state: h_t = o * np.tanh(c_t).",
        c, o * np.tanh(c_prev))
    cx = i * c_prev + f * g
    add("it swaps the roles of i and f: f multiplies c_prev (what is kept), i multiplies g "
        "(what is written).", cx, o * np.tanh(cx))
    cr = blk[1] * c_prev + blk[0] * np.tanh(blk[3])
    add("it uses the raw blocks of a as gates: apply the sigmoid to the i, f and o blocks.",
        cr, sigmoid(blk[2]) * np.tanh(cr))
    cn = f * c_prev + g
    add("it leaves out the input gate: c_t = f * c_prev + i * g.", cn, o * np.tanh(cn))
    add("it returns (h_t, c_t); return the pair as (c_t, h_t).", o * np.tanh(c), c)
    return out


def check_lstm_cell(lstm_cell: Callable[..., tuple]) -> Feedback:
    """Check ``lstm_cell(a, c_prev) -> (c_t, h_t)`` against rnnlib on random shapes."""
    for k, (H, N) in enumerate(_CASES):
        a, c_prev, c_ref, h_ref = _case(H, N, seed=200 + k)
        where = f"(with H={H}, N={N}: a {a.shape}, c_prev {c_prev.shape})"
        got, problem, _ = call_learner(
            lstm_cell, a.copy(), c_prev.copy(), name="lstm_cell", returns=("c_t", "h_t"),
            kind="arrays", where=where, hint="Each block a[k*H:(k+1)*H] is (H, N), like c_prev.")
        if problem is not None:
            return problem
        c_t, h_t = got
        if c_t.shape == h_t.shape == (H, N):
            if np.allclose(c_t, c_ref, rtol=1e-7, atol=1e-10) and \
                    np.allclose(h_t, h_ref, rtol=1e-7, atol=1e-10):
                continue
            for message, (c_bad, h_bad) in _mistakes(a, c_prev).items():
                if np.allclose(c_t, c_bad, rtol=1e-7, atol=1e-10) and \
                        np.allclose(h_t, h_bad, rtol=1e-7, atol=1e-10):
                    return Feedback(False, f"Close: {message}")
        fb = check_array(f"c_t {where}", c_t, c_ref,
                         hint="c_t = f * c_prev + i * g, with i, f, o, g the four blocks.")
        if not fb:
            return fb
        return check_array(f"h_t {where}", h_t, h_ref, hint="h_t = o * np.tanh(c_t).")
    shapes = ", ".join(f"(H, N) = {c}" for c in _CASES)
    return Feedback(True, f"lstm_cell agrees with rnnlib.LSTM for {shapes}: the blocks in "
                          f"the order i, f, o, g, and the additive cell update.")
