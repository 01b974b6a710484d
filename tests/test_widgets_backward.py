"""Notebook 04: the BackwardStepper widget, driven without a browser, and the check of the
learner's backward pass."""
import numpy as np
import pytest

import rnnlib
from rnnlib.exercises.backward import check_backward
from rnnlib.exercises.slips import SLIPS
from rnnlib.reference import lossfun
from rnnlib.widgets.backward import BackwardStepper, warmed_up_rnn

from conftest import random_rnn

NAMES = ("Wxh", "Whh", "Why", "bh", "by")


def reference_steps(params, inputs, targets, h0):
    """Every step's backward values, from min-char-rnn's lossFun (rnnlib.reference) alone.

    Backprop from the end down to step t sees only steps t..T, so the sums over those
    steps (dWhy, dWhh so far) and what step t sends back are lossFun's gradients and dh_0
    on the suffix of the chunk from step t, started at h_{t-1}; one step's dy and dh_raw
    are the differences of two such sums of dby and dbh. steps[t] is 0-based step t.
    """
    T = len(inputs)
    hs = {-1: h0, **{t: lossfun(params, inputs[:t + 1], targets[:t + 1], h0)[2]
                     for t in range(T)}}

    def suffix(t):                                    # (grads, dh_0) of steps t..T
        if t == T:
            return {k: np.zeros_like(params[k]) for k in NAMES}, np.zeros_like(h0)
        _, grads, _, dh_0 = lossfun(params, inputs[t:], targets[t:], hs[t - 1])
        return grads, dh_0

    steps = {}
    for t in range(T):
        (g, dh_to_prev), (g_after, dh_next) = suffix(t), suffix(t + 1)
        dy = g["by"] - g_after["by"]
        dh_out = params["Why"].T @ dy
        steps[t] = dict(dy=dy, dh_out=dh_out, dh_next=dh_next, dh=dh_out + dh_next,
                        tanh_grad=1 - hs[t] ** 2, dh_raw=g["bh"] - g_after["bh"],
                        dWhy_so_far=g["Why"], dWhh_so_far=g["Whh"], dh_to_prev=dh_to_prev)
    return steps


# ---- the widget --------------------------------------------------------------------------

def test_each_step_shows_exactly_that_steps_backward_values():
    """Moving the slider to t shows dy_t, both parts of dh_t, dh_raw_t, what goes to t-1,
    and dWhy, dWhh summed over steps T..t, all equal to a plain per-step loop."""
    vocab = rnnlib.Vocab.from_text("hello")
    model = random_rnn(len(vocab), 5, seed=4, scale=0.6)
    rng = np.random.default_rng(4)
    h0 = rng.standard_normal((5, 1)) * 0.5
    w = BackwardStepper(model=model, h_prev=h0)
    steps = reference_steps(model.params, vocab.encode("hell"), vocab.encode("ello"), h0)
    assert w.t == 4                                  # backprop starts at the last step
    for t in (4, 2, 1, 3):
        w.slider.value = t
        assert w.t == t and w.input_char == "hell"[t - 1] and w.target_char == "ello"[t - 1]
        for name, expected in steps[t - 1].items():
            np.testing.assert_allclose(getattr(w, name), expected, rtol=1e-10, atol=1e-14,
                                       err_msg=f"{name} at t = {t}")


def test_dh_next_is_zero_at_the_last_step_and_the_sum_is_complete_at_the_first():
    w = BackwardStepper()
    assert not np.any(w.dh_next)                     # nothing comes back from after step T
    assert "dh_next‖ = 0 (t = T" in w.readout.value
    while w.t > 1:
        w.prev_button.click()
    assert w.prev_button.disabled and not w.next_button.disabled
    np.testing.assert_allclose(w.dWhy_so_far, w.grads["Why"], rtol=1e-12)
    np.testing.assert_allclose(w.dWhh_so_far, w.grads["Whh"], rtol=1e-12)
    np.testing.assert_allclose(w.dh_to_prev, w.dh_prev)
    w.next_button.click()
    assert w.t == 2


def test_dh_next_arriving_at_t_is_what_step_t_plus_1_sent_back():
    w = BackwardStepper()
    w.slider.value = 3
    sent = w.dh_to_prev.copy()
    w.slider.value = 2
    np.testing.assert_allclose(w.dh_next, sent)
    np.testing.assert_allclose(w.dh, w.dh_out + w.dh_next)
    assert f"{np.linalg.norm(w.dh_next):.4f}" in w.readout.value


def test_the_default_model_has_learned_enough_for_dh_next_to_show():
    """After a few training steps the gradient from the future is a visible share of dh."""
    vocab = rnnlib.Vocab.from_text("hello")
    w = BackwardStepper(model=warmed_up_rnn(vocab, "hello"))
    ratio = np.linalg.norm(w.trace.dh_next[:-1]) / np.linalg.norm(w.trace.dh_out[:-1])
    assert ratio > 0.1
    untrained = BackwardStepper(model=rnnlib.RNN(4, 6, seed=0))
    assert w.model.loss(w.cache, w.targets) < untrained.model.loss(untrained.cache,
                                                                   untrained.targets)


def test_a_model_for_another_vocabulary_is_explained():
    with pytest.raises(ValueError, match="reads 6 characters.*has 4"):
        BackwardStepper(model=rnnlib.RNN(6, 3))


# ---- the exercise check ------------------------------------------------------------------

def learner_backward(slip=None, placeholder=()):
    """A learner's backward pass: min-char-rnn's loop with ``slip`` (a key of SLIPS), and
    the gradients named in ``placeholder`` left at zero."""
    def fn(params, inputs, targets, hprev):
        grads = lossfun(params, inputs, targets, hprev, slip=slip)[1]
        return {k: np.zeros_like(g) if k in placeholder else g for k, g in grads.items()}
    return fn


def test_check_backward_accepts_a_correct_backward_pass():
    assert check_backward(learner_backward())


@pytest.mark.parametrize("slip", sorted(SLIPS))
def test_check_backward_names_every_slip_of_the_table(slip):
    """Each slip: the check lists the gradients it breaks as wrong, the rest as right, and
    gives the table's sentence for it."""
    fb = check_backward(learner_backward(slip))
    assert not fb
    wrong = [f"d{k}" for k in NAMES if k in SLIPS[slip].breaks]
    listed = wrong[0] if len(wrong) == 1 else ", ".join(wrong[:-1]) + " and " + wrong[-1]
    assert fb.message.startswith(f"{listed} {'is' if len(wrong) == 1 else 'are'} wrong")
    assert f"Likely cause: {SLIPS[slip].why}" in fb.message


def test_check_backward_points_at_a_placeholder_left_in():
    fb = check_backward(learner_backward(placeholder=("Whh",)))
    assert not fb and "dWhh is wrong" in fb.message and "placeholder" in fb.message


def test_check_backward_explains_a_wrong_return_value():
    fb = check_backward(lambda *args: None)
    assert not fb and "returned None" in fb.message
    fb = check_backward(lambda *args: [1, 2])
    assert not fb and "dict" in fb.message
    fb = check_backward(lambda p, *rest: {k: np.zeros(3) for k in NAMES})
    assert not fb and "shape" in fb.message
    fb = check_backward(lambda p, *rest: p["nope"])
    assert not fb and "raised KeyError" in fb.message and "(H, 1)" in fb.message
