"""Render the course as a static website that reads offline: every notebook executed, as an
HTML page and as reveal.js slides, with an index.

    .venv/bin/python scripts/build_site.py            # or ./site.sh; writes site/
    .venv/bin/python scripts/build_site.py --fresh    # execute every notebook again

Each page shows the notebook as it looks after "Run all": text, maths, code, printed
values, plots, and each widget's last view (the widget state that nbclient keeps is
embedded in the page). The set-up cell, which does nothing where rnnlib is installed, is
left out of the pages and of the slides (site/slides/NN_name.slides.html). Links between notebooks
(``NN_name.ipynb#anchor``) become links between the pages, and every local link is checked.

No page asks another host for anything: MathJax, require.js, the widget renderer
(@jupyter-widgets/html-manager), reveal.js and jQuery are served from site/vendor/. They
are taken from the npm registry with ``npm pack`` the first time (pinned versions, checked
against their sha512) and kept in build/vendor/, so later builds need no network. The
Binder and Colab badge images become plain labels; their links stay. Hangul is drawn with
the NanumGothic that rnnlib's plots use (site/vendor/fonts/), so Korean reads on a machine
with no Korean font.

Executing is the slow part, so executed notebooks are kept in build/executed/ and reused
while neither the notebook nor rnnlib nor data/ has changed since (tests/test_notebooks.py
writes them there too, so CI runs each notebook once). A notebook that fails to run is
reported with its cell and error, its page shows what ran up to the error, and the build
exits with status 1 after finishing the other pages.
"""
from __future__ import annotations

import argparse
import functools
import hashlib
import html
import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat

from rnnlib._io import write_text_atomic
from site_assets import HANGUL_FONT, VENDOR, VendorError, install_assets, install_hangul_font

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


# --- pages and slides ----------------------------------------------------------------------

def asset_urls(prefix: str) -> dict[str, str]:
    """Where a page whose folder is ``prefix`` away from site/ finds each asset."""
    v = f"{prefix}{VENDOR}"
    return {"require_js_url": f"{v}/require/require.js",
            "mathjax_url": f"{v}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
            "widget_renderer_url": f"{v}/html-manager/dist/embed-amd.js",
            "jquery_url": f"{v}/jquery/dist/jquery.min.js",
            "widget_assets": f"{v}/html-manager/dist/",
            "reveal": f"{v}/reveal.js",
            "hangul_font": f"{v}/{HANGUL_FONT}"}


# Both templates drop nbconvert's mermaid loader (the course has no diagrams; it names a
# CDN), tell the widget renderer where its fonts are, and never fall back to a CDN for a
# widget module it does not bundle (it would look in vendor/, and fail where one can see).
# Text, code and widgets draw Hangul from the site's own NanumGothic (only those code points
# come from it), so Korean reads on a machine with no Korean font.
_HEAD = """{% block html_head_js %}
{{ super() }}
<script data-jupyter-widgets-cdn="{{ resources.rnn_vendor.widget_assets }}modules/"
        data-jupyter-widgets-cdn-only>
window.__jupyter_widgets_assets_path__ = "{{ resources.rnn_vendor.widget_assets }}";
</script>
<style>@font-face { font-family: "Hangul (NanumGothic)"; font-display: swap;
  src: url("{{ resources.rnn_vendor.hangul_font }}") format("truetype");
  unicode-range: U+1100-11FF, U+3130-318F, U+A960-A97F, U+AC00-D7AF, U+D7B0-D7FF; }
body { --jp-ui-font-family: "Hangul (NanumGothic)", system-ui, -apple-system, "Segoe UI",
         helvetica, arial, sans-serif;
       --jp-content-font-family: "Hangul (NanumGothic)", system-ui, -apple-system,
         "Segoe UI", helvetica, arial, sans-serif;
       --jp-code-font-family: "Hangul (NanumGothic)", menlo, consolas, "DejaVu Sans Mono",
         monospace; }
.reveal { font-family: "Hangul (NanumGothic)", "Source Sans Pro", helvetica, sans-serif; }
.widget-subarea { font-family: var(--jp-ui-font-family); }
.widget-subarea input, .widget-subarea textarea, .widget-subarea button,
.widget-subarea select { font-family: inherit; }
.widget-subarea code, .widget-subarea pre { font-family: var(--jp-code-font-family); }
.reveal pre, .reveal code, .reveal pre *, .reveal code * {
  font-family: "Hangul (NanumGothic)", menlo, consolas, "DejaVu Sans Mono", monospace !important; }
.rnn-badge { display: inline-block; padding: 0 .45em; border: 1px solid currentColor;
  border-radius: .3em; font-size: 85%; line-height: 1.5; }</style>
{% endblock html_head_js %}
{% block html_head_js_mermaidjs %}{% endblock html_head_js_mermaidjs %}
"""
TEMPLATES = {"rnn_page.html.j2": "{%- extends 'lab/index.html.j2' -%}\n" + _HEAD,
             "rnn_slides.html.j2": "{%- extends 'reveal/index.html.j2' -%}\n" + _HEAD}


