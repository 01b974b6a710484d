"""Notebook 05's mystery: find the planted bug in an RNN's backward pass.

Each mystery model computes the same loss as :class:`rnnlib.RNN` (the forward pass is
untouched) but its ``backward`` has one slip of :mod:`.slips` planted in it, so one or more
gradients are wrong. A gradient check shows *which* parameters fail; the learner then
reasons from the equations to *which* mistake makes exactly those fail.

    m = mystery_model("A", vocab_size=4, hidden_size=5, seed=0)
    rnnlib.check_model(m, inputs, targets)      # read which rows fail
    check_planted_bug("A", failing={...}, bug=...)

Shapes: V = vocab size, H = hidden size, T = time steps, N = batch.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.typing import ArrayLike

from ..reference import lossfun
from ..rnn import PARAM_NAMES, RNN, Backward, RNNCache
from .feedback import Feedback
from .slips import SLIPS, slip_named

# The menu the learner chooses from, by number: each a slip people really make.
BUG_SLIPS: dict[int, str] = {1: "no_dh_next", 2: "tanh_not_squared", 3: "no_dbh",
                             4: "dWhh_uses_h_t", 5: "dby_overwritten"}
BUGS: dict[int, str] = {n: SLIPS[name].said for n, name in BUG_SLIPS.items()}

# Which parameters each bug breaks (with T >= 2 time steps and weights of a useful size).
BREAKS: dict[int, frozenset] = {n: SLIPS[name].breaks for n, name in BUG_SLIPS.items()}

# Why exactly those parameters fail, told with the equations of the backward pass.
WHY: dict[int, str] = {
    1: ("dh_next carries the loss of later steps back into h_t. Why and by are read off "
        "dy_t and h_t alone, so they never see it and pass. Every gradient computed from "
        "dh_raw_t = (1 - h_t^2) * dh_t (that is dWxh, dWhh and dbh) loses the part that "
        "came from the future, so those three fail. With a single time step there is no "
        "future, and this bug is invisible."),
    2: ("tanh' sits between dh_t and dh_raw_t, so everything computed from dh_raw_t "
        "(dWxh, dWhh, dbh) is wrong; Why and by come before tanh in the backward pass and "
        "pass. Unlike a missing dh_next, this bug shows even with one time step."),
    3: ("dbh = sum_t dh_raw_t is its own line: nothing else reads it. dh_raw_t itself is "
        "right, so dWxh and dWhh pass and only bh fails."),
    4: ("Whh multiplies h_{t-1} in h_t = tanh(Wxh x_t + Whh h_{t-1} + bh), so its gradient "
        "pairs dh_raw_t with h_{t-1}. Pairing it with h_t only damages dWhh: the gradient "
        "that flows on, dh_next = Whh^T dh_raw_t, uses the weights, not dWhh, so every other "
        "parameter passes."),
    5: ("by is added at every step, so its gradient is the sum of dy_t over all steps. "
        "Overwriting keeps only the step the backward loop visits last (t = 1). dy_t "
        "itself is right, so everything else passes and only by fails. With a single time "
        "step the sum has one term, and this bug is invisible."),
}

MYSTERIES: dict[str, int] = {"A": 4, "B": 1, "C": 5}


def backward_with_slip(params: dict[str, np.ndarray], cache: RNNCache, targets: np.ndarray,
                       slip: str | None) -> Backward:
    """The backward pass of ``cache`` with the slip ``slip`` (None: no slip) planted.

    Each of the N sequences runs through min-char-rnn's lossFun with the slip
    (:func:`rnnlib.reference.lossfun`); the gradients are averaged over them, as the loss
    is. cache: the :class:`rnnlib.RNNCache` of the forward pass; targets (T, N) ints.
    Returns the gradients and dL/dh_0 (H, N); no trace.
    """
    N = targets.shape[1]
    grads = {k: np.zeros_like(params[k]) for k in PARAM_NAMES}
    dh_prev = np.zeros_like(cache.h_prev)                  # (H, N)
    for n in range(N):
        _, g, _, dh_0 = lossfun(params, cache.inputs[:, n], targets[:, n],
                                cache.h_prev[:, n:n + 1], slip=slip)
        for k in PARAM_NAMES:
            grads[k] += g[k] / N
        dh_prev[:, n:n + 1] = dh_0 / N
    return Backward(grads, dh_prev, None)


class BuggyRNN(RNN):
    """An RNN whose backward pass has the slip ``slip`` (a key of ``SLIPS``) planted."""

    def __init__(self, vocab_size: int, hidden_size: int, slip: str, seed: int | None = None,
                 name: str = "?"):
        super().__init__(vocab_size, hidden_size, seed=seed)
        slip_named(slip)           # an unknown name fails here, not at the first backward
        self._slip = slip          # private: the learner finds it from the gradient check
        self.name = name

    def __repr__(self) -> str:
        # deliberately silent about which slip it is
        return (f"mystery RNN {self.name!r} (vocab_size={self.vocab_size}, "
                f"hidden_size={self.hidden_size}): one line of its backward pass is wrong")

    def backward(self, cache: RNNCache, targets: ArrayLike, trace: bool = False) -> Backward:
        """The backward pass with the slip planted (no trace, whatever ``trace`` says)."""
        return backward_with_slip(self.params, cache, self._targets(targets, cache.inputs),
                                  self._slip)

    # check_model and Trainer call RNN's loss_and_grads (forward, loss, then this backward),
    # and the fast path steps aside for a model with its own backward: both see the slip


def mystery_model(name: str, vocab_size: int, hidden_size: int, seed: int | None = 0,
                  scale: float = 0.5) -> BuggyRNN:
    """Mystery model ``name`` ("A", "B" or "C") with random weights of size ``scale``.

    The weights are much larger than min-char-rnn's 0.01 start so that every gradient
    path, including the ones through time, is big enough for a bug in it to show.
    """
    key = str(name).strip().upper()
    if key not in MYSTERIES:
        raise ValueError(f"there is no mystery model {name!r}; choose one of "
                         f"{sorted(MYSTERIES)}.")
    m = BuggyRNN(vocab_size, hidden_size, BUG_SLIPS[MYSTERIES[key]], seed=seed, name=key)
    rng = np.random.default_rng(None if seed is None else seed + 1)
    for p in m.params.values():
        p[...] = rng.standard_normal(p.shape) * scale
    return m


def _names(failing) -> tuple[set | None, str]:
    """Turn the learner's answer into a set of parameter names, or explain what is off."""
    if failing is None:
        return None, ("failing is None: list the parameters whose relative error is large, "
                      "e.g. failing = {'Why'}.")
    if isinstance(failing, str):
        failing = [failing]
    try:
        names = {str(f).strip() for f in failing}
    except TypeError:
        return None, (f"failing should be a set of parameter names such as {{'Why', 'by'}}, "
                      f"got {failing!r}.")
    unknown = sorted(names - set(PARAM_NAMES))
    if unknown:
        return None, (f"{unknown} {'is not a parameter' if len(unknown) == 1 else 'are not parameters'}"
                      f"; the RNN's parameters are {list(PARAM_NAMES)} (spelled exactly so).")
    return names, ""


