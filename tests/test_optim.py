"""Optimizers against values worked out by hand."""
import math

import numpy as np
import pytest

from rnnlib import SGD, Adagrad
from rnnlib.optim import find_flat, flat_zeros, make_flat


def test_adagrad_first_steps_by_hand():
    """p = 1, lr = 0.1. Step 1: g = 3, mem = 9, p -= 0.1 * 3 / 3 -> 0.9.
    Step 2: g = 4, mem = 9 + 16 = 25, p -= 0.1 * 4 / 5 -> 0.82."""
    p = {"w": np.array([[1.0]])}
    opt = Adagrad(lr=0.1, clip=5.0)
    opt.step(p, {"w": np.array([[3.0]])})
    assert p["w"][0, 0] == pytest.approx(0.9, abs=1e-9)
    opt.step(p, {"w": np.array([[4.0]])})
    assert p["w"][0, 0] == pytest.approx(0.82, abs=1e-9)
    assert opt.mem["w"][0, 0] == 25.0


def test_adagrad_clips_before_the_memory_sees_the_gradient():
    """g = 12 is clipped to 5: mem = 25, step = 0.1 * 5 / 5 = 0.1.
    g = -100 is clipped to -5: mem = 50, step = 0.1 * -5 / sqrt(50) = -0.1 / sqrt(2)."""
    p = {"w": np.zeros((1, 1))}
    opt = Adagrad(lr=0.1, clip=5.0)
    opt.step(p, {"w": np.array([[12.0]])})
    assert opt.mem["w"][0, 0] == 25.0
    assert p["w"][0, 0] == pytest.approx(-0.1, abs=1e-9)
    opt.step(p, {"w": np.array([[-100.0]])})
    assert opt.mem["w"][0, 0] == 50.0
    assert p["w"][0, 0] == pytest.approx(-0.1 + 0.1 / math.sqrt(2), abs=1e-9)


def test_adagrad_steps_are_per_entry():
    """Two entries with gradients 1 and 100 (clip off) take the same first step lr:
    Adagrad divides each by its own sqrt(g^2)."""
    p = {"w": np.zeros(2)}
    Adagrad(lr=0.5, clip=None).step(p, {"w": np.array([1.0, 100.0])})
    np.testing.assert_allclose(p["w"], [-0.5, -0.5], atol=1e-9)


def test_adagrad_zero_gradient_does_not_move_the_parameter():
    """The 1e-8 inside the square root keeps 0 / sqrt(0) from being nan."""
    p = {"w": np.ones(3)}
    Adagrad().step(p, {"w": np.zeros(3)})
    np.testing.assert_array_equal(p["w"], 1.0)


def test_adagrad_updates_in_place_and_keeps_state_per_key():
    rng = np.random.default_rng(0)
    p = {"a": rng.standard_normal((3, 2)), "b": rng.standard_normal((2, 1))}
    a_ref = p["a"]
    opt = Adagrad()
    opt.step(p, {"a": np.ones((3, 2)), "b": np.ones((2, 1))})
    assert p["a"] is a_ref                       # same array: the model sees the update
    assert set(opt.mem) == {"a", "b"} and opt.mem["b"].shape == (2, 1)


def test_adagrad_keeps_float32_parameters_float32():
    p = {"w": np.ones((2, 2), dtype=np.float32)}
    opt = Adagrad()
    opt.step(p, {"w": np.full((2, 2), 0.5, dtype=np.float32)})
    assert p["w"].dtype == np.float32 and opt.mem["w"].dtype == np.float32


def test_sgd_by_hand_with_clipping():
    """p = 1, lr = 0.1: g = 2 -> 0.8; g = 50 is clipped to 5 -> 0.3."""
    p = {"w": np.array([1.0])}
    opt = SGD(lr=0.1, clip=5.0)
    opt.step(p, {"w": np.array([2.0])})
    assert p["w"][0] == pytest.approx(0.8)
    opt.step(p, {"w": np.array([50.0])})
    assert p["w"][0] == pytest.approx(0.3)


def test_the_callers_gradient_is_not_changed_by_clipping():
    g = {"w": np.array([10.0, -10.0])}
    Adagrad(clip=1.0).step({"w": np.zeros(2)}, g)
    np.testing.assert_array_equal(g["w"], [10.0, -10.0])


