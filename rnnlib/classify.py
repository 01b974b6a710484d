"""A many-to-one RNN: read a whole sequence, then classify it from the last hidden state.

    h_t = tanh(Wxh x_t + Whh h_{t-1} + bh)   for t = 1..T,   h_0 = 0
    y = Why h_T + by      p = softmax(y)      loss = -log p[label]   (batch mean)

Shapes: F = features per time step, H = hidden size, C = classes, T = time steps,
N = batch (sequences side by side as columns). Inputs are dense feature columns x_t (F, N),
stored as X (T, F, N); one-hot tokens are the special case F = number of tokens. Labels
are ints (N,); h_t is (H, N) and the class scores y and p are (C, N). Many tutorials lay a
batch out as (N, T, F) with row vectors and X W: :func:`from_batch_first` and
:func:`to_batch_first` convert, and W_row = W_col^T.

The hidden layer is the step pair of :mod:`rnnlib.rnn` (``rnn_step_forward`` /
``rnn_step_backward``) run over the feature columns, and the output is the softmax layer of
:mod:`rnnlib.output`, the character model's, applied to h_T only: C classes, so two
classes need two logits. (With C = 2, p[1] = sigmoid(y[1] - y[0]): a single logit with a
sigmoid is the same model with one row of Why fixed at zero.)
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from ._checks import positive_int, state_array
from .functional import one_hot
from .model import init_params
from .output import output_backward, output_forward, output_loss
from .rnn import RNNStepCache, rnn_step_backward, rnn_step_forward

PARAM_NAMES = ("Wxh", "Whh", "Why", "bh", "by")


def from_batch_first(X_ntf: ArrayLike) -> np.ndarray:
    """(N, T, F) batch, one sequence per row-block as other tutorials store it -> (T, F, N).

    A transpose, not a reshape: X[t, :, n] is the feature column of sequence n at step t.
    """
    X = np.asarray(X_ntf)
    if X.ndim != 3:
        raise ValueError(f"expected a batch of shape (N, T, F) = (batch, time, features), "
                         f"got shape {X.shape}.")
    return X.transpose(1, 2, 0)


def to_batch_first(X_tfn: ArrayLike) -> np.ndarray:
    """(T, F, N) columns -> (N, T, F), the inverse of :func:`from_batch_first`."""
    X = np.asarray(X_tfn)
    if X.ndim != 3:
        raise ValueError(f"expected an array of shape (T, F, N) = (time, features, batch), "
                         f"got shape {X.shape}.")
    return X.transpose(2, 0, 1)


def one_hot_tokens(tokens: ArrayLike, num_tokens: int,
                   dtype: DTypeLike = np.float64) -> np.ndarray:
    """Token ids (N, T) (one sequence per row) or (T,) -> one-hot X (T, F, N), F = num_tokens."""
    ids = np.asarray(tokens)
    if ids.ndim == 1:
        ids = ids[None, :]
    if ids.ndim != 2 or ids.dtype.kind not in "iu":
        raise ValueError(f"tokens must be integer ids shaped (N, T) or (T,), got "
                         f"{ids.dtype} array of shape {ids.shape}.")
    if ids.size and (ids.min() < 0 or ids.max() >= num_tokens):
        raise ValueError(f"token ids must be in 0..{num_tokens - 1}, got values from "
                         f"{ids.min()} to {ids.max()}.")
    return one_hot(ids.T, num_tokens, dtype)                # (T, N) ids -> (T, F, N)


class ClassifierCache(NamedTuple):
    """The forward pass, kept for backward and for plots."""
    X: np.ndarray        # (T, F, N) inputs
    h_prev: np.ndarray   # (H, N) h_0
    hs: np.ndarray       # (T, H, N) h_t for t = 1..T
    y: np.ndarray        # (C, N) logits from h_T
    p: np.ndarray        # (C, N) class probabilities
    logp: np.ndarray     # (C, N) log p, exact even where p underflows

    @property
    def h_last(self) -> np.ndarray:
        """h_T (H, N): the only state the output layer reads."""
        return self.hs[-1]


class ClassifierBackward(NamedTuple):
    grads: dict          # same keys and shapes as params
    dy: np.ndarray       # (C, N) dL/dy = (p - onehot(label)) / N
    dhs: np.ndarray      # (T, H, N) dL/dh_t; only h_T is reached directly, from dy
    dh_prev: np.ndarray  # (H, N) dL/dh_0


class RNNClassifier:
    """Many-to-one vanilla RNN. params: Wxh (H, F), Whh (H, H), Why (C, H), bh (H, 1), by (C, 1).

    Weights start as randn * init_scale. The default 0.1 is larger than min-char-rnn's
    0.01 because a tiny classifier (H of 3 or so) learns faster when its units start apart.
    """

    def __init__(self, input_size: int, hidden_size: int, num_classes: int = 2,
                 seed: int | None = None, init_scale: float = 0.1,
                 dtype: DTypeLike = np.float64) -> None:
        F = positive_int("input_size", input_size)
        H = positive_int("hidden_size", hidden_size)
        C = positive_int("num_classes", num_classes)
        if C < 2:
            raise ValueError(f"num_classes must be at least 2 (a softmax over one class is "
                             f"always 1), got {C}.")
        self.params: dict[str, np.ndarray] = init_params(
            {"Wxh": (H, F), "Whh": (H, H), "Why": (C, H), "bh": (H, 1), "by": (C, 1)},
            seed, dtype, scale=init_scale)

    @property
    def input_size(self) -> int:
        """F, the features per time step: the columns of Wxh."""
        return self.params["Wxh"].shape[1]

    @property
    def hidden_size(self) -> int:
        """H, the size of h_t: the columns of Why."""
        return self.params["Why"].shape[1]

    @property
    def num_classes(self) -> int:
        """C, the number of classes: the rows of Why."""
        return self.params["Why"].shape[0]

    @property
    def dtype(self) -> np.dtype:
        return self.params["Why"].dtype

    def __repr__(self) -> str:
        return (f"RNNClassifier(input_size={self.input_size}, hidden_size="
                f"{self.hidden_size}, num_classes={self.num_classes})")

    # ---- forward -----------------------------------------------------------------------
    def forward(self, X: ArrayLike, h_prev: ArrayLike | None = None) -> ClassifierCache:
        """Read X (T, F, N) (or one sequence (T, F)) from h_prev (H, N), None = zeros."""
        P = self.params
        X = self._inputs(X)
        T, F, N = X.shape
        h = h0 = state_array("h_prev", h_prev, self.hidden_size, N, self.dtype)
        hs = np.empty((T, self.hidden_size, N), dtype=self.dtype)
        for t in range(T):
            h, _ = rnn_step_forward(X[t], h, P)                     # x_t: feature columns (F, N)
            hs[t] = h
        out = output_forward(h, P["Why"], P["by"])                  # (C, N): read only h_T
        return ClassifierCache(X, h0, hs, out.y, out.p, out.logp)

    def loss(self, cache: ClassifierCache, labels: ArrayLike) -> float:
        """-log p[label], averaged over the batch."""
        return output_loss(cache.logp, self._labels(labels, cache.X.shape[2]))

    # ---- backward ----------------------------------------------------------------------
    def backward(self, cache: ClassifierCache, labels: ArrayLike) -> ClassifierBackward:
        """Backpropagation through time from the single loss at the end of the sequence."""
        P = self.params
        lb = self._labels(labels, cache.X.shape[2])
        X, hs = cache.X, cache.hs
        out = output_backward(cache.p, lb, cache.h_last, P["Why"])  # dy (C, N), dh_T (H, N)
        grads = {name: np.zeros_like(p) for name, p in P.items()}
        grads["Why"], grads["by"] = out.dWhy, out.dby
        dhs = np.empty_like(hs)
        dh = out.dh                                      # dL/dh_T: the only direct gradient
        for t in reversed(range(len(hs))):
            dhs[t] = dh
            h_before = hs[t - 1] if t > 0 else cache.h_prev
            step = RNNStepCache(X[t], h_before, hs[t], P["Wxh"], P["Whh"])
            step_grads, dh = rnn_step_backward(dh, step)             # dh: what h_{t-1} receives
            for name, grad in step_grads.items():                   # sums over time
                grads[name] += grad
        return ClassifierBackward(grads, out.dy, dhs, dh)

    def loss_and_grads(self, X: ArrayLike, labels: ArrayLike, h_prev: ArrayLike | None = None
                       ) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
        """Returns (loss, grads, h_last): the same call as ``RNN.loss_and_grads``."""
        cache = self.forward(X, h_prev)
        return self.loss(cache, labels), self.backward(cache, labels).grads, cache.h_last.copy()

    # ---- using a trained model ---------------------------------------------------------
    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """p (C, N): class probabilities after reading the whole sequence."""
        return self.forward(X).p

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Most likely class of each sequence, ints (N,)."""
        return self.forward(X).p.argmax(axis=0)

    def accuracy(self, X: ArrayLike, labels: ArrayLike) -> float:
        """Fraction of sequences classified correctly."""
        lb = self._labels(labels, self._inputs(X).shape[2])
        return float((self.predict(X) == lb).mean())

    def proba_over_time(self, X: ArrayLike | None,
                        cache: ClassifierCache | None = None) -> np.ndarray:
        """(T, C, N): the output layer applied to every h_t, i.e. the prediction the model
        would make if the sequence stopped at step t. Training only ever scores t = T.
        Pass ``cache``, the forward pass of X, if you have it: it is not run again."""
        hs = (cache if cache is not None else self.forward(X)).hs
        return output_forward(hs, self.params["Why"], self.params["by"]).p

    # ---- checks --------------------------------------------------------------------
    def _inputs(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=self.dtype)
        F = self.input_size
        if X.ndim == 2 and X.shape[1] == F:
            X = X[:, :, None]                            # one sequence (T, F) -> (T, F, 1)
        if X.ndim != 3 or X.shape[1] != F:
            hint = ""
            if X.ndim == 3 and X.shape[2] == F:
                hint = (" It looks like (N, T, F) = (batch, time, features): convert it "
                        "with rnnlib.classify.from_batch_first(X).")
            raise ValueError(f"X must have shape (T, F, N) = (time, {F} features, batch), "
                             f"got {X.shape}.{hint}")
        if X.shape[0] == 0 or X.shape[2] == 0:
            raise ValueError(f"X is empty (shape {X.shape}); pass at least one time step "
                             f"and one sequence.")
        return X

    def _labels(self, labels, N: int) -> np.ndarray:
        lb = np.asarray(labels)
        if lb.ndim == 0:
            lb = lb[None]
        if lb.dtype.kind not in "iu":
            if lb.dtype.kind in "fb" and lb.size and np.all(lb == np.round(lb)):
                lb = lb.astype(np.intp)
            else:
                raise TypeError(f"labels must be whole class numbers 0..{self.num_classes - 1},"
                                f" got {lb.dtype} values {lb.ravel()[:5]}.")
        if lb.shape != (N,):
            raise ValueError(f"labels must have shape (N,) = ({N},), one class per "
                             f"sequence in X, got shape {lb.shape}.")
        bad = (lb < 0) | (lb >= self.num_classes)
        if bad.any():
            n = int(np.argmax(bad))
            raise ValueError(f"labels[{n}] = {lb[n]} is not a class: use 0..{self.num_classes - 1}"
                             f" (num_classes = {self.num_classes}).")
        return lb.astype(np.intp)


