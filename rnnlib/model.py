"""What every character model in rnnlib shares: its parameters, sizes, loss and the
plain ``loss_and_grads`` (forward, loss, backward).

Shapes: V = vocabulary size, H = hidden size, T = time steps, N = batch (sequences side by
side as columns). Inputs and targets are ints (T,) or (T, N); every model ends in the
softmax output layer of :mod:`rnnlib.output`, whose ``Why`` (V, H) gives V and H.
A model class adds ``forward(inputs, h_prev) -> cache``, ``backward(cache, targets) ->
(grads, dh_prev, ..)`` and ``step(ix, state) -> (y, state)``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from ._checks import float_dtype, index_array, state_array, targets_array
from .output import output_loss


def init_params(shapes: dict[str, tuple[int, ...]], seed: int | None, dtype: DTypeLike,
                scale: float = 0.01) -> dict[str, np.ndarray]:
    """min-char-rnn's initialisation: weights randn * scale, biases (names starting with
    "b") zero. Weights are drawn in the order of ``shapes`` from one generator seeded
    with ``seed``, in float64, then cast to ``dtype`` (float64 or float32)."""
    dt = float_dtype(dtype)
    rng = np.random.default_rng(seed)
    return {name: (np.zeros(shape, dtype=dt) if name.startswith("b")
                   else (rng.standard_normal(shape) * scale).astype(dt))
            for name, shape in shapes.items()}


class CharModel:
    """Base of RNN, LSTM, GRU and StackedRNN: sizes read off ``params``, the loss and the
    plain ``loss_and_grads``. Sizes are read off the parameters, so a learner may replace
    them freely."""

    params: dict[str, np.ndarray]

    @property
    def vocab_size(self) -> int:
        """V, the number of characters: the rows of Why."""
        return self.params["Why"].shape[0]

    @property
    def hidden_size(self) -> int:
        """H, the size of h_t: the columns of Why."""
        return self.params["Why"].shape[1]

    @property
    def dtype(self) -> np.dtype:
        return self.params["Why"].dtype

    def _sizes(self) -> str:
        """The sizes that __repr__ shows."""
        return f"vocab_size={self.vocab_size}, hidden_size={self.hidden_size}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._sizes()}, dtype={self.dtype})"

    # ---- states and inputs -----------------------------------------------------------
    def initial_state(self, n: int = 1) -> Any:
        """h_0 = 0, shape (H, n)."""
        return np.zeros((self.hidden_size, n), dtype=self.dtype)

    def checked_state(self, h_prev: Any, n: int) -> Any:
        """A state argument for a batch of n columns, checked: None (zeros) or one array
        (H, n) ((H, 1) is repeated n times). Models with another kind of state (the LSTM's
        pair, a stack's (L, H, N)) override this."""
        if isinstance(h_prev, (tuple, list)) and len(h_prev) == 2:
            raise ValueError(f"a {type(self).__name__}'s state is one array h of shape "
                             f"(hidden_size, batch) = ({self.hidden_size}, {n}), not the "
                             f"LSTM's pair (h, c); pass h alone, model.initial_state({n}), "
                             f"or None to start from zeros.")
        return state_array("h_prev", h_prev, self.hidden_size, n, self.dtype)

    def _inputs(self, inputs) -> np.ndarray:
        """Checked inputs as ints (T, N)."""
        return index_array("inputs", inputs, self.vocab_size)

    def _targets(self, targets, inputs: np.ndarray) -> np.ndarray:
        """Checked targets as ints of the shape of ``inputs``."""
        return targets_array(targets, inputs, self.vocab_size)

    def last_state(self, cache: Any) -> Any:
        """The state after the last step of ``cache``, a copy: h_prev of the next chunk."""
        return cache.h_last.copy()

    # ---- the loss and its gradients ----------------------------------------------------
    def loss(self, cache: Any, targets: ArrayLike) -> float:
        """sum_t -log p_t[target_t], averaged over the batch."""
        return output_loss(cache.logps, self._targets(targets, cache.inputs))

    def loss_and_grads(self, inputs: ArrayLike, targets: ArrayLike,
                       h_prev: Any = None) -> tuple[float, dict[str, np.ndarray], Any]:
        """min-char-rnn's ``lossFun``: forward, loss and backward over one chunk.

        Returns (loss, grads, state): grads has the keys of ``params``, and state is the
        state after the last step, to pass as ``h_prev`` of the next chunk. A subclass
        that overrides ``forward`` or ``backward`` changes what this returns, and so what
        ``check_model`` checks.
        """
        cache = self.forward(inputs, h_prev)
        loss = self.loss(cache, targets)
        grads = self.backward(cache, targets).grads
        return loss, grads, self.last_state(cache)
