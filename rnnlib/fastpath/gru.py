"""The fast path of the GRU: its loss, gradients and last state, fused for speed.

The same numbers as ``rnnlib.GRU.loss_and_grads`` (the step loops of gru.py), computed with
every step's arrays as rows, as rnnlib.fastpath describes: the input side Wx x_t + bx of
every step is one pick of columns; r and z are adjacent blocks, so one tanh computes both
sigmoids (the halving of sigmoid(a) = (1 + tanh(a / 2)) / 2 is done once, on the weights);
the factors of the backward pass that do not depend on the gradient are computed for every
step at once, so each backward step is a few multiplications and one product; dWh is one
product over all steps, and dWx a sum of rows by character (for few rows, a product with
the one-hot rows).

Shapes: V = vocabulary size, H = hidden size, T = time steps, N = batch. Inputs and targets
are checked ints (T, N), h0 is (H, N) and every step's r, z, n and h are kept as (T, N, H)
rows; the grads have the keys and shapes of the model's params: Wx (3H, V), Wh (3H, H),
bx (3H, 1), bh (3H, 1), Why (V, H), by (V, 1), the gate blocks in the order r, z, n.
"""
from __future__ import annotations

import numpy as np

from .common import output_layer, sum_rows_by_index
from .rnn import one_hot_rows