def order_task(n: int, length: int = 8, seed: int | None = 0,
               fillers: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Sequences with one A and one B among filler tokens; label 1 if A comes before B.

    Tokens: 0 = A, 1 = B, 2.. = fillers. Every sequence holds the same bag of special
    tokens, so only their order decides the label. Returns (tokens (n, length) ints,
    labels (n,) ints), distinct sequences, half of each label as near as possible.
    """
    n = positive_int("n", n)
    length = positive_int("length", length)
    if length < 2:
        raise ValueError(f"length must be at least 2 to hold an A and a B, got {length}.")
    rng = np.random.default_rng(seed)
    possible = length * (length - 1) * fillers ** (length - 2)
    if n > possible:
        raise ValueError(f"only {possible} distinct sequences of length {length} exist; "
                         f"ask for at most that many, or use a longer length.")
    seen, tokens, labels = set(), [], []
    while len(tokens) < n:
        label = len(tokens) % 2                          # alternate: balanced classes
        seq = 2 + rng.integers(0, fillers, length)
        i, j = sorted(rng.choice(length, size=2, replace=False))
        seq[i], seq[j] = (0, 1) if label else (1, 0)
        key = seq.tobytes()
        if key not in seen:
            seen.add(key)
            tokens.append(seq)
            labels.append(label)
    return np.array(tokens, dtype=np.intp), np.array(labels, dtype=np.intp)
