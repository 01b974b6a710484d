"""How long does each widget of the course take to answer a click, in a real Jupyter kernel?

    python benchmarks/widgets.py                      # every widget, 20 moves each
    python benchmarks/widgets.py --moves 5 --only HelloStepper GateStepper
    python benchmarks/widgets.py --budget 150         # mark what takes longer than 150 ms
    .venv-widgets7/bin/python benchmarks/widgets.py --kernel rnnlib-widgets7   # ipywidgets 7.7

Each widget runs in a fresh kernel of its own (``--shared-kernel``: one for all), started
with jupyter_client, with matplotlib's inline backend as in a notebook. A set-up cell
imports rnnlib and builds what the widget needs (not timed). Then, as seen from this
process, the client:

- first draw: executes ``w = Widget(...); display(w)`` and waits until the kernel is idle;
- a move: sends the comm message a browser sends when a control is used (an "update" of
  a slider's value or of play's step count, as a running play sends once per step; a
  button's "click") and times it until the last PNG of the move has
  arrived on the iopub channel, and until the kernel is idle again (it also updates the
  readouts). Every move is checked to bring a PNG (except for widgets without a figure).

Printed per widget: the first draw (and the kernel's CPU time for it), the median and
worst latency over the moves (to the last image, and to idle), the kernel's CPU time per
move (read with
``time.process_time()`` before and after each move: on a busy machine the latencies grow
with the load, the CPU time much less, so it shows what an idle machine would take), the
median PNG size per move, and "OVER" where the median latency to idle exceeds the budget
(or the first draw 1 s). The machine's load is printed before and after.
"""
from __future__ import annotations

import argparse
import ast
import base64
import os
import statistics
import sys
import time
from dataclasses import dataclass, field

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FIRST_DRAW_BUDGET_MS = 1000.0


@dataclass
class Case:
    """A widget to time: set-up code, the code that builds it as ``w``, and its moves.

    Each move is (control, data): ``control`` an expression for a widget inside ``w``,
    ``data`` the comm message a browser sends for it.
    """
    name: str
    setup: str
    build: str
    moves: list = field(default_factory=list)
    image: bool = True              # False: the widget shows no figure (HTML only)


def update(**state) -> dict:
    return {"method": "update", "state": state, "buffer_paths": []}


CLICK = {"method": "custom", "content": {"event": "click"}}


def back_and_forth(lo: int, hi: int, n: int, start: int) -> list[int]:
    """n slider positions, one step at a time from ``start``, turning at lo and hi."""
    values, v, d = [], start, 1 if start < hi else -1
    for _ in range(n):
        if not lo <= v + d <= hi:
            d = -d
        v += d
        values.append(v)
    return values


