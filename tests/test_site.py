"""The static course: scripts/build_site.py renders every notebook, executed, to HTML and to
reveal.js slides with an index, keeps the widgets' last view, reports a notebook that fails
and builds the rest, and writes a site that reads with no network at all.

The full build goes to test-artifacts/site/ and reuses the executed notebooks that
tests/test_notebooks.py left in build/executed/ (it runs whichever are missing or stale).
The browser test opens every page of it in Chromium with every non-local request blocked;
screenshots go to test-artifacts/site-*.png.
"""
from __future__ import annotations

import base64
import html
import json
import os
import re
import shutil
import stat
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import build_site  # noqa: E402
import site_assets  # noqa: E402
import nbtools  # noqa: E402

# Tests that build the course (executing notebooks) are marked "notebook", those that open it
# in Chromium "browser" as well; the rest are quick.
ARTIFACTS = ROOT / "test-artifacts"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def widget_state(page_html: str) -> dict:
    """The widget state embedded in a page: {model_id: model}."""
    m = re.search(rf'<script type="{re.escape(WIDGET_STATE)}">\s*(.*?)\s*</script>',
                  page_html, re.S)
    return json.loads(m.group(1))["state"] if m else {}  # raw script text: no entities


def output_pngs(state: dict) -> list[str]:
    """The PNG images shown inside the Output widgets of a widget state."""
    return [o["data"]["image/png"] for model in state.values()
            if model.get("model_name") == "OutputModel"
            for o in model.get("state", {}).get("outputs", [])
            if "image/png" in o.get("data", {})]


@pytest.fixture(scope="module")
def built_site():
    out = ARTIFACTS / "site"
    shutil.rmtree(out, ignore_errors=True)
    pages = build_site.build(out)
    return out, pages


def site_files(out: Path) -> list[Path]:
    """Every HTML file of the site a reader opens: the index, the pages, the slides."""
    return sorted(p for p in out.rglob("*.html") if p.relative_to(out).parts[0] != "vendor")


