"""How fast does rnnlib train and sample, against min-char-rnn's own loop?

    python benchmarks/speed.py                  # a few minutes
    python benchmarks/speed.py --quick          # a rough look in about a minute
    python benchmarks/speed.py --torch-python /path/to/venv/bin/python   # add torch.nn.RNN

Work measured, all on the python_docs corpus with hidden size H = 100 and seq_length 25:
one training iteration is forward, backward, clipping and Adagrad, counted in characters
of training text per second (T * N per iteration). Trainer computes each chunk with
rnnlib.fastpath; the "plain path" row trains with TrainConfig(fast_path=False), the
step-by-step code of rnn.py, for comparison. The reference is min-char-rnn's own
loop, rnnlib/reference.py (the one the tests compare against): lossFun with np.dot, Python
lists of indices, dense one-hot vectors, a softmax with two exps, clipping with np.clip
and Adagrad by hand, float64, N = 1. Every rate is the best of several rounds, because
other programs share the machine; the best round is the one least disturbed by them.
Every "times the reference" is the median, over rounds, of the two rates measured side by
side in the same round.

At N = 1 an iteration is also timed in its pieces, each alone on the same chunk: the fused
loss and gradients, Adagrad's update on the flat buffers of parameters and gradients that
Trainer uses, and, for comparison, the same update one parameter at a time. At N = 32
(float64) the work no implementation can skip is timed alone at the iteration's sizes on
one core: its matrix products, tanh, the softmax's exp and Adagrad; the rate an iteration
made of nothing else would reach is the ceiling of that row on one core.

"One core busy": a second process spins on one core while training at N = 32 (float64) is
timed with rnnlib's default (one BLAS thread while it trains), with one BLAS thread forced
from the start (OPENBLAS_NUM_THREADS=1) and with numpy's default (one BLAS thread per core),
each in its own process, and the same three without the spinning process.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# glibc hands freed blocks of more than 128 KB back to the system, and the next iteration
# pays a page fault per 4 KB to get them again; at big batches (arrays of T * N * H numbers)
# that costs a large share of an iteration. These settings, read by glibc when a process
# starts, keep such blocks for reuse; so the script restarts itself once with them set.
# (Set them yourself, in the shell that starts Jupyter, for big-batch training runs.)
_MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(32 << 20), "MALLOC_TRIM_THRESHOLD_": str(1 << 30)}
if sys.platform.startswith("linux") and any(k not in os.environ for k in _MALLOC):
    os.environ.update(_MALLOC)
    os.execv(sys.executable, [sys.executable, *sys.argv])

import numpy as np  # noqa: E402

import rnnlib  # noqa: E402
from rnnlib import TrainConfig, Trainer  # noqa: E402
from rnnlib.optim import make_flat  # noqa: E402
from rnnlib.threads import limit_blas_threads  # noqa: E402

from rnnlib.reference import MinCharRNN, sample as min_char_rnn_sample  # noqa: E402

H, T = 100, 25
BUSY_N = 32                 # the batch of the "one core busy" case (float64)


def round_rates(runs: dict, seconds: float, repeats: int) -> dict:
    """Units-per-second of each ``runs[name]()`` (which does some work and returns how many
    units), once per round. The runs take turns, round after round, so that a quiet moment
    of the machine is shared fairly between them, and runs next to each other in ``runs``
    are measured within a second or two of each other."""
    for run in runs.values():
        run()                                # warm up: caches, first-call allocations
    rates = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            done, t0 = 0, time.perf_counter()
            while time.perf_counter() - t0 < seconds:
                done += run()
            rates[name].append(done / (time.perf_counter() - t0))
    return rates


def best_rates(runs: dict, seconds: float, repeats: int) -> dict:
    """The best round of each run: the one least disturbed by other programs."""
    return {name: max(r) for name, r in round_rates(runs, seconds, repeats).items()}


def speedup(rates: dict, name, ref) -> float:
    """How many times faster ``name`` is than ``ref``: the median, over rounds, of the ratio
    of the two rates measured in the same round. The machine's speed drifts from minute to
    minute, and not by the same factor for a loop of tiny numpy calls as for big arrays;
    a ratio of rates taken side by side cancels that drift, a ratio of two best rounds from
    different moments does not."""
    return float(np.median(np.divide(rates[name], rates[ref])))


# ---- the reference: min-char-rnn's own loop (rnnlib/reference.py) ----------------------
def reference_trainer(text: str, vocab: rnnlib.Vocab, block: int = 8):
    ref = MinCharRNN(text, vocab.chars, rnnlib.RNN(len(vocab), H, seed=0).params, seq_length=T)

    def run() -> int:
        for _ in range(block):
            ref.iteration()
        return T * block
    return run


def rnnlib_trainer(text: str, N: int, dtype: str, threads: int = 1, fast_path: bool = True):
    cfg = TrainConfig(hidden_size=H, seq_length=T, batch_size=N, dtype=dtype, sample_every=0,
                      threads=threads, fast_path=fast_path)
    tr = Trainer(text, cfg)
    block = max(1, 64 // N)          # a few ms of work per call, as a notebook would train

    def run() -> int:
        tr.train(block)
        return T * N * block
    return run


# ---- sampling --------------------------------------------------------------------------
def reference_sampler(model, n: int = 200):
    np.random.seed(0)
    h = np.zeros((H, 1))
    return lambda: len(min_char_rnn_sample(model.params, h, 0, n))


def rnnlib_sampler(model, n: int = 200):
    rng = np.random.default_rng(0)
    return lambda: len(rnnlib.sample(model, None, 0, n, rng=rng))


# ---- the machine's limit ---------------------------------------------------------------
def peak_run(dtype, n: int = 2048):
    """One core's matmul rate (one BLAS thread)."""
    a = np.random.default_rng(0).standard_normal((n, n)).astype(dtype)

    def run() -> int:
        with limit_blas_threads(1):
            a @ a
        return 2 * n ** 3
    return run


