"""The fast path: the loss and gradients of an RNN or an LSTM, computed for speed.

rnn.py and lstm.py are written as the notebooks' equations, one time step at a time, and
their ``loss_and_grads`` (forward, loss, backward) is the plain path that ``check_model``
checks. ``Trainer`` calls :func:`loss_and_grads` of this module instead: the same loss,
gradients and last state (the tests hold the two paths to 1e-12 in float64, on random
sizes, batches and start states), with these tricks, each of which changes only the order
of the sums:

- **Batch-major rows.** Every step's h_t is stored as the rows of a (T, N, H) array (the
  transpose of the (H, N) columns of the equations), so the products that do not depend
  on the recurrence (Why h_t, dWhy, Why^T dy_t, dWhh) are each one matrix product over
  all T * N columns at once.
- **The one-hot product is a column pick.** Wxh x_t = Wxh[:, inputs[t]] for the one-hot
  x_t, and (Wxh + bh)[:, ix] adds bh once per character of the vocabulary instead of once
  per column of the batch.
- **Only the recurrence is a Python loop**; 1 - h_t^2 (tanh') is computed for every step
  at once before the backward loop, and each loop step works in place.
- **The output layer a block at a time.** y, the softmax, dy, dWhy and Why^T dy run on about
  ``_OUTPUT_COLUMNS`` columns at a time, so a block stays in the processor's cache, and p
  turns into dy in place: no (T, V, N) array is stored. One exp serves the loss and p:
  with z = y - max y, loss = -z[target] + log sum exp z.
- **dWxh without np.add.at.** sum_t dh_raw_t x_t^T adds each row of dh_raw into the column
  of its input character; sorting the rows by character (a radix sort of 16-bit integers)
  and summing each character's block in one call is many times faster than np.add.at.
  dbh = sum_t dh_raw_t is then the sum of those columns.
- **N = 1 on 1-d vectors**: min-char-rnn's own setting, where the cost is the number of
  numpy calls, not the arithmetic. Three calls per step in each time loop, and the rest
  done once per chunk on (T, .) matrices, the one-hot inputs included.
- **LSTM**: i, f, o are adjacent row blocks, so one sigmoid call computes all three; the
  factors of the backward pass that do not depend on the gradient are computed for every
  step at once; dWh is four products, one per gate block, which OpenBLAS runs faster than
  one big product.

Shapes: V = vocabulary size, H = hidden size, T = time steps, N = batch. Inputs and targets
are ints (T,) or (T, N); states are (H, N) (an LSTM's the pair (h, c)); grads have the keys
and shapes of ``model.params``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._checks import index_array, targets_array
from .lstm import LSTM
from .rnn import RNN

# the methods whose numbers the fused code reproduces, as rnnlib defines them; a model whose
# methods are these (not a subclass's override, nor one patched in later) may be fused
_PLAIN = {base: {name: getattr(base, name) for name in ("forward", "backward", "loss",
                                                        "loss_and_grads")}
          for base in (RNN, LSTM)}

# the output layer runs on about this many columns at a time: a (V, 1024) block of float32
# logits is ~400 KB, small enough to stay in the processor's cache while it becomes p and dy
_OUTPUT_COLUMNS = 1024


def fused_model(model: Any) -> type | None:
    """RNN or LSTM if ``model`` computes what that class computes, so the fused code may
    stand in for it; None otherwise.

    A subclass that overrides ``forward``, ``backward``, ``loss`` or ``loss_and_grads``, an
    instance given one of them, or a class whose method was replaced after import computes
    something of its own: a learner's ``backward``, say. Such a model gets None, and
    :func:`loss_and_grads` calls its own code.
    """
    for base, methods in _PLAIN.items():
        if isinstance(model, base):
            same = all(getattr(getattr(model, name), "__func__", None) is f
                       for name, f in methods.items())
            return base if same else None
    return None


def loss_and_grads(model: Any, inputs: ArrayLike, targets: ArrayLike, h_prev: Any = None,
                   out: dict[str, np.ndarray] | None = None
                   ) -> tuple[float, dict[str, np.ndarray], Any]:
    """``model.loss_and_grads(inputs, targets, h_prev)``, fused for speed where it may be.

    For an RNN or an LSTM (see :func:`fused_model`) it computes the same (loss, grads,
    state) with the tricks of this module; any other model's own ``loss_and_grads`` is
    called, so a learner's override is never skipped.

    ``out``, if given, is a dict of arrays with the keys, shapes and dtype of
    ``model.params`` (C-ordered): the gradients are written into those arrays and ``out``
    is returned as grads. ``Trainer`` passes views into one flat buffer, so that the
    optimizer can update all parameters at once (see rnnlib.optim).
    """
    if out is not None:
        _check_out(out, model.params)
    kind = fused_model(model)
    if kind is None:
        return _into(out, *model.loss_and_grads(inputs, targets, h_prev))
    ix = index_array("inputs", inputs, model.vocab_size)            # (T, N)
    tg = targets_array(targets, ix, model.vocab_size)               # (T, N)
    return fused(kind, model, ix, tg, h_prev, out)


def fused(kind: type, model: Any, ix: np.ndarray, tg: np.ndarray, h_prev: Any = None,
          out: dict[str, np.ndarray] | None = None) -> tuple[float, dict[str, np.ndarray], Any]:
    """The fused code of :func:`loss_and_grads` for a model of ``kind`` (RNN or LSTM, as
    :func:`fused_model` says), without the checks of inputs, targets and ``out``: ix and tg
    must be (T, N) int arrays of indices in 0..V-1, and ``out`` None or as loss_and_grads
    wants it. ``Trainer`` calls it for its own chunks of the encoded text, which need no
    checks; anything else should call :func:`loss_and_grads`.
    """
    state = model.checked_state(h_prev, ix.shape[1])                       # the model's own checks
    if kind is RNN:
        if ix.shape[1] == 1:                                        # writes into out itself
            return _rnn_one_sequence(model.params, ix[:, 0], tg[:, 0], state, out)
        return _into(out, *_rnn_loss_and_grads(model.params, ix, tg, state))
    return _into(out, *_lstm_loss_and_grads(model.params, ix, tg, *state))


def _check_out(out: dict[str, np.ndarray], params: dict[str, np.ndarray]) -> None:
    """``out`` must hold a C-ordered array of each parameter's shape and dtype."""
    for k, p in params.items():
        o = out.get(k)
        if (not isinstance(o, np.ndarray) or o.shape != p.shape or o.dtype != p.dtype
                or not o.flags.c_contiguous):
            got = (f"shape {o.shape}, dtype {o.dtype}" if isinstance(o, np.ndarray)
                   else type(o).__name__)
            raise ValueError(f"out[{k!r}] must be a C-ordered array of shape {p.shape} and "
                             f"dtype {p.dtype}, as params[{k!r}]; got {got}. Pass out=None "
                             f"to get new arrays.")
    if len(out) != len(params):
        raise ValueError(f"out has keys {sorted(out)} but params has {sorted(params)}.")


