"""The GRU: a gated character model whose new state mixes the old one with a candidate.

Shapes: V = vocab size, H = hidden size, T = time steps, N = batch (sequences as columns).
Inputs and targets are int arrays (T,) or (T, N), x_t the one-hot column (V, N); the state
is one array h of shape (H, N), as for :class:`rnnlib.RNN`, so ``Trainer``, ``sample``,
``prime`` and ``check_model`` use it unchanged. The gate blocks follow ``torch.nn.GRU``:
rows 0:H are r (reset), H:2H are z (update), 2H:3H are n (candidate), and there are two
biases, ``bx`` and ``bh``, as torch's ``bias_ih`` and ``bias_hh``::

    r = sigmoid(Wx_r x_t + bx_r + Wh_r h_{t-1} + bh_r)          (H, N)
    z = sigmoid(Wx_z x_t + bx_z + Wh_z h_{t-1} + bh_z)          (H, N)
    n = tanh(Wx_n x_t + bx_n + r * (Wh_n h_{t-1} + bh_n))       (H, N)
    h_t = (1 - z) * n + z * h_{t-1}                              (H, N)

The step pair ``gru_step_forward`` / ``gru_step_backward`` is the cell written as these
equations (``gru_gate_grads`` is the backward step up to the pre-activations); the class
runs the pair over T steps and adds the softmax output layer of :mod:`rnnlib.output`.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from ._checks import positive_int
from .functional import one_hot, sigmoid
from .model import CharModel, init_params
from .output import output_backward, output_forward

PARAM_NAMES = ("Wx", "Wh", "bx", "bh", "Why", "by")
GATES = ("r", "z", "n")   # the order of the three row blocks of Wx, Wh, bx and bh


class GRUStepCache(NamedTuple):
    """What one step keeps for its backward step."""
    x_ix: np.ndarray     # (N,) int: the characters fed in
    h_prev: np.ndarray   # (H, N): h_{t-1}
    r: np.ndarray        # (H, N): reset gate, in (0, 1)
    z: np.ndarray        # (H, N): update gate, in (0, 1)
    n: np.ndarray        # (H, N): candidate state, in (-1, 1)
    hn: np.ndarray       # (H, N): Wh_n h_{t-1} + bh_n, the part that r scales
    Wx: np.ndarray       # (3H, V), the weights themselves (not copies)
    Wh: np.ndarray       # (3H, H)


def gru_step_forward(x_ix: np.ndarray, h_prev: np.ndarray,
                     params: dict[str, np.ndarray]) -> tuple[np.ndarray, GRUStepCache]:
    """One GRU step: characters ``x_ix`` (N,) and h_prev (H, N) -> (h (H, N), cache).

    ``params`` needs ``Wx`` (3H, V), ``Wh`` (3H, H), ``bx`` and ``bh`` (3H, 1).
    """
    Wx, Wh, bx, bh = params["Wx"], params["Wh"], params["bx"], params["bh"]
    H = Wh.shape[1]
    x_ix = np.asarray(x_ix).reshape(-1)
    ax = Wx[:, x_ix] + bx                                   # (3H, N): Wx x_t + bx, x one-hot
    ah = Wh @ h_prev + bh                                   # (3H, N): Wh h_{t-1} + bh
    r = sigmoid(ax[:H] + ah[:H])
    z = sigmoid(ax[H:2 * H] + ah[H:2 * H])
    hn = ah[2 * H:]
    n = np.tanh(ax[2 * H:] + r * hn)
    h = (1 - z) * n + z * h_prev
    return h, GRUStepCache(x_ix, h_prev, r, z, n, hn, Wx, Wh)


def gru_gate_grads(dh: np.ndarray,
                   cache: GRUStepCache) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The backward step up to the weights: dh = dL/dh_t (H, N) -> (da_x, da_h, dh_prev).

    da_x (3H, N) is the gradient of the input side Wx x_t + bx, da_h (3H, N) that of the
    recurrent side Wh h_{t-1} + bh (they differ only in the n block, which r scales), and
    dh_prev (H, N) is dL/dh_{t-1}.
    """
    h_prev, r, z, n, hn = cache.h_prev, cache.r, cache.z, cache.n, cache.hn
    dn = dh * (1 - z)                                       # h_t = (1 - z) n + z h_{t-1}
    dz = dh * (h_prev - n)
    dan = dn * (1 - n ** 2)                                 # through tanh
    dr = dan * hn                                           # n's pre-activation has r * hn
    dar = dr * r * (1 - r)                                  # through sigmoid
    daz = dz * z * (1 - z)
    da_x = np.vstack([dar, daz, dan])
    da_h = np.vstack([dar, daz, dan * r])
    dh_prev = dh * z + cache.Wh.T @ da_h                   # the direct path and through Wh
    return da_x, da_h, dh_prev


