"""What the widgets check of the example text and the model they are given.

``text_vocab`` refuses a text too short to hold an input and its target; ``check_model_vocab``
refuses a model of the wrong kind or one built for another vocabulary, each with a sentence
saying what to pass instead.
"""
from __future__ import annotations

from ..model import CharModel
from ..vocab import Vocab


def text_vocab(text: str, vocab: Vocab | None) -> Vocab:
    """Check a widget's example text (an input and a target at least) and return its vocabulary."""
    if not isinstance(text, str) or len(text) < 2:
        raise ValueError(f"text must be a string of at least 2 characters (one input and "
                         f"its target), got {text!r}; try text='hello'.")
    return vocab if vocab is not None else Vocab.from_text(text)


def check_model_vocab(model: CharModel, vocab: Vocab, text: str | None = None,
                      kind: type | None = None) -> None:
    """A model must be of the ``kind`` a widget shows (a class, None for any) and read
    exactly the characters of the vocabulary it is shown with."""
    if kind is not None and not isinstance(model, kind):
        raise TypeError(f"this widget shows an rnnlib.{kind.__name__}, got "
                        f"{type(model).__name__}; pass an rnnlib.{kind.__name__}, or leave "
                        f"model out to use the widget's own.")
    if model.vocab_size != len(vocab):
        of = f" of {text!r}" if text is not None else ""
        raise ValueError(
            f"the model reads {model.vocab_size} characters but the vocabulary{of} has "
            f"{len(vocab)} ({''.join(vocab.chars)!r}); pass the vocabulary the model was "
            f"built for as vocab=... (e.g. trainer.vocab), or a model with "
            f"vocab_size={len(vocab)}.")
