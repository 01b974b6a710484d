"""rnnlib.fastpath computes what the plain code of rnn.py and lstm.py computes.

The plain path is ``model.loss_and_grads`` (forward, loss, backward, one step at a time);
the fast path is ``fastpath.loss_and_grads(model, ...)``, which Trainer uses. In float64 the
two must agree to 1e-12 (largest absolute difference) in the loss, every gradient and the
returned state, on random sizes, batches and start states.
"""
import numpy as np
import pytest

import rnnlib
from rnnlib import fastpath
from rnnlib.fastpath import common
from rnnlib.reference import lossfun

TOL = 1e-12


def max_diff(a, b) -> float:
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))))


def random_model(cls, V, H, seed, scale=0.5):
    """A model with weights large enough that every gradient path matters."""
    m = cls(V, H, seed=seed)
    rng = np.random.default_rng(seed + 1000)
    for p in m.params.values():
        p[...] = rng.standard_normal(p.shape) * scale
    return m


def random_case(seed, N=None):
    rng = np.random.default_rng(seed)
    V, H, T = int(rng.integers(2, 12)), int(rng.integers(1, 10)), int(rng.integers(1, 9))
    N = int(rng.integers(2, 6)) if N is None else N
    return rng, V, H, T, N


def assert_same(fast, plain, what):
    """(loss, grads, state) of the two paths agree to TOL, with the same keys and dtypes."""
    assert abs(fast[0] - plain[0]) <= TOL, (what, fast[0], plain[0])
    assert list(fast[1]) == list(plain[1]), what
    for k in plain[1]:
        assert fast[1][k].shape == plain[1][k].shape, (what, k)
        assert fast[1][k].dtype == plain[1][k].dtype, (what, k)
        assert max_diff(fast[1][k], plain[1][k]) <= TOL, (what, k, max_diff(fast[1][k], plain[1][k]))
    fast_state = fast[2] if isinstance(fast[2], tuple) else (fast[2],)
    plain_state = plain[2] if isinstance(plain[2], tuple) else (plain[2],)
    assert len(fast_state) == len(plain_state), what
    for f, p in zip(fast_state, plain_state):
        assert f.shape == p.shape, what
        assert max_diff(f, p) <= TOL, (what, max_diff(f, p))


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("N", [1, None])
def test_fast_rnn_equals_the_plain_rnn(seed, N):
    """RNN, random V, H, T, N (N = 1 takes the fast path's 1-d code) and a random non-zero
    h_prev: loss, every gradient and h_last agree to 1e-12."""
    rng, V, H, T, N = random_case(seed, N)
    m = random_model(rnnlib.RNN, V, H, seed)
    inputs, targets = rng.integers(0, V, (T, N)), rng.integers(0, V, (T, N))
    h0 = rng.standard_normal((H, N))
    assert fastpath.fused_model(m) is rnnlib.RNN
    assert_same(fastpath.loss_and_grads(m, inputs, targets, h0),
                m.loss_and_grads(inputs, targets, h0), (V, H, T, N))


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("N", [1, None])
def test_fast_lstm_equals_the_plain_lstm(seed, N):
    """LSTM, random V, H, T, N and a random non-zero (h, c): loss, every gradient and the
    returned pair agree to 1e-12."""
    rng, V, H, T, N = random_case(100 + seed, N)
    m = random_model(rnnlib.LSTM, V, H, seed)
    inputs, targets = rng.integers(0, V, (T, N)), rng.integers(0, V, (T, N))
    state = (rng.standard_normal((H, N)), rng.standard_normal((H, N)))
    assert fastpath.fused_model(m) is rnnlib.LSTM
    assert_same(fastpath.loss_and_grads(m, inputs, targets, state),
                m.loss_and_grads(inputs, targets, state), (V, H, T, N))


@pytest.mark.parametrize("cls", [rnnlib.RNN, rnnlib.LSTM])
def test_a_batch_wider_than_one_output_block_is_the_same(cls):
    """N > OUTPUT_COLUMNS: every output block is one time step and a part of the next never
    mixes in; the two paths still agree."""
    N = common.OUTPUT_COLUMNS + 37
    rng = np.random.default_rng(5)
    V, H, T = 5, 4, 3
    m = random_model(cls, V, H, 5)
    inputs, targets = rng.integers(0, V, (T, N)), rng.integers(0, V, (T, N))
    state = m.initial_state(N)
    state = tuple(rng.standard_normal(s.shape) for s in state) if isinstance(state, tuple) \
        else rng.standard_normal(state.shape)
    assert_same(fastpath.loss_and_grads(m, inputs, targets, state),
                m.loss_and_grads(inputs, targets, state), N)


