"""The output_backward checker of notebook 11 names half-right indexing and writing into p."""
import numpy as np
import pytest

from rnnlib.exercises.classify import check_output_backward


def right(p, labels, Why):
    N = p.shape[1]
    dy = p.copy()
    dy[labels, np.arange(N)] -= 1
    dy /= N
    return dy, Why.T @ dy


def writes_into_p(p, labels, Why):
    N = p.shape[1]
    dy = p                               # no copy: dy is p
    dy[labels, np.arange(N)] -= 1
    dy /= N
    return dy, Why.T @ dy


def whole_rows(p, labels, Why):
    N = p.shape[1]
    dy = p.copy()
    dy[labels] -= 1                      # no batch index
    dy /= N
    return dy, Why.T @ dy


def swapped(p, labels, Why):
    N = p.shape[1]
    dy = p.copy()
    dy[np.arange(N), labels] -= 1        # row and column swapped
    dy /= N
    return dy, Why.T @ dy


def test_the_right_answer_passes():
    assert check_output_backward(right)


def test_writing_into_the_callers_p_is_flagged_though_dy_is_right():
    fb = check_output_backward(writes_into_p)
    assert not fb
    assert "wrote into the p it was given" in fb.message and "p.copy()" in fb.message


@pytest.mark.parametrize("fn, words", [
    (whole_rows, ["whole rows", "dy[labels, np.arange(N)]"]),
    (swapped, ["wrong order", "dy[labels, np.arange(N)]"]),
])
def test_half_right_indexing_gets_a_message_that_names_the_slip(fn, words):
    fb = check_output_backward(fn)
    assert not fb
    for w in words:
        assert w in fb.message, fb.message
