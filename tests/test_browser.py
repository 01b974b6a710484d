"""The course in a real browser: JupyterLab in Chromium runs a notebook, and its widgets respond.

JupyterLab starts from this environment on 127.0.0.1 (a free port, a random token, its
settings, runtime files and a copy of the notebooks in a temporary folder, so nothing in
the project is touched); Playwright drives the system's Chromium (never a downloaded one).
Screenshots go to test-artifacts/browser/. Skipped, with the reason, without Chromium or
Playwright.

The widgets must be legible in JupyterLab Light and JupyterLab Dark alike: after a notebook
has run and its widgets have been used, every text node of each widget and HTML output must
stand out from the background it is drawn on by a WCAG contrast ratio of at least 4.5:1.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [pytest.mark.browser, pytest.mark.notebook]
if not os.access(CHROMIUM, os.X_OK):
    pytestmark.append(pytest.mark.skip(
        reason=f"no Chromium at {CHROMIUM}: install Debian's 'chromium' package (.ci/run does) "
               f"or set CHROMIUM to a Chromium binary"))
try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright
except ImportError:
    pytestmark.append(pytest.mark.skip(
        reason="Playwright's Python package is missing: pip install -e '.[test]'"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A JupyterLab server of this environment serving a temporary copy of notebooks/."""

    def __init__(self, tmp: Path):
        self.home = tmp
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        root = tmp / "course"
        shutil.copytree(ROOT / "notebooks", root / "notebooks",
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        (root / "data").symlink_to(ROOT / "data")
        settings = tmp / "lab-settings"
        # Render every cell (no windowing) and skip the news prompt: a stable page to test.
        tracker = settings / "@jupyterlab" / "notebook-extension"
        tracker.mkdir(parents=True)
        (tracker / "tracker.jupyterlab-settings").write_text(
            json.dumps({"windowingMode": "none"}))
        docmanager = settings / "@jupyterlab" / "docmanager-extension"
        docmanager.mkdir(parents=True)
        (docmanager / "plugin.jupyterlab-settings").write_text(
            json.dumps({"autoStartDefaultKernel": True}))
        config = tmp / "jupyter-config"
        (config / "labconfig").mkdir(parents=True)
        (config / "labconfig" / "page_config.json").write_text(json.dumps(
            {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
        env = {**os.environ,
               "JUPYTER_CONFIG_DIR": str(config), "JUPYTER_DATA_DIR": str(tmp / "jupyter-data"),
               "JUPYTER_RUNTIME_DIR": str(tmp / "jupyter-runtime"),
               "JUPYTERLAB_SETTINGS_DIR": str(settings),
               "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "lab-workspaces"),
               "IPYTHONDIR": str(tmp / "ipython")}
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.log = open(ARTIFACTS / "jupyterlab.log", "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
             f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={root}",
             "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
             "--LabApp.extension_manager=readonly", "--ServerApp.terminals_enabled=False",
             *(["--allow-root"] if os.geteuid() == 0 else [])],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_until_up()

    def _wait_until_up(self, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        url = f"{self.base}/api/status?token={self.token}"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.proc.returncode}; see "
                                   f"{ARTIFACTS / 'jupyterlab.log'}")
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"JupyterLab did not answer within {seconds} s")

    def wait_for_kernel(self, notebook: str, seconds: float = 90) -> None:
        """Wait until the server has an idle kernel for ``notebook`` (its session exists)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with urllib.request.urlopen(f"{self.base}/api/sessions?token={self.token}",
                                        timeout=5) as r:
                sessions = json.load(r)
            if any(s.get("path", "").endswith(notebook)
                   and (s.get("kernel") or {}).get("execution_state") == "idle"
                   for s in sessions):
                return
            time.sleep(0.5)
        raise RuntimeError(f"no idle kernel for {notebook} after {seconds} s")

    def set_theme(self, theme: str) -> None:
        """Choose JupyterLab's theme ("JupyterLab Light" or "JupyterLab Dark") for the pages
        opened from now on, as the Settings menu would."""
        themes = self.home / "lab-settings" / "@jupyterlab" / "apputils-extension"
        themes.mkdir(parents=True, exist_ok=True)
        (themes / "themes.jupyterlab-settings").write_text(json.dumps({"theme": theme}))

    def url(self, notebook: str) -> str:
        # reset: a clean workspace, so only this notebook is open (none restored from before)
        return f"{self.base}/lab/tree/notebooks/{notebook}?reset&token={self.token}"

    def stop(self) -> None:
        try:  # the server and the kernels it started share its process group
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        self.log.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    for old in ARTIFACTS.glob("*.png"):  # screenshots of an earlier run would mislead
        old.unlink()
    server = Lab(tmp_path_factory.mktemp("lab"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def dark(lab):
    """JupyterLab Dark for this test's pages; JupyterLab Light again afterwards."""
    lab.set_theme("JupyterLab Dark")
    yield "JupyterLab Dark"
    lab.set_theme("JupyterLab Light")


@pytest.mark.browser
def test_the_course_lab_sends_widget_messages_to_the_main_thread(lab):
    """The JupyterLab of this environment reads scripts/lab-overrides.json (setup-env.sh and
    Binder's postBuild put it in place): widget messages are not sent to kernel subshells,
    where a click's matplotlib figure would be drawn on a second thread."""
    url = (f"{lab.base}/lab/api/settings/@jupyterlab/apputils-extension:kernels-settings"
           f"?token={lab.token}")
    with urllib.request.urlopen(url, timeout=10) as r:
        got = json.load(r)
    # overrides.json changes the setting's default, which the user's own settings keep
    default = got["schema"]["properties"]["commsOverSubshells"]["default"]
    assert default == "disabled", f"commsOverSubshells defaults to {default!r}"
    assert "commsOverSubshells" not in json.loads(got.get("raw") or "{}")


def open_and_run_all(page, lab: Lab, notebook: str, timeout_s: float = 240) -> None:
    """Open a notebook in JupyterLab, Run > Run All Cells, wait for every cell to finish."""
    if not (ROOT / "notebooks" / notebook).exists():
        pytest.skip(f"notebooks/{notebook} is not written yet")
    page.goto(lab.url(notebook))
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    try:  # JupyterLab may still ask which kernel to start: the notebook's own
        dialog.locator("button", has_text="Select").click(timeout=3_000)
    except PlaywrightTimeout:
        pass
    # the kernel is ready when the server has it idle and the page shows it idle too
    lab.wait_for_kernel(notebook)
    page.wait_for_selector(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']",
                           timeout=60_000)

    def run_all():
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()

    run_all()
    prompts = page.locator(".jp-NotebookPanel .jp-CodeCell .jp-InputPrompt")
    started, deadline = time.monotonic(), time.monotonic() + timeout_s
    retried = False
    while True:
        texts = [t.strip() for t in prompts.all_inner_texts()]
        pending = [t for t in texts if not re.fullmatch(r"\[\d+\]:", t)]
        if texts and not pending:
            break
        if not retried and time.monotonic() - started > 20 and all(t == "[ ]:" for t in texts):
            run_all()  # the page took the first request before its kernel was connected
            retried = True
        if time.monotonic() > deadline:
            page.screenshot(path=str(ARTIFACTS / f"{Path(notebook).stem}-timeout.png"))
            pytest.fail(f"{notebook}: {len(pending)} cells still running or not run after "
                        f"{timeout_s} s (prompts {pending[:5]})")
        time.sleep(0.5)
    errors = page.locator(".jp-OutputArea-output", has_text="Traceback (most recent call last)")
    if errors.count():
        page.screenshot(path=str(ARTIFACTS / f"{Path(notebook).stem}-error.png"), full_page=True)
        pytest.fail(f"{notebook} raised in JupyterLab: {errors.first.inner_text()[:800]}")


def shot(box, name: str) -> None:
    """Screenshot ``box`` once its images are decoded and painted."""
    box.evaluate("""async (el) => {
        await Promise.all([...el.querySelectorAll('img')].map(i => i.decode().catch(() => {})));
        await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    }""")
    box.screenshot(path=str(ARTIFACTS / name))


# The contrast of every text node in the widget and HTML outputs (disabled buttons aside)
# against the background it is drawn on: the backgrounds of its ancestors, translucent ones composited, up to the first
# opaque one (the page's white if none is), then the WCAG 2 ratio of relative luminances.
CONTRAST_JS = """(root) => {
    const rgba = (s) => { const m = s.match(/^rgba?\\(([^)]+)\\)$/);
        if (!m) return null;
        const v = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
        return [v[0], v[1], v[2], v.length > 3 ? v[3] : 1]; };
    const over = (top, under) => top.slice(0, 3).map((c, i) => c * top[3] + under[i] * (1 - top[3]));
    const lum = (c) => { const l = c.map((v) => { v /= 255;
        return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
        return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2]; };
    const hex = (c) => '#' + c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
    const outputs = [...root.querySelectorAll('.jp-OutputArea-output')].filter((o) =>
        o.querySelector('.jupyter-widgets') || o.classList.contains('jp-RenderedHTMLCommon'));
    const found = [];
    for (const out of outputs) {
        const walker = document.createTreeWalker(out, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const el = node.parentElement, text = node.textContent.trim();
            if (!text || el.closest('style, script') || !el.getClientRects().length) continue;
            if (el.closest(':disabled')) continue;  // WCAG exempts controls that are switched off
            const style = getComputedStyle(el);
            if (style.visibility === 'hidden') continue;
            const layers = [];
            let opacity = 1;
            for (let a = el; a; a = a.parentElement) {
                const cs = getComputedStyle(a);
                opacity *= Number(cs.opacity);
                const bg = rgba(cs.backgroundColor);
                if (bg && bg[3] > 0) { layers.push(bg); if (bg[3] >= 1) break; }
            }
            let back = [255, 255, 255];
            for (const layer of layers.reverse()) back = over(layer, back);
            const fg = rgba(style.color);
            if (!fg) { found.push({text, colour: style.color, ratio: 0}); continue; }
            const front = over([fg[0], fg[1], fg[2], fg[3] * opacity], back);
            const [hi, lo] = [lum(front), lum(back)].sort((x, y) => y - x);
            found.push({text: text.slice(0, 40), ratio: (hi + 0.05) / (lo + 0.05),
                        colour: hex(front), background: hex(back)});
        }
    }
    return found;
}"""


def assert_legible(page, theme: str, must_include: tuple[str, ...]) -> list[dict]:
    """Every text node of the page's widget and HTML outputs has a contrast of at least 4.5:1
    against its background, in ``theme`` (checked to be the theme JupyterLab shows); among
    them the texts in ``must_include``, so that the check saw what it is meant to see."""
    shown = page.evaluate("() => document.body.dataset.jpThemeName")
    assert shown == theme, f"JupyterLab shows the theme {shown!r}, not {theme!r}"
    found = page.evaluate(CONTRAST_JS, page.locator(".jp-NotebookPanel").first.element_handle())
    for text in must_include:
        assert any(text in f["text"] for f in found), \
            f"no text {text!r} among the {len(found)} checked: {[f['text'] for f in found][:30]}"
    poor = [f for f in found if f["ratio"] < 4.5]
    assert not poor, (f"{len(poor)} of {len(found)} texts are hard to read in {theme} "
                      f"(contrast below 4.5:1): {poor[:8]}")
    return found


def h_values(readout) -> list[float]:
    """The bold h_t column of the stepper's table."""
    return [float(x) for x in readout.locator("td b").all_inner_texts()]


def test_hello_stepper_moves_in_jupyterlab(lab, page):
    """Notebook 02 in JupyterLab: pressing Next and moving the t slider makes the first
    "hello" stepper show t = 3, then t = 4, with h_t as computed here from rnnlib."""
    from rnnlib import Vocab
    from rnnlib.widgets.forward import readable_rnn

    open_and_run_all(page, lab, "02_hidden_layer.ipynb")
    # h_t = tanh(Wxh x_t + Whh h_{t-1} + bh) over "hell", with the notebook's model
    vocab = Vocab.from_text("hello")
    P = readable_rnn(len(vocab), 6, seed=0).params
    h, expected = np.zeros((6, 1)), []
    for ix in vocab.encode("hell"):
        h = np.tanh(P["Wxh"][:, [ix]] + P["Whh"] @ h + P["bh"])
        expected.append(h.ravel())

    readout = page.locator(".widget-html", has_text=re.compile(r"t = \d+ of 4")).first
    readout.scroll_into_view_if_needed()
    box = readout.locator("xpath=ancestor::div[contains(@class,'jp-OutputArea-output')][1]")
    assert "t = 1 of 4" in readout.inner_text()
    np.testing.assert_allclose(h_values(readout), expected[0], atol=6e-4)
    first_image = box.locator("img").first.get_attribute("src")
    shot(box, "02-stepper-t1.png")

    next_button = box.locator("button", has_text="Next")
    next_button.click()
    next_button.click()
    page.wait_for_function("(el) => el.innerText.includes('t = 3 of 4')",
                           arg=readout.element_handle(), timeout=20_000)
    np.testing.assert_allclose(h_values(readout), expected[2], atol=6e-4)
    page.wait_for_function(  # both figures redrawn and decoded (columns, then heatmap)
        """([box, old]) => { const imgs = [...box.querySelectorAll('img')];
            return imgs.length === 2 && imgs[0].getAttribute('src') !== old
                   && imgs.every(i => i.complete && i.naturalWidth > 0); }""",
        arg=[box.element_handle(), first_image], timeout=20_000)
    shot(box, "02-stepper-t3.png")

    # the slider itself: its handle takes the keyboard, one step per arrow press
    handle = box.locator(".widget-slider .noUi-handle, .widget-slider .ui-slider-handle").first
    handle.focus()
    handle.press("ArrowRight")
    page.wait_for_function("(el) => el.innerText.includes('t = 4 of 4')",
                           arg=readout.element_handle(), timeout=20_000)
    np.testing.assert_allclose(h_values(readout), expected[3], atol=6e-4)
    shot(box, "02-stepper-t4.png")
    page.screenshot(path=str(ARTIFACTS / "02-page.png"))
    assert_legible(page, "JupyterLab Light", ("of 4: input",))


def test_training_widget_trains_in_jupyterlab(lab, page):
    """Notebook 06 in JupyterLab: clicking "Train N steps" advances the iteration shown by
    exactly N, redraws the loss plot, and ends with the progress bar green."""
    open_and_run_all(page, lab, "06_adagrad_and_training.ipynb")
    train = page.locator("button", has_text=re.compile(r"^Train \d+ steps$")).first
    box = train.locator("xpath=ancestor::div[contains(@class,'jp-OutputArea-output')][1]")
    box.scroll_into_view_if_needed()
    status = box.locator(".widget-html", has_text=re.compile(r"iteration \d+")).first

    def shown_iteration() -> int:
        return int(re.search(r"iteration (\d+)", status.inner_text()).group(1))

    before, steps = shown_iteration(), int(re.search(r"\d+", train.inner_text()).group())
    old_plot = box.locator("img").first.get_attribute("src")
    shot(box, "06-training-before.png")
    train.click()
    page.wait_for_function(
        "([el, n]) => (el.innerText.match(/iteration (\\d+)/) || [0, -1])[1] == n",
        arg=[status.element_handle(), before + steps], timeout=120_000)
    assert shown_iteration() == before + steps
    page.wait_for_function("(b) => !b.disabled", arg=train.element_handle(), timeout=30_000)
    bar = box.locator(".progress-bar, .widget-progress .progress-bar").first
    assert "success" in (bar.get_attribute("class") or ""), "the progress bar did not finish"
    assert box.locator("img").first.get_attribute("src") != old_plot, "the loss plot was not redrawn"
    shot(box, "06-training-after.png")
    assert_legible(page, "JupyterLab Light", ("sample at iteration",))


# --- legible in JupyterLab Dark (and 07 in Light too) ----------------------------------------

def use_stepper(page) -> tuple:
    """Notebook 02: one step on in the "hello" stepper."""
    readout = page.locator(".widget-html", has_text=re.compile(r"t = \d+ of 4")).first
    box = readout.locator("xpath=ancestor::div[contains(@class,'jp-OutputArea-output')][1]")
    box.scroll_into_view_if_needed()
    first_image = box.locator("img").first.get_attribute("src")
    box.locator("button", has_text="Next").click()
    page.wait_for_function("(el) => el.innerText.includes('t = 2 of 4')",
                           arg=readout.element_handle(), timeout=20_000)
    try:  # for the screenshot only: both figures redrawn (the text is what is checked)
        page.wait_for_function(
            """([box, old]) => { const imgs = [...box.querySelectorAll('img')];
                return imgs.length === 2 && imgs[0].getAttribute('src') !== old
                       && imgs.every(i => i.complete && i.naturalWidth > 0); }""",
            arg=[box.element_handle(), first_image], timeout=10_000)
    except PlaywrightTimeout:
        pass
    return box, ("of 4: input",)


def use_trainer(page) -> tuple:
    """Notebook 06: train, until the widget shows the new sample."""
    train = page.locator("button", has_text=re.compile(r"^Train \d+ steps$")).first
    box = train.locator("xpath=ancestor::div[contains(@class,'jp-OutputArea-output')][1]")
    box.scroll_into_view_if_needed()
    train.click()
    page.wait_for_function("(b) => !b.disabled", arg=train.element_handle(), timeout=120_000)
    page.wait_for_function("(el) => /sample at iteration [1-9]/.test(el.innerText)",
                           arg=box.element_handle(), timeout=20_000)
    return box, ("sample at iteration",)


def use_sampler(page) -> tuple:
    """Notebook 07: "sample again" in the sampling explorer (its prefix is shaded)."""
    again = page.locator("button", has_text="sample again").first
    box = again.locator("xpath=ancestor::div[contains(@class,'jp-OutputArea-output')][1]")
    box.scroll_into_view_if_needed()
    again.click()
    page.wait_for_function("(el) => el.innerText.includes('draw 1)')",
                           arg=box.element_handle(), timeout=20_000)
    return box, ("The", "characters sampled")


USES = {"02_hidden_layer.ipynb": use_stepper, "06_adagrad_and_training.ipynb": use_trainer,
        "07_sampling.ipynb": use_sampler}


@pytest.mark.parametrize("notebook", list(USES), ids=lambda n: n[:2])
def test_widgets_are_legible_in_the_dark_theme(lab, page, dark, notebook):
    """In JupyterLab Dark, after the notebook has run and its widget has been used, every text
    of its widget and HTML outputs (the sample box, the shaded prefix, the readouts, the
    exercise checks) has a contrast of at least 4.5:1 against its background."""
    open_and_run_all(page, lab, notebook)
    box, expected = USES[notebook](page)
    shot(box, f"dark-{notebook[:2]}.png")
    assert_legible(page, dark, expected)


def test_sampling_widget_is_legible_in_the_light_theme(lab, page):
    """Notebook 07 in JupyterLab Light: the same contrast check (02 and 06 have theirs above)."""
    open_and_run_all(page, lab, "07_sampling.ipynb")
    box, expected = use_sampler(page)
    shot(box, "light-07.png")
    assert_legible(page, "JupyterLab Light", expected)


def widget_fragments() -> list[str]:
    """The HTML our widgets and exercise checks show: sample boxes, the shaded prefix and
    row, captions, error messages, verdicts."""
    import rnnlib
    from rnnlib.exercises import Feedback
    from rnnlib.widgets.encoding import OneHotExplorer
    from rnnlib.widgets.output import LossExplorer
    from rnnlib.progress import sample_html
    from rnnlib.widgets.sampling import SamplingExplorer

    vocab = rnnlib.Vocab.from_text("hello world")
    explorer = SamplingExplorer(rnnlib.RNN(len(vocab), 8, seed=0), vocab, prefix="he", length=20)
    shown = [explorer.text_html.value]
    explorer.prefix_box.value = "xyz"
    shown.append(explorer.text_html.value)
    one_hot = OneHotExplorer("hello")
    shown.append(one_hot.info.value)
    one_hot.text_box.value = ""
    shown += [one_hot.info.value, LossExplorer(text="hello").readout.value,
              sample_html(10, "hello world"), Feedback(True, "right")._repr_html_(),
              Feedback(False, "wrong")._repr_html_()]
    return shown


@pytest.mark.parametrize("page_colours", [("#1e1e1e", "#e8eaed"), ("#ffffff", "#202124")],
                         ids=["dark-page", "light-page"])
def test_widget_html_is_legible_without_jupyterlab_variables(browser, page_colours):
    """Where JupyterLab's theme variables are missing (Colab, the classic Notebook), the
    fallbacks keep every text of the widgets' HTML at 4.5:1 or more, on a dark page as on a
    light one."""
    background, text = page_colours
    context = browser.new_context(viewport={"width": 900, "height": 1200})
    page = context.new_page()
    body = "".join(f'<div class="jp-OutputArea-output jp-RenderedHTMLCommon">{f}</div>'
                   for f in widget_fragments())
    page.set_content(f'<html><body style="background:{background};color:{text};'
                     f'font-family:sans-serif">{body}</body></html>')
    found = page.evaluate(CONTRAST_JS, page.locator("body").element_handle())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"fallback-{background[1:]}.png"), full_page=True)
    context.close()
    assert {"he", "✔ Correct.", "✘ Not yet.", "sample at iteration 10:"} <= {f["text"] for f in found}
    poor = [f for f in found if f["ratio"] < 4.5]
    assert not poor, f"{len(poor)} of {len(found)} texts hard to read: {poor[:8]}"
