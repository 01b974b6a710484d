"""How fast does rnnlib train and sample, against a plain min-char-rnn style loop?

    python benchmarks/speed.py                     # about two minutes, one BLAS thread
    python benchmarks/speed.py --quick             # a rough look in ~30 s
    OPENBLAS_NUM_THREADS=2 python benchmarks/speed.py   # OpenBLAS's default on two cores
    python benchmarks/speed.py --torch-python /path/to/venv/bin/python   # add torch.nn.RNN

Work measured, all on the python_docs corpus with hidden size H = 100 and seq_length 25:
one training iteration is forward, backward, clipping and Adagrad, counted in characters
of training text per second (T * N per iteration). The reference is the same maths written
the way min-char-rnn writes it: one time step at a time, dense one-hot column vectors,
float64, N = 1. Every rate is the best of several rounds, because other programs share the
machine; the best round is the one least disturbed by them. Every "times the reference" is
the median, over rounds, of the two rates measured side by side in the same round.
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

# One BLAS thread unless told otherwise: the threads=2 rows split the batch over the cores
# themselves, and OpenBLAS's own threads would fight them for the same cores. To time
# OpenBLAS's default instead, run with OPENBLAS_NUM_THREADS set to the number of cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import rnnlib  # noqa: E402
from rnnlib import TrainConfig, Trainer  # noqa: E402

H, T = 100, 25


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


# ---- the reference: min-char-rnn's loop, one step at a time, dense one-hot ------------
def reference_trainer(data: list[int], V: int):
    rng = np.random.default_rng(0)
    Wxh, Whh, Why = (rng.standard_normal(s) * 0.01 for s in ((H, V), (H, H), (V, H)))
    bh, by = np.zeros((H, 1)), np.zeros((V, 1))
    params = [Wxh, Whh, Why, bh, by]
    mem = [np.zeros_like(p) for p in params]
    pos = {"p": 0, "h": np.zeros((H, 1))}

    def iteration() -> int:
        p = pos["p"]
        if p + T + 1 >= len(data):
            p, pos["h"] = 0, np.zeros((H, 1))
        inputs, targets = data[p:p + T], data[p + 1:p + T + 1]
        xs, hs, ps = {}, {-1: np.copy(pos["h"])}, {}
        loss = 0.0
        for t in range(T):
            xs[t] = np.zeros((V, 1))
            xs[t][inputs[t]] = 1
            hs[t] = np.tanh(Wxh @ xs[t] + Whh @ hs[t - 1] + bh)
            y = Why @ hs[t] + by
            ps[t] = np.exp(y) / np.sum(np.exp(y))      # as min-char-rnn: no max subtracted
            loss += -np.log(ps[t][targets[t], 0])
        grads = [np.zeros_like(q) for q in params]
        dWxh, dWhh, dWhy, dbh, dby = grads
        dh_next = np.zeros((H, 1))
        for t in reversed(range(T)):
            dy = ps[t].copy()
            dy[targets[t]] -= 1
            dWhy += dy @ hs[t].T
            dby += dy
            dh_raw = (1 - hs[t] * hs[t]) * (Why.T @ dy + dh_next)
            dbh += dh_raw
            dWxh += dh_raw @ xs[t].T
            dWhh += dh_raw @ hs[t - 1].T
            dh_next = Whh.T @ dh_raw
        for q, g, m in zip(params, grads, mem):
            np.clip(g, -5, 5, out=g)
            m += g * g
            q -= 0.1 * g / np.sqrt(m + 1e-8)
        pos["p"], pos["h"] = p + T, hs[T - 1]
        return T
    return iteration


def rnnlib_trainer(text: str, N: int, dtype: str, threads: int = 1):
    cfg = TrainConfig(hidden_size=H, seq_length=T, batch_size=N, dtype=dtype, sample_every=0,
                      threads=threads)
    tr = Trainer(text, cfg)

    def iteration() -> int:
        tr.train(1)
        return T * N
    return iteration


# ---- sampling --------------------------------------------------------------------------
def reference_sampler(model, n: int = 200):
    P = {k: v for k, v in model.params.items()}
    V = model.vocab_size
    rs = np.random.RandomState(0)

    def run() -> int:
        h, ix = np.zeros((H, 1)), 0
        for _ in range(n):
            x = np.zeros((V, 1))
            x[ix] = 1
            h = np.tanh(P["Wxh"] @ x + P["Whh"] @ h + P["bh"])
            y = P["Why"] @ h + P["by"]
            p = np.exp(y) / np.sum(np.exp(y))
            ix = rs.choice(range(V), p=p.ravel())
        return n
    return run


def rnnlib_sampler(model, n: int = 200):
    rng = np.random.default_rng(0)
    return lambda: len(rnnlib.sample(model, None, 0, n, rng=rng))


# ---- the machine's limit ---------------------------------------------------------------
def peak_run(dtype, n: int = 2048):
    a = np.random.default_rng(0).standard_normal((n, n)).astype(dtype)

    def run() -> int:
        a @ a
        return 2 * n ** 3
    return run


def breakdown(V: int, N: int, dtype, seconds: float, repeats: int) -> dict:
    """Milliseconds per training iteration spent in the pieces that dominate, timed alone
    at the sizes one iteration uses: the output layer's three products (done on blocks of
    columns, as RNN.loss_and_grads does), dWhh's product over all T steps, the 2T products
    inside the forward and backward time loops, tanh and the softmax's exp."""
    rng = np.random.default_rng(0)
    hs = rng.standard_normal((T * N, H)).astype(dtype) * 0.5
    dys = rng.standard_normal((V, T * N)).astype(dtype)
    Why = rng.standard_normal((V, H)).astype(dtype) * 0.1
    Whh = rng.standard_normal((H, H)).astype(dtype) * 0.1
    h, out = hs[:N], np.empty((N, H), dtype=dtype)
    cols = max(1, rnnlib.rnn._OUTPUT_COLUMNS // N) * N
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
print(json.dumps({"version": torch.__version__, "rate": best}))
"""


def torch_rate(python: str, data: np.ndarray, V: int, N: int, seconds: float,
               repeats: int) -> tuple[str, float] | None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data.npy"
        np.save(path, data)
        res = subprocess.run([python, "-c", TORCH_CODE, str(path), str(V), str(N),
                              str(seconds), str(repeats)],
                             capture_output=True, text=True)
    if res.returncode != 0:
        print(f"torch run failed: {res.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
        return None
    out = json.loads(res.stdout.strip().splitlines()[-1])
    return out["version"], out["rate"]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="shorter runs, fewer batch sizes")
    ap.add_argument("--seconds", type=float, default=None, help="length of one timed run")
    ap.add_argument("--repeats", type=int, default=None, help="timed runs per figure")
    ap.add_argument("--torch-python", default=None,
                    help="a Python that has torch, to time torch.nn.RNN on the same work")
    args = ap.parse_args(argv)
    seconds = args.seconds or (0.3 if args.quick else 0.5)
    repeats = args.repeats or (3 if args.quick else 8)
    batches = [128, 256, 512] if args.quick else [64, 128, 256, 512, 1024]
    threaded = [256, 512] if args.quick else [256, 512, 1024, 2048]
    blas1 = os.environ.get("OPENBLAS_NUM_THREADS") == "1"

    text = rnnlib.data.load("python_docs")
    vocab = rnnlib.Vocab.from_text(text)
    V, data = len(vocab), vocab.encode(text)
    fpc = flops_per_char(V)
    print(f"python_docs: {len(text):,} characters, V = {V}, H = {H}, seq_length = {T}; "
          f"{repeats} rounds of {seconds:g} s runs; OPENBLAS_NUM_THREADS="
          f"{os.environ.get('OPENBLAS_NUM_THREADS', '(not set)')}")

    model = rnnlib.RNN(V, H, seed=0)
    runs = {"ref": reference_trainer(data.tolist(), V),
            (1, "float64"): rnnlib_trainer(text, 1, "float64"),
            (32, "float64"): rnnlib_trainer(text, 32, "float64")}
    runs.update({(N, "float32"): rnnlib_trainer(text, N, "float32") for N in batches})
    runs.update({(N, "float32", 2): rnnlib_trainer(text, N, "float32", 2) for N in threaded})
    runs.update({"peak32": peak_run(np.float32), "peak64": peak_run(np.float64),
                 "sample_ref": reference_sampler(model), "sample": rnnlib_sampler(model)})
    rounds = round_rates(runs, seconds, repeats)
    rate = {name: max(r) for name, r in rounds.items()}         # each run's best round
    ref, peak32, peak64 = rate["ref"], rate["peak32"], rate["peak64"]
    cores = os.cpu_count() or 1
    if blas1:        # one BLAS thread measures one core: the machine has `cores` of them
        peak32, peak64 = peak32 * cores, peak64 * cores
    limit32 = peak32 / fpc
    f32 = {N: rate[(N, "float32")] for N in batches}
    best_N = max(f32, key=f32.get)
    # rows: (what, best chars/s, times the reference, target)
    rows = [("reference loop (N=1, float64, dense one-hot)", ref, 1.0, "")]
    for N, times in [(1, 3), (32, 15)]:
        x = speedup(rounds, (N, "float64"), "ref")
        rows.append((f"rnnlib N={N} float64", rate[(N, "float64")], x,
                     f">= {times}x reference: {'met' if x >= times else 'NOT met'}"))
    rows += [(f"rnnlib N={N} float32", rate[(N, "float32")], speedup(rounds, (N, "float32"),
                                                                     "ref"), "") for N in batches]
    rows += [(f"rnnlib N={N} float32, threads=2", rate[(N, "float32", 2)],
              speedup(rounds, (N, "float32", 2), "ref"),
              "" if blas1 else "(wants OPENBLAS_NUM_THREADS=1)") for N in threaded]
    best = max((r, i) for i, (what, r, _, _) in enumerate(rows) if "float32" in what)[1]
    rows[best] = rows[best][:3] + ("best float32; >= 500,000 chars/s: " +
                                   ("met" if rows[best][1] >= 500_000 else "NOT met"),)
    s_ref, s_lib = rate["sample_ref"], rate["sample"]
    s_x = speedup(rounds, "sample", "sample_ref")

    torch_row = None
    if args.torch_python:
        torch_row = torch_rate(args.torch_python, data, V, best_N, seconds, repeats)
    else:
        try:
            import torch  # noqa: F401  (never a dependency; used only if present)
            torch_row = torch_rate(sys.executable, data, V, best_N, seconds, repeats)
        except ImportError:
            pass

    print(f"\nMatrix FLOPs per character: 6 H^2 + 6 V H = {fpc:,}")
    print(f"Peak np.matmul (2048 x 2048): float32 {peak32 / 1e9:.1f} GFLOP/s, "
          f"float64 {peak64 / 1e9:.1f} GFLOP/s" +
          (f" ({cores} x one core's, since BLAS runs one thread)" if blas1 else ""))
    print(f"FLOP-bound limit in float32: {limit32:,.0f} characters/s\n")
    print(f"| {'training':46s} | {'chars/s':>10s} | {'x ref':>6s} | {'of limit':>8s} | target")
    print(f"|{'-' * 48}|{'-' * 12}|{'-' * 8}|{'-' * 10}|-------")
    for what, r, x, status in rows:
        frac = r / (peak64 / fpc if "float64" in what else limit32)
        print(f"| {what:46s} | {r:10,.0f} | {x:6.1f} | {frac:8.1%} | {status}")
    if torch_row:
        version, r = torch_row
        print(f"| {f'torch {version} nn.RNN N={best_N} float32':46s} | {r:10,.0f} | "
              f"{r / ref:6.1f} | {r / limit32:8.1%} | (one-hot input, for comparison)")
    parts = breakdown(V, best_N, np.float32, seconds, repeats)
    total = 1e3 * T * best_N / f32[best_N]
    print(f"\nOne iteration at N={best_N} float32 (threads=1) takes {total:.1f} ms; timed "
          f"alone, its pieces take:")
    for what, ms in parts.items():
        print(f"  {what:34s} {ms:6.2f} ms  ({ms / total:4.0%})")
    rest = total - sum(parts.values())
    print(f"  {'everything else':34s} {rest:6.2f} ms  ({rest / total:4.0%})")

    print(f"\n| {'sampling (N=1, float64)':46s} | {'chars/s':>10s} | {'x ref':>6s} | target")
    print(f"| {'plain loop: one-hot x, np.random.choice':46s} | {s_ref:10,.0f} | {1:6.1f} |")
    print(f"| {'rnnlib.sample':46s} | {s_lib:10,.0f} | {s_x:6.1f} | >= 2x: "
          f"{'met' if s_x >= 2 else 'NOT met'}")
    print("\nchars/s: each run's best round. x ref: the median over rounds of the ratio to the "
          "reference measured in the same round.")


if __name__ == "__main__":
    main()
