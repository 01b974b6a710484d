"""Render the course as a static website: every notebook executed, as HTML, with an index.

    .venv/bin/python scripts/build_site.py            # or ./site.sh; writes site/
    .venv/bin/python scripts/build_site.py --fresh    # execute every notebook again

Each page shows the notebook as it looks after "Run all": text, maths, code, printed
values, plots, and each widget's last view (the widget state that nbclient keeps is
embedded in the page). The set-up cell, which does nothing outside Colab, is left out.

Executing is the slow part, so executed notebooks are kept in build/executed/ and reused
while neither the notebook nor rnnlib nor data/ has changed since (tests/test_notebooks.py
writes them there too, so CI runs each notebook once). A notebook that fails to run is
reported with its cell and error, its page shows what ran up to the error, and the build
exits with status 1 after finishing the other pages.

The pages load MathJax, require.js and the widget renderer (@jupyter-widgets/html-manager)
from public CDNs, as nbconvert's pages do. For a copy that works without internet, serve
require.js and the html-manager's dist/embed-amd.js next to the site and pass their URLs
with --require-js and --widgets-js.
"""
from __future__ import annotations

import argparse
import functools
import hashlib
import html
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from rnnlib._io import write_text_atomic

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
EXECUTED_DIR = ROOT / "build" / "executed"
SITE_DIR = ROOT / "site"
STAMP = "rnnlib_course"  # notebook metadata key of the stamp on an executed copy


def notebooks(folder: Path = NOTEBOOK_DIR) -> list[Path]:
    """The course's notebooks in order: NN_name.ipynb."""
    return sorted(folder.glob("[0-9][0-9]_*.ipynb"))


