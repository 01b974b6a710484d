"""Check for notebook 07: one step of the sampler, written by the learner.

``fn(y, tau, u)`` takes the logits y (V, 1) of one step, a temperature tau > 0 and a
uniform number u in [0, 1), and returns the index of the sampled character:

    p = softmax(y / tau)        k = the first index with cumsum(p)[k] > u   (inverse CDF)

The check feeds it 2,000 uniform numbers from a fixed seed at a few temperatures and
compares every answer with the expected one; when they differ it names the likely slip
(temperature multiplied or ignored, no max shift, off by one, a non-integer answer) and
shows how often each character came out against how often it should.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..functional import softmax
from .feedback import Feedback, call_learner

N_DRAWS = 2000


def _softmax_t(y: np.ndarray, tau: float) -> np.ndarray:
    """softmax(y / tau) of a column, as a flat vector."""
    return softmax(y.ravel() / tau, axis=0)


def _pick(p: np.ndarray, us: np.ndarray) -> np.ndarray:
    """Inverse CDF for many u at once: the first k with cdf[k] > u."""
    cdf = np.cumsum(p)
    return np.minimum(np.searchsorted(cdf, us, side="right"), len(p) - 1)


def _freq(ixs: np.ndarray, V: int) -> np.ndarray:
    return np.bincount(ixs, minlength=V)[:V] / len(ixs)


def _table(got: np.ndarray, want: np.ndarray) -> str:
    return "; ".join(f"index {k}: {100 * g:.0f}% (expected {100 * w:.0f}%)"
                     for k, (g, w) in enumerate(zip(got, want)))


def _run(fn: Callable[..., int], y: np.ndarray, tau: float, us: np.ndarray
         ) -> tuple[np.ndarray | None, Feedback | None]:
    """The learner's answers for every u, or a Feedback saying why there are none."""
    V = y.shape[0]
    out = np.empty(len(us), dtype=np.intp)
    for j, u in enumerate(us):
        k, problem, _ = call_learner(fn, y.copy(), tau, float(u), name="your function",
                                     returns="k", kind="any",
                                     where=f"(with tau = {tau} and u = {u:.4f})")
        if problem is not None:
            return None, problem
        if isinstance(k, str):
            return None, Feedback(False, f"your function returned the string {k!r}; return "
                                         f"the index (an int), vocab.decode turns it into "
                                         f"a character later.")
        arr = np.asarray(k)
        if arr.size != 1 or arr.dtype.kind not in "iu":
            if arr.size == V:
                return None, Feedback(False, f"your function returned {V} numbers (the "
                                             f"probabilities?); it should return one index: "
                                             f"the character that u picks.")
            return None, Feedback(False, f"your function returned {k!r}; it should return "
                                         f"one whole number, the index of a character "
                                         f"(use int(...)).")
        k = int(arr.item())
        if not 0 <= k < V:
            return None, Feedback(False, f"with u = {u:.4f} your function returned {k}, "
                                         f"outside 0..{V - 1}: there are only {V} "
                                         f"characters.")
        out[j] = k
    return out, None


def check_sample_step(fn: Callable[..., int]) -> Feedback:
    """Check ``fn(y, tau, u) -> k``: temperature softmax, then the inverse CDF."""
    V = 5
    y = np.array([[1.2], [-0.3], [2.0], [0.4], [-1.1]])    # (V, 1); the largest is not first
    us = np.random.default_rng(7).random(N_DRAWS)

    for tau in (1.0, 0.5, 2.0):
        got, err = _run(fn, y, tau, us)
        if err is not None:
            return err
        want_p = _softmax_t(y, tau)
        want = _pick(want_p, us)
        if np.array_equal(got, want):
            continue
        gf = _freq(got, V)
        table = _table(gf, want_p)
        # the usual slips, each a different set of answers for these u
        if np.array_equal(got, _pick(_softmax_t(y, 1.0), us)):
            return Feedback(False, f"with tau = {tau} you sample from softmax(y): the "
                                   f"temperature is ignored. Divide the logits by it first, "
                                   f"softmax(y / tau). Your frequencies: {table}.")
        if np.array_equal(got, _pick(_softmax_t(y, 1 / tau), us)):
            return Feedback(False, f"with tau = {tau} your samples follow softmax(y * tau): "
                                   f"divide the logits by the temperature, don't multiply. "
                                   f"A small tau must make the distribution sharper.")
        p1 = _softmax_t(y, 1.0)
        if np.array_equal(got, _pick(p1 / tau, us)):
            return Feedback(False, "you divided the probabilities by tau after the softmax, "
                                   "so they no longer add up to 1. Divide the logits before "
                                   "the softmax: p = softmax(y / tau).")
        if np.array_equal(got, np.minimum(want + 1, V - 1)) or \
                np.array_equal(got, np.maximum(want - 1, 0)):
            return Feedback(False, "your answers are one index away from the expected ones: "
                                   "return the FIRST k whose cumulative sum cdf[k] is greater "
                                   "than u (for u = 0 that is index 0, if p[0] > 0).")
        if np.array_equal(got, len(want_p) - 1 - _pick(want_p[::-1], us)):
            return Feedback(False, "you walked the cumulative sum from the last character "
                                   "to the first; add up p from index 0 upwards, so that "
                                   "u picks the same character rnnlib.sample does.")
        j = int(np.flatnonzero(got != want)[0])
        return Feedback(False, f"with tau = {tau} and u = {us[j]:.4f} you picked {got[j]}, "
                               f"expected {want[j]} (cumsum(p) = "
                               f"{np.round(np.cumsum(want_p), 3).tolist()}). Over "
                               f"{N_DRAWS} draws: {table}.")

    # a tiny temperature: y / tau reaches about 1000, and exp(1000) overflows
    tau = 0.001
    got, err = _run(fn, y, tau, us[:200])
    if err is not None:
        return Feedback(False, f"{err.message} (tau = {tau} makes y / tau as large as "
                               f"{y.max() / tau:.0f}: subtract the max before exp.)")
    if not np.all(got == int(y.argmax())):
        return Feedback(False, f"with tau = {tau} almost all the probability is on index "
                               f"{int(y.argmax())}, the largest logit, but you returned "
                               f"{sorted(set(got.tolist()))}. y / tau is as large as "
                               f"{y.max() / tau:.0f} and exp() of that overflows to inf: "
                               f"subtract the max of y / tau before the exp.")
    return Feedback(True, f"your sampler matches the expected choice for all {N_DRAWS} draws "
                          f"at tau = 1, 0.5 and 2, and stays finite at tau = {tau}.")
