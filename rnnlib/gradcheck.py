"""Gradient checking: compare analytic gradients with centred differences.

    dL/dw  ~=  (L(w + eps) - L(w - eps)) / (2 eps)       error O(eps^2)

Use float64: in float32 round-off swamps the difference for any useful eps.

``check_model`` checks ``model.loss_and_grads``: for RNN and LSTM the plain path (forward,
loss, backward, as rnn.py and lstm.py write them), so a subclass that overrides
``backward`` is what gets checked. Shapes are the model's: V = vocabulary size, H = hidden
size, T = time steps, N = batch; inputs and targets are ints (T,) or (T, N), h_prev the
model's state ((H, N), an LSTM's pair (h, c), ...).
"""
from __future__ import annotations

from typing import Any, Callable, Iterable

import numpy as np
from numpy.typing import ArrayLike


def _step_size(eps: Any) -> float:
    """eps as a float, or a clear error: it must be a finite number greater than 0."""
    try:
        value = float(eps)
    except (TypeError, ValueError):
        raise TypeError(f"eps must be a small positive number such as 1e-5, got "
                        f"{eps!r}.") from None
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"eps must be a finite number greater than 0, got {eps!r}: the "
                         f"centred difference divides by 2 * eps. Use a small step such "
                         f"as 1e-5 (float64).")
    return value


def numerical_gradient(f: Callable[[], float], x: np.ndarray, eps: float = 1e-5,
                       indices: Iterable[tuple[int, ...]] | None = None) -> np.ndarray:
    """Centred-difference gradient of the scalar ``f()`` with respect to array ``x``.

    ``x`` is perturbed in place and restored; ``f`` must read it. ``indices`` (a list of
    index tuples) limits the check to some entries; the others are left at 0.
    ``eps`` must be a finite number > 0 (1e-5 suits float64).
    """
    eps = _step_size(eps)
    grad = np.zeros_like(x, dtype=np.float64)
    it = indices if indices is not None else np.ndindex(x.shape)
    for ix in it:
        old = x[ix]
        x[ix] = old + eps
        fp = f()
        x[ix] = old - eps
        fm = f()
        x[ix] = old
        grad[ix] = (fp - fm) / (2 * eps)
    return grad


def rel_error(a: ArrayLike, b: ArrayLike) -> float:
    """||a - b|| / (||a|| + ||b||): 0 when equal, about 1 when unrelated, tiny-safe."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    if denom == 0:
        return 0.0
    return float(np.linalg.norm(a - b) / denom)


def check_model(model: Any, inputs: ArrayLike, targets: ArrayLike, h_prev: Any = None,
                eps: float = 1e-5, num_checks: int | None = None,
                seed: int = 0) -> dict[str, float]:
    """Relative error of every parameter's analytic gradient against centred differences.

    With ``num_checks`` only that many random entries per parameter are compared (both
    sides restricted to those entries), which keeps big models quick.
    Returns {name: relative error}; below ~1e-7 in float64 means the backward pass is right.
    Both sides come from ``model.loss_and_grads``: what a model's own ``backward`` computes
    is what gets checked (training's fused code, rnnlib.fastpath, is tested apart).
    """
    eps = _step_size(eps)
    _, grads, _ = model.loss_and_grads(inputs, targets, h_prev)
    rng = np.random.default_rng(seed)
    errors = {}
    for name, p in model.params.items():
        idx = None
        if num_checks is not None and num_checks < p.size:
            flat = rng.choice(p.size, size=num_checks, replace=False)
            idx = [np.unravel_index(i, p.shape) for i in flat]

        def f():
            return model.loss_and_grads(inputs, targets, h_prev)[0]
        num = numerical_gradient(f, p, eps, idx)
        ana = grads[name]
        if idx is not None:
            sel = tuple(np.array(idx).T)
            num, ana = num[sel], ana[sel]
        errors[name] = rel_error(ana, num)
    return errors
