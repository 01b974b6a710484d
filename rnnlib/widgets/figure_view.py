"""A figure a widget redraws on every control move, made cheap enough to keep up.

The usual path, a new pyplot figure shown with ``plt.show()``, costs a layout pass, a
second draw for the inline backend's tight bounding box and a slow PNG encoding: half a
second or more per move. A :class:`FigureView` instead keeps one figure (not a pyplot
figure, so nothing else ever shows it), lays it out once, and for each view:

- lets the widget update the figure's artists (new numbers, colours and titles),
- draws it with Agg at twice the screen's pixel density, so it stays crisp on retina
  screens, crops it to the area found on the first draw and writes the PNG with a
  fast zlib level (a few times faster than the default encoding, a little larger),
- keeps the PNG under a key the widget names (the step t, a slider value), so a view
  seen before is shown again without drawing.

The image is displayed in an ``Output`` widget, as ``plt.show()`` would, so the last view
is kept in a notebook's widget state and in the static pages built from it; this works
on ipywidgets 7.7 and 8 alike.

:func:`figure_in` is the plain way, a new pyplot figure shown with ``plt.show()`` inside an
Output widget, for a figure drawn once in a while (after a training run, not on every move).
"""
from __future__ import annotations

import struct
import warnings
import zlib
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import Any
from contextlib import contextmanager

import ipywidgets as widgets
import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Image, display
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

DENSITY = 2          # image pixels per screen pixel: 2 is what retina screens show
ZLIB_LEVEL = 1       # fast; Pillow's level 6 (matplotlib's) makes them ~25% smaller, ~3x slower
CACHE_SIZE = 64      # views kept per figure (a few MB); the oldest is dropped beyond that


def encode_png(pixels: np.ndarray, level: int = ZLIB_LEVEL) -> bytes:
    """PNG bytes of an RGB or RGBA image, pixels (rows, columns, 3 or 4) of uint8.

    Rows are stored unfiltered: a figure is mostly flat colour, which zlib packs well
    as it is, and skipping the PNG filters is what makes this fast.
    """
    rows, cols, channels = pixels.shape
    colour_type = {3: 2, 4: 6}[channels]                  # PNG's codes for RGB, RGBA
    raw = np.zeros((rows, 1 + cols * channels), np.uint8)  # a 0 byte per row: no filter
    raw[:, 1:] = pixels.reshape(rows, -1)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data)))
    header = struct.pack(">IIBBBBB", cols, rows, 8, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw.tobytes(), level)) + chunk(b"IEND", b""))


