"""Check for notebook 04: a backward pass through time written by the learner.

The learner's function has min-char-rnn's shape, ``fn(params, inputs, targets, hprev)``
returning the gradients as a dict with the keys of ``params``. The check runs it on two
small random RNNs whose weights are large enough for every path to matter, compares each
gradient with ``RNN.backward``, says which ones are wrong and, when the answer matches a
common slip (dh_next left out, tanh' forgotten, Whh not transposed...), names the line.

Shapes: V vocabulary, H hidden, T steps; inputs and targets (T,) ints, hprev (H, 1).
"""
from __future__ import annotations

import numpy as np

from ..rnn import PARAM_NAMES, RNN
from . import Feedback

NAMES = PARAM_NAMES          # the gradients a learner returns, by name

# mistake -> the sentence that explains it
MISTAKES = {
    "no_dh_next": "dh leaves out dh_next: h_t feeds both y_t and h_{t+1}, so "
                  "dh = Why.T @ dy + dh_next.",
    "no_tanh": "dh_raw skips the tanh derivative: dh_raw = (1 - hs[t] * hs[t]) * dh.",
    "tanh_not_squared": "dh_raw uses 1 - h, but the tanh derivative is 1 - h²: "
                        "dh_raw = (1 - hs[t] * hs[t]) * dh.",
    "dh_next_not_transposed": "dh_next needs the transpose: dh_next = Whh.T @ dh_raw "
                              "(the gradient goes back through Whh the other way).",
    "dh_next_before_tanh": "dh_next is sent back from dh_raw, the gradient after the tanh "
                           "factor: dh_next = Whh.T @ dh_raw, not Whh.T @ dh.",
    "dWhh_h_t": "dWhh pairs dh_raw with the state that went in, h_{t-1}: "
                "dWhh += dh_raw @ hs[t - 1].T, not hs[t].",
    "dWhh_transposed": "dWhh is transposed: dWhh += dh_raw @ hs[t - 1].T (rows: the unit "
                       "that receives, columns: the unit of h_{t-1} that sends).",
    "dWhh_not_accumulated": "dWhh keeps only one step: use += so every step's "
                            "dh_raw @ hs[t - 1].T is added up (Whh is shared by all steps).",
}


def reference_grads(params: dict, inputs, targets, hprev, mistake: str | None = None) -> dict:
    """min-char-rnn's backward loop, optionally with one of the ``MISTAKES`` made on purpose."""
    Wxh, Whh, Why, bh, by = (params[k] for k in NAMES)
    V = Why.shape[0]
    xs, hs, ps = {}, {-1: np.array(hprev, dtype=float)}, {}
    for t, ix in enumerate(inputs):
        xs[t] = np.zeros((V, 1))
        xs[t][ix] = 1
        hs[t] = np.tanh(Wxh @ xs[t] + Whh @ hs[t - 1] + bh)
        y = Why @ hs[t] + by
        e = np.exp(y - y.max())
        ps[t] = e / e.sum()
    g = {k: np.zeros_like(params[k], dtype=float) for k in NAMES}
    dh_next = np.zeros_like(hs[0])
    for t in reversed(range(len(inputs))):
        dy = ps[t].copy()
        dy[targets[t]] -= 1
        g["Why"] += dy @ hs[t].T
        g["by"] += dy
        dh = Why.T @ dy + (0 if mistake == "no_dh_next" else dh_next)
        if mistake == "no_tanh":
            dh_raw = dh
        elif mistake == "tanh_not_squared":
            dh_raw = (1 - hs[t]) * dh
        else:
            dh_raw = (1 - hs[t] * hs[t]) * dh
        g["bh"] += dh_raw
        g["Wxh"] += dh_raw @ xs[t].T
        if mistake == "dWhh_h_t":
            g["Whh"] += dh_raw @ hs[t].T
        elif mistake == "dWhh_transposed":
            g["Whh"] += hs[t - 1] @ dh_raw.T
        elif mistake == "dWhh_not_accumulated":
            g["Whh"] = dh_raw @ hs[t - 1].T
        else:
            g["Whh"] += dh_raw @ hs[t - 1].T
        if mistake == "dh_next_not_transposed":
            dh_next = Whh @ dh_raw
        elif mistake == "dh_next_before_tanh":
            dh_next = Whh.T @ dh
        else:
            dh_next = Whh.T @ dh_raw
    return g


