"""The fast path of the GRU: its loss, gradients and last state, fused for speed.

The same numbers as ``rnnlib.GRU.loss_and_grads`` (the step loops of gru.py), computed with
every step's arrays as rows, as rnnlib.fastpath describes: the input side Wx x_t + bx of
every step is one pick of columns; r and z are adjacent blocks, so one sigmoid computes
both; the factors of the backward pass that do not depend on the gradient are computed for
every step at once, so each backward step is a few multiplications and one product; dWh
is one product over all steps, and dWx a sum of rows by character.

Shapes: V = vocabulary size, H = hidden size, T = time steps, N = batch. Inputs and targets
are checked ints (T, N), h0 is (H, N) and every step's r, z, n and h are kept as (T, N, H)
rows; the grads have the keys and shapes of the model's params: Wx (3H, V), Wh (3H, H),
bx (3H, 1), bh (3H, 1), Why (V, H), by (V, 1), the gate blocks in the order r, z, n.
"""
from __future__ import annotations

import numpy as np

from .common import output_layer, sum_rows_by_index


def _sigmoid(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-a)) as 0.5 (1 + tanh(a / 2)), into ``out``: it never overflows."""
    np.multiply(a, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1
    out *= 0.5
    return out


def gru_loss_and_grads(P: dict[str, np.ndarray], ix: np.ndarray, tg: np.ndarray,
                       h0: np.ndarray) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
    """GRU loss, grads and h_T (H, N) from checked inputs and targets (T, N) and h0 (H, N).
    Gate blocks of Wx, Wh, bx and bh in the order r, z, n."""
    T, N = ix.shape
    H = P["Why"].shape[1]
    dtype = P["Why"].dtype
    rz_, n_ = slice(0, 2 * H), slice(2 * H, 3 * H)              # the gate blocks of 3H
    # forward. The input side Wx x_t + bx of every step at once: columns ix of (Wx + bx).
    # r and z add the two biases, so bh_r and bh_z go in here too; n keeps bh_n apart,
    # because r scales Wh_n h_{t-1} + bh_n
    bh = P["bh"][:, 0]
    a = np.take(P["Wx"].T + P["bx"].T, ix, axis=0)              # (T, N, 3H)
    a[:, :, rz_] += bh[rz_]
    WhT = P["Wh"].T
    rz = np.empty((T, N, 2 * H), dtype=dtype)                   # r and z side by side
    n, hn, h = (np.empty((T, N, H), dtype=dtype) for _ in range(3))
    Wh_h = np.empty((N, 3 * H), dtype=dtype)
    h_t = h0.T                                                  # (N, H) rows
    for t in range(T):
        a_t = a[t]
        np.matmul(h_t, WhT, out=Wh_h)                           # Wh h_{t-1}, as rows
        a_t[:, rz_] += Wh_h[:, rz_]
        _sigmoid(a_t[:, rz_], out=rz[t])
        r_t, z_t = rz[t, :, :H], rz[t, :, H:]
        np.add(Wh_h[:, n_], bh[n_], out=hn[t])                  # Wh_n h_{t-1} + bh_n
        a_n = a_t[:, n_]
        a_n += r_t * hn[t]
        np.tanh(a_n, out=n[t])
        # h_t = (1 - z) n + z h_{t-1}, as n + z (h_{t-1} - n)
        h_next = np.subtract(h_t, n[t], out=h[t])
        h_next *= z_t
        h_next += n[t]
        h_t = h_next
    r, z = rz[:, :, :H], rz[:, :, H:]

    h2 = h.reshape(T * N, H)
    loss, dWhy, dby, dh_out = output_layer(P["Why"], P["by"], h2, tg.ravel(), N)
    dh = dh_out.reshape(T, N, H)                                # gets dh_next added in place

    # backward: every factor that does not depend on the gradient, for all steps at once
    h_before = np.concatenate([h0.T[None], h[:-1]])             # h_{t-1}: (T, N, H)
    dan_dh = (1 - z) * (1 - n * n)                              # dh_t -> n's pre-activation
    daz_dh = (h_before - n) * z * (1 - z)                       # dh_t -> z's pre-activation
    dar_dan = hn * r * (1 - r)                                  # n's -> r's pre-activation
    # da_h: the gradient of the recurrent side Wh h_{t-1} + bh, blocks r, z, n; the input
    # side's da_x has the same r and z blocks, and n's pre-activation itself in block n
    da_h = np.empty((T, N, 3 * H), dtype=dtype)
    da_x = np.empty((T, N, 3 * H), dtype=dtype)
    Wh = P["Wh"]
    dh_next = np.zeros((N, H), dtype=dtype)
    for t in reversed(range(T)):
        dh_t = dh[t]
        dh_t += dh_next                                         # Why^T dy_t + dh_next
        dan = np.multiply(dh_t, dan_dh[t], out=da_x[t, :, n_])
        np.multiply(dh_t, daz_dh[t], out=da_h[t, :, H:2 * H])
        np.multiply(dan, dar_dan[t], out=da_h[t, :, :H])
        np.multiply(dan, r[t], out=da_h[t, :, n_])              # r scales Wh_n h + bh_n
        np.matmul(da_h[t], Wh, out=dh_next)                     # Wh^T da_h, as rows
        dh_t *= z[t]
        dh_next += dh_t                                         # ... + z * dh, the direct path
    da_x[:, :, rz_] = da_h[:, :, rz_]

    da_x2, da_h2 = da_x.reshape(T * N, 3 * H), da_h.reshape(T * N, 3 * H)
    dWh = da_h2.T @ h_before.reshape(T * N, H)                  # sum_t da_h_t h_{t-1}^T
    dbh = da_h2.sum(axis=0)[:, None]
    # sum_t da_x_t x_t^T for one-hot x_t: add each row of da_x into its character's column;
    # every row lands in exactly one column, so dbx is the sum of those columns
    dWxT = sum_rows_by_index(da_x2, ix.ravel(), len(P["Why"]))  # (V, 3H)
    dbx = dWxT.sum(axis=0)[:, None]
    grads = {"Wx": np.ascontiguousarray(dWxT.T), "Wh": dWh, "bx": dbx, "bh": dbh,
             "Why": dWhy, "by": dby}
    return loss, grads, h[-1].T.copy()
