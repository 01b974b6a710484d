"""The Adagrad exercise check: accepts min-char-rnn's update, names each classic mistake.

The learner answers below are written out by hand, independently of the module's
reference, the way a learner would write them.
"""
import numpy as np
import pytest

import rnnlib
from rnnlib.exercises.adagrad import MISTAKES, adagrad_reference, check_adagrad_step


def correct(params, grads, mem, lr=0.1, clip=5.0):
    for k in params:
        g = np.clip(grads[k], -clip, clip)
        mem[k] += g * g
        params[k] -= lr * g / np.sqrt(mem[k] + 1e-8)


def min_char_rnn_style(params, grads, mem, lr=0.1, clip=5.0):
    # zip over the three dicts and clip in place with out=, as min-char-rnn does
    for k in params:
        param, dparam, m = params[k], grads[k], mem[k]
        np.clip(dparam, -clip, clip, out=dparam)
        m += dparam * dparam
        param += -lr * dparam / np.sqrt(m + 1e-8)


def no_clip(params, grads, mem, lr=0.1, clip=5.0):
    for k in params:
        g = grads[k]
        mem[k] += g * g
        params[k] -= lr * g / np.sqrt(mem[k] + 1e-8)


def no_sqrt(params, grads, mem, lr=0.1, clip=5.0):
    for k in params:
        g = np.clip(grads[k], -clip, clip)
        mem[k] += g * g
        params[k] -= lr * g / (mem[k] + 1e-8)


def not_accumulated(params, grads, mem, lr=0.1, clip=5.0):
    for k in params:
        g = np.clip(grads[k], -clip, clip)
        mem[k][...] = g * g
        params[k] -= lr * g / np.sqrt(mem[k] + 1e-8)


def eps_outside(params, grads, mem, lr=0.1, clip=5.0):
    for k in params:
        g = np.clip(grads[k], -clip, clip)
        mem[k] += g * g
        params[k] -= lr * g / (np.sqrt(mem[k]) + 1e-8)


def not_in_place(params, grads, mem, lr=0.1, clip=5.0):
    for k in params:
        p, m = params[k], mem[k]
        g = np.clip(grads[k], -clip, clip)
        m = m + g * g
        p = p - lr * g / np.sqrt(m + 1e-8)


def stub(params, grads, mem, lr=0.1, clip=5.0):
    for k in params:
        # YOUR CODE HERE
        pass


def raises(params, grads, mem, lr=0.1, clip=5.0):
    for k in params:
        params[k] -= lr * grads["Whh"]


def params_rebound(params, grads, mem, lr=0.1, clip=5.0):
    for k in params:
        g = np.clip(grads[k], -clip, clip)
        mem[k] += g * g
        params[k] = params[k] - lr * g / np.sqrt(mem[k] + 1e-8)   # a new array in the dict


def mem_rebound(params, grads, mem, lr=0.1, clip=5.0):
    for k in params:
        g = np.clip(grads[k], -clip, clip)
        mem[k] = mem[k] + g * g                                     # a new array in the dict
        params[k] -= lr * g / np.sqrt(mem[k] + 1e-8)


@pytest.mark.parametrize("fn, name, fix", [
    (params_rebound, "params", "params[k] -= "),
    (mem_rebound, "mem", "mem[k] += g * g"),
])
def test_a_new_array_put_into_the_dict_is_flagged_though_the_numbers_are_right(fn, name, fix):
    """The dict ends up with the right values, but the caller's arrays never change."""
    fb = check_adagrad_step(fn)
    assert not fb
    assert f"{name}['Wxh'] is a new array" in fb.message, fb.message
    assert "unchanged" in fb.message and fix in fb.message


@pytest.mark.parametrize("fn", [correct, min_char_rnn_style])
def test_the_right_update_is_accepted(fn):
    fb = check_adagrad_step(fn)
    assert fb, fb.message


@pytest.mark.parametrize("fn, words", [
    (no_clip, "not clipped"),
    (no_sqrt, "square root"),
    (not_accumulated, "add up"),
    (eps_outside, "outside the square root"),
    (not_in_place, "did not change"),
    (stub, "did not change"),
    (raises, "raised KeyError"),
    (None, "pass your function itself"),
])
def test_each_mistake_is_named(fn, words):
    fb = check_adagrad_step(fn)
    assert not fb
    assert words in fb.message, fb.message


def test_the_reference_is_rnnlibs_adagrad_over_several_steps():
    """adagrad_reference without a mistake equals rnnlib.Adagrad(lr, clip), state included."""
    rng = np.random.default_rng(5)
    params = {"Whh": rng.standard_normal((4, 4)), "by": rng.standard_normal((3, 1))}
    mine = {k: v.copy() for k, v in params.items()}
    mem = {k: np.zeros_like(v) for k, v in params.items()}
    opt = rnnlib.Adagrad(lr=0.05, clip=2.0)
    for _ in range(4):
        grads = {k: rng.standard_normal(v.shape) * 3 for k, v in params.items()}
        opt.step(params, grads)
        adagrad_reference(mine, grads, mem, lr=0.05, clip=2.0)
    for k in params:
        np.testing.assert_allclose(mine[k], params[k], rtol=1e-13)
        np.testing.assert_allclose(mem[k], opt.mem[k], rtol=1e-13)


def test_every_listed_mistake_is_told_apart_from_the_others():
    """Each variant of the reference gets its own message, so the test case separates them."""
    for name, message in MISTAKES.items():
        def fn(*a, _name=name, **kw):
            adagrad_reference(*a, mistake=_name, **kw)
        fb = check_adagrad_step(fn)
        assert not fb and fb.message == message, (name, fb.message)
