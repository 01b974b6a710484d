"""The widget benchmark runs end to end in a real kernel (a smoke run: two moves per widget,
one shared kernel; no speed asserted), and refuses a budget of zero or less by its value."""
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "widgets.py"
_spec = importlib.util.spec_from_file_location("widget_benchmark", SCRIPT)
bench = sys.modules["widget_benchmark"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True,
                          text=True, timeout=600)


def test_every_widget_is_driven_by_comm_messages_and_reported():
    """Each widget gets a row with its first draw, latencies and PNG size; every move of a
    widget with a figure brought a PNG (the script fails otherwise)."""
    res = run("--moves", "2", "--shared-kernel", "--budget", "100")
    assert res.returncode == 0, res.stderr[-3000:]
    out = res.stdout
    assert "budget 100 ms per move" in out and "one shared kernel" in out
    assert re.search(r"load average [\d.]+, [\d.]+, [\d.]+ on \d+ cores", out)
    for case in bench.cases(2):
        row = re.search(rf"^{re.escape(case.name)}\s+(\d+)ms\s+\d+ms\s+(\d+)ms\s+(\d+)ms\s+(\d+)ms"
                        rf"\s+(\d+)ms\s+(\d+)ms\s+(\d+)ms\s+(\d+) KB", out, re.M)
        assert row, f"no row for {case.name} in:\n{out}"
        first, med_img, worst_img, med_idle, worst_idle, med_cpu, worst_cpu, kb = \
            map(int, row.groups())
        assert med_img <= worst_img and med_idle <= worst_idle and med_img <= med_idle + 1
        assert med_cpu <= worst_cpu
        assert (kb > 0) == case.image, case.name       # a PNG per move, if it has a figure


@pytest.mark.parametrize("budget", ["0", "-5"])
def test_a_budget_of_zero_or_less_is_refused_with_its_value(budget):
    res = run("--budget", budget, "--moves", "1")
    assert res.returncode == 2
    assert f"more than 0 ms, got {budget}" in res.stderr


def test_over_budget_is_marked():
    """With a budget of a millionth of a millisecond, every widget is marked over it."""
    res = run("--moves", "1", "--only", "HelloStepper", "--budget", "0.000001")
    assert res.returncode == 0, res.stderr[-3000:]
    assert re.search(r"^HelloStepper .* OVER 1e-06 ms", res.stdout, re.M), res.stdout


def test_back_and_forth_moves_one_step_and_turns_at_the_ends():
    assert bench.back_and_forth(1, 4, 8, 1) == [2, 3, 4, 3, 2, 1, 2, 3]
    assert bench.back_and_forth(1, 4, 3, 4) == [3, 2, 1]