@pytest.mark.parametrize("kw, msg", [
    (dict(lr=0), "lr must be a finite number greater than 0, got 0"),
    (dict(lr=-0.1), "got -0.1"),
    (dict(clip=0.0), "clip must be a finite number greater than 0, got 0.0"),
    (dict(lr="fast"), "lr must be a number greater than 0, got 'fast'"),
])
@pytest.mark.parametrize("cls", [Adagrad, SGD])
def test_bad_settings_are_clear_errors(cls, kw, msg):
    with pytest.raises((ValueError, TypeError), match=msg):
        cls(**kw)


def test_mismatched_grads_are_clear_errors():
    p = {"w": np.zeros((2, 3))}
    with pytest.raises(ValueError, match=r"grads has keys \['v'\] but params has \['w'\]"):
        Adagrad().step(p, {"v": np.zeros((2, 3))})
    with pytest.raises(ValueError, match=r"grads\['w'\] has shape \(3, 2\).*\(2, 3\)"):
        Adagrad().step(p, {"w": np.zeros((3, 2))})


def min_char_rnn_adagrad(params, grads_seq, lr, clip):
    """min-char-rnn's loop, one parameter at a time, as the reference."""
    params = {k: v.copy() for k, v in params.items()}
    mem = {k: np.zeros_like(v) for k, v in params.items()}
    for grads in grads_seq:
        for k in params:
            g = np.clip(grads[k], -clip, clip)
            mem[k] += g * g
            params[k] += -lr * g / np.sqrt(mem[k] + 1e-8)
    return params, mem


def test_adagrad_over_many_parameters_equals_min_char_rnns_loop():
    """Five parameters of different shapes, some gradients non-contiguous views, over
    several steps: the same parameters and memories as the loop of min-char-rnn."""
    rng = np.random.default_rng(3)
    shapes = {"Wxh": (4, 6), "Whh": (4, 4), "Why": (6, 4), "bh": (4, 1), "by": (6, 1)}
    params = {k: rng.standard_normal(s) for k, s in shapes.items()}
    grads_seq = [{k: rng.standard_normal(s) * 4 for k, s in shapes.items()} for _ in range(5)]
    for grads in grads_seq:
        grads["Why"] = np.asfortranarray(grads["Why"])            # any memory layout
        grads["Wxh"] = rng.standard_normal((6, 4)).T * 4           # a transposed view
    want_p, want_m = min_char_rnn_adagrad(params, grads_seq, 0.1, 5.0)
    mine, opt = {k: v.copy() for k, v in params.items()}, Adagrad(lr=0.1, clip=5.0)
    for grads in grads_seq:
        opt.step(mine, grads)
    for k in shapes:                  # the same operations in the same order: the same bits
        np.testing.assert_array_equal(mine[k], want_p[k], err_msg=k)
        np.testing.assert_array_equal(opt.mem[k], want_m[k], err_msg=k)


def test_adagrad_takes_in_a_memory_replaced_between_steps():
    """Loading a checkpoint replaces opt.mem with new arrays; the next step starts from them."""
    p = {"w": np.zeros(2), "b": np.zeros(1)}
    opt = Adagrad(lr=1.0, clip=None)
    opt.step(p, {"w": np.ones(2), "b": np.ones(1)})
    opt.mem = {"w": np.array([3.0, 8.0]), "b": np.array([0.0])}   # as if loaded
    opt.step(p, {"w": np.ones(2), "b": np.ones(1)})
    np.testing.assert_array_equal(opt.mem["w"], [4.0, 9.0])
    np.testing.assert_allclose(p["w"], [-1 - 1 / 2, -1 - 1 / 3])
    opt.mem["b"] = np.array([24.0])                                 # one entry replaced
    opt.step(p, {"w": np.zeros(2), "b": np.ones(1)})
    assert opt.mem["b"][0] == 25.0


def test_adagrad_follows_parameters_that_change_shape_or_keys():
    """A learner may swap a parameter for a bigger one or add one: the memory of the
    others is kept, the new ones start from zero."""
    p = {"w": np.zeros(2)}
    opt = Adagrad(lr=0.1, clip=None)
    opt.step(p, {"w": np.full(2, 2.0)})
    p["v"] = np.zeros((2, 2))
    opt.step(p, {"w": np.zeros(2), "v": np.ones((2, 2))})
    np.testing.assert_array_equal(opt.mem["w"], [4.0, 4.0])
    np.testing.assert_array_equal(opt.mem["v"], np.ones((2, 2)))
    p["v"] = np.zeros((3, 2))
    opt.step(p, {"w": np.zeros(2), "v": np.ones((3, 2))})
    assert opt.mem["v"].shape == (3, 2)


