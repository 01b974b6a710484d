"""Loss per character, bits per character and perplexity: the figures that compare across
chunk lengths and with papers."""
import math

import numpy as np
import pytest

import rnnlib
from rnnlib import metrics


def test_a_uniform_guess_scores_log2_V_bits_and_a_perplexity_of_V():
    """T characters each given p = 1/V: loss T ln V, so log2 V bits and perplexity V."""
    V, T = 65, 25
    loss = T * math.log(V)
    assert metrics.nats_per_char(loss, T) == pytest.approx(math.log(V))
    assert metrics.bits_per_char(loss, T) == pytest.approx(math.log2(V))
    assert metrics.bits_per_char(loss, T) == pytest.approx(metrics.uniform_bits_per_char(V))
    assert metrics.perplexity(loss, T) == pytest.approx(V)


def test_the_same_quality_at_two_chunk_lengths_gives_the_same_bits():
    assert metrics.bits_per_char(47.8, 25) == pytest.approx(metrics.bits_per_char(19.12, 10))


def test_arrays_in_arrays_out_and_floats_stay_floats():
    losses = np.array([50.0, 40.0, 25.0])
    bpc = metrics.bits_per_char(losses, 25)
    assert isinstance(bpc, np.ndarray) and bpc.shape == (3,)
    np.testing.assert_allclose(bpc, losses / 25 / np.log(2))
    assert type(metrics.bits_per_char(50.0, 25)) is float
    assert type(metrics.perplexity(50.0, 25)) is float


def test_the_loss_of_a_trained_model_in_bits_matches_its_probabilities():
    """bits_per_char of RNN.loss equals the mean of -log2 p[target] over the characters."""
    text = "hello world, hello rnn"
    vocab = rnnlib.Vocab.from_text(text)
    model = rnnlib.RNN(len(vocab), 8, seed=0)
    ix = vocab.encode(text)
    cache = model.forward(ix[:-1])
    loss = model.loss(cache, ix[1:])
    p_target = cache.ps[np.arange(len(ix) - 1), ix[1:], 0]
    assert metrics.bits_per_char(loss, len(ix) - 1) == pytest.approx(-np.log2(p_target).mean())


@pytest.mark.parametrize("T", [0, -3, 2.5, True, "25", None])
def test_a_length_that_is_not_a_count_of_characters_is_named(T):
    with pytest.raises(ValueError, match="seq_length"):
        metrics.bits_per_char(10.0, T)
