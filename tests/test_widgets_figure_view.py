"""The figures of the widgets: PNGs that decode to the pixels drawn, drawn at twice the
screen's density, one draw per view (a view seen before is not drawn again), and a view
drawn by redrawing only what changed looks exactly like the same view drawn in full."""
import io

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from PIL import Image  # noqa: E402  (Pillow comes with matplotlib)

import rnnlib  # noqa: E402
from rnnlib.widgets.backward import BackwardStepper  # noqa: E402
from rnnlib.widgets.encoding import OneHotExplorer  # noqa: E402
from rnnlib.widgets.figure_view import FigureView, encode_png  # noqa: E402
from rnnlib.widgets.forward import HelloStepper  # noqa: E402
from rnnlib.widgets.gates import GateStepper  # noqa: E402
from rnnlib.widgets.gradients import GradientFlow  # noqa: E402
from rnnlib.widgets.neurons import SequenceProbe  # noqa: E402
from rnnlib.widgets.output import LossExplorer  # noqa: E402
from rnnlib.widgets.sampling import SamplingExplorer  # noqa: E402


def pixels(png: bytes) -> np.ndarray:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return np.asarray(Image.open(io.BytesIO(png)))


@pytest.mark.parametrize("channels", [3, 4])
def test_png_decodes_to_the_same_pixels(channels):
    """encode_png of random RGB and RGBA images decodes (with Pillow) to the same array."""
    rng = np.random.default_rng(channels)
    img = rng.integers(0, 256, (7, 11, channels), dtype=np.uint8)
    np.testing.assert_array_equal(pixels(encode_png(img)), img)


def test_a_view_is_drawn_once_and_shown_again_from_its_png():
    """show(key, draw) calls draw only for a key not seen before; the same key gives the
    same bytes, and forget() makes it draw again."""
    view = FigureView((3, 2))
    calls = []

    def draw(y):
        def update():
            calls.append(y)
            view.axes.clear()
            view.axes.plot([0, 1], [0, y])
        return update
    a = view.show("a", draw(1))
    b = view.show("b", draw(2))
    assert a != b and calls == [1, 2] and view.renders == 2
    assert view.show("a", draw(99)) == a and view.png == a
    assert calls == [1, 2] and view.renders == 2
    view.forget()
    view.show("a", draw(1))
    assert calls == [1, 2, 1] and view.renders == 3


def test_the_kept_views_are_bounded_and_the_oldest_goes_first():
    """A slider with many values keeps at most CACHE_SIZE views: the first one shown is
    dropped (drawn again when asked for), the latest ones are kept."""
    from rnnlib.widgets import figure_view
    view = FigureView((1, 1), density=1)
    drawn = []
    n = figure_view.CACHE_SIZE + 3
    for k in range(n):
        view.show(k, lambda k=k: drawn.append(k))
    view.show(n - 1, lambda: drawn.append("again"))
    assert drawn == list(range(n))                     # the latest view was kept
    view.show(0, lambda: drawn.append("again"))
    assert drawn[-1] == "again" and len(view._cache) == figure_view.CACHE_SIZE


def test_images_have_twice_the_pixels_and_are_shown_at_half_size():
    """A 3 x 2 inch figure at the default 100 dpi: the PNG is cropped to its content, at
    most 600 x 400 pixels but more than the 300 x 200 of one pixel per screen pixel, and
    IPython is told to show it at half its pixel size (retina)."""
    view = FigureView((3, 2))
    view.show(0, lambda: view.axes.plot([0, 1], [1, 0]))
    rows, cols = pixels(view.png).shape[:2]
    assert view.figure.dpi == 2 * matplotlib.rcParams["figure.dpi"]
    assert 300 < cols <= 600 and 200 < rows <= 400
    shown = view.image()
    assert (shown.width, shown.height) == (cols // 2, rows // 2)


def slide(name, value):
    return lambda w: setattr(getattr(w, name), "value", value)


def sampling_explorer():
    vocab = rnnlib.Vocab.from_text("hello world")
    return SamplingExplorer(rnnlib.RNN(len(vocab), 8, seed=0), vocab, prefix="he")


@pytest.mark.parametrize("make, moves", [
    (HelloStepper, [slide("slider", t) for t in (2, 3, 4)]),
    (BackwardStepper, [slide("slider", t) for t in (3, 2, 1)]),
    (GateStepper, [slide("slider", t) for t in (2, 3, 4)]),
    (GradientFlow, [slide("radius_slider", r) for r in (1.2, 0.7, 1.45)]),
    (sampling_explorer, [lambda w, tau=tau: w.set_temperature(tau) for tau in (0.5, 2.0, 0.2)]),
    (LossExplorer, [slide("slider", t) for t in (2, 3, 4)] + [lambda w: w.train_button.click(),
                                                             slide("slider", 1)]),
], ids=["HelloStepper", "BackwardStepper", "GateStepper", "GradientFlow", "SamplingExplorer",
        "LossExplorer"])
def test_redrawing_only_what_changed_gives_the_picture_of_a_full_draw(make, moves):
    """After the first move, these widgets redraw only the artists that change, over a
    kept picture of the rest. Each such view (one not seen before) equals the same view
    drawn in full, pixel for pixel (up to 1 level of 255 where edges are blended)."""
    w = make()
    views = [v for v in vars(w).values() if isinstance(v, FigureView)]
    for move in moves:
        move(w)
        for view in views:
            quick = pixels(view.png)
            full = pixels(view.render())          # no list of changes: everything drawn
            assert quick.shape == full.shape
            assert np.abs(quick.astype(int) - full.astype(int)).max() <= 1, view


def test_a_stepper_draws_each_step_once():
    """Going back to a step shows the PNG drawn on the first visit: no new render."""
    w = HelloStepper()
    seen = {1: w.columns_view.png}
    for t in (2, 3, 4):
        w.slider.value = t
        seen[t] = w.columns_view.png
    renders = w.columns_view.renders, w.heatmap_view.renders
    assert len(set(seen.values())) == 4              # every step looks different
    for t in (3, 1, 2, 4):
        w.slider.value = t
        assert w.columns_view.png == seen[t]
    assert (w.columns_view.renders, w.heatmap_view.renders) == renders


def test_a_view_that_changes_size_is_cropped_anew():
    """The one-hot matrix of a longer text is a wider image."""
    w = OneHotExplorer("ab")
    narrow = pixels(w.view.png).shape[1]
    w.text_box.value = "abcdefghijklmnop"
    assert pixels(w.view.png).shape[1] > narrow + 100


@pytest.mark.parametrize("make, move", [
    (LossExplorer, lambda w: setattr(w.slider, "value", 3)),
    (LossExplorer, lambda w: w.train_button.click()),
    (sampling_explorer, lambda w: w.set_temperature(0.5)),
    (GradientFlow, lambda w: setattr(w.radius_slider, "value", 1.2)),
    (lambda: SequenceProbe(rnnlib.RNNClassifier(2, 4, 2, seed=0), ["a", "s"], start="as"),
     lambda w: w.token_buttons[0].click()),
])
def test_every_slider_widget_shows_a_new_png_after_a_move(make, move):
    """Each widget shows a PNG from its first draw on, and another one after a move."""
    w = make()
    before = w.view.png
    pixels(before)
    move(w)
    assert w.view.png != before
    pixels(w.view.png)
