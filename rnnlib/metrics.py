"""Losses that compare across chunk lengths, models and papers.

Letters: T = characters a loss is summed over (seq_length), V = vocabulary size,
N = batch (the sequences a loss is averaged over).

The training loss of min-char-rnn is summed over the T characters of a chunk (and averaged
over the N sequences of a batch), so 47.8 at T = 25 and 19.1 at T = 10 are the same model
quality. Divided by T it is the loss per character, in nats (natural log):

    nats per char = loss / T
    bits per char = loss / (T ln 2)          what papers and d2l report for character models
    perplexity    = exp(loss / T)            "as unsure as a uniform choice among this many"

A model that guesses uniformly over V characters scores log2(V) bits per character and a
perplexity of V. Every function takes a float or an array of losses (any shape) and
returns a float for a float, else an array of the same shape.
"""
from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

LN2 = math.log(2.0)


def _length(T: int) -> int:
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or T < 1:
        raise ValueError(f"T, the number of characters the loss is summed over, must be a "
                         f"whole number of at least 1, got {T!r}; pass the seq_length the "
                         f"loss was computed with (e.g. trainer.config.seq_length).")
    return int(T)


def nats_per_char(loss: ArrayLike, T: int) -> float | np.ndarray:
    """Loss per character in nats: ``loss / T`` (a float for a float, else an array)."""
    out = np.asarray(loss, dtype=float) / _length(T)
    return float(out) if out.ndim == 0 else out


def bits_per_char(loss: ArrayLike, T: int) -> float | np.ndarray:
    """Loss per character in bits: ``loss / (T ln 2)``; log2(V) is a uniform guess."""
    return nats_per_char(loss, T) / LN2


def perplexity(loss: ArrayLike, T: int) -> float | np.ndarray:
    """``exp(loss / T)``: the number of equally likely characters the model is as unsure as."""
    out = np.exp(nats_per_char(loss, T))
    return float(out) if np.ndim(out) == 0 else out


def uniform_bits_per_char(V: int) -> float:
    """The bits per character of a model that gives every one of V characters 1/V."""
    return math.log2(_length(V))