@pytest.mark.notebook
def test_every_notebook_becomes_a_page_and_slides_listed_in_order(built_site):
    out, pages = built_site
    sources = build_site.notebooks()
    assert [p.source for p in pages] == sources
    failed = [(p.source.name, p.error) for p in pages if p.error]
    assert not failed, f"notebooks that did not run to the end: {failed}"
    index = (out / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', index)
    titles = [build_site.title_of(nbformat.read(s, as_version=4)) for s in sources]
    assert links == [(s.stem + ".html", html.escape(t)) for s, t in zip(sources, titles)]
    assert all(t for t in titles), "every notebook should start with a '# ' title"
    slides = re.findall(r'<a class="slides" href="([^"]+)">', index)
    assert slides == [f"slides/{s.stem}.slides.html" for s in sources]
    assert all((out / s).is_file() for s in slides)


@pytest.mark.notebook
def test_pages_show_outputs_plots_and_widget_views_without_the_setup_cell(built_site):
    out, pages = built_site
    for p in pages:
        for f in (out / p.html_name, out / p.slides_name):
            page = f.read_text(encoding="utf-8")
            assert f"<title>{html.escape(p.title)}" in page, f.name
            assert "google.colab" not in page, f"{f.name} shows the set-up cell"
            assert "jp-OutputArea-output" in page, f"{f.name} has no outputs"
            state = widget_state(page)
            plots = page.count('src="data:image/png;base64,') + len(output_pngs(state))
            assert plots >= 1, f"{f.name} shows no plot"
            if "application/vnd.jupyter.widget-view+json" in page:
                assert state, f"{f.name} shows widgets but has no widget state to draw them"
                views = re.findall(r'"model_id": "([0-9a-f]+)"', page)
                assert views and all(v in state for v in views), \
                    f"{f.name}: a widget view refers to a model missing from the state"


# What a page must never load from another host: an asset URL with a host in it.
REMOTE_ASSET = re.compile(
    r"""<(?:script|img|iframe|source|video|audio|embed)\b[^>]*\bsrc\s*=\s*["']?(?:https?:)?//"""
    r"""|<link\b[^>]*\bhref\s*=\s*["']?(?:https?:)?//"""
    r"""|url\(\s*["']?(?:https?:)?//|@import\s+["']?(?:https?:)?//"""
    r"""|\bimport\s*\(?\s*["'](?:https?:)?//"""
    r"""|cdnjs\.cloudflare|unpkg\.com|cdn\.jsdelivr|fonts\.googleapis""", re.I)


@pytest.mark.notebook
def test_no_page_of_a_fresh_build_names_a_remote_asset(built_site):
    """Scanned as text: no <script src>, <img src>, <link href>, CSS url() or @import, or
    module import names another host, and no CDN is mentioned at all."""
    out, _ = built_site
    found = {f.name: sorted(set(m.group(0)[:80] for m in REMOTE_ASSET.finditer(
        f.read_text(encoding="utf-8")))) for f in site_files(out)}
    assert len(found) == 1 + 2 * len(build_site.notebooks())
    assert not {k: v for k, v in found.items() if v}, found
    for f in site_files(out):       # ...and what the pages load is there
        text = f.read_text(encoding="utf-8")
        for src in re.findall(r'<script[^>]*\bsrc="([^"]+)"', text):
            assert (f.parent / urlsplit(src).path).is_file(), f"{f.name}: {src}"


@pytest.mark.notebook
def test_the_site_files_get_the_umask_permissions(built_site):
    """A web server running as another user can read the site: 0o666 / 0o777 less the umask."""
    out, _ = built_site
    umask = _umask()
    wrong = [(str(p.relative_to(out)), oct(stat.S_IMODE(p.stat().st_mode)))
             for p in [out, *out.rglob("*")]
             if stat.S_IMODE(p.stat().st_mode) != (0o777 if p.is_dir() else 0o666) & ~umask]
    assert not wrong, f"under umask {oct(umask)}: {wrong[:10]}"


def _umask() -> int:
    from rnnlib._io import current_umask
    return current_umask()


def notebook_links(nb) -> list[str]:
    """Links from a notebook's markdown to notebooks, as written: 'NN_name.ipynb#anchor'."""
    return [f"{m[1]}.ipynb{m[2] or ''}" for c in nb.cells if c.cell_type == "markdown"
            for m in re.finditer(r"\]\((?![a-z]+:)(?:[^()\s]*/)?(\d\d_[\w-]+)\.ipynb(#[^()\s]*)?\)",
                                 c.source)]


@pytest.mark.notebook
def test_links_between_notebooks_lead_to_their_pages(built_site):
    """Every link from one notebook to another (the map in 00, the "Next:" links) leads to
    that notebook's page, and in the slides to its slides; no link to an .ipynb is left."""
    out, pages = built_site
    names = [p.source.stem for p in pages]
    n_links = 0
    for p in pages:
        expected = notebook_links(nbformat.read(p.source, as_version=4))
        n_links += len(expected)
        for f, suffix in ((out / p.html_name, ".html"), (out / p.slides_name, ".slides.html")):
            got = re.findall(r'href="(\d\d_[^"/#]+\.(?:slides\.)?html(?:#[^"]*)?)"',
                             f.read_text(encoding="utf-8"))
            assert got == [e.replace(".ipynb", suffix) for e in expected], f.name
    first = nbformat.read(pages[0].source, as_version=4)
    assert {n + ".ipynb" for n in names} <= set(notebook_links(first)), "00's map"
    assert n_links >= len(names) + 6, "the map and the 'Next:' links"
    for f in site_files(out):
        left = re.findall(r'href="(?![a-z]+://)[^"]*\.ipynb[^"]*"', f.read_text(encoding="utf-8"))
        assert not left, f"{f.name} still links to notebooks: {left}"
    assert build_site.broken_links(out) == []


def test_links_to_notebooks_become_links_to_pages_and_badges_become_labels():
    page = ('<a href="03_softmax_and_loss.ipynb">03</a> <a href="notebooks/02_hidden_layer.ipynb'
            '#Step-through-%22hello%22">02</a> <a href="../notebooks/01_one_hot_input.ipynb">01'
            '</a> <a href="#Summary">s</a> <a href="https://colab.research.google.com/github/o/r/'
            'blob/main/notebooks/00_start_here.ipynb"><img src="https://colab.research.google.'
            'com/assets/colab-badge.svg" alt="Open In Colab"/></a>')
    got = build_site.localize(page)
    assert re.findall(r'href="([^"]+)"', got) == [
        "03_softmax_and_loss.html", "02_hidden_layer.html#Step-through-%22hello%22",
        "01_one_hot_input.html", "#Summary",
        "https://colab.research.google.com/github/o/r/blob/main/notebooks/00_start_here.ipynb"]
    assert "<img" not in got and '<span class="rnn-badge">Open In Colab</span></a>' in got
    slides = build_site.localize(page, ".slides.html")
    assert 'href="02_hidden_layer.slides.html#Step-through-%22hello%22"' in slides


# --- the whole site in Chromium, with the network blocked ----------------------------------

LOCAL = ("file:", "data:", "blob:", "about:")
VIEW = "application/vnd.jupyter.widget-view+json"
# Ready when MathJax (if the page has it) has an empty queue and every saved widget view is
# drawn: the renderer puts a .widget-subarea holding the view just before its script tag.
READY = """() => {
  const mj = !window.MathJax || (MathJax.isReady === true && MathJax.Hub.queue.queue.length === 0
                                 && !MathJax.Hub.queue.pending && !MathJax.Hub.queue.running);
  const views = [...document.querySelectorAll('script[type="%s"]')];
  const drawn = views.filter(s => { const d = s.previousElementSibling;
    return d && d.classList.contains('widget-subarea') && d.querySelector('.jupyter-widgets'); });
  return mj && drawn.length === views.length;
}""" % VIEW
LOOK = """() => {
  const views = [...document.querySelectorAll('script[type="%s"]')];
  const drawn = views.filter(s => { const d = s.previousElementSibling;
    return d && d.classList.contains('widget-subarea') && d.querySelector('.jupyter-widgets'); });
  const text = [];     // what a reader sees as text: not code, not typeset maths, not scripts
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {acceptNode: n =>
    n.parentElement.closest('script, style, pre, code, textarea, .MathJax_CHTML, '
                            + '.MJX_Assistive_MathML') ? NodeFilter.FILTER_REJECT
                                                      : NodeFilter.FILTER_ACCEPT});
  while (walk.nextNode()) text.push(walk.currentNode.nodeValue);
  return {views: views.length, drawn: drawn.length,
          imgs: [...document.querySelectorAll('img')].map(i => i.naturalWidth),
          widget_imgs: document.querySelectorAll('.widget-subarea img').length,
          tex: document.querySelectorAll('script[type^="math/tex"]').length,
          typeset: document.querySelectorAll('.MathJax_CHTML').length,
          tex_errors: document.querySelectorAll('.MathJax_Error, .mjx-merror').length,
          text: text.join(' '),
          hangul_text: /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]/.test(document.body.innerText),
          hangul_font: [...document.fonts].some(f => f.family.includes('NanumGothic')
                                                     && f.status === 'loaded'),
          // Hangul the page shows (text and the values of text boxes) in an element whose
          // fonts do not include the site's own: boxes on a machine with no Korean font
          hangul_unfonted: [...document.querySelectorAll('body *')].filter(e =>
            [...e.childNodes].some(n => n.nodeType === 3 && /[\uac00-\ud7af]/.test(n.nodeValue))
            || (e.matches('input, textarea') && /[\uac00-\ud7af]/.test(e.value)))
            .filter(e => !e.closest('script, style, .MJX_Assistive_MathML')
                         && !getComputedStyle(e).fontFamily.includes('NanumGothic'))
            .map(e => e.tagName + ': ' + (e.value || e.textContent).slice(0, 40)),
          hrefs: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))};
}""" % VIEW
RAW_TEX = re.compile(r"\$[^$\n]+\$|\\\(|\\\[|\\begin\{")


def views_in(nb) -> int:
    """How many widget views a notebook's outputs show (the set-up cell shows none)."""
    return sum(1 for c in nb.cells if c.cell_type == "code" and "setup" not in
               c.metadata.get("tags", []) for o in c.get("outputs", []) if VIEW in o.get("data", {}))


@pytest.fixture(scope="module")
def browsed(built_site):
    """Open every file of the site once in Chromium, every non-local request blocked and
    recorded; what each page showed, by its path in the site."""
    pytest.importorskip("playwright", reason="Playwright's Python package is missing")
    from playwright.sync_api import sync_playwright
    from test_browser import CHROMIUM, CHROMIUM_ARGS
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no Chromium at {CHROMIUM}")
    out, _ = built_site
    seen, remote, missing, errors = {}, [], [], []
    shots = {"02_hidden_layer.html", "01_one_hot_input.html", "slides/02_hidden_layer.slides.html"}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            ctx = browser.new_context(viewport={"width": 1200, "height": 900})

            def block(route):
                if route.request.url.startswith(LOCAL):
                    route.continue_()
                else:
                    remote.append((name, route.request.url))
                    route.abort()
            ctx.route("**/*", block)
            ctx.on("request", lambda r: r.url.startswith(LOCAL) or remote.append((name, r.url)))
            ctx.on("requestfailed", lambda r: r.url.startswith(LOCAL) and missing.append(
                (name, r.url, r.failure)))
            for f in site_files(out):
                name = f.relative_to(out).as_posix()
                pg = ctx.new_page()
                pg.on("websocket", lambda ws: remote.append((name, ws.url)))
                pg.on("pageerror", lambda e: errors.append((name, str(e)[:300])))
                pg.goto(f.as_uri(), wait_until="load")
                try:
                    pg.wait_for_function(READY, timeout=30_000)
                except Exception:
                    pass                # the assertions below say what is missing
                pg.evaluate("document.fonts.ready.then(() => true)")
                seen[name] = pg.evaluate(LOOK)
                if name in shots:
                    stem = f.stem.replace(".", "-")
                    pg.screenshot(path=str(ARTIFACTS / f"site-{stem}.png"))
                    w = pg.query_selector(".widget-subarea >> visible=true")
                    if w is not None:
                        w.scroll_into_view_if_needed()
                        w.screenshot(path=str(ARTIFACTS / f"site-{stem}-widget.png"))
                pg.close()
        finally:
            browser.close()
    return out, seen, remote, missing, errors


@pytest.mark.notebook
@pytest.mark.browser
def test_no_page_asks_another_host_for_anything(browsed):
    out, seen, remote, missing, errors = browsed
    assert len(seen) == 1 + 2 * len(build_site.notebooks())
    assert not remote, f"requests to other hosts: {remote[:10]}"
    assert not missing, f"files the pages ask for that site/ does not have: {missing[:10]}"
    assert not errors, f"script errors: {errors[:5]}"


@pytest.mark.notebook
@pytest.mark.browser
def test_the_maths_is_typeset_on_every_page(browsed):
    out, seen, *_ = browsed
    for name, s in seen.items():
        if name == "index.html":
            continue
        assert s["tex"] > 0, f"{name}: MathJax found no maths (did it load?)"
        assert s["typeset"] == s["tex"], f"{name}: {s['typeset']} of {s['tex']} typeset"
        assert s["tex_errors"] == 0, f"{name}: {s['tex_errors']} TeX errors"
        raw = RAW_TEX.findall(s["text"])
        assert not raw, f"{name}: raw TeX left in the text: {raw[:5]}"


@pytest.mark.notebook
@pytest.mark.browser
def test_each_pages_saved_widget_views_are_drawn(browsed):
    out, seen, *_ = browsed
    drawn_any = 0
    for src in build_site.notebooks():
        expected = views_in(nbformat.read(build_site.EXECUTED_DIR / src.name, as_version=4))
        for name in (f"{src.stem}.html", f"slides/{src.stem}.slides.html"):
            s = seen[name]
            assert s["views"] == expected, f"{name}: {s['views']} widget views, {expected} saved"
            assert s["drawn"] == s["views"], f"{name}: {s['drawn']} of {s['views']} drawn"
            drawn_any += s["drawn"]
    assert drawn_any >= 4, "the course shows widgets (02, 04, 06, 07, ...): none were drawn"


@pytest.mark.notebook
@pytest.mark.browser
def test_korean_text_is_drawn_with_the_sites_own_hangul_font(browsed):
    """Chromium here has no Korean font: every page with Hangul on it (01, 08 ...) must have
    loaded the NanumGothic that site/vendor/ serves, or its Korean would be boxes."""
    out, seen, *_ = browsed
    korean = [name for name, s in seen.items() if s["hangul_text"]]
    assert "01_one_hot_input.html" in korean, "notebook 01's page shows no Hangul"
    unfonted = [name for name in korean if not seen[name]["hangul_font"]]
    assert not unfonted, f"pages whose Hangul is not drawn with the site's font: {unfonted}"
    elsewhere = {name: s["hangul_unfonted"][:3] for name, s in seen.items() if s["hangul_unfonted"]}
    assert not elsewhere, f"Hangul in elements whose fonts leave out the site's: {elsewhere}"
    assert (out / "vendor" / site_assets.HANGUL_FONT).stat().st_size > 100_000


@pytest.mark.notebook
@pytest.mark.browser
def test_every_image_decodes(browsed):
    """Plots in outputs and inside the widgets' Output areas."""
    out, seen, *_ = browsed
    for name, s in seen.items():
        assert all(w > 0 for w in s["imgs"]), f"{name}: images that did not decode: {s['imgs']}"
    assert sum(s["widget_imgs"] for s in seen.values()) > 0, "no plot drawn inside a widget"


def ids_of(path: Path, cache: dict = {}) -> set[str]:  # noqa: B006 (a cache on purpose)
    if path not in cache:
        cache[path] = {unquote(i) for i in re.findall(r'\bid="([^"]*)"',
                                                      path.read_text(encoding="utf-8"))}
    return cache[path]


@pytest.mark.notebook
@pytest.mark.browser
def test_every_link_leads_to_a_file_and_anchor_that_exist(browsed):
    out, seen, *_ = browsed
    checked, bad = 0, []
    for name, s in seen.items():
        page = out / name
        for href in s["hrefs"]:
            parts = urlsplit(href)
            if parts.scheme in ("http", "https", "mailto"):
                continue                       # the Binder and Colab links: not loaded
            assert not parts.scheme and not parts.netloc, f"{name}: odd link {href}"
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            checked += 1
            if not target.is_file() or out.resolve() not in target.parents:
                bad.append(f"{name}: {href} (no such file in the site)")
            elif parts.fragment and unquote(parts.fragment) not in ids_of(target):
                bad.append(f"{name}: {href} (no such anchor)")
    assert checked > 100 and not bad, bad[:10]


def tiny_course(folder: Path) -> list[Path]:
    """Two small notebooks written like the course's: one runs, one raises."""
    folder.mkdir(parents=True)
    ok, bad = folder / "01_fine.ipynb", folder / "02_broken.ipynb"
    nbtools.write(str(ok), "01 · Fine", [
        nbtools.md("## A plot"),
        nbtools.code("import matplotlib.pyplot as plt\nplt.plot([0, 1], [1, 0])\nplt.show()"),
        nbtools.md("**Next:** [what breaks](notebooks/02_broken.ipynb#Part-two), $x_t$."),
        nbtools.code("print(6 * 7)")])
    nbtools.write(str(bad), "02 · Broken", [
        nbtools.code("print('before')"),
        nbtools.code("raise ValueError('planted for the test')"),
        nbtools.code("print('after')"),
        nbtools.md("## Part two")])
    return [ok, bad]


@pytest.mark.notebook
def test_a_failing_notebook_is_reported_and_the_others_still_built(tmp_path):
    sources = tiny_course(tmp_path / "notebooks")
    out, executed = tmp_path / "site", tmp_path / "executed"
    logs = []
    pages = build_site.build(out, sources, executed_dir=executed, log=logs.append)
    fine, broken = pages
    assert fine.error == "" and fine.title == "01 · Fine" and not fine.reused
    fine_html = (out / "01_fine.html").read_text(encoding="utf-8")
    assert "42" in fine_html and 'src="data:image/png;base64,' in fine_html
    png = re.search(r'src="data:image/png;base64,([^"]+)"', fine_html).group(1)
    assert base64.b64decode(png)[:8] == b"\x89PNG\r\n\x1a\n"

    assert broken.error.startswith("cell 3: ValueError: planted for the test"), broken.error
    broken_html = (out / "02_broken.html").read_text(encoding="utf-8")
    assert "before" in broken_html and "planted for the test" in broken_html
    assert any("02_broken.ipynb" in line and "planted" in line for line in logs), logs
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'class="failed"' in index and "did not run to the end" in index
    assert not (executed / "02_broken.ipynb").exists(), "a failed run must not be reused"
    # the link to a heading of the other notebook leads to its page (and slides)
    assert 'href="02_broken.html#Part-two"' in fine_html
    assert 'href="02_broken.slides.html#Part-two"' in (
        out / "slides" / "01_fine.slides.html").read_text(encoding="utf-8")
    assert build_site.broken_links(out) == []

    code = build_site.main(["--out", str(out), "--executed-dir", str(executed),
                            *map(str, sources)])
    assert code == 1


@pytest.mark.notebook
def test_executed_notebooks_are_reused_until_the_notebook_changes(tmp_path):
    ok = tiny_course(tmp_path / "notebooks")[0]
    out, executed = tmp_path / "site", tmp_path / "executed"
    first = build_site.build(out, [ok], executed_dir=executed, log=lambda s: None)[0]
    again = build_site.build(out, [ok], executed_dir=executed, log=lambda s: None)[0]
    assert not first.reused and again.reused and again.error == ""
    assert "42" in (out / "01_fine.html").read_text(encoding="utf-8")

    nb = nbformat.read(ok, as_version=4)
    nb.cells[-1].source = "print(6 * 9)"
    nbformat.write(nb, ok)
    changed = build_site.build(out, [ok], executed_dir=executed, log=lambda s: None)[0]
    assert not changed.reused
    assert "54" in (out / "01_fine.html").read_text(encoding="utf-8")
    fresh = build_site.build(out, [ok], reuse=False, executed_dir=executed, log=lambda s: None)[0]
    assert not fresh.reused


def test_broken_links_names_the_page_the_link_and_what_is_missing(tmp_path):
    (tmp_path / "slides").mkdir()
    (tmp_path / "a.html").write_text('<a href="b.html#There">ok</a> <a href="b.html#Nowhere">x'
                                     '</a> <a href="c.html">y</a> <a href="#Here">z</a>'
                                     '<h2 id="Here">Here</h2> <a href="https://x.org/c.html">w</a>')
    (tmp_path / "b.html").write_text('<h2 id="There">There</h2>')
    (tmp_path / "slides" / "a.slides.html").write_text(
        '<a href="../b.html#There">ok</a> <img src="../missing.png">')
    assert build_site.broken_links(tmp_path) == [
        "a.html: b.html#Nowhere (no #Nowhere on that page)",
        "a.html: c.html (no file c.html)",
        "slides/a.slides.html: ../missing.png (no file missing.png)"]


def test_a_missing_asset_without_npm_says_what_to_install(tmp_path, monkeypatch):
    """No npm and nothing cached: the error names the packages, npm and how to get it; a
    cached tarball that is not the pinned release is thrown away, never used."""
    asset = site_assets.ASSETS[0]
    (tmp_path / asset.tarball).write_bytes(b"not the real tarball")
    monkeypatch.setattr(site_assets.shutil, "which", lambda name: None)
    with pytest.raises(site_assets.VendorError) as err:
        site_assets.fetch(asset, tmp_path)
    msg = str(err.value)
    assert "npm was not found" in msg and "apt-get install npm" in msg
    assert all(a.spec in msg for a in site_assets.ASSETS) and f"{tmp_path}/" in msg
    assert not (tmp_path / asset.tarball).exists()
    code = build_site.main(["--out", str(tmp_path / "site"), "--vendor-cache", str(tmp_path)])
    assert code == 1 and not (tmp_path / "site" / "index.html").exists()


def test_the_widget_renderer_finds_its_fonts_beside_itself():
    """The bundle's font URLs follow the path each page sets (vendor/html-manager/dist/)."""
    js = ('5890:(e,t,n)=>{"use strict";e.exports=n.p+"1551f4f60c37af51121f.woff2"},'
          '630:(e,t,o)=>{"use strict";e.exports=o.p+"9bbb245e67a133f6e486.eot"}')
    got = site_assets._patch_widget_fonts(js)
    assert got.count("(window.__jupyter_widgets_assets_path__||") == 2
    assert '(window.__jupyter_widgets_assets_path__||o.p)+"9bbb245e67a133f6e486.eot"' in got
    with pytest.raises(site_assets.VendorError, match="font URLs"):
        site_assets._patch_widget_fonts("no fonts here")


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in npm is a shell script")
def test_npm_failing_or_serving_another_release_is_said_plainly(tmp_path, monkeypatch):
    """npm's own reason is passed on; a tarball that is not the pinned release is refused."""
    asset = site_assets.ASSETS[0]
    npm = tmp_path / "npm"
    npm.write_text('#!/bin/sh\necho \'{"error": {"code": "ENOTFOUND", "summary": '
                   '"request to the registry failed"}}\'\nexit 1\n')
    npm.chmod(0o755)
    monkeypatch.setattr(site_assets.shutil, "which", lambda name: str(npm))
    with pytest.raises(site_assets.VendorError,
                       match=r"npm pack requirejs@2\.3\.8` failed \(exit 1\): ENOTFOUND: request"):
        site_assets.fetch(asset, tmp_path / "cache")
    # an npm that hands over some other file under the expected name
    npm.write_text(f'#!/bin/sh\nfor a; do last="$a"; done\necho other > "$last/{asset.tarball}"\n')
    with pytest.raises(site_assets.VendorError, match="not the pinned release"):
        site_assets.fetch(asset, tmp_path / "cache")
    assert not (tmp_path / "cache" / asset.tarball).exists()
