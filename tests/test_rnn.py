import numpy as np
import pytest

import rnnlib
from rnnlib.gradcheck import numerical_gradient, rel_error

from conftest import random_rnn
from rnnlib.reference import lossfun


@pytest.mark.parametrize("seed", range(6))
def test_every_gradient_matches_centred_differences(seed):
    """Random V, H, T, N: each parameter's analytic gradient agrees with finite differences."""
    rng = np.random.default_rng(seed)
    V, H, T, N = (int(rng.integers(2, 7)), int(rng.integers(2, 7)),
                  int(rng.integers(1, 6)), int(rng.integers(1, 4)))
    m = random_rnn(V, H, seed)
    inputs, targets = rng.integers(0, V, (T, N)), rng.integers(0, V, (T, N))
    h0 = rng.standard_normal((H, N)) * 0.5
    errors = rnnlib.check_model(m, inputs, targets, h0)
    assert set(errors) == {"Wxh", "Whh", "Why", "bh", "by"}
    for name, err in errors.items():
        assert err < 1e-7, (name, err, (V, H, T, N))


def test_gradient_of_h_prev_flows_back_through_every_step():
    """dL/dh_0 from backward() matches finite differences on h_prev, over several steps."""
    rng = np.random.default_rng(7)
    V, H, T, N = 5, 4, 6, 3
    m = random_rnn(V, H, 7, scale=0.8)
    inputs, targets = rng.integers(0, V, (T, N)), rng.integers(0, V, (T, N))
    h0 = rng.standard_normal((H, N))
    cache = m.forward(inputs, h0)
    dh_prev = m.backward(cache, targets).dh_prev
    num = numerical_gradient(lambda: m.loss(m.forward(inputs, h0), targets), h0)
    assert dh_prev.shape == (H, N)
    assert rel_error(dh_prev, num) < 1e-7
    # the path is long: the gradient at h_0 is not just what step 1 sees
    assert np.abs(dh_prev).max() > 1e-4


def test_single_sequence_is_min_char_rnn_exactly():
    """N = 1 gives lossFun's loss, gradients and last state to round-off."""
    rng = np.random.default_rng(3)
    V, H, T = 11, 9, 25
    m = random_rnn(V, H, 3, scale=0.3)
    inputs, targets = rng.integers(0, V, T), rng.integers(0, V, T)
    hprev = rng.standard_normal((H, 1)) * 0.3
    loss, grads, h_last = m.loss_and_grads(inputs, targets, hprev)
    ref_loss, ref_grads, ref_h, ref_dh0 = lossfun(m.params, inputs, targets, hprev)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    np.testing.assert_allclose(h_last, ref_h, rtol=1e-12, atol=1e-14)
    for k in grads:
        np.testing.assert_allclose(grads[k], ref_grads[k], rtol=1e-10, atol=1e-13, err_msg=k)
    back = m.backward(m.forward(inputs, hprev), targets)
    np.testing.assert_allclose(back.dh_prev, ref_dh0, rtol=1e-10, atol=1e-13)


