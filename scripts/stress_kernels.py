"""Run one notebook many times, a few at a time, each in a fresh kernel, and report stalls.

    .venv/bin/python scripts/stress_kernels.py                   # notebook 01, 40 runs, 2 at a time
    .venv/bin/python scripts/stress_kernels.py notebooks/05_x.ipynb -n 20 -j 2
    .venv/bin/python scripts/stress_kernels.py --runner nbclient # plain nbclient, as before
    .venv/bin/python scripts/stress_kernels.py -n 2 --repeat 60 --timeout 6 --runner nbclient

Each run goes through the path the tests and the site use (scripts/kernel_run.py's
``run_notebook``, or with ``--runner nbclient`` nbclient's own NotebookClient), in worker
processes that each run their share one after another, as a pytest process does. A watchdog
follows every wait on the kernel's shell and IOPub sockets and reports, per run:

- total seconds, seconds inside the cells (the kernel's own execute_input -> execute_reply
  times, as tests/test_notebooks.py records them) and outside them;
- every wait longer than ``--watchdog`` seconds: which message was awaited (kernel_info_reply
  at start, execute_reply on shell, status: idle on IOPub, shutdown at the end), at which
  cell, the kernel's last status (busy: it is computing, which is no stall), whether the
  message was already waiting in the client's socket (a missed wake-up in the client), how
  long the wait lasted in the end and how long before that the kernel had sent the message;
- the worst gap between a cell's time seen by the client and by the kernel;
- any message that kernel_run declared lost, and whether the notebook was run again.

Writes one JSON line per run to --out (default test-artifacts/stress-<runner>.jsonl).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import select
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import datetime, timezone
from multiprocessing import get_context
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

VERSIONED = ["ipykernel", "jupyter_client", "pyzmq", "tornado", "nbclient", "ipywidgets",
             "traitlets"]


def versions() -> dict[str, str]:
    """Versions of the packages on the kernel's message path (of this interpreter)."""
    from importlib.metadata import PackageNotFoundError, version
    out = {"python": sys.version.split()[0]}
    for name in VERSIONED:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "-"
    import zmq
    out["libzmq"] = zmq.zmq_version()
    return out


def kernel_versions(kernel_name: str) -> dict[str, str]:
    """The same versions as seen by the kernel's own Python (it may be another venv)."""
    import subprocess
    from jupyter_client.kernelspec import KernelSpecManager
    spec = KernelSpecManager().get_kernel_spec(kernel_name)
    code = ("import json,sys\nfrom importlib.metadata import version\n"
            f"names={VERSIONED!r}\nout={{}}\n"
            "for n in names:\n  try: out[n]=version(n)\n  except Exception: out[n]='-'\n"
            "import zmq; out['libzmq']=zmq.zmq_version(); out['python']=sys.version.split()[0]\n"
            "print(json.dumps(out))")
    try:
        exe = spec.argv[0]
        if exe in ("python", "python3"):  # jupyter_client runs such a kernel with this Python
            exe = sys.executable
        res = subprocess.run([exe, "-c", code], capture_output=True, text=True,
                             timeout=60)
        return json.loads(res.stdout)
    except Exception as e:  # report, do not stop the stress run for it
        return {"error": repr(e)}


# --- the watchdog -----------------------------------------------------------------------

def _observed_channel_class():
    from jupyter_client.channels import AsyncZMQSocketChannel

    class ObservedChannel(AsyncZMQSocketChannel):
        observer = None
        name = "?"

        async def get_msg(self, timeout=None):
            obs = self.observer
            if obs is None:
                return await super().get_msg(timeout=timeout)
            rec = {"channel": self.name, "t0": time.monotonic(), "timeout": timeout,
                   "phase": obs.phase, "cell": obs.cell, "chan": self}
            obs.inflight[id(rec)] = rec
            try:
                msg = await super().get_msg(timeout=timeout)
            finally:
                obs.inflight.pop(id(rec), None)
                if "event" in rec:
                    rec["event"]["lasted"] = round(time.monotonic() - rec["t0"], 2)
            obs.seen(self.name, msg, rec)
            return msg

    return ObservedChannel


def _observed_kc_class(observer):
    from jupyter_client.asynchronous.client import AsyncKernelClient
    channel = _observed_channel_class()

    class ObservedKernelClient(AsyncKernelClient):
        def start_channels(self, *a, **kw):
            super().start_channels(*a, **kw)
            for name in ("shell", "iopub"):
                ch = getattr(self, f"{name}_channel")
                if isinstance(ch, channel):
                    ch.observer, ch.name = observer, name

    ObservedKernelClient.shell_channel_class = channel
    ObservedKernelClient.iopub_channel_class = channel
    return ObservedKernelClient


