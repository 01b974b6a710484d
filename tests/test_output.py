"""The softmax output layer (rnnlib.output) and the one-hot builder (rnnlib.functional.one_hot),
against brute-force loops and centred differences."""
import numpy as np
import pytest

from rnnlib.functional import one_hot
from rnnlib.gradcheck import numerical_gradient, rel_error
from rnnlib.output import output_backward, output_forward, output_loss, picked


def random_layer(rng, V, H, scale=0.7):
    return rng.standard_normal((V, H)) * scale, rng.standard_normal((V, 1)) * scale


def columns(a):
    """Every column of a (K, N) or (T, K, N) array with its index: ((t, n), column (K,))."""
    a3 = a if a.ndim == 3 else a[None]
    return [((t, n), a3[t, :, n]) for t in range(a3.shape[0]) for n in range(a3.shape[2])]


@pytest.mark.parametrize("shape", [(4, 3), (5, 4, 2), (1, 4, 1)], ids=["(H,N)", "(T,H,N)", "T=N=1"])
def test_forward_is_the_softmax_of_why_h_plus_by_column_by_column(shape):
    """y = Why h + by, p = exp(y) / sum exp(y) and log p, for each column on its own."""
    rng = np.random.default_rng(0)
    V, H = 6, shape[-2]
    Why, by = random_layer(rng, V, H)
    h = rng.standard_normal(shape)
    out = output_forward(h, Why, by)
    assert out.y.shape == out.p.shape == out.logp.shape == shape[:-2] + (V, shape[-1])
    y3, p3, logp3 = (a if a.ndim == 3 else a[None] for a in out)
    for (t, n), h_col in columns(h):
        y = Why @ h_col + by[:, 0]
        p = np.exp(y) / np.exp(y).sum()
        np.testing.assert_allclose(y3[t, :, n], y, rtol=1e-13)
        np.testing.assert_allclose(p3[t, :, n], p, rtol=1e-13)
        np.testing.assert_allclose(logp3[t, :, n], np.log(p), rtol=1e-13)


def test_log_p_stays_exact_where_p_underflows():
    """Logits 0 and -1000: p is 1 and 0 (exp(-1000) underflows), log p is 0 and -1000,
    and a logit of +1000 does not overflow."""
    y = np.array([[0.0, 1000.0], [-1000.0, 0.0]])                   # (V, N) = (2, 2)
    out = output_forward(np.eye(2), y, np.zeros((2, 1)))            # Why = y, h = I
    np.testing.assert_array_equal(out.p, [[1.0, 1.0], [0.0, 0.0]])
    np.testing.assert_array_equal(out.logp, [[0.0, 0.0], [-1000.0, -1000.0]])
    assert output_loss(out.logp, np.array([1, 0])) == pytest.approx(500.0)      # (1000 + 0) / 2


def test_loss_sums_over_time_and_averages_over_the_batch():
    """loss = sum_t -log p_t[target_t], divided by N, written as two loops."""
    rng = np.random.default_rng(1)
    T, V, N = 5, 7, 3
    logp = np.log(rng.dirichlet(np.ones(V), size=(T, N)).transpose(0, 2, 1))   # (T, V, N)
    targets = rng.integers(0, V, (T, N))
    want = -sum(logp[t, targets[t, n], n] for t in range(T) for n in range(N)) / N
    assert output_loss(logp, targets) == pytest.approx(want, rel=1e-13)
    # one step (a classifier's h_T): (V, N) and targets (N,)
    want_one = -sum(logp[0, targets[0, n], n] for n in range(N)) / N
    assert output_loss(logp[0], targets[0]) == pytest.approx(want_one, rel=1e-13)


def test_picked_takes_each_columns_entry_at_its_target():
    rng = np.random.default_rng(2)
    a, targets = rng.standard_normal((4, 5, 3)), rng.integers(0, 5, (4, 3))
    got = picked(a, targets)
    assert got.shape == (4, 3)
    for t in range(4):
        for n in range(3):
            assert got[t, n] == a[t, targets[t, n], n]
    np.testing.assert_array_equal(picked(a[0], targets[0]), got[0])


@pytest.mark.parametrize("shape", [(4, 3), (5, 4, 2), (3, 2, 1)], ids=["(H,N)", "(T,H,N)", "N=1"])
def test_backward_matches_centred_differences(shape):
    """dWhy, dby and dh from output_backward are the derivatives of output_loss; dy is
    (p - onehot(target)) / N, written with a loop."""
    rng = np.random.default_rng(3)
    V, H, N = 5, shape[-2], shape[-1]
    Why, by = random_layer(rng, V, H)
    h = rng.standard_normal(shape)
    targets = rng.integers(0, V, shape[:-2] + (N,))
    loss = lambda: output_loss(output_forward(h, Why, by).logp, targets)
    out = output_forward(h, Why, by)
    back = output_backward(out.p, targets, h, Why)
    assert back.dWhy.shape == Why.shape and back.dby.shape == by.shape
    assert back.dh.shape == h.shape and back.dy.shape == out.p.shape
    assert rel_error(back.dWhy, numerical_gradient(loss, Why)) < 1e-8
    assert rel_error(back.dby, numerical_gradient(loss, by)) < 1e-8
    assert rel_error(back.dh, numerical_gradient(loss, h)) < 1e-8
    want = out.p.copy()
    want3, tg2 = (want if want.ndim == 3 else want[None]), targets.reshape(-1, N)
    for t in range(want3.shape[0]):
        for n in range(N):
            want3[t, tg2[t, n], n] -= 1
    np.testing.assert_allclose(back.dy, want / N, rtol=1e-14, atol=1e-17)


def test_backward_keeps_the_inputs_unchanged_and_float32_stays_float32():
    rng = np.random.default_rng(4)
    Why, by = (a.astype(np.float32) for a in random_layer(rng, 4, 3))
    h = rng.standard_normal((2, 3, 2)).astype(np.float32)
    targets = rng.integers(0, 4, (2, 2))
    out = output_forward(h, Why, by)
    p = out.p.copy()
    back = output_backward(out.p, targets, h, Why)
    np.testing.assert_array_equal(out.p, p)                          # p is not turned into dy
    assert all(a.dtype == np.float32 for a in (*out, *back))


@pytest.mark.parametrize("shape", [(4,), (3, 4), (1, 1)], ids=["(N,)", "(T,N)", "T=N=1"])
def test_one_hot_puts_a_single_one_in_each_column(shape):
    """x[.., v, n] = 1 exactly where ix[.., n] = v, checked by a loop; the dtype is kept."""
    rng = np.random.default_rng(5)
    V = 6
    ix = rng.integers(0, V, shape)
    x = one_hot(ix, V)
    assert x.shape == shape[:-1] + (V, shape[-1]) and x.dtype == np.float64
    x3, ix2 = (x if x.ndim == 3 else x[None]), ix.reshape(-1, shape[-1])
    for t in range(ix2.shape[0]):
        for n in range(ix2.shape[1]):
            for v in range(V):
                assert x3[t, v, n] == (1.0 if ix2[t, n] == v else 0.0)
    assert one_hot(ix, V, np.float32).dtype == np.float32


def test_one_hot_times_a_matrix_picks_its_columns():
    """W @ one_hot(ix) is W[:, ix], the column the library may take instead."""
    rng = np.random.default_rng(6)
    W, ix = rng.standard_normal((3, 5)), rng.integers(0, 5, 4)
    np.testing.assert_array_equal(W @ one_hot(ix, 5), W[:, ix])
