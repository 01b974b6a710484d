"""Checks for the exercises of notebook 09 (vanishing and exploding gradients).

``check_scale_to_radius(scale_to_radius)`` runs a learner's function on matrices whose
largest eigenvalue is negative, complex, or smaller than their largest singular value, and
names the usual mistakes (singular value or Frobenius norm instead of the spectral radius,
max eigenvalue without the absolute value, r multiplied but not divided...).
``check_clip_by_norm(clip_by_norm)`` does the same for clipping a whole gradient by its
global norm (per-array norms, elementwise np.clip, scaling gradients already small enough,
scaling the caller's arrays in place).
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .feedback import Feedback, call_learner, check_array


def _spectral_radius(W: np.ndarray) -> float:
    return float(np.abs(np.linalg.eigvals(W)).max())


def _radius_cases():
    """(W, r) pairs that tell the usual mistakes apart."""
    rng = np.random.default_rng(90)
    rotation = np.array([[0.0, -2.0], [2.0, 0.0]])             # eigenvalues +-2i
    negative = np.diag([-3.0, 2.0, 0.5])                        # largest |eigenvalue| is -3
    shear = np.array([[0.5, 4.0], [0.0, 0.5]])                  # radius 0.5, norm about 4
    return [(negative, 0.5), (rng.standard_normal((5, 5)), 0.9), (rotation, 1.5),
            (shear, 1.2), (rng.standard_normal((8, 8)) * 0.3, 1.0)]


def _radius_mistakes(W: np.ndarray, r: float) -> dict:
    ev = np.linalg.eigvals(W)
    rho = _spectral_radius(W)
    return {
        "it divides by the largest singular value, np.linalg.norm(W, 2); the spectral "
        "radius is the largest |eigenvalue|, which can be much smaller.":
            W * r / np.linalg.norm(W, 2),
        "it divides by the Frobenius norm, np.linalg.norm(W); use the largest absolute "
        "eigenvalue.": W * r / np.linalg.norm(W),
        "it takes the largest eigenvalue without the absolute value: eigenvalues can be "
        "negative or complex, so use np.abs(np.linalg.eigvals(W)).max().":
            W * r / float(np.max(ev.real)) if np.max(ev.real) != 0 else None,
        "it multiplies by r but forgets to divide by the current radius first.": W * r,
        "it divides by r instead of multiplying: W * r / radius.": W / (r * rho),
        "it scales by radius / r, upside down: W * r / radius.": W * rho / r,
    }


def check_scale_to_radius(scale_to_radius: Callable[..., np.ndarray]) -> Feedback:
    """Check ``scale_to_radius(W, r) -> W_scaled`` (same direction, spectral radius r)."""
    for W, r in _radius_cases():
        where = f"(for a {W.shape[0]}x{W.shape[1]} matrix with radius " \
                f"{_spectral_radius(W):.3g} and r = {r})"
        W_in = W.copy()
        got, problem, _ = call_learner(scale_to_radius, W_in, r, name="scale_to_radius",
                                       returns="W_scaled", where=where)
        if problem is not None:
            if "complex" in problem.message:
                return Feedback(False, f"{problem.message} scale_to_radius divides by an "
                                       f"eigenvalue itself. Eigenvalues can be complex; "
                                       f"divide by the largest of their absolute values, "
                                       f"np.abs(np.linalg.eigvals(W)).max().")
            return problem
        expected = W * (r / _spectral_radius(W))
        if got.shape == W.shape and not np.all(np.isfinite(got)):
            return Feedback(False, f"W_scaled contains inf or nan {where}: it divides by "
                                   f"something that is 0 here. The largest absolute "
                                   f"eigenvalue, np.abs(np.linalg.eigvals(W)).max(), is 0 "
                                   f"only for a matrix that has no radius to scale.")
        if got.shape == W.shape and np.allclose(got, expected, rtol=1e-8, atol=1e-12):
            if not np.array_equal(W_in, W):
                return Feedback(False, "the result is right, but scale_to_radius also "
                                       "changed the W it was given; return a new array "
                                       "(W * factor) instead of scaling W in place.")
            continue
        if got.shape == W.shape:
            for message, wrong in _radius_mistakes(W, r).items():
                if wrong is not None and np.allclose(got, wrong, rtol=1e-8, atol=1e-12):
                    return Feedback(False, f"Not yet {where}: {message}")
        return check_array(f"W_scaled {where}", got, expected,
                           hint="W_scaled = W * (r / max|eigenvalue of W|).")
    return Feedback(True, "scale_to_radius gives spectral radius r for every test matrix, "
                          "including ones with negative and complex eigenvalues.")


def _clip_cases():
    rng = np.random.default_rng(91)
    shapes = {"Wxh": (4, 3), "Whh": (4, 4), "bh": (4, 1)}
    big = {k: rng.standard_normal(s) * 6 for k, s in shapes.items()}     # norm well above 5
    small = {k: rng.standard_normal(s) * 0.2 for k, s in shapes.items()}  # norm below 5
    lopsided = {k: np.full(s, 0.1) for k, s in shapes.items()}
    lopsided["Whh"][0, 0] = 40.0                       # one huge entry, the rest small
    return [(big, 5.0), (small, 5.0), (lopsided, 5.0), (big, 1.0)]


def _global_norm(grads: dict) -> float:
    return float(np.sqrt(sum(float((g * g).sum()) for g in grads.values())))


def _clip_mistakes(grads: dict, max_norm: float) -> dict:
    total = _global_norm(grads)
    return {
        "it clips each array by its own norm; clip by one norm over all the arrays "
        "together, sqrt of the sum of every squared entry.":
            {k: g * min(1.0, max_norm / np.linalg.norm(g)) for k, g in grads.items()},
        "it clips each entry to [-max_norm, max_norm] with np.clip; that is what Adagrad "
        "does, and it changes the direction. Here scale the whole gradient instead.":
            {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()},
        "it rescales gradients that were already small enough: only scale when the norm "
        "is above max_norm.": {k: g * (max_norm / total) for k, g in grads.items()},
        "it scales by norm / max_norm, upside down: multiply by max_norm / norm.":
            {k: g * (total / max_norm) for k, g in grads.items()} if total > max_norm
            else grads,
        "it uses the sum of the norms of the arrays instead of the norm of them all "
        "together.": {k: g * min(1.0, max_norm / sum(np.linalg.norm(x) for x in
                                                     grads.values())) for k, g in
                      grads.items()},
    }


def check_clip_by_norm(clip_by_norm: Callable[..., dict]) -> Feedback:
    """Check ``clip_by_norm(grads, max_norm) -> dict``: the whole gradient scaled down so
    its global norm is at most max_norm, and left alone when it already is."""
    for grads, max_norm in _clip_cases():
        total = _global_norm(grads)
        where = f"(for gradients with global norm {total:.3g} and max_norm = {max_norm})"
        given = {k: g.copy() for k, g in grads.items()}
        got, problem, _ = call_learner(clip_by_norm, given, max_norm, name="clip_by_norm",
                                       returns="clipped", kind="dict", where=where,
                                       shape={k: g.shape for k, g in grads.items()})
        if problem is not None:
            return problem
        factor = min(1.0, max_norm / total)
        expected = {k: g * factor for k, g in grads.items()}
        if all(np.shape(got[k]) == g.shape and np.allclose(got[k], g, rtol=1e-9, atol=1e-12)
               for k, g in expected.items()):
            changed = [k for k in grads if not np.array_equal(given[k], grads[k])]
            if changed:
                return Feedback(False, f"the result is right, but clip_by_norm also scaled "
                                       f"the arrays it was given ({', '.join(changed)}) "
                                       f"{where}: the caller's gradients changed too. Return "
                                       f"new arrays, clipped[k] = g * factor, instead of "
                                       f"scaling in place with g *= factor.")
            continue
        for message, wrong in _clip_mistakes(grads, max_norm).items():
            if all(np.shape(got[k]) == g.shape and np.allclose(got[k], g, rtol=1e-9,
                                                               atol=1e-12)
                   for k, g in wrong.items()):
                return Feedback(False, f"Not yet {where}: {message}")
        for k in grads:
            fb = check_array(f"clipped[{k!r}] {where}", got[k], expected[k],
                             hint="scale every array by min(1, max_norm / global_norm).")
            if not fb:
                return fb
    return Feedback(True, "clip_by_norm scales a too-large gradient down to max_norm as a "
                          "whole, keeping its direction, and leaves a small one alone.")
