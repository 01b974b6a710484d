"""Look inside the hidden units: what a classifier sees step by step, and text coloured by
one unit of a character model.

- ``SequenceProbe``: build a token sequence with buttons and watch a trained
  ``RNNClassifier`` read it: p(class) after every step and the hidden states h_t.
- ``NeuronText``: a passage with each character's background coloured by one hidden
  unit's activation h_t[unit] (blue -1, white 0, red +1); pick the unit from a list.

Shapes: T time steps (tokens or characters), H hidden units, C classes.
"""
from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

import ipywidgets as widgets
import numpy as np
from matplotlib import colormaps, colors
from numpy.typing import ArrayLike

from .. import plots
from .._style import MONO
from ..classify import RNNClassifier, one_hot_tokens
from .figure_view import FigureView


class SequenceProbe(widgets.VBox):
    """Type a sequence with token buttons; see p(class) after each step and h_t over time.

    ``model`` is a trained RNNClassifier whose inputs are one-hot tokens (input_size ==
    len(token_names)); token names should be single characters so they label the plots.
    Attributes: ``tokens`` (list of ids), ``p_over_time`` (T, C), ``hs`` (T, H),
    ``p`` (C,) after the last token, ``prediction`` (class id) and ``readout`` (HTML).
    """

    def __init__(self, model: RNNClassifier, token_names: Sequence[str],
                 class_names: Sequence[str] | None = None, start: Iterable[str | int] = ()):
        self.model = model
        self.token_names = [str(t) for t in token_names]
        if model.input_size != len(self.token_names):
            raise ValueError(f"the model reads {model.input_size} features per step but "
                             f"{len(self.token_names)} token names were given; pass one name "
                             f"per one-hot token.")
        C = model.num_classes
        self.class_names = list(class_names) if class_names is not None else \
            [f"class {c}" for c in range(C)]
        self.tokens: list[int] = [self._token_id(t) for t in start]
        self.token_buttons = []
        for i, name in enumerate(self.token_names):
            b = widgets.Button(description=name, layout=widgets.Layout(width="48px"))
            b.on_click(lambda _, i=i: self._append(i))
            self.token_buttons.append(b)
        self.back_button = widgets.Button(description="⌫", layout=widgets.Layout(width="48px"))
        self.back_button.on_click(lambda _: self._pop())
        self.clear_button = widgets.Button(description="Clear",
                                           layout=widgets.Layout(width="70px"))
        self.clear_button.on_click(lambda _: self._set([]))
        self.readout = widgets.HTML()
        self.view = FigureView((6, 4), layout="constrained", fixed_layout=False)
        self.out = self.view.out
        self.p_over_time = np.zeros((0, C))
        self.hs = np.zeros((0, model.hidden_size))
        self.p = None
        self.prediction = None
        buttons = widgets.HBox([widgets.Label("append:"), *self.token_buttons,
                                self.back_button, self.clear_button])
        super().__init__([buttons, self.readout, self.out])
        self._refresh()

    def _token_id(self, t) -> int:
        if isinstance(t, str):
            if t not in self.token_names:
                raise ValueError(f"unknown token {t!r}; use one of {self.token_names}.")
            return self.token_names.index(t)
        if isinstance(t, bool) or not isinstance(t, (int, np.integer)) \
                or not 0 <= t < len(self.token_names):
            raise ValueError(f"token {t!r} is not a token number: use 0.."
                             f"{len(self.token_names) - 1} or a name from {self.token_names}.")
        return int(t)

    def _append(self, i: int) -> None:
        self._set(self.tokens + [i])

    def _pop(self) -> None:
        self._set(self.tokens[:-1])

    def _set(self, tokens) -> None:
        self.tokens = [self._token_id(t) for t in tokens]
        self._refresh()

    def _refresh(self) -> None:
        seq = " ".join(self.token_names[i] for i in self.tokens)
        if not self.tokens:
            self.p_over_time = np.zeros((0, self.model.num_classes))
            self.hs = np.zeros((0, self.model.hidden_size))
            self.p, self.prediction = None, None
            self.readout.value = "<i>The sequence is empty: press a token button.</i>"
            self.out.clear_output()
            return
        X = one_hot_tokens(np.array(self.tokens), len(self.token_names))   # (T, F, 1)
        cache = self.model.forward(X)
        self.p_over_time = self.model.proba_over_time(X, cache)[:, :, 0]   # (T, C)
        self.hs = cache.hs[:, :, 0]                                        # (T, H)
        self.p = self.p_over_time[-1]
        self.prediction = int(self.p.argmax())
        probs = ", ".join(f"p({html.escape(n)}) = {v:.3f}"
                          for n, v in zip(self.class_names, self.p))
        self.readout.value = (
            f"<b>sequence</b> <code>{html.escape(seq)}</code> ({len(self.tokens)} steps)"
            f"<br><b>after the last step:</b> {probs} → "
            f"<b>{html.escape(self.class_names[self.prediction])}</b>")
        T, H = self.hs.shape
        self.view.resize((max(6, 0.45 * T + 3), 2.6 + 0.22 * H + 1.5))
        self.view.show(tuple(self.tokens), self._figure)

    def _figure(self) -> None:
        names = [self.token_names[i] for i in self.tokens]
        fig = self.view.figure
        fig.clear()                     # the heatmap's colour bar goes with it
        ax1, ax2 = fig.subplots(2, 1, gridspec_kw={"height_ratios": [
            2.6, 0.22 * self.model.hidden_size + 1]})
        plots.proba_steps(self.p_over_time, names, self.class_names, ax=ax1,
                          title="read-out of h_t after each step (only the last one counts)")
        plots.hidden_heatmap(self.hs, names, ax=ax2, title="hidden states h_t")