def test_batch_is_the_mean_of_separate_runs():
    """Columns are independent sequences: loss and grads are the mean over N runs of N = 1."""
    rng = np.random.default_rng(4)
    V, H, T, N = 6, 5, 7, 4
    m = random_rnn(V, H, 4)
    inputs, targets = rng.integers(0, V, (T, N)), rng.integers(0, V, (T, N))
    h0 = rng.standard_normal((H, N))
    loss, grads, h_last = m.loss_and_grads(inputs, targets, h0)
    runs = [m.loss_and_grads(inputs[:, n], targets[:, n], h0[:, n:n + 1]) for n in range(N)]
    assert loss == pytest.approx(np.mean([r[0] for r in runs]), rel=1e-12)
    for k in grads:
        np.testing.assert_allclose(grads[k], np.mean([r[1][k] for r in runs], axis=0),
                                   rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(h_last, np.hstack([r[2] for r in runs]), rtol=1e-12)


def test_characters_never_seen_get_no_input_gradient():
    """dWxh has a non-zero column only for characters in the inputs; each is the sum of
    dh_raw over the steps where that character came in."""
    rng = np.random.default_rng(11)
    V, H, T, N = 6, 4, 5, 3
    m = random_rnn(V, H, 11)
    inputs = rng.choice([1, 4], size=(T, N))
    targets = rng.integers(0, V, (T, N))
    _, grads, _ = m.loss_and_grads(inputs, targets)
    tr = m.backward(m.forward(inputs), targets, trace=True).trace
    for v in range(V):
        want = sum(tr.dh_raw[t][:, n] for t in range(T) for n in range(N) if inputs[t, n] == v)
        np.testing.assert_allclose(grads["Wxh"][:, v], want, rtol=1e-12, atol=1e-15)
    assert not grads["Wxh"][:, [0, 2, 3, 5]].any()
    assert np.abs(grads["Wxh"][:, [1, 4]]).min() > 0


def test_column_pick_equals_one_hot_product():
    """Wxh[:, ix] is Wxh @ x for the one-hot x, which is why the library skips the product."""
    v = rnnlib.Vocab.from_text("hello")
    m = random_rnn(len(v), 3, 5)
    ix = v.encode("hell")
    x = v.one_hot(ix)                                      # (T, V, 1)
    for t in range(len(ix)):
        np.testing.assert_array_equal(m.params["Wxh"][:, [ix[t]]], m.params["Wxh"] @ x[t])
    cache = m.forward(ix)
    np.testing.assert_array_equal(cache.xs, x)


def test_forward_keeps_every_step_in_column_layout():
    """hs[t] is h_t (H, N); ps[t] columns sum to 1; h_t follows the recurrence."""
    rng = np.random.default_rng(6)
    V, H, T, N = 5, 4, 3, 2
    m = random_rnn(V, H, 6)
    P = m.params
    inputs = rng.integers(0, V, (T, N))
    c = m.forward(inputs)
    assert c.hs.shape == (T, H, N) and c.ys.shape == (T, V, N) and c.ps.shape == (T, V, N)
    np.testing.assert_allclose(c.ps.sum(axis=1), 1.0)
    h = np.zeros((H, N))
    for t in range(T):
        h = np.tanh(P["Wxh"] @ c.xs[t] + P["Whh"] @ h + P["bh"])
        np.testing.assert_allclose(c.hs[t], h, rtol=1e-12)
        np.testing.assert_allclose(c.ys[t], P["Why"] @ h + P["by"], rtol=1e-12)


def test_backward_trace_adds_dh_next_to_dh_out():
    """dh = Why^T dy + dh_next at each step; dh_next is 0 at the last step and is
    Whh^T dh_raw of the step after, as min-char-rnn accumulates it."""
    rng = np.random.default_rng(8)
    V, H, T, N = 4, 3, 5, 2
    m = random_rnn(V, H, 8)
    inputs, targets = rng.integers(0, V, (T, N)), rng.integers(0, V, (T, N))
    c = m.forward(inputs)
    tr = m.backward(c, targets, trace=True).trace
    P = m.params
    np.testing.assert_array_equal(tr.dh_next[-1], 0)
    for t in range(T):
        np.testing.assert_allclose(tr.dh_out[t], P["Why"].T @ tr.dys[t], rtol=1e-12)
        np.testing.assert_allclose(tr.dh[t], tr.dh_out[t] + tr.dh_next[t], rtol=1e-12)
        np.testing.assert_allclose(tr.dh_raw[t], (1 - c.hs[t] ** 2) * tr.dh[t], rtol=1e-12)
        if t + 1 < T:
            np.testing.assert_allclose(tr.dh_next[t], P["Whh"].T @ tr.dh_raw[t + 1], rtol=1e-12)
    onehot = c.xs
    np.testing.assert_allclose(tr.dys, (c.ps - rnnlib.Vocab(list("abcd")).one_hot(targets)) / N)
    assert onehot.shape == (T, V, N)


def test_init_is_min_char_rnns():
    m = rnnlib.RNN(30, 100, seed=0)
    assert {k: v.shape for k, v in m.params.items()} == {
        "Wxh": (100, 30), "Whh": (100, 100), "Why": (30, 100), "bh": (100, 1), "by": (30, 1)}
    assert 0.008 < m.params["Whh"].std() < 0.012
    assert not m.params["bh"].any() and not m.params["by"].any()
    assert m.params["Wxh"].dtype == np.float64
    np.testing.assert_array_equal(rnnlib.RNN(30, 100, seed=0).params["Wxh"], m.params["Wxh"])


def test_float32_option_keeps_float32_and_agrees_with_float64():
    rng = np.random.default_rng(9)
    m64 = random_rnn(6, 5, 9)
    m32 = rnnlib.RNN(6, 5, dtype=np.float32)
    for k in m32.params:
        m32.params[k][...] = m64.params[k]
    inputs, targets = rng.integers(0, 6, (8, 3)), rng.integers(0, 6, (8, 3))
    l64, g64, _ = m64.loss_and_grads(inputs, targets)
    l32, g32, h32 = m32.loss_and_grads(inputs, targets)
    assert h32.dtype == np.float32 and all(g.dtype == np.float32 for g in g32.values())
    assert l32 == pytest.approx(l64, rel=1e-5)
    for k in g64:
        assert rel_error(g32[k], g64[k]) < 1e-5


@pytest.mark.parametrize("bad, msg", [
    (dict(vocab_size=0, hidden_size=3), "vocab_size must be a positive"),
    (dict(vocab_size=4, hidden_size=-2), "hidden_size must be a positive"),
    (dict(vocab_size=4.5, hidden_size=3), "vocab_size must be a positive whole number, got 4.5"),
    (dict(vocab_size=4, hidden_size=3, dtype="int32"), "dtype must be float64 or float32"),
])
def test_bad_sizes_are_clear_errors(bad, msg):
    with pytest.raises((ValueError, TypeError), match=msg):
        rnnlib.RNN(**bad)


def test_bad_inputs_are_clear_errors():
    m = rnnlib.RNN(4, 3, seed=0)
    with pytest.raises(ValueError, match=r"inputs\[1, 0\] = 4 is outside the vocabulary.*0..3"):
        m.loss_and_grads([0, 4], [1, 2])
    with pytest.raises(ValueError, match=r"targets\[0, 0\] = -1 is outside"):
        m.loss_and_grads([0, 1], [-1, 2])
    with pytest.raises(ValueError, match=r"targets have shape \(3, 1\) but inputs have shape \(2, 1\)"):
        m.loss_and_grads([0, 1], [1, 2, 3])
    with pytest.raises(ValueError, match=r"h_prev must have shape \(3, 2\)"):
        m.loss_and_grads(np.zeros((2, 2), int), np.zeros((2, 2), int), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="inputs is empty"):
        m.loss_and_grads([], [])
    with pytest.raises(TypeError, match="encode it first"):
        m.loss_and_grads(np.array(list("ab")), [0, 1])


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("with_h_prev", [True, False])
def test_loss_and_grads_equal_min_char_rnns_lossfun_at_random_sizes(seed, with_h_prev):
    """Random V, H, T: N = 1 (its own code path) gives lossFun's loss, gradients and last
    state, and N > 1 gives the mean of lossFun over the columns, with h_prev or from zeros."""
    rng = np.random.default_rng(100 + seed)
    V, H, T, N = (int(rng.integers(2, 30)), int(rng.integers(1, 40)),
                  int(rng.integers(1, 30)), int(rng.integers(2, 5)))
    m = random_rnn(V, H, seed, scale=0.5)
    inputs, targets = rng.integers(0, V, (T, N)), rng.integers(0, V, (T, N))
    h0 = rng.standard_normal((H, N)) * 0.5 if with_h_prev else None
    refs = [lossfun(m.params, inputs[:, n].tolist(), targets[:, n].tolist(),
                    np.zeros((H, 1)) if h0 is None else h0[:, n:n + 1]) for n in range(N)]
    for n, ref in enumerate(refs):                                   # N = 1, column by column
        loss, grads, h_last = m.loss_and_grads(inputs[:, n], targets[:, n],
                                               None if h0 is None else h0[:, n:n + 1])
        assert loss == pytest.approx(ref[0], rel=1e-12)
        assert h_last.shape == (H, 1)
        np.testing.assert_allclose(h_last, ref[2], rtol=1e-10, atol=1e-13)
        assert list(grads) == list(m.params)
        for k in grads:
            assert grads[k].shape == m.params[k].shape and grads[k].dtype == np.float64
            np.testing.assert_allclose(grads[k], ref[1][k], rtol=1e-10, err_msg=k,
                                       atol=1e-13 * max(1, np.abs(ref[1][k]).max()))
    loss, grads, h_last = m.loss_and_grads(inputs, targets, h0)     # N > 1: the batch mean
    assert loss == pytest.approx(np.mean([r[0] for r in refs]), rel=1e-12)
    np.testing.assert_allclose(h_last, np.hstack([r[2] for r in refs]), rtol=1e-10, atol=1e-13)
    for k in grads:
        want = np.mean([r[1][k] for r in refs], axis=0)
        np.testing.assert_allclose(grads[k], want, rtol=1e-10, err_msg=k,
                                   atol=1e-13 * max(1, np.abs(want).max()))


def test_single_sequence_path_keeps_float32_and_leaves_its_inputs_alone():
    """N = 1 in float32 returns float32 gradients close to float64's, and neither the
    parameters nor h_prev are changed by the call."""
    rng = np.random.default_rng(5)
    V, H, T = 9, 7, 12
    m64 = random_rnn(V, H, 5, scale=0.5)
    m32 = rnnlib.RNN(V, H, dtype=np.float32)
    m32.params = {k: v.astype(np.float32) for k, v in m64.params.items()}
    before = {k: v.copy() for k, v in m32.params.items()}
    inputs, targets = rng.integers(0, V, T), rng.integers(0, V, T)
    h0 = (rng.standard_normal((H, 1)) * 0.5).astype(np.float32)
    h0_copy = h0.copy()
    loss32, g32, h32 = m32.loss_and_grads(inputs, targets, h0)
    loss64, g64, _ = m64.loss_and_grads(inputs, targets, h0.astype(np.float64))
    assert loss32 == pytest.approx(loss64, rel=1e-5)
    assert h32.dtype == np.float32
    for k in g32:
        assert g32[k].dtype == np.float32
        np.testing.assert_allclose(g32[k], g64[k], rtol=1e-3, atol=1e-5, err_msg=k)
        np.testing.assert_array_equal(m32.params[k], before[k])
    np.testing.assert_array_equal(h0, h0_copy)


@pytest.mark.parametrize("with_h_prev", [True, False])
def test_single_sequence_gradients_match_centred_differences(with_h_prev):
    """N = 1 (inputs of shape (T,)): every parameter's gradient agrees with finite differences."""
    rng = np.random.default_rng(21)
    V, H, T = 6, 5, 8
    m = random_rnn(V, H, 21)
    inputs, targets = rng.integers(0, V, T), rng.integers(0, V, T)
    h0 = rng.standard_normal((H, 1)) * 0.5 if with_h_prev else None
    for name, err in rnnlib.check_model(m, inputs, targets, h0).items():
        assert err < 1e-7, (name, err)


@pytest.mark.parametrize("eps", [0.0, 0, -1e-5, float("nan"), float("inf"), -float("inf")])
def test_a_step_size_that_is_not_a_positive_number_is_a_clear_error(eps):
    """eps = 0 would divide by zero; eps < 0, nan and inf give meaningless differences.
    Both check_model and numerical_gradient say so, name the value and suggest 1e-5,
    and leave the parameters as they were."""
    m = random_rnn(4, 3, 0)
    before = {k: v.copy() for k, v in m.params.items()}
    msg = rf"eps must be a finite number greater than 0, got {eps!r}.*1e-5"
    with pytest.raises(ValueError, match=msg):
        rnnlib.check_model(m, [0, 1, 2], [1, 2, 3], eps=eps)
    with pytest.raises(ValueError, match=msg):
        numerical_gradient(lambda: float(m.params["by"].sum()), m.params["by"], eps=eps)
    for k in before:
        np.testing.assert_array_equal(m.params[k], before[k])
    with pytest.raises(TypeError, match=r"eps must be a small positive number such as 1e-5, "
                                        r"got 'small'"):
        rnnlib.check_model(m, [0, 1, 2], [1, 2, 3], eps="small")


class ByGradientForgetsTheTarget(rnnlib.RNN):
    """A learner's backward with one slip: dby sums p_t instead of p_t - onehot(target_t)."""

    def backward(self, cache, targets, trace=False):
        back = super().backward(cache, targets, trace)
        N = cache.ps.shape[-1]
        back.grads["by"] = cache.ps.sum(axis=(0, 2))[:, None] / N      # the slip
        return back


def test_check_model_checks_an_overridden_backward_and_finds_its_slip():
    """check_model goes through loss_and_grads, i.e. forward, loss and the model's own
    backward: a subclass that overrides only backward with a slip fails on exactly the
    parameter it breaks, and the same model without the slip passes."""
    rng = np.random.default_rng(12)
    V, H, T, N = 5, 4, 6, 2
    slipped, right = ByGradientForgetsTheTarget(V, H, seed=0), random_rnn(V, H, 12)
    slipped.params = {k: v.copy() for k, v in right.params.items()}
    inputs, targets = rng.integers(0, V, (T, N)), rng.integers(0, V, (T, N))
    errors = rnnlib.check_model(slipped, inputs, targets)
    assert errors["by"] > 1e-2
    assert all(errors[k] < 1e-7 for k in ("Wxh", "Whh", "Why", "bh")), errors
    assert all(err < 1e-7 for err in rnnlib.check_model(right, inputs, targets).values())


def test_an_lstm_pair_given_to_an_rnn_is_a_clear_error():
    """Every one-array model (RNN, GRU) says its state is one h, not the LSTM's (h, c)."""
    model = rnnlib.RNN(4, 3, seed=0)
    pair = (np.zeros((3, 1)), np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"an? RNN's state is one array h .* not the LSTM's pair"):
        model.forward([0, 1], pair)
