"""Checks for the exercises of notebook 11 (many-to-one classification).

``check_to_columns(fn)``: a function turning a (N, T, F) batch into rnnlib's (T, F, N).
``check_output_backward(fn)``: the first step of the many-to-one backward pass,
dy = (p - onehot(label)) / N and dh_T = Why^T dy.
Each runs the learner's function on cases with distinct sizes, so a transposed or
reshaped answer shows, and names the usual mistake when the answer matches one.
Shapes: N batch, T time steps, F features, H hidden, C classes.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..functional import one_hot
from .feedback import Feedback, call_learner, check_array

_LAYOUT_CASES = ((3, 3, 2), (4, 5, 2), (2, 6, 3))        # (N, T, F)
_BACKWARD_CASES = ((2, 3, 1), (3, 5, 4), (4, 2, 3))      # (C, H, N)


def check_to_columns(to_columns: Callable[..., np.ndarray]) -> Feedback:
    """Check ``to_columns(X_ntf) -> X_cols`` with X_cols[t, :, n] == X_ntf[n, t, :]."""
    for k, (N, T, F) in enumerate(_LAYOUT_CASES):
        X = np.random.default_rng(40 + k).standard_normal((N, T, F))
        got, problem, _ = call_learner(to_columns, X.copy(), name="to_columns",
                                       returns="X_cols",
                                       where=f"(for X of shape (N, T, F) = {X.shape})")
        if problem is not None:
            return problem
        expected = X.transpose(1, 2, 0)
        where = f"For a batch of shape (N, T, F) = {X.shape}"
        if got.shape == expected.shape and np.array_equal(got, expected):
            continue
        mistakes = {
            "you reshaped it: reshape keeps the numbers in memory order, so sequences and "
            "time steps get mixed. Move the axes with X.transpose(...) instead.":
                X.reshape(T, F, N),
            "X.T (or transpose() with no axes) reverses all axes, giving (F, T, N). You "
            "want axis 1 (time) first, then axis 2 (features), then axis 0 (batch).":
                X.transpose(2, 1, 0),
            "the batch axis stayed first: you have (N, F, T) but the batch goes last, "
            "as columns.": X.transpose(0, 2, 1),
            "you have (T, N, F): the features must be the rows of each column matrix, "
            "so the order is (T, F, N).": X.transpose(1, 0, 2),
        }
        for msg, wrong in mistakes.items():
            if got.shape == wrong.shape and np.allclose(got, wrong):
                return Feedback(False, f"{where}: {msg}")
        if got.shape != expected.shape:
            return Feedback(False, f"{where} the answer should have shape (T, F, N) = "
                                   f"{expected.shape}, got {got.shape}.")
        return Feedback(False, f"{where} the shape {got.shape} is right but the values "
                               f"are not X[n, t, :] at [t, :, n]; move the axes with "
                               f"transpose, don't copy values by hand.")
    return Feedback(True, "to_columns turns (N, T, F) into (T, F, N) for every batch tried, "
                          "including the (3, 3, 2) one of the many-to-one numpy RNN notes.")


def _minus_one(p: np.ndarray, index: tuple, N: int):
    """(p - 1 at ``index``, numpy's fancy-index rules) / N, or None for an invalid index."""
    out = p.copy()
    try:
        out[index] -= 1
    except IndexError:
        return None
    return out / N


def check_output_backward(output_backward: Callable[..., tuple]) -> Feedback:
    """Check ``output_backward(p, labels, Why) -> (dy, dh_T)`` on random batches."""
    for k, (C, H, N) in enumerate(_BACKWARD_CASES):
        rng = np.random.default_rng(70 + k)
        y = rng.standard_normal((C, N))
        p = np.exp(y) / np.exp(y).sum(axis=0)
        labels = rng.integers(0, C, N)
        Why = rng.standard_normal((C, H))
        dy = (p - one_hot(labels, C)) / N
        dh_T = Why.T @ dy
        where = f"(with C={C} classes, H={H}, N={N}: p {p.shape}, Why {Why.shape})"
        p_given = p.copy()
        got, problem, error = call_learner(output_backward, p_given, labels.copy(), Why.copy(),
                                           name="output_backward", returns=("dy", "dh_T"),
                                           kind="arrays", where=where)
        if isinstance(error, IndexError):
            return Feedback(False, f"{problem.message} dy is (C, N), one row per class and "
                                   f"one column per sequence; if you wrote dy[np.arange(N), "
                                   f"labels], the indices are in the wrong order: "
                                   f"dy[labels, np.arange(N)] -= 1, row (class) first.")
        if problem is not None:
            return problem
        got_dy, got_dh = got
        if not np.array_equal(p_given, p):
            return Feedback(False, f"output_backward wrote into the p it was given {where}: "
                                   f"`dy = p` does not copy, it is a second name for the same "
                                   f"array, so dy[...] -= 1 changed the forward pass's "
                                   f"probabilities too. Start with dy = p.copy().")
        slips = {
            "you subtracted 1 from whole rows: dy[labels] picks rows (classes) for every "
            "sequence at once. Add the column index, one per sequence: "
            "dy[labels, np.arange(N)] -= 1.": _minus_one(p, (labels,), N),
            "the indices are in the wrong order: dy[np.arange(N), labels] takes row n, "
            "column label. Rows are classes and columns sequences, so write "
            "dy[labels, np.arange(N)] -= 1.": _minus_one(p, (np.arange(N), labels), N),
        }
        for msg, wrong in slips.items():
            if wrong is not None and got_dy.shape == dy.shape and np.allclose(got_dy, wrong) \
                    and not np.allclose(wrong, dy):
                return Feedback(False, f"dy is not yet right {where}: {msg}")
        if got_dy.shape == dy.shape and np.allclose(got_dy, dy * N) and N > 1:
            return Feedback(False, f"dy is N times too big {where}: the loss is the mean "
                                   f"over the batch, so divide p - onehot by N.")
        if got_dy.shape == dy.shape and np.allclose(got_dy, p / N):
            return Feedback(False, f"dy is p / N {where}: subtract 1 at each sequence's "
                                   f"label first (dy = p - onehot(label)).")
        fb = check_array("dy", got_dy, dy, hint=where)
        if not fb:
            return fb
        if got_dh.shape == (N, H) and np.allclose(got_dh, dh_T.T):
            return Feedback(False, f"dh_T is transposed {where}: it is a column per "
                                   f"sequence, (H, N) = Why.T @ dy.")
        fb = check_array("dh_T", got_dh, dh_T,
                         hint="dh_T = Why.T @ dy: the output weights, transposed, carry dy "
                              f"back to the last hidden state {where}.")
        if not fb:
            return fb
    return Feedback(True, "dy = (p - onehot(label)) / N and dh_T = Why^T dy, right for "
                          "every batch tried. Only h_T receives a gradient from the loss "
                          "directly; every earlier h_t gets it through Whh.")
