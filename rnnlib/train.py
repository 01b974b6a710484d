"""Truncated backpropagation through time over a text, the loop of min-char-rnn.

Each iteration takes the next ``seq_length`` characters of every stream, runs forward and
backward over that chunk only, carries the last hidden state into the next chunk, and
resets it to zero when the data pointer wraps. With batch_size = 1 the numbers are exactly
min-char-rnn's; with batch_size = N the text is cut into N equal streams read side by side
as the columns of (T, N) arrays.

The model is ``TrainConfig.model``: "rnn", "lstm" or "gru". ``num_layers`` > 1 stacks that
many vanilla RNN layers (:class:`rnnlib.StackedRNN`, whose state is (L, H, N)); the LSTM and
GRU here have one layer, so for them num_layers > 1 is an error.

Each chunk's loss and gradients come from :func:`rnnlib.fastpath.loss_and_grads`: for an
RNN, LSTM, GRU or stacked RNN the fused code of rnnlib.fastpath (the same numbers as the
model's own ``loss_and_grads``, faster), for any other model, or a subclass with its own
``backward``, the model's own code. ``TrainConfig(fast_path=False)`` always calls the
model's own ``loss_and_grads``, the plain step loops of rnn.py, lstm.py, gru.py and
stacked.py.

Shapes: V = vocabulary size, H = hidden size, T = seq_length time steps, N = batch_size
streams; each chunk's inputs and targets are (T, N) ints, the carried state (H, N) (an
LSTM's pair (h, c), a stacked RNN's (L, H, N)); the model's p_t over the vocabulary is
(V, N).
"""
from __future__ import annotations

import dataclasses
import math
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

import numpy as np

from . import checkpoint as ckpt
from . import fastpath, metrics
from .config import MODELS, TrainConfig, build_model
from .optim import SGD, Adagrad, flat_zeros, make_flat
from .parallel import columns, split_batch
from .progress import Progress
from .sampling import sample
from .threads import limit_blas_threads
from .vocab import Vocab

__all__ = ["MODELS", "Progress", "TrainConfig", "Trainer", "TrainingDiverged", "build_model"]


class TrainingDiverged(FloatingPointError):
    """The loss or a gradient became inf or nan; the parameters were left as they were."""


