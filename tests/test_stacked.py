"""The stacked RNN: gradient checks, a 1-layer stack is the RNN, a plain reference, errors."""
import numpy as np
import pytest

import rnnlib
from rnnlib import RNN, StackedRNN
from rnnlib.gradcheck import numerical_gradient, rel_error
from rnnlib.rnn import RNNStepCache, rnn_step_backward

from rnnlib.reference import lossfun


def random_stack(V, H, L, seed, scale=0.5):
    """A stacked RNN with weights large enough that every layer matters."""
    m = StackedRNN(V, H, L, seed=seed)
    rng = np.random.default_rng(seed + 1000)
    for p in m.params.values():
        p[...] = rng.standard_normal(p.shape) * scale
    return m


def reference_stack(params, L, inputs, targets, h0):
    """One sequence, one step at a time, dense one-hot x_t, layer after layer: the
    equations of the module docstring written without rnnlib. Returns (loss, hs (L, T, H))."""
    V = params["Why"].shape[0]
    h = [h0[l] for l in range(L)]                       # each (H, 1)
    loss, hs = 0.0, []
    for t in range(len(inputs)):
        below = np.zeros((V, 1))
        below[inputs[t]] = 1
        for l in range(L):
            h[l] = np.tanh(params[f"Wxh{l}"] @ below + params[f"Whh{l}"] @ h[l]
                           + params[f"bh{l}"])
            below = h[l]
        y = params["Why"] @ below + params["by"]
        p = np.exp(y) / np.exp(y).sum()
        loss -= np.log(p[targets[t], 0])
        hs.append(np.hstack(h).T)                       # (L, H)
    return loss, np.stack(hs, axis=1)


@pytest.mark.parametrize("seed", range(8))
def test_every_gradient_matches_centred_differences(seed):
    """Random V, H, T, L = 1..3 and N (N = 1 and N > 1), with and without h_prev: every
    layer's Wxh, Whh, bh and the output layer agree with centred differences."""
    rng = np.random.default_rng(seed)
    V, H, T = int(rng.integers(2, 6)), int(rng.integers(1, 5)), int(rng.integers(1, 5))
    L = 1 + seed % 3
    N = 1 if seed % 2 else int(rng.integers(2, 4))
    m = random_stack(V, H, L, seed)
    inputs, targets = rng.integers(0, V, (T, N)), rng.integers(0, V, (T, N))
    h0 = rng.standard_normal((L, H, N)) * 0.5 if seed % 4 < 2 else None
    errors = rnnlib.check_model(m, inputs, targets, h0)
    assert set(errors) == set(m.params)
    assert len(errors) == 3 * L + 2
    for name, err in errors.items():
        assert err < 1e-7, (name, err, (V, H, T, N, L))


def test_gradient_of_h_prev_matches_centred_differences_in_every_layer():
    rng = np.random.default_rng(10)
    V, H, T, N, L = 5, 4, 5, 2, 3
    m = random_stack(V, H, L, 10, scale=0.8)
    inputs, targets = rng.integers(0, V, (T, N)), rng.integers(0, V, (T, N))
    h0 = rng.standard_normal((L, H, N))
    back = m.backward(m.forward(inputs, h0), targets)
    num = numerical_gradient(lambda: m.loss(m.forward(inputs, h0), targets), h0)
    assert back.dh_prev.shape == (L, H, N)
    assert rel_error(back.dh_prev, num) < 1e-7
    assert all(np.abs(back.dh_prev[l]).max() > 1e-4 for l in range(L))


def test_one_layer_is_the_rnn():
    """L = 1 with Wxh0, Whh0, bh0 set to an RNN's Wxh, Whh, bh: the same states, loss,
    gradients (names mapped), h_last and dL/dh_0."""
    rng = np.random.default_rng(11)
    V, H, T, N = 6, 5, 7, 3
    rnn = RNN(V, H, seed=11)
    for p in rnn.params.values():
        p[...] = rng.standard_normal(p.shape) * 0.5
    stack = StackedRNN(V, H, 1)
    names = {"Wxh0": "Wxh", "Whh0": "Whh", "bh0": "bh", "Why": "Why", "by": "by"}
    assert set(stack.params) == set(names)
    for k, rk in names.items():
        stack.params[k][...] = rnn.params[rk]
    inputs, targets = rng.integers(0, V, (T, N)), rng.integers(0, V, (T, N))
    h0 = rng.standard_normal((H, N))
    loss, grads, h_last = stack.loss_and_grads(inputs, targets, h0[None])
    r_loss, r_grads, r_h = rnn.loss_and_grads(inputs, targets, h0)
    assert loss == pytest.approx(r_loss, rel=1e-12)
    np.testing.assert_allclose(h_last[0], r_h, rtol=1e-12)
    for k, rk in names.items():
        np.testing.assert_allclose(grads[k], r_grads[rk], rtol=1e-10, atol=1e-14, err_msg=k)
    np.testing.assert_allclose(stack.forward(inputs, h0[None]).hs, rnn.forward(inputs, h0).hs,
                               rtol=1e-12)
    np.testing.assert_allclose(stack.backward(stack.forward(inputs, h0[None]), targets).dh_prev[0],
                               rnn.backward(rnn.forward(inputs, h0), targets).dh_prev,
                               rtol=1e-10, atol=1e-14)
    # and for N = 1 both are min-char-rnn's lossFun
    ref_loss, ref_grads, _, _ = lossfun(rnn.params, inputs[:, 0], targets[:, 0], h0[:, :1])
    l1, g1, _ = stack.loss_and_grads(inputs[:, 0], targets[:, 0], h0[None, :, :1])
    assert l1 == pytest.approx(ref_loss, rel=1e-12)
    np.testing.assert_allclose(g1["Whh0"], ref_grads["Whh"], rtol=1e-10, atol=1e-14)


