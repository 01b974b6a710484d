"""Execute notebooks and save every image they show (cell outputs and images inside widget
Output areas) as PNG files, to look at what a learner sees.

    python scripts/render_pngs.py notebooks/02_hidden_layer.ipynb [...] --out build/png
"""
from __future__ import annotations

import argparse
import base64
from pathlib import Path

import build_site            # this folder's site builder: it runs notebooks the same way


def _pngs_of(outputs):
    for o in outputs:
        data = o.get("data", {})
        if "image/png" in data:
            yield data["image/png"]


def render(path: Path, out_dir: Path) -> list[Path]:
    nb, _ = build_site.execute(path, timeout=600)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []

    def save(b64, name):
        f = out_dir / name
        f.write_bytes(base64.b64decode(b64))
        written.append(f)

    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            for k, b64 in enumerate(_pngs_of(cell.outputs)):
                save(b64, f"{path.stem}_cell{i:02d}_{k}.png")
    state = nb.metadata.get("widgets", {}).get(
        "application/vnd.jupyter.widget-state+json", {}).get("state", {})
    for j, (mid, model) in enumerate(state.items()):
        outs = model.get("state", {}).get("outputs", [])
        for k, b64 in enumerate(_pngs_of(outs)):
            save(b64, f"{path.stem}_widget{j:02d}_{k}.png")
    return written


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("notebooks", nargs="+", type=Path)
    ap.add_argument("--out", type=Path, default=Path("build/png"))
    args = ap.parse_args()
    for nb in args.notebooks:
        for f in render(nb, args.out):
            print(f)
