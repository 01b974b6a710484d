"""The settings of a training run, and the model they ask for.

``TrainConfig`` holds the hyperparameters (its defaults are min-char-rnn's) and checks them
before a run starts, so a bad value is an error that names it rather than a crash halfway;
``build_model`` makes the RNN, LSTM, GRU or StackedRNN it names.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ._checks import float_dtype, positive_float, positive_int
from .gru import GRU
from .lstm import LSTM
from .rnn import RNN
from .stacked import StackedRNN, layer_count


@dataclass
class TrainConfig:
    """Hyperparameters; the defaults are min-char-rnn's."""
    hidden_size: int = 100
    seq_length: int = 25
    learning_rate: float = 0.1
    clip: float | None = 5.0      # None: no clipping
    batch_size: int = 1
    model: str = "rnn"            # "rnn", "lstm" or "gru"
    # layers of the model: num_layers > 1 stacks vanilla RNN layers (a StackedRNN, model
    # "rnn" only); 1 is the one-layer RNN, LSTM or GRU
    num_layers: int = 1
    optimizer: str = "adagrad"    # "adagrad" or "sgd"
    seed: int | None = 0
    dtype: str = "float64"
    sample_every: int = 100       # 0: never sample during training
    sample_length: int = 200
    temperature: float = 1.0
    checkpoint_every: int = 0     # 0: only when trainer.save() is called
    checkpoint_path: str | None = None
    # worker threads, each computing a share of the batch's columns (see Trainer.loss_and_grads)
    threads: int = 1
    # True: rnnlib.fastpath computes each chunk (same numbers, faster); False: the model's own
    # loss_and_grads, the plain step-by-step code (for reading it, or timing it)
    fast_path: bool = True

    def validate(self) -> "TrainConfig":
        for name in ("hidden_size", "seq_length", "batch_size", "sample_length", "threads"):
            positive_int(name, getattr(self, name))
        if self.threads > self.batch_size:
            raise ValueError(f"threads={self.threads} is more than batch_size="
                             f"{self.batch_size}: each thread needs at least one column of "
                             f"the batch. Use threads <= batch_size.")
        for name in ("sample_every", "checkpoint_every"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise ValueError(f"{name} must be a whole number >= 0 (0 turns it off), "
                                 f"got {v!r}.")
        if not isinstance(self.fast_path, bool):
            raise TypeError(f"fast_path must be True or False, got {self.fast_path!r}.")
        positive_float("learning_rate", self.learning_rate)
        if self.clip is not None:     # None turns clipping off, as in SGD and Adagrad
            try:
                positive_float("clip", self.clip)
            except (TypeError, ValueError) as e:
                raise type(e)(f"{e} (clip=None turns clipping off.)") from None
        positive_float("temperature", self.temperature)
        float_dtype(self.dtype)
        if self.model not in MODELS:
            raise ValueError(f"model must be one of {sorted(MODELS)}, got {self.model!r}.")
        layer_count(self.num_layers)
        if self.num_layers > 1 and self.model != "rnn":
            raise ValueError(f"num_layers={self.num_layers} stacks vanilla RNN layers, so it "
                             f"needs model='rnn'; model={self.model!r} has one layer here. "
                             f"Use num_layers=1 with {self.model!r}, or model='rnn'.")
        if self.optimizer not in ("adagrad", "sgd"):
            raise ValueError(f"optimizer must be 'adagrad' or 'sgd', got {self.optimizer!r}.")
        if self.checkpoint_every and not self.checkpoint_path:
            raise ValueError("checkpoint_every is set but checkpoint_path is not; give a "
                             "path such as 'checkpoints/run.npz'.")
        return self


MODELS: dict[str, Callable] = {"rnn": RNN, "lstm": LSTM, "gru": GRU}


def build_model(config: TrainConfig, vocab_size: int) -> RNN | LSTM | GRU | StackedRNN:
    """The model a config asks for: RNN, LSTM or GRU, or a StackedRNN if num_layers > 1."""
    cfg = config
    if cfg.num_layers > 1:
        return StackedRNN(vocab_size, cfg.hidden_size, cfg.num_layers, seed=cfg.seed,
                          dtype=cfg.dtype)
    return MODELS[cfg.model](vocab_size, cfg.hidden_size, seed=cfg.seed, dtype=cfg.dtype)
