"""The softmax checker of notebook 03 names a max and a sum taken along different axes."""
import numpy as np
import pytest

from rnnlib.exercises.output import check_softmax


def right_softmax(y):
    z = y - y.max(axis=0, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=0, keepdims=True)


def test_the_right_softmax_passes():
    assert check_softmax(right_softmax)


@pytest.mark.parametrize("max_axis, sum_axis, words", [
    (0, 1, ["each column's max", "along each row", "axis=0"]),
    (0, None, ["each column's max", "over the whole array, e.sum()"]),
    (1, None, ["each row's max", "over the whole array"]),
])
def test_a_max_and_a_sum_along_different_axes_is_named(max_axis, sum_axis, words):
    def half_right(y):
        e = np.exp(y - y.max(axis=max_axis, keepdims=True))
        return e / e.sum(axis=sum_axis, keepdims=True)

    fb = check_softmax(half_right)
    assert not fb
    assert "half right" in fb.message
    for w in words:
        assert w in fb.message, fb.message


def test_rows_throughout_is_still_called_the_wrong_axis():
    def by_rows(y):
        e = np.exp(y - y.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    fb = check_softmax(by_rows)
    assert not fb and "each row sums to 1" in fb.message


def right_loss(ps, targets):
    T, V, N = ps.shape
    t, n = np.indices((T, N))
    return -np.log(ps[t, targets, n]).sum() / N


def test_the_right_cross_entropy_passes():
    from rnnlib.exercises.output import check_cross_entropy
    assert check_cross_entropy(right_loss)


def test_a_loss_of_the_first_sequence_only_is_named():
    from rnnlib.exercises.output import check_cross_entropy

    def first_only(ps, targets):
        T = ps.shape[0]
        return -np.log(ps[np.arange(T), targets[:, 0], 0]).sum()

    fb = check_cross_entropy(first_only)
    assert not fb and "first sequence only" in fb.message


def test_swapped_batch_and_vocabulary_indices_are_named():
    """The swap indexes past the batch axis here, and the error message says which is which."""
    from rnnlib.exercises.output import check_cross_entropy

    def swapped(ps, targets):
        T, V, N = ps.shape
        t, n = np.indices((T, N))
        return -np.log(ps[t, n, targets]).sum() / N

    fb = check_cross_entropy(swapped)
    assert not fb and "IndexError" in fb.message
    assert "ps[t, targets[t, n], n]" in fb.message and "swapped" in fb.message
