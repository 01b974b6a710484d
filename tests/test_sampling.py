"""Sampling: hand-worked cases, greedy limits and a chi-squared test of the distribution."""
import math

import numpy as np
import pytest

import rnnlib
from rnnlib import prime, sample, sample_text

from conftest import random_rnn


def constant_model(p):
    """An RNN whose output distribution is p at every step, whatever the input:
    Wxh = Whh = Why = 0, so y = by = log p."""
    m = rnnlib.RNN(len(p), 3, seed=0)
    for k in m.params:
        m.params[k][...] = 0
    m.params["by"][:, 0] = np.log(p)
    return m


def chi2_threshold(dof: int, alpha: float) -> float:
    """x with P(chi2_dof > x) = alpha, for even dof, where the tail has a closed form:
    P(chi2_2m > x) = exp(-x/2) * sum_{j<m} (x/2)^j / j!   (solved by bisection)."""
    assert dof % 2 == 0
    def tail(x):
        return math.exp(-x / 2) * sum((x / 2) ** j / math.factorial(j) for j in range(dof // 2))
    lo, hi = 0.0, 1000.0
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if tail(mid) > alpha else (lo, mid)
    return lo


def chi2_stat(ixs, p):
    counts = np.bincount(ixs, minlength=len(p))
    expected = len(ixs) * np.asarray(p)
    assert expected.min() >= 5          # the chi-squared approximation needs this
    return float(((counts - expected) ** 2 / expected).sum())


P7 = np.array([0.05, 0.1, 0.25, 0.2, 0.15, 0.2, 0.05])      # 7 characters: 6 degrees of freedom
THRESHOLD = chi2_threshold(6, alpha=1e-4)


def test_chi2_threshold_matches_the_tabulated_value():
    # tables give 27.856 for the 0.9999 quantile of chi-squared with 6 degrees of freedom
    assert THRESHOLD == pytest.approx(27.856, abs=1e-3)


def test_hand_worked_gumbel_max_sampling():
    """The sampler adds Gumbel noise g (drawn from its generator, one row of V per
    character) to the logits and takes the largest: with y = log p, character k is
    argmax(log p + g_k), worked out here from the same draws."""
    p = np.array([0.2, 0.3, 0.5])
    m = constant_model(p)
    g = np.random.default_rng(5).gumbel(size=(40, 3))
    expected = np.argmax(np.log(p) + g, axis=1)
    got = sample(m, None, 0, 40, rng=np.random.default_rng(5))
    assert got == expected.tolist()
    # at temperature 2 the noise counts twice as much: argmax(log p + 2 g)
    got2 = sample(m, None, 0, 40, temperature=2.0, rng=np.random.default_rng(5))
    assert got2 == np.argmax(np.log(p) + 2 * g, axis=1).tolist()


def test_hand_worked_greedy_chain():
    """V = 2, H = 1: Wxh = [1, -1], Why = [-1, 1]^T, everything else 0.
    Input 0 gives h = tanh(1) > 0 so y = (-h, h) and character 1 wins; input 1 gives
    h = tanh(-1) < 0 and character 0 wins: the greedy sample alternates."""
    m = rnnlib.RNN(2, 1, seed=0)
    for k in m.params:
        m.params[k][...] = 0
    m.params["Wxh"][0] = [1.0, -1.0]
    m.params["Why"][:, 0] = [-1.0, 1.0]
    assert sample(m, None, 0, 5, greedy=True) == [1, 0, 1, 0, 1]
    assert sample(m, None, 1, 3, greedy=True) == [0, 1, 0]


def greedy_by_hand(m, h, ix, n):
    P = m.params
    out = []
    for _ in range(n):
        h = np.tanh(P["Wxh"][:, [ix]] + P["Whh"] @ h + P["bh"])
        ix = int(np.argmax(P["Why"] @ h + P["by"]))
        out.append(ix)
    return out


def test_greedy_follows_the_argmax_of_the_recurrence():
    m = random_rnn(9, 6, 1, scale=0.8)
    h = np.random.default_rng(1).standard_normal((6, 1)) * 0.5
    assert sample(m, h, 4, 30, greedy=True) == greedy_by_hand(m, h, 4, 30)


def test_temperature_towards_zero_becomes_greedy():
    m = random_rnn(9, 6, 2, scale=0.8)
    h = np.zeros((6, 1))
    expected = greedy_by_hand(m, h, 3, 30)
    # the best logit leads the second by a margin g at every step, so any other character
    # has probability below 8 * exp(-g / T): negligible at T = 1e-3 once g > 0.05
    P, hh, ix = m.params, h, 3
    for nxt in expected:
        hh = np.tanh(P["Wxh"][:, [ix]] + P["Whh"] @ hh + P["bh"])
        y = np.sort((P["Why"] @ hh + P["by"]).ravel())
        assert y[-1] - y[-2] > 0.05
        ix = nxt
    for seed in range(3):
        assert sample(m, h, 3, 30, temperature=1e-3, rng=seed) == expected


def test_sampled_frequencies_match_p():
    m = constant_model(P7)
    ixs = sample(m, None, 0, 20_000, rng=np.random.default_rng(0))
    assert chi2_stat(ixs, P7) < THRESHOLD


def test_chi2_test_notices_the_wrong_distribution():
    """The same test rejects samples drawn at temperature 2, which flattens p: the check
    above has the power to fail."""
    m = constant_model(P7)
    ixs = sample(m, None, 0, 20_000, temperature=2.0, rng=np.random.default_rng(0))
    assert chi2_stat(ixs, P7) > THRESHOLD


def test_temperature_samples_softmax_of_scaled_logits():
    """At temperature T the probabilities are softmax(log p / T), i.e. proportional to p^(1/T)."""
    m = constant_model(P7)
    q = P7 ** (1 / 1.5)
    q /= q.sum()
    ixs = sample(m, None, 0, 20_000, temperature=1.5, rng=np.random.default_rng(1))
    assert chi2_stat(ixs, q) < THRESHOLD


def test_first_sample_of_a_real_rnn_follows_its_softmax():
    """From a fixed state, the first sampled character is drawn from
    softmax(Why tanh(Wxh x + Whh h + bh) + by), worked out here with plain numpy."""
    m = random_rnn(7, 5, 3, scale=0.4)
    P = m.params
    h = np.random.default_rng(3).standard_normal((5, 1)) * 0.5
    y = P["Why"] @ np.tanh(P["Wxh"][:, [2]] + P["Whh"] @ h + P["bh"]) + P["by"]
    p = np.exp(y - y.max()).ravel()
    p /= p.sum()
    gen = np.random.default_rng(4)
    first = [sample(m, h, 2, 1, rng=gen)[0] for _ in range(4000)]
    assert chi2_stat(first, p) < THRESHOLD


def test_same_seed_same_text_and_state_left_alone():
    m = random_rnn(6, 4, 5)
    h = np.ones((4, 1)) * 0.1
    h_copy = h.copy()
    a = sample(m, h, 1, 50, rng=7)
    assert a == sample(m, h, 1, 50, rng=np.random.default_rng(7))
    assert all(0 <= i < 6 for i in a) and len(a) == 50
    np.testing.assert_array_equal(h, h_copy)
    assert sample(m, h, 1, 0) == []


def test_prime_gives_the_state_after_the_prefix():
    m = random_rnn(6, 4, 6)
    ixs = np.array([0, 3, 5, 1, 1])
    np.testing.assert_allclose(prime(m, ixs), m.forward(ixs).h_last, rtol=1e-12)


def test_sample_text_starts_with_the_prefix():
    v = rnnlib.Vocab.from_text("안녕 hello")
    m = rnnlib.RNN(len(v), 8, seed=0)
    text = sample_text(m, v, "안녕", 20, rng=0)
    assert text.startswith("안녕") and len(text) == 22
    assert set(text) <= set(v.chars)


def test_sample_text_can_start_from_a_given_state():
    """h= primes from that state instead of zeros: the text is sample() after prime(h)."""
    v = rnnlib.Vocab.from_text("abcdef")
    m = random_rnn(len(v), 5, 12)
    h = np.random.default_rng(12).standard_normal((5, 1))
    h_copy = h.copy()
    got = sample_text(m, v, "cab", 30, rng=3, h=h)
    want = "cab" + v.decode(sample(m, prime(m, v.encode("ca"), h), v.encode("b")[0], 30, rng=3))
    assert got == want
    np.testing.assert_array_equal(h, h_copy)                  # the caller's state is left alone
    # from zeros the same random numbers give other texts
    assert any(sample_text(m, v, "cab", 30, rng=r) != sample_text(m, v, "cab", 30, rng=r, h=h)
               for r in range(5))
    with pytest.raises(ValueError, match=r"h has shape \(5, 2\)"):
        sample_text(m, v, "cab", 5, h=np.zeros((5, 2)))


@pytest.mark.parametrize("kw, err, msg", [
    (dict(temperature=0), ValueError, "temperature must be a finite number greater than 0, got 0"),
    (dict(temperature=-1.0), ValueError, "got -1.0"),
    (dict(seed_ix=6), ValueError, r"seed_ix = 6 is outside the vocabulary: use 0..5"),
    (dict(seed_ix="a"), TypeError, "seed_ix must be one character index"),
    (dict(n=-3), ValueError, "n must be a whole number of characters >= 0, got -3"),
    (dict(rng="x"), TypeError, "rng must be None, an int seed or a numpy Generator"),
])
def test_bad_arguments_are_clear_errors(kw, err, msg):
    m = rnnlib.RNN(6, 4, seed=0)
    args = dict(h=None, seed_ix=0, n=5) | kw
    with pytest.raises(err, match=msg):
        sample(m, **args)


def test_state_of_the_wrong_shape_is_named():
    m = rnnlib.RNN(6, 4, seed=0)
    with pytest.raises(ValueError, match=r"h has shape \(4, 3\), but this model's state is "
                                         r"\(4, 1\).*h\[:, :1\]"):
        sample(m, np.zeros((4, 3)), 0, 5)
    with pytest.raises(ValueError, match=r"h has shape \(5, 1\)"):
        prime(m, [0, 1], h=np.zeros((5, 1)))


def test_empty_prefix_is_a_clear_error():
    v = rnnlib.Vocab.from_text("abc")
    with pytest.raises(ValueError, match="prefix is empty"):
        sample_text(rnnlib.RNN(3, 2), v, "", 5)
