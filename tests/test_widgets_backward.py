"""Notebook 04: the BackwardStepper widget, driven without a browser, and the check of the
learner's backward pass."""
import numpy as np
import pytest

import rnnlib
from rnnlib.exercises.backward import check_backward, reference_grads
from rnnlib.widgets.backward import BackwardStepper, warmed_up_rnn

from conftest import random_rnn

NAMES = ("Wxh", "Whh", "Why", "bh", "by")


def backward_loop(params, inputs, targets, hprev, slip=None):
    """min-char-rnn's lossFun written out step by step, keeping every per-step value.

    ``slip`` makes one of the mistakes a learner might make, to test the checker.
    Returns (grads, steps) where steps[t] is a dict of that step's columns.
    """
    Wxh, Whh, Why, bh, by = (params[k] for k in NAMES)
    V, H = Why.shape
    xs, hs, ps = {}, {-1: hprev}, {}
    for t, ix in enumerate(inputs):
        xs[t] = np.zeros((V, 1))
        xs[t][ix] = 1
        hs[t] = np.tanh(Wxh @ xs[t] + Whh @ hs[t - 1] + bh)
        y = Why @ hs[t] + by
        ps[t] = np.exp(y) / np.exp(y).sum()
    grads = {k: np.zeros_like(params[k]) for k in NAMES}
    steps = {}
    run_Why, run_Whh = np.zeros_like(Why), np.zeros_like(Whh)
    dhnext = np.zeros((H, 1))
    for t in reversed(range(len(inputs))):
        dy = ps[t].copy()
        dy[targets[t]] -= 1
        grads["Why"] += dy @ hs[t].T
        grads["by"] += dy
        dh = Why.T @ dy + (0 if slip == "no_dhnext" else dhnext)
        dhraw = dh if slip == "no_tanh" else (1 - hs[t] ** 2) * dh
        grads["bh"] += dhraw
        grads["Wxh"] += dhraw @ xs[t].T
        if slip == "placeholder":
            grads["Whh"] += 0
        else:
            grads["Whh"] += dhraw @ (hs[t] if slip == "dWhh_uses_h_t" else hs[t - 1]).T
        run_Why = run_Why + dy @ hs[t].T
        run_Whh = run_Whh + dhraw @ hs[t - 1].T
        steps[t] = dict(dy=dy, dh_out=Why.T @ dy, dh_next=dhnext, dh=dh,
                        tanh_grad=1 - hs[t] ** 2, dh_raw=dhraw,
                        dWhy_so_far=run_Why, dWhh_so_far=run_Whh)
        dhnext = (Whh if slip == "dhnext_not_transposed" else Whh.T) @ dhraw
        steps[t]["dh_to_prev"] = dhnext
    return grads, steps


# ---- the widget --------------------------------------------------------------------------

def test_each_step_shows_exactly_that_steps_backward_values():
    """Moving the slider to t shows dy_t, both parts of dh_t, dh_raw_t, what goes to t-1,
    and dWhy, dWhh summed over steps T..t, all equal to a plain per-step loop."""
    vocab = rnnlib.Vocab.from_text("hello")
    model = random_rnn(len(vocab), 5, seed=4, scale=0.6)
    rng = np.random.default_rng(4)
    h0 = rng.standard_normal((5, 1)) * 0.5
    w = BackwardStepper(model=model, h_prev=h0)
    _, steps = backward_loop(model.params, vocab.encode("hell"), vocab.encode("ello"), h0)
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
        w.back_button.click()
    assert w.back_button.disabled and not w.forward_button.disabled
    np.testing.assert_allclose(w.dWhy_so_far, w.grads["Why"], rtol=1e-12)
    np.testing.assert_allclose(w.dWhh_so_far, w.grads["Whh"], rtol=1e-12)
    np.testing.assert_allclose(w.dh_to_prev, w.dh_prev)
    w.forward_button.click()
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

def learner_backward(slip=None):
    def fn(params, inputs, targets, hprev):
        return backward_loop(params, inputs, targets, hprev, slip)[0]
    return fn


def test_the_checks_own_loop_agrees_with_the_library():
    rng = np.random.default_rng(9)
    m = random_rnn(4, 3, seed=9)
    inputs, targets = rng.integers(0, 4, 5), rng.integers(0, 4, 5)
    h0 = rng.standard_normal((3, 1))
    lib = m.backward(m.forward(inputs, h0), targets).grads
    mine = reference_grads(m.params, inputs, targets, h0)
    for k in NAMES:
        np.testing.assert_allclose(mine[k], lib[k], rtol=1e-10, atol=1e-14)


def test_check_backward_accepts_a_correct_backward_pass():
    assert check_backward(learner_backward())


@pytest.mark.parametrize("slip, wrong, words", [
    ("no_dhnext", "dWxh, dWhh and dbh are wrong", "dh_next"),
    ("no_tanh", "dWxh, dWhh and dbh are wrong", "tanh derivative"),
    ("dhnext_not_transposed", "dWxh, dWhh and dbh are wrong", "Whh.T @ dh_raw"),
    ("dWhh_uses_h_t", "dWhh is wrong", "h_{t-1}"),
    ("placeholder", "dWhh is wrong", "placeholder"),
])
def test_check_backward_says_which_gradient_is_wrong_and_why(slip, wrong, words):
    fb = check_backward(learner_backward(slip))
    assert not fb
    assert wrong in fb.message and words in fb.message


def test_check_backward_explains_a_wrong_return_value():
    fb = check_backward(lambda *args: None)
    assert not fb and "dict" in fb.message
    fb = check_backward(lambda p, *rest: {k: np.zeros(3) for k in NAMES})
    assert not fb and "shape" in fb.message