def cases(n: int) -> list[Case]:
    """The widgets of the course, each with ``n`` moves of its main control."""
    import numpy as np
    # slider values in a shuffled order, none equal to where the widget starts
    radii = [round(0.5 + 0.05 * k, 2) for k in np.random.default_rng(0).permutation(21)
             if k != 10]
    taus = [float(v) for v in np.log10(np.geomspace(0.1, 3.0, 23))[1:-1]]
    texts = ["hello"[:1 + k % 5] + " world"[:k // 5] for k in range(n + 1)][1:]
    H, T_NEURON = 100, 1200
    return [
        Case("HelloStepper", "from rnnlib.widgets.forward import HelloStepper",
             "w = HelloStepper()",
             [("w.slider", update(value=t)) for t in back_and_forth(1, 4, n, 1)]),
        Case("BackwardStepper", "from rnnlib.widgets.backward import BackwardStepper",
             "w = BackwardStepper()",
             [("w.slider", update(value=t)) for t in back_and_forth(1, 4, n, 4)]),
        Case("BackwardStepper (play)", "from rnnlib.widgets.backward import BackwardStepper",
             "w = BackwardStepper()",
             [("w.play", update(value=k)) for k in back_and_forth(1, 4, n, 1)]),
        Case("GateStepper", "from rnnlib.widgets.gates import GateStepper",
             "w = GateStepper()",
             [("w.slider", update(value=t)) for t in back_and_forth(1, 4, n, 1)]),
        Case("GRUStepper", "from rnnlib.widgets.gru import GRUStepper",
             "w = GRUStepper()",
             [("w.slider", update(value=t)) for t in back_and_forth(1, 4, n, 1)]),
        Case("LossExplorer (step t)", "from rnnlib.widgets.output import LossExplorer",
             "w = LossExplorer()",
             [("w.slider", update(value=t)) for t in back_and_forth(1, 4, n, 1)]),
        Case("LossExplorer (train 5)", "from rnnlib.widgets.output import LossExplorer",
             "w = LossExplorer()", [("w.train_button", CLICK)] * n),
        Case("SamplingExplorer",
             "import rnnlib\nfrom rnnlib.widgets.sampling import SamplingExplorer\n"
             "text = rnnlib.data.load('python_docs')[:20_000]\n"
             "trainer = rnnlib.Trainer(text, rnnlib.TrainConfig(hidden_size=100, seed=0, "
             "sample_every=0))\ntrainer.train(100)",
             "w = SamplingExplorer(trainer.model, trainer.vocab, prefix='The ')",
             [("w.tau_slider", update(value=taus[k % len(taus)])) for k in range(n)]),
        Case("GradientFlow", "from rnnlib.widgets.gradients import GradientFlow",
             "w = GradientFlow(radius=1.0, input_scale=0.0, steps=50)",
             [("w.radius_slider", update(value=radii[k % len(radii)])) for k in range(n)]),
        Case("OneHotExplorer (form)", "from rnnlib.widgets.encoding import OneHotExplorer",
             "w = OneHotExplorer('안녕하세요, hello')",
             [("w.form_buttons", update(index=(k + 1) % 3)) for k in range(n)]),
        Case("OneHotExplorer (typing)", "from rnnlib.widgets.encoding import OneHotExplorer",
             "w = OneHotExplorer('h')", [("w.text_box", update(value=s)) for s in texts]),
        Case("SequenceProbe",
             "import rnnlib\nfrom rnnlib.widgets.neurons import SequenceProbe",
             "w = SequenceProbe(rnnlib.RNNClassifier(2, 8, 2, seed=0), ['a', 's'], "
             "['no', 'yes'], start='as')",
             [(f"w.token_buttons[{k % 2}]" if k % 3 != 2 else "w.back_button", CLICK)
              for k in range(n)]),
        Case("NeuronText",
             "import numpy as np\nimport rnnlib\nfrom rnnlib.widgets.neurons import NeuronText\n"
             f"text = rnnlib.data.load('python_docs')[:{T_NEURON}]\n"
             f"hs = np.tanh(np.random.default_rng(0).standard_normal(({T_NEURON}, {H})))",
             "w = NeuronText(text, hs, notes={3: 'a note'})",
             [("w.dropdown", update(index=(k + 1) % H)) for k in range(n)], image=False),
    ]


def png_bytes(msg) -> int:
    """Bytes of PNG a message carries: a displayed image, or an Image widget's value."""
    content = msg["content"]
    data = content.get("data", {})
    if msg["msg_type"] in ("display_data", "update_display_data", "execute_result") \
            and "image/png" in data:
        return len(base64.b64decode(data["image/png"]))
    if msg["msg_type"] == "comm_msg":
        return sum(len(b) for b in msg.get("buffers", []) if bytes(b[:8]) == PNG_SIGNATURE)
    return 0


class Kernel:
    """A kernel started with jupyter_client, and the timing of what it is sent."""

    def __init__(self, kernel_name: str | None):
        from jupyter_client.manager import start_new_kernel
        kwargs = {"kernel_name": kernel_name} if kernel_name else {}
        self.km, self.kc = start_new_kernel(startup_timeout=120, **kwargs)

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)

    def _until_idle(self, msg_id: str, t0: float, timeout: float = 300):
        """(seconds to the last image, seconds to idle, PNG bytes, error text or None)."""
        last_image, size, error = None, 0, None
        while True:
            msg = self.kc.get_iopub_msg(timeout=timeout)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            t = time.perf_counter() - t0
            n = png_bytes(msg)
            if n:
                last_image, size = t, size + n
            if msg["msg_type"] == "error":
                error = "\n".join(msg["content"]["traceback"][-3:])
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return last_image, t, size, error

    def run(self, code: str, user_expressions: dict | None = None):
        """Execute ``code``; returns (timing as in _until_idle, user expression values)."""
        t0 = time.perf_counter()
        msg_id = self.kc.execute(code, user_expressions=user_expressions or {})
        timing = self._until_idle(msg_id, t0)
        reply = self.kc.get_shell_msg(timeout=300)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = self.kc.get_shell_msg(timeout=300)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the kernel failed on:\n{code}\n{timing[3]}")
        values = {k: ast.literal_eval(v["data"]["text/plain"])
                  for k, v in reply["content"].get("user_expressions", {}).items()}
        return timing, values

    def comm(self, comm_id: str, data: dict):
        """Send a widget the comm message a browser would; timing as in _until_idle."""
        msg = self.kc.session.msg("comm_msg", {"comm_id": comm_id, "data": data})
        t0 = time.perf_counter()
        self.kc.shell_channel.send(msg)
        return self._until_idle(msg["header"]["msg_id"], t0)


@dataclass
class Result:
    name: str
    first_ms: float
    first_cpu_ms: float
    to_image_ms: list
    to_idle_ms: list
    png_kb: list
    cpu_ms: list


def measure(kernel: Kernel, case: Case) -> Result:
    kernel.run("import matplotlib\n%matplotlib inline\nfrom IPython.display import display\n"
               + case.setup)
    clock = {"cpu": "__import__('time').process_time()"}
    _, before = kernel.run("pass", clock)
    (_, first, first_size, error), _ = kernel.run(case.build + "\ndisplay(w)")
    _, after = kernel.run("pass", clock)
    first_cpu = 1000 * (after["cpu"] - before["cpu"])
    if case.image and not first_size:
        raise RuntimeError(f"{case.name}: the first draw showed no PNG")
    controls = sorted({c for c, _ in case.moves})
    _, ids = kernel.run("pass", {c: f"{c}.model_id" for c in controls})
    to_image, to_idle, sizes, cpu = [], [], [], []
    for control, data in case.moves:
        _, before = kernel.run("pass", clock)
        image, idle, size, error = kernel.comm(ids[control], data)
        _, after = kernel.run("pass", clock)
        cpu.append(1000 * (after["cpu"] - before["cpu"]))
        if error:
            raise RuntimeError(f"{case.name}: moving {control} raised:\n{error}")
        if case.image and image is None:
            _, shown = kernel.run("pass", {"error": "getattr(w, 'error', None)"})
            if shown.get("error") is None:
                raise RuntimeError(f"{case.name}: moving {control} with {data} brought no "
                                   f"image (did the widget raise? see the kernel's log)")
        to_image.append(1000 * (image if image is not None else idle))
        to_idle.append(1000 * idle)
        sizes.append(size / 1024)
    return Result(case.name, 1000 * first, first_cpu, to_image, to_idle, sizes, cpu)


def positive_ms(text: str) -> float:
    """An argparse type: a latency budget in milliseconds, which must be above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"the budget must be a number of milliseconds, "
                                         f"got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"the budget must be more than 0 ms, got {text}: a "
                                         f"latency cannot be {text} ms or less; try 100")
    return value


def whole(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"the number of moves must be a whole number of at "
                                         f"least 1, got {text!r}")
    return value


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def report(results: list[Result], budget: float) -> str:
    head = (f"{'widget':<26}{'first draw':>11}{'(CPU)':>8}{'to image: median':>18}{'worst':>8}"
            f"{'to idle: median':>17}{'worst':>8}{'CPU: median':>13}{'worst':>8}"
            f"{'PNG/move':>10}")
    lines = [head, "-" * len(head)]
    for r in results:
        med_img, med_idle = statistics.median(r.to_image_ms), statistics.median(r.to_idle_ms)
        over = []
        if med_idle > budget:
            over.append(f"OVER {budget:g} ms")
        if r.first_ms > FIRST_DRAW_BUDGET_MS:
            over.append(f"first draw OVER {FIRST_DRAW_BUDGET_MS:g} ms")
        kb = statistics.median(r.png_kb)
        lines.append(f"{r.name:<26}{r.first_ms:>9.0f}ms{r.first_cpu_ms:>6.0f}ms{med_img:>16.0f}ms"
                     f"{max(r.to_image_ms):>6.0f}ms{med_idle:>15.0f}ms"
                     f"{max(r.to_idle_ms):>6.0f}ms{statistics.median(r.cpu_ms):>11.0f}ms"
                     f"{max(r.cpu_ms):>6.0f}ms{kb:>7.0f} KB  " + "  ".join(over))
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--moves", type=whole, default=20, help="moves per widget (default 20)")
    ap.add_argument("--budget", type=positive_ms, default=100.0,
                    help="latency budget per move in ms (default 100)")
    ap.add_argument("--only", nargs="+", default=None, metavar="NAME",
                    help="only the widgets whose name starts with one of these")
    ap.add_argument("--kernel", default=None,
                    help="kernel name (default: this Python's own ipykernel)")
    ap.add_argument("--shared-kernel", action="store_true",
                    help="one kernel for every widget instead of a fresh one each")
    args = ap.parse_args(argv)

    chosen = [c for c in cases(args.moves)
              if args.only is None or any(c.name.startswith(o) for o in args.only)]
    if not chosen:
        ap.error(f"no widget matches --only {' '.join(args.only)}; the widgets are: "
                 + ", ".join(c.name for c in cases(1)))
    print(f"widget latency: {args.moves} moves each, budget {args.budget:g} ms per move, "
          f"{'one shared kernel' if args.shared_kernel else 'a fresh kernel per widget'}"
          f" ({args.kernel or 'python3'}); {load()}", flush=True)
    results = []
    shared = Kernel(args.kernel) if args.shared_kernel else None
    try:
        for case in chosen:
            kernel = shared or Kernel(args.kernel)
            try:
                results.append(measure(kernel, case))
            finally:
                if shared is None:
                    kernel.close()
            print(f"  {case.name}: done ({load()})", file=sys.stderr, flush=True)
    finally:
        if shared is not None:
            shared.close()
    print(report(results, args.budget))
    print(f"after the runs: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
