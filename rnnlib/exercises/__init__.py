"""Exercise checks that tell a learner what is wrong, not just ``False``.

A check returns a :class:`Feedback`: truthy when the answer is right, shown in a notebook
as a green or red box with a sentence that names the problem (wrong shape, transposed,
off by a factor, wrong values at some index...). Solutions live in the notebooks in
collapsible ``<details>`` blocks.
"""
from __future__ import annotations

import html

import numpy as np

from .._style import ERROR, ERROR_EDGE, SUCCESS, SUCCESS_EDGE


class Feedback:
    """The verdict of a check: ``ok`` and a message. Displays itself in a notebook."""

    def __init__(self, ok: bool, message: str):
        self.ok = bool(ok)
        self.message = message

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return ("✔ " if self.ok else "✘ ") + self.message

    def _repr_html_(self) -> str:
        style, edge, mark = ((SUCCESS, SUCCESS_EDGE, "✔ Correct") if self.ok
                             else (ERROR, ERROR_EDGE, "✘ Not yet"))
        return (f'<div style="{style};border-left:4px solid {edge};padding:4px 10px;'
                f'margin:4px 0"><b>{mark}.</b> {html.escape(self.message)}</div>')


def check_array(name: str, got, expected, rtol: float = 1e-6, atol: float = 1e-9,
                hint: str = "") -> Feedback:
    """Compare an array answer with the expected one and explain the first problem found."""
    if got is None:
        return Feedback(False, f"{name} is None: did you forget to return or assign it?")
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return Feedback(False, f"{name} should be an array of numbers, got {type(got).__name__}.")
    expected = np.asarray(expected, dtype=float)
    extra = f" {hint}" if hint else ""
    if got.shape != expected.shape:
        if got.shape == expected.shape[::-1] and got.ndim == 2:
            return Feedback(False, f"{name} has shape {got.shape}; expected {expected.shape}. "
                                   f"It looks transposed: columns are time steps or batch "
                                   f"entries here, rows are vocabulary or hidden units.{extra}")
        if got.size == expected.size:
            return Feedback(False, f"{name} has shape {got.shape}; expected {expected.shape} "
                                   f"(same number of entries: check your reshape).{extra}")
        return Feedback(False, f"{name} has shape {got.shape}; expected {expected.shape}.{extra}")
    if not np.all(np.isfinite(got)):
        return Feedback(False, f"{name} contains inf or nan: look for a division by zero or "
                               f"an exp() that overflows.{extra}")
    if np.allclose(got, expected, rtol=rtol, atol=atol):
        return Feedback(True, f"{name} matches (shape {expected.shape}).")
    if np.allclose(-got, expected, rtol=rtol, atol=atol):
        return Feedback(False, f"{name} has the right size but the wrong sign.{extra}")
    nz = np.abs(got) > atol
    if nz.any():
        ratio = expected[nz] / got[nz]
        if np.allclose(ratio, ratio.flat[0], rtol=1e-6) and not np.isclose(ratio.flat[0], 1):
            return Feedback(False, f"{name} is off by a constant factor: the expected values "
                                   f"are {ratio.flat[0]:.4g} times yours.{extra}")
    diff = np.abs(got - expected)
    where = np.unravel_index(int(diff.argmax()), diff.shape)
    return Feedback(False, f"{name} has the right shape but different values: at index "
                           f"{tuple(int(i) for i in where)} you have {got[where]:.6g}, "
                           f"expected {expected[where]:.6g}.{extra}")


def check_value(name: str, got, expected, rtol: float = 1e-6, hint: str = "") -> Feedback:
    """Compare a single number (or an exact value such as a string or an int)."""
    extra = f" {hint}" if hint else ""
    if isinstance(expected, (int, float, np.number)) and not isinstance(expected, bool):
        try:
            g = float(got)
        except (TypeError, ValueError):
            return Feedback(False, f"{name} should be a number, got {got!r}.{extra}")
        if np.isclose(g, float(expected), rtol=rtol, atol=1e-12):
            return Feedback(True, f"{name} = {g:.6g} is right.")
        return Feedback(False, f"{name} = {g:.6g}, expected {float(expected):.6g}.{extra}")
    if got == expected:
        return Feedback(True, f"{name} = {got!r} is right.")
    return Feedback(False, f"{name} = {got!r} is not right.{extra}")
