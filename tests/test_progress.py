"""progress_callback: a tqdm bar with the time left, as text in a terminal, a widget in Jupyter."""
import html
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import rnnlib
from rnnlib.progress import ProgressBar

ROOT = Path(__file__).resolve().parents[1]
TEXT = "the cat sat on the mat. the dog sat on the log.\n" * 4

SCRIPT = f"""
import rnnlib
tr = rnnlib.Trainer({TEXT!r}, rnnlib.TrainConfig(hidden_size=8, seq_length=5,
                                                 sample_every=20, sample_length=12))
tr.train(40, callback=rnnlib.progress_callback(40, description="terminal run"))
print("trained", tr.iteration)
"""


def small_trainer(**kw):
    cfg = dict(hidden_size=8, seq_length=5, sample_every=0, seed=0)
    return rnnlib.Trainer(TEXT, rnnlib.TrainConfig(**{**cfg, **kw}))


def test_a_terminal_run_prints_a_text_bar_with_the_time_left_on_stderr():
    """Run as a script (no Jupyter): stderr has a text bar, 40/40 with elapsed<left time,
    the rate and the smooth loss with its bits per character; the samples are printed on
    stdout; no widget's repr."""
    res = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                         timeout=120, cwd=ROOT, env={**os.environ, "COLUMNS": "120"})
    assert res.returncode == 0, res.stderr
    last = res.stderr.replace("\r", "\n").strip().splitlines()[-1]
    assert re.search(r"terminal run: 100%\|.*\| 40/40 \[\d\d:\d\d<\d\d:\d\d, .*it/s, "
                     r"smooth loss \d+\.\d{3} = \d\.\d{3} bits/char\]", last), res.stderr
    assert "sample at iteration 0" in res.stdout and "sample at iteration 20" in res.stdout
    assert "trained 40" in res.stdout
    for widget_repr in ("HBox", "IntProgress", "FloatProgress", "VBox("):
        assert widget_repr not in res.stdout + res.stderr


def test_the_bar_counts_iterations_keeps_samples_and_closes_itself():
    tr = small_trainer(sample_every=10, sample_length=12)
    out = io.StringIO()
    bar = ProgressBar(25, description="test", file=out)
    tr.train(25, callback=bar)
    assert bar.count == 25 and bar.last.iteration == tr.iteration == 25
    assert bar.bar.n == 25 and bar.bar.total == 25
    assert bar.samples == tr.samples and len(bar.samples) == 3
    assert bar.bar.disable                              # closed after the 25th call
    text = out.getvalue().replace("\r", "\n")
    bits = rnnlib.metrics.bits_per_char(tr.smooth_loss, 5)
    assert "25/25" in text and f"smooth loss {tr.smooth_loss:.3f} = {bits:.3f} bits/char" in text


def test_samples_can_be_kept_quiet(capsys):
    tr = small_trainer(sample_every=10, sample_length=12)
    bar = ProgressBar(20, show_samples=False, file=io.StringIO())
    tr.train(20, callback=bar)
    assert len(bar.samples) == 2 and "sample at iteration" not in capsys.readouterr().out


def test_the_notebooks_import_still_works():
    from rnnlib.widgets.training import progress_callback
    assert progress_callback is rnnlib.progress_callback


@pytest.mark.parametrize("bad", [0, -5, 2.5, True])
def test_a_bad_number_of_iterations_is_a_clear_error(bad):
    with pytest.raises(ValueError, match=rf"n_iters must be a whole number >= 1, got {bad!r}"):
        rnnlib.progress_callback(bad)


@pytest.mark.notebook
def test_in_a_kernel_the_bar_is_a_widget_with_the_time_left(tmp_path):
    """Executed in a Jupyter kernel: the cell shows a widget (no text bar on stderr), and the
    widget's text has the count and the elapsed<left times."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(SCRIPT)]
    kernel = os.environ.get("RNNLIB_KERNEL", "python3")
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name=kernel,
                                     resources={"metadata": {"path": str(ROOT)}},
                                     store_widget_state=True)
    client.execute()
    outputs = nb.cells[0].outputs
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
               for o in outputs), outputs
    assert not any(o.get("name") == "stderr" and "it/s" in o.get("text", "") for o in outputs)
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    texts = [html.unescape(m["state"].get("value", "")).replace("\u2007", " ")
             for m in state.values() if m.get("model_name") == "HTMLModel"]
    assert any(re.search(r"40/40 \[\d\d:\d\d<\d\d:\d\d", t) for t in texts), texts
    html_samples = [o for o in outputs if "text/html" in o.get("data", {})]
    assert html_samples and "sample at iteration 20" in html_samples[-1]["data"]["text/html"]
