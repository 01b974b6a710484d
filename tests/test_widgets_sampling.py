"""Notebook 07: the sampling explorer, driven without a browser."""
import math

import numpy as np
import pytest

import rnnlib
from rnnlib.widgets.sampling import SamplingExplorer


@pytest.fixture(scope="module")
def hello_model():
    """An RNN that has learned 'hello' (as in notebook 00): sure of every next character."""
    vocab = rnnlib.Vocab.from_text("hello")
    model = rnnlib.RNN(len(vocab), 8, seed=0)
    opt = rnnlib.Adagrad(lr=0.1)
    for _ in range(200):
        _, grads, _ = model.loss_and_grads(vocab.encode("hell"), vocab.encode("ello"))
        opt.step(model.params, grads)
    return model, vocab


def random_model(V, seed, scale=1.0):
    """Weights large enough that the next-character distribution is far from uniform."""
    model = rnnlib.RNN(V, 6, seed=seed)
    rng = np.random.default_rng(seed + 100)
    for p in model.params.values():
        p[...] = rng.standard_normal(p.shape) * scale
    return model


def test_first_step_bars_are_the_softmax_of_the_logits_over_tau():
    """p_first equals softmax(y / tau), with y the last logits of a forward pass over the prefix."""
    vocab = rnnlib.Vocab.from_text("abcdefg ")
    model = random_model(len(vocab), seed=1)
    w = SamplingExplorer(model, vocab, prefix="bad cafe", length=20)
    y = model.forward(vocab.encode("bad cafe")).ys[-1][:, 0]          # (V,)
    for tau in (0.1, 0.5, 1.0, 3.0):
        w.set_temperature(tau)
        assert w.temperature == pytest.approx(tau)
        expected = np.exp(y / tau) / np.exp(y / tau).sum()
        np.testing.assert_allclose(w.p_first[:, 0], expected, rtol=1e-9)
        assert f"τ = {tau:.2f}" == w.tau_label.value


def test_the_slider_is_logarithmic_from_0_1_to_3():
    vocab = rnnlib.Vocab.from_text("ab")
    w = SamplingExplorer(random_model(2, seed=0), vocab, prefix="a")
    w.tau_slider.value = w.tau_slider.min
    assert w.temperature == pytest.approx(0.1)
    w.tau_slider.value = w.tau_slider.max
    assert w.temperature == pytest.approx(3.0)
    w.tau_slider.value = (w.tau_slider.min + w.tau_slider.max) / 2
    assert w.temperature == pytest.approx(math.sqrt(0.1 * 3.0), rel=1e-2)   # geometric middle


def test_at_the_smallest_temperature_the_sample_is_the_greedy_one(hello_model):
    model, vocab = hello_model
    w = SamplingExplorer(model, vocab, prefix="h", length=30)
    w.greedy_box.value = True
    greedy = w.text
    assert greedy.startswith("hello")                  # what the model learned
    assert greedy == rnnlib.sample_text(model, vocab, "h", 30, greedy=True)
    w.greedy_box.value = False
    w.set_temperature(0.1)
    for _ in range(3):                                 # whatever the random numbers
        assert w.text == greedy
        w.again_button.click()


def test_sample_again_draws_new_text_and_settings_keep_the_draw():
    vocab = rnnlib.Vocab.from_text("abcdefgh ")
    w = SamplingExplorer(random_model(len(vocab), seed=3, scale=0.5), vocab, prefix="a",
                         length=60)
    first = w.text
    w.again_button.click()
    assert w.draw == 1 and w.text != first
    second = w.text
    w.length_slider.value = 100                        # same draw, longer text
    assert w.draw == 1 and len(w.continuation) == 100
    w.length_slider.value = 60
    assert w.text == second                            # reproducible for a given draw


