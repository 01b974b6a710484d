"""The fast path of the LSTM: its loss, gradients and last (h, c), fused for speed.

The same numbers as ``rnnlib.LSTM.loss_and_grads`` (the step loops of lstm.py), computed
with every step's arrays as rows: i, f, o are adjacent row blocks, so one sigmoid call
computes all three; the factors of the backward pass that do not depend on the gradient
are computed for every step at once; dWh is four products, one per gate block.

Shapes: V = vocabulary size, H = hidden size, T = time steps, N = batch. Inputs and targets
are checked ints (T, N), h0 and c0 are (H, N); the grads have the keys and shapes of the
model's params: Wx (4H, V), Wh (4H, H), b (4H, 1), Why (V, H), by (V, 1), the gate blocks
in the order i, f, o, g.
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


def lstm_loss_and_grads(P: dict[str, np.ndarray], ix: np.ndarray, tg: np.ndarray,
                        h0: np.ndarray, c0: np.ndarray
                        ) -> tuple[float, dict[str, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """LSTM loss, grads and (h_T, c_T) from checked inputs and targets (T, N) and h0, c0
    (H, N). Gate blocks of Wx, Wh and b in the order i, f, o, g."""
    T, N = ix.shape
    H = P["Why"].shape[1]
    dtype = P["Why"].dtype
    # forward: a_t = Wx x_t + Wh h_{t-1} + b, with Wx x_t + b picked for every step at once
    a = np.take(P["Wx"].T, ix, axis=0)                          # (T, N, 4H)
    a += P["b"].T
    WhT = P["Wh"].T
    ifo = np.empty((T, N, 3 * H), dtype=dtype)                  # i, f, o side by side
    g, c, h = (np.empty((T, N, H), dtype=dtype) for _ in range(3))
    h_t, c_t = h0.T, c0.T                                       # (N, H) rows
    for t in range(T):
        a_t = a[t]
        a_t += h_t @ WhT                                        # (N, 4H)
        _sigmoid(a_t[:, :3 * H], out=ifo[t])
        np.tanh(a_t[:, 3 * H:], out=g[t])
        i_t, f_t, o_t = ifo[t, :, :H], ifo[t, :, H:2 * H], ifo[t, :, 2 * H:]
        c_t = c[t] = f_t * c_t + i_t * g[t]                     # the additive path
        h_t = h[t] = o_t * np.tanh(c_t)
    i, f, o = ifo[:, :, :H], ifo[:, :, H:2 * H], ifo[:, :, 2 * H:]

    loss, dWhy, dby, dh_out = output_layer(P["Why"], P["by"], h.reshape(T * N, H),
                                            tg.ravel(), N)
    dh_out = dh_out.reshape(T, N, H)

    # backward: every factor that does not depend on the gradient, for all steps at once
    tanh_c = np.tanh(c)
    c_before = np.concatenate([c0.T[None], c[:-1]])             # c_{t-1}: (T, N, H)
    dc_from_h = o * (1 - tanh_c ** 2)                           # dc_t / dh_t
    da_i = g * i * (1 - i)                                      # da_i / dc_t
    da_f = c_before * f * (1 - f)                               # da_f / dc_t
    da_o = tanh_c * o * (1 - o)                                 # da_o / dh_t
    da_g = i * (1 - g ** 2)                                     # da_g / dc_t
    da = np.empty((T, N, 4 * H), dtype=dtype)
    dh_next = np.zeros((N, H), dtype=dtype)
    dc_next = np.zeros((N, H), dtype=dtype)
    Wh = P["Wh"]
    for t in reversed(range(T)):
        dh = dh_out[t] + dh_next
        # c_t reaches the loss through h_t = o tanh(c_t) and through c_{t+1}
        dc = dc_next + dh * dc_from_h[t]
        np.multiply(dc, da_i[t], out=da[t, :, :H])
        np.multiply(dc, da_f[t], out=da[t, :, H:2 * H])
        np.multiply(dh, da_o[t], out=da[t, :, 2 * H:3 * H])
        np.multiply(dc, da_g[t], out=da[t, :, 3 * H:])
        dh_next = da[t] @ Wh                                    # Wh^T da_t, as rows
        dc_next = dc * f[t]                                     # the additive path back

    da2, h2 = da.reshape(T * N, 4 * H), h.reshape(T * N, H)
    # sum_t da_t h_{t-1}^T, where h_0 is h0 and h_{t-1} for t >= 2 is in h; one gate block
    # at a time: four small products run far faster than one big one in OpenBLAS, which
    # splits the big one across threads that cost more than they save
    dWh = np.empty_like(Wh)
    for k in range(4):
        rows_k = slice(k * H, (k + 1) * H)
        dWh[rows_k] = da2[N:, rows_k].T @ h2[:-N] + da[0, :, rows_k].T @ h0.T
    db = da2.sum(axis=0)[:, None]
    # sum_t da_t x_t^T for one-hot x_t: add each row of da into its character's column
    dWx = np.ascontiguousarray(sum_rows_by_index(da2, ix.ravel(), len(P["Why"])).T)
    grads = {"Wx": dWx, "Wh": dWh, "b": db, "Why": dWhy, "by": dby}
    return loss, grads, (h[-1].T.copy(), c[-1].T.copy())
