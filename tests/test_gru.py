"""The GRU: gradients against centred differences, forward against torch.nn.GRU's equations."""
import numpy as np
import pytest

import rnnlib
from rnnlib.gradcheck import numerical_gradient, rel_error
from rnnlib.gru import GRU, gru_step_backward, gru_step_forward


def random_gru(V, H, seed, scale=0.5, dtype=np.float64):
    """A GRU with weights large enough that every gate and path matters."""
    m = GRU(V, H, seed=seed, dtype=dtype)
    rng = np.random.default_rng(seed + 1000)
    for p in m.params.values():
        p[...] = rng.standard_normal(p.shape) * scale
    return m


def random_case(rng, V, H, T, N):
    return (rng.integers(0, V, (T, N)), rng.integers(0, V, (T, N)),
            rng.standard_normal((H, N)) * 0.5)


def torch_gru_equations(weight_ih, weight_hh, bias_ih, bias_hh, x, h0):
    """torch.nn.GRU's documented equations, transcribed in torch's own row layout.

    x (T, N, V) rows of inputs, h0 (N, H); weights as torch stores them: weight_ih
    (3H, V) = [W_ir; W_iz; W_in], weight_hh (3H, H), biases (3H,). Returns h_t as (T, N, H).
    """
    H = weight_hh.shape[1]
    W_ir, W_iz, W_in = np.split(weight_ih, 3)
    W_hr, W_hz, W_hn = np.split(weight_hh, 3)
    b_ir, b_iz, b_in = np.split(bias_ih, 3)
    b_hr, b_hz, b_hn = np.split(bias_hh, 3)
    sig = lambda a: 1.0 / (1.0 + np.exp(-a))
    out, h = [], h0
    for x_t in x:
        r_t = sig(x_t @ W_ir.T + b_ir + h @ W_hr.T + b_hr)
        z_t = sig(x_t @ W_iz.T + b_iz + h @ W_hz.T + b_hz)
        n_t = np.tanh(x_t @ W_in.T + b_in + r_t * (h @ W_hn.T + b_hn))
        h = (1 - z_t) * n_t + z_t * h
        out.append(h)
    assert out[0].shape[1] == H
    return np.stack(out)


@pytest.mark.parametrize("seed", range(8))
def test_every_gradient_matches_centred_differences(seed):
    """Random V, H, T and N (N = 1 and N > 1), with and without h_prev: each parameter's
    analytic gradient agrees with centred differences in float64."""
    rng = np.random.default_rng(seed)
    V, H, T = int(rng.integers(2, 7)), int(rng.integers(1, 6)), int(rng.integers(1, 6))
    N = 1 if seed % 2 else int(rng.integers(2, 5))
    m = random_gru(V, H, seed)
    inputs, targets, h0 = random_case(rng, V, H, T, N)
    errors = rnnlib.check_model(m, inputs, targets, h0 if seed % 4 < 2 else None)
    assert set(errors) == {"Wx", "Wh", "bx", "bh", "Why", "by"}
    for name, err in errors.items():
        assert err < 1e-7, (name, err, (V, H, T, N))


def test_gradient_of_h_prev_matches_centred_differences():
    """dL/dh_0 from backward() matches finite differences over several steps."""
    rng = np.random.default_rng(11)
    V, H, T, N = 5, 4, 6, 3
    m = random_gru(V, H, 11, scale=0.8)
    inputs, targets, h0 = random_case(rng, V, H, T, N)
    back = m.backward(m.forward(inputs, h0), targets)
    num = numerical_gradient(lambda: m.loss(m.forward(inputs, h0), targets), h0)
    assert back.dh_prev.shape == (H, N)
    assert rel_error(back.dh_prev, num) < 1e-7
    assert np.abs(back.dh_prev).max() > 1e-3          # a real signal, not zeros agreeing