def test_forward_matches_a_plain_layer_by_layer_reference():
    rng = np.random.default_rng(12)
    V, H, T, L = 6, 4, 8, 3
    m = random_stack(V, H, L, 12)
    inputs, targets = rng.integers(0, V, T), rng.integers(0, V, T)
    h0 = rng.standard_normal((L, H, 1))
    cache = m.forward(inputs, h0)
    ref_loss, ref_hs = reference_stack(m.params, L, inputs, targets, h0)
    assert m.loss(cache, targets) == pytest.approx(ref_loss, rel=1e-12)
    np.testing.assert_allclose(cache.hs_by_layer[..., 0], ref_hs, rtol=1e-12, atol=1e-14)


def test_loss_and_grads_is_forward_loss_and_backward():
    rng = np.random.default_rng(13)
    V, H, T, N, L = 5, 4, 6, 3, 2
    m = random_stack(V, H, L, 13)
    inputs, targets = rng.integers(0, V, (T, N)), rng.integers(0, V, (T, N))
    h0 = rng.standard_normal((L, H, N))
    loss, grads, h_last = m.loss_and_grads(inputs, targets, h0)
    cache = m.forward(inputs, h0)
    back = m.backward(cache, targets, trace=True)
    assert loss == m.loss(cache, targets)
    assert list(grads) == list(m.params)
    for k in grads:
        np.testing.assert_array_equal(grads[k], back.grads[k])
    np.testing.assert_array_equal(h_last, cache.h_last)
    assert h_last.shape == (L, H, N)
    assert back.trace.dh.shape == back.trace.dh_raw.shape == (L, T, H, N)


def test_each_layer_sees_only_the_layer_below():
    """Changing layer 1's weights leaves layer 0's states alone and changes layer 1's."""
    rng = np.random.default_rng(14)
    V, H, T, N, L = 5, 4, 6, 2, 2
    m = random_stack(V, H, L, 14)
    inputs = rng.integers(0, V, (T, N))
    before = m.forward(inputs).hs_by_layer.copy()
    m.params["Wxh1"] *= 2
    after = m.forward(inputs).hs_by_layer
    np.testing.assert_array_equal(after[0], before[0])
    assert np.abs(after[1] - before[1]).max() > 1e-3
    assert m.forward(inputs).hs.shape == (T, H, N)               # the top layer, for plots


def test_step_agrees_with_forward_and_sampling_takes_a_layered_state():
    rng = np.random.default_rng(15)
    V, H, T, N, L = 5, 4, 6, 2, 2
    m = random_stack(V, H, L, 15)
    inputs = rng.integers(0, V, (T, N))
    h = rng.standard_normal((L, H, N))
    cache = m.forward(inputs, h)
    for t in range(T):
        y, h = m.step(inputs[t], h)
        np.testing.assert_allclose(y, cache.ys[t], rtol=1e-12)
        np.testing.assert_allclose(h, cache.hs_by_layer[:, t], rtol=1e-12)
    v = rnnlib.Vocab.from_text("hello world")
    m = random_stack(len(v), 6, 3, 16)
    h = rnnlib.prime(m, v.encode("hello"))
    assert h.shape == (3, 6, 1)
    np.testing.assert_allclose(h, m.forward(v.encode("hello")).h_last, rtol=1e-12)
    out = rnnlib.sample(m, h, v.encode(" ")[0], 20, rng=0)
    assert len(out) == 20 and all(0 <= ix < len(v) for ix in out)
    with pytest.raises(ValueError, match=r"\(3, 6, 1\) = \(num_layers, hidden_size, 1\).*"
                                         r"h\[\.\.\., :1\]"):
        rnnlib.sample(m, np.zeros((3, 6, 2)), 0, 5)


