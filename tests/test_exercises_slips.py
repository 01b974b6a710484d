"""The table of learner slips (rnnlib.exercises.slips) and how it is planted in
min-char-rnn's reference loop (rnnlib.reference.lossfun(..., slip=name))."""
import inspect
import json
from pathlib import Path

import numpy as np
import pytest

from rnnlib import reference
from rnnlib.exercises.slips import SLIPS, as_notebook_writes_it, slip_named

NOTEBOOK_04 = Path(__file__).resolve().parents[1] / "notebooks" / "04_backprop_through_time.ipynb"


def problem(seed, V=5, H=4, T=6):
    rng = np.random.default_rng(seed)
    params = {"Wxh": rng.standard_normal((H, V)) * 0.5, "Whh": rng.standard_normal((H, H)) * 0.5,
              "Why": rng.standard_normal((V, H)) * 0.5, "bh": rng.standard_normal((H, 1)) * 0.5,
              "by": rng.standard_normal((V, 1)) * 0.5}
    return params, rng.integers(0, V, T), rng.integers(0, V, T), rng.standard_normal((H, 1))


@pytest.mark.parametrize("name", sorted(SLIPS))
def test_each_slip_replaces_one_line_that_stands_once_in_lossfun(name):
    """The table's right line is a line of min-char-rnn's loop, exactly once, so planting
    the slip changes that line and nothing else."""
    slip = SLIPS[name]
    lines = [line.split("#")[0].strip() for line in inspect.getsource(reference.lossfun).splitlines()]
    assert lines.count(slip.line) == 1
    assert slip.planted != slip.line


@pytest.mark.parametrize("name", sorted(SLIPS))
@pytest.mark.parametrize("seed", range(2))
def test_a_planted_slip_leaves_the_forward_pass_and_breaks_what_the_table_says(name, seed):
    params, inputs, targets, h0 = problem(seed)
    loss, grads, h_last, _ = reference.lossfun(params, inputs, targets, h0)
    s_loss, s_grads, s_h_last, _ = reference.lossfun(params, inputs, targets, h0, slip=name)
    assert s_loss == loss and np.array_equal(s_h_last, h_last)
    changed = {k for k in grads if not np.allclose(grads[k], s_grads[k], rtol=1e-6, atol=1e-9)}
    assert changed == SLIPS[name].breaks


def test_lossfun_without_a_slip_is_not_touched_by_planting_one():
    """Planting compiles a second function; min-char-rnn's own stays as it was, clipping too."""
    params, inputs, targets, h0 = problem(3)
    before = reference.lossfun(params, inputs, targets, h0, clip=5)
    reference.lossfun(params, inputs, targets, h0, clip=5, slip="no_dh_next")
    after = reference.lossfun(params, inputs, targets, h0, clip=5)
    assert before[0] == after[0]
    for k in before[1]:
        assert np.array_equal(before[1][k], after[1][k])
    assert reference.with_slip("no_dh_next") is reference.with_slip("no_dh_next")


def test_the_right_lines_are_the_lines_of_notebook_04s_solution():
    """``right`` is spelled as notebook 04 writes the backward loop: each stands in the
    solution of its exercise, so the checks quote the learner's own lines."""
    nb = json.loads(NOTEBOOK_04.read_text(encoding="utf-8"))
    solution = next("".join(c["source"]) for c in nb["cells"]
                    if "solution-backward" in c["metadata"].get("tags", []))
    code = {line.split("#")[0].strip() for line in solution.splitlines()}
    for name, slip in SLIPS.items():
        assert slip.right in code, name


def test_min_char_rnn_lines_become_notebook_lines():
    assert as_notebook_writes_it("dWhh += np.dot(dhraw, hs[t - 1].T)") == \
        "dWhh += dh_raw @ hs[t - 1].T"
    assert as_notebook_writes_it("dh = np.dot(Why.T, dy) + dhnext") == "dh = Why.T @ dy + dh_next"
    assert SLIPS["no_dbh"].wrote == "" and "left out" in SLIPS["no_dbh"].said


def test_an_unknown_slip_is_a_clear_error():
    with pytest.raises(ValueError, match="no slip named 'no_dhnext'.*no_dh_next"):
        slip_named("no_dhnext")
    with pytest.raises(ValueError, match="no slip named"):
        reference.lossfun(*problem(0), slip="no_dhnext")