def _into(out, loss, grads, state):
    """(loss, grads, state), with grads copied into ``out`` if it is given."""
    if out is None:
        return loss, grads, state
    for k, g in grads.items():
        np.copyto(out[k], g)
    return loss, out, state


# ---- shared by both models -----------------------------------------------------------------
def _sum_rows_by_index(rows: np.ndarray, ix: np.ndarray, V: int) -> np.ndarray:
    """out[v] = sum of rows[k] over every k with ix[k] == v; rows (K, H) -> out (V, H).

    This is sum_t dh_raw_t x_t^T (transposed) for one-hot x_t.
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


def _output_layer(Why: np.ndarray, by: np.ndarray, h2: np.ndarray, tg: np.ndarray, N: int):
    """The softmax output layer and its backward pass, from h as (T * N, H) rows and the
    targets (T * N,) in the same order.

    Returns the loss (summed over time, batch mean), dWhy (V, H), dby (V, 1) and
    dh_out = Why^T dy_t as (T * N, H) rows, where dy_t = (p_t - onehot(target_t)) / N.
    """
    TN = len(h2)
    dh_out = np.empty_like(h2)
    dWhy, dby = np.zeros_like(Why), np.zeros_like(by)
    block = max(1, _OUTPUT_COLUMNS // N) * N                     # whole time steps
    y_block = np.empty((len(Why), min(block, TN)), dtype=h2.dtype)
    loss = 0.0
    for start in range(0, TN, block):
        rows = slice(start, min(TN, start + block))
        h = h2[rows]                                             # these steps' h, as rows
        cols = len(h)
        y = np.matmul(Why, h.T, out=y_block[:, :cols])           # (V, cols): y_t columns
        y += by
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
        np.matmul(dy.T, Why, out=dh_out[rows])                   # Why^T dy_t, as rows
    return loss / N, dWhy, dby, dh_out


# ---- RNN -----------------------------------------------------------------------------------
def _rnn_loss_and_grads(P: dict, ix: np.ndarray, tg: np.ndarray, h0: np.ndarray):
    """RNN loss, grads and h_T from checked inputs and targets (T, N) and h0 (H, N)."""
    if ix.shape[1] == 1:
        return _rnn_one_sequence(P, ix[:, 0], tg[:, 0], h0)
    hs = _rnn_hidden_states(P, ix, h0)                           # (T, N, H)
    T, N, H = hs.shape
    loss, dWhy, dby, dh_out = _output_layer(P["Why"], P["by"], hs.reshape(T * N, H),
                                            tg.ravel(), N)
    dh_raw = dh_out.reshape(T, N, H)                             # becomes dh_raw in place
    _rnn_through_time(P["Whh"], dh_raw, hs)
    dWxh, dWhh, dbh = _rnn_hidden_grads(dh_raw, hs, h0, ix, len(P["Why"]))
    grads = {"Wxh": dWxh, "Whh": dWhh, "Why": dWhy, "bh": dbh, "by": dby}
    return loss, grads, hs[-1].T.copy()


def _rnn_hidden_states(P: dict, ix: np.ndarray, h0: np.ndarray) -> np.ndarray:
    """h_t = tanh(Wxh x_t + Whh h_{t-1} + bh) for t = 1..T, as (T, N, H) rows."""
    # Wxh x_t + bh for every step at once: column ix of (Wxh + bh)
    hs = np.take(P["Wxh"].T + P["bh"].T, ix, axis=0)             # (T, N, H)
    WhhT = P["Whh"].T
    h, Whh_h = h0.T, np.empty_like(hs[0])                        # (N, H) rows
    for a in hs:                                                 # a: step t's (N, H) rows
        np.matmul(h, WhhT, out=Whh_h)
        a += Whh_h                                               # Wxh x_t + bh + Whh h_{t-1}
        h = np.tanh(a, out=a)                                    # a now holds h_t
    return hs


def _rnn_through_time(Whh: np.ndarray, dh_raw: np.ndarray, hs: np.ndarray) -> np.ndarray:
    """The backward time loop on (T, N, H) rows, from step T down to 1.

    ``dh_raw`` comes in holding dh_out and leaves holding dh_raw: at each step
    dh = dh_out + dh_next, dh_raw = (1 - h_t^2) * dh, and dh_next = Whh^T dh_raw.
    Returns dL/dh_0 as (N, H) rows.
    """
    dtanh = np.multiply(hs, hs)
    np.subtract(1, dtanh, out=dtanh)                             # 1 - h_t^2, every step
    dh_next = np.zeros_like(hs[0])
    for t in reversed(range(len(hs))):
        dh = dh_raw[t]
        dh += dh_next                                            # dh_out + dh_next
        dh *= dtanh[t]                                           # now dh_raw_t
        dh_next = dh @ Whh                                       # Whh^T dh_raw, as rows
    return dh_next


def _rnn_hidden_grads(dh_raw: np.ndarray, hs: np.ndarray, h0: np.ndarray, ix: np.ndarray,
                      V: int):
    """dWxh, dWhh and dbh from every step's dh_raw ((T, N, H) rows)."""
    T, N, H = dh_raw.shape
    dr2, hs2 = dh_raw.reshape(T * N, H), hs.reshape(T * N, H)
    # sum_t dh_raw_t h_{t-1}^T, where h_0 is h0 and h_{t-1} for t >= 2 is in hs
    dWhh = dr2[N:].T @ hs2[:-N] + dh_raw[0].T @ h0.T
    dWxhT = _sum_rows_by_index(dr2, ix.ravel(), V)               # (V, H)
    # every dh_raw_t lands in exactly one column of dWxh, so dbh = sum over those columns
    dbh = dWxhT.sum(axis=0)[:, None]
    return np.ascontiguousarray(dWxhT.T), dWhh, dbh