def gru_step_backward(dh: np.ndarray,
                      cache: GRUStepCache) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """One backward step: dh = dL/dh_t (H, N) -> (grads, dh_prev (H, N)).

    grads holds ``Wx``, ``Wh``, ``bx`` and ``bh``: this step's share of their gradients.
    """
    da_x, da_h, dh_prev = gru_gate_grads(dh, cache)
    x = one_hot(cache.x_ix, cache.Wx.shape[1], dh.dtype)                # x_t, one-hot (V, N)
    grads = {"Wx": da_x @ x.T, "Wh": da_h @ cache.h_prev.T,
             "bx": da_x.sum(axis=1, keepdims=True), "bh": da_h.sum(axis=1, keepdims=True)}
    return grads, dh_prev


class GRUCache(NamedTuple):
    """Everything the forward pass computed, kept for the backward pass and for plots."""
    inputs: np.ndarray   # (T, N) int: the characters fed in
    h_prev: np.ndarray   # (H, N): h_0
    r: np.ndarray        # (T, H, N): reset gate
    z: np.ndarray        # (T, H, N): update gate (1 keeps the old state)
    n: np.ndarray        # (T, H, N): candidate state
    hn: np.ndarray       # (T, H, N): Wh_n h_{t-1} + bh_n
    h: np.ndarray        # (T, H, N): hidden state h_t
    ys: np.ndarray       # (T, V, N): logits
    ps: np.ndarray       # (T, V, N): softmax probabilities
    logps: np.ndarray    # (T, V, N): log p, exact even where p underflows to 0

    @property
    def hs(self) -> np.ndarray:
        """h_t, (T, H, N): RNNCache's name, for plots."""
        return self.h

    @property
    def h_last(self) -> np.ndarray:
        """h_T, shape (H, N)."""
        return self.h[-1]

    @property
    def xs(self) -> np.ndarray:
        """The one-hot inputs x_t, shape (T, V, N) (built on demand)."""
        return one_hot(self.inputs, self.ps.shape[1], self.ps.dtype)

    def step_cache(self, t: int, params: dict[str, np.ndarray]) -> GRUStepCache:
        """The cache of step t + 1 (t = 0..T-1), as ``gru_step_forward`` returned it."""
        h_before = self.h[t - 1] if t > 0 else self.h_prev
        return GRUStepCache(self.inputs[t], h_before, self.r[t], self.z[t], self.n[t],
                            self.hn[t], params["Wx"], params["Wh"])


class GRUBackwardTrace(NamedTuple):
    """Per-step quantities of the backward pass (all (T, ., N); index t is step t+1)."""
    dys: np.ndarray      # (T, V, N): dL/dy_t = p_t - onehot(target_t), over N
    dh_next: np.ndarray  # (T, H, N): what h_t gets from step t+1 (zero at the last step)
    dh: np.ndarray       # (T, H, N): dL/dh_t = Why^T dy_t + dh_next
    da_x: np.ndarray     # (T, 3H, N): gradient of Wx x_t + bx, blocks r, z, n
    da_h: np.ndarray     # (T, 3H, N): gradient of Wh h_{t-1} + bh, blocks r, z, n


class GRUBackward(NamedTuple):
    grads: dict          # same keys and shapes as params
    dh_prev: np.ndarray  # (H, N): dL/dh_0
    trace: GRUBackwardTrace | None


