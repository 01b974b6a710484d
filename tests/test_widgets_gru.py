"""Notebook 12: the GRUStepper widget, driven without a browser."""
import numpy as np
import pytest

import rnnlib
from rnnlib.widgets.gru import GRUStepper


def sig(a):
    return 1.0 / (1.0 + np.exp(-a))


def test_every_step_shows_the_gates_of_the_equations():
    """For each t the widget's r, z, n, h_prev, h are torch's GRU equations, computed here
    from the parameters with a dense one-hot x_t."""
    w = GRUStepper()
    P, V, H = w.model.params, w.model.vocab_size, w.model.hidden_size
    h = np.zeros((H, 1))
    for t in range(1, w.T + 1):
        w.slider.value = t
        x = np.zeros((V, 1))
        x[w.vocab.encode(w.text[t - 1])[0]] = 1
        ax = P["Wx"] @ x + P["bx"]
        ah = P["Wh"] @ h + P["bh"]
        r, z = sig(ax[:H] + ah[:H]), sig(ax[H:2 * H] + ah[H:2 * H])
        n = np.tanh(ax[2 * H:] + r * ah[2 * H:])
        np.testing.assert_allclose(w.h_prev, h, atol=1e-12)
        h = (1 - z) * n + z * h
        for name, ref in zip(["r", "z", "n", "h"], [r, z, n, h]):
            np.testing.assert_allclose(getattr(w, name), ref, rtol=1e-10, atol=1e-12,
                                       err_msg=f"{name} at t={t}")
        y = P["Why"] @ h + P["by"]
        np.testing.assert_allclose(w.p, np.exp(y) / np.exp(y).sum(), rtol=1e-10)
        assert w.input_char == w.text[t - 1] and w.target_char == w.text[t]


def test_the_default_model_has_learned_hello_including_both_ls():
    """After 'l' it must say 'l' the first time and 'o' the second: that takes memory."""
    w = GRUStepper()
    predicted = []
    for t in range(1, w.T + 1):
        w.slider.value = t
        predicted.append(w.predicted_char)
        assert "✔" in w.readout.value
    assert "".join(predicted) == "ello"


def test_buttons_step_and_stop_at_the_ends():
    """The buttons move one step, and each is disabled at its end (next at T, prev at 1)."""
    w = GRUStepper()
    assert w.t == 1 and w.prev_button.disabled and not w.next_button.disabled
    for expected in (2, 3, 4):
        w.next_button.click()
        assert w.t == expected and w.slider.value == expected
    assert w.next_button.disabled
    w.next_button.click()                       # already at T: stays
    assert w.t == 4 and w.next_button.disabled
    w.prev_button.click()
    assert w.t == 3 and not w.next_button.disabled
    assert "t = 3</b> of 4" in w.readout.value and "'l'" in w.readout.value


def test_a_step_seen_before_is_shown_from_the_cache():
    """Moving back to a step draws nothing: its PNG was kept; a new step draws once."""
    w = GRUStepper()
    w.slider.value = 2
    drawn = []
    real = w._gates_figure
    w._gates_figure = lambda: drawn.append(w.t) or real()
    w.slider.value = 1
    assert drawn == []
    w.slider.value = 3
    assert drawn == [3]


def test_any_gru_and_text_can_be_shown():
    v = rnnlib.Vocab.from_text("abcab")
    m = rnnlib.GRU(len(v), 3, seed=1)
    w = GRUStepper(model=m, text="abcab")
    assert w.T == 4 and w.r.shape == (3, 1) and w.p.shape == (3, 1)
    w.slider.value = 4
    np.testing.assert_array_equal(w.h, w.cache.h[3])
    np.testing.assert_array_equal(w.h_prev, w.cache.h[2])
    np.testing.assert_array_equal(w.z, w.cache.z[3])


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="at least 2 characters"):
        GRUStepper(text="h")
    v = rnnlib.Vocab.from_text("hello")
    with pytest.raises(TypeError, match="shows an rnnlib.GRU, got LSTM"):
        GRUStepper(model=rnnlib.LSTM(len(v), 4), text="hello")
    with pytest.raises(TypeError, match="shows an rnnlib.GRU, got RNN"):
        GRUStepper(model=rnnlib.RNN(len(v), 4), text="hello")
    with pytest.raises(ValueError, match="vocab="):
        GRUStepper(model=rnnlib.GRU(7, 4), text="hello")
