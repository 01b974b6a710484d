"""Notebook 05's planted-bug mystery: each slip of the table planted in an RNN's backward
fails exactly the parameters the table says, and the checker judges a diagnosis."""
import numpy as np
import pytest

import rnnlib
from rnnlib.exercises import planted_bug as ex
from rnnlib.exercises.slips import SLIPS

from conftest import random_rnn

PASS, FAIL = 1e-7, 1e-3


def _data(rng, V, T, N):
    return rng.integers(0, V, (T, N)), rng.integers(0, V, (T, N))


@pytest.mark.parametrize("seed", range(3))
def test_without_a_slip_the_backward_is_rnn_backward(seed):
    """slip=None reproduces RNN.backward (gradients and dL/dh_0) on a batch, so the planted
    slip is the only difference."""
    rng = np.random.default_rng(seed)
    V, H, T, N = 5, 4, 6, 3
    m = random_rnn(V, H, seed)
    inputs, targets = _data(rng, V, T, N)
    h0 = rng.standard_normal((H, N)) * 0.5
    cache = m.forward(inputs, h0)
    ref = m.backward(cache, targets)
    got = ex.backward_with_slip(m.params, cache, targets, None)
    for k in ref.grads:
        np.testing.assert_allclose(got.grads[k], ref.grads[k], rtol=1e-12, atol=1e-14, err_msg=k)
    np.testing.assert_allclose(got.dh_prev, ref.dh_prev, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("slip", sorted(SLIPS))
@pytest.mark.parametrize("seed", range(2))
def test_each_slip_fails_exactly_the_parameters_the_table_says(slip, seed):
    """A gradient check of an RNN with the slip planted in its backward fails
    SLIPS[slip].breaks and passes the rest."""
    rng = np.random.default_rng(seed)
    V, H, T, N = 4, 5, 5, 2
    m = ex.BuggyRNN(V, H, slip, seed=seed)
    for p in m.params.values():
        p[...] = rng.standard_normal(p.shape) * 0.5
    inputs, targets = _data(rng, V, T, N)
    errors = rnnlib.check_model(m, inputs, targets, rng.standard_normal((H, N)) * 0.5)
    failing = {k for k, e in errors.items() if e > FAIL}
    passing = {k for k, e in errors.items() if e < PASS}
    assert failing == set(SLIPS[slip].breaks), errors
    assert passing == set(errors) - SLIPS[slip].breaks, errors


def test_the_bug_menu_is_the_slip_table():
    """The numbered menu of notebook 05 shows the table's wrong and right lines."""
    for n, name in ex.BUG_SLIPS.items():
        assert ex.BUGS[n] == SLIPS[name].said and ex.BREAKS[n] == SLIPS[name].breaks
    assert "dh = Why.T @ dy + dh_next" in ex.BUGS[1] and "dh_raw = (1 - hs[t]) * dh" in ex.BUGS[2]
    with pytest.raises(ValueError, match="no slip named"):
        ex.BuggyRNN(4, 5, "no_such_slip")


@pytest.mark.parametrize("bug, visible", [(1, set()), (2, {"Wxh", "bh"}), (5, set())])
def test_one_time_step_tells_the_look_alike_bugs_apart(bug, visible):
    """With T = 1 and h_0 = 0 there is no dh_next and dWhh is 0: bugs 1 and 5 vanish, 2 stays."""
    rng = np.random.default_rng(4)
    m = ex.BuggyRNN(4, 5, ex.BUG_SLIPS[bug], seed=4)
    for p in m.params.values():
        p[...] = rng.standard_normal(p.shape) * 0.5
    errors = rnnlib.check_model(m, [2], [1])
    assert {k for k, e in errors.items() if e > FAIL} == visible, errors


def test_mystery_models_have_distinct_symptoms_and_hide_their_bug():
    """Each mystery breaks a different set of parameters; its repr does not name the bug."""
    rng = np.random.default_rng(1)
    inputs, targets = _data(rng, 4, 5, 1)
    seen = []
    for name, bug in ex.MYSTERIES.items():
        m = ex.mystery_model(name, 4, 5, seed=2)
        errors = rnnlib.check_model(m, inputs, targets)
        failing = {k for k, e in errors.items() if e > FAIL}
        assert failing == set(ex.BREAKS[bug])
        seen.append(frozenset(failing))
        assert "dh_next" not in repr(m) and "bug 1" not in repr(m)
    assert len(set(seen)) == len(seen)


def test_checker_accepts_the_right_diagnosis_and_explains_it():
    for name, bug in ex.MYSTERIES.items():
        fb = ex.check_planted_bug(name, set(ex.BREAKS[bug]), bug)
        assert fb, fb.message
        assert "Why exactly these" in fb.message
    # the number may come as a string, the names as a list, the letter in lower case
    assert ex.check_planted_bug("a", ["Whh"], "4")


def test_checker_says_which_parameters_were_missed_or_added():
    fb = ex.check_planted_bug("B", {"Whh", "bh"}, 1)
    assert not fb and "Wxh also fails" in fb.message and "also fail" in fb.message
    fb = ex.check_planted_bug("A", {"Whh", "Why"}, 4)
    assert not fb and "Why passes" in fb.message
    assert "below about 1e-7" in fb.message          # the rule of notebook 05's table


def test_checker_rejects_a_wrong_bug_with_a_reason():
    fb = ex.check_planted_bug("C", {"by"}, 3)
    assert not fb and "would break bh, but here by fails" in fb.message
    # bug 2 breaks the same parameters as B's bug: the checker suggests one time step
    fb = ex.check_planted_bug("B", {"Wxh", "Whh", "bh"}, 2)
    assert not fb and "single time step" in fb.message


@pytest.mark.parametrize("failing, bug, words", [
    (None, None, "None"),
    (set(), None, "empty"),
    ({"W_hh"}, 4, "not a parameter"),
    ({"Whh"}, None, "Now pick"),
    ({"Whh"}, "seven", "not one of the numbers"),
])
def test_checker_explains_incomplete_answers(failing, bug, words):
    fb = ex.check_planted_bug("A", failing, bug)
    assert not fb and words in fb.message


def test_hint_and_explain_do_not_crash_and_name_the_parameter():
    assert "Whh" in ex.hint("A")
    assert "dh_next" in ex.explain(1) and "breaks by." in ex.explain(5)
    with pytest.raises(ValueError, match="mystery"):
        ex.mystery_model("Z", 4, 5)
    with pytest.raises(ValueError, match="numbers"):
        ex.explain(9)