def test_step_backward_matches_centred_differences():
    """The step pair alone: for L = sum(w * h), gru_step_backward(w, cache) gives dL/dWx,
    dWh, dbx, dbh and dL/dh_prev as centred differences do."""
    rng = np.random.default_rng(12)
    V, H, N = 5, 3, 4
    P = random_gru(V, H, 12, scale=0.9).params
    x_ix, h_prev = rng.integers(0, V, N), rng.standard_normal((H, N))
    w = rng.standard_normal((H, N))
    f = lambda: float((w * gru_step_forward(x_ix, h_prev, P)[0]).sum())
    grads, dh_prev = gru_step_backward(w, gru_step_forward(x_ix, h_prev, P)[1])
    assert set(grads) == {"Wx", "Wh", "bx", "bh"}
    for k, g in grads.items():
        assert g.shape == P[k].shape
        assert rel_error(g, numerical_gradient(f, P[k])) < 1e-8, k
    assert rel_error(dh_prev, numerical_gradient(f, h_prev)) < 1e-8


def test_forward_follows_torch_grus_equations():
    """Given the same weights, the hidden states equal an independent transcription of
    torch.nn.GRU's documented equations (torch's row layout, split weights, dense x)."""
    rng = np.random.default_rng(13)
    V, H, T, N = 6, 5, 7, 3
    m = random_gru(V, H, 13, scale=0.8)
    inputs, _, h0 = random_case(rng, V, H, T, N)
    x = np.eye(V)[inputs]                                        # (T, N, V) one-hot rows
    P = m.params
    ref = torch_gru_equations(P["Wx"], P["Wh"], P["bx"][:, 0], P["bh"][:, 0], x, h0.T)
    np.testing.assert_allclose(m.forward(inputs, h0).h, ref.transpose(0, 2, 1),
                               rtol=1e-12, atol=1e-14)


