"""Run a notebook in a fresh kernel without ever waiting long on a reply that was lost.

The tests (tests/test_notebooks.py) and the static site (scripts/build_site.py) run every
notebook through ``run_notebook`` here. It is nbclient's NotebookClient with two changes:

1. **It never waits on one long socket poll.** nbclient waits for a cell's ``execute_reply``
   with a single ``poll`` of up to the cell timeout (300 s) on pyzmq's asyncio socket, and for
   the ``status: idle`` on IOPub with no timeout at all. pyzmq wakes such a poll through the
   socket's edge-triggered ZMQ_FD; when that edge is missed, the reply sits in the client's
   socket until the poll times out, and the run "hangs", then carries on. Here every wait is
   a series of short polls (``poll_slice``, 0.5 s): a poll that times out checks the socket
   itself, so a missed wake-up costs at most one slice.

2. **It notices a reply that will never come, and tries again.** While a cell runs, the client
   asks the kernel for its ``kernel_info`` on the shell channel once (a "probe", after
   ``probe_after`` seconds). The kernel answers shell requests in order, so:

   - the probe is answered but the cell's ``execute_reply`` never came: the reply was lost;
   - the probe's own status messages reach IOPub but the cell's ``status: idle`` never came:
     the idle message (and perhaps outputs) was lost;
   - the kernel never said "busy" for the cell (within ``start_limit``) and does not answer
     the probe either: it never picked the request up;
   - the probe is not answered and the kernel said "busy": the kernel is computing. That is
     normal, however long it lasts (up to the cell timeout) and however little it prints.

   A lost message raises ``LostReply``; ``run_notebook`` then runs the notebook once more in
   a new kernel and reports what was lost (notebook, cell, channel, message) as a
   ``LostReplyWarning`` and in the returned ``Run``. A cell that fails raises nbclient's
   ``CellExecutionError`` as before, naming the cell.

    .venv/bin/python scripts/kernel_run.py test-artifacts/notebook-times-*.jsonl

prints each notebook's latest total time, time in its cells and outside them (./test.sh does
this at the end), flagging any with more than ``--limit`` (10) seconds outside.
"""
from __future__ import annotations

import asyncio
import copy
import sys
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from queue import Empty
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.client import timestamp
from nbclient.exceptions import CellExecutionComplete
from traitlets import Float


class LostReplyWarning(UserWarning):
    """A kernel message never arrived and the notebook was run again in a new kernel."""


@dataclass
class Stall:
    """One message that never arrived: where, on which channel, and after how long."""
    notebook: str
    phase: str          # "start", "cell" or "shutdown"
    cell: int | None    # index in nb.cells, for a cell
    channel: str        # "shell" or "iopub"
    message: str        # e.g. "execute_reply", "status: idle", "kernel_info_reply"
    waited: float       # seconds spent waiting before it was declared lost
    evidence: str       # why it is known to be lost rather than slow

    def describe(self) -> str:
        where = f"cell {self.cell}" if self.cell is not None else self.phase
        return (f"{self.notebook}, {where}: {self.channel} {self.message} never arrived "
                f"(declared lost after {self.waited:.1f} s: {self.evidence})")


class LostReply(RuntimeError):
    """Raised inside a run when a kernel message is known to be lost."""

    def __init__(self, stall: Stall):
        super().__init__(stall.describe())
        self.stall = stall


@dataclass
class Run:
    """What ``run_notebook`` did: the time taken and any message that got lost."""
    notebook: str
    seconds: float = 0.0
    attempts: int = 0
    stalls: list[Stall] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"notebook": self.notebook, "seconds": round(self.seconds, 2),
                "attempts": self.attempts, "stalls": [asdict(s) for s in self.stalls]}


#: Every Run of this process, newest last (the tests read the latest to record it).
history: list[Run] = []


