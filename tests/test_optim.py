"""Optimizers against values worked out by hand."""
import math

import numpy as np
import pytest

from rnnlib import SGD, Adagrad


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
    for k in shapes:
        np.testing.assert_allclose(mine[k], want_p[k], rtol=1e-14, atol=1e-15, err_msg=k)
        np.testing.assert_allclose(opt.mem[k], want_m[k], rtol=1e-14, err_msg=k)


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
