import html

import matplotlib
import numpy as np
import pytest

import rnnlib
from rnnlib.widgets.training import TrainingProgress, TrainingWidget

matplotlib.use("Agg")

TEXT = "hello world, hello there. " * 20


def small_trainer(**kw):
    cfg = dict(hidden_size=12, seq_length=8, sample_every=0, seed=3)
    cfg.update(kw)
    return rnnlib.Trainer(TEXT, rnnlib.TrainConfig(**cfg))


def test_clicking_train_runs_n_iterations_and_fills_the_bar():
    w = TrainingWidget(small_trainer(), steps=40, redraws=4)
    assert w.train_button.description.startswith("Train")
    w.train_button.click()
    assert w.iteration == 40 and w.trainer.iteration == 40
    assert len(w.history) == 40
    assert w.progress.value == w.progress.max == 40
    assert "iteration 40" in w.status.value


def test_the_bar_advances_during_training_not_only_at_the_end():
    w = TrainingWidget(small_trainer(), steps=50, redraws=2)
    seen = []
    w.progress.observe(lambda ch: seen.append(ch["new"]), names="value")
    w.train_button.click()
    assert seen[-1] == 50
    assert len(set(seen)) > 10 and seen == sorted(seen)


def test_the_loss_plotted_is_the_trainers_history():
    w = TrainingWidget(small_trainer(), steps=30, redraws=3)
    w.train_button.click()
    w.train_button.click()                      # a second click continues the same curve
    hist = np.array(w.trainer.history)
    assert len(hist) == 60
    (x_loss, y_loss), (x_smooth, y_smooth), (x_mean, y_mean) = w.plotted
    np.testing.assert_array_equal(x_loss, hist[:, 0])
    np.testing.assert_array_equal(y_loss, hist[:, 1])
    np.testing.assert_array_equal(y_smooth, hist[:, 2])
    # the running mean at iteration i is the mean of the 50 losses up to i
    assert x_mean[0] == 50 and x_mean[-1] == 60
    assert y_mean[0] == pytest.approx(hist[:50, 1].mean())
    assert y_mean[-1] == pytest.approx(hist[-50:, 1].mean())


def test_the_slider_sets_n_and_the_button_label():
    w = TrainingWidget(small_trainer(), steps=20)
    w.steps.value = 70
    assert w.train_button.description == "Train 70 steps"
    w.train_button.click()
    assert w.iteration == 70 and w.progress.max == 70


def test_training_in_chunks_gives_the_same_numbers_as_one_train_call():
    """The widget only splits the run to redraw; the losses equal a plain Trainer.train(n)."""
    w = TrainingWidget(small_trainer(), steps=45, redraws=4)
    w.train_button.click()
    plain = small_trainer()
    plain.train(45)
    np.testing.assert_allclose(np.array(w.history), np.array(plain.history), rtol=1e-12)
    for k in plain.model.params:
        np.testing.assert_allclose(w.trainer.model.params[k], plain.model.params[k], rtol=1e-12)


def test_samples_are_shown_as_training_goes():
    w = TrainingWidget(small_trainer(), steps=30, redraws=3, sample_length=40)
    assert [it for it, _ in w.samples] == [0]          # iteration 0: before any training
    w.train_button.click()
    assert [it for it, _ in w.samples] == [0, 10, 20, 30]
    last = w.samples[-1][1]
    assert len(last) == 40 and set(last) <= set(TEXT)
    assert html.escape(last) in w.sample_box.value


def test_reset_starts_again_from_the_same_fresh_weights():
    w = TrainingWidget(small_trainer(), steps=20)
    w.train_button.click()
    w.reset_button.click()
    assert w.iteration == 0 and w.history == [] and w.progress.value == 0
    fresh = small_trainer()
    for k, p in fresh.model.params.items():
        np.testing.assert_array_equal(w.trainer.model.params[k], p)
    assert w.plotted == []


def test_divergence_is_reported_in_the_widget_not_raised():
    tr = small_trainer()
    tr.model.params["Whh"][0, 0] = np.nan
    w = TrainingWidget(tr, steps=20)
    w.train_button.click()
    assert "diverged" in w.status.value and w.progress.bar_style == "danger"
    assert not w.train_button.disabled


def test_progress_callback_counts_iterations_and_collects_samples():
    tr = small_trainer(sample_every=10)
    bar = TrainingProgress(25)
    tr.train(25, callback=bar)
    assert bar.count == 25 and bar.bar.value == bar.bar.max == 25
    assert f"iteration {tr.iteration}" in bar.label.value
    assert bar.samples == tr.samples and len(bar.samples) == 3
    assert html.escape(tr.samples[-1][1]) in bar.sample_box.value


def test_learner_mistakes_get_clear_errors():
    with pytest.raises(TypeError, match="Trainer"):
        TrainingWidget("hello")
    with pytest.raises(ValueError, match="max_steps"):
        TrainingWidget(small_trainer(), steps=900, max_steps=500)
    with pytest.raises(ValueError, match="steps must be a whole number >= 10, got 5"):
        TrainingWidget(small_trainer(), steps=5)       # the slider could not show 5
    with pytest.raises(ValueError, match="n_iters"):
        TrainingProgress(0)


# ---- bits per character -----------------------------------------------------------------

def _bits(loss, T):
    return rnnlib.metrics.bits_per_char(loss, T)


def test_the_status_line_gives_the_smooth_loss_and_the_last_loss_in_bits_per_char():
    w = TrainingWidget(small_trainer(), steps=20)
    V = len(w.trainer.vocab)
    # before training: the smooth loss is a uniform guess, log2 V bits per character
    assert f"{np.log2(V):.3f} bits/char" in w.status.value
    w.train_button.click()
    _, last, smooth = w.history[-1]
    its, bits, smooth_bits = w.trainer.bits_per_char()
    assert f"smooth loss {smooth:.3f} = <b>{smooth_bits[-1]:.3f} bits/char</b>" in w.status.value
    assert f"last chunk {last:.3f} = {bits[-1]:.3f} bits/char" in w.status.value
    assert smooth_bits[-1] == pytest.approx(smooth / (8 * np.log(2)))


def test_the_right_axis_reads_the_same_height_in_bits_per_char():
    """A height of the plot is loss L on the left axis and L / (T ln 2) on the right one."""
    w = TrainingWidget(small_trainer(seq_length=8), steps=20)
    w.train_button.click()
    sec = w.bits_axis
    left, = sec.figure.axes                  # the loss axes; the bits axis is its child
    assert sec in left.child_axes
    sec.figure.draw_without_rendering()      # lay it out, as showing the PNG does
    assert sec.get_ylabel() == "bits per character"
    for loss in (10.0, 20.0, 8 * np.log(len(w.trainer.vocab))):
        y_left = left.transData.transform((0.0, loss))[1]
        y_right = sec.transData.transform((0.0, _bits(loss, 8)))[1]
        assert y_right == pytest.approx(y_left, abs=1e-6)
    # the uniform-guess line is labelled in bits
    labels = [line.get_label() for line in left.lines]
    V = len(w.trainer.vocab)
    assert any(f"uniform guess: {np.log2(V):.2f} bits/char" in lab for lab in labels), labels


def test_the_light_progress_bar_shows_the_smooth_loss_in_bits():
    tr = small_trainer()
    bar = TrainingProgress(20)
    tr.train(20, callback=bar)
    assert f"({_bits(tr.smooth_loss, 8):.3f} bits/char)" in bar.label.value
    assert bar.last.smooth_bits_per_char == pytest.approx(_bits(tr.smooth_loss, 8))
