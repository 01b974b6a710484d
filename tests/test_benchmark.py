"""The speed benchmark runs end to end (a smoke run: tiny timings, no speed asserted)."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPEED = str(ROOT / "benchmarks" / "speed.py")


def run(*args):
    return subprocess.run([sys.executable, SPEED, *args], capture_output=True, text=True,
                          timeout=600, env={"PATH": "/usr/bin:/bin"})


def test_benchmark_script_runs_and_reports_every_target():
    res = run("--quick", "--seconds", "0.01", "--repeats", "1")
    assert res.returncode == 0, res.stderr
    out = res.stdout
    # 6 H^2 + 6 V H with H = 100 and the corpus's V (103 on Python 3.11)
    V = int(re.search(r"V = (\d+), H = 100", out).group(1))
    assert f"6 H^2 + 6 V H = {6 * 100 ** 2 + 6 * V * 100:,}" in out
    assert re.search(r"load average [\d.]+ [\d.]+ [\d.]+; BLAS threads while training: 1", out)
    for row in ("reference: min-char-rnn", "rnnlib N=1 float64", "rnnlib N=32 float64",
                "rnnlib N=1 float64, plain path",
                "rnnlib N=512 float32, threads=2", "rnnlib.sample", "min-char-rnn sample"):
        assert row in out, row
    assert out.count(">= 3x reference") == 1 and out.count(">= 15x reference") == 1
    assert out.count("best float32") == 1
    assert "3 output-layer products" in out
    # N = 1 in its pieces, and the per-parameter update beside the flat one
    assert re.search(r"One iteration at N=1 float64 takes \d+ us", out)
    for piece in ("loss and gradients (fastpath.fused)", "Adagrad on the flat buffers",
                  "everything else"):
        # in a smoke run of 0.01 s the pieces, timed apart, can add up to more than the
        # whole, so "everything else" may come out below zero
        assert re.search(rf"  {re.escape(piece)} +-?\d+ us", out), piece
    assert re.search(r"Adagrad update one parameter at a time, on separate arrays: \d+ us", out)
    # N = 32 float64 against the work it cannot skip: the ceiling on one core
    assert re.search(r"One iteration at N=32 float64 takes [\d.]+ ms \(best round\); timed "
                     r"alone at its sizes on one core, its matrix products take [\d.]+ ms", out)
    caps = re.findall(r"  (the products alone|products, tanh, exp and Adagrad) +([\d,]+) "
                      r"chars/s +([\d.]+)x", out)
    assert [c[0] for c in caps] == ["the products alone", "products, tanh, exp and Adagrad"]
    # more work to do can only lower the ceiling
    assert float(caps[0][2]) >= float(caps[1][2]) > 0
    # the one-core-busy case: three settings, idle and busy, and the ratio with its target
    for mode in ("rnnlib's default", "OPENBLAS_NUM_THREADS=1", "numpy's default"):
        assert re.search(rf"\| {re.escape(mode)} +\| +[\d,]+ \| +[\d,]+ \|", out), mode
    assert re.search(r"one core busy: rnnlib's default / one forced BLAS thread = [\d.]+ "
                     r"\(rounds [\d.]+-[\d.]+\); >= 0.85: (met|NOT met)", out)


def test_the_reference_is_the_tests_min_char_rnn():
    """The benchmark times the same min-char-rnn loop that the tests compare rnnlib with."""
    code = ("import speed; from rnnlib import reference; "
            "assert speed.MinCharRNN is reference.MinCharRNN; "
            "assert speed.min_char_rnn_sample is reference.sample; print('same')")
    # with glibc's settings already in place the script does not restart itself on import
    env = {"PATH": "/usr/bin:/bin", "MALLOC_MMAP_THRESHOLD_": "33554432",
           "MALLOC_TRIM_THRESHOLD_": "1073741824",
           "PYTHONPATH": f"{ROOT / 'benchmarks'}:{ROOT}"}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, env=env)
    assert res.returncode == 0 and res.stdout.strip() == "same", res.stderr


@pytest.mark.parametrize("args, msg", [
    (["--blas-threads", "0"], "--blas-threads: must be greater than 0 (and finite), got 0"),
    (["--blas-threads", "two"], "--blas-threads: 'two' is not a int"),
    (["--seconds", "-1"], "--seconds: must be greater than 0 (and finite), got -1"),
    (["--seconds", "nan"], "--seconds: must be greater than 0 (and finite), got nan"),
    (["--repeats", "0"], "--repeats: must be greater than 0 (and finite), got 0"),
])
def test_a_bad_setting_is_a_clear_error(args, msg):
    res = run(*args)
    assert res.returncode == 2 and msg in res.stderr, res.stderr
