"""Notebook 03: the LossExplorer widget, driven without a browser, and the exercise checks
for the softmax and the cross-entropy."""
import math

import numpy as np
import pytest

import rnnlib
from rnnlib.exercises.output import check_cross_entropy, check_softmax
from rnnlib.widgets.output import LossExplorer


def dense_forward(params, inputs):
    """Per-step logits and probabilities, written out with one-hot columns (N = 1)."""
    Wxh, Whh, Why, bh, by = (params[k] for k in ("Wxh", "Whh", "Why", "bh", "by"))
    V, H = Why.shape
    h = np.zeros((H, 1))
    ys, ps = [], []
    for ix in inputs:
        x = np.zeros((V, 1))
        x[ix] = 1
        h = np.tanh(Wxh @ x + Whh @ h + bh)
        y = Why @ h + by
        ys.append(y)
        ps.append(np.exp(y) / np.exp(y).sum())
    return ys, ps


def big_weights(model, seed):
    """Weights large enough that every step's p_t is clearly different."""
    rng = np.random.default_rng(seed)
    for p in model.params.values():
        p[...] = rng.standard_normal(p.shape) * 0.7
    return model


def test_moving_the_step_shows_that_steps_logits_probabilities_and_loss():
    """Setting the slider to t shows y_t, p_t and -log p_t[target] of step t exactly."""
    vocab = rnnlib.Vocab.from_text("hello")
    model = big_weights(rnnlib.RNN(len(vocab), 5, seed=1), seed=2)
    w = LossExplorer(model=model)
    ys, ps = dense_forward(model.params, vocab.encode("hell"))
    targets = vocab.encode("ello")
    for t in (3, 1, 4, 2):
        w.slider.value = t
        assert w.t == t
        assert w.input_char == "hell"[t - 1] and w.target_char == "ello"[t - 1]
        np.testing.assert_allclose(w.y_t, ys[t - 1], rtol=1e-12)
        np.testing.assert_allclose(w.p_t, ps[t - 1], rtol=1e-12)
        assert w.p_target == pytest.approx(ps[t - 1][targets[t - 1], 0], rel=1e-12)
        assert w.step_losses[t - 1] == pytest.approx(-math.log(w.p_target), rel=1e-10)
        assert f"{w.step_losses[t - 1]:.4f}" in w.readout.value
    total = -sum(math.log(ps[i][targets[i], 0]) for i in range(4))
    assert w.loss == pytest.approx(total, rel=1e-12)
    assert f"{total:.4f}" in w.readout.value


def test_an_untrained_model_scores_about_the_uniform_guess():
    """min-char-rnn's tiny initial weights give p_t close to 1/V, so loss ~ T log V."""
    w = LossExplorer()
    assert w.uniform_loss == pytest.approx(4 * math.log(4))
    assert w.loss == pytest.approx(w.uniform_loss, abs=1e-2)
    np.testing.assert_allclose(w.p_t, 0.25, atol=1e-2)


def test_training_steps_lower_the_loss_and_grow_every_target_bar():
    """Clicking "train" takes N Adagrad steps: the loss falls, each p_t[target] rises."""
    w = LossExplorer()
    before_loss = w.loss
    before_p = [w.ps[i, w.targets[i]] for i in range(w.T)]
    w.n_steps.value = 20
    assert w.train_button.description == "train 20 steps"
    w.train_button.click()
    assert w.iteration == 20
    assert w.loss < 0.5 * before_loss
    for i in range(w.T):
        assert w.ps[i, w.targets[i]] > before_p[i]
    its = [it for it, _ in w.history]
    assert its == list(range(21))           # one loss per iteration, no repeats
    assert w.history[-1][1] == pytest.approx(w.loss)


def test_training_matches_the_library_loop_step_for_step():
    """The widget's training is loss_and_grads + Adagrad.step on the same text."""
    vocab = rnnlib.Vocab.from_text("hello")
    ref = rnnlib.RNN(len(vocab), 8, seed=0)
    opt = rnnlib.Adagrad(lr=0.1)
    losses = []
    for _ in range(5):
        loss, grads, _ = ref.loss_and_grads(vocab.encode("hell"), vocab.encode("ello"))
        losses.append(loss)
        opt.step(ref.params, grads)
    w = LossExplorer(hidden_size=8, seed=0)  # a size other than the default
    w.train(5)
    np.testing.assert_allclose([l for _, l in w.history[:5]], losses, rtol=1e-12)
    for k in ref.params:
        np.testing.assert_allclose(w.model.params[k], ref.params[k], rtol=1e-12)


def test_reset_puts_the_starting_weights_back():
    w = LossExplorer()
    start = w.loss
    w.train(5)
    w.reset_button.click()
    assert w.iteration == 0 and len(w.history) == 1
    assert w.loss == pytest.approx(start, rel=1e-12)


def test_a_model_for_another_vocabulary_is_explained():
    with pytest.raises(ValueError, match="reads 7 characters.*has 4"):
        LossExplorer(model=rnnlib.RNN(7, 3))


# ---- exercise checks -------------------------------------------------------------------

def stable_softmax(y):
    shifted = y - np.max(y, axis=0)
    return np.exp(shifted) / np.sum(np.exp(shifted), axis=0)


def test_check_softmax_accepts_a_correct_softmax():
    assert check_softmax(stable_softmax)


@pytest.mark.parametrize("wrong, words", [
    (lambda y: np.exp(y) / np.exp(y).sum(axis=0), "overflow"),
    (lambda y: stable_softmax(y.T).T, "column"),
    (lambda y: np.exp(y - y.max()) / np.exp(y - y.max()).sum(axis=0), "own max"),
    (lambda y: np.exp(y - y.max()) / np.exp(y - y.max()).sum(), "whole array"),
    (lambda y: None, "None"),
    ("not a function", "pass the function"),
])
def test_check_softmax_names_the_mistake(wrong, words):
    fb = check_softmax(wrong)
    assert not fb
    assert words in fb.message


def test_check_softmax_notices_a_change_in_place():
    def in_place(y):
        y -= y.max(axis=0)
        return np.exp(y) / np.exp(y).sum(axis=0)
    fb = check_softmax(in_place)
    assert not fb and "in place" in fb.message


def loop_cross_entropy(ps, targets):
    T, V, N = ps.shape
    return sum(-math.log(ps[t, targets[t, n], n]) for t in range(T) for n in range(N)) / N


def test_check_cross_entropy_accepts_a_loop_over_steps_and_sequences():
    assert check_cross_entropy(loop_cross_entropy)


@pytest.mark.parametrize("wrong, words", [
    (lambda ps, tg: loop_cross_entropy(ps, tg) / ps.shape[0], "mean over time"),
    (lambda ps, tg: loop_cross_entropy(ps, tg) * ps.shape[2], "divide by N"),
    (lambda ps, tg: -loop_cross_entropy(ps, tg), "sign"),
    (lambda ps, tg: -np.log(ps).sum() / ps.shape[2], "every probability"),
    (lambda ps, tg: -np.log(ps.max(axis=1)).sum() / ps.shape[2], "most likely"),
    (lambda ps, tg: np.zeros(ps.shape[0]), "one number"),
    (lambda ps, tg: ps[0, 0, 5], "IndexError"),
])
def test_check_cross_entropy_names_the_mistake(wrong, words):
    fb = check_cross_entropy(wrong)
    assert not fb
    assert words in fb.message
