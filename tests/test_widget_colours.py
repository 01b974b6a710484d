"""The HTML the widgets and exercise checks show is legible in dark themes as in light ones:
colours come from rnnlib._style (JupyterLab's theme variables, with fallbacks), and every
element that sets a background sets the text colour on it too (or inside a box that does).
tests/test_browser.py measures the contrast itself in JupyterLab Light and Dark."""
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import rnnlib
from rnnlib import _style
from rnnlib.exercises import Feedback

ROOT = Path(__file__).resolve().parent.parent


def declarations(style: str) -> dict[str, str]:
    """'a:1;b:var(--x, rgba(0, 0, 0, 0.5))' -> {'a': '1', 'b': 'var(--x, rgba(0, 0, 0, 0.5))'}"""
    out = {}
    for part in style.split(";"):
        if ":" in part:
            name, value = part.split(":", 1)
            out[name.strip().lower()] = value.strip()
    return out


class ColourPairs(HTMLParser):
    """Every element with a background must set its text colour, itself or by an ancestor
    that sets a background too (a box with its own colours); and a fixed text colour (a hex
    value or a name, not a theme variable) only goes on a background of its own box."""

    VOID = {"br", "img", "hr", "input", "meta", "link", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack: list[dict] = []   # per open element: has_bg, has_colour
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        d = declarations(dict(attrs).get("style") or "")
        bg = "background" in d or "background-color" in d
        colour = d.get("color")
        boxed = any(e["bg"] and e["colour"] for e in self.stack)
        if bg and colour is None and not boxed:
            self.problems.append(f"<{tag}> sets background {d.get('background')} but no text colour")
        fixed = colour is not None and not colour.startswith(("var(", "inherit"))
        if fixed and not bg and not any(e["bg"] for e in self.stack):
            self.problems.append(f"<{tag}> sets the text colour {colour} on the theme's background")
        if tag not in self.VOID:
            self.stack.append({"bg": bg, "colour": colour is not None})

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()


def problems(fragment: str) -> list[str]:
    parser = ColourPairs()
    parser.feed(fragment)
    return parser.problems


def test_the_check_itself_tells_legible_from_illegible():
    """Old offenders fail it; the same boxes with rnnlib._style pass."""
    assert problems('<div style="background:#f6f8fa;padding:6px">text</div>')
    assert problems('<b style="background:#fde9d4">The </b>')
    assert problems('<p style="color:#b3261e">wrong</p>')
    assert not problems(f'<div style="{_style.PANEL}"><b style="{_style.HIGHLIGHT}">The</b></div>')
    assert not problems('<div style="color:black;background:white">'
                        '<span style="background:#f4a582">a</span></div>')


def test_every_shared_style_with_a_background_names_a_text_colour():
    for name in ("PANEL", "HIGHLIGHT", "ERROR", "SUCCESS"):
        d = declarations(getattr(_style, name))
        assert "background" in d and "color" in d, name
        assert d["color"].startswith("var(--jp-"), f"{name} should follow the theme's text colour"


def test_no_fixed_colours_left_in_the_widgets_html():
    """Colours of text and backgrounds in widget HTML come from rnnlib._style; the neuron
    colouring (explicit black or white text on its colour scale, in a white box) aside."""
    pattern = re.compile(r"(?<![\w-])(color|background)\s*:\s*(#[0-9a-fA-F]{3,6})")
    for path in [*(ROOT / "rnnlib/widgets").glob("*.py"), ROOT / "rnnlib/exercises/feedback.py",
                 ROOT / "rnnlib/progress.py"]:
        if path.name == "neurons.py":
            continue
        found = pattern.findall(path.read_text(encoding="utf-8"))
        assert not found, f"{path.name} writes fixed colours {found}; use rnnlib._style"


@pytest.mark.parametrize("ok", [True, False], ids=["correct", "not-yet"])
def test_exercise_feedback_is_legible(ok):
    shown = Feedback(ok, "dWhy has shape (3, 4); expected (4, 3).")._repr_html_()
    assert problems(shown) == [] and ("✔ Correct" if ok else "✘ Not yet") in shown


def test_sampling_and_training_boxes_are_legible():
    """The sample box of the training widget and of the progress bar, the sampling
    explorer's shaded prefix and caption, and its error message all set their colours in
    pairs."""
    from rnnlib.progress import sample_html
    from rnnlib.widgets.sampling import SamplingExplorer

    assert problems(sample_html(10, "hello world")) == []
    vocab = rnnlib.Vocab.from_text("hello world")
    explorer = SamplingExplorer(rnnlib.RNN(len(vocab), 8, seed=0), vocab, prefix="he",
                                length=20)
    assert "he" in explorer.text_html.value and problems(explorer.text_html.value) == []
    explorer.prefix_box.value = "xyz"                   # not in the vocabulary: an error
    assert explorer.error and problems(explorer.text_html.value) == []


def test_one_hot_and_loss_readouts_are_legible():
    from rnnlib.widgets.encoding import OneHotExplorer
    from rnnlib.widgets.output import LossExplorer

    one_hot = OneHotExplorer("hello")
    assert "<table" in one_hot.info.value and problems(one_hot.info.value) == []
    one_hot.text_box.value = ""                         # nothing to encode: an error
    assert one_hot.error and problems(one_hot.info.value) == []
    loss = LossExplorer(text="hello")                   # the current step's row is shaded
    assert "font-weight:bold" in loss.readout.value and problems(loss.readout.value) == []