# ---- the flat buffers: the same numbers as one parameter at a time, bit for bit ------------
SHAPES = {"Wxh": (5, 7), "Whh": (5, 5), "Why": (7, 5), "bh": (5, 1), "by": (7, 1)}


def random_params(rng, dtype):
    return {k: rng.standard_normal(s).astype(dtype) for k, s in SHAPES.items()}


def random_grads(rng, dtype, scale=4.0):
    """Gradients, some beyond the clip, some exactly zero (as dWxh's unused columns)."""
    grads = {k: (rng.standard_normal(s) * scale).astype(dtype) for k, s in SHAPES.items()}
    grads["Wxh"][:, ::2] = 0
    return grads


def spy(monkeypatch, cls):
    """Record which way each step of an optimizer of class ``cls`` went, 'each' or 'flat',
    under the optimizer: ways[opt] is the list of opt's steps."""
    ways = {}
    for way in ("each", "flat"):
        real = getattr(cls, f"_step_{way}")

        def spied(self, *a, _real=real, _way=way):
            ways.setdefault(self, []).append(_way)
            return _real(self, *a)
        monkeypatch.setattr(cls, f"_step_{way}", spied)
    return ways


@pytest.mark.parametrize("cls", [Adagrad, SGD])
@pytest.mark.parametrize("clip", [5.0, None])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_flat_update_equals_the_update_one_parameter_at_a_time_bit_for_bit(
        monkeypatch, cls, clip, dtype):
    """Parameters and gradients as views of flat buffers take the flat way; separate arrays
    take the other. Over 30 steps both give exactly the same parameters and memories."""
    ways = spy(monkeypatch, cls)
    rng = np.random.default_rng(7)
    start = random_params(rng, dtype)
    each = {k: v.copy() for k, v in start.items()}
    flat = {k: v.copy() for k, v in start.items()}
    make_flat(flat)
    g_flat = flat_zeros(flat)
    opt_each, opt_flat = cls(lr=0.1, clip=clip), cls(lr=0.1, clip=clip)
    for _ in range(30):
        grads = random_grads(rng, dtype)
        opt_each.step(each, grads)
        flat_grads = dict(zip(g_flat.keys, g_flat.views))
        for k, view in flat_grads.items():
            view[...] = grads[k]
        opt_flat.step(flat, flat_grads)
    assert ways[opt_each] == ["each"] * 30 and ways[opt_flat] == ["flat"] * 30
    for k in SHAPES:
        assert flat[k].dtype == dtype
        np.testing.assert_array_equal(flat[k], each[k], err_msg=k)
        if cls is Adagrad:
            np.testing.assert_array_equal(opt_flat.mem[k], opt_each.mem[k], err_msg=k)
    assert not np.array_equal(flat["Whh"], start["Whh"])          # they did move


def flat_setup(rng, dtype=np.float64):
    """Flat params and a flat grad buffer, as Trainer makes them."""
    params = random_params(rng, dtype)
    make_flat(params)
    g = flat_zeros(params)
    return params, dict(zip(g.keys, g.views))


def fill(grads, rng):
    for k, v in random_grads(rng, grads["Whh"].dtype).items():
        grads[k][...] = v
    return grads


def test_a_replaced_parameter_sends_the_update_back_to_one_parameter_at_a_time(monkeypatch):
    """model.params["Whh"] = new_array: the new array is updated (not the old view), by the
    per-parameter way, with the numbers the per-parameter way alone gives."""
    ways = spy(monkeypatch, Adagrad)
    rng = np.random.default_rng(1)
    params, grads = flat_setup(rng)
    plain = {k: v.copy() for k, v in params.items()}
    opt, opt_plain = Adagrad(), Adagrad()
    for step in range(6):
        if step == 3:
            old_view = params["Whh"]
            params["Whh"] = params["Whh"].copy()                   # the learner's rebinding
            before = old_view.copy()
        fill(grads, rng)
        opt.step(params, grads)
        opt_plain.step(plain, {k: v.copy() for k, v in grads.items()})
    assert ways[opt] == ["flat"] * 3 + ["each"] * 3
    np.testing.assert_array_equal(old_view, before)                # the old view is left alone
    for k in SHAPES:
        np.testing.assert_array_equal(params[k], plain[k], err_msg=k)
        np.testing.assert_array_equal(opt.mem[k], opt_plain.mem[k], err_msg=k)