def _listing(names) -> str:
    """{'bh', 'Whh'} -> 'Whh and bh', in the order of the parameters."""
    ordered = [k for k in PARAM_NAMES if k in names]
    return ordered[0] if len(ordered) == 1 else ", ".join(ordered[:-1]) + " and " + ordered[-1]


def _fail(names) -> str:
    return _listing(names) + (" fails" if len(names) == 1 else " fail")


def _bug_number(bug) -> int | None:
    try:
        n = int(str(bug).strip())
    except (TypeError, ValueError):
        return None
    return n if n in BUGS else None


def check_planted_bug(mystery: str, failing: Iterable[str] | str | None = None,
                      bug: int | str | None = None) -> Feedback:
    """Check the learner's diagnosis of mystery model ``mystery``.

    failing: the names of the parameters whose gradient check fails (a set or list);
    bug: the number of the mistake in ``BUGS`` that explains it.
    """
    key = str(mystery).strip().upper()
    if key not in MYSTERIES:
        return Feedback(False, f"there is no mystery model {mystery!r}; use one of "
                               f"{sorted(MYSTERIES)}.")
    truth = MYSTERIES[key]
    names, problem = _names(failing)
    if names is None:
        return Feedback(False, f"Mystery {key}: {problem}")
    if not names:
        return Feedback(False, f"Mystery {key}: failing is empty. Run the gradient check on "
                               f"mystery model {key} and list every parameter whose relative "
                               f"error is far above 1e-7.")
    right = BREAKS[truth]
    if names != right:
        missed, extra = sorted(right - names), sorted(names - right)
        parts = []
        if missed:
            parts.append(f"{_listing(missed)} also fail{'s' if len(missed) == 1 else ''}: "
                         f"look again at the table")
        if extra:
            parts.append(f"{_listing(extra)} pass{'es' if len(extra) == 1 else ''} "
                         f"(below about 1e-7 a relative error is round-off, not a bug)")
        return Feedback(False, f"Mystery {key}: " + "; ".join(parts) + ".")
    n = _bug_number(bug)
    if bug is None:
        return Feedback(False, f"Mystery {key}: right, {_fail(names)}. Now pick the "
                               f"bug (a number 1-{len(BUGS)}) that breaks exactly those.")
    if n is None:
        return Feedback(False, f"Mystery {key}: bug = {bug!r} is not one of the numbers "
                               f"1-{len(BUGS)} of the list.")
    if n == truth:
        return Feedback(True, f"Mystery {key}: {_fail(names)}, bug {n} ({BUGS[n]}). "
                              f"Why exactly these: {WHY[n]}")
    if BREAKS[n] == right:
        return Feedback(False, f"Mystery {key}: bug {n} would break the same parameters, so "
                               f"this table cannot tell them apart. Check the model again on "
                               f"a single time step (inputs[:1], targets[:1]): which of the "
                               f"two bugs needs a next step to show?")
    return Feedback(False, f"Mystery {key}: bug {n} would break {_listing(BREAKS[n])}, but "
                           f"here {_fail(right)}. {_hint_for(truth)}")


