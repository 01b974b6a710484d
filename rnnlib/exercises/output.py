"""Checks for notebook 03: a stable softmax and the cross-entropy loss, written by the learner.

Each check calls the learner's function on a few small cases and, when the answer is wrong,
names the usual mistake: the max not subtracted, the wrong axis, the log of the wrong
entry, a mean where the loss needs a sum.

Shapes: logits y (V, N), probabilities ps (T, V, N), targets (T, N) ints.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..functional import cross_entropy, softmax
from .feedback import Feedback, call_learner, check_array


_MAX_TAKEN = {0: "each column's max, y.max(axis=0, keepdims=True) (right)",
              1: "each row's max, y.max(axis=1, keepdims=True)",
              None: "the max of the whole array, y.max()"}
_SUM_TAKEN = {0: "down each column, e.sum(axis=0, keepdims=True) (right)",
              1: "along each row, e.sum(axis=1, keepdims=True)",
              None: "over the whole array, e.sum()"}


def _axis_slip(y, got) -> str:
    """Name the axes of a softmax that took its max and its sum along different axes, or ""."""
    for max_axis in (0, 1, None):
        e = np.exp(y - y.max(axis=max_axis, keepdims=True))
        for sum_axis in (1, None, 0):
            if np.allclose(got, e / e.sum(axis=sum_axis, keepdims=True)):
                return (f"half right: you subtracted {_MAX_TAKEN[max_axis]}, but took the sum "
                        f"{_SUM_TAKEN[sum_axis]}. The softmax runs down each column (one "
                        f"column per time step or sequence), so use axis=0 with "
                        f"keepdims=True in both the max and the sum.")
    return ""


def check_softmax(fn: Callable[..., np.ndarray]) -> Feedback:
    """Check ``fn(y)``: logits y (V, N) -> probabilities (V, N), each column summing to 1.

    The softmax is taken over the vocabulary, down each column; large logits must not
    overflow, and y must not be changed in place.
    """
    rng = np.random.default_rng(3)
    y = rng.standard_normal((4, 3)) * 2.0               # V = 4, N = 3: not square
    y_before = y.copy()
    got, problem, _ = call_learner(fn, y, name="your softmax", returns="p",
                                   hint="y has shape (V, N) = (4, 3) here.")
    if problem is not None:
        return problem
    if not np.array_equal(y, y_before):
        return Feedback(False, "your softmax changed y in place (e.g. `y -= y.max(...)`); "
                               "build a new array instead: `z = y - y.max(axis=0, "
                               "keepdims=True)`.")
    expected = softmax(y, axis=0)
    if got.shape == expected.shape and not np.allclose(got, expected):
        if np.allclose(got, softmax(y, axis=1)):
            return Feedback(False, "each row sums to 1, but the softmax runs down each column: "
                                   "a column is one time step (or one sequence) and its V "
                                   "entries are the probabilities of the V characters. Use "
                                   "axis=0 in both the max and the sum.")
        e_row = np.exp(y - y.max(axis=1, keepdims=True))
        if np.allclose(got, e_row / e_row.sum(axis=0, keepdims=True)):
            return Feedback(False, "you subtracted each row's max; subtract each column's "
                                   "max, y.max(axis=0, keepdims=True): only a shift of a "
                                   "whole column leaves its softmax unchanged.")
        if np.allclose(got, softmax(y, axis=None)):
            return Feedback(False, "the whole array sums to 1, but each column should: "
                                   "divide by e.sum(axis=0, keepdims=True), not e.sum().")
        slip = _axis_slip(y, got)
        if slip:
            return Feedback(False, slip)
        if np.allclose(got.sum(axis=0), 1):
            return Feedback(False, "the columns sum to 1, but the values are not "
                                   "exp(y) / sum(exp(y)): did you exponentiate?")
    ok = check_array("softmax(y)", got, expected)
    if not ok:
        return ok

    # large logits: exp(1000) is inf in float64, and only each column's own max, subtracted
    # first, keeps both a column near 1000 and one near -1000 finite
    extremes = (
        ("softmax([1000, 1001])", np.array([[1000.0], [1001.0]]),
         "for logits [1000, 1001] your softmax gives {}: exp(1000) overflows to inf and "
         "inf / inf is nan. Subtract each column's max first: `z = y - y.max(axis=0, "
         "keepdims=True)`; the answer is the same, because the shift cancels in the ratio."),
        ("softmax of two far-apart columns", np.array([[1000.0, -1000.0], [1001.0, -1001.0]]),
         "with one column of logits near 1000 and another near -1000 your softmax gives {}: "
         "you subtracted one max for the whole array (or per row), so the second column's "
         "exp() underflows to 0 and 0 / 0 is nan. Subtract each column's own max: "
         "y.max(axis=0, keepdims=True)."),
    )
    for label, logits, overflow in extremes:
        got, problem, _ = call_learner(fn, logits, name="your softmax", returns="p")
        if problem is not None:
            return problem
        if got.shape == logits.shape and not np.all(np.isfinite(got)):
            return Feedback(False, overflow.format(got.tolist()))
        ok = check_array(label, got, softmax(logits, axis=0))
        if not ok:
            return ok
    return Feedback(True, "your softmax is right, normalises each column, and stays finite "
                          "for logits as large as 1000.")


def _loss_cases():
    """Two cases (ps, targets) with T, V, N all different, so wrong axes show up."""
    cases = []
    for seed, (T, V, N) in ((5, (5, 4, 3)), (6, (3, 6, 1))):
        rng = np.random.default_rng(seed)
        ps = softmax(rng.standard_normal((T, V, N)) * 1.5, axis=1)
        targets = rng.integers(0, V, (T, N))
        cases.append((ps, targets))
    return cases


def check_cross_entropy(fn: Callable[..., float]) -> Feedback:
    """Check ``fn(ps, targets)``: sum over time of -log p_t[target_t], averaged over the batch.

    ps (T, V, N) probabilities; targets (T, N) ints; the answer is one number.
    """
    for ps, targets in _loss_cases():
        T, V, N = ps.shape
        t, n = np.indices((T, N))
        picked = ps[t, targets, n]                        # (T, N): p_t[target_t]
        expected = cross_entropy(ps, targets)
        g, problem, _ = call_learner(
            fn, ps.copy(), targets.copy(), name="your cross_entropy", returns="loss",
            kind="number", hint=f"Here ps has shape {ps.shape} = (T, V, N) and targets "
                                f"{targets.shape} = (T, N): step t, sequence n needs "
                                f"ps[t, targets[t, n], n], the vocabulary index in the "
                                f"middle (ps[t, n, targets[t, n]] has them swapped).")
        if problem is not None:
            if "one number" in problem.message:
                return Feedback(False, f"{problem.message} Add up the per-step losses over "
                                       f"time (and average over the batch).")
            return problem
        if np.isclose(g, expected, rtol=1e-9):
            continue
        # common mistakes, each a different number for these shapes
        mistakes = [
            (-expected, "the loss has the wrong sign: it is -log p, a positive number."),
            (expected / T, "that is the mean over time; the loss of a sequence is the sum "
                           "of its per-step losses (as in min-char-rnn), so don't divide by T."),
            (expected * N, "that is the sum over the batch; rnnlib averages over the batch, "
                           "so divide by N (the sum is over time only)."),
            (-np.log(ps).sum() / N, "you took -log of every probability; only the target's "
                                    "probability counts at each step: ps[t, targets[t, n], n]."),
            (-np.log(ps.max(axis=1)).sum() / N, "you used the most likely character's "
                                                "probability; the loss uses the probability "
                                                "of the target, ps[t, targets[t, n], n]."),
            (-np.log(1 - picked).sum() / N, "you used log(1 - p); the loss is -log p of the "
                                            "target."),
            (-picked.sum() / N, "you forgot the log: the loss is -log p, not -p."),
            (-np.log(ps[np.arange(T), targets[:, 0], 0]).sum(),
             "that is the loss of the first sequence only (n = 0); take every column, "
             "ps[t, targets[t, n], n] for all n, and average over the batch."),
        ]

        for value, why in mistakes:
            if np.isclose(g, value, rtol=1e-9):
                return Feedback(False, f"your loss is {g:.6g} but should be {expected:.6g}: "
                                       f"{why}")
        return Feedback(False, f"for ps of shape {ps.shape} your loss is {g:.6g}, expected "
                               f"{expected:.6g}. At each step t take p = ps[t, targets[t, n], n], "
                               f"add up -log p over t, and divide by N.")
    return Feedback(True, "your cross-entropy is right: summed over time, averaged over "
                          "the batch.")
