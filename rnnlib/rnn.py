"""The vanilla character RNN of min-char-rnn, batched over columns.

    h_t = tanh(Wxh x_t + Whh h_{t-1} + bh)      y_t = Why h_t + by      p_t = softmax(y_t)
    loss = sum_t -log p_t[target_t]   (averaged over the batch)

Shapes: V = vocab size, H = hidden size, T = time steps, N = batch (sequences as columns).
Inputs and targets are int arrays (T,) or (T, N); x_t is the one-hot column (V, N), so
``Wxh @ x_t`` is just the columns ``Wxh[:, inputs[t]]`` and that is what the code takes.

The arrays a learner sees (``hs``, ``ps``, ``dh_next``...) are (T, H, N) or (T, V, N):
``hs[t]`` is the column matrix h_t. Internally they are stored batch-major, (T, N, H), so
that every product over all time steps is one matrix multiply; the public arrays are
transposed views of that storage, never copies.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._checks import float_dtype, index_array, positive_int, state_array

PARAM_NAMES = ("Wxh", "Whh", "Why", "bh", "by")


class RNNStepCache(NamedTuple):
    """What one step keeps for its backward step."""
    x: np.ndarray        # (V, N): the input columns x_t (one-hot for characters)
    h_prev: np.ndarray   # (H, N): h_{t-1}
    h: np.ndarray        # (H, N): h_t
    Wxh: np.ndarray      # (H, V), the weights themselves (not copies)
    Whh: np.ndarray      # (H, H)


def rnn_step_forward(x: np.ndarray, h_prev: np.ndarray,
                     params: dict[str, np.ndarray]) -> tuple[np.ndarray, RNNStepCache]:
    """One step: h_t = tanh(Wxh x_t + Whh h_{t-1} + bh), x (V, N), h_prev (H, N).

    ``params`` needs ``Wxh`` (H, V), ``Whh`` (H, H) and ``bh`` (H, 1). x may be any input
    columns: one-hot characters, a layer below's h, or a classifier's features.
    """
    Wxh, Whh, bh = params["Wxh"], params["Whh"], params["bh"]
    h = np.tanh(Wxh @ x + Whh @ h_prev + bh)
    return h, RNNStepCache(x, h_prev, h, Wxh, Whh)


def rnn_step_backward(dh: np.ndarray,
                      cache: RNNStepCache) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """One backward step: dh = dL/dh_t (H, N) -> (grads, dh_prev (H, N)).

        dh_raw = (1 - h_t^2) * dh              the gradient before tanh
        dWxh = dh_raw x_t^T    dWhh = dh_raw h_{t-1}^T    dbh = dh_raw summed over N
        dh_prev = Whh^T dh_raw                 what h_{t-1} gets: the next dh_next

    grads holds ``Wxh``, ``Whh`` and ``bh``: this step's share of their gradients.
    """
    dh_raw = (1 - cache.h * cache.h) * dh
    grads = {"Wxh": dh_raw @ cache.x.T, "Whh": dh_raw @ cache.h_prev.T,
             "bh": dh_raw.sum(axis=1, keepdims=True)}
    return grads, cache.Whh.T @ dh_raw


class RNNCache(NamedTuple):
    """Everything the forward pass computed, kept for the backward pass and for plots."""
    inputs: np.ndarray   # (T, N) int: the characters fed in
    h_prev: np.ndarray   # (H, N): h_0, the state before the first step
    hs: np.ndarray       # (T, H, N): h_t for t = 1..T
    ys: np.ndarray       # (T, V, N): logits
    ps: np.ndarray       # (T, V, N): softmax probabilities
    logps: np.ndarray    # (T, V, N): log p, exact even where p underflows to 0

    @property
    def xs(self) -> np.ndarray:
        """The one-hot inputs x_t, shape (T, V, N) (built on demand)."""
        T, N = self.inputs.shape
        x = np.zeros((T, self.ps.shape[1], N), dtype=self.ps.dtype)
        t, n = np.indices((T, N))
        x[t, self.inputs, n] = 1
        return x

    @property
    def h_last(self) -> np.ndarray:
        """h_T, shape (H, N): the state to carry into the next chunk."""
        return self.hs[-1]


class BackwardTrace(NamedTuple):
    """Per-step quantities of the backward pass (all (T, ., N); index t is step t+1)."""
    dys: np.ndarray      # (T, V, N): dL/dy_t = p_t - onehot(target_t), over N
    dh_out: np.ndarray   # (T, H, N): Why^T dy_t, what h_t gets from its own output
    dh_next: np.ndarray  # (T, H, N): what h_t gets from the future (zero at the last step)
    dh: np.ndarray       # (T, H, N): dL/dh_t = dh_out + dh_next
    dh_raw: np.ndarray   # (T, H, N): (1 - h_t^2) * dh, the gradient before tanh


class Backward(NamedTuple):
    grads: dict          # same keys and shapes as params
    dh_prev: np.ndarray  # (H, N): dL/dh_0, the gradient that leaves the chunk
    trace: BackwardTrace | None


def _cols(a: np.ndarray) -> np.ndarray:
    """(T, N, K) storage -> (T, K, N) view: each [t] is a column matrix."""
    return a.transpose(0, 2, 1)


def _sum_rows_by_index(rows: np.ndarray, ix: np.ndarray, V: int) -> np.ndarray:
    """out[v] = sum of rows[k] over every k with ix[k] == v; rows (K, H) -> out (V, H).

    This is sum_t dh_raw_t x_t^T for one-hot x_t. Sorting the rows by character and
    adding each character's block of rows in one go is much faster than np.add.at,
    which adds row by row.
    """
    # characters fit in 16 bits, and numpy sorts 16-bit integers by radix sort, ~10x faster
    order = np.argsort(ix.astype(np.uint16) if V <= 1 << 16 else ix, kind="stable")
    ix_sorted = ix[order]
    new_run = np.empty(len(ix), dtype=bool)
    new_run[0] = True
    np.not_equal(ix_sorted[1:], ix_sorted[:-1], out=new_run[1:])
    starts = np.flatnonzero(new_run)                              # first row of each run
    rows_sorted = np.take(rows, order, axis=0)
    out = np.zeros((V, rows.shape[1]), dtype=rows.dtype)
    ends = [*starts[1:].tolist(), len(ix)]
    for v, start, end in zip(ix_sorted[starts].tolist(), starts.tolist(), ends):
        rows_sorted[start:end].sum(axis=0, out=out[v])             # all the rows of character v
    return out


def _softmax_layer(hs: np.ndarray, Why: np.ndarray, by: np.ndarray):
    """y_t = Why h_t + by and p_t = softmax(y_t) for every step at once, from (T, N, H) rows.

    Returns ys, ps and log ps as (T, N, V) rows. One exp serves p and log p:
    z = y - max y, log p = z - log sum exp z (exact even where p underflows to 0).
    """
    T, N, H = hs.shape
    ys = np.matmul(hs.reshape(T * N, H), Why.T).reshape(T, N, -1)
    ys += by.T
    z = ys - ys.max(axis=2, keepdims=True)
    ps = np.exp(z)
    total = ps.sum(axis=2, keepdims=True)
    ps /= total
    logps = np.subtract(z, np.log(total), out=z)
    return ys, ps, logps


def _softmax_layer_grads(ps: np.ndarray, targets: np.ndarray, hs: np.ndarray, Why: np.ndarray):
    """Backward through the output layer, from (T, N, V) probabilities and (T, N, H) states.

    dy_t = (p_t - onehot(target_t)) / N, because the loss is a batch mean. Returns dys
    (T, N, V), dWhy, dby and dh_out = Why^T dy_t as (T, N, H) rows.
    """
    T, N, V = ps.shape
    dys = np.multiply(ps, 1 / N, order="C")
    flat = np.arange(T * N) * V + targets.ravel()                # where each target sits
    dys.reshape(-1)[flat] -= 1 / N
    dys2, hs2 = dys.reshape(T * N, V), hs.reshape(T * N, -1)
    dh_out = (dys2 @ Why).reshape(T, N, -1)
    return dys, dys2.T @ hs2, dys2.sum(axis=0)[:, None], dh_out


# loss_and_grads runs the output layer on about this many columns at a time: a (V, 1024)
# block of float32 logits is ~400 KB, small enough to stay in the processor's cache while
# it becomes p and then dy
_OUTPUT_COLUMNS = 1024


class RNN:
    """Vanilla RNN with min-char-rnn's parameters and initialisation.

    params: Wxh (H, V), Whh (H, H), Why (V, H), bh (H, 1), by (V, 1).
    """

    def __init__(self, vocab_size: int, hidden_size: int, seed: int | None = None,
                 dtype=np.float64):
        V = positive_int("vocab_size", vocab_size)
        H = positive_int("hidden_size", hidden_size)
        dt = float_dtype(dtype)
        rng = np.random.default_rng(seed)
        self.params: dict[str, np.ndarray] = {
            "Wxh": (rng.standard_normal((H, V)) * 0.01).astype(dt),
            "Whh": (rng.standard_normal((H, H)) * 0.01).astype(dt),
            "Why": (rng.standard_normal((V, H)) * 0.01).astype(dt),
            "bh": np.zeros((H, 1), dtype=dt),
            "by": np.zeros((V, 1), dtype=dt),
        }

    # sizes are read off the parameters, so a learner may replace them freely
    @property
    def vocab_size(self) -> int:
        return self.params["Why"].shape[0]

    @property
    def hidden_size(self) -> int:
        return self.params["Whh"].shape[0]

    @property
    def dtype(self) -> np.dtype:
        return self.params["Whh"].dtype

    def __repr__(self) -> str:
        return (f"RNN(vocab_size={self.vocab_size}, hidden_size={self.hidden_size}, "
                f"dtype={self.dtype})")

    def initial_state(self, n: int = 1) -> np.ndarray:
        """h_0 = 0, shape (H, n)."""
        return np.zeros((self.hidden_size, n), dtype=self.dtype)

    # ---- forward -----------------------------------------------------------------
    def forward(self, inputs, h_prev=None) -> RNNCache:
        """Run T steps. inputs (T,) or (T, N) ints; h_prev (H, N) or None for zeros."""
        P = self.params
        ix, h0 = self._start(inputs, h_prev)
        hs = self._hidden_states(ix, h0)                            # (T, N, H)
        ys, ps, logps = _softmax_layer(hs, P["Why"], P["by"])
        return RNNCache(ix, h0, _cols(hs), _cols(ys), _cols(ps), _cols(logps))

    def _hidden_states(self, ix: np.ndarray, h0: np.ndarray) -> np.ndarray:
        """h_t = tanh(Wxh x_t + Whh h_{t-1} + bh) for t = 1..T, as (T, N, H) rows."""
        P = self.params
        # Wxh x_t + bh for every step at once: x_t is one-hot, so this is column ix of
        # (Wxh + bh); adding bh to the V columns first is cheaper than to T * N rows.
        hs = np.take(P["Wxh"].T + P["bh"].T, ix, axis=0)            # (T, N, H)
        WhhT = P["Whh"].T
        h, Whh_h = h0.T, np.empty_like(hs[0])                       # (N, H) rows
        for a in hs:                                                 # a: step t's (N, H) rows
            np.matmul(h, WhhT, out=Whh_h)
            a += Whh_h                                               # Wxh x_t + bh + Whh h_{t-1}
            h = np.tanh(a, out=a)                                    # a now holds h_t
        return hs

    def loss(self, cache: RNNCache, targets) -> float:
        """sum_t -log p_t[target_t], averaged over the batch."""
        tg = self._targets(targets, cache.inputs)
        T, N = tg.shape
        t, n = np.arange(T)[:, None], np.arange(N)                   # broadcast to (T, N)
        return float(-cache.logps[t, tg, n].sum() / N)

    # ---- backward ----------------------------------------------------------------
    def backward(self, cache: RNNCache, targets, trace: bool = False) -> Backward:
        """Backpropagation through time over the chunk in ``cache``.

        Returns the parameter gradients, dL/dh_0 and, with ``trace=True``, the per-step
        dy, dh_out, dh_next, dh and dh_raw.
        """
        tg = self._targets(targets, cache.inputs)
        hs = cache.hs.transpose(0, 2, 1)                             # (T, N, H) storage
        dys, dWhy, dby, dh_out = _softmax_layer_grads(cache.ps.transpose(0, 2, 1), tg, hs,
                                                      self.params["Why"])
        dh_raw = dh_out.copy() if trace else dh_out                  # becomes dh_raw in place
        dh_next_all = np.zeros_like(dh_out) if trace else None
        dh_prev = self._through_time(dh_raw, hs, dh_next_all)
        dWxh, dWhh, dbh = self._hidden_grads(dh_raw, hs, cache.h_prev, cache.inputs)
        grads = {"Wxh": dWxh, "Whh": dWhh, "Why": dWhy, "bh": dbh, "by": dby}

        tr = None
        if trace:
            tr = BackwardTrace(_cols(dys), _cols(dh_out), _cols(dh_next_all),
                               _cols(dh_out + dh_next_all), _cols(dh_raw))
        return Backward(grads, dh_prev.T, tr)

    def _through_time(self, dh_raw: np.ndarray, hs: np.ndarray, dh_next_all=None) -> np.ndarray:
        """The backward time loop, from step T down to 1, on (T, N, H) rows.

        ``dh_raw`` comes in holding dh_out and leaves holding dh_raw: at each step
        dh = dh_out + dh_next, then dh_raw = (1 - h_t^2) * dh, and dh_next for the step
        before is Whh^T dh_raw. Returns the last dh_next, dL/dh_0, as (N, H) rows.
        """
        Whh = self.params["Whh"]
        # tanh'(a_t) = 1 - h_t^2 for every step at once, so the loop does only what is serial
        dtanh = np.multiply(hs, hs)
        np.subtract(1, dtanh, out=dtanh)
        dh_next = np.zeros_like(hs[0])
        for t in reversed(range(len(hs))):
            if dh_next_all is not None:
                dh_next_all[t] = dh_next
            dh = dh_raw[t]
            dh += dh_next                                            # dh_out + dh_next
            dh *= dtanh[t]                                           # now dh_raw_t
            dh_next = dh @ Whh                                       # Whh^T dh_raw, as rows
        return dh_next

    def _hidden_grads(self, dh_raw, hs, h_prev, inputs):
        """dWxh, dWhh and dbh from every step's dh_raw ((T, N, H) rows)."""
        T, N, H = dh_raw.shape
        dr2, hs2 = dh_raw.reshape(T * N, H), hs.reshape(T * N, H)
        # sum_t dh_raw_t h_{t-1}^T, where h_0 is h_prev and h_{t-1} for t >= 2 is in hs
        dWhh = dr2[N:].T @ hs2[:-N] + dh_raw[0].T @ h_prev.T
        dWxhT = _sum_rows_by_index(dr2, inputs.ravel(), self.vocab_size)   # (V, H)
        # every dh_raw_t lands in exactly one column of dWxh, so dbh = sum over those columns
        dbh = dWxhT.sum(axis=0)[:, None]
        return np.ascontiguousarray(dWxhT.T), dWhh, dbh

    def loss_and_grads(self, inputs, targets, h_prev=None):
        """min-char-rnn's ``lossFun``: returns (loss, grads, h_last).

        grads has the keys of ``params``; h_last (H, N) is the state to pass as
        ``h_prev`` of the next chunk.

        The numbers are those of ``forward``, ``loss`` and ``backward``, computed for speed:
        the output layer runs on a few time steps at a time, and p becomes dy in place,
        so y and p are never stored for the whole chunk. To look at them, use ``forward``.
        """
        P = self.params
        ix, h0 = self._start(inputs, h_prev)
        tg = self._targets(targets, ix).ravel()
        if ix.shape[1] == 1:
            return self._one_sequence(ix.ravel(), tg, h0)
        hs = self._hidden_states(ix, h0)                            # (T, N, H)
        T, N, H = hs.shape
        hs2 = hs.reshape(T * N, H)
        dh_out = np.empty_like(hs2)
        dWhy, dby = np.zeros_like(P["Why"]), np.zeros_like(P["by"])
        steps = max(1, _OUTPUT_COLUMNS // N)
        y_block = np.empty((self.vocab_size, steps * N), dtype=self.dtype)
        loss = 0.0
        for t in range(0, T, steps):                                 # steps t+1 .. t+steps
            rows = slice(t * N, min(T, t + steps) * N)
            h = hs2[rows]                                            # their h, as rows
            cols = h.shape[0]
            y = np.matmul(P["Why"], h.T, out=y_block[:, :cols])      # (V, cols): y_t columns
            y += P["by"]
            y -= y.max(axis=0)                                       # z = y - max y
            at = (tg[rows], np.arange(cols))                         # each column's target
            loss -= float(y[at].sum())                               # -z[target] ...
            p = np.exp(y, out=y)
            total = p.sum(axis=0)
            loss += float(np.log(total).sum())                       # ... + log sum exp z
            dy = np.multiply(p, np.divide(1 / N, total, out=total), out=p)   # p / N
            dy[at] -= 1 / N                                          # (p - onehot(target)) / N
            dWhy += dy @ h
            dby += dy.sum(axis=1, keepdims=True)
            np.matmul(dy.T, P["Why"], out=dh_out[rows])              # Why^T dy_t, as rows
        dh_raw = dh_out.reshape(T, N, H)
        self._through_time(dh_raw, hs)
        dWxh, dWhh, dbh = self._hidden_grads(dh_raw, hs, h0, ix)
        grads = {"Wxh": dWxh, "Whh": dWhh, "Why": dWhy, "bh": dbh, "by": dby}
        return loss / N, grads, hs[-1].T.copy()

    def _one_sequence(self, ix: np.ndarray, tg: np.ndarray, h0: np.ndarray):
        """loss_and_grads for N = 1, min-char-rnn's own setting, on 1-d vectors.

        At N = 1 every array is tiny and the cost is the number of numpy calls, so the time
        loops make three each per step (a product, an add, tanh; an add, a multiply, a
        product) and everything else is done once for the whole chunk, as (T, .) rows.
        """
        P = self.params
        Wxh, Whh, Why = P["Wxh"], P["Whh"], P["Why"]
        T, (H, V) = len(ix), Wxh.shape
        hs = np.empty((T + 1, H), dtype=self.dtype)                # row t is h_t, row 0 h_0
        hs[0] = h0[:, 0]
        h = hs[1:]                                                 # (T, H): h_1 .. h_T
        np.add(Wxh.T[ix], P["bh"][:, 0], out=h)                    # first Wxh x_t + bh
        rows, Whh_h = list(hs), np.empty(H, dtype=self.dtype)
        dot, tanh = np.dot, np.tanh
        for h_prev, h_t in zip(rows, rows[1:]):                    # (out= given by position:
            h_t += dot(Whh, h_prev, Whh_h)                         #  it is quicker)
            tanh(h_t, h_t)                                         # h_t

        z = np.dot(h, Why.T)                                       # (T, V): y_t as rows
        z += P["by"][:, 0]
        z -= z.max(axis=1, keepdims=True)                          # z = y - max y
        at = np.arange(0, T * V, V) + tg                           # each target in z.flat
        loss = -float(z.ravel()[at].sum())                         # -z[target] ...
        dy = np.exp(z, out=z)
        total = dy.sum(axis=1, keepdims=True)
        loss += float(np.log(total).sum())                         # ... + log sum exp z
        dy /= total                                                # p
        dy.ravel()[at] -= 1                                        # dy = p - onehot(target)
        dh = np.dot(dy, Why)                                       # (T, H): Why^T dy_t

        dtanh = np.multiply(h, h)
        np.subtract(1, dtanh, out=dtanh)                           # 1 - h_t^2, every step
        dh_next = np.zeros(H, dtype=self.dtype)
        for d, dtanh_t in zip(dh[::-1], dtanh[::-1]):              # steps T, T-1, .., 1
            d += dh_next                                           # dh_out + dh_next
            d *= dtanh_t                                           # dh_raw_t
            dot(d, Whh, dh_next)                                   # Whh^T dh_raw_t
        x = np.zeros((T, V), dtype=self.dtype)                     # the one-hot inputs as
        x.ravel()[np.arange(0, T * V, V) + ix] = 1                 # rows, for one product
        grads = {"Wxh": np.dot(dh.T, x), "Whh": np.dot(dh.T, hs[:-1]),
                 "Why": np.dot(dy.T, h), "bh": dh.sum(axis=0)[:, None],
                 "by": dy.sum(axis=0)[:, None]}
        return loss, grads, hs[T:].T.copy()

    # ---- one step, for sampling --------------------------------------------------
    def step(self, ix, h):
        """One step from int indices ix (N,) and state h (H, N) -> (y (V, N), h_next)."""
        P = self.params
        a = P["Whh"] @ h
        a += P["Wxh"][:, ix]
        a += P["bh"]
        h = np.tanh(a, out=a)
        y = P["Why"] @ h
        y += P["by"]
        return y, h

    def _start(self, inputs, h_prev):
        """Checked inputs (T, N) and h_0 (H, N)."""
        ix = index_array("inputs", inputs, self.vocab_size)
        return ix, state_array("h_prev", h_prev, self.hidden_size, ix.shape[1], self.dtype)

    def _targets(self, targets, inputs: np.ndarray) -> np.ndarray:
        tg = index_array("targets", targets, self.vocab_size)
        if tg.shape != inputs.shape:
            raise ValueError(f"targets have shape {tg.shape} but inputs have shape "
                             f"{inputs.shape}; there is one target per input "
                             f"(targets are the inputs shifted by one character).")
        return tg
