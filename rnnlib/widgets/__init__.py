"""Interactive widgets of the course (ipywidgets only; no maths of their own).

Every widget here works on ipywidgets 7.7 (what Colab ships) and 8: each is a ``VBox``
subclass that displays itself, and shows matplotlib figures as PNG images inside
``Output`` widgets, so no ipympl or custom widget manager is needed. Each widget keeps the
numbers it shows as attributes, so tests can drive it without a browser. One module per
widget or topic; import a widget from its module, e.g.
``from rnnlib.widgets.forward import HelloStepper``.

The shared pieces live in named modules, re-exported here:

- ``stepper``: :class:`~rnnlib.widgets.stepper.Stepper`, the base of every step-through
  (HelloStepper, BackwardStepper, GateStepper, GRUStepper), and ``warm_up``;
- ``controls``: :class:`~rnnlib.widgets.controls.StepControls`, play, ◀ Prev, the step
  slider and Next ▶;
- ``figure_view``: :class:`~rnnlib.widgets.figure_view.FigureView`, a kept figure with one
  PNG per view (fast enough to answer a click), and ``figure_in``, the plain ``plt.show()``
  way for figures drawn once in a while;
- ``checks``: ``text_vocab`` and ``check_model_vocab``, what a widget checks of the text and
  the model it is given.
"""
from .checks import check_model_vocab, text_vocab
from .controls import StepControls
from .figure_view import FigureView, figure_in
from .stepper import Stepper, warm_up

__all__ = ["FigureView", "StepControls", "Stepper", "check_model_vocab", "figure_in",
           "text_vocab", "warm_up"]
