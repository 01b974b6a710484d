"""Every step-through widget stands on one base (rnnlib.widgets.stepper.Stepper) with one row
of controls: the same names and labels everywhere, play running in the direction of the
pass, buttons that stop at the ends, and a new stepper written with only what differs."""
import html

import ipywidgets as widgets
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import rnnlib  # noqa: E402
import rnnlib.widgets  # noqa: E402
from rnnlib.widgets.backward import BackwardStepper  # noqa: E402
from rnnlib.widgets.controls import StepControls  # noqa: E402
from rnnlib.widgets.figure_view import FigureView  # noqa: E402
from rnnlib.widgets.forward import HelloStepper  # noqa: E402
from rnnlib.widgets.gates import GateStepper  # noqa: E402
from rnnlib.widgets.gru import GRUStepper  # noqa: E402
from rnnlib.widgets.stepper import Stepper  # noqa: E402

STEPPERS = [HelloStepper, BackwardStepper, GateStepper, GRUStepper]
IDS = [s.__name__ for s in STEPPERS]


@pytest.fixture(scope="module", params=STEPPERS, ids=IDS)
def stepper(request):
    return request.param()


def test_every_stepper_is_a_stepper_with_the_same_controls_in_the_same_order(stepper):
    """One row on top: play, ◀ Prev, the slider "step t" over 1..T, Next ▶, under the
    same attribute names in every stepper."""
    assert isinstance(stepper, Stepper)
    row = stepper.children[0]
    assert row is stepper.steps and isinstance(row, StepControls)
    assert list(row.children) == [stepper.play, stepper.prev_button, stepper.slider,
                                  stepper.next_button]
    assert isinstance(stepper.play, widgets.Play)
    assert (stepper.prev_button.description, stepper.next_button.description) == \
        ("◀ Prev", "Next ▶")
    assert stepper.play.description == "play"
    assert stepper.slider.description == "step t"
    assert (stepper.slider.min, stepper.slider.max) == (1, stepper.T) == (1, 4)
    assert stepper.readout in stepper.children or any(
        stepper.readout in getattr(c, "children", ()) for c in stepper.children)


@pytest.mark.parametrize("make", STEPPERS, ids=IDS)
def test_the_buttons_move_one_step_and_stop_at_both_ends(make):
    """From wherever it starts, Next ▶ walks up to T and ◀ Prev down to 1; each button is
    disabled exactly at its end, and a click there changes nothing."""
    w = make()
    while w.t < w.T:
        t = w.t
        assert not w.next_button.disabled
        w.next_button.click()
        assert w.t == w.slider.value == t + 1
    assert w.next_button.disabled and not w.prev_button.disabled
    w.next_button.click()
    assert w.t == w.T
    while w.t > 1:
        t = w.t
        w.prev_button.click()
        assert w.t == t - 1
    assert w.prev_button.disabled and not w.next_button.disabled
    w.prev_button.click()
    assert w.t == 1
    assert "t = 1</b> of 4" in w.readout.value


@pytest.mark.parametrize("make, start, order, highlighted", [
    (HelloStepper, 1, [1, 2, 3, 4], "next"),
    (GateStepper, 1, [1, 2, 3, 4], "next"),
    (GRUStepper, 1, [1, 2, 3, 4], "next"),
    (BackwardStepper, 4, [4, 3, 2, 1], "prev"),
], ids=IDS[:1] + IDS[2:] + IDS[1:2])
def test_play_walks_the_steps_in_the_direction_of_the_pass(make, start, order, highlighted):
    """A forward pass starts at t = 1 and plays 1..T with Next ▶ highlighted; the backward
    pass starts at t = T and plays T..1 with ◀ Prev highlighted. Moving the slider by
    hand moves play's count with it, so play goes on from where the learner is."""
    w = make()
    assert w.t == start and w.play.value == 1
    shown = []
    for k in range(1, w.T + 1):                   # what the browser does while play runs
        w.play.value = k
        shown.append(w.t)
    assert shown == order
    assert [b.button_style for b in (w.prev_button, w.next_button)] == \
        (["primary", ""] if highlighted == "prev" else ["", "primary"])
    w.slider.value = order[1]
    assert w.play.value == 2 and w.t == order[1]


def test_the_controls_refuse_a_sequence_without_steps():
    with pytest.raises(ValueError, match="T = 0.*at least 2 characters"):
        StepControls(0)


class NormStepper(Stepper):
    """A new stepper written with the hooks only: the norm of h_t at each step of an RNN."""
    kind = rnnlib.RNN

    def _default_model(self, vocab, text):
        return rnnlib.RNN(len(vocab), 3, seed=0)

    def _build(self):
        self.drawn = []                              # the steps drawn, in order
        self.view = FigureView((3, 2))
        return [self.readout, self.view.out]

    def _set_step(self, i):
        self.h_norm = float(np.linalg.norm(self.cache.hs[i]))

    def _figures(self):
        return [(self.view, self._figure)]

    def _figure(self):
        self.drawn.append(self.t)
        self.view.axes.clear()
        self.view.axes.bar([0], [self.h_norm])

    def _readout_html(self):
        return f"t = {self.t}: {html.escape(self.input_char)} → |h| = {self.h_norm:.4f}"


def test_a_new_stepper_needs_only_its_hooks():
    """The base checks the model, runs the forward pass, builds the controls, sets t and
    the characters on each move, fills the readout and draws each step once."""
    w = NormStepper(text="abca")
    assert w.T == 3 and list(w.inputs) == list(w.vocab.encode("abc"))
    assert w.readout.value == f"t = 1: a → |h| = {np.linalg.norm(w.cache.hs[0]):.4f}"
    for t in (2, 3, 2, 1, 3):
        w.slider.value = t
        assert (w.t, w.input_char, w.target_char) == (t, "abca"[t - 1], "abca"[t])
        assert w.h_norm == pytest.approx(np.linalg.norm(w.cache.hs[t - 1]))
    assert w.drawn == [1, 2, 3]            # steps seen before are not drawn again
    h0 = np.full((3, 1), 0.5)
    started = NormStepper(w.model, "abca", h_prev=h0)
    np.testing.assert_allclose(started.cache.hs, w.model.forward(w.inputs, h0).hs)
    with pytest.raises(TypeError, match="shows an rnnlib.RNN, got GRU"):
        NormStepper(rnnlib.GRU(3, 2), "abca")


def test_the_package_only_re_exports_the_shared_helpers():
    """rnnlib.widgets defines nothing itself: each name it offers lives in a named module."""
    from rnnlib.widgets import checks, controls, figure_view, stepper
    homes = {"text_vocab": checks, "check_model_vocab": checks, "StepControls": controls,
             "FigureView": figure_view, "figure_in": figure_view, "Stepper": stepper,
             "warm_up": stepper}
    assert sorted(rnnlib.widgets.__all__) == sorted(homes)
    for name, module in homes.items():
        assert getattr(rnnlib.widgets, name) is getattr(module, name)
        assert getattr(module, name).__module__ == module.__name__


def test_a_stepper_that_leaves_out_a_method_is_told_which():
    """A subclass without _set_step fails on its first step with the class and the method
    named, not with a bare NotImplementedError."""
    class Half(NormStepper):
        _set_step = Stepper._set_step
    with pytest.raises(NotImplementedError, match=r"Half leaves out _set_step\(\)"):
        Half(text="abca")
