"""The base of every step-through widget: a text run through a model once, shown step by step.

    inputs = text[:-1]   targets = text[1:]   T = len(text) - 1 steps, t = 1..T

A step-through (``HelloStepper``, ``BackwardStepper``, ``GateStepper``, ``GRUStepper``)
shows one time step of a model's pass over a short text at a time. :class:`Stepper` does
what they all do: check the text and the model (or make the stepper's own), encode the
inputs and targets, run the model's pass once, put the controls of
:class:`~rnnlib.widgets.controls.StepControls` on top (play, ◀ Prev, the slider
``step t``, Next ▶) with a readout, and on every move set ``t``, ``input_char`` and
``target_char``, read that step's arrays, show each figure's view of step t (a
:class:`~rnnlib.widgets.figure_view.FigureView` draws each step once) and write the
readout. A subclass gives only what differs; see the hooks of :class:`Stepper`.

:func:`warm_up` trains a stepper's own model for a few steps, so that it has something
to show. Shapes: V vocabulary, H hidden; ``inputs`` and ``targets`` are (T,).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

import ipywidgets as widgets
import numpy as np
from matplotlib.artist import Artist

from ..model import CharModel
from ..optim import Adagrad
from ..vocab import Vocab
from .checks import check_model_vocab, text_vocab
from .controls import StepControls
from .figure_view import FigureView


def warm_up(model: CharModel, vocab: Vocab, text: str, iterations: int) -> CharModel:
    """``model`` after ``iterations`` Adagrad steps (min-char-rnn's lr 0.1) on ``text``:
    inputs text[:-1], targets text[1:]. Returns the model, trained in place."""
    opt = Adagrad(lr=0.1)
    inputs, targets = vocab.encode(text[:-1]), vocab.encode(text[1:])
    for _ in range(iterations):
        _, grads, _ = model.loss_and_grads(inputs, targets)
        opt.step(model.params, grads)
    return model


class Stepper(widgets.VBox):
    """``text`` run through ``model`` once, shown one time step t = 1..T at a time.

    ``model`` must be a ``kind``; None makes the stepper's own (``_default_model``).
    ``vocab`` is needed when the model was built for a vocabulary other than
    ``Vocab.from_text(text)``; ``h_prev`` is the state the pass starts from (None: zeros).

    Controls (the same in every stepper): ``steps`` (the row of them), ``play``,
    ``prev_button``, ``slider`` (its value is t) and ``next_button``; the readout is
    ``readout``, an HTML widget. After each move ``t``, ``input_char`` and ``target_char``
    are those of the step shown.

    A subclass sets ``kind`` (the model class it shows) and ``backwards`` (True: the pass
    runs from t = T back to 1, and so does the widget), and gives:

    - ``_default_model(vocab, text)``: the model shown when none is passed;
    - ``_run(h_prev)``: the pass, kept as attributes (here ``cache = model.forward``);
    - ``_build()``: its figures (FigureViews) and the widgets shown below the controls;
    - ``_set_step(i)``: the arrays of step t = i + 1, as attributes;
    - ``_figures()``: each FigureView with the function that draws step t into it;
    - ``_readout_html()``: the readout of step t.
    """
    kind: type = object
    backwards: bool = False

    def __init__(self, model: CharModel | None = None, text: str = "hello",
                 vocab: Vocab | None = None, h_prev: np.ndarray | None = None):
        self.vocab = text_vocab(text, vocab)
        self.model = model if model is not None else self._default_model(self.vocab, text)
        check_model_vocab(self.model, self.vocab, text, kind=self.kind)
        self.text = text
        self.inputs = self.vocab.encode(text[:-1])             # (T,)
        self.targets = self.vocab.encode(text[1:])             # (T,)
        self.T = len(self.inputs)
        self._run(h_prev)

        self.steps = StepControls(self.T, backwards=self.backwards)
        self.slider, self.play = self.steps.slider, self.steps.play
        self.prev_button, self.next_button = self.steps.prev_button, self.steps.next_button
        self.readout = widgets.HTML()
        below = self._build()
        self.slider.observe(lambda change: self._show(int(change["new"])), names="value")
        super().__init__([self.steps, *below])
        self._show(self.slider.value)

    # ---- what a subclass gives -----------------------------------------------------
    def _default_model(self, vocab: Vocab, text: str) -> CharModel:
        """The model shown when none is passed."""
        raise NotImplementedError(self._missing("_default_model"))

    def _run(self, h_prev: np.ndarray | None) -> None:
        """The pass over the inputs, kept as attributes."""
        self.cache = self.model.forward(self.inputs, h_prev)    # the library's forward pass

    def _build(self) -> list[widgets.Widget]:
        """Make the FigureViews; return the widgets shown below the controls."""
        raise NotImplementedError(self._missing("_build"))

    def _set_step(self, i: int) -> None:
        """Keep the arrays of step t = i + 1 as attributes."""
        raise NotImplementedError(self._missing("_set_step"))

    def _figures(self) -> list[tuple[FigureView, Callable[[], Iterable[Artist] | None]]]:
        """Each FigureView with the function that draws step t into it."""
        raise NotImplementedError(self._missing("_figures"))

    def _readout_html(self) -> str:
        """The readout of step t, as HTML."""
        raise NotImplementedError(self._missing("_readout_html"))

    def _missing(self, hook: str) -> str:
        """What to do when a subclass leaves out one of the methods above."""
        return (f"{type(self).__name__} leaves out {hook}(), one of the methods a stepper "
                f"gives; define it in the class (the docstrings of Stepper and its "
                f"subclasses list them).")

    # ---- one move ------------------------------------------------------------------
    def _show(self, t: int) -> None:
        i = t - 1                                   # arrays are 0-based, steps 1-based
        self.t = t
        self.input_char = self.vocab.chars[int(self.inputs[i])]
        self.target_char = self.vocab.chars[int(self.targets[i])]
        self._set_step(i)
        for view, draw in self._figures():
            view.show(t, draw)                      # drawn on the first visit only
        # the readout last, so that it never names a step whose figures are still coming
        self.readout.value = self._readout_html()
