"""Input checks shared by the library, with messages written for a learner.

Each check raises ``ValueError`` (or ``TypeError``) naming the argument, the value it
got and what to pass instead.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike


def positive_int(name: str, value: Any) -> int:
    """Return ``value`` as an int, or explain why it is not a positive whole number."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a positive whole number, got {value!r} "
                        f"({type(value).__name__}); pass e.g. {name}=10.")
    if value <= 0:
        raise ValueError(f"{name} must be a positive whole number, got {value}; "
                         f"pass a value of at least 1.")
    return int(value)


def positive_float(name: str, value: Any) -> float:
    """Return ``value`` as a float, or explain why it is not a finite number > 0."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number greater than 0, got {value!r}.") from None
    if not np.isfinite(v) or v <= 0:
        raise ValueError(f"{name} must be a finite number greater than 0, got {value!r}.")
    return v


def float_dtype(dtype: DTypeLike) -> np.dtype:
    """Return float64 or float32 as a numpy dtype; anything else is an error."""
    dt = np.dtype(dtype)
    if dt not in (np.float64, np.float32):
        raise ValueError(f"dtype must be float64 or float32, got {dt}; float64 is the "
                         f"default because gradient checks need it.")
    return dt


def index_array(name: str, value: ArrayLike, vocab_size: int) -> np.ndarray:
    """Return ``value`` as an int array of shape (T, N), checking every index.

    A 1-d array of shape (T,) becomes (T, 1), the single-sequence case of min-char-rnn.
    """
    arr = np.asarray(value)
    if arr.dtype.kind not in "iu":
        if arr.dtype.kind == "f" and arr.size and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        elif arr.dtype.kind in "US":
            raise TypeError(f"{name} must hold integer character indices, got text "
                            f"{value!r}; encode it first with vocab.encode(text).")
        elif arr.size:
            raise TypeError(f"{name} must hold integer indices, got dtype {arr.dtype}.")
        else:
            arr = arr.astype(np.int64)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"{name} must have shape (T,) or (T, N), got shape {arr.shape}.")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); pass at least one time step.")
    bad = (arr < 0) | (arr >= vocab_size)
    if bad.any():
        t, n = np.argwhere(bad)[0]
        raise ValueError(f"{name}[{t}, {n}] = {arr[t, n]} is outside the vocabulary: indices "
                         f"must be in 0..{vocab_size - 1} (vocab_size = {vocab_size}).")
    return arr.astype(np.intp, copy=False)


def state_array(name: str, value: ArrayLike | None, rows: int, n: int,
                dtype: DTypeLike) -> np.ndarray:
    """Return a hidden state of shape (rows, n); None means zeros (h_0 = 0)."""
    if value is None:
        return np.zeros((rows, n), dtype=dtype)
    arr = np.asarray(value, dtype=dtype)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.shape == (rows, 1) and n > 1:
        arr = np.repeat(arr, n, axis=1)
    if arr.shape != (rows, n):
        raise ValueError(f"{name} must have shape ({rows}, {n}) = (hidden_size, batch), "
                         f"got {np.shape(value)}; pass None to start from zeros.")
    return arr


def targets_array(targets: ArrayLike, inputs: np.ndarray, vocab_size: int) -> np.ndarray:
    """Return ``targets`` as an int array of the shape of ``inputs`` (T, N), checked."""
    tg = index_array("targets", targets, vocab_size)
    if tg.shape != inputs.shape:
        raise ValueError(f"targets have shape {tg.shape} but inputs have shape "
                         f"{inputs.shape}; there is one target per input "
                         f"(targets are the inputs shifted by one character).")
    return tg