class FigureView:
    """One figure shown in ``out`` (an Output widget), one cached PNG per view.

    ``FigureView(figsize, nrows, ncols, **subplots_kw)`` makes the figure and its axes
    (``figure``, ``axes``), as ``plt.subplots`` would. ``show(key, draw)`` shows the view
    named ``key``: the first time, it calls ``draw()`` to update the figure and renders
    it; later it shows the kept PNG. ``png`` is the image shown last, ``renders`` counts
    the draws. The first render fixes the layout (a ``layout=`` engine runs once) and the
    crop, so every view has the same size and nothing moves between steps; a widget
    whose artists change size between views should leave room for them in ``figsize``.
    ``pad`` is the margin, in inches, kept around what the first view draws.
    ``fixed_layout=False`` runs the layout engine at every render instead, for a widget
    that builds its axes again for each view.
    """

    def __init__(self, figsize: tuple[float, float], nrows: int = 1, ncols: int = 1,
                 pad: float = 0.15, density: int = DENSITY, fixed_layout: bool = True,
                 **subplots_kw: Any):
        layout = subplots_kw.pop("layout", None)
        dpi = mpl.rcParams["figure.dpi"]
        self.density = density
        self._layout = layout
        self._fixed_layout = fixed_layout
        self.figure = Figure(figsize=figsize, dpi=dpi * density, layout=layout)
        FigureCanvasAgg(self.figure)
        # titles at a fixed height: matplotlib otherwise moves each title clear of the tick
        # labels on every draw, which measures them all again (a third of a draw's time)
        with mpl.rc_context({"axes.titley": 1.0}):
            self.axes = self.figure.subplots(nrows, ncols, **subplots_kw)
        self.out = widgets.Output()
        self.png: bytes | None = None
        self.renders = 0
        # pixels kept around the content: room for labels a little wider than the first
        # view's (a tick label "1000" where it was "10")
        self._pad = int(round(pad * dpi * density))
        self._crop: tuple[slice, slice] | None = None
        self._moving: list[Artist] = []                    # drawn over the background
        self._background = None                            # the rest, as pixels
        self._changed_before: set[int] = set()             # ids of the last changes
        self._cache: dict[Hashable, bytes] = {}

    def show(self, key: Hashable, draw: Callable[[], Iterable[Artist] | None]) -> bytes:
        """Display the view ``key``, drawing it with ``draw()`` unless it is kept.

        ``draw()`` updates the figure. If it returns the artists it changed (and it changes
        nothing else), only those are drawn again, over a picture of the rest kept from
        before: the axes, ticks and labels that stay the same are not drawn every time.
        An artist may be a whole ``Axes``, drawn again with whatever it holds then.
        """
        png = self._cache.get(key)
        if png is None:
            png = self.render(draw())
            if len(self._cache) >= CACHE_SIZE:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = png
        self.png = png
        with self.out:
            self.out.clear_output(wait=True)
            display(self.image())
        return png

    def image(self) -> Image:
        """The last view as IPython displays it: at 2x density, marked retina, so it is
        shown at half its pixel size and keeps the figure's size on screen."""
        return Image(data=self.png, format="png", retina=self.density == 2)

    def resize(self, figsize: tuple[float, float]) -> None:
        """Give the figure a new size (in inches) for the next view: the layout and the
        crop are found again at the next render."""
        w, h = figsize
        if np.allclose(self.figure.get_size_inches(), (w, h)):
            return
        self.figure.set_size_inches(w, h)
        if self._layout is not None:
            self.figure.set_layout_engine(self._layout)
        self._crop = None
        for a in self._moving:
            a.set_animated(False)
        self._moving, self._background = [], None

    def forget(self) -> None:
        """Drop every kept view (call it when what the views show has changed)."""
        self._cache.clear()

    def render(self, changed: Iterable[Artist] | None = None) -> bytes:
        """Draw the figure now and return it as PNG bytes, cropped to its content.

        ``changed``: the artists changed since the last render, when nothing else was.
        """
        canvas = self.figure.canvas
        changed = list(changed) if changed is not None else []
        same = bool(changed) and {id(a) for a in changed} == self._changed_before
        self._changed_before = {id(a) for a in changed}
        if same and self._background is not None:
            self._draw_moving()                        # the same artists moved again
        else:
            for a in self._moving:                     # anything may have changed: draw all
                a.set_animated(False)
            self._moving, self._background = [], None
            if same:
                # the same artists changed twice running: keep a picture of everything
                # else, and from now on draw only them over it
                self._moving = sorted(changed, key=lambda a: a.get_zorder())
                for a in self._moving:
                    a.set_animated(True)
                canvas.draw()
                self._background = canvas.copy_from_bbox(self.figure.bbox)
                self._draw_moving()
            else:
                canvas.draw()
        if self._fixed_layout and self.figure.get_layout_engine() is not None:
            # keep the positions the layout engine found: it runs once, not on every view
            self.figure.set_layout_engine("none")
        pixels = np.asarray(canvas.buffer_rgba())
        if self._crop is None:
            self._crop = self._content_box(pixels)
        pixels = pixels[self._crop]
        opaque = self.figure.get_facecolor()[3] == 1 and self.figure.patch.get_visible()
        self.renders += 1
        return encode_png(pixels[..., :3] if opaque else pixels)

    def _draw_moving(self) -> None:
        canvas = self.figure.canvas
        canvas.restore_region(self._background)
        renderer = canvas.get_renderer()
        for a in self._moving:
            a.draw(renderer)

    def _content_box(self, pixels: np.ndarray) -> tuple[slice, slice]:
        """The rows and columns holding anything but the background, plus the padding."""
        flat = pixels.view(np.uint32)[..., 0]               # one number per pixel
        ink = flat != flat[0, 0]
        rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
        if rows.size == 0:                                  # an empty figure: keep it all
            return slice(None), slice(None)
        p = self._pad
        return (slice(max(rows[0] - p, 0), rows[-1] + p + 1),
                slice(max(cols[0] - p, 0), cols[-1] + p + 1))


@contextmanager
def figure_in(out: widgets.Output, *args: Any, **kwargs: Any) -> Iterator[tuple]:
    """Draw a new figure into Output widget ``out``, replacing what it showed.

    ``with figure_in(out, 1, 2, figsize=(8, 3)) as (fig, axes): ...`` (the arguments of
    ``plt.subplots``): the figure is shown with ``plt.show()`` on leaving the block and
    then closed.
    """
    with out:
        out.clear_output(wait=True)
        fig, axes = plt.subplots(*args, **kwargs)
        try:
            yield fig, axes
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*non-interactive.*")
                plt.show()
        finally:
            plt.close(fig)