def _background(value: float, cmap, norm) -> str:
    r, g, b, _ = cmap(norm(value))
    return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


def coloured_text_html(text: str, values: ArrayLike) -> str:
    """HTML with one span per character, its background coloured by values (T,) in -1..1."""
    cmap, norm = colormaps["RdBu_r"], colors.Normalize(-1, 1)
    values = np.asarray(values, dtype=float)
    # every character's colour at once: one colour map call, not one per character
    rgb = (cmap(norm(values))[:, :3] * 255).astype(int)
    backgrounds = [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in rgb.tolist()]
    parts = []
    for ch, v, background in zip(text, values, backgrounds):
        shown = "↵" if ch == "\n" else ("⇥" if ch == "\t" else ch)
        style = f"background:{background}"
        if abs(v) > 0.75:                  # dark cells need light text to stay readable
            style += ";color:white"
        parts.append(f'<span style="{style}" title="{v:+.2f}">{html.escape(shown)}</span>')
        if ch == "\n":
            parts.append("\n")
    return (f'<div style="font-family:{MONO};font-size:13px;line-height:1.55;'
            'white-space:pre-wrap;border:1px solid #ccc;padding:6px;max-height:420px;'
            'overflow-y:auto;color:black;background:white">' + "".join(parts) + "</div>")


def _legend_html() -> str:
    cmap, norm = colormaps["RdBu_r"], colors.Normalize(-1, 1)
    cells = "".join(f'<span style="background:{_background(v, cmap, norm)};padding:0 6px;'
                    f'font-family:{MONO};color:{"white" if abs(v) > 0.75 else "black"}">'
                    f'{v:+.1f}</span>' for v in np.linspace(-1, 1, 9))
    return f"<div style='margin:2px 0'>h value: {cells}</div>"


class NeuronText(widgets.VBox):
    """A passage coloured by one hidden unit, as in Karpathy's "visualizing the predictions
    and the neuron firings".

    ``text`` (T characters) and ``hs`` (T, H) or (T, H, 1): hs[t] is the state after reading
    text[t]. ``notes`` maps a unit to a description (e.g. "inside quotes, r = 0.61"); those
    units come first in the list. Attributes: ``unit``, ``values`` (T,) and ``html``.
    """

    def __init__(self, text: str, hs: ArrayLike, notes: dict | None = None,
                 unit: int | None = None):
        h = np.asarray(hs, dtype=float)
        if h.ndim == 3:
            h = h[:, :, 0]
        if h.ndim != 2 or h.shape[0] != len(text):
            raise ValueError(f"hs must have shape (T, H) with T = len(text) = {len(text)}, "
                             f"one state per character; got {np.shape(hs)}.")
        self.text, self.hs = text, h
        notes = dict(notes or {})
        H = h.shape[1]
        for u in [*notes, *([] if unit is None else [unit])]:
            if isinstance(u, bool) or not isinstance(u, (int, np.integer)) or not 0 <= u < H:
                raise ValueError(f"unit {u!r} is not a hidden unit of these states: use "
                                 f"0..{H - 1} (H = {H}) for unit= and as keys of notes.")
        order = [*notes] + [u for u in range(H) if u not in notes]
        options = [(f"unit {u}: {notes[u]}" if u in notes else f"unit {u}", u) for u in order]
        self.dropdown = widgets.Dropdown(options=options, value=order[0] if unit is None
                                         else unit, description="unit",
                                         layout=widgets.Layout(width="460px"))
        self.dropdown.observe(lambda ch: self._show(ch["new"]), names="value")
        self.summary = widgets.HTML()
        self.html = widgets.HTML()
        self._pages: dict[int, str] = {}
        super().__init__([self.dropdown, widgets.HTML(_legend_html()), self.summary,
                          self.html])
        self._show(self.dropdown.value)

    def _show(self, unit: int) -> None:
        self.unit = int(unit)
        self.values = self.hs[:, self.unit]
        self.summary.value = (f"unit {self.unit} over {len(self.text)} characters: "
                              f"mean {self.values.mean():+.2f}, min {self.values.min():+.2f},"
                              f" max {self.values.max():+.2f}")
        if self.unit not in self._pages:      # each unit's page is written once
            self._pages[self.unit] = coloured_text_html(self.text, self.values)
        self.html.value = self._pages[self.unit]