def test_init_shapes():
    m = StackedRNN(30, 50, 3, seed=0)
    assert {k: v.shape for k, v in m.params.items()} == {
        "Wxh0": (50, 30), "Whh0": (50, 50), "bh0": (50, 1),
        "Wxh1": (50, 50), "Whh1": (50, 50), "bh1": (50, 1),
        "Wxh2": (50, 50), "Whh2": (50, 50), "bh2": (50, 1), "Why": (30, 50), "by": (30, 1)}
    assert (m.vocab_size, m.hidden_size, m.num_layers) == (30, 50, 3)
    assert 0.008 < m.params["Whh1"].std() < 0.012 and not m.params["bh2"].any()
    assert m.initial_state(4).shape == (3, 50, 4)


def test_a_seed_gives_the_same_randn_draw_as_always():
    """The initial weights are randn * 0.01 drawn layer by layer (Wxh{l}, then Whh{l}) and
    then Why, from default_rng(seed): a seed gives the same model as it always has."""
    rng = np.random.default_rng(3)
    want = {"Wxh0": rng.standard_normal((4, 6)) * 0.01, "Whh0": rng.standard_normal((4, 4)) * 0.01,
            "Wxh1": rng.standard_normal((4, 4)) * 0.01, "Whh1": rng.standard_normal((4, 4)) * 0.01,
            "Why": rng.standard_normal((6, 4)) * 0.01}
    P = StackedRNN(6, 4, 2, seed=3).params
    assert list(P) == ["Wxh0", "Whh0", "bh0", "Wxh1", "Whh1", "bh1", "Why", "by"]
    for name, w in want.items():
        np.testing.assert_array_equal(P[name], w, err_msg=name)
    assert not P["bh0"].any() and not P["bh1"].any() and not P["by"].any()


def test_backward_runs_the_rnn_step_pair_in_every_layer():
    """Each layer's gradients are the sums of rnn_step_backward over time, fed the trace's
    dh; the layer below receives Wxh{l}^T dh_raw from layer l, and dh_raw = (1 - h^2) dh."""
    rng = np.random.default_rng(17)
    V, H, T, N, L = 5, 4, 5, 2, 3
    m = random_stack(V, H, L, 17)
    inputs, targets = rng.integers(0, V, (T, N)), rng.integers(0, V, (T, N))
    h0 = rng.standard_normal((L, H, N))
    cache = m.forward(inputs, h0)
    back = m.backward(cache, targets, trace=True)
    tr, hs = back.trace, cache.hs_by_layer
    for l in range(L):
        below = np.eye(V)[:, inputs].transpose(1, 0, 2) if l == 0 else hs[l - 1]   # (T, ., N)
        total = {k: np.zeros_like(m.params[f"{k}{l}"]) for k in ("Wxh", "Whh", "bh")}
        for t in range(T):
            h_before = hs[l, t - 1] if t else h0[l]
            step = RNNStepCache(below[t], h_before, hs[l, t], m.params[f"Wxh{l}"],
                                m.params[f"Whh{l}"])
            g, dh_prev = rnn_step_backward(tr.dh[l, t], step)
            for k in total:
                total[k] += g[k]
            dh_next = tr.dh[l, t - 1] - (m.params[f"Wxh{l + 1}"].T @ tr.dh_raw[l + 1, t - 1]
                                         if l + 1 < L else m.params["Why"].T @ tr.dys[t - 1])
            np.testing.assert_allclose(dh_prev, dh_next if t else back.dh_prev[l],
                                       rtol=1e-10, atol=1e-14)
        for k in total:
            np.testing.assert_allclose(back.grads[f"{k}{l}"], total[k], rtol=1e-12,
                                       atol=1e-15, err_msg=f"{k}{l}")
    np.testing.assert_allclose(tr.dh_raw, (1 - hs ** 2) * tr.dh, rtol=1e-14)


@pytest.mark.parametrize("bad", [0, -2, 1.5, True, "2"])
def test_num_layers_must_be_a_whole_number_of_at_least_one(bad):
    with pytest.raises(ValueError, match=rf"num_layers must be a whole number of layers, at "
                                         rf"least 1 .*got {bad!r}; pass e.g. num_layers=2"):
        StackedRNN(5, 4, bad)


def test_a_one_layer_state_is_named_and_the_fix_given():
    m = StackedRNN(5, 4, 2)
    with pytest.raises(ValueError, match=r"h_prev has shape \(4, 3\), one layer's state "
                                         r"\(H, N\).*needs \(L, H, N\) = \(2, 4, 3\): stack one "
                                         r"\(H, N\) state per layer, "
                                         r"e.g. np.zeros\(\(2, 4, 3\)\)"):
        m.loss_and_grads(np.zeros((6, 3), int), np.zeros((6, 3), int), np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"must have shape \(L, H, N\) = \(2, 4, 3\).*got "
                                         r"\(3, 4, 3\)"):
        m.forward(np.zeros((6, 3), int), np.zeros((3, 4, 3)))
    # one column per layer is repeated over the batch, as the RNN does with (H, 1)
    assert m.forward(np.zeros((6, 3), int), np.ones((2, 4, 1))).h_prev.shape == (2, 4, 3)
