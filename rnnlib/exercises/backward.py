"""Check for notebook 04: a backward pass through time written by the learner.

The learner's function has min-char-rnn's shape, ``fn(params, inputs, targets, hprev)``
returning the gradients as a dict with the keys of ``params``. The check runs it on two
small random RNNs whose weights are large enough for every path to matter, compares each
gradient with min-char-rnn's lossFun (:func:`rnnlib.reference.lossfun`), says which ones
are wrong and, when the answer matches one of the slips of :mod:`.slips` (dh_next left
out, tanh' forgotten, Whh not transposed...), names the line.

Shapes: V vocabulary, H hidden, T steps; inputs and targets (T,) ints, hprev (H, 1).
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..reference import lossfun
from ..rnn import PARAM_NAMES
from .feedback import Feedback, call_learner
from .slips import SLIPS

NAMES = PARAM_NAMES          # the gradients a learner returns, by name


def _cases() -> list[tuple[dict, np.ndarray, np.ndarray, np.ndarray]]:
    """Two small problems with V != H, weights ~0.5 so every path carries weight."""
    cases = []
    for seed, (V, H, T) in ((11, (5, 4, 6)), (12, (3, 6, 4))):
        rng = np.random.default_rng(seed)
        params = {"Wxh": rng.standard_normal((H, V)) * 0.6,
                  "Whh": rng.standard_normal((H, H)) * 0.6,
                  "Why": rng.standard_normal((V, H)) * 0.6,
                  "bh": rng.standard_normal((H, 1)) * 0.3,
                  "by": rng.standard_normal((V, 1)) * 0.3}
        inputs = rng.integers(0, V, T)
        targets = rng.integers(0, V, T)
        hprev = rng.standard_normal((H, 1)) * 0.5
        cases.append((params, inputs, targets, hprev))
    return cases


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    return np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-6, atol=1e-9)


def _listing(names: list[str]) -> str:
    names = [f"d{n}" for n in names]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _are(names: list[str]) -> str:
    return "is" if len(names) == 1 else "are"


def check_backward(fn: Callable[..., dict]) -> Feedback:
    """Run ``fn(params, inputs, targets, hprev) -> grads`` and explain what is wrong, if anything.

    grads must be a dict with keys Wxh, Whh, Why, bh, by (as ``params``); the values are
    compared with min-char-rnn's lossFun on two small random problems.
    """
    for params, inputs, targets, hprev in _cases():
        V, H = params["Why"].shape
        expected = lossfun(params, inputs, targets, hprev)[1]
        got, problem, _ = call_learner(
            fn, {k: v.copy() for k, v in params.items()}, inputs.copy(), targets.copy(),
            hprev.copy(), name="your backward pass", returns="grads", kind="dict",
            shape={k: expected[k].shape for k in NAMES},
            hint=f"(Here V = {V}, H = {H}: dy is (V, 1), dh, dh_raw and dh_next are (H, 1).)")
        if problem is not None:
            return problem
        wrong = [k for k in NAMES if not _close(got[k], expected[k])]
        if not wrong:
            continue
        right = [k for k in NAMES if k not in wrong]
        summary = (f"{_listing(wrong)} {_are(wrong)} wrong" +
                   (f"; {_listing(right)} {_are(right)} right" if right else "") + ".")
        for name, slip in SLIPS.items():
            variant = lossfun(params, inputs, targets, hprev, slip=name)[1]
            if all(_close(got[k], variant[k]) for k in NAMES):
                return Feedback(False, f"{summary} Likely cause: {slip.why}")
        zero = [k for k in wrong if not np.any(got[k])]
        if zero:
            return Feedback(False, f"{summary} {_listing(zero)} {_are(zero)} all zeros: is a "
                                   f"`# YOUR CODE HERE` line still a placeholder?")
        if set(wrong) <= {"Wxh", "Whh", "bh"} and "Why" in right:
            hint = ("dy, dWhy and dby are fine, so look at the lines after them: dh, dh_raw, "
                    "dh_next, or the dWxh / dWhh / dbh sums.")
            if wrong == ["Whh"]:
                hint = f"only dWhh is off: look at its line, {SLIPS['dWhh_uses_h_t'].right}."
            return Feedback(False, f"{summary} {hint}")
        return Feedback(False, f"{summary} Start from dy = p_t - onehot(target_t) and check "
                               f"each line against the equations above.")
    return Feedback(True, "all five gradients match min-char-rnn's backward pass, on two "
                          "random RNNs.")
