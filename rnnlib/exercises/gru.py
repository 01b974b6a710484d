"""Checks for the exercise of notebook 12 (the GRU cell).

``check_gru_cell(gru_cell)`` runs a learner's ``gru_cell(ax, ah, h_prev) -> h_t`` on random
input and recurrent sides and compares it with ``rnnlib.gru.gru_step_forward``. Here
ax = Wx x_t + bx and ah = Wh h_{t-1} + bh, both (3H, N) with the blocks r, z, n. When the
answer disagrees it tries the usual slips (the roles of z and 1 - z swapped, r left out of
the candidate, r applied to the input side too, the blocks read as z, r, n, a sigmoid for n,
no tanh on n, the gates left as raw pre-activations) and names the one that matches.
Shapes: H hidden, N batch; h_prev and h_t (H, N).
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..functional import sigmoid
from ..gru import gru_step_forward
from .feedback import Feedback, call_learner, check_array

_CASES = ((3, 1), (4, 3), (2, 5))     # (H, N): H != N so a transposed answer shows


def _case(H: int, N: int, seed: int):
    """Random ax, ah (3H, N) and h_prev (H, N), and rnnlib's h_t for them.

    A GRU step whose vocabulary is the N columns, fed the characters 0..N-1, has the
    input side Wx[:, 0:N] + bx = ax and the recurrent side Wh h_prev + bh = ah.
    """
    rng = np.random.default_rng(seed)
    params = {"Wx": rng.standard_normal((3 * H, N)) * 1.5,
              "bx": rng.standard_normal((3 * H, 1)) * 0.5,
              "Wh": rng.standard_normal((3 * H, H)),
              "bh": rng.standard_normal((3 * H, 1)) * 0.5}
    h_prev = np.tanh(rng.standard_normal((H, N)) * 1.5)
    ax = params["Wx"] + params["bx"]
    ah = params["Wh"] @ h_prev + params["bh"]
    h_t, _ = gru_step_forward(np.arange(N), h_prev, params)
    return ax, ah, h_prev, h_t


def _mistakes(ax: np.ndarray, ah: np.ndarray, h_prev: np.ndarray) -> dict:
    H = h_prev.shape[0]
    bx = [ax[k * H:(k + 1) * H] for k in range(3)]
    bh = [ah[k * H:(k + 1) * H] for k in range(3)]
    r, z = sigmoid(bx[0] + bh[0]), sigmoid(bx[1] + bh[1])
    n = np.tanh(bx[2] + r * bh[2])
    out = {
        "it swaps z and 1 - z: in rnnlib and PyTorch z is the share of h_prev that is "
        "kept, h_t = (1 - z) * n + z * h_prev (some texts write it the other way round).":
            z * n + (1 - z) * h_prev,
        "it leaves the reset gate out of the candidate: "
        "n = tanh(ax_n + r * ah_n), with ax_n, ah_n the rows 2H:3H.":
            (1 - z) * np.tanh(bx[2] + bh[2]) + z * h_prev,
        "it applies r to the input side too; r scales only the recurrent part: "
        "n = tanh(ax_n + r * ah_n).":
            (1 - z) * np.tanh(r * (bx[2] + bh[2])) + z * h_prev,
        "it reads the blocks in the order z, r, n. Here the rows are r = 0:H, z = H:2H, "
        "n = 2H:3H (PyTorch's order too).":
            (lambda r2, z2: (1 - z2) * np.tanh(bx[2] + r2 * bh[2]) + z2 * h_prev)(z, r),
        "it uses the sigmoid for n. The candidate uses tanh, so it can be negative; only "
        "the gates r and z use the sigmoid.":
            (1 - z) * sigmoid(bx[2] + r * bh[2]) + z * h_prev,
        "it forgets the tanh of the candidate: n = np.tanh(ax_n + r * ah_n).":
            (1 - z) * (bx[2] + r * bh[2]) + z * h_prev,
        "it uses the raw blocks as gates: apply the sigmoid to r and z.":
            (1 - (bx[1] + bh[1])) * np.tanh(bx[2] + (bx[0] + bh[0]) * bh[2])
            + (bx[1] + bh[1]) * h_prev,
        "it returns the candidate n; return the mix h_t = (1 - z) * n + z * h_prev.": n,
    }
    return out


def check_gru_cell(gru_cell: Callable[..., np.ndarray]) -> Feedback:
    """Check ``gru_cell(ax, ah, h_prev) -> h_t`` against rnnlib on random shapes."""
    for k, (H, N) in enumerate(_CASES):
        ax, ah, h_prev, h_ref = _case(H, N, seed=300 + k)
        where = f"(with H={H}, N={N}: ax and ah {ax.shape}, h_prev {h_prev.shape})"
        h_t, problem, _ = call_learner(
            gru_cell, ax.copy(), ah.copy(), h_prev.copy(), name="gru_cell", returns="h_t",
            where=where, hint="Each block ax[k*H:(k+1)*H] is (H, N), like h_prev.")
        if problem is not None:
            return problem
        if h_t.shape == (H, N):
            if np.allclose(h_t, h_ref, rtol=1e-7, atol=1e-10):
                continue
            for message, bad in _mistakes(ax, ah, h_prev).items():
                if np.allclose(h_t, bad, rtol=1e-7, atol=1e-10):
                    return Feedback(False, f"Close: {message}")
        fb = check_array(f"h_t {where}", h_t, h_ref,
                         hint="r, z, n are the three blocks; "
                              "h_t = (1 - z) * n + z * h_prev.")
        if not fb:
            return fb
    shapes = ", ".join(f"(H, N) = {c}" for c in _CASES)
    return Feedback(True, f"gru_cell agrees with rnnlib.GRU for {shapes}: the blocks r, z, n, "
                          f"the reset gate inside the candidate, and h_t mixing n with h_prev.")
