"""How far back does a gradient reach? A slider for the spectral radius of Whh.

``GradientFlow()`` builds a vanilla RNN that reads ``steps`` random tokens and is scored
only at the end (rnnlib's many-to-one :class:`~rnnlib.RNNClassifier`), sets its Whh to a
fixed random matrix scaled to spectral radius r, and plots

    ||dL/dh_{T-k}|| / ||dL/dh_T||      against k = 0..T-1 (log scale)

from the classifier's own backward pass, with the dashed line r^k that a linear RNN
would follow. A second slider scales the input weights Wxh: at 0 every h_t stays 0, so
tanh'(0) = 1 and the RNN is linear; larger inputs push units towards +-1, where
1 - h^2 is small and the gradient shrinks faster. Shapes: H hidden, F token types,
T = ``steps``; X is (T, F, 1).
"""
from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import plots
from ..classify import RNNClassifier, one_hot_tokens
from ..functional import dtanh
from ..plots.gradients import set_grad_flow
from .figure_view import FigureView

MIN_STEPS, MAX_STEPS = 10, 80
# fixed, so moving a slider moves the curve, not the axis; the bottom goes lower only for
# a curve that would run off it (a small radius over many steps, saturated units)
YLIM = (1e-20, 1e15)


class GradientFlow(widgets.VBox):
    """Slide the spectral radius of Whh and watch the gradient vanish or explode.

    Attributes kept for tests and for reading off: ``radius``, ``input_scale``,
    ``steps``; ``norms`` (T,) = ||dL/dh_{T-k}|| for k = 0..T-1 and ``relative`` = norms /
    norms[0]; ``factor_per_step`` (the geometric mean of the ratio between neighbours);
    ``mean_tanh_grad`` (the mean of 1 - h_t^2 over all units and steps);
    ``spectral_radius`` and ``largest_singular_value`` of the Whh in use; ``model``.
    """

    def __init__(self, radius: float = 1.0, input_scale: float = 0.0, steps: int = 50,
                 hidden_size: int = 32, num_tokens: int = 8, seed: int = 0):
        if not 0.5 <= radius <= 1.5:
            raise ValueError(f"radius must be between 0.5 and 1.5 (the slider's range), "
                             f"got {radius!r}.")
        if not 0 <= input_scale <= 2:
            raise ValueError(f"input_scale must be between 0 and 2, got {input_scale!r}.")
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) \
                or not MIN_STEPS <= steps <= MAX_STEPS:
            raise ValueError(f"steps must be a whole number from {MIN_STEPS} to {MAX_STEPS}, "
                             f"got {steps!r}.")
        rng = np.random.default_rng(seed)
        H = hidden_size
        self.model = RNNClassifier(num_tokens, H, num_classes=2, seed=seed)
        # one fixed direction for Whh and Wxh: the sliders only change their size
        self._W0 = rng.standard_normal((H, H)) / np.sqrt(H)
        self._radius0 = float(np.abs(np.linalg.eigvals(self._W0)).max())
        self._sigma0 = float(np.linalg.norm(self._W0, 2))         # largest singular value
        self._Wxh0 = rng.standard_normal((H, num_tokens))
        self._X = one_hot_tokens(rng.integers(0, num_tokens, MAX_STEPS), num_tokens)

        style = {"description_width": "initial"}
        self.radius_slider = widgets.FloatSlider(
            value=radius, min=0.5, max=1.5, step=0.05, description="spectral radius r of Whh",
            continuous_update=False, readout_format=".2f", style=style,
            layout=widgets.Layout(width="420px"))
        self.input_slider = widgets.FloatSlider(
            value=input_scale, min=0.0, max=2.0, step=0.1, description="input scale (Wxh)",
            continuous_update=False, readout_format=".1f", style=style,
            layout=widgets.Layout(width="420px"))
        self.steps_slider = widgets.IntSlider(
            value=steps, min=MIN_STEPS, max=MAX_STEPS, step=5, description="steps T",
            continuous_update=False, style=style,
            layout=widgets.Layout(width="420px"))
        self.readout = widgets.HTML()
        self.view = FigureView((7.5, 3.8), layout="constrained")
        self.out = self.view.out
        for s in (self.radius_slider, self.input_slider, self.steps_slider):
            s.observe(lambda change: self._update(), names="value")
        super().__init__([self.radius_slider, self.input_slider, self.steps_slider,
                          self.readout, self.out])
        self._update()

    def _update(self) -> None:
        self.radius = float(self.radius_slider.value)
        self.input_scale = float(self.input_slider.value)
        self.steps = T = int(self.steps_slider.value)
        P = self.model.params
        P["Whh"][...] = self._W0 * (self.radius / self._radius0)
        P["Wxh"][...] = self._Wxh0 * self.input_scale
        # the library's forward and backward; the loss sits on the last step only
        cache = self.model.forward(self._X[:T])
        back = self.model.backward(cache, [0])
        by_step = np.linalg.norm(back.dhs[:, :, 0], axis=1)          # (T,), t = 1..T
        self.norms = by_step[::-1].copy()                             # k = T - t
        self.relative = self.norms / self.norms[0]
        self.factor_per_step = float(self.relative[-1] ** (1 / (T - 1)))
        self.mean_tanh_grad = float(np.mean(dtanh(cache.hs)))
        # Whh is W0 scaled by radius / radius0, and scaling scales eigen- and singular values
        scale = self.radius / self._radius0
        self.spectral_radius = self._radius0 * scale
        self.largest_singular_value = self._sigma0 * scale
        self.readout.value = self._readout_html()
        self._draw()

    def _draw(self) -> None:
        self.view.show((self.radius, self.input_scale, self.steps), self._figure)

    def _bottom(self) -> float:
        """The y-axis' lower end: YLIM's, or a decade under the lowest point of the curve
        and its dashed guide when they reach below it."""
        shown = self.relative[self.relative > 0]
        low = min(float(shown.min()) if shown.size else 1.0, self.radius ** (self.steps - 1))
        if low >= YLIM[0]:
            return YLIM[0]
        return 10.0 ** (np.floor(np.log10(low)) - 1)

    def _figure(self):
        label = f"r = {self.radius:.2f}, input scale {self.input_scale:.1f}"
        ax = self.view.axes
        bottom = self._bottom()
        if ax.lines:                          # the same axes: move the curves
            set_grad_flow(ax, {label: self.relative}, guides={label: self.radius})
            ax.set_xlim(0, self.steps - 1)    # k runs from 0 to T - 1
            if ax.get_ylim()[0] != bottom:    # a new y-axis: draw everything again
                ax.set_ylim(bottom, YLIM[1])
                return None
            # the line at 1 and the frame are drawn over the curves
            return [*ax.lines, ax.get_legend(), ax.xaxis, *ax.spines.values()]
        plots.grad_flow({label: self.relative}, ax=ax, guides={label: self.radius},
                        ylim=(bottom, YLIM[1]),
                        ylabel="$\\|dL/dh_{T-k}\\| \\;/\\; \\|dL/dh_T\\|$")
        ax.axhline(1.0, color="0.5", lw=0.8)
        ax.set_xlim(0, self.steps - 1)        # k runs from 0 to T - 1
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))   # whole steps only
        ax.set_title("gradient of the last step's loss, traced back k steps", fontsize=10)
        return None

    def _readout_html(self) -> str:
        T = self.steps
        far = self.relative[-1]
        verdict = ("explodes" if far > 10 else "vanishes" if far < 0.1 else
                   "keeps roughly its size")
        linear = " (the inputs are off, so the RNN is linear: tanh'(0) = 1)" \
            if self.input_scale == 0 else ""
        return (f'<div style="font-size:14px;line-height:1.5">'
                f"spectral radius of W<sub>hh</sub>: <b>{self.spectral_radius:.3f}</b> · "
                f"largest singular value: {self.largest_singular_value:.3f} · "
                f"mean of 1 − h<sub>t</sub><sup>2</sup>: {self.mean_tanh_grad:.3f}"
                f"{html.escape(linear)}<br>"
                f"measured factor per step: <b>{self.factor_per_step:.3f}</b> · after "
                f"{T - 1} steps back the gradient is <b>{far:.2e}</b> times its size at "
                f"the loss: it {verdict}.</div>")