def _rnn_one_sequence(P: dict, ix: np.ndarray, tg: np.ndarray, h0: np.ndarray,
                      out: dict | None = None):
    """The RNN's loss, grads and h_T for N = 1, on 1-d vectors: ix and tg (T,), h0 (H, 1).

    At N = 1 every array is tiny and the cost is the number of numpy calls, so the time
    loops make three each per step (a product, an add, tanh; an add, a multiply, a
    product) and everything else is done once for the whole chunk, as (T, .) rows. The
    gradients go into the arrays of ``out`` if it is given (checked by the caller), else
    into new ones.
    """
    Wxh, Whh, Why = P["Wxh"], P["Whh"], P["Why"]
    T, (H, V) = len(ix), Wxh.shape
    hs = np.empty((T + 1, H), dtype=Why.dtype)                 # row t is h_t, row 0 h_0
    hs[0] = h0[:, 0]
    h = hs[1:]                                                 # (T, H): h_1 .. h_T
    np.add(Wxh.T[ix], P["bh"][:, 0], out=h)                    # first Wxh x_t + bh
    rows, Whh_h = list(hs), np.empty(H, dtype=Why.dtype)
    dot, tanh = np.dot, np.tanh
    for h_prev, h_t in zip(rows, rows[1:]):                    # (out= given by position:
        h_t += dot(Whh, h_prev, Whh_h)                         #  it is quicker)
        tanh(h_t, h_t)                                         # h_t

    z = np.dot(h, Why.T)                                       # (T, V): y_t as rows
    z += P["by"][:, 0]
    z -= z.max(axis=1, keepdims=True)                          # z = y - max y
    at = np.arange(0, T * V, V) + tg                           # each target in z.flat
    z_target = z.ravel()[at].sum()
    dy = np.exp(z, out=z)
    total = dy.sum(axis=1, keepdims=True)
    loss = float(np.log(total).sum() - z_target)               # log sum exp z - z[target]
    dy /= total                                                # p
    dy.ravel()[at] -= 1                                        # dy = p - onehot(target)
    dh = np.dot(dy, Why)                                       # (T, H): Why^T dy_t

    dtanh = np.multiply(h, h)
    np.subtract(1, dtanh, out=dtanh)                           # 1 - h_t^2, every step
    dh_next = np.zeros(H, dtype=Why.dtype)
    for d, dtanh_t in zip(dh[::-1], dtanh[::-1]):              # steps T, T-1, .., 1
        d += dh_next                                           # dh_out + dh_next
        d *= dtanh_t                                           # dh_raw_t
        dot(d, Whh, dh_next)                                   # Whh^T dh_raw_t
    x = np.zeros((T, V), dtype=Why.dtype)                      # the one-hot inputs as
    x.ravel()[np.arange(0, T * V, V) + ix] = 1                 # rows, for one product
    if out is None:
        out = {k: np.empty(p.shape, dtype=Why.dtype) for k, p in P.items()}
    grads = out
    np.dot(dh.T, x, grads["Wxh"])
    np.dot(dh.T, hs[:-1], grads["Whh"])
    np.dot(dy.T, h, grads["Why"])
    dh.sum(axis=0, out=grads["bh"][:, 0])
    dy.sum(axis=0, out=grads["by"][:, 0])
    return loss, grads, hs[T:].T.copy()


# ---- LSTM ----------------------------------------------------------------------------------
def _sigmoid(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-a)) as 0.5 (1 + tanh(a / 2)), into ``out``: it never overflows."""
    np.multiply(a, 0.5, out=out)
    np.tanh(out, out=out)
    out += 1
    out *= 0.5
    return out


def _lstm_loss_and_grads(P: dict, ix: np.ndarray, tg: np.ndarray, h0: np.ndarray,
                         c0: np.ndarray):
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

    loss, dWhy, dby, dh_out = _output_layer(P["Why"], P["by"], h.reshape(T * N, H),
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
    dWx = np.ascontiguousarray(_sum_rows_by_index(da2, ix.ravel(), len(P["Why"])).T)
    grads = {"Wx": dWx, "Wh": dWh, "b": db, "Why": dWhy, "by": dby}
    return loss, grads, (h[-1].T.copy(), c[-1].T.copy())
