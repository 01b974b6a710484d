"""Notebook 10: the GateStepper widget, driven without a browser, and the check of the
learner's LSTM cell."""
import numpy as np
import pytest

import rnnlib
from rnnlib.exercises.lstm import check_lstm_cell
from rnnlib.widgets.gates import GateStepper


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def test_every_step_shows_the_gates_of_the_equations():
    """For each t the widget's i, f, o, g, c, h are the textbook equations, computed here
    from the parameters with a dense one-hot x_t."""
    w = GateStepper()
    P, V, H = w.model.params, w.model.vocab_size, w.model.hidden_size
    h, c = np.zeros((H, 1)), np.zeros((H, 1))
    for t in range(1, w.T + 1):
        w.slider.value = t
        x = np.zeros((V, 1))
        x[w.vocab.encode(w.text[t - 1])[0]] = 1
        a = P["Wx"] @ x + P["Wh"] @ h + P["b"]
        i, f, o, g = sig(a[:H]), sig(a[H:2 * H]), sig(a[2 * H:3 * H]), np.tanh(a[3 * H:])
        np.testing.assert_allclose(w.c_prev, c, atol=1e-12)
        c = f * c + i * g
        h = o * np.tanh(c)
        for name, ref in zip(["i", "f", "o", "g", "c", "h"], [i, f, o, g, c, h]):
            np.testing.assert_allclose(getattr(w, name), ref, rtol=1e-10, atol=1e-12,
                                       err_msg=f"{name} at t={t}")
        y = P["Why"] @ h + P["by"]
        np.testing.assert_allclose(w.p, np.exp(y) / np.exp(y).sum(), rtol=1e-10)
        assert w.input_char == w.text[t - 1] and w.target_char == w.text[t]


def test_the_default_model_has_learned_hello_including_both_ls():
    """After 'l' it must say 'l' the first time and 'o' the second: that takes memory."""
    w = GateStepper()
    predicted = []
    for t in range(1, w.T + 1):
        w.slider.value = t
        predicted.append(w.predicted_char)
        assert "✔" in w.readout.value
    assert "".join(predicted) == "ello"


def test_buttons_step_and_stop_at_the_ends():
    w = GateStepper()
    assert w.t == 1 and w.prev_button.disabled and not w.next_button.disabled
    for expected in (2, 3, 4):
        w.next_button.click()
        assert w.t == expected and w.slider.value == expected
    assert w.next_button.disabled
    w.next_button.click()                       # already at T: stays
    assert w.t == 4
    w.prev_button.click()
    assert w.t == 3 and not w.next_button.disabled
    assert "t = 3</b> of 4" in w.readout.value and "'l'" in w.readout.value


def test_any_lstm_and_text_can_be_shown():
    v = rnnlib.Vocab.from_text("abcab")
    m = rnnlib.LSTM(len(v), 3, seed=1)
    w = GateStepper(model=m, text="abcab")
    assert w.T == 4 and w.i.shape == (3, 1) and w.p.shape == (3, 1)
    w.slider.value = 4
    np.testing.assert_array_equal(w.c, w.cache.c[3])
    np.testing.assert_array_equal(w.c_prev, w.cache.c[2])


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="at least 2 characters"):
        GateStepper(text="h")
    v = rnnlib.Vocab.from_text("hello")
    with pytest.raises(TypeError, match="shows an rnnlib.LSTM, got RNN"):
        GateStepper(model=rnnlib.RNN(len(v), 4), text="hello")
    with pytest.raises(ValueError, match="vocab="):
        GateStepper(model=rnnlib.LSTM(7, 4), text="hello")


# ---- exercise: the LSTM cell -------------------------------------------------------------

def good_cell(a, c_prev):
    H = c_prev.shape[0]
    i, f, o = sig(a[:H]), sig(a[H:2 * H]), sig(a[2 * H:3 * H])
    g = np.tanh(a[3 * H:])
    c = f * c_prev + i * g
    return c, o * np.tanh(c)


def test_lstm_cell_accepts_a_right_answer():
    fb = check_lstm_cell(good_cell)
    assert fb, fb.message


def blocks(a, c_prev):
    H = c_prev.shape[0]
    return [a[k * H:(k + 1) * H] for k in range(4)]


def torch_order(a, c_prev):
    ai, af, ag, ao = blocks(a, c_prev)
    c = sig(af) * c_prev + sig(ai) * np.tanh(ag)
    return c, sig(ao) * np.tanh(c)


def sigmoid_g(a, c_prev):
    ai, af, ao, ag = blocks(a, c_prev)
    c = sig(af) * c_prev + sig(ai) * sig(ag)
    return c, sig(ao) * np.tanh(c)


def no_tanh_in_h(a, c_prev):
    c, _ = good_cell(a, c_prev)
    return c, sig(blocks(a, c_prev)[2]) * c


def old_c_in_h(a, c_prev):
    c, _ = good_cell(a, c_prev)
    return c, sig(blocks(a, c_prev)[2]) * np.tanh(c_prev)


def swapped_i_f(a, c_prev):
    ai, af, ao, ag = blocks(a, c_prev)
    c = sig(ai) * c_prev + sig(af) * np.tanh(ag)
    return c, sig(ao) * np.tanh(c)


def swapped_pair(a, c_prev):
    c, h = good_cell(a, c_prev)
    return h, c


@pytest.mark.parametrize("wrong, words", [
    (torch_order, "i, f, g, o"), (sigmoid_g, "sigmoid for g"), (no_tanh_in_h, "forgets the tanh"),
    (old_c_in_h, "c_{t-1}"), (swapped_i_f, "swaps the roles"), (swapped_pair, "(c_t, h_t)"),
])
def test_lstm_cell_names_the_mistake(wrong, words):
    fb = check_lstm_cell(wrong)
    assert not fb and words in fb.message, fb.message


def test_lstm_cell_explains_stubs_errors_and_other_wrong_values():
    fb = check_lstm_cell(lambda a, c_prev: (None, None))
    assert not fb and "None" in fb.message
    fb = check_lstm_cell(lambda a, c_prev: a[:2] @ c_prev)
    assert not fb and "raised" in fb.message
    fb = check_lstm_cell(lambda a, c_prev: c_prev)
    assert not fb and "pair" in fb.message
    fb = check_lstm_cell(lambda a, c_prev: (good_cell(a, c_prev)[0], 2 * good_cell(a, c_prev)[1]))
    assert not fb and "h_t" in fb.message and "factor" in fb.message
    assert not check_lstm_cell("lstm_cell")