def fingerprint(path: Path) -> str:
    """What an executed copy of ``path`` depends on: the notebook, rnnlib and data/."""
    h = hashlib.sha256(path.read_bytes())
    for f in sorted([*(ROOT / "rnnlib").rglob("*.py"), *(ROOT / "data").rglob("*")]):
        if f.is_file() and "__pycache__" not in f.parts:
            h.update(str(f.relative_to(ROOT)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def title_of(nb) -> str:
    """The notebook's first '# ' heading (its title), or '' if it has none."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


def execute(path: Path, kernel_name: str = "python3", timeout: int = 300, nb=None):
    """Run a notebook top to bottom in a fresh kernel, keeping the widget state.

    Returns (notebook, seconds). Pass ``nb`` (read from ``path``) to keep the outputs up
    to a failing cell: nbclient's CellExecutionError is raised at the first error, and
    ``nb`` is filled in place up to there. A kernel message that gets lost is noticed within
    seconds and the notebook is run once more in a new kernel, with a LostReplyWarning that
    names the notebook, cell and message (scripts/kernel_run.py; its ``history`` keeps the
    details of every run).
    """
    here = str(Path(__file__).resolve().parent)
    if here not in sys.path:  # kernel_run sits beside this file
        sys.path.insert(0, here)
    import kernel_run
    nb, run = kernel_run.run_notebook(path, kernel_name=kernel_name, timeout=timeout, nb=nb)
    return nb, run.seconds


def save_executed(nb, source: Path, folder: Path, seconds: float, stamp: str) -> Path:
    """Keep an executed notebook, stamped with what it was run from (written atomically).

    ``stamp`` is ``fingerprint(source)`` taken before the run, so an edit made while it
    ran makes the copy stale rather than wrongly current.
    """
    folder.mkdir(parents=True, exist_ok=True)
    nb.metadata[STAMP] = {"fingerprint": stamp, "seconds": round(seconds, 2)}
    return write_text_atomic(folder / source.name, nbformat.writes(nb))


def load_executed(source: Path, folder: Path = EXECUTED_DIR):
    """The kept executed copy of ``source`` if it is still current, else None."""
    f = folder / source.name
    if not f.exists():
        return None
    try:
        nb = nbformat.read(f, as_version=4)
    except Exception:  # a half-written or foreign file: execute again
        return None
    if nb.metadata.get(STAMP, {}).get("fingerprint") != fingerprint(source):
        return None
    return nb


def first_error(nb) -> str:
    for i, cell in enumerate(nb.cells):
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                return f"cell {i}: {o.get('ename')}: {o.get('evalue')}"
    return ""


@functools.lru_cache(maxsize=4)
def _exporter(widgets_js: str, require_js: str):
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    exporter = HTMLExporter(template_name="lab")
    if widgets_js:
        exporter.widget_renderer_url = widgets_js
    if require_js:
        exporter.require_js_url = require_js
    remove = TagRemovePreprocessor(remove_cell_tags={"setup"}, enabled=True)
    exporter.register_preprocessor(remove, enabled=True)
    return exporter


def to_html(nb, title: str, widgets_js: str = "", require_js: str = "") -> str:
    """One notebook as a standalone HTML page (JupyterLab's look), set-up cell left out."""
    body, _ = _exporter(widgets_js, require_js).from_notebook_node(
        nb, resources={"metadata": {"name": title}})
    return body


@dataclass
class Page:
    source: Path
    title: str
    html_name: str
    error: str = ""
    seconds: float | None = None
    reused: bool = False


INDEX_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK KR",
       sans-serif; max-width: 46rem; margin: 3rem auto; padding: 0 1.2rem; line-height: 1.5;
       color: #1f2328; }
h1 { margin-bottom: .2rem; }
ol { padding-left: 0; list-style: none; }
li { margin: .45rem 0; padding: .55rem .8rem; border: 1px solid #d0d7de; border-radius: 6px; }
li a { font-weight: 600; text-decoration: none; color: #0b57d0; }
li a:hover { text-decoration: underline; }
.failed { border-color: #b3261e; }
.failed .note { color: #b3261e; }
.note { font-size: .85rem; color: #59636e; }
"""


def index_html(pages: list[Page], title: str = "RNNs from scratch") -> str:
    items = []
    for p in pages:
        note = (f'<div class="note">did not run to the end: {html.escape(p.error)}</div>'
                if p.error else "")
        items.append(f'<li class="{"failed" if p.error else "ok"}">'
                     f'<a href="{html.escape(p.html_name)}">{html.escape(p.title)}</a>{note}</li>')
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title>\n<style>{INDEX_CSS}</style>\n</head>\n<body>\n"
            f"<h1>{html.escape(title)}</h1>\n"
            f"<p>A course that builds a character-level recurrent neural network piece by "
            f"piece in numpy. Each page below is one notebook, shown after running it top to "
            f"bottom; open it in Binder or Colab (links at the top of each page) to change "
            f"the code and move the widgets yourself.</p>\n"
            f'<ol>\n{chr(10).join(items)}\n</ol>\n</body>\n</html>\n')


def build(out: Path = SITE_DIR, sources: list[Path] | None = None, reuse: bool = True,
          executed_dir: Path = EXECUTED_DIR, timeout: int = 300, widgets_js: str = "",
          require_js: str = "", log=print) -> list[Page]:
    """Execute (or reuse) and render every notebook into ``out``; return the pages."""
    from nbclient.exceptions import CellExecutionError
    sources = notebooks() if sources is None else sources
    out.mkdir(parents=True, exist_ok=True)
    pages = []
    for src in sources:
        page = Page(src, src.stem, src.stem + ".html")
        nb = load_executed(src, executed_dir) if reuse else None
        if nb is not None:
            page.reused = True
        else:
            stamp = fingerprint(src)
            nb = nbformat.read(src, as_version=4)
            try:
                _, page.seconds = execute(src, timeout=timeout, nb=nb)
                save_executed(nb, src, executed_dir, page.seconds, stamp)
            except CellExecutionError as e:
                page.error = first_error(nb) or str(e).strip().splitlines()[-1]
            except Exception as e:  # a kernel that died or timed out: report, go on
                page.error = f"{type(e).__name__}: {e}"
        page.title = title_of(nb) or src.stem
        write_text_atomic(out / page.html_name, to_html(nb, page.title, widgets_js, require_js))
        how = ("reused" if page.reused else f"ran in {page.seconds:.1f} s"
               if page.seconds is not None else "FAILED")
        log(f"{'✘' if page.error else '✔'} {src.name}: {how}"
            + (f"\n    {page.error}" if page.error else ""))
        pages.append(page)
    write_text_atomic(out / "index.html", index_html(pages))
    return pages


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=SITE_DIR, help="output folder (default site/)")
    ap.add_argument("--fresh", action="store_true",
                    help="execute every notebook even if a current executed copy exists")
    ap.add_argument("--executed-dir", type=Path, default=EXECUTED_DIR,
                    help="where executed notebooks are kept and reused (default build/executed)")
    ap.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell")
    ap.add_argument("--widgets-js", default="",
                    help="URL of @jupyter-widgets/html-manager's embed-amd.js to use instead "
                         "of the CDN (e.g. a copy served next to the site)")
    ap.add_argument("--require-js", default="", help="URL of require.js instead of the CDN")
    ap.add_argument("notebooks", nargs="*", type=Path,
                    help="only these notebooks (default: all of notebooks/)")
    args = ap.parse_args(argv)
    sources = [p.resolve() for p in args.notebooks] or None
    if sources and args.out == SITE_DIR:
        print("note: building only some pages; the index lists only those.", file=sys.stderr)
    pages = build(args.out, sources, reuse=not args.fresh, executed_dir=args.executed_dir,
                  timeout=args.timeout,
                  widgets_js=args.widgets_js, require_js=args.require_js)
    failed = [p for p in pages if p.error]
    print(f"{len(pages) - len(failed)} of {len(pages)} notebooks rendered to "
          f"{args.out / 'index.html'}" + (f"; {len(failed)} did not run to the end"
                                          if failed else ""))
    return 1 if failed or not pages else 0


if __name__ == "__main__":
    sys.exit(main())