def _cases():
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


def _library_grads(params, inputs, targets, hprev) -> dict:
    model = RNN(params["Why"].shape[0], params["Whh"].shape[0])
    for k in NAMES:
        model.params[k][...] = params[k]
    return model.backward(model.forward(inputs, hprev), targets).grads


def _close(a, b) -> bool:
    return np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-6, atol=1e-9)


def _listing(names) -> str:
    names = [f"d{n}" for n in names]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def check_backward(fn) -> Feedback:
    """Run ``fn(params, inputs, targets, hprev) -> grads`` and explain what is wrong, if anything.

    grads must be a dict with keys Wxh, Whh, Why, bh, by (as ``params``); the values are
    compared with ``RNN.backward`` on two small random problems.
    """
    if not callable(fn):
        return Feedback(False, f"pass the function itself, e.g. check_backward(my_backward), "
                               f"not {type(fn).__name__} {fn!r}.")
    for params, inputs, targets, hprev in _cases():
        try:
            with np.errstate(all="ignore"):
                got = fn({k: v.copy() for k, v in params.items()}, inputs.copy(),
                         targets.copy(), hprev.copy())
        except Exception as err:  # the learner's code: report whatever it raised
            return Feedback(False, f"your backward pass raised {type(err).__name__}: {err}. "
                                   f"(Here V = {params['Why'].shape[0]}, H = "
                                   f"{params['Whh'].shape[0]}: dy is (V, 1), dh, dh_raw and "
                                   f"dh_next are (H, 1).)")
        if not isinstance(got, dict) or set(got) != set(NAMES):
            keys = sorted(got) if isinstance(got, dict) else type(got).__name__
            return Feedback(False, f"return a dict with the keys {list(NAMES)}, got {keys}.")
        expected = _library_grads(params, inputs, targets, hprev)
        for k in NAMES:
            if got[k] is None or np.shape(got[k]) != expected[k].shape:
                return Feedback(False, f"d{k} should have shape {expected[k].shape} (the shape "
                                       f"of {k}), got {np.shape(got[k])}.")
        wrong = [k for k in NAMES if not _close(got[k], expected[k])]
        if not wrong:
            continue
        right = [k for k in NAMES if k not in wrong]
        summary = (f"{_listing(wrong)} {'is' if len(wrong) == 1 else 'are'} wrong" +
                   (f"; {_listing(right)} {'is' if len(right) == 1 else 'are'} right" if right
                    else "") + ".")
        zero = [k for k in wrong if not np.any(got[k])]
        for mistake, why in MISTAKES.items():
            variant = reference_grads(params, inputs, targets, hprev, mistake)
            if all(_close(got[k], variant[k]) for k in NAMES):
                return Feedback(False, f"{summary} Likely cause: {why}")
        if zero:
            return Feedback(False, f"{summary} {_listing(zero)} "
                                   f"{'is' if len(zero) == 1 else 'are'} all zeros: is a "
                                   f"`# YOUR CODE HERE` line still a placeholder?")
        if set(wrong) <= {"Wxh", "Whh", "bh"} and "Why" in right:
            hint = ("dy, dWhy and dby are fine, so look at the lines after them: dh, dh_raw, "
                    "dh_next, or the dWxh / dWhh / dbh sums.")
            if wrong == ["Whh"]:
                hint = "only dWhh is off: look at its line, dWhh += dh_raw @ hs[t - 1].T."
            return Feedback(False, f"{summary} {hint}")
        return Feedback(False, f"{summary} Start from dy = p_t - onehot(target_t) and check "
                               f"each line against the equations above.")
    return Feedback(True, "all five gradients match rnnlib's backward pass, on two random "
                          "RNNs.")
