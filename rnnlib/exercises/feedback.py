"""What every exercise check shares: the verdict it shows, and the call of the learner's code.

- :class:`Feedback`: truthy when the answer is right; shown in a notebook as a green or red
  box with a sentence that names the problem.
- :func:`call_learner`: calls a learner's function and turns each way it can fail (not a
  function, an exception, ``None`` returned, the wrong type or shape) into a Feedback.
- :func:`check_array` and :func:`check_value`: compare an answer with the expected one and
  explain the first problem found (wrong shape, transposed, off by a factor, wrong sign...).

Arrays follow rnnlib's convention (columns are time steps or batch entries, rows are
vocabulary or hidden units), which is what the "looks transposed" message says.
"""
from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any, NamedTuple

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


class Answer(NamedTuple):
    """What :func:`call_learner` got: the value, or why there is none."""
    value: Any                     # what came back, converted as asked (None if unusable)
    problem: Feedback | None       # why the value cannot be checked; None when it can
    error: Exception | None        # what the learner's function raised, if it did


def _spaced(text: str) -> str:
    return f" {text}" if text else ""


def call_learner(fn: Any, *args: Any, name: str, returns: str | Sequence[str] | None,
                 kind: str = "array", shape: tuple[int, ...] | None = None,
                 where: str = "", hint: str = "", **kwargs: Any) -> Answer:
    """Call the learner's ``fn(*args, **kwargs)`` and check what comes back.

    name: the function as the learner knows it ("rnn_step"); returns: what its ``return``
    line gives, as the exercise spells it ("h_t", or ("c_t", "h_t") for a tuple), or None
    for a function that only changes its arguments. kind says what must come back:

    - "array": one array of numbers, as a float array (of ``shape``, if given);
    - "arrays": a tuple of ``len(returns)`` arrays of numbers, as float arrays;
    - "number": one number, as a float;
    - "dict": a dict of arrays with the keys ``shape`` gives (a dict key -> shape);
    - "any": whatever it is, unchanged.

    where: the sizes of the case, shown with every problem ("(with H=3, N=2)"); hint: what
    to look at when the function raises. Floating-point warnings are silenced: the checks
    diagnose overflow themselves.
    """
    if not callable(fn):
        return Answer(None, Feedback(False, f"pass your function itself, not "
                                            f"{type(fn).__name__} {fn!r}: to pass the "
                                            f"function, write its name with no brackets "
                                            f"after it."), None)
    try:
        with np.errstate(all="ignore"):
            value = fn(*args, **kwargs)
    except Exception as err:  # the learner's code: report whatever it raised, in words
        return Answer(None, Feedback(False, f"{name} raised {type(err).__name__}: {err}"
                                            f"{_spaced(where)}.{_spaced(hint)}"), err)
    if returns is None:
        return Answer(value, None, None)
    names = (returns,) if isinstance(returns, str) else tuple(returns)
    spelled = ", ".join(names)
    if value is None or (kind == "arrays" and isinstance(value, (tuple, list))
                         and any(v is None for v in value)):
        ending = (f"a return line that gives {spelled}" if " " in spelled
                  else f"`return {spelled}`")
        return Answer(None, Feedback(False, f"{name} returned None: finish it with {ending}."),
                      None)
    wrong = _kind_problem(value, name, names, kind, shape, where)
    if wrong:
        return Answer(None, Feedback(False, wrong), None)
    return Answer(_converted(value, kind), None, None)


def _kind_problem(value: Any, name: str, names: tuple[str, ...], kind: str,
                  shape: Any, where: str) -> str:
    """Why ``value`` is not what ``kind`` asks for, or ""."""
    spelled = ", ".join(names)
    if kind == "arrays":
        if not isinstance(value, (tuple, list)) or len(value) != len(names):
            got = (f"a {type(value).__name__} of {len(value)}"
                   if isinstance(value, (tuple, list)) else type(value).__name__)
            return (f"{name} should return the {'pair' if len(names) == 2 else 'tuple'} "
                    f"({spelled}), e.g. `return {spelled}`; got {got}.")
        problems = (_array_problem(v, n, None, where) for n, v in zip(names, value))
        return next((p for p in problems if p), "")
    if kind == "array":
        if isinstance(value, tuple):
            return f"{name} should return one array, {spelled}; got a tuple of {len(value)}."
        return _array_problem(value, spelled, shape, where)
    if kind == "number":
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            return f"{name} should return a number, got {value!r}."
        if arr.size != 1:
            return f"{name} returned an array of shape {arr.shape}; it should return one number."
        return ""
    if kind == "dict":
        keys = list(shape)
        if not isinstance(value, dict) or set(value) != set(keys):
            got = f"a dict with the keys {sorted(value)}" if isinstance(value, dict) \
                else type(value).__name__
            return f"{name} should return a dict with the keys {keys}; got {got}."
        problems = (_array_problem(value[k], f"{spelled}[{k!r}]", shape[k], where)
                    for k in keys)
        return next((p for p in problems if p), "")
    return ""


def _array_problem(value: Any, name: str, shape: tuple[int, ...] | None, where: str) -> str:
    """Why ``value`` is not an array of real numbers (of ``shape``), or ""."""
    if value is None:
        return f"{name} is None: did you forget to return or assign it?"
    if np.iscomplexobj(value):
        return f"{name} holds complex numbers{_spaced(where)}; it should be real."
    try:
        got = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return f"{name} should be an array of numbers, got {type(value).__name__}."
    if shape is not None and got.shape != tuple(shape):
        return shape_problem(name, got.shape, tuple(shape), where)
    return ""


def _converted(value: Any, kind: str) -> Any:
    if kind == "array":
        return np.asarray(value, dtype=float)
    if kind == "arrays":
        return tuple(np.asarray(v, dtype=float) for v in value)
    if kind == "number":
        return float(np.asarray(value, dtype=float))
    if kind == "dict":
        return {k: np.asarray(v, dtype=float) for k, v in value.items()}
    return value


def shape_problem(name: str, got: tuple[int, ...], expected: tuple[int, ...],
                  hint: str = "") -> str:
    """Say how the shape ``got`` of ``name`` differs from ``expected``."""
    extra = _spaced(hint)
    if got == expected[::-1] and len(got) == 2:
        return (f"{name} has shape {got}; expected {expected}. It looks transposed: columns "
                f"are time steps or batch entries here, rows are vocabulary or hidden "
                f"units.{extra}")
    if int(np.prod(got)) == int(np.prod(expected)):
        return (f"{name} has shape {got}; expected {expected} (same number of entries: "
                f"check your reshape).{extra}")
    return f"{name} has shape {got}; expected {expected}.{extra}"


def check_array(name: str, got: Any, expected: Any, rtol: float = 1e-6, atol: float = 1e-9,
                hint: str = "") -> Feedback:
    """Compare an array answer with the expected one and explain the first problem found."""
    if got is None:
        return Feedback(False, f"{name} is None: did you forget to return or assign it?")
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return Feedback(False, f"{name} should be an array of numbers, got {type(got).__name__}.")
    expected = np.asarray(expected, dtype=float)
    extra = _spaced(hint)
    if got.shape != expected.shape:
        return Feedback(False, shape_problem(name, got.shape, expected.shape, hint))
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


def check_value(name: str, got: Any, expected: Any, rtol: float = 1e-6,
                hint: str = "") -> Feedback:
    """Compare a single number (or an exact value such as a string or an int)."""
    extra = _spaced(hint)
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