class PatientClient(NotebookClient):
    """nbclient's NotebookClient, waiting in short polls and detecting lost messages."""

    poll_slice = Float(0.5, help="longest single socket poll, seconds").tag(config=True)
    probe_after = Float(
        2.0, help="seconds a cell runs before the kernel is probed with a kernel_info "
                  "request on the shell channel").tag(config=True)
    start_limit = Float(
        5.0, help="seconds within which the kernel must say 'busy' for a request it has "
                  "picked up, or answer a kernel_info request at start").tag(config=True)
    settle = Float(
        1.0, help="seconds allowed after the evidence that a message is lost, in case it "
                  "is only late").tag(config=True)

    def __init__(self, nb, km=None, **kw):
        self.notebook_name = kw.pop("notebook_name", "notebook")
        super().__init__(nb, km=km, **kw)
        self._cell_index: int | None = None
        self._reset_watch(None)

    # -- what is known about the request in flight ------------------------------------
    def _reset_watch(self, msg_id: str | None) -> None:
        self._msg_id = msg_id
        self._sent_at = time.monotonic()
        self._busy_seen = False
        self._heard_since_sent = False  # any IOPub message at all since the request
        self._probe_id: str | None = None
        self._probe_sent_at = 0.0
        self._probe_replied_at: float | None = None
        self._probe_iopub_at: float | None = None
        self._last_iopub = time.monotonic()

    async def _send_probe(self) -> None:
        self._probe_id = await _maybe_await(self.kc.kernel_info())
        self._probe_sent_at = time.monotonic()

    def _lost(self, channel: str, message: str, waited: float, evidence: str) -> LostReply:
        phase = "cell" if self._cell_index is not None else "start"
        return LostReply(Stall(self.notebook_name, phase, self._cell_index, channel, message,
                               round(waited, 1), evidence))

    def _note_shell(self, msg: dict) -> None:
        if self._probe_id and msg["parent_header"].get("msg_id") == self._probe_id:
            self._probe_replied_at = time.monotonic()

    def _note_iopub(self, msg: dict, parent_msg_id: str) -> None:
        self._last_iopub = time.monotonic()
        self._heard_since_sent = True
        parent = msg["parent_header"].get("msg_id")
        if parent == parent_msg_id:
            self._busy_seen = True  # the kernel has picked the request up
        elif self._probe_id and parent == self._probe_id and self._probe_iopub_at is None:
            self._probe_iopub_at = time.monotonic()

    # -- nbclient's waits, in short polls ----------------------------------------------
    async def async_execute_cell(self, cell, cell_index, execution_count=None,
                                 store_history=True):
        self._cell_index = cell_index
        self._reset_watch(None)  # before the request is sent: its first replies may be quick
        return await super().async_execute_cell(cell, cell_index, execution_count,
                                                store_history)

    async def async_wait_for_reply(self, msg_id, cell=None):
        """The kernel_info reply right after start (nbclient's only other shell wait)."""
        t0 = time.monotonic()
        while True:
            try:
                msg = await _maybe_await(self.kc.shell_channel.get_msg(timeout=self.poll_slice))
            except Empty:
                await self._async_check_alive()
                if time.monotonic() - t0 > self.start_limit:
                    raise self._lost("shell", "kernel_info_reply", time.monotonic() - t0,
                                     f"an idle, newly started kernel did not answer "
                                     f"kernel_info in {self.start_limit:g} s") from None
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        while True:
            try:
                msg = await _maybe_await(self.kc.iopub_channel.get_msg(timeout=self.poll_slice))
            except Empty:
                continue
            self._note_iopub(msg, parent_msg_id)
            if msg["parent_header"].get("msg_id") == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)  # raises when idle
                except CellExecutionComplete:
                    return

    async def _async_poll_for_reply(self, msg_id, cell, timeout, task_poll_output_msg,
                                    task_poll_kernel_alive):
        self._msg_id = msg_id
        t0 = self._sent_at
        deadline = None if timeout is None else t0 + timeout
        while True:
            try:
                msg = await _maybe_await(self.kc.shell_channel.get_msg(timeout=self.poll_slice))
            except Empty:
                now = time.monotonic()
                if deadline is not None and now >= deadline:
                    task_poll_kernel_alive.cancel()
                    await self._async_check_alive()
                    reply = await self._async_handle_timeout(timeout, cell)
                    if reply:  # interrupt_on_timeout with error_on_timeout set
                        reply["parent_header"] = {"msg_id": msg_id}
                        return reply
                    deadline = None
                    continue
                await self._check_reply_lost(now - t0, task_poll_kernel_alive)
                continue
            self._note_shell(msg)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if self.record_timing:
                cell["metadata"]["execution"]["shell.execute_reply"] = timestamp(msg)
            await self._await_idle(task_poll_output_msg, task_poll_kernel_alive, cell)
            task_poll_kernel_alive.cancel()
            return msg

    async def _check_reply_lost(self, waited: float, task_poll_kernel_alive) -> None:
        """Called between polls while a cell's execute_reply is awaited."""
        now = time.monotonic()
        if self._probe_id is None and waited >= self.probe_after:
            await self._send_probe()
            return
        if self._probe_replied_at is not None and now - self._probe_replied_at >= self.settle:
            task_poll_kernel_alive.cancel()
            raise self._lost("shell", "execute_reply", waited,
                             "the kernel answered a later kernel_info request on the same "
                             "channel, so it had finished the cell")
        if (not self._busy_seen and not self._heard_since_sent and self._probe_id is not None
                and waited >= max(self.start_limit, self.probe_after + self.settle)):
            task_poll_kernel_alive.cancel()
            raise self._lost("shell", "execute_reply", waited,
                             "the kernel published nothing for the cell, not even 'busy', "
                             "and did not answer a kernel_info request: the request was "
                             "not picked up")

    async def _await_idle(self, task_poll_output_msg, task_poll_kernel_alive, cell) -> None:
        """After the execute_reply: wait for the cell's 'status: idle' on IOPub."""
        t0 = time.monotonic()
        self._probe_id, self._probe_replied_at, self._probe_iopub_at = None, None, None
        while not task_poll_output_msg.done():
            await asyncio.wait([task_poll_output_msg], timeout=self.poll_slice)
            if task_poll_output_msg.done():
                break
            now = time.monotonic()
            if self._probe_id is None and now - t0 >= self.settle:
                await self._send_probe()
                continue
            if self._probe_iopub_at is not None and now - self._probe_iopub_at >= self.settle:
                evidence = ("IOPub carried the status of a later kernel_info request, so the "
                            "kernel had already published this cell's")
            elif now - self._last_iopub >= max(self.iopub_timeout, self.start_limit):
                evidence = (f"nothing at all arrived on IOPub for "
                            f"{now - self._last_iopub:.1f} s after the execute_reply")
            else:
                continue
            task_poll_output_msg.cancel()
            task_poll_kernel_alive.cancel()
            raise self._lost("iopub", "status: idle", now - t0, evidence)
        task_poll_output_msg.result()  # an error while handling an output surfaces here


