"""Vocabulary: characters <-> integer indices <-> one-hot columns.

Shapes: V = vocabulary size, T = time steps, N = batch (sequences as columns).
``encode`` turns text into indices (T,); ``one_hot`` turns indices (T,) into columns
(T, V, 1) and (T, N) into (T, V, N), so ``x[t]`` is the input column x_t (V, N).
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from .functional import one_hot


class Vocab:
    """The sorted set of characters of a text, as in min-char-rnn's ``char_to_ix``.

    >>> v = Vocab.from_text("hello")
    >>> v.chars
    ['e', 'h', 'l', 'o']
    >>> v.encode("hell").tolist()
    [1, 0, 2, 2]
    """

    def __init__(self, chars: Iterable[str]) -> None:
        chars = list(chars)
        if not chars:
            raise ValueError("a vocabulary needs at least one character; got none. "
                             "Build it from some text: Vocab.from_text('hello').")
        for c in chars:
            if not isinstance(c, str) or len(c) != 1:
                raise ValueError(f"each vocabulary entry must be one character, got {c!r}.")
        if len(set(chars)) != len(chars):
            raise ValueError("vocabulary characters must be distinct; "
                             "use Vocab.from_text(text) to build one from text.")
        self.chars: list[str] = chars
        self.char_to_ix: dict[str, int] = {c: i for i, c in enumerate(chars)}

    @classmethod
    def from_text(cls, text: str) -> "Vocab":
        """Every distinct character of ``text``, sorted by code point (deterministic)."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}; "
                            f"decode bytes first, e.g. data.decode('utf-8').")
        if not text:
            raise ValueError("text is empty; a vocabulary needs at least one character.")
        return cls(sorted(set(text)))

    def __len__(self) -> int:
        return len(self.chars)

    def __repr__(self) -> str:
        shown = "".join(self.chars[:40])
        more = "..." if len(self.chars) > 40 else ""
        return f"Vocab({len(self)} chars: {shown!r}{more})"

    def __contains__(self, ch: str) -> bool:
        return ch in self.char_to_ix

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocab) and self.chars == other.chars

    def encode(self, text: str) -> np.ndarray:
        """Text -> int array of shape (len(text),)."""
        try:
            return np.array([self.char_to_ix[c] for c in text], dtype=np.intp)
        except KeyError as err:
            ch = err.args[0]
            pos = text.index(ch)
            raise ValueError(
                f"character {ch!r} (U+{ord(ch):04X}) at position {pos} is not in the "
                f"vocabulary of {len(self)} characters; build the vocabulary from text "
                f"that contains it, or remove it from the input.") from None

    def decode(self, ixs: ArrayLike) -> str:
        """Int indices of shape (T,) (array or list) -> text."""
        ixs = np.asarray(ixs).ravel()
        bad = (ixs < 0) | (ixs >= len(self))
        if bad.any():
            raise ValueError(f"index {int(ixs[bad][0])} is outside the vocabulary: "
                             f"indices must be in 0..{len(self) - 1}.")
        return "".join(self.chars[int(i)] for i in ixs)

    def one_hot(self, ixs: ArrayLike, dtype: DTypeLike = np.float64) -> np.ndarray:
        """One-hot columns.

        (T,) -> (T, V, 1): ``x[t]`` is the column x_t of the equations.
        (T, N) -> (T, V, N): the batch sits side by side as columns.
        A single int -> (V, 1).
        """
        ixs = np.asarray(ixs)
        if ixs.ndim == 0:
            return self.one_hot(ixs[None], dtype)[0]
        if ixs.ndim == 1:
            ixs = ixs[:, None]
        if ixs.dtype.kind not in "iu":
            raise TypeError(f"one_hot needs integer indices, got dtype {ixs.dtype}; "
                            f"encode text first with vocab.encode(text).")
        bad = (ixs < 0) | (ixs >= len(self))
        if bad.any():
            raise ValueError(f"index {int(ixs[bad][0])} is outside the vocabulary: "
                             f"indices must be in 0..{len(self) - 1}.")
        return one_hot(ixs, len(self), dtype)              # (T, V, N)