class Trainer:
    """Holds a model, its optimizer and the position in the text between calls.

    >>> tr = Trainer("hello world " * 20, TrainConfig(hidden_size=16, seq_length=8))
    >>> _ = tr.train(10)
    """

    def __init__(self, text: str, config: TrainConfig | None = None,
                 vocab: Vocab | None = None) -> None:
        self.config = cfg = dataclasses.replace(config or TrainConfig()).validate()
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}.")
        self.vocab = vocab if vocab is not None else Vocab.from_text(text)
        self.data = self.vocab.encode(text)
        self.stream_len = len(self.data) // cfg.batch_size
        need = cfg.seq_length + 2
        if self.stream_len < need:
            raise ValueError(
                f"the text has {len(self.data)} characters, too short for seq_length="
                f"{cfg.seq_length} and batch_size={cfg.batch_size}: each of the "
                f"{cfg.batch_size} streams needs at least {need}. Use a longer text, or a "
                f"smaller seq_length or batch_size.")
        V = len(self.vocab)
        self.model = build_model(cfg, V)
        # For speed: the parameters become views into one flat buffer, and each chunk's
        # gradients are written into views of another, laid out alike, so the optimizer
        # updates all parameters with a few numpy calls (see rnnlib.optim). If a parameter
        # is replaced later, the trainer and the optimizer go one parameter at a time.
        self._flat_params = make_flat(self.model.params)
        self._flat_grads = flat_zeros(self.model.params)
        self._grads_out = dict(zip(self._flat_grads.keys, self._flat_grads.views))
        opt = Adagrad if cfg.optimizer == "adagrad" else SGD
        self.optimizer = opt(lr=cfg.learning_rate, clip=cfg.clip)
        self.rng = np.random.default_rng(cfg.seed)
        self._pool = ThreadPoolExecutor(cfg.threads) if cfg.threads > 1 else None
        self.iteration = 0
        self.pointer = 0
        self.state = None          # hidden state carried between chunks; None = reset
        self.smooth_loss = -math.log(1.0 / V) * cfg.seq_length
        self.history: list[tuple[int, float, float]] = []   # (iteration, loss, smooth)
        self.samples: list[tuple[int, str]] = []

    def batch(self) -> tuple[np.ndarray, np.ndarray]:
        """The next chunk: inputs and targets of shape (T, N), targets one char ahead."""
        T, N, L = self.config.seq_length, self.config.batch_size, self.stream_len
        streams = self.data[:N * L].reshape(N, L).T                 # (L, N): stream n is column n
        chunk = streams[self.pointer:self.pointer + T + 1].copy()   # (T + 1, N)
        return chunk[:-1], chunk[1:]

    def sample_now(self, n: int | None = None, temperature: float | None = None) -> str:
        """Sample from the current state, seeded with the current chunk's first character."""
        cfg = self.config
        inputs, _ = self.batch()
        h = columns(self.state, slice(0, 1))
        ixs = sample(self.model, h, int(inputs[0, 0]),
                     cfg.sample_length if n is None else n,
                     cfg.temperature if temperature is None else temperature, self.rng)
        return self.vocab.decode(ixs)

    def train(self, n_iters: int, callback: Callable[[Progress], None] | None = None
              ) -> list[Progress]:
        """Run ``n_iters`` iterations; return the Progress of each (callback sees each too).

        Meanwhile the BLAS library uses ``rnnlib.blas_threads()`` threads, one unless set
        otherwise (see rnnlib.threads)."""
        with limit_blas_threads():
            return self._train(n_iters, callback)

    def _train(self, n_iters, callback) -> list[Progress]:
        cfg = self.config
        if isinstance(n_iters, bool) or not isinstance(n_iters, (int, np.integer)) or n_iters < 0:
            raise ValueError(f"n_iters must be a whole number >= 0, got {n_iters!r}.")
        T, N = cfg.seq_length, cfg.batch_size
        to_bits = metrics.bits_per_char(1.0, T)    # once: a multiplication per iteration
        t0 = time.perf_counter()
        out = []
        for _ in range(int(n_iters)):
            if self.pointer + T + 1 >= self.stream_len:
                self.pointer, self.state = 0, None       # wrap: start again from h = 0
            inputs, targets = self.batch()
            text = None
            if cfg.sample_every and self.iteration % cfg.sample_every == 0:
                text = self.sample_now()
                self.samples.append((self.iteration, text))
            loss, grads, state, total = self._chunk(inputs, targets)
            # a sum is cheaper than np.isfinite, and a nan or inf anywhere spoils it
            bad = []
            if not math.isfinite(loss + total):
                bad = [k for k, g in grads.items() if not np.isfinite(g).all()]
            if not math.isfinite(loss) or bad:
                raise TrainingDiverged(
                    f"iteration {self.iteration}: the loss is {loss} and the gradients of "
                    f"{bad or 'no parameter'} are not finite; training stopped before the "
                    f"update, so the parameters (and any saved checkpoint) are the last "
                    f"good ones. Lower learning_rate (now {cfg.learning_rate}) or clip "
                    f"(now {cfg.clip}{', no clipping' if cfg.clip is None else ''}).")
            self.optimizer.step(self.model.params, grads)
            self.state = state
            self.smooth_loss = self.smooth_loss * 0.999 + loss * 0.001
            self.pointer += T
            self.iteration += 1
            self.history.append((self.iteration, loss, self.smooth_loss))
            if cfg.checkpoint_every and self.iteration % cfg.checkpoint_every == 0:
                self.save(cfg.checkpoint_path)
            p = Progress(self.iteration, loss, self.smooth_loss,
                         self.iteration * T * N, time.perf_counter() - t0, text,
                         loss * to_bits, self.smooth_loss * to_bits)
            out.append(p)
            if callback is not None:
                callback(p)
        return out

    def _chunk(self, inputs: np.ndarray, targets: np.ndarray) -> tuple[float, dict, Any, float]:
        """loss, grads and state of this chunk, and the sum of all the gradients (to check
        that they are finite).

        While the parameters are still the views of the flat buffer made in __init__, the
        gradients go into the flat buffer laid out like them, so that the optimizer
        updates all parameters at once (see rnnlib.optim).
        """
        if not self._flat_params.holds(self.model.params):   # a parameter was replaced
            loss, grads, state = self.loss_and_grads(inputs, targets, self.state)
            return loss, grads, state, sum(float(g.sum()) for g in grads.values())
        cfg = self.config
        kind = fastpath.fused_model(self.model) if cfg.fast_path and self._pool is None else None
        if kind is not None:
            # the chunk is the vocabulary's own encoding of the text: no index needs
            # checking, so the fused code is called straight, and writes into the buffer
            loss, grads, state = fastpath.fused(kind, self.model, inputs, targets, self.state,
                                                out=self._grads_out)
        else:                 # threads, fast_path=False or a model without fused code
            loss, grads, state = self.loss_and_grads(inputs, targets, self.state)
            out = self._grads_out
            if grads.keys() != out.keys() or any(np.shape(g) != out[k].shape
                                                 for k, g in grads.items()):
                # not the parameters' keys and shapes: the optimizer will say what is wrong
                return loss, grads, state, sum(float(np.sum(g)) for g in grads.values())
            for k, g in grads.items():
                np.copyto(out[k], g)
            grads = out
        return loss, grads, state, float(self._flat_grads.buffer.sum())

    def bits_per_char(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The history per character: (iterations, bits of each chunk, smooth bits), each (K,).

        Each loss of ``history`` divided by ``T ln 2`` (T = seq_length), so the curves compare
        across chunk lengths and models; ``rnnlib.metrics.uniform_bits_per_char(V)`` is where
        an untrained model starts."""
        h = np.asarray(self.history, dtype=float).reshape(-1, 3)
        T = self.config.seq_length
        return (h[:, 0].astype(int), metrics.bits_per_char(h[:, 1], T),
                metrics.bits_per_char(h[:, 2], T))

    def loss_and_grads(self, inputs: np.ndarray, targets: np.ndarray,
                       state: Any) -> tuple[float, dict[str, np.ndarray], Any]:
        """The model's loss and gradients over the batch, split across ``config.threads``.

        Each part goes through :func:`rnnlib.fastpath.loss_and_grads` (or the model's own
        ``loss_and_grads`` with ``fast_path=False``). Data parallelism: the columns are
        independent sequences and the loss is their mean, so groups of columns can be
        computed side by side (numpy lets other threads run while it works on arrays); the
        batch mean is the groups' means weighted by their share of the columns. ``train``
        keeps the BLAS library to one thread meanwhile (unless told otherwise, see
        rnnlib.threads), so that its threads and these do not compete.
        """
        if self._pool is None:
            return self._part(inputs, targets, state)
        return split_batch(self._part, inputs, targets, state, self._pool, self.config.threads)

    def _part(self, inputs, targets, state):
        """loss_and_grads of one group of columns, by the path the config asks for."""
        if self.config.fast_path:
            return fastpath.loss_and_grads(self.model, inputs, targets, state)
        return self.model.loss_and_grads(inputs, targets, state)

    # ---- checkpoints -------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> Path:
        """Save parameters, optimizer memory, hidden state, vocabulary, settings, position in
        the text, history, samples and the sampler's generator, atomically."""
        info = {"vocab": "".join(self.vocab.chars), "config": dataclasses.asdict(self.config),
                "iteration": self.iteration, "pointer": self.pointer,
                "smooth_loss": self.smooth_loss, "samples": [[i, s] for i, s in self.samples],
                # the sampler's generator, so a resumed run samples the same text
                "rng": self.rng.bit_generator.state}
        return ckpt.save_training(path, self.model.params, getattr(self.optimizer, "mem", {}),
                                  self.state, self.history, info)

    @classmethod
    def load(cls, path: str | os.PathLike, text: str, model: str | None = None,
             num_layers: int | None = None) -> "Trainer":
        """Resume from a checkpoint; ``text`` is the corpus to continue training on.

        Give ``model`` (and ``num_layers``) to insist on a kind of model: a checkpoint of
        another kind, such as a GRU's loaded with model="lstm", is a CheckpointError."""
        saved = ckpt.load_training(path)
        info = saved.info
        vocab = Vocab(info["vocab"])
        ckpt.check_text(text, vocab)
        try:      # settings saved before a field existed take its default
            cfg = TrainConfig(**info["config"]).validate()
        except (TypeError, ValueError) as err:
            raise ckpt.CheckpointError(f"{str(path)!r} has settings this rnnlib cannot use: "
                                       f"{err}") from None
        ckpt.check_kind(path, dataclasses.asdict(cfg), model, num_layers)
        tr = cls(text, cfg, vocab=vocab)
        ckpt.restore_params(tr.model.params, saved.params, "param")
        if saved.optimizer_mem and hasattr(tr.optimizer, "mem"):
            tr.optimizer.mem = {k: np.zeros_like(v) for k, v in tr.model.params.items()}
            ckpt.restore_params(tr.optimizer.mem, saved.optimizer_mem, "opt")
        tr.iteration, tr.pointer = info["iteration"], info["pointer"]
        tr.smooth_loss, tr.state = info["smooth_loss"], saved.state
        tr.history = [(int(i), float(a), float(b)) for i, a, b in saved.history]
        tr.samples = [(int(i), s) for i, s in info["samples"]]
        if "rng" in info:
            tr.rng.bit_generator.state = info["rng"]
        return tr