class GRU(CharModel):
    """Gated recurrent unit with a softmax output, min-char-rnn's initialisation.

    params: ``Wx`` (3H, V), ``Wh`` (3H, H), ``bx`` (3H, 1), ``bh`` (3H, 1), ``Why`` (V, H),
    ``by`` (V, 1); the 3H rows are the blocks r, z, n (torch's ``weight_ih_l0``,
    ``weight_hh_l0``, ``bias_ih_l0`` and ``bias_hh_l0`` have this layout).
    """

    def __init__(self, vocab_size: int, hidden_size: int, seed: int | None = None,
                 dtype: DTypeLike = np.float64) -> None:
        V = positive_int("vocab_size", vocab_size)
        H = positive_int("hidden_size", hidden_size)
        self.params: dict[str, np.ndarray] = init_params(
            {"Wx": (3 * H, V), "Wh": (3 * H, H), "bx": (3 * H, 1), "bh": (3 * H, 1),
             "Why": (V, H), "by": (V, 1)}, seed, dtype)

    # ---- forward -----------------------------------------------------------------------
    def forward(self, inputs: ArrayLike, h_prev: ArrayLike | None = None) -> GRUCache:
        """Run T steps. inputs (T,) or (T, N) ints; h_prev (H, N) or None for zeros."""
        P = self.params
        ix = self._inputs(inputs)
        T, N = ix.shape
        h = h0 = self.checked_state(h_prev, N)
        r, z, n, hn, hs = (np.empty((T, self.hidden_size, N), dtype=self.dtype)
                           for _ in range(5))
        for t in range(T):
            h, step = gru_step_forward(ix[t], h, P)
            r[t], z[t], n[t], hn[t], hs[t] = step.r, step.z, step.n, step.hn, h
        out = output_forward(hs, P["Why"], P["by"])                 # y_t, p_t: (T, V, N)
        return GRUCache(ix, h0, r, z, n, hn, hs, out.y, out.p, out.logp)

    # ---- backward ----------------------------------------------------------------------
    def backward(self, cache: GRUCache, targets: ArrayLike,
                 trace: bool = False) -> GRUBackward:
        """Backpropagation through time over the chunk in ``cache``.

        The loop runs from step T down to 1 through ``gru_gate_grads``, the step backward
        up to the two sides' pre-activations, which also gives dh_prev; the weights'
        shares of each step (what ``gru_step_backward`` adds to them) are summed after it,
        all steps in one product. Returns the parameter gradients, dL/dh_0 and, with
        ``trace=True``, the per-step dy, dh_next, dh, da_x and da_h.
        """
        P = self.params
        tg = self._targets(targets, cache.inputs)
        out = output_backward(cache.ps, tg, cache.h, P["Why"])      # dy_t and Why^T dy_t
        T, H, N = cache.h.shape
        dh_all, dh_next_all = np.empty_like(cache.h), np.empty_like(cache.h)
        da_x, da_h = (np.empty((T, 3 * H, N), dtype=self.dtype) for _ in "xh")
        dh_next = np.zeros((H, N), dtype=self.dtype)                # nothing after step T
        for t in reversed(range(T)):
            dh = dh_all[t] = out.dh[t] + dh_next                     # dL/dh_t
            dh_next_all[t] = dh_next
            da_x[t], da_h[t], dh_next = gru_gate_grads(dh, cache.step_cache(t, P))

        # the weights' shares of every step (gru_step_backward's grads), summed over time:
        # each sum over t and the batch is one product, (3H, T N) @ (T N, V or H)
        h_before = np.concatenate([cache.h_prev[None], cache.h[:-1]])   # h_{t-1}: (T, H, N)
        over_t_and_n = ([0, 2], [0, 2])
        grads = {"Wx": np.tensordot(da_x, cache.xs, over_t_and_n),     # sum_t da_x_t x_t^T
                 "Wh": np.tensordot(da_h, h_before, over_t_and_n),     # sum_t da_h_t h_{t-1}^T
                 "bx": da_x.sum(axis=(0, 2))[:, None], "bh": da_h.sum(axis=(0, 2))[:, None],
                 "Why": out.dWhy, "by": out.dby}
        tr = GRUBackwardTrace(out.dy, dh_next_all, dh_all, da_x, da_h) if trace else None
        return GRUBackward(grads, dh_next, tr)

    # ---- one step, for sampling --------------------------------------------------
    def step(self, ix: ArrayLike, h: ArrayLike | None) -> tuple[np.ndarray, np.ndarray]:
        """One step from int indices ix (N,) and state h (H, N) -> (y (V, N), h_next)."""
        P = self.params
        h = self.checked_state(h, len(np.atleast_1d(ix)))
        h, _ = gru_step_forward(ix, h, P)
        return P["Why"] @ h + P["by"], h