def breakdown(V: int, N: int, dtype, seconds: float, repeats: int) -> dict:
    """Milliseconds per training iteration spent in the pieces that dominate, timed alone
    at the sizes one iteration uses: the output layer's three products (done on blocks of
    columns, as rnnlib.fastpath does), dWhh's product over all T steps, the 2T products
    inside the forward and backward time loops, tanh and the softmax's exp."""
    rng = np.random.default_rng(0)
    hs = rng.standard_normal((T * N, H)).astype(dtype) * 0.5
    dys = rng.standard_normal((V, T * N)).astype(dtype)
    Why = rng.standard_normal((V, H)).astype(dtype) * 0.1
    Whh = rng.standard_normal((H, H)).astype(dtype) * 0.1
    h, out = hs[:N], np.empty((N, H), dtype=dtype)
    cols = max(1, rnnlib.fastpath.common.OUTPUT_COLUMNS // N) * N
    blocks = [slice(a, a + cols) for a in range(0, T * N, cols)]

    def output_layer():
        for b in blocks:
            Why @ hs[b].T, dys[:, b] @ hs[b], dys[:, b].T @ Why
        return 1

    def dWhh():
        hs[N:].T @ hs[:-N]
        return 1

    def loop():
        for _ in range(2 * T):
            np.matmul(h, Whh, out=out)
        return 1

    def tanh():
        for _ in range(T):
            np.tanh(h, out=out)
        return 1

    def exp():
        for b in blocks:
            np.exp(dys[:, b])
        return 1
    rates = best_rates({"3 output-layer products": output_layer, "dWhh's product": dWhh,
                        f"{2 * T} products in the time loops": loop,
                        f"tanh ({T} calls)": tanh, "exp of the softmax": exp}, seconds, repeats)
    return {k: 1e3 / r for k, r in rates.items()}


def one_sequence_breakdown(text: str, seconds: float, repeats: int) -> dict:
    """Microseconds per training iteration at N = 1 (float64), whole and in pieces, each
    piece timed alone on the same chunk: the fused loss and gradients, Adagrad's update on
    the flat buffers, and the same update one parameter at a time (separate arrays), as
    before the parameters were laid out in one buffer."""
    tr = Trainer(text, TrainConfig(hidden_size=H, seq_length=T, sample_every=0))
    tr.train(50)                              # a state and memories of a run under way
    inputs, targets = tr.batch()
    kind, state, grads = rnnlib.fastpath.fused_model(tr.model), tr.state, tr._grads_out
    flat = {k: v.copy() for k, v in tr.model.params.items()}
    make_flat(flat)
    separate = {k: v.copy() for k, v in tr.model.params.items()}
    separate_grads = {k: g.copy() for k, g in grads.items()}
    flat_opt, each_opt = rnnlib.Adagrad(), rnnlib.Adagrad()
    block = 16

    def repeat(fn):
        def run() -> int:
            for _ in range(block):
                fn()
            return block
        return run
    def iterations() -> int:
        tr.train(block)
        return block
    runs = {"one iteration (Trainer.train)": iterations,
            "loss and gradients (fastpath.fused)": repeat(
                lambda: rnnlib.fastpath.fused(kind, tr.model, inputs, targets, state, grads)),
            "Adagrad on the flat buffers": repeat(lambda: flat_opt.step(flat, grads)),
            "Adagrad one parameter at a time": repeat(
                lambda: each_opt.step(separate, separate_grads))}
    with limit_blas_threads():
        rates = best_rates(runs, seconds, repeats)
    return {k: 1e6 / r for k, r in rates.items()}


def flops_per_char(V: int) -> int:
    """Matrix FLOPs per character with the one-hot product done as a column pick:
    forward Whh h (2H^2) and Why h (2VH); backward dWhy (2VH), Why^T dy (2VH),
    dWhh (2H^2), Whh^T dh_raw (2H^2). The dense one-hot products add 2VH + 2VH."""
    return 6 * H * H + 6 * V * H


# ---- torch, in whatever interpreter has it ------------------------------------------------
TORCH_CODE = r"""
import json, sys, time
import numpy as np, torch
data = np.load(sys.argv[1])
V, N, seconds, repeats = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
if int(sys.argv[6]):
    torch.set_num_threads(int(sys.argv[6]))
T, H = 25, 100
torch.manual_seed(0)
rnn, out = torch.nn.RNN(V, H, nonlinearity="tanh"), torch.nn.Linear(H, V)
params = list(rnn.parameters()) + list(out.parameters())
opt = torch.optim.Adagrad(params, lr=0.1)
L = len(data) // N
stream = torch.from_numpy(data[: N * L].reshape(N, L).T.copy())       # (L, N)
eye = torch.eye(V)
state = {"p": 0, "h": torch.zeros(1, N, H)}
def iteration():
    p = state["p"]
    if p + T + 1 >= L:
        p, state["h"] = 0, torch.zeros(1, N, H)
    x, y = eye[stream[p:p + T]], stream[p + 1:p + T + 1]
    hs, h = rnn(x, state["h"])
    loss = torch.nn.functional.cross_entropy(out(hs).reshape(T * N, V), y.reshape(-1),
                                             reduction="sum") / N
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_value_(params, 5.0)
    opt.step()
    state["p"], state["h"] = p + T, h.detach()
    return T * N
iteration()
best = 0.0
for _ in range(repeats):
    done, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        done += iteration()
    best = max(best, done / (time.perf_counter() - t0))
print(json.dumps({"version": torch.__version__, "rate": best, "threads": torch.get_num_threads()}))
"""


def torch_rate(python: str, data: np.ndarray, V: int, N: int, seconds: float,
               repeats: int, threads: int = 0) -> tuple[str, float, int] | None:
    """torch.nn.RNN's best rate on the same work; threads=0 keeps torch's default."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.npy"
        np.save(path, data)
        res = subprocess.run([python, "-c", TORCH_CODE, str(path), str(V), str(N),
                              str(seconds), str(repeats), str(threads)],
                             capture_output=True, text=True)
    if res.returncode != 0:
        print(f"torch run failed: {res.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    out = json.loads(res.stdout.strip().splitlines()[-1])
    return out["version"], out["rate"], out["threads"]


# ---- one core busy ------------------------------------------------------------------------
BUSY_MODES = {
    "rnnlib's default": ({}, None),
    "OPENBLAS_NUM_THREADS=1": ({"OPENBLAS_NUM_THREADS": "1"}, None),
    "numpy's default": ({}, os.cpu_count() or 1),       # one BLAS thread per core
}


def busy_worker(blas_threads: int | None, seconds: float) -> None:
    """Print the training rate at N = BUSY_N float64 in this process (run by busy_core)."""
    if blas_threads is not None:
        rnnlib.set_blas_threads(blas_threads)
    run = rnnlib_trainer(rnnlib.data.load("python_docs"), BUSY_N, "float64")
    run()
    done, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        done += run()
    print(done / (time.perf_counter() - t0))


def spin_one_core() -> subprocess.Popen:
    """A process that keeps one core busy (pinned to the last core where that is possible)."""
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    if hasattr(os, "sched_setaffinity"):
        try:
            os.sched_setaffinity(spinner.pid, {max(os.sched_getaffinity(0))})
        except OSError:
            pass
    return spinner


def busy_core(seconds: float, repeats: int) -> dict:
    """{(busy, mode): [rate per round]}: each mode in its own process, taking turns, with
    and without a process spinning on one core."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "RNNLIB_BLAS_THREADS")}
    rates: dict = {}
    for busy in (False, True):
        spinner = spin_one_core() if busy else None
        try:
            for _ in range(repeats):
                for mode, (extra, blas) in BUSY_MODES.items():
                    res = subprocess.run(
                        [sys.executable, __file__, "--busy-worker", str(blas or 0),
                         "--seconds", str(seconds)], env={**env, **extra},
                        capture_output=True, text=True, check=True)
                    rates.setdefault((busy, mode), []).append(float(res.stdout.split()[-1]))
        finally:
            if spinner is not None:
                spinner.kill()
                spinner.wait()
    return rates


def positive(kind):
    """An argparse type: a number of ``kind`` greater than 0, or a clear error."""
    def check(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a {kind.__name__}") from None
        if not value > 0 or value != value or value == float("inf"):
            raise argparse.ArgumentTypeError(f"must be greater than 0 (and finite), got {text}")
        return value
    check.__name__ = kind.__name__
    return check


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="shorter runs, fewer batch sizes")
    ap.add_argument("--seconds", type=positive(float), default=None,
                    help="length of one timed run (default 0.5, --quick 0.3)")
    ap.add_argument("--repeats", type=positive(int), default=None,
                    help="rounds: timed runs per figure (default 8, --quick 3)")
    ap.add_argument("--blas-threads", type=positive(int), default=None,
                    help="BLAS threads while rnnlib trains (rnnlib.set_blas_threads; default 1)")
    ap.add_argument("--no-busy", action="store_true", help="skip the one-core-busy case")
    ap.add_argument("--torch-python", default=None,
                    help="a Python that has torch, to time torch.nn.RNN on the same work")
    ap.add_argument("--busy-worker", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    seconds = args.seconds or (0.3 if args.quick else 0.5)
    if args.busy_worker is not None:
        return busy_worker(args.busy_worker or None, seconds)
    repeats = args.repeats or (3 if args.quick else 8)
    if args.blas_threads is not None:
        rnnlib.set_blas_threads(args.blas_threads)
    batches = [128, 256, 512] if args.quick else [64, 128, 256, 512, 1024]
    threaded = [256, 512] if args.quick else [256, 512, 1024, 2048]
    cores = os.cpu_count() or 1

    text = rnnlib.data.load("python_docs")
    vocab = rnnlib.Vocab.from_text(text)
    V, data = len(vocab), vocab.encode(text)
    fpc = flops_per_char(V)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    print(f"python_docs: {len(text):,} characters, V = {V}, H = {H}, seq_length = {T}; "
          f"{repeats} rounds of {seconds:g} s runs; {cores} cores, load average {load}; "
          f"BLAS threads while training: {rnnlib.blas_threads()}")

    model = rnnlib.RNN(V, H, seed=0)
    runs = {"ref": reference_trainer(text, vocab),
            (1, "float64"): rnnlib_trainer(text, 1, "float64"),
            (32, "float64"): rnnlib_trainer(text, 32, "float64"),
            "plain1": rnnlib_trainer(text, 1, "float64", fast_path=False)}
    runs.update({(N, "float32"): rnnlib_trainer(text, N, "float32") for N in batches})
    runs.update({(N, "float32", 2): rnnlib_trainer(text, N, "float32", 2) for N in threaded})
    runs.update({"peak32": peak_run(np.float32), "peak64": peak_run(np.float64),
                 "sample_ref": reference_sampler(model), "sample": rnnlib_sampler(model)})
    rounds = round_rates(runs, seconds, repeats)
    rate = {name: max(r) for name, r in rounds.items()}         # each run's best round
    ref = rate["ref"]
    peak32, peak64 = rate["peak32"] * cores, rate["peak64"] * cores   # one core's, times cores
    limit32 = peak32 / fpc
    f32 = {N: rate[(N, "float32")] for N in batches}
    best_N = max(f32, key=f32.get)

    def spread(name) -> str:
        """The spread over rounds of the ratio to the reference: min-max."""
        x = np.divide(rounds[name], rounds["ref"])
        return f"{x.min():.1f}-{x.max():.1f}"
    # rows: (what, best chars/s, times the reference, its spread, target)
    rows = [("reference: min-char-rnn (N=1, float64)", ref, 1.0, "", "")]
    for N, times in [(1, 3), (32, 15)]:
        x = speedup(rounds, (N, "float64"), "ref")
        rows.append((f"rnnlib N={N} float64", rate[(N, "float64")], x, spread((N, "float64")),
                     f">= {times}x reference: {'met' if x >= times else 'NOT met'}"))
    rows.append(("rnnlib N=1 float64, plain path", rate["plain1"],
                 speedup(rounds, "plain1", "ref"), spread("plain1"), "fast_path=False"))
    rows += [(f"rnnlib N={N} float32", rate[(N, "float32")],
              speedup(rounds, (N, "float32"), "ref"), spread((N, "float32")), "")
             for N in batches]
    rows += [(f"rnnlib N={N} float32, threads=2", rate[(N, "float32", 2)],
              speedup(rounds, (N, "float32", 2), "ref"), spread((N, "float32", 2)), "")
             for N in threaded]
    best = max((r, i) for i, (what, r, *_) in enumerate(rows) if "float32" in what)[1]
    rows[best] = rows[best][:4] + ("best float32",)
    s_ref, s_lib = rate["sample_ref"], rate["sample"]
    s_x = speedup(rounds, "sample", "sample_ref")

    torch_rows = []
    python = args.torch_python
    if python is None:       # torch is never a dependency; used only if this Python has it
        probe = subprocess.run([sys.executable, "-c", "import torch"], capture_output=True)
        python = sys.executable if probe.returncode == 0 else None
    if python:
        best_what = rows[best][0]
        best_torch_N = int(best_what.split("N=")[1].split()[0])
        for threads in (1, 0):
            got = torch_rate(python, data, V, best_torch_N, seconds, repeats, threads)
            if got:
                torch_rows.append((best_torch_N, *got))

    print(f"\nMatrix FLOPs per character: 6 H^2 + 6 V H = {fpc:,}")
    print(f"Peak np.matmul (2048 x 2048), one BLAS thread: float32 {rate['peak32'] / 1e9:.1f} "
          f"GFLOP/s, float64 {rate['peak64'] / 1e9:.1f} GFLOP/s; times {cores} cores: "
          f"{peak32 / 1e9:.1f} and {peak64 / 1e9:.1f}")
    print(f"FLOP-bound limit in float32: {limit32:,.0f} characters/s\n")
    print(f"| {'training':42s} | {'chars/s':>10s} | {'x ref':>6s} | {'spread':>9s} | "
          f"{'of limit':>8s} | target")
    print(f"|{'-' * 44}|{'-' * 12}|{'-' * 8}|{'-' * 11}|{'-' * 10}|-------")
    for what, r, x, sp, status in rows:
        frac = r / (peak64 / fpc if "float64" in what else limit32)
        print(f"| {what:42s} | {r:10,.0f} | {x:6.1f} | {sp:>9s} | {frac:8.1%} | {status}")
    for N, version, r, threads in torch_rows:
        what = f"torch {version} nn.RNN N={N} float32, {threads} thr."
        lead = rows[best][1] / r
        print(f"| {what:42s} | {r:10,.0f} | {r / ref:6.1f} | {'':>9s} | {r / limit32:8.1%} | "
              f"best rnnlib float32 is {lead:.2f}x this: "
              f"{'ahead' if lead > 1 else 'NOT ahead'}")
    with limit_blas_threads():
        parts = breakdown(V, best_N, np.float32, seconds, repeats)
    total = 1e3 * T * best_N / f32[best_N]
    print(f"\nOne iteration at N={best_N} float32 (threads=1) takes {total:.1f} ms; timed "
          f"alone, its pieces take:")
    for what, ms in parts.items():
        print(f"  {what:34s} {ms:6.2f} ms  ({ms / total:4.0%})")
    rest = total - sum(parts.values())
    print(f"  {'everything else':34s} {rest:6.2f} ms  ({rest / total:4.0%})")

    one = one_sequence_breakdown(text, seconds, repeats)
    whole = one.pop("one iteration (Trainer.train)")
    each = one.pop("Adagrad one parameter at a time")
    print(f"\nOne iteration at N=1 float64 takes {whole:.0f} us; timed alone, its pieces take:")
    for what, us in one.items():
        print(f"  {what:38s} {us:6.0f} us  ({us / whole:4.0%})")
    rest = whole - sum(one.values())
    print(f"  {'everything else':38s} {rest:6.0f} us  ({rest / whole:4.0%})")
    print(f"  (the same Adagrad update one parameter at a time, on separate arrays: {each:.0f} us)")

    # how fast N = 32 float64 could train on one core: its unavoidable work, timed alone
    with limit_blas_threads():
        parts64 = breakdown(V, BUSY_N, np.float64, seconds, repeats)
    whole64 = 1e3 * T * BUSY_N / rate[(BUSY_N, "float64")]
    products = sum(ms for what, ms in parts64.items() if "product" in what)
    elementwise = parts64[f"tanh ({T} calls)"] + parts64["exp of the softmax"]
    adagrad = one["Adagrad on the flat buffers"] / 1e3
    ref_median = float(np.median(rounds["ref"]))
    print(f"\nOne iteration at N={BUSY_N} float64 takes {whole64:.2f} ms (best round); timed "
          f"alone at its sizes on one core, its matrix products take {products:.2f} ms, tanh "
          f"and exp {elementwise:.2f} ms, Adagrad {adagrad:.2f} ms. An iteration that did "
          f"nothing else would train at (times the reference's median round, "
          f"{ref_median:,.0f} chars/s):")
    for what, ms in [("the products alone", products),
                     ("products, tanh, exp and Adagrad", products + elementwise + adagrad)]:
        cap = T * BUSY_N / (ms / 1e3)
        print(f"  {what:34s} {cap:10,.0f} chars/s  {cap / ref_median:5.1f}x")

    print(f"\n| {'sampling (N=1, float64)':42s} | {'chars/s':>10s} | {'x ref':>6s} | target")
    print(f"| {'min-char-rnn sample: np.random.choice':42s} | {s_ref:10,.0f} | {1:6.1f} |")
    print(f"| {'rnnlib.sample':42s} | {s_lib:10,.0f} | {s_x:6.1f} | >= 2x: "
          f"{'met' if s_x >= 2 else 'NOT met'}")
    print("\nchars/s: each run's best round. x ref: the median over rounds of the ratio to the "
          "reference measured in the same round; spread: the lowest and highest of those ratios.")

    if args.no_busy:
        return
    busy = busy_core(seconds, repeats)
    print(f"\nOne core busy: training at N={BUSY_N} float64, chars/s (median of {repeats} "
          f"rounds, each mode in its own process), without and with a process spinning on "
          f"one core:")
    print(f"| {'BLAS threads':24s} | {'idle':>10s} | {'one core busy':>13s} |")
    print(f"|{'-' * 26}|{'-' * 12}|{'-' * 15}|")
    for mode in BUSY_MODES:
        print(f"| {mode:24s} | {np.median(busy[False, mode]):10,.0f} | "
              f"{np.median(busy[True, mode]):13,.0f} |")
    for busy_now in (False, True):
        one = busy[busy_now, "OPENBLAS_NUM_THREADS=1"]
        mine = np.divide(busy[busy_now, "rnnlib's default"], one)
        numpy_default = np.divide(busy[busy_now, "numpy's default"], one)
        where = "one core busy" if busy_now else "idle"
        target = (f"; >= 0.85: {'met' if np.median(mine) >= 0.85 else 'NOT met'}"
                  if busy_now else "")
        print(f"{where}: rnnlib's default / one forced BLAS thread = {np.median(mine):.2f} "
              f"(rounds {mine.min():.2f}-{mine.max():.2f}){target}; numpy's default / one "
              f"forced = {np.median(numpy_default):.2f} "
              f"(rounds {numpy_default.min():.2f}-{numpy_default.max():.2f})")


if __name__ == "__main__":
    main()