@pytest.mark.parametrize("columns", [1, 4, 6, 1024])
@pytest.mark.parametrize("cls", [rnnlib.RNN, rnnlib.LSTM])
def test_output_blocks_of_any_size_give_the_same_numbers(monkeypatch, cls, columns):
    """However the output layer's blocks of time steps fall (one step, two, an uneven last
    block, all), the fast path gives the plain path's numbers."""
    monkeypatch.setattr(common, "OUTPUT_COLUMNS", columns)
    rng = np.random.default_rng(10)
    V, H, T, N = 7, 5, 7, 2
    m = random_model(cls, V, H, 10, scale=0.8)
    inputs, targets = rng.integers(0, V, (T, N)), rng.integers(0, V, (T, N))
    assert_same(fastpath.loss_and_grads(m, inputs, targets),
                m.loss_and_grads(inputs, targets), columns)


@pytest.mark.parametrize("seed", range(5))
def test_both_rnn_paths_are_min_char_rnns_lossfun(seed):
    """At N = 1 the fast and the plain path each give rnnlib.reference.lossfun's loss,
    gradients and last state (min-char-rnn's own code)."""
    rng = np.random.default_rng(200 + seed)
    V, H, T = int(rng.integers(2, 30)), int(rng.integers(1, 30)), int(rng.integers(1, 30))
    m = random_model(rnnlib.RNN, V, H, seed)
    inputs, targets = rng.integers(0, V, T), rng.integers(0, V, T)
    hprev = rng.standard_normal((H, 1)) * 0.5
    ref_loss, ref_grads, ref_h, _ = lossfun(m.params, inputs.tolist(), targets.tolist(), hprev)
    for path in (fastpath.loss_and_grads(m, inputs, targets, hprev),
                 m.loss_and_grads(inputs, targets, hprev)):
        loss, grads, h_last = path
        assert abs(loss - ref_loss) <= 1e-12 * max(1.0, abs(ref_loss))
        assert max_diff(h_last, ref_h) <= TOL
        for k in ref_grads:
            assert max_diff(grads[k], ref_grads[k]) <= TOL * max(1.0, np.abs(ref_grads[k]).max()), k


def test_the_sum_by_character_equals_np_add_at():
    """sum_rows_by_index (sort, then one sum per character) is np.add.at's sum."""
    rng = np.random.default_rng(3)
    rows, ix = rng.standard_normal((200, 6)), rng.integers(0, 9, 200)
    want = np.zeros((9, 6))
    np.add.at(want, ix, rows)
    assert max_diff(common.sum_rows_by_index(rows, ix, 9), want) <= TOL
    assert not common.sum_rows_by_index(rows, np.full(200, 2), 9)[[0, 1, 3]].any()


@pytest.mark.parametrize("cls", [rnnlib.RNN, rnnlib.LSTM])
def test_float32_stays_float32_and_inputs_are_left_alone(cls):
    """float32 in, float32 out (close to float64); parameters and the state passed in are
    not changed by the call."""
    rng = np.random.default_rng(4)
    V, H, T, N = 6, 5, 8, 3
    m64 = random_model(cls, V, H, 4)
    m32 = cls(V, H, dtype=np.float32)
    for k in m32.params:
        m32.params[k][...] = m64.params[k]
    before = {k: v.copy() for k, v in m32.params.items()}
    state = m32.initial_state(N)
    state = tuple(s + 0.3 for s in state) if isinstance(state, tuple) else state + 0.3
    kept = tuple(np.copy(s) for s in state) if isinstance(state, tuple) else np.copy(state)
    for n in (1, N):
        cols = slice(0, n)
        st = tuple(s[:, cols] for s in state) if isinstance(state, tuple) else state[:, cols]
        inputs, targets = rng.integers(0, V, (T, n)), rng.integers(0, V, (T, n))
        l32, g32, _ = fastpath.loss_and_grads(m32, inputs, targets, st)
        l64, g64, _ = m64.loss_and_grads(inputs, targets, st)
        assert l32 == pytest.approx(l64, rel=1e-5)
        for k in g32:
            assert g32[k].dtype == np.float32
            assert rnnlib.rel_error(g32[k], g64[k]) < 1e-4, k
    for k in before:
        np.testing.assert_array_equal(m32.params[k], before[k])
    np.testing.assert_array_equal(np.asarray(state), np.asarray(kept))


