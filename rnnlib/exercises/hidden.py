"""Checks for the exercises of notebook 02 (the hidden layer).

``check_rnn_step(rnn_step)`` runs a learner's one-step function on random shapes and
compares it with rnnlib's forward pass; when it disagrees it tries the usual mistakes
(no bias, relu or sigmoid instead of tanh, no nonlinearity, Whh transposed, a term left
out) and names the one that matches. Shapes: V vocabulary, H hidden, N batch; x_t (V, N),
h_prev (H, N), Wxh (H, V), Whh (H, H), bh (H, 1).
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..rnn import RNN
from ..functional import one_hot
from .feedback import Feedback, call_learner, check_array

# (V, H, N): H differs from V and N, so a transposed or mixed-up product has the wrong
# shape or the wrong numbers; N = 1 is min-char-rnn, N > 1 checks the batch columns.
_CASES = ((4, 3, 1), (5, 6, 3), (3, 7, 2))


def _case(V: int, H: int, N: int, seed: int):
    rng = np.random.default_rng(seed)
    model = RNN(V, H)
    for name in ("Wxh", "Whh", "bh"):
        p = model.params[name]
        p[...] = rng.standard_normal(p.shape) * 0.7
    ix = rng.integers(0, V, N)
    x_t = one_hot(ix, V)                                         # (V, N)
    h_prev = rng.standard_normal((H, N)) * 0.6
    expected = model.forward(ix[None, :], h_prev).hs[0]          # (H, N), rnnlib's answer
    return model.params, x_t, h_prev, expected


def _mistakes(P: dict, x_t: np.ndarray, h_prev: np.ndarray) -> dict:
    """What the usual wrong versions of the step give, each with what to do instead."""
    Wxh, Whh, bh = P["Wxh"], P["Whh"], P["bh"]
    a = Wxh @ x_t + Whh @ h_prev + bh
    return {
        "it forgot the bias: add bh inside the tanh.": np.tanh(Wxh @ x_t + Whh @ h_prev),
        "it used relu, max(0, .), instead of tanh: use np.tanh.": np.maximum(a, 0.0),
        "it used the sigmoid instead of tanh: use np.tanh.": 1.0 / (1.0 + np.exp(-a)),
        "it left out the nonlinearity: wrap the sum in np.tanh(...).": a,
        "it used Whh transposed (Whh.T @ h_prev): use Whh @ h_prev.":
            np.tanh(Wxh @ x_t + Whh.T @ h_prev + bh),
        "it left out the previous state: add Whh @ h_prev.": np.tanh(Wxh @ x_t + bh),
        "it left out the input: add Wxh @ x_t.": np.tanh(Whh @ h_prev + bh),
        "it applied tanh before adding the bias: the bias goes inside the tanh.":
            np.tanh(Wxh @ x_t + Whh @ h_prev) + bh,
    }


def check_rnn_step(rnn_step: Callable[..., np.ndarray]) -> Feedback:
    """Check ``rnn_step(x_t, h_prev, Wxh, Whh, bh) -> h_t`` against rnnlib on random shapes."""
    for k, (V, H, N) in enumerate(_CASES):
        P, x_t, h_prev, expected = _case(V, H, N, seed=100 + k)
        where = f"(with V={V}, H={H}, N={N}: x_t {x_t.shape}, h_prev {h_prev.shape})"
        # copies, so a function that changes its arguments in place cannot fool the check
        got, problem, _ = call_learner(
            rnn_step, x_t.copy(), h_prev.copy(), P["Wxh"].copy(), P["Whh"].copy(),
            P["bh"].copy(), name="rnn_step", returns="h_t", where=where,
            hint="Each term must be (H, N): Wxh @ x_t, Whh @ h_prev, and bh (H, 1) "
                 "broadcasts over the N columns.")
        if problem is not None:
            return problem
        if got.shape == expected.shape and got.shape and np.all(np.isfinite(got)):
            if np.allclose(got, expected, rtol=1e-7, atol=1e-10):
                continue
            for message, wrong in _mistakes(P, x_t, h_prev).items():
                if np.allclose(got, wrong, rtol=1e-7, atol=1e-10):
                    return Feedback(False, f"rnn_step's h_t is close, but {message}")
        return check_array(f"h_t {where}", got, expected,
                           hint="h_t = tanh(Wxh @ x_t + Whh @ h_prev + bh), shape (H, N).")
    shapes = ", ".join(f"(V, H, N) = {c}" for c in _CASES)
    return Feedback(True, f"rnn_step agrees with rnnlib's forward pass for {shapes}.")


def check_hidden_param_count(answer: object, V: int = 4, H: int = 3, T: int = 4) -> Feedback:
    """How many numbers are in Wxh, Whh and bh for vocabulary size V and hidden size H?"""
    right = H * V + H * H + H
    if answer is None:
        return Feedback(False, "n_params is still None: replace it with your count.")
    try:
        n = float(answer)
    except (TypeError, ValueError):
        return Feedback(False, f"the answer should be a whole number, got {answer!r}.")
    hints = {
        H * V + H * H: f"that is Wxh and Whh without the bias: bh adds {H} more.",
        T * right: f"that is {T} copies: the same Wxh, Whh, bh are used at every step, so "
                   f"the count does not depend on T.",
        right + V * H + V: f"that includes the output layer Why ({V}x{H}) and by ({V}); "
                           f"count only the hidden layer's Wxh, Whh and bh.",
        H * V + H * V + H: f"Whh maps h_prev ({H} numbers) to h_t ({H} numbers), so it is "
                           f"{H}x{H}, not {H}x{V}.",
        H * V + H: f"that leaves out Whh, the {H}x{H} matrix that carries h_prev forward.",
    }
    if n == right:
        return Feedback(True, f"{right} = {H}x{V} (Wxh) + {H}x{H} (Whh) + {H} (bh), "
                              f"the same for any length T.")
    if n in hints:
        return Feedback(False, f"{answer} is not right: {hints[n]}")
    return Feedback(False, f"{answer} is not right yet. Count the entries of each matrix: "
                           f"Wxh is {H}x{V}, Whh is {H}x{H} and bh is {H}x1.")
