"""Step through the forward pass of the hidden layer, one character at a time.

    h_t = tanh(Wxh x_t + Whh h_{t-1} + bh),   h_0 = 0

``HelloStepper`` shows, for the step chosen with the slider (or Prev / Next / play), the
input and target characters, x_t, h_{t-1}, the three terms Wxh x_t, Whh h_{t-1} and bh,
their sum and h_t, as coloured columns; below them the heatmap of every h_t with the
current step outlined, and a table of the numbers. Shapes: V vocabulary, H hidden,
T = len(text) - 1 steps; every column shown is (V, 1) or (H, 1).
"""
from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from .. import plots
from .._style import MONO
from ..rnn import RNN
from ..vocab import Vocab
from ..plots.activations import set_columns
from . import StepControls, check_model_vocab, text_vocab
from .figure_view import FigureView


def readable_rnn(vocab_size: int, hidden_size: int = 6, seed: int = 0) -> RNN:
    """An untrained RNN whose numbers are big enough to see.

    min-char-rnn's initial weights (0.01 * randn) give h_t of about 0.01: every cell of
    a plot would be white. Here Wxh, Whh and bh are drawn with a standard deviation of
    about 0.8, 0.5 and 0.3 instead, so h_t spreads over most of (-1, 1).
    """
    model = RNN(vocab_size, hidden_size, seed=seed)
    rng = np.random.default_rng(seed)
    for name, scale in (("Wxh", 0.8), ("Whh", 0.5), ("bh", 0.3)):
        p = model.params[name]
        p[...] = rng.standard_normal(p.shape) * scale
    return model


PLAY_INTERVAL_MS = 1000    # one step a second while play runs


