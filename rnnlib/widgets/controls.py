"""The controls of every step-through widget: play, ◀ Prev, a time-step slider, Next ▶.

``StepControls(T)`` is one row of them for the steps t = 1..T of a sequence. The slider is
what a widget observes (``slider.value`` is t); the buttons and play only move it, so a
widget redraws in one place whatever the learner uses. The same names and labels serve
every stepper: ``play``, ``prev_button``, ``slider``, ``next_button``.
"""
from __future__ import annotations

import ipywidgets as widgets

PREV_LABEL = "◀ Prev"
NEXT_LABEL = "Next ▶"
BUTTON_WIDTH = "80px"
PLAY_INTERVAL_MS = 1000    # one step a second while play runs: the pace of reading


class StepControls(widgets.HBox):
    """Play, ◀ Prev, a slider ``step t`` over 1..T and Next ▶, in one row.

    A pass that runs forwards in time starts at t = 1, with Next ▶ as the highlighted
    button, and play walks t = 1, 2, ..., T. With ``backwards=True`` (a backward pass) it
    starts at t = T, ◀ Prev is highlighted and play walks t = T, T-1, ..., 1. Each button is
    disabled at the end it cannot move past.

    ``play.value`` counts the steps walked (1..T) in the direction of the pass, so play
    runs in either direction; it follows the slider when the learner moves it.
    """

    def __init__(self, T: int, backwards: bool = False, description: str = "step t"):
        if int(T) < 1:
            raise ValueError(f"a step-through needs at least one time step, got T = {T!r}; "
                             f"use a text of at least 2 characters (one input, one target).")
        self.T = T = int(T)
        self.backwards = backwards
        start = T if backwards else 1
        self.slider = widgets.IntSlider(value=start, min=1, max=T, step=1,
                                        description=description, continuous_update=False,
                                        style={"description_width": "initial"})
        # the button that moves in the pass's own direction is the highlighted one
        self.prev_button = widgets.Button(description=PREV_LABEL,
                                          button_style="primary" if backwards else "",
                                          layout=widgets.Layout(width=BUTTON_WIDTH))
        self.next_button = widgets.Button(description=NEXT_LABEL,
                                          button_style="" if backwards else "primary",
                                          layout=widgets.Layout(width=BUTTON_WIDTH))
        self.play = widgets.Play(value=self._walked(start), min=1, max=T, step=1,
                                 interval=PLAY_INTERVAL_MS, description="play")
        self.prev_button.on_click(lambda _: self.move(-1))
        self.next_button.on_click(lambda _: self.move(+1))
        self.slider.observe(self._on_slider, names="value")
        self.play.observe(self._on_play, names="value")
        self._ends(start)
        super().__init__([self.play, self.prev_button, self.slider, self.next_button])

    def move(self, step: int) -> None:
        """Move the slider ``step`` steps (negative: back), stopping at 1 and T."""
        self.slider.value = min(max(self.slider.value + step, 1), self.T)

    def _walked(self, t: int) -> int:
        """How many steps of the pass reach step t: t forwards, T + 1 - t backwards."""
        return self.T + 1 - t if self.backwards else t

    def _on_slider(self, change) -> None:
        t = int(change["new"])
        self._ends(t)
        self.play.value = self._walked(t)

    def _on_play(self, change) -> None:
        # the mapping is its own inverse, so this sets the slider to the step walked to
        self.slider.value = self._walked(int(change["new"]))

    def _ends(self, t: int) -> None:
        self.prev_button.disabled = t == 1
        self.next_button.disabled = t == self.T