class SubclassedRNN(rnnlib.RNN):
    """Adds nothing to the maths: the fast path may stand in for it."""

    def describe(self) -> str:
        return "a plain RNN with a method of its own"


class OwnBackward(rnnlib.RNN):
    """A backward of its own (here the true one, halved): the fast path must not replace it."""

    def backward(self, cache, targets, trace=False):
        back = super().backward(cache, targets, trace)
        return back._replace(grads={k: g / 2 for k, g in back.grads.items()})


def test_only_models_that_compute_the_plain_numbers_are_fused():
    """RNN, LSTM, GRU, StackedRNN and subclasses that override none of forward, backward,
    loss and loss_and_grads are fused; an override (in the class or on the instance) and
    any other model are not."""
    assert fastpath.fused_model(rnnlib.RNN(4, 3)) is rnnlib.RNN
    assert fastpath.fused_model(rnnlib.LSTM(4, 3)) is rnnlib.LSTM
    assert fastpath.fused_model(SubclassedRNN(4, 3)) is rnnlib.RNN
    assert fastpath.fused_model(OwnBackward(4, 3)) is None
    patched = rnnlib.RNN(4, 3)
    patched.loss_and_grads = lambda *a: None
    assert fastpath.fused_model(patched) is None
    assert fastpath.fused_model(rnnlib.GRU(4, 3)) is rnnlib.GRU
    assert fastpath.fused_model(rnnlib.StackedRNN(4, 3, 2)) is rnnlib.StackedRNN
    for cls in (rnnlib.GRU, rnnlib.StackedRNN):
        own = type("Own", (cls,), {"backward": OwnBackward.backward})
        assert fastpath.fused_model(own(4, 3, 2) if cls is rnnlib.StackedRNN else own(4, 3)) \
            is None
    assert fastpath.fused_model(rnnlib.RNNClassifier(4, 3, 2)) is None
    assert fastpath.fused_model(object()) is None


def test_a_backward_patched_into_the_class_is_noticed(monkeypatch):
    """A notebook may replace rnnlib.RNN.backward itself: from then on every RNN goes through
    its own code, and back to the fused code when the original returns."""
    m = rnnlib.RNN(4, 3)
    monkeypatch.setattr(rnnlib.RNN, "backward", OwnBackward.backward)
    assert fastpath.fused_model(m) is None
    monkeypatch.undo()
    assert fastpath.fused_model(m) is rnnlib.RNN


def test_a_model_with_its_own_backward_gets_its_own_numbers():
    """fastpath.loss_and_grads on a model that overrides backward returns what that model's
    loss_and_grads returns (here half the true gradients), not the fused numbers."""
    rng = np.random.default_rng(6)
    m = random_model(OwnBackward, 5, 4, 6)
    plain = random_model(rnnlib.RNN, 5, 4, 6)
    inputs, targets = rng.integers(0, 5, (4, 2)), rng.integers(0, 5, (4, 2))
    loss, grads, _ = fastpath.loss_and_grads(m, inputs, targets)
    true_loss, true_grads, _ = fastpath.loss_and_grads(plain, inputs, targets)
    assert loss == pytest.approx(true_loss, rel=1e-12)
    for k in grads:
        assert max_diff(grads[k], true_grads[k] / 2) <= TOL, k


@pytest.mark.parametrize("N", [1, 3])
@pytest.mark.parametrize("cls", [rnnlib.GRU, rnnlib.StackedRNN])
def test_gru_and_stacked_rnn_go_through_their_fused_code(cls, N, monkeypatch):
    """fastpath.loss_and_grads sends a GRU or a StackedRNN to its fused code (not its own
    loss_and_grads, which is made to fail here), with the plain path's numbers."""
    args = (5, 4, 2) if cls is rnnlib.StackedRNN else (5, 4)
    m = cls(*args, seed=1)
    rng = np.random.default_rng(7)
    for p in m.params.values():
        p[...] = rng.standard_normal(p.shape) * 0.5
    inputs, targets = rng.integers(0, 5, (4, N)), rng.integers(0, 5, (4, N))
    state = rng.standard_normal(m.initial_state(N).shape) * 0.5
    plain = m.loss_and_grads(inputs, targets, state)

    def refuse(*args, **kwargs):
        raise AssertionError("the plain path was called")
    monkeypatch.setattr(cls, "loss_and_grads", refuse)
    monkeypatch.setitem(fastpath._PLAIN[cls], "loss_and_grads", refuse)
    assert_same(fastpath.loss_and_grads(m, inputs, targets, state), plain, (cls, N))


