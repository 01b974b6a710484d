"""rnnlib.fastpath.stacked computes what StackedRNN.loss_and_grads computes.

The plain path is the model's own step loops (stacked.py); the fused one,
``stacked_loss_and_grads``, works a layer at a time on (T, N, H) rows. In float64 the two
agree to 1e-12 (largest absolute difference) in the loss, every gradient and the returned
(L, H, N) state, on random sizes, depths, batches and start states; in float32 they agree
to float32's precision.
"""
import numpy as np
import pytest

import rnnlib
from rnnlib.fastpath import common
from rnnlib.fastpath.stacked import stacked_loss_and_grads, stacked_one_sequence

TOL = 1e-12


def max_diff(a, b) -> float:
    return float(np.max(np.abs(np.asarray(a, dtype=float) - np.asarray(b, dtype=float))))


def random_case(seed, N=None, L=None, dtype=np.float64, scale=0.5):
    """A StackedRNN with weights large enough that tanh bends (|a| around 1) and every
    gradient path matters, and random inputs, targets and a non-zero start state."""
    rng = np.random.default_rng(seed)
    V, H, T = int(rng.integers(2, 12)), int(rng.integers(1, 10)), int(rng.integers(1, 9))
    L = int(rng.integers(1, 5)) if L is None else L
    N = int(rng.integers(2, 6)) if N is None else N
    m = rnnlib.StackedRNN(V, H, L, seed=seed, dtype=dtype)
    for p in m.params.values():
        p[...] = rng.standard_normal(p.shape) * scale
    ix, tg = rng.integers(0, V, (T, N)), rng.integers(0, V, (T, N))
    h0 = rng.standard_normal((L, H, N)).astype(dtype)
    return m, ix, tg, h0


def differences(fast, plain) -> dict[str, float]:
    """The largest absolute difference of the loss, each gradient and the state, after
    checking that the grads have the params' keys (in order), shapes and dtypes."""
    assert list(fast[1]) == list(plain[1])
    for k in plain[1]:
        assert fast[1][k].shape == plain[1][k].shape, k
        assert fast[1][k].dtype == plain[1][k].dtype, k
    assert fast[2].shape == plain[2].shape and fast[2].dtype == plain[2].dtype
    diffs = {k: max_diff(fast[1][k], plain[1][k]) for k in plain[1]}
    diffs["loss"] = abs(fast[0] - plain[0])
    diffs["state"] = max_diff(fast[2], plain[2])
    return diffs


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("N", [1, None])
def test_fused_stacked_rnn_equals_the_plain_one(seed, N):
    """Random V, H, T, L = 1..4, N = 1 or 2..5 and a random non-zero (L, H, N) start state:
    the loss, every gradient and h_T of every layer agree to 1e-12 in float64."""
    m, ix, tg, h0 = random_case(seed, N)
    diffs = differences(stacked_loss_and_grads(m.params, ix, tg, h0),
                        m.loss_and_grads(ix, tg, h0))
    assert max(diffs.values()) <= TOL, diffs


def test_a_batch_wider_than_one_output_block_is_the_same():
    """N > OUTPUT_COLUMNS, so every output block is one time step: still the same numbers."""
    N = common.OUTPUT_COLUMNS + 37
    m, ix, tg, h0 = random_case(5, N, L=2)
    diffs = differences(stacked_loss_and_grads(m.params, ix, tg, h0),
                        m.loss_and_grads(ix, tg, h0))
    assert max(diffs.values()) <= TOL, diffs


@pytest.mark.parametrize("N", [1, 3])
def test_float32_agrees_to_float32_precision(N):
    """In float32 the two paths sum in different orders, so they agree only to a few units
    of float32's last digit: 1e-4 on numbers of order 1. The grads and state stay float32."""
    m, ix, tg, h0 = random_case(21, N, L=3, dtype=np.float32)
    fast = stacked_loss_and_grads(m.params, ix, tg, h0)
    diffs = differences(fast, m.loss_and_grads(ix, tg, h0))
    assert all(g.dtype == np.float32 for g in fast[1].values()) and fast[2].dtype == np.float32
    assert max(diffs.values()) <= 1e-4 * max(1.0, abs(fast[0])), diffs


def test_the_state_is_each_layers_last_hidden_state():
    """The returned state is h_T of every layer, (L, H, N), the forward pass's hs_by_layer
    at the last step: the state to carry into the next chunk."""
    m, ix, tg, h0 = random_case(8, 3, L=3)
    state = stacked_loss_and_grads(m.params, ix, tg, h0)[2]
    hs_by_layer = m.forward(ix, h0).hs_by_layer                     # (L, T, H, N)
    assert state.shape == h0.shape
    assert max_diff(state, hs_by_layer[:, -1]) <= TOL
    assert max_diff(state, h0) > 0.1                                # not the start state


def test_every_gradient_changes_the_loss_as_predicted():
    """A centred difference of the fused loss along a random direction of each parameter
    equals the fused gradient's prediction, so each gradient is the loss's own."""
    m, ix, tg, h0 = random_case(3, 2, L=3)
    grads = stacked_loss_and_grads(m.params, ix, tg, h0)[1]
    rng, eps = np.random.default_rng(0), 1e-5
    for k, p in m.params.items():
        step = rng.standard_normal(p.shape)
        losses = []
        for sign in (1, -1):
            P = dict(m.params, **{k: p + sign * eps * step})
            losses.append(stacked_loss_and_grads(P, ix, tg, h0)[0])
        numeric = (losses[0] - losses[1]) / (2 * eps)
        assert abs(numeric - np.sum(grads[k] * step)) <= 1e-7 * max(1.0, abs(numeric)), k


def test_the_inputs_and_params_are_not_modified():
    """The fused code works in place only on arrays of its own."""
    for N in (1, 4):
        m, ix, tg, h0 = random_case(13, N, L=3)
        before = [a.copy() for a in (ix, tg, h0, *m.params.values())]
        stacked_loss_and_grads(m.params, ix, tg, h0)
        for was, now in zip(before, (ix, tg, h0, *m.params.values())):
            np.testing.assert_array_equal(now, was)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_out_receives_the_same_gradients_bit_for_bit(dtype):
    """N = 1 with out= (views of one flat buffer, as Trainer passes): every gradient is
    written into out's arrays, out is returned, and the numbers are exactly those returned
    without out."""
    m, ix, tg, h0 = random_case(17, 1, L=3, dtype=dtype)
    flat = rnnlib.optim.flat_zeros(m.params)
    flat.buffer[:] = np.nan                                          # every entry is written
    out = dict(zip(flat.keys, flat.views))
    loss, grads, state = stacked_one_sequence(m.params, ix[:, 0], tg[:, 0], h0)
    loss_out, grads_out, state_out = stacked_one_sequence(m.params, ix[:, 0], tg[:, 0], h0,
                                                          out)
    assert grads_out is out and loss_out == loss
    for k in m.params:
        assert grads_out[k].base is flat.buffer
        np.testing.assert_array_equal(grads_out[k], grads[k], err_msg=k)
    np.testing.assert_array_equal(state_out, state)
