"""rnnlib.fastpath.gru computes what the plain step loops of gru.py compute.

The plain path is ``GRU.loss_and_grads`` (forward, loss, backward, one step at a time); the
fused path is ``gru_loss_and_grads(params, ix, tg, h0)``. In float64 the two agree to 1e-12
in the loss, every gradient and the last state (the largest absolute difference, divided by
the largest plain value where that is above 1), on random sizes, batches, start states and
weights large enough that the gates are far from 1/2 and tanh far from linear.
"""
import numpy as np
import pytest

import rnnlib
from rnnlib.fastpath import common
from rnnlib.fastpath.gru import gru_loss_and_grads

TOL = 1e-12


def scaled_diff(got, want) -> float:
    """max |got - want|, over max(1, max |want|): absolute for small numbers, relative
    for large ones."""
    got, want = np.asarray(got), np.asarray(want)
    return float(np.max(np.abs(got - want)) / max(1.0, float(np.max(np.abs(want)))))


def random_gru(V, H, seed, scale=0.8, dtype=np.float64):
    """A GRU whose weights and biases are all standard normal times ``scale``."""
    m = rnnlib.GRU(V, H, seed=seed, dtype=dtype)
    rng = np.random.default_rng(seed + 1000)
    for p in m.params.values():
        p[...] = rng.standard_normal(p.shape) * scale
    return m


def random_batch(rng, V, T, N):
    return rng.integers(0, V, (T, N)), rng.integers(0, V, (T, N))


def assert_same(fused, plain, what):
    """(loss, grads, h_T) of the two paths agree to TOL, with the same keys, shapes, dtypes."""
    assert isinstance(fused[0], float), what
    assert scaled_diff(fused[0], plain[0]) <= TOL, (what, fused[0], plain[0])
    assert list(fused[1]) == list(plain[1]), what
    for k, want in plain[1].items():
        got = fused[1][k]
        assert got.shape == want.shape and got.dtype == want.dtype, (what, k)
        assert scaled_diff(got, want) <= TOL, (what, k, scaled_diff(got, want))
    assert fused[2].shape == plain[2].shape and fused[2].dtype == plain[2].dtype, what
    assert scaled_diff(fused[2], plain[2]) <= TOL, (what, scaled_diff(fused[2], plain[2]))


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("N", [1, None])
def test_fused_gru_equals_the_plain_gru(seed, N):
    """Random V, H, T and N (N = 1 too), a random non-zero h0: loss, every gradient and h_T
    agree to 1e-12 with GRU.loss_and_grads."""
    rng = np.random.default_rng(300 + seed)
    V, H, T = int(rng.integers(2, 14)), int(rng.integers(1, 11)), int(rng.integers(1, 12))
    N = int(rng.integers(2, 7)) if N is None else N
    m = random_gru(V, H, seed)
    ix, tg = random_batch(rng, V, T, N)
    h0 = rng.standard_normal((H, N))
    assert_same(gru_loss_and_grads(m.params, ix, tg, h0), m.loss_and_grads(ix, tg, h0),
                (V, H, T, N))


def test_the_random_cases_drive_every_gate_away_from_its_middle():
    """The weights' scale of these tests is large enough that r and z reach below 0.1 and
    above 0.9 and n beyond +-0.9: a slip in any nonlinearity's derivative would show."""
    rng = np.random.default_rng(7)
    V, H, T, N = 9, 8, 10, 4
    m = random_gru(V, H, 7)
    cache = m.forward(rng.integers(0, V, (T, N)), rng.standard_normal((H, N)))
    for gate in (cache.r, cache.z):
        assert gate.min() < 0.1 and gate.max() > 0.9
    assert np.abs(cache.n).max() > 0.9


def test_long_chunks_and_a_wide_hidden_layer_agree():
    """T = 40, H = 24, N = 3: the gradient flows back through many steps and still matches."""
    rng = np.random.default_rng(11)
    V, H, T, N = 17, 24, 40, 3
    m = random_gru(V, H, 11, scale=0.5)
    ix, tg = random_batch(rng, V, T, N)
    h0 = rng.standard_normal((H, N)) * 0.5
    assert_same(gru_loss_and_grads(m.params, ix, tg, h0), m.loss_and_grads(ix, tg, h0), T)


@pytest.mark.parametrize("V, T, N", [(30, 4, 3), (3, 6, 4)])
def test_dWx_agrees_whether_summed_by_a_product_or_by_character(V, T, N):
    """dWx comes from one product with the one-hot rows when T N <= V (here 12 <= 30) and
    from sums by character otherwise (24 > 3): both give the plain path's numbers."""
    rng = np.random.default_rng(V)
    m = random_gru(V, 5, V)
    ix, tg = random_batch(rng, V, T, N)
    h0 = rng.standard_normal((5, N))
    assert_same(gru_loss_and_grads(m.params, ix, tg, h0), m.loss_and_grads(ix, tg, h0),
                (V, T, N))


