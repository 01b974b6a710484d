"""rnnlib limits the BLAS library's threads while it trains and samples (rnnlib.threads)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import rnnlib
from rnnlib import threads

ROOT = Path(__file__).resolve().parents[1]

# Run in a fresh interpreter without OPENBLAS_NUM_THREADS (./test.sh sets it to 1, which
# caps OpenBLAS at one thread for the whole process): prints the BLAS threads seen before
# training, inside a training callback, inside sampling, and after.
PROBE = r"""
import json, sys
from threadpoolctl import threadpool_info
import rnnlib
def blas():
    return max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")
if len(sys.argv) > 1:
    rnnlib.set_blas_threads(int(sys.argv[1]))
seen = {"before": blas()}
tr = rnnlib.Trainer("hello world, hello rnn. " * 20,
                    rnnlib.TrainConfig(hidden_size=8, seq_length=5, sample_every=0))
def callback(p):
    seen["training"] = blas()
tr.train(2, callback=callback)
class Probe:                       # a model whose step looks at the BLAS threads
    vocab_size = tr.model.vocab_size
    def initial_state(self, n):
        return tr.model.initial_state(n)
    def step(self, ix, h):
        seen["sampling"] = blas()
        return tr.model.step(ix, h)
rnnlib.sample(Probe(), None, 0, 3)
seen["after"] = blas()
print(json.dumps(seen))
"""


def probe(*args, **env):
    clean = {k: v for k, v in os.environ.items()
             if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                          threads.ENV_VAR)}
    res = subprocess.run([sys.executable, "-c", PROBE, *map(str, args)], capture_output=True,
                         text=True, timeout=120, env={**clean, **env}, cwd=ROOT)
    return res


needs_two_cores = pytest.mark.skipif((os.cpu_count() or 1) < 2,
                                     reason="BLAS starts one thread per core; this machine has one")


@needs_two_cores
def test_training_and_sampling_use_one_blas_thread_and_give_the_setting_back():
    """numpy's default (one thread per core) outside; one thread while training and sampling."""
    res = probe()
    assert res.returncode == 0, res.stderr
    seen = json.loads(res.stdout)
    assert seen["before"] >= 2 and seen["after"] == seen["before"]
    assert seen["training"] == 1 and seen["sampling"] == 1


@needs_two_cores
def test_set_blas_threads_and_the_environment_variable_change_it():
    for res in (probe(2), probe(RNNLIB_BLAS_THREADS="2")):
        assert res.returncode == 0, res.stderr
        seen = json.loads(res.stdout)
        assert seen["training"] == 2 and seen["sampling"] == 2


def test_blas_threads_reports_the_setting_and_none_goes_back_to_the_default(monkeypatch):
    monkeypatch.delenv(threads.ENV_VAR, raising=False)
    assert rnnlib.blas_threads() == threads.DEFAULT == 1
    try:
        rnnlib.set_blas_threads(3)
        assert rnnlib.blas_threads() == 3
        monkeypatch.setenv(threads.ENV_VAR, "2")
        assert rnnlib.blas_threads() == 3            # set_blas_threads wins over the variable
        rnnlib.set_blas_threads(None)
        assert rnnlib.blas_threads() == 2
    finally:
        rnnlib.set_blas_threads(None)


def test_nested_limits_keep_the_outer_one():
    """A sample taken during training runs inside training's limit, at no extra cost."""
    with threads.limit_blas_threads(1) as outer:
        with threads.limit_blas_threads() as inner:
            assert outer == 1 and inner == 1 and threads._depth == 2
    assert threads._depth == 0


@pytest.mark.parametrize("bad, error, msg", [
    (0, ValueError, "must be at least 1 thread, got 0"),
    (-2, ValueError, "must be at least 1 thread, got -2"),
    (1.5, TypeError, "must be a whole number of threads .* got 1.5"),
    ("2", TypeError, "got '2'"),
    (True, TypeError, "got True"),
])
def test_a_bad_thread_count_is_a_clear_error(bad, error, msg):
    with pytest.raises(error, match=msg):
        rnnlib.set_blas_threads(bad)
    assert rnnlib.blas_threads() == threads.DEFAULT          # the setting is unchanged


@pytest.mark.parametrize("value, msg", [
    ("0", r"RNNLIB_BLAS_THREADS must be at least 1 thread, got 0"),
    ("many", r"RNNLIB_BLAS_THREADS='many' is not a whole number"),
])
def test_a_bad_environment_variable_is_a_clear_error_when_training(monkeypatch, value, msg):
    monkeypatch.setenv(threads.ENV_VAR, value)
    tr = rnnlib.Trainer("abcabcabc" * 10, rnnlib.TrainConfig(hidden_size=4, seq_length=4,
                                                             sample_every=0))
    with pytest.raises((ValueError, TypeError), match=msg):
        tr.train(1)
    assert tr.iteration == 0
    np.testing.assert_array_equal(tr.model.params["bh"], 0)


def test_without_threadpoolctl_training_still_runs_with_a_warning(monkeypatch):
    """rnnlib installed with --no-deps (as the Colab set-up cell does) may lack threadpoolctl:
    training then runs without the limit and says how to get it."""
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)        # import fails
    monkeypatch.setattr(threads, "_controller", None)
    tr = rnnlib.Trainer("abcabcabc" * 10, rnnlib.TrainConfig(hidden_size=4, seq_length=4,
                                                             sample_every=0))
    with pytest.warns(UserWarning, match="pip install threadpoolctl"):
        tr.train(2)
    assert tr.iteration == 2