async def _maybe_await(x):
    return await x if asyncio.iscoroutine(x) or isinstance(x, asyncio.Future) else x


def run_notebook(path: Path, kernel_name: str = "python3", timeout: int = 300, nb=None,
                 retries: int = 1, client_class: type[NotebookClient] = PatientClient,
                 client_options: dict[str, Any] | None = None) -> tuple[Any, Run]:
    """Run ``path`` top to bottom in a fresh kernel, keeping the widget state.

    ``nb`` (read from ``path`` if not given) is filled in place. If a kernel message is
    lost, the run is repeated in a new kernel up to ``retries`` times, starting again from
    the notebook as it was given; the loss is reported as a LostReplyWarning and listed in
    ``Run.stalls``. Raises nbclient's CellExecutionError at a failing cell, and LostReply
    if messages were lost in every attempt.
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4) if nb is None else nb
    pristine = copy.deepcopy(nb)
    run = Run(path.name)
    history.append(run)
    t0 = time.perf_counter()
    try:
        for attempt in range(retries + 1):
            if attempt:
                nb.cells[:] = copy.deepcopy(pristine.cells)
                nb.metadata.clear()
                nb.metadata.update(copy.deepcopy(pristine.metadata))
            run.attempts = attempt + 1
            client = client_class(nb, timeout=timeout, kernel_name=kernel_name,
                                  store_widget_state=True, notebook_name=path.name,
                                  resources={"metadata": {"path": str(path.parent)}},
                                  **(client_options or {}))
            try:
                client.execute()
                return nb, run
            except LostReply as e:
                run.stalls.append(e.stall)
                again = attempt < retries
                warnings.warn(LostReplyWarning(
                    e.stall.describe() + ("; running the notebook again in a new kernel"
                                          if again else "; giving up")), stacklevel=2)
                if not again:
                    raise
    finally:
        run.seconds = time.perf_counter() - t0
    raise AssertionError("unreachable")


def _print_summary(files: list[str], limit: float) -> int:
    """Print each notebook's latest time, time in its cells and outside them."""
    import json
    rows = {}
    for f in files:
        kernel = Path(f).stem.removeprefix("notebook-times-")
        try:
            lines = Path(f).read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        for line in lines:
            try:
                r = json.loads(line)
            except ValueError:
                continue
            rows[(kernel, r.get("notebook", "?"))] = r
    if not rows:
        print("notebook times: none recorded")
        return 0
    slow = 0
    print(f"notebook times (seconds; 'outside' = kernel start, shutdown and waiting "
          f"between cells; more than {limit:g} s is flagged):")
    for (kernel, name), r in sorted(rows.items()):
        total, inside = r.get("seconds", 0.0), r.get("in_cells", 0.0)
        outside = r.get("outside_cells", round(total - inside, 2))
        flag = ""
        if outside > limit:
            slow += 1
            flag = "  <-- waited on the kernel"
        lost = r.get("stalls") or []
        note = f"  ({len(lost)} lost message(s), run again)" if lost else ""
        print(f"  {kernel:>16} {name:<46} total {total:6.1f}  in cells {inside:6.1f}  "
              f"outside {outside:5.1f}{flag}{note}")
    print(f"notebooks with more than {limit:g} s outside their cells: {slow}")
    return 0


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser(description="Summarise test-artifacts/notebook-times-*.jsonl")
    ap.add_argument("files", nargs="+")
    ap.add_argument("--limit", type=float, default=10.0)
    a = ap.parse_args()
    sys.exit(_print_summary(a.files, a.limit))