def gru_loss_and_grads(P: dict[str, np.ndarray], ix: np.ndarray, tg: np.ndarray,
                       h0: np.ndarray) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
    """GRU loss, grads and h_T (H, N) from checked inputs and targets (T, N) and h0 (H, N).
    Gate blocks of Wx, Wh, bx and bh in the order r, z, n."""
    T, N = ix.shape
    H = P["Why"].shape[1]
    dtype = P["Why"].dtype
    rz_, n_ = slice(0, 2 * H), slice(2 * H, 3 * H)              # the gate blocks of 3H
    bh = P["bh"][:, 0]
    # forward. The input side Wx x_t + bx of every step at once: columns ix of (Wx + bx).
    # r and z add the two biases, so bh_r and bh_z go in here too; n keeps bh_n apart,
    # because r scales Wh_n h_{t-1} + bh_n
    a = np.take(P["Wx"].T + P["bx"].T, ix, axis=0)              # (T, N, 3H)
    a_rz, a_n = a[:, :, rz_], a[:, :, n_]
    a_rz += bh[rz_]
    # sigmoid(a) = (1 + tanh(a / 2)) / 2: the r and z blocks of a and of Wh are halved
    # once here (exactly: halving a float only changes its exponent), so that each step
    # takes tanh of its sum directly
    a_rz *= 0.5
    WhT = P["Wh"].T.copy()                                      # (H, 3H)
    WhT[:, rz_] *= 0.5
    rz = np.empty((T, N, 2 * H), dtype=dtype)                   # r and z side by side
    r, z = rz[:, :, :H], rz[:, :, H:]
    n, hn = (np.empty((T, N, H), dtype=dtype) for _ in range(2))
    hs = np.empty((T + 1, N, H), dtype=dtype)                   # h_0 (h0), h_1, .., h_T
    hs[0] = h0.T
    h, h_before = hs[1:], hs[:-1]                               # h_t and h_{t-1}, t = 1..T
    Wh_h = np.empty((N, 3 * H), dtype=dtype)
    Wh_h_rz, Wh_h_n, bh_n = Wh_h[:, rz_], Wh_h[:, n_], bh[n_]
    # the loops call numpy by local names, with out given by position: at N = 1 a step's
    # cost is mostly the number of numpy calls, and this makes each call quicker
    dot, add, multiply, subtract, tanh = np.dot, np.add, np.multiply, np.subtract, np.tanh
    h_t = hs[0]                                                 # (N, H) rows
    for a_rz_t, a_n_t, rz_t, r_t, z_t, hn_t, n_t, h_next in zip(a_rz, a_n, rz, r, z, hn,
                                                                 n, h):
        dot(h_t, WhT, Wh_h)                                     # Wh h_{t-1}, as rows
        add(a_rz_t, Wh_h_rz, a_rz_t)                            # half r's and z's a
        tanh(a_rz_t, rz_t)
        add(rz_t, 1, rz_t)
        multiply(rz_t, 0.5, rz_t)                               # r and z
        add(Wh_h_n, bh_n, hn_t)                                 # Wh_n h_{t-1} + bh_n
        multiply(r_t, hn_t, n_t)
        add(a_n_t, n_t, a_n_t)
        tanh(a_n_t, n_t)                                        # n
        subtract(h_t, n_t, h_next)                              # h_t = (1 - z) n + z h_{t-1}
        multiply(h_next, z_t, h_next)                           #     = n + z (h_{t-1} - n)
        add(h_next, n_t, h_next)
        h_t = h_next

    h2 = h.reshape(T * N, H)
    loss, dWhy, dby, dh_out = output_layer(P["Why"], P["by"], h2, tg.ravel(), N)
    dh = dh_out.reshape(T, N, H)                                # gets dh_next added in place

    # backward: every factor that does not depend on the gradient, for all steps at once,
    # into memory whose forward values are not needed again: a's r and z blocks (a becomes
    # da_x after the loop), n and hn
    dar_dan, daz_dh = a[:, :, :H], a[:, :, H:2 * H]
    np.multiply(hn, r, out=dar_dan)                             # n's -> r's pre-activation:
    one_minus = np.subtract(1, r, out=hn)                       # (Wh_n h + bh_n) r (1 - r)
    dar_dan *= one_minus
    np.subtract(1, z, out=one_minus)
    np.subtract(h_before, n, out=daz_dh)                        # dh_t -> z's pre-activation:
    daz_dh *= z                                                 # (h_{t-1} - n) z (1 - z)
    daz_dh *= one_minus
    dan_dh = np.multiply(n, n, out=n)                           # dh_t -> n's pre-activation:
    np.subtract(1, dan_dh, out=dan_dh)                          # (1 - z) (1 - n^2)
    dan_dh *= one_minus
    # da_h: the gradient of the recurrent side Wh h_{t-1} + bh, blocks r, z, n; that of the
    # input side, da_x, has the same r and z blocks, and n's pre-activation in block n
    da_h = np.empty((T, N, 3 * H), dtype=dtype)
    da_x = a
    Wh = P["Wh"]
    dh_next = np.zeros((N, H), dtype=dtype)
    steps_back = (dh, da_x[:, :, n_], da_h, da_h[:, :, :H], da_h[:, :, H:2 * H],
                  da_h[:, :, n_], dan_dh, daz_dh, dar_dan, r, z)
    for dh_t, dan, da_h_t, dar, daz, da_hn, dan_dh_t, daz_dh_t, dar_dan_t, r_t, z_t in zip(
            *(x[::-1] for x in steps_back)):                   # steps T, T-1, .., 1
        add(dh_t, dh_next, dh_t)                                # Why^T dy_t + dh_next
        multiply(dh_t, dan_dh_t, dan)
        multiply(dan, dar_dan_t, dar)
        multiply(dh_t, daz_dh_t, daz)
        multiply(dan, r_t, da_hn)                               # r scales Wh_n h + bh_n
        dot(da_h_t, Wh, dh_next)                                # Wh^T da_h, as rows
        multiply(dh_t, z_t, dh_t)
        add(dh_next, dh_t, dh_next)                             # ... + z dh, the direct path
    da_x[:, :, rz_] = da_h[:, :, rz_]

    V = len(P["Why"])
    da_x2, da_h2 = da_x.reshape(T * N, 3 * H), da_h.reshape(T * N, 3 * H)
    dWh = da_h2.T @ h_before.reshape(T * N, H)                  # sum_t da_h_t h_{t-1}^T
    dbh = da_h2.sum(axis=0)[:, None]
    # sum_t da_x_t x_t^T for one-hot x_t. Few rows: one product with the one-hot rows;
    # many: add each row of da_x into its character's column (sum_rows_by_index)
    if T * N <= V:
        dWx = da_x2.T @ one_hot_rows(ix.ravel(), V, dtype)
    else:
        dWx = np.ascontiguousarray(sum_rows_by_index(da_x2, ix.ravel(), V).T)
    dbx = da_x2.sum(axis=0)[:, None]
    grads = {"Wx": dWx, "Wh": dWh, "bx": dbx, "bh": dbh, "Why": dWhy, "by": dby}
    return loss, grads, h[-1].T.copy()
