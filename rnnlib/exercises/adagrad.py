"""Write min-char-rnn's Adagrad update yourself; the check says what is wrong.

The learner writes ``adagrad_step(params, grads, mem, lr=0.1, clip=5.0)`` that changes
``params`` and ``mem`` in place (``mem`` plays min-char-rnn's ``mWxh, mWhh, ...``):

    g = clip(grads[k], -clip, clip);   mem[k] += g * g;   params[k] -= lr * g / sqrt(mem[k] + 1e-8)

:func:`check_adagrad_step` runs it for two steps on arrays chosen so that each classic
mistake gives different numbers: some gradients beyond +-5 (clipping), some of size 1e-5
(where the place of the 1e-8 matters) and a second step (where mem must add up).
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .feedback import Feedback, call_learner

EPS = 1e-8
LR, CLIP = 0.1, 5.0

# Each mistake people make, and what to tell them.
MISTAKES: dict[str, str] = {
    "no_clip": ("the gradients were not clipped: entries beyond ±5 moved the weights too far. "
                "Clip first: g = np.clip(grads[k], -clip, clip)."),
    "mem_of_unclipped": ("mem collected the square of the unclipped gradient; clip g first "
                         "and use the clipped g both in mem and in the step."),
    "no_sqrt": ("the step divides by mem itself; Adagrad divides by its square root: "
                "g / np.sqrt(mem[k] + 1e-8)."),
    "eps_outside_sqrt": ("the 1e-8 is outside the square root. min-char-rnn writes "
                         "np.sqrt(mem[k] + 1e-8); it matters where mem is tiny (gradients "
                         "of 1e-5 here)."),
    "mem_not_accumulated": ("the first step is right but the second is not: mem must add up "
                            "the squared gradients of every step (mem[k] += g * g), not hold "
                            "only the latest one."),
    "mem_after_step": ("mem is updated after the step, so the first step divides by "
                       "sqrt(0 + 1e-8) and is enormous. Add g * g to mem before the step."),
    "no_lr": "the step is not multiplied by the learning rate lr.",
    "wrong_sign": ("the weights moved uphill: subtract the step (params[k] -= ...) to go "
                   "against the gradient."),
}


def adagrad_reference(params: dict, grads: dict, mem: dict, lr: float = LR,
                      clip: float = CLIP, mistake: str | None = None) -> None:
    """min-char-rnn's update in place, or the version with one ``mistake`` of MISTAKES."""
    for k, p in params.items():
        raw = grads[k]
        g = raw if mistake == "no_clip" else np.clip(raw, -clip, clip)
        sq = raw * raw if mistake == "mem_of_unclipped" else g * g
        if mistake == "mem_not_accumulated":
            mem[k][...] = sq
        elif mistake != "mem_after_step":
            mem[k] += sq
        if mistake == "no_sqrt":
            step = g / (mem[k] + EPS)
        elif mistake == "eps_outside_sqrt":
            step = g / (np.sqrt(mem[k]) + EPS)
        else:
            step = g / np.sqrt(mem[k] + EPS)
        if mistake == "mem_after_step":
            mem[k] += sq
        rate = 1.0 if mistake == "no_lr" else lr
        if mistake == "wrong_sign":
            p += rate * step
        else:
            p -= rate * step


def _test_case(seed: int = 0):
    """Parameters, two steps of gradients and zero memories, as min-char-rnn starts."""
    rng = np.random.default_rng(seed)
    params = {"Wxh": rng.standard_normal((3, 4)), "bh": rng.standard_normal((3, 1))}
    steps = []
    for _ in range(2):
        g = {k: rng.standard_normal(p.shape) for k, p in params.items()}
        g["Wxh"][0, :2] = [8.0, -12.0]          # beyond the clip
        g["Wxh"][1, 1] = 3e-5                    # tiny: the place of eps shows
        g["bh"][2, 0] = -2e-5
        steps.append(g)
    mem = {k: np.zeros_like(p) for k, p in params.items()}
    return params, steps, mem


def _copy(d: dict) -> dict:
    return {k: np.array(v, dtype=float, copy=True) for k, v in d.items()}


