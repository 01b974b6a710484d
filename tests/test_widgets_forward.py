"""The "hello" step-through widget shows the forward pass exactly, and the notebook 02
exercise checks accept right answers and name the usual mistakes."""
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import rnnlib  # noqa: E402
from rnnlib.exercises.hidden import check_hidden_param_count, check_rnn_step  # noqa: E402
from rnnlib.widgets.forward import HelloStepper, readable_rnn  # noqa: E402


def steps_from_scratch(P, text, chars):
    """Every step's (x_t, h_prev, Wxh x_t, Whh h_prev, h_t) by the equations, dense one-hot."""
    V, H = len(chars), P["Whh"].shape[0]
    h = np.zeros((H, 1))
    out = []
    for ch in text[:-1]:
        x = np.zeros((V, 1))
        x[chars.index(ch)] = 1.0
        h_new = np.tanh(P["Wxh"] @ x + P["Whh"] @ h + P["bh"])
        out.append((x, h, P["Wxh"] @ x, P["Whh"] @ h, h_new))
        h = h_new
    return out


def assert_shows_step(w, t, expected, text):
    x, h_prev, wx, wh, h_t = expected[t - 1]
    assert w.t == t and w.slider.value == t
    assert (w.input_char, w.target_char) == (text[t - 1], text[t])
    np.testing.assert_array_equal(w.x_t, x)
    np.testing.assert_allclose(w.h_prev, h_prev, atol=1e-12)
    np.testing.assert_allclose(w.Wxh_x, wx, atol=1e-12)
    np.testing.assert_allclose(w.Whh_h, wh, atol=1e-12)
    np.testing.assert_allclose(w.bh, w.model.params["bh"], atol=0)
    np.testing.assert_allclose(w.a_t, wx + wh + w.model.params["bh"], atol=1e-12)
    np.testing.assert_allclose(w.h_t, h_t, atol=1e-12)
    assert f"t = {t}" in w.readout.value
    assert repr(text[t - 1]).strip("'") in w.readout.value
    for v in h_t.ravel():
        assert f"{v:.3f}" in w.readout.value


def test_slider_shows_every_step_of_hello_as_the_equations_give():
    """Default widget: t = 1..4 over h,e,l,l -> e,l,l,o; each array matches a dense loop."""
    w = HelloStepper()
    assert w.slider.description == "step t"
    assert (w.slider.min, w.slider.max) == (1, 4)
    assert w.vocab.chars == ["e", "h", "l", "o"]
    expected = steps_from_scratch(w.model.params, "hello", w.vocab.chars)
    assert_shows_step(w, 1, expected, "hello")
    np.testing.assert_array_equal(w.h_prev, 0)            # h_0 = 0
    for t in (3, 2, 4, 1):
        w.slider.value = t
        assert_shows_step(w, t, expected, "hello")
    np.testing.assert_allclose(w.hs, np.hstack([e[4] for e in expected]).T, atol=1e-12)


def test_default_model_has_visible_activations():
    """The default weights make |h_t| large enough to see, unlike the 0.01 initialisation."""
    w = HelloStepper()
    assert 4 <= w.model.hidden_size <= 8
    assert np.abs(w.hs).max() > 0.3
    assert np.abs(rnnlib.RNN(4, 6, seed=0).forward([1, 0, 2, 2]).hs).max() < 0.05


def test_buttons_move_one_step_and_stop_at_the_ends():
    """Next and Prev change t by one, are disabled at the ends, and the readout follows."""
    w = HelloStepper()
    assert w.prev_button.disabled and not w.next_button.disabled
    seen = [w.readout.value]
    for t in (2, 3, 4):
        w.next_button.click()
        assert w.t == t
        seen.append(w.readout.value)
    assert w.next_button.disabled
    w.next_button.click()
    assert w.t == 4
    assert len(set(seen)) == 4                             # the readout changed every step
    w.prev_button.click()
    assert w.t == 3 and not w.next_button.disabled
    assert "input 'l'" in w.readout.value or "input &#x27;l&#x27;" in w.readout.value


@pytest.mark.parametrize("seed", range(3))
def test_any_model_and_text_step_through_like_a_dense_loop(seed):
    """Random text, hidden size and weights: every step equals the from-scratch loop."""
    rng = np.random.default_rng(seed)
    text = "".join(rng.choice(list("abcd"), int(rng.integers(3, 9))))
    vocab = rnnlib.Vocab.from_text("abcd")
    H = int(rng.integers(2, 7))
    model = readable_rnn(len(vocab), H, seed=seed)
    w = HelloStepper(model, text, vocab=vocab)
    expected = steps_from_scratch(model.params, text, vocab.chars)
    assert w.slider.max == len(text) - 1
    for t in rng.permutation(np.arange(1, len(text))):
        w.slider.value = int(t)
        assert_shows_step(w, int(t), expected, text)


def test_korean_text_steps_through():
    """Unicode characters are inputs like any other."""
    w = HelloStepper(readable_rnn(3, 4, seed=1), "안녕하세요"[:3] + "안")
    w.slider.value = 3
    assert (w.input_char, w.target_char) == ("하", "안")
    assert "하" in w.readout.value