def test_a_batch_wider_than_one_output_block_agrees():
    """N > common.OUTPUT_COLUMNS: each output block is one step; the paths still agree."""
    N = common.OUTPUT_COLUMNS + 29
    rng = np.random.default_rng(5)
    V, H, T = 6, 4, 3
    m = random_gru(V, H, 5)
    ix, tg = random_batch(rng, V, T, N)
    h0 = rng.standard_normal((H, N))
    assert_same(gru_loss_and_grads(m.params, ix, tg, h0), m.loss_and_grads(ix, tg, h0), N)


@pytest.mark.parametrize("columns", [1, 3, 1024])
def test_output_blocks_of_any_size_agree(monkeypatch, columns):
    """Whether the output layer takes one step at a time, an uneven last block or all steps
    at once, the fused path gives the plain path's numbers."""
    monkeypatch.setattr(common, "OUTPUT_COLUMNS", columns)
    rng = np.random.default_rng(12)
    V, H, T, N = 7, 5, 7, 2
    m = random_gru(V, H, 12)
    ix, tg = random_batch(rng, V, T, N)
    h0 = rng.standard_normal((H, N))
    assert_same(gru_loss_and_grads(m.params, ix, tg, h0), m.loss_and_grads(ix, tg, h0),
                columns)


def test_fused_gradients_match_centred_differences():
    """Every gradient entry of the fused path is the centred difference of its own loss,
    (L(p + eps) - L(p - eps)) / 2 eps, in float64, to a relative error below 1e-6."""
    rng = np.random.default_rng(13)
    V, H, T, N = 5, 3, 4, 2
    m = random_gru(V, H, 13)
    ix, tg = random_batch(rng, V, T, N)
    h0 = rng.standard_normal((H, N))
    _, grads, _ = gru_loss_and_grads(m.params, ix, tg, h0)
    eps = 1e-5
    for k, p in m.params.items():
        numeric = np.empty_like(p)
        for i in np.ndindex(p.shape):
            kept = p[i]
            p[i] = kept + eps
            up = gru_loss_and_grads(m.params, ix, tg, h0)[0]
            p[i] = kept - eps
            down = gru_loss_and_grads(m.params, ix, tg, h0)[0]
            p[i] = kept
            numeric[i] = (up - down) / (2 * eps)
        assert rnnlib.rel_error(grads[k], numeric) < 1e-6, k


def test_float32_stays_float32_and_is_close_to_float64():
    """A float32 model gets float32 gradients and state, close to the float64 numbers."""
    rng = np.random.default_rng(4)
    V, H, T, N = 8, 6, 9, 3
    m64 = random_gru(V, H, 4, scale=0.5)
    m32 = rnnlib.GRU(V, H, dtype=np.float32)
    for k in m32.params:
        m32.params[k][...] = m64.params[k]
    ix, tg = random_batch(rng, V, T, N)
    h0 = rng.standard_normal((H, N)) * 0.5
    l32, g32, h32 = gru_loss_and_grads(m32.params, ix, tg, h0.astype(np.float32))
    l64, g64, h64 = m64.loss_and_grads(ix, tg, h0)
    assert l32 == pytest.approx(l64, rel=1e-5)
    for k in g64:
        assert g32[k].dtype == np.float32, k
        assert rnnlib.rel_error(g32[k], g64[k]) < 1e-4, k
    assert h32.dtype == np.float32 and np.abs(h32 - h64).max() < 1e-5


def test_nothing_passed_in_is_changed_and_the_state_is_a_new_array():
    """The params, inputs, targets and h0 are left as they were; the gradients and h_T, a
    C-ordered (H, N) array, share no memory with them."""
    rng = np.random.default_rng(6)
    V, H, T, N = 7, 5, 6, 3
    m = random_gru(V, H, 6)
    ix, tg = random_batch(rng, V, T, N)
    h0 = rng.standard_normal((H, N))
    kept = {k: p.copy() for k, p in m.params.items()}
    ix0, tg0, h00 = ix.copy(), tg.copy(), h0.copy()
    _, grads, h_T = gru_loss_and_grads(m.params, ix, tg, h0)
    for k in kept:
        np.testing.assert_array_equal(m.params[k], kept[k], err_msg=k)
        assert not np.shares_memory(grads[k], m.params[k]), k
    np.testing.assert_array_equal(ix, ix0)
    np.testing.assert_array_equal(tg, tg0)
    np.testing.assert_array_equal(h0, h00)
    assert h_T.shape == (H, N) and h_T.flags.c_contiguous
    assert not np.shares_memory(h_T, h0)
