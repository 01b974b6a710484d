"""Exercise checks of notebooks 00, 01 and 07: right answers pass, and each usual mistake
gets a message that names it."""
import numpy as np
import pytest

import rnnlib
from rnnlib.exercises.encoding import check_next_char, check_one_hot


# ---- notebook 00: inputs and targets of "hello" ------------------------------------

def test_next_char_accepts_hell_and_ello_as_strings_or_lists():
    assert check_next_char("hell", "ello")
    assert check_next_char(list("hell"), list("ello"))
    assert check_next_char("abc", "bcd", text="abcd")


@pytest.mark.parametrize("inputs, targets, words", [
    (None, None, "None"),
    ("hell", None, "targets still None"),
    ("ello", "hell", "swapped"),
    ("hello", "ello", "nothing comes after"),
    ("hell", "hell", "NEXT"),
    ("hell", "hello", "one target per input"),
    ("hell", "elo", "one target per input"),
    ("hell", "eloo", "t = 3"),
    ("hell", 4, "should be a string"),
])
def test_next_char_names_the_mistake(inputs, targets, words):
    fb = check_next_char(inputs, targets)
    assert not fb
    assert words in fb.message


# ---- notebook 01: a one-hot array by hand ------------------------------------------

def hand_one_hot(text):
    """Built with dicts and loops, independent of Vocab.one_hot."""
    chars = sorted(set(text))
    x = np.zeros((len(text), len(chars), 1))
    for t, ch in enumerate(text):
        x[t, chars.index(ch), 0] = 1
    return x


@pytest.mark.parametrize("text", ["hello", "안녕, 안녕!", "abcabc"])
def test_one_hot_accepts_a_hand_built_array(text):
    assert check_one_hot(hand_one_hot(text), text)


def test_one_hot_accepts_nested_lists_too():
    assert check_one_hot(hand_one_hot("hi").tolist(), "hi")


@pytest.mark.parametrize("make, words", [
    (lambda x: None, "None"),
    (lambda x: x[:, :, 0], "batch axis"),
    (lambda x: x[:, :, 0].T, "time should come first"),
    (lambda x: x.transpose(2, 0, 1), "batch-first"),
    (lambda x: x[:3], "expected (T, V, 1)"),
    (lambda x: 2 * x, "only 0s and 1s"),
    (lambda x: x + np.roll(x, 1, axis=1), "exactly one 1"),
    (lambda x: x * 0, "exactly one 1"),
    (lambda x: np.roll(x, 1, axis=1), "one row away"),
    (lambda x: "abc", "numbers"),
])
def test_one_hot_names_the_mistake(make, words):
    fb = check_one_hot(make(hand_one_hot("hello")), "hello")
    assert not fb
    assert words in fb.message


def test_one_hot_recognises_numbering_by_first_appearance():
    """'hello' numbered as it is read (h=0, e=1, l=2, o=3) instead of sorted (e, h, l, o)."""
    x = np.zeros((5, 4, 1))
    for t, ix in enumerate([0, 1, 2, 2, 3]):
        x[t, ix, 0] = 1
    fb = check_one_hot(x, "hello")
    assert not fb and "first appear" in fb.message and "'ehlo'" in fb.message


def test_one_hot_points_at_the_first_wrong_step_counting_from_1():
    x = hand_one_hot("hello")
    x[4] = 0
    x[4, 1, 0] = 1                       # 'o' (step t = 5, index 4) marked as 'h'
    fb = check_one_hot(x, "hello")
    assert not fb and "step t = 5" in fb.message and "x[4]" in fb.message
    assert "index 3" in fb.message


def test_one_hot_names_the_step_with_two_ones_counting_from_1():
    x = hand_one_hot("hello")
    x[1, 1, 0] = 1                       # step t = 2 ('e') also gets the 1 of 'h'
    fb = check_one_hot(x, "hello")
    assert not fb and "step t = 2" in fb.message and "x[1]" in fb.message


def test_one_hot_uses_a_given_vocabulary():
    vocab = rnnlib.Vocab("olhe")          # a vocabulary in another order
    x = np.zeros((2, 4, 1))
    x[0, 2, 0] = x[1, 3, 0] = 1          # 'h' is 2 and 'e' is 3 in it
    assert check_one_hot(x, "he", vocab)
    assert not check_one_hot(hand_one_hot("he"), "he", vocab)