class Observer:
    """Mixin for a NotebookClient: follows its phases and socket waits (see module doc)."""

    watchdog_seconds = 5.0

    def _obs_init(self):
        if getattr(self, "phase", None) is not None and hasattr(self, "events"):
            return
        self.phase, self.cell, self.inflight, self.events = "launch", None, {}, []
        self.phase_times: dict[str, float] = {}
        self._phase_t0 = time.monotonic()
        self.last_status = ("", "", time.monotonic())  # (state, parent msg id, when)
        self.reply_for_cell: int | None = None
        self.cell_wall: dict[int, float] = {}

    def set_phase(self, phase: str, cell: int | None = None) -> None:
        now = time.monotonic()
        key = self.phase if self.phase != "cell" else "cells"
        self.phase_times[key] = self.phase_times.get(key, 0.0) + now - self._phase_t0
        self.phase, self.cell, self._phase_t0 = phase, cell, now

    def seen(self, channel: str, msg: dict, rec: dict) -> None:
        if channel == "iopub" and msg.get("msg_type") == "status":
            self.last_status = (msg["content"].get("execution_state", ""),
                                msg["parent_header"].get("msg_id", ""), time.monotonic())
        if channel == "shell" and msg.get("msg_type") == "execute_reply":
            self.reply_for_cell = self.cell
        if "event" in rec:  # a flagged wait ended: when had the kernel sent the message?
            sent = msg.get("header", {}).get("date")
            if isinstance(sent, datetime):
                age = datetime.now(timezone.utc) - sent.astimezone(timezone.utc)
                rec["event"]["message_was_sent_seconds_before_it_was_read"] = round(
                    age.total_seconds(), 2)
            rec["event"]["ended_by"] = msg.get("msg_type")

    def create_kernel_manager(self):
        self._obs_init()
        km = super().create_kernel_manager()
        km.client_factory = _observed_kc_class(self)
        return km

    async def async_start_new_kernel(self, **kw):
        self._obs_init()
        self.set_phase("launch")
        # nbclient's execute() is bound to NotebookClient.async_execute, so the watchdog
        # starts here, inside the run's event loop, and stops after the shutdown
        self._dog = asyncio.ensure_future(self._watch())
        return await super().async_start_new_kernel(**kw)

    async def async_start_new_kernel_client(self):
        self.set_phase("start: wait_for_ready (kernel_info_reply)")
        return await super().async_start_new_kernel_client()

    async def async_wait_for_reply(self, msg_id, cell=None):
        self.set_phase("start: kernel_info_reply")
        return await super().async_wait_for_reply(msg_id, cell)

    async def async_execute_cell(self, cell, cell_index, *a, **kw):
        if cell.cell_type != "code":
            return await super().async_execute_cell(cell, cell_index, *a, **kw)
        self.set_phase("cell", cell_index)
        t0 = time.monotonic()
        try:
            return await super().async_execute_cell(cell, cell_index, *a, **kw)
        finally:
            self.cell_wall[cell_index] = time.monotonic() - t0

    async def _async_cleanup_kernel(self):
        self.set_phase("shutdown")
        try:
            return await super()._async_cleanup_kernel()
        finally:
            self.set_phase("done")
            if getattr(self, "_dog", None) is not None:
                self._dog.cancel()

    async def _watch(self):
        """Flag waits longer than watchdog_seconds that are not the kernel computing."""
        flagged_phase = set()
        while True:
            await asyncio.sleep(0.25)
            now = time.monotonic()
            if (self.phase != "cell" and now - self._phase_t0 > self.watchdog_seconds
                    and (self.phase, self.cell) not in flagged_phase):
                flagged_phase.add((self.phase, self.cell))
                self.events.append({"phase": self.phase, "cell": None, "channel": "-",
                                    "awaited": self.phase, "detected_after":
                                    round(now - self._phase_t0, 1)})
            for rec in list(self.inflight.values()):
                age = now - rec["t0"]
                if age < self.watchdog_seconds:
                    continue
                if "event" in rec:  # already flagged: note the socket's state every 5 s
                    ev = rec["event"]
                    if age - ev["checks"][-1]["at"] >= 5:
                        ev["checks"].append({"at": round(age, 1), **_pending(rec["chan"])})
                    continue
                state, _, since = self.last_status
                if rec["channel"] == "shell":
                    awaited = ("execute_reply" if rec["phase"] == "cell"
                               else "kernel_info_reply")
                else:
                    awaited = "status: idle"
                    if rec["phase"] == "cell" and self.reply_for_cell != rec["cell"]:
                        continue  # IOPub is quiet while a cell computes: normal
                rec["event"] = {"phase": rec["phase"], "cell": rec["cell"],
                                "channel": rec["channel"], "awaited": awaited,
                                "poll_timeout": rec["timeout"],
                                "detected_after": round(age, 1),
                                "kernel_last_status": state,
                                "last_status_seconds_ago": round(now - since, 1),
                                "checks": [{"at": round(age, 1), **_pending(rec["chan"])}]}
                self.events.append(rec["event"])