def test_bad_arguments_are_the_plain_paths_clear_errors():
    """The fast path checks its arguments with the same messages as the models."""
    m = rnnlib.RNN(4, 3, seed=0)
    with pytest.raises(ValueError, match=r"inputs\[1, 0\] = 4 is outside the vocabulary"):
        fastpath.loss_and_grads(m, [0, 4], [1, 2])
    with pytest.raises(ValueError, match=r"targets have shape \(3, 1\) but inputs have shape"):
        fastpath.loss_and_grads(m, [0, 1], [1, 2, 3])
    with pytest.raises(ValueError, match=r"h_prev must have shape \(3, 2\)"):
        fastpath.loss_and_grads(m, np.zeros((2, 2), int), np.zeros((2, 2), int), np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"an LSTM's state is the pair \(h, c\)"):
        fastpath.loss_and_grads(rnnlib.LSTM(4, 3), [0, 1], [1, 2], np.zeros((3, 1)))


# ---- out: the gradients written into given arrays (Trainer's flat buffer) -------------------
@pytest.mark.parametrize("cls, N", [(rnnlib.RNN, 1), (rnnlib.RNN, 3), (rnnlib.LSTM, 1),
                                    (rnnlib.LSTM, 2), (rnnlib.GRU, 2)])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_out_receives_the_same_gradients_bit_for_bit(cls, N, dtype):
    """With out= the gradients land in out's arrays (views of one flat buffer, as Trainer
    passes) and out is returned; the numbers are exactly those returned without out."""
    rng, V, H, T, _ = random_case(40 + N)
    m = cls(V, H, seed=1, dtype=dtype)
    ix, tg = rng.integers(0, V, (T, N)), rng.integers(0, V, (T, N))
    flat = rnnlib.optim.flat_zeros(m.params)
    flat.buffer[:] = np.nan                                          # every entry is written
    out = dict(zip(flat.keys, flat.views))
    loss, grads, state = fastpath.loss_and_grads(m, ix, tg, None)
    loss_out, grads_out, state_out = fastpath.loss_and_grads(m, ix, tg, None, out=out)
    assert grads_out is out and loss_out == loss
    for k in m.params:
        assert grads_out[k].base is flat.buffer
        np.testing.assert_array_equal(grads_out[k], grads[k], err_msg=k)
    np.testing.assert_array_equal(np.asarray(state_out), np.asarray(state))


def test_fused_is_loss_and_grads_without_the_checks():
    rng, V, H, T, _ = random_case(3, N=1)
    m = random_model(rnnlib.RNN, V, H, seed=3)
    ix, tg = rng.integers(0, V, (T, 1)), rng.integers(0, V, (T, 1))
    h0 = rng.standard_normal((H, 1))
    want = fastpath.loss_and_grads(m, ix, tg, h0)
    got = fastpath.fused(rnnlib.RNN, m, ix, tg, h0)
    assert got[0] == want[0]
    for k in m.params:
        np.testing.assert_array_equal(got[1][k], want[1][k])


@pytest.mark.parametrize("bad, msg", [
    (lambda out: out.update(Whh=np.zeros((2, 2))),
     r"out\['Whh'\] must be a C-ordered array of shape \(4, 4\)"),
    (lambda out: out.update(Why=np.zeros((4, 5), dtype=np.float32).T),
     r"out\['Why'\] must be .* dtype float64.*got shape \(5, 4\), dtype float32"),
    (lambda out: out.update(by=np.zeros((5, 2))[:, :1]), r"out\['by'\] must be a C-ordered"),
    (lambda out: out.pop("bh"), r"out\['bh'\] must be .*got NoneType"),
    (lambda out: out.update(extra=np.zeros(1)), r"out has keys .*'extra'"),
])
def test_a_wrong_out_is_a_clear_error(bad, msg):
    m = rnnlib.RNN(5, 4, seed=0)
    out = {k: np.zeros_like(p) for k, p in m.params.items()}
    bad(out)
    with pytest.raises(ValueError, match=msg):
        fastpath.loss_and_grads(m, [0, 1, 2], [1, 2, 3], out=out)