def _hint_for(bug: int) -> str:
    failing = [k for k in PARAM_NAMES if k in BREAKS[bug]]
    if len(failing) == 1:
        return (f"Only {failing[0]} fails: look for a line of the backward pass that "
                f"computes d{failing[0]} and that nothing else reads.")
    return ("Why and by pass, so dy_t is right; the mistake is at or after the point where "
            "the backward pass enters the hidden layer.")


def hint(mystery: str) -> str:
    """A nudge for mystery model ``mystery`` that does not give the answer away."""
    key = str(mystery).strip().upper()
    if key not in MYSTERIES:
        raise ValueError(f"there is no mystery model {mystery!r}; use one of "
                         f"{sorted(MYSTERIES)}.")
    return (f"Mystery {key}: ask of each failing parameter which line of the backward pass "
            f"makes its gradient, and of each passing one why that line is untouched. "
            f"{_hint_for(MYSTERIES[key])}")


def explain(bug: int | str) -> str:
    """Why bug number ``bug`` breaks exactly the parameters it breaks."""
    n = _bug_number(bug)
    if n is None:
        raise ValueError(f"bug must be one of the numbers {sorted(BUGS)}, got {bug!r}.")
    return f"Bug {n} ({BUGS[n]}) breaks {_listing(BREAKS[n])}. {WHY[n]}"
