import numpy as np
import pytest

import rnnlib
import rnnlib.lstm
from rnnlib.gradcheck import numerical_gradient, rel_error
from rnnlib.gru import GRU
from rnnlib.lstm import LSTM, lstm_gate_grads, lstm_step_backward, lstm_step_forward


def random_lstm(V, H, seed, scale=0.5, dtype=np.float64):
    """An LSTM with weights large enough that every gate and path matters."""
    m = LSTM(V, H, seed=seed, dtype=dtype)
    rng = np.random.default_rng(seed + 1000)
    for p in m.params.values():
        p[...] = rng.standard_normal(p.shape) * scale
    return m


def random_case(rng, V, H, T, N):
    inputs, targets = rng.integers(0, V, (T, N)), rng.integers(0, V, (T, N))
    state = (rng.standard_normal((H, N)) * 0.5, rng.standard_normal((H, N)) * 0.5)
    return inputs, targets, state


def reference_lstm_forward(params, inputs, targets, h_prev, c_prev):
    """One sequence, one step at a time, dense one-hot x_t, the textbook equations.

    Written without rnnlib: returns (loss, h_last, c_last, per-step gates (i, f, o, g)).
    """
    Wx, Wh, b, Why, by = (params[k] for k in ("Wx", "Wh", "b", "Why", "by"))
    V, H = Why.shape
    sig = lambda z: 1.0 / (1.0 + np.exp(-z))
    h, c, gates, loss = h_prev, c_prev, [], 0.0
    for ix, target in zip(inputs, targets):
        x = np.zeros((V, 1))
        x[ix] = 1
        z = Wx @ x + Wh @ h + b
        ig, fg, og, gg = sig(z[:H]), sig(z[H:2 * H]), sig(z[2 * H:3 * H]), np.tanh(z[3 * H:])
        gates.append((ig, fg, og, gg))
        c = fg * c + ig * gg
        h = og * np.tanh(c)
        y = Why @ h + by
        loss -= np.log(np.exp(y[target, 0]) / np.exp(y).sum())
    return loss, h, c, gates


@pytest.mark.parametrize("seed", range(6))
def test_every_gradient_matches_centred_differences(seed):
    """Random V, H, T, N: each parameter's analytic gradient agrees with finite differences."""
    rng = np.random.default_rng(seed)
    V, H, T, N = (int(rng.integers(2, 7)), int(rng.integers(1, 6)),
                  int(rng.integers(1, 6)), int(rng.integers(1, 4)))
    m = random_lstm(V, H, seed)
    inputs, targets, state = random_case(rng, V, H, T, N)
    errors = rnnlib.check_model(m, inputs, targets, state)
    assert set(errors) == {"Wx", "Wh", "b", "Why", "by"}
    for name, err in errors.items():
        assert err < 1e-7, (name, err, (V, H, T, N))


def test_gradient_of_h_prev_and_c_prev_matches_centred_differences():
    """dL/dh_0 and dL/dc_0 from backward() match finite differences over several steps."""
    rng = np.random.default_rng(11)
    V, H, T, N = 5, 4, 6, 3
    m = random_lstm(V, H, 11, scale=0.8)
    inputs, targets, (h0, c0) = random_case(rng, V, H, T, N)
    back = m.backward(m.forward(inputs, (h0, c0)), targets)
    f = lambda: m.loss(m.forward(inputs, (h0, c0)), targets)
    assert back.dh_prev.shape == back.dc_prev.shape == (H, N)
    assert rel_error(back.dh_prev, numerical_gradient(f, h0)) < 1e-7
    assert rel_error(back.dc_prev, numerical_gradient(f, c0)) < 1e-7
    assert np.abs(back.dc_prev).max() > 1e-4      # a real signal, not two zeros agreeing