def _pending(chan) -> dict:
    """Is a message already waiting in this client socket? (zmq_poll on the socket itself,
    and select() on its edge-triggered ZMQ_FD, without receiving anything)"""
    import zmq
    out = {"pending_message": None, "fd_readable": None}
    try:
        sock = zmq.Socket.shadow(chan.socket.underlying)
        out["pending_message"] = bool(sock.poll(0, zmq.POLLIN))
        fd = chan.socket.getsockopt(zmq.FD)
        out["fd_readable"] = bool(select.select([fd], [], [], 0)[0])
    except Exception as e:
        out["error"] = repr(e)
    return out


# --- one run --------------------------------------------------------------------------

def _when(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def in_cells(nb) -> float:
    total = 0.0
    for c in nb.cells:
        ex = c.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in ex and "shell.execute_reply" in ex:
            total += _when(ex["shell.execute_reply"]) - _when(ex["iopub.execute_input"])
    return total


def repeat_cells(path: Path, times: int) -> None:
    """Rewrite the notebook at ``path`` with its code cells (the set-up cell once) repeated
    ``times`` times: many more kernel round trips per kernel, to catch a rare stall sooner."""
    import nbformat
    nb = nbformat.read(path, as_version=4)
    setup = [c for c in nb.cells if "setup" in c.metadata.get("tags", [])]
    body = [c for c in nb.cells if c.cell_type == "code" and c not in setup]
    nb.cells = setup + [nbformat.from_dict(dict(c)) for _ in range(times) for c in body]
    for k, c in enumerate(nb.cells):
        c["id"] = f"r{k:05d}"
    nbformat.write(nb, path)


def is_stall(wait: dict) -> bool:
    """A flagged wait that is not the kernel computing a long cell."""
    return (wait["channel"] != "shell" or wait.get("kernel_last_status") != "busy"
            or any(c.get("pending_message") for c in wait.get("checks", [])))


def one_run(i: int, notebook: str, runner: str, kernel: str, timeout: int,
            watchdog: float, repeat: int = 1) -> dict:
    import warnings

    import nbformat
    from nbclient import NotebookClient

    import kernel_run
    tmp = Path(tempfile.mkdtemp(prefix="stress-"))
    try:
        shutil.copytree(ROOT / "notebooks", tmp / "notebooks",
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        (tmp / "data").symlink_to(ROOT / "data", target_is_directory=True)
        path = tmp / "notebooks" / Path(notebook).name
        if repeat > 1:
            repeat_cells(path, repeat)
        base = kernel_run.PatientClient if runner == "robust" else NotebookClient
        cls = type("Observed" + base.__name__, (Observer, base),
                   {"watchdog_seconds": watchdog})
        result = {"run": i, "runner": runner, "notebook": path.name, "error": ""}
        t0 = time.perf_counter()
        nb = nbformat.read(path, as_version=4)
        clients = []

        def make(*a, **kw):
            if base is NotebookClient:
                kw.pop("notebook_name", None)
            c = cls(*a, **kw)
            clients.append(c)
            return c

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", kernel_run.LostReplyWarning)
                _, run = kernel_run.run_notebook(path, kernel_name=kernel, timeout=timeout,
                                                 nb=nb, client_class=make,
                                                 retries=1 if runner == "robust" else 0)
            result["lost"] = [kernel_run.asdict(s) for s in run.stalls]
            result["attempts"] = run.attempts
        except Exception as e:
            result["error"] = f"{type(e).__name__}: {str(e).strip().splitlines()[-1][:300]}"
            if isinstance(e, kernel_run.LostReply):
                result["lost"] = [kernel_run.asdict(e.stall)]
        total = time.perf_counter() - t0
        inside = in_cells(nb)
        result.update(seconds=round(total, 2), in_cells=round(inside, 2),
                      outside=round(total - inside, 2))
        result["waits"] = [e for c in clients for e in c.events]
        phases: dict[str, float] = {}
        for c in clients:
            for k, v in c.phase_times.items():
                phases[k] = round(phases.get(k, 0) + v, 2)
        result["phases"] = phases
        # per cell: the client's wall time minus the kernel's own (execute_input -> reply)
        gaps = []
        for c in clients:
            for idx, wall in c.cell_wall.items():
                ex = nb.cells[idx].get("metadata", {}).get("execution", {})
                if "iopub.execute_input" in ex and "shell.execute_reply" in ex:
                    k = _when(ex["shell.execute_reply"]) - _when(ex["iopub.execute_input"])
                    gaps.append((round(wall - k, 2), idx))
        result["worst_cell_gap"] = max(gaps) if gaps else None
        slow_gap = bool(gaps) and max(gaps)[0] > watchdog
        result["stalled"] = bool(any(map(is_stall, result["waits"])) or result.get("lost")
                                 or slow_gap)
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notebook", nargs="?", default="notebooks/01_one_hot_input.ipynb")
    ap.add_argument("-n", "--runs", type=int, default=40)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--runner", choices=["robust", "nbclient"], default="robust",
                    help="robust: kernel_run.run_notebook (tests, site); nbclient: nbclient's "
                         "own NotebookClient, no retry (to see the stalls it suffers)")
    ap.add_argument("--kernel", default="python3")
    ap.add_argument("--timeout", type=int, default=300, help="seconds per cell (as the tests)")
    ap.add_argument("--watchdog", type=float, default=5.0,
                    help="flag a wait on the kernel longer than this while it is not computing")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run the notebook's code cells this many times in each kernel "
                         "(e.g. -n 2 --repeat 60: the stall is rare, per cell)")
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args(argv)
    if a.runs < 1 or a.jobs < 1 or a.repeat < 1:
        ap.error(f"--runs, --jobs and --repeat must be at least 1 (got {a.runs}, {a.jobs} "
                 f"and {a.repeat})")
    nb_path = Path(a.notebook).resolve()
    if not nb_path.exists():
        ap.error(f"no notebook at {a.notebook}")
    out = a.out or ROOT / "test-artifacts" / f"stress-{a.runner}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    head = {"notebook": nb_path.name, "runs": a.runs, "jobs": a.jobs, "runner": a.runner,
            "repeat": a.repeat, "timeout": a.timeout,
            "kernel": a.kernel, "client": versions(), "kernel_side": kernel_versions(a.kernel),
            "load_before": os.getloadavg(), "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
    print(json.dumps(head), flush=True)
    results = []
    t0 = time.perf_counter()
    with ProcessPoolExecutor(a.jobs, mp_context=get_context("spawn")) as pool:
        futs = [pool.submit(one_run, i, str(nb_path), a.runner, a.kernel, a.timeout,
                            a.watchdog, a.repeat) for i in range(a.runs)]
        for f in as_completed(futs):
            r = f.result()
            r["load"] = round(os.getloadavg()[0], 2)
            results.append(r)
            mark = "STALL" if r["stalled"] else ("ERROR" if r["error"] else "ok")
            print(f"run {r['run']:3d} {mark:5}  total {r['seconds']:6.1f} s  in cells "
                  f"{r['in_cells']:6.1f}  outside {r['outside']:5.1f}  load {r['load']:.2f}"
                  f"  worst cell gap {r['worst_cell_gap']}"
                  + "".join(f"\n      wait: {json.dumps(w)}" for w in r["waits"])
                  + "".join(f"\n      lost: {json.dumps(s)}" for s in r.get("lost", []))
                  + (f"\n      error: {r['error']}" if r["error"] else ""), flush=True)
    with open(out, "a", encoding="utf-8") as f:
        f.write(json.dumps(head) + "\n")
        for r in sorted(results, key=lambda r: r["run"]):
            f.write(json.dumps(r, default=str) + "\n")
    stalls = sum(r["stalled"] for r in results)
    # waits in which the awaited message was already in the client's socket: missed wake-ups
    missed = sum(any(c.get("pending_message") for c in w.get("checks", []))
                 for r in results for w in r["waits"])
    errors = sum(bool(r["error"]) for r in results)
    totals = sorted(r["seconds"] for r in results)
    outside = sorted(r["outside"] for r in results)
    print(f"{a.runs} runs of {nb_path.name}, {a.jobs} at a time, runner {a.runner}: "
          f"{stalls} stalled, {errors} failed, {missed} waits on a message already in "
          f"the client's socket; total s min/median/max "
          f"{totals[0]:.1f}/{totals[len(totals) // 2]:.1f}/{totals[-1]:.1f}; outside cells "
          f"min/median/max {outside[0]:.1f}/{outside[len(outside) // 2]:.1f}/{outside[-1]:.1f}; "
          f"wall {time.perf_counter() - t0:.0f} s; load after {os.getloadavg()[0]:.2f}")
    return 1 if stalls or errors else 0


if __name__ == "__main__":
    sys.exit(main())
