"""Checks for notebooks 00 and 01: next-character targets, and a one-hot array built by hand.

Shapes: V = vocabulary size, T = time steps; one sequence, so the batch is N = 1 and the
one-hot array is (T, V, 1) with ``x[t - 1]`` the column x_t (the steps count from 1, numpy
from 0).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..vocab import Vocab
from .feedback import Feedback


def _as_text(value) -> str | None:
    """A string, or a list/tuple of one-character strings joined; anything else None."""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(c, str) for c in value):
        return "".join(value)
    return None


def check_next_char(inputs: Any, targets: Any, text: str = "hello") -> Feedback:
    """Check the inputs and targets of a character model trained on ``text``.

    The model reads every character but the last, and at each step must predict the
    character that comes next: inputs = text[:-1], targets = text[1:].
    """
    want_in, want_tg = text[:-1], text[1:]
    if inputs is None or targets is None:
        missing = " and ".join(n for n, v in (("inputs", inputs), ("targets", targets))
                               if v is None)
        return Feedback(False, f"{missing} still None: replace None with a string made "
                               f"of the characters of {text!r}.")
    got_in, got_tg = _as_text(inputs), _as_text(targets)
    for name, got, raw in (("inputs", got_in, inputs), ("targets", got_tg, targets)):
        if got is None:
            return Feedback(False, f"{name} should be a string of characters such as "
                                   f"{text!r}, got {type(raw).__name__} {raw!r}.")
    if got_in == want_tg and got_tg == want_in:
        return Feedback(False, "inputs and targets are swapped: the model reads "
                               f"{want_in!r} and must answer with the next characters, "
                               f"{want_tg!r}.")
    if got_in != want_in:
        if got_in == text:
            return Feedback(False, f"inputs = {got_in!r} includes the last character "
                                   f"{text[-1]!r}, but nothing comes after it, so there "
                                   f"would be no target for it. Leave it out.")
        return Feedback(False, f"inputs = {got_in!r}: the model reads every character of "
                               f"{text!r} except the last one.")
    if got_tg == want_in:
        return Feedback(False, f"targets = {got_tg!r} repeats the inputs; at each step the "
                               f"target is the character that comes NEXT.")
    if got_tg == text:
        return Feedback(False, f"targets = {got_tg!r} has {len(got_tg)} characters but there "
                               f"are {len(want_in)} inputs: one target per input, each "
                               f"the character after it.")
    if got_tg != want_tg:
        if len(got_tg) != len(want_tg):
            return Feedback(False, f"targets = {got_tg!r} has {len(got_tg)} characters; "
                                   f"there is one target per input, so {len(want_in)}.")
        t = next(i for i, (a, b) in enumerate(zip(got_tg, want_tg)) if a != b)
        return Feedback(False, f"at step t = {t + 1} the input is {want_in[t]!r}, and in "
                               f"{text!r} the character after it is {want_tg[t]!r}, "
                               f"not {got_tg[t]!r}.")
    return Feedback(True, f"inputs {want_in!r} and targets {want_tg!r}: each target is the "
                          f"character after its input.")


def check_one_hot(x: Any, text: str, vocab: Vocab | None = None) -> Feedback:
    """Check a one-hot array built by hand for ``text``: shape (T, V, 1), x[t - 1] = x_t.

    ``vocab`` defaults to ``Vocab.from_text(text)`` (sorted characters).
    """
    vocab = vocab if vocab is not None else Vocab.from_text(text)
    ixs = vocab.encode(text)
    expected = vocab.one_hot(ixs)                           # (T, V, 1)
    T, V, _ = expected.shape
    if x is None:
        return Feedback(False, f"x is None: make x = np.zeros((T, V, 1)) with T = {T}, "
                               f"V = {V}, then put a 1 in row ix of each time step.")
    try:
        x = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        return Feedback(False, f"x should be a numpy array of numbers, got "
                               f"{type(x).__name__}.")
    shape = x.shape
    if shape != expected.shape:
        if shape == (T, V):
            return Feedback(False, f"x has shape {shape} = (T, V); rnnlib keeps a batch axis "
                                   f"for the columns, so it should be (T, V, 1) = "
                                   f"{expected.shape}: use np.zeros((T, V, 1)), or x[:, :, None].")
        if shape in ((V, T), (V, T, 1)):
            return Feedback(False, f"x has shape {shape}: time should come first, so that "
                                   f"x[t - 1] is the column x_t of shape (V, 1). Expected "
                                   f"(T, V, 1) = {expected.shape}.")
        if shape == (1, T, V):
            return Feedback(False, f"x has shape {shape} = (N, T, V), the batch-first layout "
                                   f"of Keras and PyTorch's batch_first. rnnlib uses "
                                   f"(T, V, N) = {expected.shape}: x.transpose(1, 2, 0) "
                                   f"converts it.")
        return Feedback(False, f"x has shape {shape}; expected (T, V, 1) = {expected.shape}: "
                               f"T = {T} characters, V = {V} in the vocabulary, batch 1.")
    if not np.all(np.isin(x, (0.0, 1.0))):
        return Feedback(False, "a one-hot array holds only 0s and 1s; x has other values, "
                               f"e.g. {x[~np.isin(x, (0.0, 1.0))].flat[0]:g}.")
    per_step = x[:, :, 0].sum(axis=1)
    wrong = np.flatnonzero(per_step != 1)
    if wrong.size:
        t = int(wrong[0])
        return Feedback(False, f"each column x_t has exactly one 1, but x_{t + 1} = x[{t}] "
                               f"(step t = {t + 1}, the character {text[t]!r}) has "
                               f"{int(per_step[t])}.")
    got_ix = x[:, :, 0].argmax(axis=1)
    if np.array_equal(got_ix, ixs):
        return Feedback(True, f"x is the one-hot array of {text!r}: shape {expected.shape}, "
                              f"a single 1 in row vocab.encode(ch) of each column.")
    # characters numbered in order of first appearance instead of sorted
    first_seen = list(dict.fromkeys(text))
    if np.array_equal(got_ix, [first_seen.index(c) for c in text]) and \
            first_seen != vocab.chars:
        return Feedback(False, f"you numbered the characters in the order they first "
                               f"appear ({''.join(first_seen)!r}); the vocabulary is sorted, "
                               f"{''.join(vocab.chars)!r}. Use ix = vocab.encode(text).")
    if np.array_equal(got_ix, (ixs + 1) % V) or np.array_equal(got_ix, (ixs - 1) % V):
        return Feedback(False, "every 1 is one row away from where it belongs: indices "
                               "start at 0, and row ix = vocab.char_to_ix[ch] is the one to set.")
    t = int(np.flatnonzero(got_ix != ixs)[0])
    return Feedback(False, f"at step t = {t + 1} (x[{t}] in code, the character {text[t]!r}) "
                           f"the 1 is in row "
                           f"{int(got_ix[t])}, but {text[t]!r} has index {int(ixs[t])} in the "
                           f"vocabulary.")