def test_separate_arrays_or_grads_laid_out_otherwise_go_one_parameter_at_a_time(monkeypatch):
    """Plain dicts, and grads that are views of one buffer in another order than the
    params, are never taken for the flat layout; the numbers stay right."""
    ways = spy(monkeypatch, Adagrad)
    rng = np.random.default_rng(2)
    params, _ = flat_setup(rng)
    plain = {k: v.copy() for k, v in params.items()}
    reordered = dict(reversed(list(random_params(rng, np.float64).items())))
    make_flat(reordered)                                            # by, bh, Why, Whh, Wxh
    grads_other = {k: reordered[k] for k in SHAPES}                 # same keys, other layout
    fill(grads_other, rng)
    opt, opt_plain = Adagrad(), Adagrad()
    opt.step(params, grads_other)
    opt_plain.step(plain, {k: v.copy() for k, v in grads_other.items()})
    separate = random_grads(rng, np.float64)
    opt.step(params, separate)
    opt_plain.step(plain, separate)
    assert ways[opt] == ["each", "each"]
    for k in SHAPES:
        np.testing.assert_array_equal(params[k], plain[k], err_msg=k)


def test_a_memory_replaced_between_flat_steps_is_taken_in(monkeypatch):
    """opt.mem replaced (as Trainer.load does) between flat steps: the next flat step starts
    from the new memory, and mem's entries become views of the flat memory again."""
    ways = spy(monkeypatch, Adagrad)
    rng = np.random.default_rng(4)
    params, grads = flat_setup(rng)
    plain = {k: v.copy() for k, v in params.items()}
    opt, opt_plain = Adagrad(), Adagrad()
    for step in range(4):
        if step == 2:
            loaded = {k: np.abs(rng.standard_normal(s)) * 10 for k, s in SHAPES.items()}
            opt.mem = {k: v.copy() for k, v in loaded.items()}
            opt_plain.mem = {k: v.copy() for k, v in loaded.items()}
        fill(grads, rng)
        opt.step(params, grads)
        opt_plain.step(plain, {k: v.copy() for k, v in grads.items()})
    assert ways[opt] == ["flat"] * 4
    assert find_flat(opt.mem) is not None
    for k in SHAPES:
        np.testing.assert_array_equal(params[k], plain[k], err_msg=k)
        np.testing.assert_array_equal(opt.mem[k], opt_plain.mem[k], err_msg=k)


def test_the_flat_update_leaves_the_callers_gradients_alone():
    rng = np.random.default_rng(5)
    params, grads = flat_setup(rng)
    fill(grads, rng)
    grads["Whh"][0, 0] = 50.0                                       # clipped to 5
    before = {k: v.copy() for k, v in grads.items()}
    Adagrad(clip=5.0).step(params, grads)
    for k in SHAPES:
        np.testing.assert_array_equal(grads[k], before[k])


def test_make_flat_keeps_values_and_lays_the_arrays_end_to_end():
    rng = np.random.default_rng(6)
    params = random_params(rng, np.float32)
    values = {k: v.copy() for k, v in params.items()}
    flat = make_flat(params)
    assert flat.buffer.size == sum(v.size for v in values.values())
    assert flat.buffer.dtype == np.float32
    for k in SHAPES:
        assert params[k].base is flat.buffer and params[k].shape == SHAPES[k]
        np.testing.assert_array_equal(params[k], values[k])
    flat.buffer[:] = 1                                              # one buffer behind them all
    assert all((v == 1).all() for v in params.values())
    assert find_flat(params) == flat and flat.holds(params)


def test_find_flat_refuses_what_is_not_one_buffer_laid_end_to_end():
    rng = np.random.default_rng(8)
    assert find_flat(random_params(rng, np.float64)) is None               # separate arrays
    buffer = np.zeros(12)
    assert find_flat({"a": buffer[:4], "b": buffer[4:]}) is not None
    assert find_flat({"b": buffer[4:], "a": buffer[:4]}) is None           # out of order
    assert find_flat({"a": buffer[:4], "b": buffer[5:]}) is None           # a gap
    assert find_flat({"a": buffer[:4], "b": buffer[4:11]}) is None         # not all of it
    assert find_flat({"a": buffer[:6].reshape(2, 3).T, "b": buffer[6:]}) is None  # not C order
    assert find_flat({}) is None