def test_errors_name_the_problem():
    """A mismatched vocabulary or a too-short text is refused with what to do instead."""
    with pytest.raises(ValueError, match="vocab_size=4"):
        HelloStepper(rnnlib.RNN(5, 3, seed=0), "hello")
    with pytest.raises(ValueError, match="at least 2 characters"):
        HelloStepper(text="h")
    with pytest.raises(ValueError, match="'z'"):
        HelloStepper(text="hez", vocab=rnnlib.Vocab.from_text("hello"))


# ---- the exercise checks -----------------------------------------------------------

def right_step(x_t, h_prev, Wxh, Whh, bh):
    return np.tanh(Wxh @ x_t + Whh @ h_prev + bh)


def test_rnn_step_check_accepts_a_right_answer_written_two_ways():
    """Both the dense product and the column pick Wxh[:, ix] pass."""
    assert check_rnn_step(right_step)

    def column_pick(x_t, h_prev, Wxh, Whh, bh):
        ix = x_t.argmax(axis=0)
        return np.tanh(Wxh[:, ix] + Whh @ h_prev + bh)
    assert check_rnn_step(column_pick)


@pytest.mark.parametrize("wrong, words", [
    (lambda x, h, Wxh, Whh, bh: np.tanh(Wxh @ x + Whh @ h), "forgot the bias"),
    (lambda x, h, Wxh, Whh, bh: np.maximum(0, Wxh @ x + Whh @ h + bh), "relu"),
    (lambda x, h, Wxh, Whh, bh: 1 / (1 + np.exp(-(Wxh @ x + Whh @ h + bh))), "sigmoid"),
    (lambda x, h, Wxh, Whh, bh: Wxh @ x + Whh @ h + bh, "nonlinearity"),
    (lambda x, h, Wxh, Whh, bh: np.tanh(Wxh @ x + Whh.T @ h + bh), "transposed"),
    (lambda x, h, Wxh, Whh, bh: np.tanh(Wxh @ x + bh), "previous state"),
    (lambda x, h, Wxh, Whh, bh: np.tanh(Whh @ h + bh), "left out the input"),
    (lambda x, h, Wxh, Whh, bh: np.tanh(Wxh @ x + Whh @ h) + bh, "before adding the bias"),
    (lambda x, h, Wxh, Whh, bh: right_step(x, h, Wxh, Whh, bh).T, "transposed"),
    (lambda x, h, Wxh, Whh, bh: right_step(x, h, Wxh, Whh, bh).sum(axis=1), "shape"),
    (lambda x, h, Wxh, Whh, bh: np.tanh(x @ Wxh + Whh @ h + bh), "raised ValueError"),
    (lambda x, h, Wxh, Whh, bh: None, "returned None"),
])
def test_rnn_step_check_names_each_common_mistake(wrong, words):
    """Each wrong version fails, and the message says which mistake it is."""
    fb = check_rnn_step(wrong)
    assert not fb
    assert words in fb.message, fb.message


def test_rnn_step_check_runs_a_batch_and_catches_one_column_only():
    """A step that only handles N = 1 (uses the first column's index) is caught."""
    def first_column_only(x_t, h_prev, Wxh, Whh, bh):
        ix = int(x_t[:, 0].argmax())
        return np.tanh(Wxh[:, [ix]] + Whh @ h_prev + bh)
    fb = check_rnn_step(first_column_only)
    assert not fb and "N=3" in fb.message, fb.message


def test_rnn_step_stub_gives_not_yet_feedback_rather_than_crashing():
    """The notebook's stub (returns None) and a non-function both get a sentence, not an error."""
    def stub(x_t, h_prev, Wxh, Whh, bh):
        h_t = None
        return h_t
    assert "None" in check_rnn_step(stub).message
    assert "pass your function" in check_rnn_step(None).message


@pytest.mark.parametrize("V, H", [(4, 3), (5, 2), (3, 6)])
def test_param_count_check_counts_wxh_whh_bh(V, H):
    """The right count is H*V + H*H + H, worked out here entry by entry."""
    count = np.zeros((H, V)).size + np.zeros((H, H)).size + np.zeros((H, 1)).size
    assert check_hidden_param_count(count, V=V, H=H)
    assert not check_hidden_param_count(count + 1, V=V, H=H)


@pytest.mark.parametrize("answer, words", [
    (21, "without the bias"), (96, "does not depend on T"), (40, "output layer"),
    (27, "not 3x4"), (15, "leaves out Whh"), (None, "still None"), ("lots", "whole number"),
    (30, "Count the entries"),
])
def test_param_count_check_explains_wrong_counts(answer, words):
    """For V = 4, H = 3, T = 4 each typical wrong count gets its own explanation."""
    fb = check_hidden_param_count(answer)
    assert not fb
    assert words in fb.message, fb.message


def test_an_lstm_is_refused_by_name():
    """The stepper shows an RNN's Wxh, Whh...: an LSTM gets a TypeError naming both."""
    with pytest.raises(TypeError, match="shows an rnnlib.RNN, got LSTM"):
        HelloStepper(model=rnnlib.LSTM(4, 3))
