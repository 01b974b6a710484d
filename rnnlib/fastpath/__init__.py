"""The fast path: an RNN's, LSTM's, GRU's or stacked RNN's loss and gradients, for speed.

rnn.py, lstm.py, gru.py and stacked.py are written as the notebooks' equations, one time
step at a time, and their ``loss_and_grads`` (forward, loss, backward) is the plain path that ``check_model``
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
- **The output layer a block at a time.** y, the softmax, dy, dWhy and Why^T dy run on
  about ``common.OUTPUT_COLUMNS`` columns at a time, so a block stays in the processor's
  cache, and p turns into dy in place: no (T, V, N) array is stored. One exp serves the loss and p:
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
- **GRU**: r and z come from one tanh call, as for the LSTM's gates; the factors of the
  backward pass are computed for every step at once, in memory the forward pass is done
  with.
- **Stacked RNN**: a layer above the first reads the layer below's states through one
  product over all T * N rows, and hands its gradient down through another; only each
  layer's recurrence is a loop.

This module chooses the path and checks the arguments; the fused code is in
``fastpath.rnn``, ``fastpath.lstm``, ``fastpath.gru`` and ``fastpath.stacked``, and the
output layer and the dWxh sums they share in ``fastpath.common``.

Shapes: V = vocabulary size, H = hidden size, T = time steps, N = batch. Inputs and targets
are ints (T,) or (T, N); states are (H, N) (an LSTM's the pair (h, c), a stacked RNN's
(L, H, N) with L = layers); grads have the keys and shapes of ``model.params``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._checks import index_array, targets_array
from ..gru import GRU
from ..lstm import LSTM
from ..rnn import RNN
from ..stacked import StackedRNN
from .gru import gru_loss_and_grads
from .lstm import lstm_loss_and_grads
from .rnn import rnn_loss_and_grads, rnn_one_sequence
from .stacked import stacked_loss_and_grads, stacked_one_sequence

# the methods whose numbers the fused code reproduces, as rnnlib defines them; a model whose
# methods are these (not a subclass's override, nor one patched in later) may be fused
_PLAIN = {base: {name: getattr(base, name) for name in ("forward", "backward", "loss",
                                                        "loss_and_grads")}
          for base in (RNN, LSTM, GRU, StackedRNN)}


def fused_model(model: Any) -> type | None:
    """RNN, LSTM, GRU or StackedRNN if ``model`` computes what that class computes, so the
    fused code may stand in for it; None otherwise.

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

    For an RNN, LSTM, GRU or StackedRNN (see :func:`fused_model`) it computes the same
    (loss, grads, state) with the tricks of this module; any other model's own ``loss_and_grads`` is
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
    """The fused code of :func:`loss_and_grads` for a model of ``kind`` (a class that
    :func:`fused_model` returns), without the checks of inputs, targets and ``out``: ix and tg
    must be (T, N) int arrays of indices in 0..V-1, and ``out`` None or as loss_and_grads
    wants it. ``Trainer`` calls it for its own chunks of the encoded text, which need no
    checks; anything else should call :func:`loss_and_grads`.
    """
    state = model.checked_state(h_prev, ix.shape[1])                       # the model's own checks
    if kind is RNN:
        if ix.shape[1] == 1:                                        # writes into out itself
            return rnn_one_sequence(model.params, ix[:, 0], tg[:, 0], state, out)
        return _into(out, *rnn_loss_and_grads(model.params, ix, tg, state))
    if kind is StackedRNN:
        if ix.shape[1] == 1:                                        # writes into out itself
            return stacked_one_sequence(model.params, ix[:, 0], tg[:, 0], state, out)
        return _into(out, *stacked_loss_and_grads(model.params, ix, tg, state))
    if kind is GRU:
        return _into(out, *gru_loss_and_grads(model.params, ix, tg, state))
    return _into(out, *lstm_loss_and_grads(model.params, ix, tg, *state))


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
