"""The speed benchmark runs end to end (a smoke run: tiny timings, no speed asserted)."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_benchmark_script_runs_and_reports_every_target():
    res = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "speed.py"), "--quick",
                          "--seconds", "0.01", "--repeats", "1"],
                         capture_output=True, text=True, timeout=600,
                         env={"OPENBLAS_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"})
    assert res.returncode == 0, res.stderr
    out = res.stdout
    # 6 H^2 + 6 V H with H = 100 and the corpus's V (103 on Python 3.11)
    V = int(re.search(r"V = (\d+), H = 100", out).group(1))
    assert f"6 H^2 + 6 V H = {6 * 100 ** 2 + 6 * V * 100:,}" in out
    for row in ("reference loop", "rnnlib N=1 float64", "rnnlib N=32 float64",
                "rnnlib N=512 float32, threads=2", "rnnlib.sample"):
        assert row in out, row
    assert out.count(">= 3x reference") == 1 and out.count(">= 15x reference") == 1
    assert "best float32; >= 500,000 chars/s" in out
    assert "3 output-layer products" in out