@functools.lru_cache(maxsize=4)
def _exporter(kind: str, prefix: str):
    import jinja2
    from nbconvert import HTMLExporter, SlidesExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    urls = asset_urls(prefix)
    common = dict(extra_loaders=[jinja2.DictLoader(TEMPLATES)],
                  require_js_url=urls["require_js_url"], mathjax_url=urls["mathjax_url"],
                  widget_renderer_url=urls["widget_renderer_url"],
                  jquery_url=urls["jquery_url"])
    if kind == "slides":
        exporter = SlidesExporter(template_name="reveal", template_file="rnn_slides.html.j2",
                                  reveal_url_prefix=urls["reveal"], reveal_theme="white",
                                  reveal_scroll=True, **common)   # tall slides scroll
    else:
        exporter = HTMLExporter(template_name="lab", template_file="rnn_page.html.j2", **common)
    remove = TagRemovePreprocessor(remove_cell_tags={"setup"}, enabled=True)
    exporter.register_preprocessor(remove, enabled=True)
    return exporter


# href="[folder/]NN_name.ipynb[#anchor]" with no scheme: a link to another notebook.
_NB_HREF = re.compile(r'href="(?![A-Za-z][A-Za-z0-9+.-]*:)(?:[^"#?]*/)?'
                      r'(\d\d_[^"/#?]+)\.ipynb(#[^"]*)?"')
# <img src="http(s)://..."> in markdown (the Binder and Colab badges): kept as a label.
_REMOTE_IMG = re.compile(r'<img\b[^>]*?\bsrc="(?:https?:)?//[^"]*"[^>]*>', re.I)
_ALT = re.compile(r'\balt="([^"]*)"', re.I)


def localize(page_html: str, link_suffix: str = ".html") -> str:
    """Links to notebooks become links to their pages (``NN_name{link_suffix}#anchor``);
    remote images become labels with their alt text, so the page fetches nothing."""
    page_html = _NB_HREF.sub(lambda m: f'href="{m[1]}{link_suffix}{m[2] or ""}"', page_html)

    def label(m):
        alt = _ALT.search(m[0])
        return f'<span class="rnn-badge">{alt[1] if alt else "link"}</span>'
    return _REMOTE_IMG.sub(label, page_html)


def to_html(nb, title: str, kind: str = "page", prefix: str = "") -> str:
    """One notebook as a standalone HTML page (JupyterLab's look) or reveal.js slides
    (``kind="slides"``), set-up cell left out. ``prefix`` leads from the file's folder to
    site/ (``"../"`` for the slides)."""
    body, _ = _exporter(kind, prefix).from_notebook_node(
        nb, resources={"metadata": {"name": title}, "rnn_vendor": asset_urls(prefix)})
    return localize(body, ".slides.html" if kind == "slides" else ".html")


# --- checking the links of the written site ------------------------------------------------

class _Refs(HTMLParser):
    """The ids of a page, and the local files and anchors it refers to."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if a.get(key):
                self.ids.add(a[key])
        for key in ("href", "src"):
            if a.get(key):
                self.refs.append(a[key])


def page_refs(path: Path) -> _Refs:
    p = _Refs()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def broken_links(out: Path) -> list[str]:
    """Every local href/src of the site's pages (not vendor/) whose file or anchor is missing."""
    pages = [p for p in out.rglob("*.html") if VENDOR not in p.relative_to(out).parts[:1]]
    parsed: dict[Path, _Refs] = {}

    def refs(path):
        if path not in parsed:
            parsed[path] = page_refs(path)
        return parsed[path]

    problems = []
    for page in sorted(pages):
        for ref in refs(page).refs:
            parts = urlsplit(ref)
            if parts.scheme or parts.netloc:        # http(s), mailto, data: not a local file
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            where = f"{page.relative_to(out)}: {ref}"
            if not target.is_file():
                problems.append(f"{where} (no file {target.name})")
            elif parts.fragment and target.suffix == ".html":
                # nbconvert writes heading ids percent-encoded; a browser tries the
                # fragment as written, then decoded ("#/" is reveal.js's form).
                ids = {unquote(i) for i in refs(target).ids}
                if unquote(parts.fragment.removeprefix("/")) not in ids:
                    problems.append(f"{where} (no #{parts.fragment} on that page)")
    return problems