def _run(fn: Callable, params: dict, steps: list[dict], mem: dict, **kw: float
         ) -> tuple[list[tuple[dict, dict]], Feedback | None]:
    """Apply ``fn`` for each step; return (params, mem) copies after every step, and
    None, or what is left and a Feedback saying why ``fn`` could not run."""
    out = []
    for g in steps:
        _, problem, _ = call_learner(
            fn, params, _copy(g), mem, **kw, name="adagrad_step", returns=None,
            hint="It is called as adagrad_step(params, grads, mem, lr=0.1, clip=5.0), where "
                 "each argument is a dict of arrays with the same keys.")
        if problem is not None:
            return out, problem
        out.append((_copy(params), _copy(mem)))
    return out, None


def _same(a: list, b: list) -> bool:
    return all(np.allclose(pa[k], pb[k], rtol=1e-7, atol=1e-12)
               for (pa, ma), (pb, mb) in zip(a, b) for k in pa
               ) and all(np.allclose(ma[k], mb[k], rtol=1e-7, atol=1e-14)
                         for (pa, ma), (pb, mb) in zip(a, b) for k in ma)


def _rebinding(d: dict, held: dict, name: str, in_place: str) -> str:
    """Say which entry of ``d`` was replaced by a new array instead of changed in place."""
    for k, arr in held.items():
        if d.get(k) is not arr:
            return (f"{name}[{k!r}] is a new array after your step: `{name}[k] = {name}[k] "
                    f"{'-' if name == 'params' else '+'} ...` puts a new array into the dict "
                    f"and leaves the array the caller holds (the model's weights, "
                    f"rnnlib.Adagrad's memory) unchanged. Change it in place: {in_place}.")
    return ""


def check_adagrad_step(fn: Callable | None) -> Feedback:
    """Check the learner's ``adagrad_step(params, grads, mem, lr=0.1, clip=5.0)``."""
    params, steps, mem = _test_case()
    start_p, start_m = _copy(params), _copy(mem)
    held_p, held_m = dict(params), dict(mem)       # the arrays the caller holds
    got, problem = _run(fn, params, steps, mem, lr=LR, clip=CLIP)
    if problem is not None:
        return problem
    rebound = _rebinding(params, held_p, "params", "params[k] -= lr * g / np.sqrt(mem[k] + 1e-8)") \
        or _rebinding(mem, held_m, "mem", "mem[k] += g * g")
    if rebound:
        return Feedback(False, rebound)
    want, _ = _run(adagrad_reference, _copy(start_p), steps, _copy(start_m), lr=LR, clip=CLIP)
    if _same(got, want):
        return Feedback(True, "adagrad_step matches min-char-rnn's update over two steps, "
                              "including clipping and tiny gradients.")
    p1, m1 = got[0]
    if all(np.array_equal(p1[k], start_p[k]) for k in p1):
        return Feedback(False, "params did not change. Update each array in place, e.g. "
                               "params[k] -= ... (writing p = p - ... only makes a new "
                               "array and leaves the model's untouched).")
    if all(np.array_equal(m1[k], start_m[k]) for k in m1):
        return Feedback(False, "mem is still all zeros. Add the squared gradient into it in "
                               "place: mem[k] += g * g.")
    for name, message in MISTAKES.items():
        variant, _ = _run(lambda *a, **kw: adagrad_reference(*a, mistake=name, **kw),
                          _copy(start_p), steps, _copy(start_m), lr=LR, clip=CLIP)
        if _same(got, variant):
            return Feedback(False, message)
    for step, ((gp, gm), (wp, wm)) in enumerate(zip(got, want), start=1):
        for label, g_d, w_d in (("params", gp, wp), ("mem", gm, wm)):
            for k in w_d:
                if not np.allclose(g_d[k], w_d[k], rtol=1e-7, atol=1e-12):
                    diff = np.abs(g_d[k] - w_d[k])
                    ix = tuple(int(i) for i in np.unravel_index(int(diff.argmax()), diff.shape))
                    return Feedback(False, f"after step {step}, {label}[{k!r}]{list(ix)} is "
                                           f"{g_d[k][ix]:.6g}, expected {w_d[k][ix]:.6g}. "
                                           f"Go through the three lines again: clip, "
                                           f"mem += g * g, params -= lr * g / sqrt(mem + 1e-8).")
    return Feedback(False, "the result differs from min-char-rnn's update.")
