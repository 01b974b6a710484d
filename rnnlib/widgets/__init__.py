"""Interactive widgets of the course (ipywidgets only; no maths of their own).

Every widget here works on ipywidgets 7.7 (what Colab ships) and 8: each is a ``VBox``
subclass that displays itself, and shows matplotlib figures as PNG images inside
``Output`` widgets, so no ipympl or custom widget manager is needed. A widget that
redraws on every control move draws through a :class:`~rnnlib.widgets.figure_view.FigureView`
(one kept figure, a PNG per view drawn once, fast to answer a click); ``figure_in`` is the
plain ``plt.show()`` way, for figures drawn once in a while. Each widget keeps the
numbers it shows as attributes, so tests can drive it without a browser.
"""
from __future__ import annotations

import warnings
from contextlib import contextmanager

import ipywidgets as widgets
import matplotlib.pyplot as plt

from ..optim import Adagrad
from ..vocab import Vocab


@contextmanager
def figure_in(out, *args, **kwargs):
    """Draw a new figure into Output widget ``out``, replacing what it showed.

    ``with figure_in(out, 1, 2, figsize=(8, 3)) as (fig, axes): ...`` — the figure is
    shown with ``plt.show()`` on leaving the block and then closed.
    """
    with out:
        out.clear_output(wait=True)
        fig, axes = plt.subplots(*args, **kwargs)
        try:
            yield fig, axes
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*non-interactive.*")
                plt.show()
        finally:
            plt.close(fig)


def text_vocab(text: str, vocab: Vocab | None) -> Vocab:
    """Check a widget's example text (an input and a target at least) and return its vocabulary."""
    if not isinstance(text, str) or len(text) < 2:
        raise ValueError(f"text must be a string of at least 2 characters (one input and "
                         f"its target), got {text!r}; try text='hello'.")
    return vocab if vocab is not None else Vocab.from_text(text)


def warm_up(model, vocab: Vocab, text: str, iterations: int):
    """``model`` after ``iterations`` Adagrad steps (min-char-rnn's lr 0.1) on ``text``:
    inputs text[:-1], targets text[1:]. Returns the model, trained in place."""
    opt = Adagrad(lr=0.1)
    inputs, targets = vocab.encode(text[:-1]), vocab.encode(text[1:])
    for _ in range(iterations):
        _, grads, _ = model.loss_and_grads(inputs, targets)
        opt.step(model.params, grads)
    return model


def check_model_vocab(model, vocab: Vocab, text: str | None = None, kind=None) -> None:
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
            f"built for as vocab=... (e.g. trainer.vocab), or a model with vocab_size={len(vocab)}.")


class StepControls(widgets.HBox):
    """A time-step slider t = 1..T between a one-step-back and a one-step-on button.

    The buttons are disabled at the ends; a widget observes ``slider`` to redraw.
    """

    def __init__(self, T: int, value: int = 1, description: str = "step t",
                 prev_label: str = "◀ t−1", next_label: str = "t+1 ▶",
                 primary: str | None = "next", prev_width: str = "80px",
                 next_width: str = "80px"):
        self.T = T
        self.slider = widgets.IntSlider(value=value, min=1, max=T, step=1,
                                        description=description, continuous_update=False,
                                        style={"description_width": "initial"})
        self.prev_button = widgets.Button(
            description=prev_label, button_style="primary" if primary == "prev" else "",
            layout=widgets.Layout(width=prev_width))
        self.next_button = widgets.Button(
            description=next_label, button_style="primary" if primary == "next" else "",
            layout=widgets.Layout(width=next_width))
        self.prev_button.on_click(lambda _: self.move(-1))
        self.next_button.on_click(lambda _: self.move(+1))
        self.slider.observe(lambda change: self._ends(int(change["new"])), names="value")
        self._ends(value)
        super().__init__([self.prev_button, self.slider, self.next_button])

    def move(self, step: int) -> None:
        self.slider.value = min(max(self.slider.value + step, 1), self.T)

    def _ends(self, t: int) -> None:
        self.prev_button.disabled = t == 1
        self.next_button.disabled = t == self.T
