"""Run notebooks as other computers would, and list the printed outputs that change.

    python scripts/other_kernels.py notebooks/07_sampling.ipynb notebooks/10_lstm.ipynb
    python scripts/other_kernels.py notebooks/*.ipynb --coretypes Haswell SandyBridge

A learner's computer (a laptop, Colab, Binder) multiplies matrices with other machine code
than ours, so sums come out in a different order and differ in the last bits. Training
makes such differences grow: a model trained for a few hundred iterations at learning rate
0.1 can end with a loss a few per cent away, and with other samples. Prose that quotes such
a number holds on our machine only.

OpenBLAS, numpy's matrix library, picks its code for the processor it finds; the
environment variable OPENBLAS_CORETYPE makes it use the code written for another one
(Haswell: AVX2, SandyBridge: AVX, Zen: AMD's). This script runs each notebook once as it
is and once per core type, each in a fresh kernel, and prints every code cell whose printed
text (not its images) differs between the runs, with the lines that differ. Read the
markdown next to those cells: it should say what holds in every run.
"""
from __future__ import annotations

import argparse
import difflib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORETYPES = ["Haswell", "SandyBridge", "Zen"]


def printed_text(path: Path) -> list[dict]:
    """Run ``path`` in a fresh kernel; the printed text of each code cell, in order."""
    sys.path.insert(0, str(HERE))
    from kernel_run import run_notebook
    nb, _ = run_notebook(path, timeout=600)
    cells = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        text = []
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream":
                text.append(o.get("text", ""))
            elif "text/plain" in o.get("data", {}) and "image/png" not in o["data"]:
                text.append(o["data"]["text/plain"])
        cells.append({"cell": i, "text": "".join(text)})
    return cells


def run_as(path: Path, coretype: str | None) -> list[dict]:
    """``printed_text(path)`` in a new Python whose OpenBLAS uses ``coretype``'s code
    (None: the code for this processor)."""
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    if coretype:
        env["OPENBLAS_CORETYPE"] = coretype
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cells.json"
        subprocess.run([sys.executable, __file__, "--collect", str(path), str(out)],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        return json.loads(out.read_text(encoding="utf-8"))


def differences(runs: dict[str, list[dict]]) -> list[tuple[int, str, list[str]]]:
    """(cell, core type, differing lines) for each cell whose text differs from the first
    run's."""
    (_, base), *others = runs.items()
    found = []
    for name, cells in others:
        for a, b in zip(base, cells):
            if a["text"] != b["text"]:
                lines = [d for d in difflib.unified_diff(a["text"].splitlines(),
                                                         b["text"].splitlines(),
                                                         lineterm="", n=0)
                         if d[:1] in "+-" and d[:3] not in ("+++", "---")]
                found.append((a["cell"], name, lines))
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("notebooks", nargs="*", type=Path)
    ap.add_argument("--coretypes", nargs="+", default=CORETYPES,
                    help=f"OpenBLAS core types to compare with (default: {' '.join(CORETYPES)})")
    ap.add_argument("--collect", nargs=2, metavar=("NOTEBOOK", "JSON"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.collect:
        nb, out = map(Path, args.collect)
        out.write_text(json.dumps(printed_text(nb), ensure_ascii=False), encoding="utf-8")
        return 0
    if not args.notebooks:
        ap.error("name at least one notebook, e.g. notebooks/07_sampling.ipynb")
    for path in args.notebooks:
        if not path.is_file():
            ap.error(f"{path} is not a file; give the path of a notebook (.ipynb)")
    total = 0
    for path in args.notebooks:
        runs = {"this processor": run_as(path, None)}
        runs.update({name: run_as(path, name) for name in args.coretypes})
        found = differences(runs)
        total += len(found)
        print(f"{path.name}: {len(found)} differing cell output(s) against "
              f"{', '.join(args.coretypes)}")
        for cell, name, lines in found:
            print(f"  cell {cell}, {name}:")
            for line in lines[:12]:
                print(f"    {line[:150]}")
            if len(lines) > 12:
                print(f"    ... {len(lines) - 12} more lines")
    print(f"\n{total} differing cell output(s) in {len(args.notebooks)} notebook(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
