"""The static course: scripts/build_site.py renders every notebook, executed, to HTML with an
index, keeps the widgets' last view, reports a notebook that fails and builds the rest.

The full build goes to test-artifacts/site/ and reuses the executed notebooks that
tests/test_notebooks.py left in build/executed/ (it runs whichever are missing or stale).
"""
from __future__ import annotations

import base64
import html
import json
import os
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import build_site  # noqa: E402
import nbtools  # noqa: E402

pytestmark = pytest.mark.notebook
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


def test_every_notebook_becomes_a_page_listed_in_order(built_site):
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


def test_pages_show_outputs_plots_and_widget_views_without_the_setup_cell(built_site):
    out, pages = built_site
    for p in pages:
        page = (out / p.html_name).read_text(encoding="utf-8")
        assert f"<title>{html.escape(p.title)}</title>" in page, p.html_name
        assert "google.colab" not in page, f"{p.html_name} shows the set-up cell"
        assert "jp-OutputArea-output" in page, f"{p.html_name} has no outputs"
        state = widget_state(page)
        plots = page.count('src="data:image/png;base64,') + len(output_pngs(state))
        assert plots >= 1, f"{p.html_name} shows no plot"
        if "application/vnd.jupyter.widget-view+json" in page:
            assert state, f"{p.html_name} shows widgets but has no widget state to draw them"
            views = re.findall(r'"model_id": "([0-9a-f]+)"', page)
            assert views and all(v in state for v in views), \
                f"{p.html_name}: a widget view refers to a model missing from the state"


def test_built_page_renders_in_chromium(built_site):
    """Open one page in the browser: every image decodes; a screenshot is kept."""
    pytest.importorskip("playwright", reason="Playwright's Python package is missing")
    from playwright.sync_api import sync_playwright
    from test_browser import CHROMIUM, CHROMIUM_ARGS
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no Chromium at {CHROMIUM}")
    out, pages = built_site
    page_file = next((out / p.html_name for p in pages if p.source.name.startswith("02_")),
                     out / pages[0].html_name)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            pg = browser.new_page(viewport={"width": 1200, "height": 900})
            pg.goto(page_file.as_uri(), wait_until="load")
            sizes = pg.eval_on_selector_all("img[src^='data:image/png']",
                                            "els => els.map(e => e.naturalWidth)")
            pg.screenshot(path=str(ARTIFACTS / f"site-{page_file.stem}.png"), full_page=False)
        finally:
            browser.close()
    assert sizes and all(w > 0 for w in sizes), f"images that did not decode: {sizes}"


def tiny_course(folder: Path) -> list[Path]:
    """Two small notebooks written like the course's: one runs, one raises."""
    folder.mkdir(parents=True)
    ok, bad = folder / "01_fine.ipynb", folder / "02_broken.ipynb"
    nbtools.write(str(ok), "01 · Fine", [
        nbtools.md("## A plot"),
        nbtools.code("import matplotlib.pyplot as plt\nplt.plot([0, 1], [1, 0])\nplt.show()"),
        nbtools.code("print(6 * 7)")])
    nbtools.write(str(bad), "02 · Broken", [
        nbtools.code("print('before')"),
        nbtools.code("raise ValueError('planted for the test')"),
        nbtools.code("print('after')")])
    return [ok, bad]


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

    code = build_site.main(["--out", str(out), "--executed-dir", str(executed),
                            *map(str, sources)])
    assert code == 1


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