# --- the whole site ------------------------------------------------------------------------

@dataclass
class Page:
    source: Path
    title: str
    html_name: str
    error: str = ""
    seconds: float | None = None
    reused: bool = False

    @property
    def slides_name(self) -> str:
        return f"slides/{Path(self.html_name).stem}.slides.html"


INDEX_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK KR",
       sans-serif; max-width: 46rem; margin: 3rem auto; padding: 0 1.2rem; line-height: 1.5;
       color: #1f2328; }
h1 { margin-bottom: .2rem; }
ol { padding-left: 0; list-style: none; }
li { margin: .45rem 0; padding: .55rem .8rem; border: 1px solid #d0d7de; border-radius: 6px; }
li a { font-weight: 600; text-decoration: none; color: #0b57d0; }
li a:hover { text-decoration: underline; }
li a.slides { font-weight: normal; font-size: .85rem; margin-left: .6rem; }
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
                     f'<a href="{html.escape(p.html_name)}">{html.escape(p.title)}</a>'
                     f'<a class="slides" href="{html.escape(p.slides_name)}">slides</a>'
                     f'{note}</li>')
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title>\n<style>{INDEX_CSS}</style>\n</head>\n<body>\n"
            f"<h1>{html.escape(title)}</h1>\n"
            f"<p>A course that builds a character-level recurrent neural network piece by "
            f"piece in numpy. Each page below is one notebook, shown after running it top to "
            f"bottom, and each has slides for a lecture (arrow keys to move, S for the "
            f"speaker view). Everything here works without a network; open a notebook in "
            f"Binder or Colab (links at the top of each page) to change the code and move "
            f"the widgets yourself.</p>\n"
            f'<ol>\n{chr(10).join(items)}\n</ol>\n</body>\n</html>\n')


def build(out: Path = SITE_DIR, sources: list[Path] | None = None, reuse: bool = True,
          executed_dir: Path = EXECUTED_DIR, timeout: int = 300,
          vendor_cache: Path | None = None, log=print) -> list[Page]:
    """Execute (or reuse) and render every notebook into ``out`` as a page and as slides,
    with the assets they load in ``out``/vendor/; return the pages."""
    from nbclient.exceptions import CellExecutionError
    sources = notebooks() if sources is None else sources
    out.mkdir(parents=True, exist_ok=True)
    (out / "slides").mkdir(exist_ok=True)
    install_assets(out, vendor_cache)        # first: a missing asset stops before any run
    install_hangul_font(out, warn=log)
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
        write_text_atomic(out / page.html_name, to_html(nb, page.title))
        write_text_atomic(out / page.slides_name, to_html(nb, page.title, "slides", "../"))
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
    ap.add_argument("--vendor-cache", type=Path, default=None,
                    help="where the npm tarballs of MathJax, require.js, the widget renderer, "
                         "reveal.js and jQuery are kept (default build/vendor)")
    ap.add_argument("--timeout", type=int, default=300, help="seconds allowed per cell")
    ap.add_argument("notebooks", nargs="*", type=Path,
                    help="only these notebooks (default: all of notebooks/)")
    args = ap.parse_args(argv)
    sources = [p.resolve() for p in args.notebooks] or None
    if sources and args.out == SITE_DIR:
        print("note: building only some pages; the index lists only those.", file=sys.stderr)
    try:
        pages = build(args.out, sources, reuse=not args.fresh, executed_dir=args.executed_dir,
                      timeout=args.timeout, vendor_cache=args.vendor_cache)
    except VendorError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    failed = [p for p in pages if p.error]
    broken = broken_links(args.out)
    for b in broken:
        print(f"✘ broken link in {b}", file=sys.stderr)
    print(f"{len(pages) - len(failed)} of {len(pages)} notebooks rendered to "
          f"{args.out / 'index.html'} (slides in {args.out / 'slides'})"
          + (f"; {len(failed)} did not run to the end" if failed else "")
          + (f"; {len(broken)} broken links" if broken else ""))
    return 1 if failed or broken or not pages else 0


if __name__ == "__main__":
    sys.exit(main())