def test_forward_matches_a_plain_per_step_reference():
    """N = 1: the loss, the last (h, c) and every step's gates equal a step-by-step
    implementation with dense one-hot vectors (the gradients are proven by the centred
    differences above)."""
    rng = np.random.default_rng(3)
    V, H, T = 7, 5, 9
    m = random_lstm(V, H, 3, scale=0.4)
    inputs, targets, (h0, c0) = random_case(rng, V, H, T, 1)
    inputs, targets = inputs[:, 0], targets[:, 0]
    loss, _, (h_last, c_last) = m.loss_and_grads(inputs, targets, (h0, c0))
    ref_loss, ref_h, ref_c, gates = reference_lstm_forward(m.params, inputs, targets, h0, c0)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    np.testing.assert_allclose(h_last, ref_h, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(c_last, ref_c, rtol=1e-12, atol=1e-14)
    cache = m.forward(inputs, (h0, c0))
    for t in range(T):
        for name, ref in zip("ifog", gates[t]):
            np.testing.assert_allclose(getattr(cache, name)[t], ref, rtol=1e-12, err_msg=name)


def test_step_backward_matches_centred_differences():
    """The step pair alone: for L = sum(wh * h_t + wc * c_t) of one step,
    lstm_step_backward(wh, wc, cache) gives dL/dWx, dWh, db, dh_prev and dc_prev as
    centred differences do, and with N = 1 lstm_gate_grads' da is dL/db."""
    rng = np.random.default_rng(21)
    V, H = 5, 3
    P = random_lstm(V, H, 21, scale=0.9).params
    for N in (1, 4):
        x = np.eye(V)[:, rng.integers(0, V, N)]                    # one-hot columns (V, N)
        h_prev, c_prev = rng.standard_normal((H, N)), rng.standard_normal((H, N))
        wh, wc = rng.standard_normal((H, N)), rng.standard_normal((H, N))

        def f():
            h, c, _ = lstm_step_forward(x, h_prev, c_prev, P)
            return float((wh * h + wc * c).sum())

        cache = lstm_step_forward(x, h_prev, c_prev, P)[2]
        grads, dh_prev, dc_prev = lstm_step_backward(wh, wc, cache)
        assert set(grads) == {"Wx", "Wh", "b"}
        for k, g in grads.items():
            assert g.shape == P[k].shape
            assert rel_error(g, numerical_gradient(f, P[k])) < 1e-8, (k, N)
        assert rel_error(dh_prev, numerical_gradient(f, h_prev)) < 1e-8
        assert rel_error(dc_prev, numerical_gradient(f, c_prev)) < 1e-8
        da, dc = lstm_gate_grads(wh, wc, cache)
        assert da.shape == (4 * H, N) and dc.shape == (H, N)
        if N == 1:
            assert rel_error(da, numerical_gradient(f, P["b"])) < 1e-8
        np.testing.assert_allclose(dc_prev, cache.f * dc, rtol=1e-14)   # the additive path


def test_sequence_is_the_step_pair_run_over_time():
    """forward and backward over T steps equal lstm_step_forward / lstm_step_backward
    called one step at a time, fed the trace's dh and dc_next; the trace's da and dc are
    lstm_gate_grads' at every step."""
    rng = np.random.default_rng(22)
    V, H, T, N = 5, 4, 6, 2
    m = random_lstm(V, H, 22)
    inputs, targets, (h, c) = random_case(rng, V, H, T, N)
    cache = m.forward(inputs, (h, c))
    back = m.backward(cache, targets, trace=True)
    steps = []
    for t in range(T):
        h, c, step = lstm_step_forward(np.eye(V)[:, inputs[t]], h, c, m.params)
        steps.append(step)
        np.testing.assert_allclose(cache.h[t], h, rtol=1e-13)
        np.testing.assert_allclose(cache.c[t], c, rtol=1e-13)
    tr = back.trace
    total = {k: np.zeros_like(m.params[k]) for k in ("Wx", "Wh", "b")}
    for t in reversed(range(T)):
        g, dh_prev, dc_prev = lstm_step_backward(tr.dh[t], tr.dc_next[t], steps[t])
        da, dc = lstm_gate_grads(tr.dh[t], tr.dc_next[t], steps[t])
        np.testing.assert_allclose(tr.da[t], da, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(tr.dc[t], dc, rtol=1e-13, atol=1e-15)
        for k in total:
            total[k] += g[k]
        want_dh, want_dc = ((tr.dh_next[t - 1], tr.dc_next[t - 1]) if t
                            else (back.dh_prev, back.dc_prev))
        np.testing.assert_allclose(dh_prev, want_dh, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(dc_prev, want_dc, rtol=1e-12, atol=1e-15)
    for k in total:
        np.testing.assert_allclose(back.grads[k], total[k], rtol=1e-12, atol=1e-15, err_msg=k)
    np.testing.assert_allclose(tr.dys, (cache.ps - np.eye(V)[:, targets].transpose(1, 0, 2)) / N,
                               rtol=1e-13, atol=1e-16)


def test_batch_is_the_mean_of_separate_runs():
    """Columns are independent sequences: loss and grads are the mean over N runs of N = 1."""
    rng = np.random.default_rng(4)
    V, H, T, N = 6, 5, 7, 4
    m = random_lstm(V, H, 4)
    inputs, targets, (h0, c0) = random_case(rng, V, H, T, N)
    loss, grads, (h_last, c_last) = m.loss_and_grads(inputs, targets, (h0, c0))
    runs = [m.loss_and_grads(inputs[:, n], targets[:, n], (h0[:, n:n + 1], c0[:, n:n + 1]))
            for n in range(N)]
    assert loss == pytest.approx(np.mean([r[0] for r in runs]), rel=1e-12)
    for k in grads:
        np.testing.assert_allclose(grads[k], np.mean([r[1][k] for r in runs], axis=0),
                                   rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(h_last, np.hstack([r[2][0] for r in runs]), rtol=1e-12)
    np.testing.assert_allclose(c_last, np.hstack([r[2][1] for r in runs]), rtol=1e-12)


def test_trace_dh_and_dc_are_the_gradients_at_a_middle_step():
    """trace.dh[t] and trace.dc[t] are dL/dh_t and dL/dc_t: split the loss at step t into
    (loss of step t, from h_t) + (loss of the rest, started from (h_t, c_t)) and
    differentiate. For dc, h_t = o_t tanh(c_t) moves with c_t (o_t is fixed)."""
    rng = np.random.default_rng(5)
    V, H, T, N, t = 5, 4, 7, 2, 3
    m = random_lstm(V, H, 5, scale=0.7)
    inputs, targets, state = random_case(rng, V, H, T, N)
    cache = m.forward(inputs, state)
    tr = m.backward(cache, targets, trace=True).trace
    assert tr.dh.shape == tr.dc.shape == (T, H, N) and tr.da.shape == (T, 4 * H, N)
    h_t, c_t = cache.h[t].copy(), cache.c[t].copy()
    P = m.params

    def loss_from(h, c):
        y = P["Why"] @ h + P["by"]
        logp = y - np.log(np.exp(y).sum(axis=0))
        here = -logp[targets[t], np.arange(N)].sum() / N
        return here + m.loss(m.forward(inputs[t + 1:], (h, c)), targets[t + 1:])

    num_dh = numerical_gradient(lambda: loss_from(h_t, c_t), h_t)
    num_dc = numerical_gradient(lambda: loss_from(cache.o[t] * np.tanh(c_t), c_t), c_t)
    assert rel_error(tr.dh[t], num_dh) < 1e-7
    assert rel_error(tr.dc[t], num_dc) < 1e-7
    # the additive path: what c_t receives from c_{t+1} is f_{t+1} * dc_{t+1}
    np.testing.assert_allclose(tr.dc_next[t], cache.f[t + 1] * tr.dc[t + 1], rtol=1e-12)
    np.testing.assert_array_equal(tr.dh_next[-1], 0)
    np.testing.assert_array_equal(tr.dc_next[-1], 0)


def test_gate_blocks_are_in_the_order_i_f_o_g():
    """Biasing one row block at a time moves exactly the gate the contract names."""
    rng = np.random.default_rng(6)
    V, H, T, N = 4, 3, 5, 2
    m = random_lstm(V, H, 6, scale=0.5)
    inputs, _, (h0, c0) = random_case(rng, V, H, T, N)
    b = m.params["b"]
    for k, name in enumerate("ifog"):
        saved = b.copy()
        b[k * H:(k + 1) * H] = 40.0
        cache = m.forward(inputs, (h0, c0))
        # sigmoid(40) and tanh(40) are both 1 to round-off: only the named block saturates
        np.testing.assert_allclose(getattr(cache, name), 1.0, atol=1e-12, err_msg=name)
        for other in "ifog".replace(name, ""):
            assert np.abs(getattr(cache, other) - 1).max() > 0.05, (name, other)
        b[...] = saved


def test_a_closed_forget_gate_forgets_and_a_closed_input_gate_remembers():
    """f = 0 (bias -50): c_t = i * g, nothing of c_{t-1} is kept. i = 0 and f = 1:
    c_t = c_{t-1}, the cell carries c_0 unchanged through every step."""
    rng = np.random.default_rng(7)
    V, H, T, N = 4, 3, 6, 2
    m = random_lstm(V, H, 7)
    inputs, _, (h0, c0) = random_case(rng, V, H, T, N)
    b = m.params["b"]
    b[H:2 * H] = -50.0                                        # f block
    cache = m.forward(inputs, (h0, c0))
    np.testing.assert_allclose(cache.c, cache.i * cache.g, atol=1e-15)
    other = m.forward(inputs, (h0, c0 + 3.0))                 # a different c_0 ...
    np.testing.assert_allclose(other.h, cache.h, atol=1e-15)  # ... changes nothing

    b[:H], b[H:2 * H] = -50.0, 50.0                           # i closed, f open
    cache = m.forward(inputs, (h0, c0))
    for t in range(T):
        np.testing.assert_allclose(cache.c[t], c0, atol=1e-12)
        np.testing.assert_allclose(cache.h[t], cache.o[t] * np.tanh(c0), atol=1e-12)


def test_cache_shapes_and_ranges():
    rng = np.random.default_rng(8)
    V, H, T, N = 6, 4, 5, 3
    m = random_lstm(V, H, 8, scale=2.0)
    cache = m.forward(rng.integers(0, V, (T, N)))
    for name in "ifogch":
        assert getattr(cache, name).shape == (T, H, N), name
    assert cache.ys.shape == cache.ps.shape == cache.xs.shape == (T, V, N)
    assert cache.hs is cache.h
    for name in "ifo":
        a = getattr(cache, name)
        assert a.min() > 0 and a.max() < 1, name
    assert np.abs(cache.g).max() < 1 and np.abs(cache.h).max() < 1
    np.testing.assert_allclose(cache.ps.sum(axis=1), 1.0)
    np.testing.assert_array_equal(cache.h_prev, 0)            # None means zeros
    np.testing.assert_array_equal(cache.c_prev, 0)


def test_step_agrees_with_forward():
    """Feeding the characters one at a time with step() reproduces forward()."""
    rng = np.random.default_rng(9)
    V, H, T, N = 5, 4, 6, 2
    m = random_lstm(V, H, 9)
    inputs, _, state = random_case(rng, V, H, T, N)
    cache = m.forward(inputs, state)
    for t in range(T):
        y, state = m.step(inputs[t], state)
        np.testing.assert_allclose(y, cache.ys[t], rtol=1e-12)
        np.testing.assert_allclose(state[0], cache.h[t], rtol=1e-12)
        np.testing.assert_allclose(state[1], cache.c[t], rtol=1e-12)


def test_sampling_and_priming_work_with_the_pair_state():
    v = rnnlib.Vocab.from_text("hello world")
    m = random_lstm(len(v), 8, 10)
    out = rnnlib.sample(m, None, v.encode("h")[0], 30, rng=0)
    assert len(out) == 30 and all(0 <= ix < len(v) for ix in out)
    h, c = rnnlib.prime(m, v.encode("hello"))
    assert h.shape == c.shape == (8, 1)
    # priming is the forward pass: its state is forward's last (h, c)
    cache = m.forward(v.encode("hello"))
    np.testing.assert_allclose(h, cache.h_last, rtol=1e-12)
    np.testing.assert_allclose(c, cache.c_last, rtol=1e-12)
    assert rnnlib.sample_text(m, v, "he", 5, rng=1).startswith("he")


def test_init_is_min_char_rnns():
    m = LSTM(30, 100, seed=0)
    assert {k: v.shape for k, v in m.params.items()} == {
        "Wx": (400, 30), "Wh": (400, 100), "b": (400, 1), "Why": (30, 100), "by": (30, 1)}
    assert 0.008 < m.params["Wh"].std() < 0.012
    assert not m.params["b"].any() and not m.params["by"].any()
    assert (m.vocab_size, m.hidden_size, m.dtype) == (30, 100, np.float64)
    np.testing.assert_array_equal(LSTM(30, 100, seed=0).params["Wx"], m.params["Wx"])
    h, c = m.initial_state(3)
    assert h.shape == c.shape == (100, 3) and not h.any() and not c.any()


@pytest.mark.parametrize("model, blocks, names", [
    (LSTM, 4, ["Wx", "Wh", "b", "Why", "by"]), (GRU, 3, ["Wx", "Wh", "bx", "bh", "Why", "by"])],
    ids=["LSTM", "GRU"])
def test_a_seed_gives_the_same_randn_draw_as_always(model, blocks, names):
    """The gated models' initial weights are randn * 0.01 drawn in the order Wx, Wh, Why
    from default_rng(seed), in float64 then cast; biases are zero. A seed gives the same
    model as it always has."""
    V, H = 6, 3
    for seed, dtype in ((0, np.float64), (7, np.float32)):
        rng = np.random.default_rng(seed)
        want = {name: rng.standard_normal(shape) * 0.01
                for name, shape in (("Wx", (blocks * H, V)), ("Wh", (blocks * H, H)),
                                    ("Why", (V, H)))}
        P = model(V, H, seed=seed, dtype=dtype).params
        assert list(P) == names
        for name, p in P.items():
            assert p.dtype == dtype
            if name in want:
                np.testing.assert_array_equal(p, want[name].astype(dtype), err_msg=name)
            else:
                assert name.startswith("b") and not p.any(), name


def test_lstm_sigmoid_is_the_logistic_function_and_never_overflows():
    """rnnlib.lstm.sigmoid (the one of rnnlib.functional) is 1 / (1 + e^-a), and gives 0
    and 1, not a warning, far out in the tails."""
    from rnnlib.functional import sigmoid as functional_sigmoid
    assert rnnlib.lstm.sigmoid is functional_sigmoid
    a = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(rnnlib.lstm.sigmoid(a), 1 / (1 + np.exp(-a)), rtol=1e-13,
                               atol=1e-15)     # 1 + tanh(a/2) cancels in the far left tail
    with np.errstate(over="raise"):
        np.testing.assert_array_equal(rnnlib.lstm.sigmoid(np.array([-1e4, 1e4])), [0.0, 1.0])


def test_float32_option_keeps_float32_and_agrees_with_float64():
    rng = np.random.default_rng(12)
    m64 = random_lstm(6, 5, 12)
    m32 = LSTM(6, 5, dtype=np.float32)
    for k in m32.params:
        m32.params[k][...] = m64.params[k]
    inputs, targets = rng.integers(0, 6, (8, 3)), rng.integers(0, 6, (8, 3))
    l64, g64, _ = m64.loss_and_grads(inputs, targets)
    l32, g32, (h32, c32) = m32.loss_and_grads(inputs, targets)
    assert h32.dtype == c32.dtype == np.float32
    assert all(g.dtype == np.float32 for g in g32.values())
    assert l32 == pytest.approx(l64, rel=1e-5)
    for k in g64:
        assert rel_error(g32[k], g64[k]) < 1e-5


def test_bad_inputs_give_clear_errors():
    m = LSTM(4, 3, seed=0)
    h = np.zeros((3, 1))
    with pytest.raises(ValueError, match=r"pair \(h, c\)"):
        m.loss_and_grads([0, 1], [1, 2], h)                   # an RNN's state, not a pair
    with pytest.raises(ValueError, match="c_prev"):
        m.forward([0, 1], (h, np.zeros((5, 1))))
    with pytest.raises(ValueError, match="outside the vocabulary"):
        m.forward([0, 4])
    with pytest.raises(TypeError, match="encode"):
        m.forward(np.array(["h", "e"]))
    with pytest.raises(ValueError, match="one target per input"):
        m.loss(m.forward([0, 1, 2]), [1, 2])
    with pytest.raises(ValueError, match="hidden_size"):
        LSTM(4, 0)
    with pytest.raises(ValueError, match="float64 or float32"):
        LSTM(4, 3, dtype=np.int32)


def test_trainer_trains_samples_and_resumes_an_lstm(tmp_path):
    """Trainer(model="lstm") lowers the loss on a repeated text, samples from the pair
    state, and a saved checkpoint resumes exactly where the original run continues."""
    text = "the cat sat on the mat. " * 40
    cfg = rnnlib.TrainConfig(model="lstm", hidden_size=16, seq_length=10, sample_every=0,
                             seed=1)
    tr = rnnlib.Trainer(text, cfg)
    assert isinstance(tr.model, LSTM)
    tr.train(150)
    first = np.mean([l for _, l, _ in tr.history[:10]])
    last = np.mean([l for _, l, _ in tr.history[-10:]])
    assert last < 0.5 * first, (first, last)
    assert isinstance(tr.state, tuple) and tr.state[0].shape == (16, 1)
    s = tr.sample_now(40)
    assert len(s) == 40 and set(s) <= set(text)

    path = tr.save(tmp_path / "lstm.npz")
    back = rnnlib.Trainer.load(path, text)
    assert isinstance(back.state, tuple) and len(back.state) == 2
    for a, b in zip(back.state, tr.state):
        np.testing.assert_array_equal(a, b)
    tr.train(5)
    back.train(5)
    assert [l for _, l, _ in back.history[-5:]] == [l for _, l, _ in tr.history[-5:]]
    for k in tr.model.params:
        np.testing.assert_array_equal(back.model.params[k], tr.model.params[k])