# ---- notebook 07: one step of the sampler ------------------------------------------

from rnnlib.exercises.sampling import check_sample_step  # noqa: E402


def loop_sampler(y, tau, u):
    """Temperature softmax, then walk the cumulative sum until it passes u."""
    z = y[:, 0] / tau
    e = np.exp(z - z.max())
    p = e / e.sum()
    total = 0.0
    for k, pk in enumerate(p):
        total += pk
        if u < total:
            return k
    return len(p) - 1                        # u within round-off of 1


def test_sample_step_accepts_a_loop_and_a_searchsorted_version():
    assert check_sample_step(loop_sampler)

    def vectorised(y, tau, u):
        z = y.ravel() / tau
        p = np.exp(z - z.max())
        p /= p.sum()
        return int(np.searchsorted(np.cumsum(p), u, side="right"))
    assert check_sample_step(vectorised)


def test_sample_step_follows_the_distribution_rnnlib_sample_draws_from():
    """A model whose logits are the same y at every step: rnnlib.sample's character
    frequencies and those of the checked inverse-CDF step agree with softmax(y / tau)."""
    y = np.array([[0.3], [1.5], [-0.7], [0.9]])
    model = rnnlib.RNN(4, 1, seed=0)
    model.params["Why"][...] = 0
    model.params["by"][...] = y
    for tau in (0.5, 2.0):
        z = y[:, 0] / tau
        p = np.exp(z) / np.exp(z).sum()
        lib = np.bincount(rnnlib.sample(model, None, 0, 6000, temperature=tau, rng=5),
                          minlength=4) / 6000
        us = np.random.default_rng(6).random(6000)
        mine = np.bincount([loop_sampler(y, tau, u) for u in us], minlength=4) / 6000
        # 6000 draws: each frequency is within 0.02 of p (about 3 standard errors)
        np.testing.assert_allclose(lib, p, atol=0.02)
        np.testing.assert_allclose(mine, p, atol=0.02)


def no_shift(y, tau, u):
    e = np.exp(y[:, 0] / tau)
    p = e / e.sum()
    return int(np.searchsorted(np.cumsum(p), u, side="right"))


def with_p(transform):
    """A sampler that gets the probabilities wrong in the way ``transform`` says."""
    def fn(y, tau, u):
        p = transform(y[:, 0], tau)
        return min(int(np.searchsorted(np.cumsum(p), u, side="right")), len(p) - 1)
    return fn


def soft(z):
    e = np.exp(z - z.max())
    return e / e.sum()


@pytest.mark.parametrize("fn, words", [
    (with_p(lambda y, tau: soft(y)), "temperature is ignored"),
    (with_p(lambda y, tau: soft(y * tau)), "don't multiply"),
    (with_p(lambda y, tau: soft(y) / tau), "no longer add up to 1"),
    (lambda y, tau, u: min(loop_sampler(y, tau, u) + 1, 4), "one index away"),
    (lambda y, tau, u: 4 - loop_sampler(y[::-1], tau, u), "from the last character"),
    (no_shift, "overflows"),
    (lambda y, tau, u: None, "returned None"),
    (lambda y, tau, u: "a", "the string"),
    (lambda y, tau, u: soft(y[:, 0] / tau), "returned 5 numbers"),
    (lambda y, tau, u: 1.5, "whole number"),
    (lambda y, tau, u: 7, "outside 0..4"),
    (lambda y, tau, u: y[9], "IndexError"),
    (lambda y, tau, u: int(np.random.default_rng(0).integers(5)), "expected"),
    ("my_sample_step", "pass your function itself"),
])
def test_sample_step_names_the_mistake(fn, words):
    fb = check_sample_step(fn)
    assert not fb
    assert words in fb.message


def test_a_wrong_sampler_is_shown_its_frequencies_against_the_expected_ones():
    """Sampling uniformly ignores p entirely: the message gives the frequencies."""
    fb = check_sample_step(lambda y, tau, u: min(int(u * 5), 4))
    assert not fb
    assert "expected" in fb.message and "%" in fb.message