def test_the_text_is_the_prefix_then_length_sampled_characters():
    vocab = rnnlib.Vocab.from_text("한국어 텍스트도 됩니다.")
    w = SamplingExplorer(random_model(len(vocab), seed=2), vocab, prefix="한국", length=40)
    assert w.text.startswith("한국") and len(w.continuation) == 40
    assert set(w.continuation) <= set(vocab.chars)
    assert "한국" in w.text_html.value


def test_a_prefix_with_an_unknown_character_is_explained():
    vocab = rnnlib.Vocab.from_text("hello")
    w = SamplingExplorer(random_model(4, seed=0), vocab, prefix="he")
    w.prefix_box.value = "hex"
    assert w.text is None and "'x'" in w.error and "'x'" in w.text_html.value
    w.prefix_box.value = ""
    assert "at least one character" in w.error
    w.prefix_box.value = "oh"
    assert w.error is None and w.text.startswith("oh")


def test_a_model_for_another_vocabulary_is_refused():
    with pytest.raises(ValueError, match="reads 5 characters but the vocabulary has 4"):
        SamplingExplorer(rnnlib.RNN(5, 3), rnnlib.Vocab.from_text("hello"))
    with pytest.raises(ValueError, match="temperature must be between"):
        SamplingExplorer(rnnlib.RNN(4, 3), rnnlib.Vocab.from_text("hello"), temperature=5)
    with pytest.raises(TypeError, match="temperature must be a number greater than 0, got 'hot'"):
        SamplingExplorer(rnnlib.RNN(4, 3), rnnlib.Vocab.from_text("hello"), temperature="hot")
    for length in (5, 2000, 12.5):           # the slider holds 10..1000: nothing is clamped
        with pytest.raises(ValueError, match=f"length must be .* from 10 to 1000.*{length}"):
            SamplingExplorer(rnnlib.RNN(4, 3), rnnlib.Vocab.from_text("hello"), length=length)


def test_the_probability_axis_fits_the_tallest_bar_at_every_temperature():
    """At tau = 3 every p is small: the axis shrinks to the tallest bar instead of 0 to 1."""
    V = 60
    vocab = rnnlib.Vocab([chr(ord("!") + k) for k in range(V)])
    model = random_model(V, seed=2)
    w = SamplingExplorer(model, vocab, prefix="ABC", length=10)
    for tau in (0.1, 1.0, 3.0):
        w.set_temperature(tau)
        bars = [b.get_height() for b in w.view.axes.patches]
        low, high = w.view.axes.get_ylim()
        assert low == 0 and max(bars) <= high <= 1.0
        assert high <= max(0.02, 1.2 * max(bars))


def test_the_title_says_where_the_sampled_character_is():
    """The sampled first character is the orange bar when it is among the top 20 drawn; when
    it is not, the title says so and no bar is orange."""
    V = 60
    vocab = rnnlib.Vocab([chr(ord("!") + k) for k in range(V)])
    w = SamplingExplorer(random_model(V, seed=3, scale=0.3), vocab, prefix="ABC", length=10)
    w.set_temperature(3.0)                      # nearly uniform: often outside the top 20
    seen = set()
    for _ in range(200):
        w.sample_again()
        first = w.continuation[0]
        top = np.argsort(-w.p_first.ravel(), kind="stable")[:20]
        inside = vocab.char_to_ix[first] in top
        title = w.view.axes.get_title()
        orange = [k for k, bar in enumerate(w.view.axes.patches)
                  if np.allclose(bar.get_facecolor()[:3], (0xd9 / 255, 0x82 / 255, 0x2b / 255))]
        if inside:
            assert f"sampled {first!r} (orange)" in title
            assert orange == [int(np.flatnonzero(top == vocab.char_to_ix[first])[0])]
        else:
            assert f"sampled {first!r} (not among the top 20)" in title and not orange
        seen.add(inside)
        if seen == {True, False}:
            break
    assert seen == {True, False}, "both cases should occur at tau = 3 within 200 draws"
