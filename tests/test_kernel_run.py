"""scripts/kernel_run.py notices a kernel message that never arrives, runs the notebook again
in a new kernel and says so; a cell that merely computes quietly for a while is left alone.

The lost messages are simulated by a client that throws one message away as it arrives
(a real kernel, a real socket: only the one message is discarded). These tests start real
kernels, so they carry the 'notebook' mark (left out by ./test.sh -m "not notebook").
"""
import json
import os
import sys
import warnings
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import kernel_run  # noqa: E402
from nbtools import code, write  # noqa: E402

KERNEL = os.environ.get("RNNLIB_KERNEL", "python3")  # as in test_notebooks.py
# Short limits keep these tests quick; the defaults are what the tests and the site use.
QUICK = {"probe_after": 0.5, "settle": 0.3, "start_limit": 3.0}
CELLS = ["x = 20", "print('x is', x)", "import time\ntime.sleep(0.2)\nx + 1", "print('end')"]


def small_notebook(folder: Path, cells=CELLS) -> Path:
    """A notebook of the course's shape: title (cell 0), set-up (cell 1), then ``cells``."""
    path = folder / "99_small.ipynb"
    write(str(path), "Small", [code(c) for c in cells])
    return path


def dropping_client(channel: str, cell: int, times: int = 1):
    """A PatientClient class that discards the ``times`` first replies to cell ``cell``:
    its execute_reply (channel 'shell') or its 'status: idle' (channel 'iopub')."""
    dropped = []

    class Dropping(kernel_run.PatientClient):
        async def async_start_new_kernel_client(self):
            kc = await super().async_start_new_kernel_client()
            chan = getattr(kc, f"{channel}_channel")
            receive = chan.get_msg

            async def get_msg(timeout=None):
                while True:
                    msg = await receive(timeout=timeout)
                    wanted = (msg["msg_type"] == "execute_reply" if channel == "shell" else
                              msg["msg_type"] == "status"
                              and msg["content"]["execution_state"] == "idle"
                              and msg["parent_header"].get("msg_type") == "execute_request")
                    if wanted and self._cell_index == cell and len(dropped) < times:
                        dropped.append(msg)
                        continue
                    return msg

            chan.get_msg = get_msg
            return kc

    Dropping.dropped = dropped
    return Dropping


def outputs_text(nb) -> str:
    return "".join(o.get("text", "") + json.dumps(o.get("data", {}))
                   for c in nb.cells for o in c.get("outputs", []))


@pytest.mark.notebook
@pytest.mark.parametrize("channel, message", [("shell", "execute_reply"),
                                              ("iopub", "status: idle")])
def test_a_lost_message_is_reported_and_the_notebook_runs_again(tmp_path, channel, message):
    path = small_notebook(tmp_path)
    client = dropping_client(channel, cell=3)  # cell 3 (after title and set-up): the print
    with pytest.warns(kernel_run.LostReplyWarning, match=rf"99_small.ipynb, cell 3: "
                                                         rf"{channel} {message} never arrived"):
        nb, run = kernel_run.run_notebook(path, kernel_name=KERNEL, timeout=60,
                                          client_class=client, client_options=QUICK)
    assert len(client.dropped) == 1, "the simulated loss did not happen"
    assert run.attempts == 2
    [stall] = run.stalls
    assert (stall.cell, stall.channel, stall.message, stall.phase) == (3, channel, message,
                                                                       "cell")
    assert "kernel_info" in stall.evidence or "IOPub" in stall.evidence
    # the second run is complete: every cell's output, once, in a clean notebook
    text = outputs_text(nb)
    assert text.count("x is 20") == 1 and "21" in text and text.count("end") == 1
    assert run.as_dict()["stalls"][0]["message"] == message


@pytest.mark.notebook
def test_a_message_lost_in_every_attempt_raises_naming_it(tmp_path):
    path = small_notebook(tmp_path)
    client = dropping_client("shell", cell=2, times=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", kernel_run.LostReplyWarning)
        with pytest.raises(kernel_run.LostReply, match="cell 2: shell execute_reply"):
            kernel_run.run_notebook(path, kernel_name=KERNEL, timeout=60,
                                    client_class=client, client_options=QUICK)
    assert len(client.dropped) == 2, "one loss per attempt: the notebook ran twice"
    assert kernel_run.history[-1].attempts == 2


@pytest.mark.notebook
def test_a_quiet_computing_cell_is_not_taken_for_a_lost_reply(tmp_path):
    """A cell that prints nothing for many probe intervals is the kernel computing: the
    probe it is sent is answered only after the cell, so nothing is declared lost."""
    cells = ["import time", "t = time.time()\nwhile time.time() - t < 3:\n    pass\nprint('done')"]
    path = small_notebook(tmp_path, cells)
    with warnings.catch_warnings():
        warnings.simplefilter("error", kernel_run.LostReplyWarning)
        nb, run = kernel_run.run_notebook(path, kernel_name=KERNEL, timeout=60,
                                          client_options=QUICK)
    assert run.attempts == 1 and run.stalls == []
    assert "done" in outputs_text(nb)


@pytest.mark.notebook
def test_a_failing_cell_still_raises_cell_execution_error(tmp_path):
    from nbclient.exceptions import CellExecutionError
    path = small_notebook(tmp_path, ["a = 1", "1 / 0", "print('never')"])
    nb = nbformat.read(path, as_version=4)
    with pytest.raises(CellExecutionError, match="ZeroDivisionError"):
        kernel_run.run_notebook(path, kernel_name=KERNEL, timeout=60, nb=nb)
    assert kernel_run.history[-1].attempts == 1
    assert nb.cells[3].outputs[0]["ename"] == "ZeroDivisionError"  # filled up to the error


def test_the_summary_flags_notebooks_that_waited_outside_their_cells(tmp_path, capsys):
    f = tmp_path / "notebook-times-python3.jsonl"
    rows = [{"notebook": "01_a.ipynb", "seconds": 400.0, "in_cells": 3.0},
            {"notebook": "01_a.ipynb", "seconds": 6.0, "in_cells": 3.0},  # the latest counts
            {"notebook": "02_b.ipynb", "seconds": 320.0, "in_cells": 4.0, "outside_cells": 316.0,
             "stalls": [{"cell": 3}]}]
    f.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    kernel_run._print_summary([str(f)], limit=10)
    out = capsys.readouterr().out
    assert "more than 10 s outside their cells: 1" in out
    line_b = next(line for line in out.splitlines() if "02_b" in line)
    assert "waited on the kernel" in line_b and "1 lost message" in line_b
    assert "waited" not in next(line for line in out.splitlines() if "01_a" in line)