class HelloStepper(widgets.VBox):
    """Walk through h_t = tanh(Wxh x_t + Whh h_{t-1} + bh) over ``text``, step by step.

    ``HelloStepper()`` uses "hello" (inputs h, e, l, l; targets e, l, l, o) and a small
    seeded model from :func:`readable_rnn`. Pass ``model`` (an RNN) and ``text``, and
    ``vocab`` when the model was built for a vocabulary other than ``Vocab.from_text(text)``.

    After each step the numbers shown are kept as attributes: ``t`` (1..T), ``input_char``,
    ``target_char``, ``x_t`` (V, 1), ``h_prev``, ``Wxh_x``, ``Whh_h``, ``bh``, ``a_t`` (the
    sum before tanh) and ``h_t`` (all (H, 1)); ``hs`` (T, H) holds every h_t.
    """

    def __init__(self, model: RNN | None = None, text: str = "hello",
                 vocab: Vocab | None = None, h_prev=None):
        self.vocab = text_vocab(text, vocab)
        self.model = model if model is not None else readable_rnn(len(self.vocab))
        check_model_vocab(self.model, self.vocab, text, kind=RNN)
        self.text = text
        self.inputs = self.vocab.encode(text[:-1])             # (T,)
        self.targets = self.vocab.encode(text[1:])             # (T,)
        self.cache = self.model.forward(self.inputs, h_prev)   # the library's forward pass
        self.hs = self.cache.hs[:, :, 0]                       # (T, H)
        self.T = T = len(self.inputs)

        self.steps = StepControls(T, description="t", prev_label="◀ Prev",
                                  next_label="Next ▶", primary=None, prev_width="90px",
                                  next_width="90px")
        self.slider = self.steps.slider
        self.prev_button, self.next_button = self.steps.prev_button, self.steps.next_button
        # a step answers in tens of milliseconds, so play moves at the pace of reading
        self.play = widgets.Play(value=1, min=1, max=T, step=1, interval=PLAY_INTERVAL_MS,
                                 description="play")
        widgets.jslink((self.play, "value"), (self.slider, "value"))
        self.readout = widgets.HTML()
        H = self.model.hidden_size
        self.columns_view = FigureView((1.3 * 7 + 1.6, 0.42 * max(H, self.model.vocab_size) + 1.3))
        self.heatmap_view = FigureView((max(4.0, 0.5 * T + 2.2), max(2.6, 0.3 * H + 1.4)))
        self.columns_out, self.heatmap_out = self.columns_view.out, self.heatmap_view.out
        self._outline = None
        self.slider.observe(self._on_slider, names="value")

        controls = widgets.HBox([self.play, self.steps])
        super().__init__([controls, self.columns_out,
                          widgets.HBox([self.heatmap_out, self.readout])])
        self._show(1)

    # ---- events ------------------------------------------------------------------
    def _on_slider(self, change) -> None:
        self._show(int(change["new"]))

    # ---- what one step shows -----------------------------------------------------
    def _show(self, t: int) -> None:
        P = self.model.params
        i = t - 1                                   # arrays are 0-based, steps 1-based
        ix = int(self.inputs[i])
        self.t = t
        self.input_char = self.vocab.chars[ix]
        self.target_char = self.vocab.chars[int(self.targets[i])]
        self.x_t = self.cache.xs[i]                             # (V, 1) one-hot
        self.h_prev = self.cache.h_prev if i == 0 else self.cache.hs[i - 1]
        # the three terms of the sum, read off the parameters for display
        self.Wxh_x = P["Wxh"] @ self.x_t                        # = the column Wxh[:, ix]
        self.Whh_h = P["Whh"] @ self.h_prev
        self.bh = P["bh"]
        self.a_t = self.Wxh_x + self.Whh_h + self.bh
        self.h_t = self.cache.hs[i]                             # from the library's pass
        self._draw_columns()
        self._draw_heatmap()
        self.readout.value = self._readout_html()

    def _draw_columns(self) -> None:
        self.columns_view.show(self.t, self._columns_figure)

    def _columns_figure(self):
        H = self.model.hidden_size
        cols = [(self.x_t, r"$x_t$", [plots.char_label(c) for c in self.vocab.chars]),
                (self.h_prev, r"$h_{t-1}$", range(H)),
                (self.Wxh_x, r"$W_{xh}x_t$", None),
                (self.Whh_h, r"$+\ W_{hh}h_{t-1}$", None),
                (self.bh, r"$+\ b_h$", None),
                (self.a_t, r"$=$ sum", None),
                (self.h_t, r"$h_t=\tanh($sum$)$", range(H))]
        fig, ax = self.columns_view.figure, self.columns_view.axes
        title = (f"step t = {self.t}: input {plots.char_label(self.input_char)!r}, "
                 f"target {plots.char_label(self.target_char)!r}   "
                 f"(rows: characters for $x_t$, hidden units for the rest)")
        if ax.images:                 # the same columns with this step's numbers
            set_columns(ax, [v for v, _, _ in cols])
        else:
            # one fixed colour scale, the range of tanh, for every column and step, so
            # equal colours mean equal numbers; larger sums saturate (the number shows)
            plots.columns_side_by_side(cols, ax=ax, vmax=1.0)
            fig.colorbar(ax.get_images()[-1], ax=ax, fraction=0.025, pad=0.01,
                         label="value (colours stop at ±1)")
        ax.set_title(title, fontsize=11, pad=14)
        # what changes from step to step, and the cell outlines drawn over the cells
        return [*ax.images, *ax.patches, *(t for t in ax.texts if t.get_gid() == "value"),
                ax.title]

    def _draw_heatmap(self) -> None:
        self.heatmap_view.show(self.t, self._heatmap_figure)

    def _heatmap_figure(self):
        ax = self.heatmap_view.axes
        title = f"h_t over time (step {self.t} outlined)"
        if self._outline is None:            # the heatmap is the same at every step
            plots.hidden_heatmap(self.hs, chars=self.text[:-1], ax=ax, title=title)
            plots.mark_time_step(ax, self.t - 1)
            self._outline = ax.patches[-1]
            self.heatmap_view.figure.tight_layout()
        self._outline.set_x(self.t - 1.5)
        ax.set_title(title)
        # the frame and the tick marks are drawn over the outline
        return [self._outline, *ax.spines.values(), ax.xaxis, ax.title]

    def _readout_html(self) -> str:
        def esc(ch):
            return html.escape(repr(ch))
        td = '<td style="padding:1px 8px">'
        rows = "".join(
            f"<tr>{td}{k}</td>{td}{self.h_prev[k, 0]:.3f}</td>{td}{self.Wxh_x[k, 0]:.3f}</td>"
            f"{td}{self.Whh_h[k, 0]:.3f}</td>{td}{self.bh[k, 0]:.3f}</td>"
            f"{td}{self.a_t[k, 0]:.3f}</td>{td}<b>{self.h_t[k, 0]:.3f}</b></td></tr>"
            for k in range(self.model.hidden_size))
        head = "".join(f'<th style="padding:1px 8px;white-space:nowrap">{h}</th>' for h in
                       ("unit", "h<sub>t-1</sub>", "W<sub>xh</sub>x<sub>t</sub>",
                        "W<sub>hh</sub>h<sub>t-1</sub>", "b<sub>h</sub>", "sum",
                        "h<sub>t</sub>"))
        return (f'<div style="font-size:14px;margin-left:12px">'
                f"<b>t = {self.t}</b> of {self.T}: input {esc(self.input_char)} → "
                f"target {esc(self.target_char)}<br>"
                f'<table style="border-collapse:collapse;text-align:right;'
                f'font-family:{MONO}">'
                f"<tr>{head}</tr>{rows}</table></div>")
