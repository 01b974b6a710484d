"""The course in a real browser: JupyterLab in Chromium runs a notebook, and its widgets respond.

JupyterLab starts from this environment on 127.0.0.1 (a free port, a random token, its
settings, runtime files and a copy of the notebooks in a temporary folder, so nothing in
the project is touched); Playwright drives the system's Chromium (never a downloaded one).
Screenshots go to test-artifacts/browser/. Skipped, with the reason, without Chromium or
Playwright.
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
