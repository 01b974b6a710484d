"""Train an RNN live: a button, a progress bar, the loss curve and the latest sample.

``TrainingWidget(trainer)`` trains an :class:`rnnlib.Trainer` N iterations per click of
"Train N steps", redrawing the loss curve and sampling text a few times along the way.
``progress_callback(n_iters)`` is the light version for a plain ``trainer.train`` call: a
progress bar and a status line, passed as ``callback=``.
"""
from __future__ import annotations

import html
import math
import time

import ipywidgets as widgets
import numpy as np
from matplotlib.transforms import ScaledTranslation

from .. import metrics, plots
from .._style import ERROR
from ..progress import sample_html
from ..train import Progress, Trainer, TrainingDiverged
from .figure_view import figure_in

def _whole(name: str, value, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be a whole number >= {low}, got {value!r}.")
    return int(value)


class TrainingProgress(widgets.VBox):
    """A progress bar and a status line; call it with each :class:`rnnlib.Progress`.

    ``trainer.train(n, callback=TrainingProgress(n))``. Attributes: ``count`` (calls so
    far), ``last`` (the latest Progress), ``bar`` (IntProgress), ``label`` (HTML) and
    ``samples`` (the (iteration, text) pairs the trainer sampled while it ran).
    """

    def __init__(self, n_iters: int, description: str = "training",
                 show_samples: bool = True, every: int | None = None):
        self.total = _whole("n_iters", n_iters)
        # refreshing the front end ~200 times per run is smooth and costs little
        self.every = _whole("every", every) if every is not None else max(1, self.total // 200)
        self.count = 0
        self.last: Progress | None = None
        self.samples: list[tuple[int, str]] = []
        self.show_samples = show_samples
        self._start = None
        self.bar = widgets.IntProgress(value=0, min=0, max=self.total, description=description,
                                       style={"description_width": "initial"})
        self.label = widgets.HTML(value=f"0 / {self.total} iterations")
        self.sample_box = widgets.HTML(value="")
        super().__init__([widgets.HBox([self.bar, self.label]), self.sample_box])

    def __call__(self, p: Progress) -> None:
        if self._start is None:
            self._start = time.perf_counter() - p.elapsed
        self.count += 1
        self.last = p
        if p.sample is not None:
            self.samples.append((p.iteration - 1, p.sample))
            if self.show_samples:
                self.sample_box.value = sample_html(p.iteration - 1, p.sample)
        if self.count % self.every == 0 or self.count >= self.total:
            self.bar.value = min(self.count, self.total)
            rate = self.count / max(time.perf_counter() - self._start, 1e-9)
            self.label.value = (f"iteration {p.iteration} · smooth loss {p.smooth_loss:.3f}"
                                f" ({p.smooth_bits_per_char:.3f} bits/char)"
                                f" · {rate:,.0f} iterations/s")


# the light version, a tqdm bar that also works outside Jupyter, lives in rnnlib.progress;
# it is importable from here as well, where the notebooks have always found it
from ..progress import progress_callback  # noqa: E402,F401


class TrainingWidget(widgets.VBox):
    """Train ``trainer`` live: "Train N steps" runs N iterations, "Reset" starts over.

    While it trains, the progress bar advances, and ``redraws`` times per click the loss
    curve (per-chunk loss and min-char-rnn's smooth loss) is redrawn and a new sample of
    ``sample_length`` characters is shown. Attributes for tests and curious learners:
    ``trainer``, ``iteration`` and ``history`` (the trainer's), ``samples`` (every
    (iteration, text) shown), ``plotted`` (the x and y arrays of the loss curves last
    drawn: per-chunk loss, smooth loss and, from iteration 50 on, the mean of the last 50
    chunks; the y-axis on the right, ``bits_axis``, reads them in bits per character),
    ``progress``, ``status``, ``steps``.
    """

    def __init__(self, trainer: Trainer, steps: int = 200, max_steps: int = 2000,
                 sample_length: int = 120, redraws: int = 5):
        if not isinstance(trainer, Trainer):
            raise TypeError(f"TrainingWidget needs an rnnlib.Trainer, got "
                            f"{type(trainer).__name__}; make one with "
                            f"rnnlib.Trainer(text, rnnlib.TrainConfig(...)).")
        max_steps = _whole("max_steps", max_steps, 10)
        steps = _whole("steps", steps, 10)                   # the slider starts at 10
        if steps > max_steps:
            raise ValueError(f"steps = {steps} is more than max_steps = {max_steps}; "
                             f"raise max_steps or ask for fewer steps.")
        self.trainer = trainer
        self.sample_length = _whole("sample_length", sample_length)
        self.redraws = _whole("redraws", redraws)
        self.samples: list[tuple[int, str]] = []
        self.plotted: list[tuple[np.ndarray, np.ndarray]] = []

        self.steps = widgets.IntSlider(value=steps, min=10, max=max_steps, step=10,
                                       description="steps N", continuous_update=False,
                                       style={"description_width": "initial"})
        self.train_button = widgets.Button(description=self._button_text(steps),
                                           button_style="primary",
                                           layout=widgets.Layout(width="160px"))
        self.reset_button = widgets.Button(description="Reset",
                                           layout=widgets.Layout(width="90px"))
        self.progress = widgets.IntProgress(value=0, min=0, max=steps)
        self.status = widgets.HTML()
        self.plot_out = widgets.Output()
        self.sample_box = widgets.HTML()

        self.steps.observe(self._on_steps, names="value")
        self.train_button.on_click(lambda _: self.train())
        self.reset_button.on_click(lambda _: self.reset())
        super().__init__([
            widgets.HBox([self.steps, self.train_button, self.reset_button]),
            widgets.HBox([self.progress, self.status]),
            self.plot_out,
            self.sample_box,
        ])
        self._refresh(sample=True)

    # the trainer's numbers, read through so they are never out of date
    @property
    def iteration(self) -> int:
        return self.trainer.iteration

    @property
    def history(self) -> list[tuple[int, float, float]]:
        return self.trainer.history

    @staticmethod
    def _button_text(n: int) -> str:
        return f"Train {n} steps"

    def _on_steps(self, change) -> None:
        self.train_button.description = self._button_text(change["new"])

    def train(self, n: int | None = None) -> None:
        """Run ``n`` iterations (default: the slider's N), updating the display as it goes."""
        n = self.steps.value if n is None else _whole("n", n)
        self.progress.max, self.progress.value = n, 0
        self.progress.bar_style = ""
        every = max(1, n // 200)           # progress-bar updates: ~200 per click at most
        chunk = math.ceil(n / self.redraws)

        first = self.trainer.iteration

        def tick(p: Progress) -> None:
            k = p.iteration - first               # iterations done in this call
            if k % every == 0:
                self.progress.value = k

        self.train_button.disabled = self.reset_button.disabled = True
        try:
            done = 0
            while done < n:
                k = min(chunk, n - done)
                self.trainer.train(k, callback=tick)
                done += k
                self.progress.value = done
                self._refresh(sample=True)
            self.progress.bar_style = "success"
        except TrainingDiverged as err:
            self.progress.bar_style = "danger"
            self.status.value = (f"<span style='{ERROR};padding:0 4px'><b>training diverged.</b> "
                                 f"{html.escape(str(err))}</span>")
        finally:
            self.train_button.disabled = self.reset_button.disabled = False

    def reset(self) -> None:
        """Start again from fresh weights: a new Trainer with the same text and settings."""
        old = self.trainer
        text = old.vocab.decode(old.data)
        self.trainer = Trainer(text, old.config, vocab=old.vocab)
        self.samples = []
        self.progress.value, self.progress.bar_style = 0, ""
        self._refresh(sample=True)

    # ---- drawing -----------------------------------------------------------------
    def _refresh(self, sample: bool) -> None:
        tr = self.trainer
        T = tr.config.seq_length
        if tr.history:
            _, last, smooth = tr.history[-1]
            self.status.value = (
                f"<b>iteration {tr.iteration}</b> · smooth loss {smooth:.3f} = "
                f"<b>{metrics.bits_per_char(smooth, T):.3f} bits/char</b> · loss of the last "
                f"chunk {last:.3f} = {metrics.bits_per_char(last, T):.3f} bits/char")
        else:
            self.status.value = (
                f"<b>iteration {tr.iteration}</b> · smooth loss {tr.smooth_loss:.3f} = "
                f"<b>{metrics.bits_per_char(tr.smooth_loss, T):.3f} bits/char</b> "
                f"(a uniform guess over the {len(tr.vocab)} characters)")
        if sample:
            text = tr.sample_now(self.sample_length)
            self.samples.append((tr.iteration, text))
            self.sample_box.value = sample_html(tr.iteration, text)
        self._draw()

    def _draw(self) -> None:
        tr = self.trainer
        V, T = len(tr.vocab), tr.config.seq_length
        with figure_in(self.plot_out, figsize=(9.5, 3.2)) as (fig, ax):
            if tr.history:
                plots.loss_curve(tr.history, ax=ax)
                ax.lines[0].set_label("loss of each chunk")
            else:                          # nothing to draw yet: just the empty axes
                ax.set_xlabel("iteration")
                ax.set_ylabel(plots.training.LOSS_LABEL)
                ax.set_xlim(0, self.steps.value)
            # the smooth loss forgets its start slowly; a plain running mean shows progress
            plots.loss_running_mean(tr.history, window=50, ax=ax, color="C2")
            self.plotted = [(np.asarray(line.get_xdata(), dtype=float),
                             np.asarray(line.get_ydata(), dtype=float)) for line in ax.lines]
            # where min-char-rnn's smooth loss starts: T characters guessed uniformly
            plots.uniform_guess_line(ax, V, T, label=(
                f"uniform guess: {metrics.uniform_bits_per_char(V):.2f} bits/char\n"
                f"(T·log V = {T * math.log(V):.1f} per chunk)"))
            ax.set_ylim(0, max(ax.get_ylim()[1], 1.08 * T * math.log(V)))
            # the same heights read per character on the right
            self.bits_axis = plots.bits_axis(ax, T)
            # outside the axes, past the bits axis's labels, so it never hides the curves
            past_labels = ax.transAxes + ScaledTranslation(0.75, 0, fig.dpi_scale_trans)
            ax.legend(loc="upper left", bbox_to_anchor=(1, 1), bbox_transform=past_labels,
                      fontsize=9, frameon=False)
            ax.set_title(f"training loss, {T} characters per chunk", fontsize=10)
            # fixed margins in inches (room for the labels on both sides and the legend):
            # the same layout as tight_layout gives, without its extra pass over the figure
            w, h = fig.get_size_inches()
            fig.subplots_adjust(left=0.85 / w, right=1 - 3.3 / w, bottom=0.5 / h, top=1 - 0.3 / h)
