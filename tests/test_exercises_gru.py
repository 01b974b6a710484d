"""Notebook 12: the check of the learner's GRU cell names each usual slip."""
import numpy as np
import pytest

from rnnlib.exercises.gru import check_gru_cell


def sig(a):
    return 1.0 / (1.0 + np.exp(-a))


def blocks(m, H):
    return [m[k * H:(k + 1) * H] for k in range(3)]


def good_cell(ax, ah, h_prev):
    H = h_prev.shape[0]
    (xr, xz, xn), (hr, hz, hn) = blocks(ax, H), blocks(ah, H)
    r, z = sig(xr + hr), sig(xz + hz)
    n = np.tanh(xn + r * hn)
    return (1 - z) * n + z * h_prev


def test_gru_cell_accepts_a_right_answer():
    fb = check_gru_cell(good_cell)
    assert fb, fb.message


def swapped_z(ax, ah, h_prev):
    H = h_prev.shape[0]
    (xr, xz, xn), (hr, hz, hn) = blocks(ax, H), blocks(ah, H)
    r, z = sig(xr + hr), sig(xz + hz)
    return z * np.tanh(xn + r * hn) + (1 - z) * h_prev


def no_reset(ax, ah, h_prev):
    H = h_prev.shape[0]
    (_, xz, xn), (_, hz, hn) = blocks(ax, H), blocks(ah, H)
    z = sig(xz + hz)
    return (1 - z) * np.tanh(xn + hn) + z * h_prev


def reset_both_sides(ax, ah, h_prev):
    H = h_prev.shape[0]
    (xr, xz, xn), (hr, hz, hn) = blocks(ax, H), blocks(ah, H)
    r, z = sig(xr + hr), sig(xz + hz)
    return (1 - z) * np.tanh(r * (xn + hn)) + z * h_prev


def order_zrn(ax, ah, h_prev):
    H = h_prev.shape[0]
    (xz, xr, xn), (hz, hr, hn) = blocks(ax, H), blocks(ah, H)
    r, z = sig(xr + hr), sig(xz + hz)
    return (1 - z) * np.tanh(xn + r * hn) + z * h_prev


def sigmoid_n(ax, ah, h_prev):
    H = h_prev.shape[0]
    (xr, xz, xn), (hr, hz, hn) = blocks(ax, H), blocks(ah, H)
    r, z = sig(xr + hr), sig(xz + hz)
    return (1 - z) * sig(xn + r * hn) + z * h_prev


def returns_n(ax, ah, h_prev):
    H = h_prev.shape[0]
    (xr, _, xn), (hr, _, hn) = blocks(ax, H), blocks(ah, H)
    return np.tanh(xn + sig(xr + hr) * hn)


@pytest.mark.parametrize("wrong, words", [
    (swapped_z, "swaps z and 1 - z"), (no_reset, "leaves the reset gate out"),
    (reset_both_sides, "input side too"), (order_zrn, "order z, r, n"),
    (sigmoid_n, "sigmoid for n"), (returns_n, "returns the candidate"),
])
def test_gru_cell_names_the_mistake(wrong, words):
    fb = check_gru_cell(wrong)
    assert not fb and words in fb.message, fb.message


def test_gru_cell_explains_stubs_errors_and_other_wrong_values():
    fb = check_gru_cell(lambda ax, ah, h_prev: None)
    assert not fb and "None" in fb.message
    fb = check_gru_cell(lambda ax, ah, h_prev: ax @ h_prev)
    assert not fb and "raised" in fb.message
    fb = check_gru_cell(lambda ax, ah, h_prev: (h_prev, h_prev))
    assert not fb and "one array" in fb.message
    fb = check_gru_cell(lambda ax, ah, h_prev: 2 * good_cell(ax, ah, h_prev))
    assert not fb and "h_t" in fb.message and "factor" in fb.message
    fb = check_gru_cell(lambda ax, ah, h_prev: good_cell(ax, ah, h_prev).T)
    assert not fb and "transposed" in fb.message
    assert not check_gru_cell("gru_cell")