def test_forward_and_gradients_equal_torch_nn_gru():
    """With torch installed: torch.nn.GRU given our Wx, Wh, bx, bh gives the same h_t, and
    autograd through it plus our output layer gives the same loss and gradients."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(14)
    V, H, T, N = 6, 4, 5, 3
    m = random_gru(V, H, 14, scale=0.7)
    inputs, targets, h0 = random_case(rng, V, H, T, N)
    P = m.params
    gru = torch.nn.GRU(V, H).double()
    with torch.no_grad():
        gru.weight_ih_l0.copy_(torch.from_numpy(P["Wx"]))
        gru.weight_hh_l0.copy_(torch.from_numpy(P["Wh"]))
        gru.bias_ih_l0.copy_(torch.from_numpy(P["bx"][:, 0]))
        gru.bias_hh_l0.copy_(torch.from_numpy(P["bh"][:, 0]))
    Why = torch.tensor(P["Why"], requires_grad=True)
    by = torch.tensor(P["by"][:, 0], requires_grad=True)
    x = torch.from_numpy(np.eye(V)[inputs])                      # (T, N, V)
    out, _ = gru(x, torch.from_numpy(h0.T.copy())[None])         # (T, N, H)
    logits = out @ Why.T + by                                    # (T, N, V)
    loss = torch.nn.functional.cross_entropy(
        logits.reshape(T * N, V), torch.from_numpy(targets.ravel()), reduction="sum") / N
    loss.backward()

    ours, grads, h_last = m.loss_and_grads(inputs, targets, h0)
    np.testing.assert_allclose(h_last, out[-1].detach().numpy().T, rtol=1e-12, atol=1e-14)
    assert ours == pytest.approx(loss.item(), rel=1e-12)
    theirs = {"Wx": gru.weight_ih_l0.grad, "Wh": gru.weight_hh_l0.grad,
              "bx": gru.bias_ih_l0.grad[:, None], "bh": gru.bias_hh_l0.grad[:, None],
              "Why": Why.grad, "by": by.grad[:, None]}
    for k, g in theirs.items():
        np.testing.assert_allclose(grads[k], g.numpy(), rtol=1e-10, atol=1e-13, err_msg=k)


def test_sequence_is_the_step_pair_run_over_time():
    """forward/backward over T steps equal gru_step_forward/backward called step by step
    (the step functions are the equations a learner reads)."""
    rng = np.random.default_rng(15)
    V, H, T, N = 5, 4, 6, 2
    m = random_gru(V, H, 15)
    inputs, targets, h0 = random_case(rng, V, H, T, N)
    cache = m.forward(inputs, h0)
    back = m.backward(cache, targets, trace=True)
    h, steps = h0, []
    for t in range(T):
        h, step = gru_step_forward(inputs[t], h, m.params)
        steps.append(step)
        np.testing.assert_allclose(cache.h[t], h, rtol=1e-13)
    total = {k: np.zeros_like(m.params[k]) for k in ("Wx", "Wh", "bx", "bh")}
    dh_next = np.zeros((H, N))
    for t in reversed(range(T)):
        g, dh_next = gru_step_backward(back.trace.dh[t], steps[t])
        for k in total:
            total[k] += g[k]
        np.testing.assert_allclose(back.trace.dh_next[t - 1] if t else back.dh_prev, dh_next,
                                   rtol=1e-11, atol=1e-14)
    for k in total:
        np.testing.assert_allclose(back.grads[k], total[k], rtol=1e-11, atol=1e-14, err_msg=k)


def test_gate_blocks_are_in_the_order_r_z_n():
    """Biasing one row block of bx at a time saturates exactly the gate torch puts there."""
    rng = np.random.default_rng(16)
    V, H, T, N = 4, 3, 5, 2
    m = random_gru(V, H, 16)
    inputs, _, h0 = random_case(rng, V, H, T, N)
    bx = m.params["bx"]
    for k, name in enumerate("rzn"):
        saved = bx.copy()
        bx[k * H:(k + 1) * H] = 40.0
        cache = m.forward(inputs, h0)
        np.testing.assert_allclose(getattr(cache, name), 1.0, atol=1e-12, err_msg=name)
        for other in "rzn".replace(name, ""):
            assert np.abs(getattr(cache, other) - 1).max() > 0.05, (name, other)
        bx[...] = saved


def test_update_gate_one_keeps_the_state_and_zero_takes_the_candidate():
    """z = 1 (bias +50): h_t = h_{t-1}, the state passes through unchanged.
    z = 0 (bias -50): h_t = n_t, and with r = 0 too n ignores h_{t-1} entirely."""
    rng = np.random.default_rng(17)
    V, H, T, N = 4, 3, 6, 2
    m = random_gru(V, H, 17)
    inputs, _, h0 = random_case(rng, V, H, T, N)
    bx = m.params["bx"]
    bx[H:2 * H] = 50.0
    cache = m.forward(inputs, h0)
    for t in range(T):
        np.testing.assert_allclose(cache.h[t], h0, atol=1e-12)
    bx[H:2 * H], bx[:H] = -50.0, -50.0
    cache = m.forward(inputs, h0)
    np.testing.assert_allclose(cache.h, cache.n, atol=1e-15)
    other = m.forward(inputs, h0 + 3.0)                          # another h_0 ...
    Wh_n = m.params["Wh"][2 * H:]
    # ... changes n only through r * (Wh_n h + bh_n), and r = 0
    assert np.abs(Wh_n).max() > 0.1
    np.testing.assert_allclose(other.h, cache.h, atol=1e-15)


def test_batch_is_the_mean_of_separate_runs():
    rng = np.random.default_rng(18)
    V, H, T, N = 6, 5, 7, 4
    m = random_gru(V, H, 18)
    inputs, targets, h0 = random_case(rng, V, H, T, N)
    loss, grads, h_last = m.loss_and_grads(inputs, targets, h0)
    runs = [m.loss_and_grads(inputs[:, n], targets[:, n], h0[:, n:n + 1]) for n in range(N)]
    assert loss == pytest.approx(np.mean([r[0] for r in runs]), rel=1e-12)
    for k in grads:
        np.testing.assert_allclose(grads[k], np.mean([r[1][k] for r in runs], axis=0),
                                   rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(h_last, np.hstack([r[2] for r in runs]), rtol=1e-12)


def test_cache_and_trace_shapes_and_ranges():
    rng = np.random.default_rng(19)
    V, H, T, N = 6, 4, 5, 3
    m = random_gru(V, H, 19, scale=2.0)
    inputs, targets, _ = random_case(rng, V, H, T, N)
    cache = m.forward(inputs)
    for name in ("r", "z", "n", "hn", "h"):
        assert getattr(cache, name).shape == (T, H, N), name
    assert cache.ys.shape == cache.ps.shape == cache.xs.shape == (T, V, N)
    assert cache.hs is cache.h and cache.h_last.shape == (H, N)
    assert 0 < cache.r.min() and cache.r.max() < 1 and 0 < cache.z.min() and cache.z.max() < 1
    assert np.abs(cache.n).max() < 1 and np.abs(cache.h).max() < 1
    np.testing.assert_array_equal(cache.h_prev, 0)               # None means zeros
    tr = m.backward(cache, targets, trace=True).trace
    assert tr.dh.shape == tr.dh_next.shape == (T, H, N)
    assert tr.da_x.shape == tr.da_h.shape == (T, 3 * H, N)
    np.testing.assert_array_equal(tr.dh_next[-1], 0)
    # the gradients of the input and recurrent sides differ only in the n block, by r
    np.testing.assert_array_equal(tr.da_x[:, :2 * H], tr.da_h[:, :2 * H])
    np.testing.assert_allclose(tr.da_h[:, 2 * H:], tr.da_x[:, 2 * H:] * cache.r, rtol=1e-14)


def test_step_agrees_with_forward_and_sampling_works():
    rng = np.random.default_rng(20)
    V, H, T, N = 5, 4, 6, 2
    m = random_gru(V, H, 20)
    inputs, _, h = random_case(rng, V, H, T, N)
    cache = m.forward(inputs, h)
    for t in range(T):
        y, h = m.step(inputs[t], h)
        np.testing.assert_allclose(y, cache.ys[t], rtol=1e-12)
        np.testing.assert_allclose(h, cache.h[t], rtol=1e-12)
    v = rnnlib.Vocab.from_text("hello world")
    m = random_gru(len(v), 8, 21)
    out = rnnlib.sample(m, None, v.encode("h")[0], 30, rng=0)
    assert len(out) == 30 and all(0 <= ix < len(v) for ix in out)
    h = rnnlib.prime(m, v.encode("hello"))
    np.testing.assert_allclose(h, m.forward(v.encode("hello")).h_last, rtol=1e-12)
    assert rnnlib.sample_text(m, v, "he", 5, rng=1).startswith("he")


def test_init_is_min_char_rnns():
    m = GRU(30, 100, seed=0)
    assert {k: v.shape for k, v in m.params.items()} == {
        "Wx": (300, 30), "Wh": (300, 100), "bx": (300, 1), "bh": (300, 1),
        "Why": (30, 100), "by": (30, 1)}
    assert 0.008 < m.params["Wh"].std() < 0.012
    assert not m.params["bx"].any() and not m.params["bh"].any() and not m.params["by"].any()
    assert (m.vocab_size, m.hidden_size, m.dtype) == (30, 100, np.float64)
    np.testing.assert_array_equal(GRU(30, 100, seed=0).params["Wx"], m.params["Wx"])
    assert m.initial_state(3).shape == (100, 3) and not m.initial_state(3).any()


def test_float32_option_keeps_float32_and_agrees_with_float64():
    rng = np.random.default_rng(22)
    m64 = random_gru(6, 5, 22)
    m32 = GRU(6, 5, dtype=np.float32)
    for k in m32.params:
        m32.params[k][...] = m64.params[k]
    inputs, targets = rng.integers(0, 6, (8, 3)), rng.integers(0, 6, (8, 3))
    l64, g64, _ = m64.loss_and_grads(inputs, targets)
    l32, g32, h32 = m32.loss_and_grads(inputs, targets)
    assert h32.dtype == np.float32 and all(g.dtype == np.float32 for g in g32.values())
    assert l32 == pytest.approx(l64, rel=1e-5)
    for k in g64:
        assert rel_error(g32[k], g64[k]) < 1e-5


def test_bad_inputs_give_clear_errors():
    m = GRU(4, 3, seed=0)
    with pytest.raises(ValueError, match=r"h_prev must have shape \(3, 2\) = \(hidden_size, "
                                         r"batch\), got \(5, 2\)"):
        m.loss_and_grads([[0, 1], [1, 2]], [[1, 2], [2, 3]], np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"got \(3, 3\)"):
        m.forward([[0, 1]], np.zeros((3, 3)))                   # batch 2, state for 3
    with pytest.raises(ValueError, match=r"not the LSTM's pair \(h, c\)"):
        m.forward([0, 1], (np.zeros((3, 1)), np.zeros((3, 1))))
    with pytest.raises(ValueError, match="outside the vocabulary"):
        m.forward([0, 4])
    with pytest.raises(ValueError, match="one target per input"):
        m.loss(m.forward([0, 1, 2]), [1, 2])
    with pytest.raises(ValueError, match="hidden_size"):
        GRU(4, 0)
