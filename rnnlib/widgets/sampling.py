"""Sample text from a trained model and feel what the temperature does.

``SamplingExplorer`` primes the model with a prefix, samples a continuation with
``rnnlib.sample_text``, and draws the probabilities p = softmax(y / tau) of the first
sampled character at the chosen temperature tau. The temperature slider moves on a log
scale from 0.1 to 3, so 0.1, 0.3 and 1 are as far apart as 0.3, 1 and 3.
Shapes: V vocabulary; y and p are (V, 1).
"""
from __future__ import annotations

import html
import math

import ipywidgets as widgets
import numpy as np

from .. import plots
from .._checks import positive_float
from .._style import ERROR, HIGHLIGHT, MONO, MUTED_TEXT, PANEL
from ..functional import softmax
from ..model import CharModel
from ..sampling import prime, sample_text
from ..vocab import Vocab
from .checks import check_model_vocab
from .figure_view import FigureView

TAU_MIN, TAU_MAX = 0.1, 3.0
N_BARS = 20          # the most likely characters drawn as bars


class SamplingExplorer(widgets.VBox):
    """Prefix, temperature, length and greedy controls over a model's samples.

    ``model`` is a trained RNN or LSTM (anything with ``step`` and ``initial_state``) and
    ``vocab`` its vocabulary. Every change of a control samples again with the same random
    numbers, so only that change shows; "sample again" draws new ones. The numbers shown
    are kept as attributes: ``temperature``, ``prefix``, ``length``, ``greedy``, ``draw``
    (how many times "sample again" was clicked), ``text`` (prefix + continuation),
    ``continuation``, ``p_first`` (V, 1), the probabilities of the first sampled character,
    and ``error`` (a message, or None).
    """

    def __init__(self, model: CharModel, vocab: Vocab, prefix: str = "The ", length: int = 200,
                 temperature: float = 1.0, greedy: bool = False, seed: int = 0):
        check_model_vocab(model, vocab)
        if isinstance(length, bool) or not isinstance(length, (int, np.integer)) \
                or not 10 <= length <= 1000:
            raise ValueError(f"length must be a whole number of characters from 10 to 1000 "
                             f"(the slider's range), got {length!r}.")
        temperature = positive_float("temperature", temperature)
        if not TAU_MIN <= temperature <= TAU_MAX:
            raise ValueError(f"temperature must be between {TAU_MIN} and {TAU_MAX}, got "
                             f"{temperature!r}.")
        self.model, self.vocab, self.seed = model, vocab, seed
        self.draw = 0
        self.tau_slider = widgets.FloatSlider(
            value=math.log10(temperature), min=math.log10(TAU_MIN), max=math.log10(TAU_MAX),
            step=0.01, readout=False, continuous_update=False, description="temperature",
            style={"description_width": "initial"}, layout=widgets.Layout(width="320px"))
        self.tau_label = widgets.Label()
        self.prefix_box = widgets.Text(value=prefix, description="prefix",
                                       continuous_update=False,
                                       layout=widgets.Layout(width="300px"),
                                       style={"description_width": "initial"})
        self.length_slider = widgets.IntSlider(value=length, min=10, max=1000, step=10,
                                               description="length",
                                               continuous_update=False,
                                               style={"description_width": "initial"})
        self.greedy_box = widgets.Checkbox(value=greedy, description="greedy (always the top bar)",
                                           indent=False)
        self.again_button = widgets.Button(description="sample again",
                                           button_style="primary")
        self.text_html = widgets.HTML()
        n_bars = min(N_BARS, len(vocab))
        self.view = FigureView((max(4.5, 0.42 * n_bars + 1.5), 2.9), layout="tight")
        self.plot_out = self.view.out
        for w in (self.tau_slider, self.prefix_box, self.length_slider, self.greedy_box):
            w.observe(lambda change: self.update(), names="value")
        self.again_button.on_click(lambda _: self.sample_again())
        super().__init__([
            widgets.HBox([self.tau_slider, self.tau_label, self.greedy_box]),
            widgets.HBox([self.prefix_box, self.length_slider, self.again_button]),
            self.text_html, self.plot_out])
        self.update()

    def set_temperature(self, tau: float) -> None:
        """Move the slider to temperature ``tau`` (0.1..3); the sample follows."""
        if not TAU_MIN <= tau <= TAU_MAX:
            raise ValueError(f"temperature must be between {TAU_MIN} and {TAU_MAX}, got "
                             f"{tau!r}.")
        self.tau_slider.value = math.log10(tau)

    def sample_again(self) -> None:
        """New random numbers, same settings."""
        self.draw += 1
        self.update()

    def update(self) -> None:
        """Read the controls, sample, and redraw."""
        self.temperature = round(10 ** self.tau_slider.value, 3)
        self.tau_label.value = f"τ = {self.temperature:.2f}"
        self.prefix = self.prefix_box.value
        self.length = int(self.length_slider.value)
        self.greedy = bool(self.greedy_box.value)
        try:
            if not self.prefix:
                raise ValueError("type a prefix of at least one character: the model needs "
                                 "a first input to start from.")
            ixs = self.vocab.encode(self.prefix)           # unknown characters raise here
        except ValueError as err:
            self.error = str(err)
            self.text = self.continuation = self.p_first = None
            message = html.escape(self.error, quote=False)
            self.text_html.value = f'<p style="{ERROR};padding:4px 8px">{message}</p>'
            self.plot_out.clear_output()
            return
        self.error = None
        # p of the first sampled character: the model's logits after the whole prefix
        h = prime(self.model, ixs[:-1])
        y, _ = self.model.step(np.array([ixs[-1]]), h)     # (V, 1)
        self.p_first = softmax(y / self.temperature)
        rng = np.random.default_rng([self.seed, self.draw])
        self.text = sample_text(self.model, self.vocab, self.prefix, self.length,
                                temperature=self.temperature, rng=rng, greedy=self.greedy)
        self.continuation = self.text[len(self.prefix):]
        self.text_html.value = self._text_html()
        self._draw()

    def _text_html(self) -> str:
        how = "greedy" if self.greedy else f"τ = {self.temperature:.2f}, draw {self.draw}"
        return (f'<div style="font-family:{MONO};white-space:pre-wrap;font-size:13px;'
                f'{PANEL};padding:6px;max-height:260px;overflow-y:auto">'
                f'<b style="{HIGHLIGHT}">{html.escape(self.prefix, quote=False)}</b>'
                f"{html.escape(self.continuation, quote=False)}</div>"
                f'<div style="color:{MUTED_TEXT};font-size:12px">{self.length} characters sampled '
                f"({how}); the prefix is shaded.</div>")

    def _draw(self) -> None:
        first = self.continuation[0] if self.continuation else None
        # the bars depend on the prefix and the temperature, the orange one on the sample
        self.view.show((self.prefix, self.temperature, first), self._figure)

    def _figure(self):
        p = self.p_first.ravel()
        top = np.argsort(-p, kind="stable")[:N_BARS]         # most likely first
        first = self.continuation[0] if self.continuation else None
        chosen = self.vocab.char_to_ix.get(first, -1)
        hit = np.flatnonzero(top == chosen)
        target = int(hit[0]) if hit.size else None         # its bar, if among the top
        ax = self.view.axes
        labels = [self.vocab.chars[k] for k in top]
        drawn = bool(ax.patches)
        if drawn:                       # the same bars: new heights, colours and labels
            for bar, height in zip(ax.patches, p[top]):
                bar.set_height(height)
                bar.set_facecolor(self._bar_colour)
            ax.set_xticks(range(len(top)), [plots.char_label(c) for c in labels])
        else:
            plots.prob_bars(p[top], labels, ax=ax)
            self._bar_colour = ax.patches[0].get_facecolor()
        if target is not None:
            ax.patches[target].set_facecolor("#d9822b")
        # the axis fits the tallest bar: at a high temperature every p is small, and a
        # fixed 0-1 axis would leave the bars flat on the floor
        ax.set_ylim(0, min(1.0, max(0.02, 1.15 * float(p[top].max()))))
        where = "orange" if target is not None else f"not among the top {len(top)}"
        shown = "" if first is None else f", sampled {plots.char_label(first)!r} ({where})"
        ax.set_title(f"p of the first character after {self.prefix[-12:]!r} at "
                     f"τ = {self.temperature:.2f}{shown}; the top {len(top)} of "
                     f"{len(p)}", fontsize=10)
        if not drawn:
            return None
        # what changed, and the frame drawn over the bars' feet
        return [*ax.patches, ax.xaxis, ax.yaxis, ax.title, *ax.spines.values()]


__all__ = ["SamplingExplorer"]
