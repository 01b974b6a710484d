"""Watch the output layer and the loss while a small RNN learns one text.

    y_t = Why h_t + by      p_t = softmax(y_t)      loss = sum_t -log p_t[target_t]

``LossExplorer`` shows, for the step chosen with the slider, the logits y_t and the
probabilities p_t with the target character's bar highlighted, a table of every step's
loss, and the total loss against training iterations. "Train" takes Adagrad steps on the
text, so the target bars grow and the loss falls. Shapes: V vocabulary, H hidden,
T = len(text) - 1 steps; y_t and p_t are (V, 1).
"""
from __future__ import annotations

import html
import math

import ipywidgets as widgets
import numpy as np

from .. import plots
from .._style import HIGHLIGHT, MONO
from ..optim import Adagrad
from ..rnn import RNN
from ..vocab import Vocab
from .checks import check_model_vocab, text_vocab
from .figure_view import FigureView

STEP_CHOICES = (1, 5, 20, 100)


class LossExplorer(widgets.VBox):
    """Per-step probabilities and losses of an RNN on ``text``, and a button to train it.

    ``LossExplorer()`` uses "hello" (inputs h, e, l, l; targets e, l, l, o) and a fresh
    ``RNN(4, 6, seed=0)``, initialised like min-char-rnn, so it starts near the uniform
    guess. Pass ``model`` (an RNN, trained in place) and ``text``, and ``vocab`` when the
    model was built for a vocabulary other than ``Vocab.from_text(text)``.

    The numbers shown are kept as attributes: ``t`` (1..T), ``input_char``,
    ``target_char``, ``y_t`` and ``p_t`` (V, 1), ``p_target`` (p_t of the target),
    ``step_losses`` (T,), ``loss`` (their sum), ``iteration`` and ``history``, a list of
    (iteration, loss).
    """

    def __init__(self, model: RNN | None = None, text: str = "hello",
                 vocab: Vocab | None = None, hidden_size: int = 6, seed: int = 0,
                 lr: float = 0.1):
        self.vocab = text_vocab(text, vocab)
        self.model = model if model is not None else RNN(len(self.vocab), hidden_size, seed)
        check_model_vocab(self.model, self.vocab, text)
        self.text = text
        self.lr = lr
        self.inputs = self.vocab.encode(text[:-1])             # (T,)
        self.targets = self.vocab.encode(text[1:])             # (T,)
        self.T = T = len(self.inputs)
        # what a uniform guess p = 1/V scores: log V per step
        self.uniform_loss = T * math.log(len(self.vocab))
        self._initial = {k: v.copy() for k, v in self.model.params.items()}

        self.slider = widgets.IntSlider(value=1, min=1, max=T, step=1, description="step t",
                                        continuous_update=False,
                                        style={"description_width": "initial"})
        self.n_steps = widgets.Dropdown(options=list(STEP_CHOICES), value=5,
                                        description="N", layout=widgets.Layout(width="120px"),
                                        style={"description_width": "initial"})
        self.train_button = widgets.Button(description="train N steps",
                                           button_style="primary",
                                           layout=widgets.Layout(width="150px"))
        self.reset_button = widgets.Button(description="reset",
                                           layout=widgets.Layout(width="80px"))
        self.readout = widgets.HTML()
        bar_w = max(3.0, 0.35 * len(self.vocab) + 1.2)
        self.view = FigureView((2 * bar_w + 4.2, 3.1), 1, 3, layout="tight",
                               gridspec_kw={"width_ratios": [bar_w, bar_w, 4.2]})
        self.plot_out = self.view.out
        self.slider.observe(lambda change: self._show(), names="value")
        self.n_steps.observe(self._on_n_steps, names="value")
        self.train_button.on_click(lambda _: self.train(self.n_steps.value))
        self.reset_button.on_click(lambda _: self.reset())
        self._on_n_steps({"new": self.n_steps.value})

        controls = widgets.HBox([self.slider, self.n_steps, self.train_button,
                                 self.reset_button])
        super().__init__([controls, self.plot_out, self.readout])
        self.reset()

    # ---- actions -----------------------------------------------------------------
    def train(self, n: int) -> None:
        """Take ``n`` Adagrad steps on the whole text, then redraw."""
        for _ in range(int(n)):
            loss, grads, _ = self.model.loss_and_grads(self.inputs, self.targets)
            if self.history[-1][0] != self.iteration:
                self.history.append((self.iteration, loss))
            self.optimizer.step(self.model.params, grads)
            self.iteration += 1
        self._forward()
        self._show()

    def reset(self) -> None:
        """Put the starting weights back and forget the Adagrad memory."""
        for k, v in self._initial.items():
            self.model.params[k][...] = v
        self.optimizer = Adagrad(lr=self.lr)
        self.iteration = 0
        self.history = []
        self.view.forget()             # in case the model was changed from outside
        self._curve_iteration = None   # the iteration whose loss curve is drawn
        self._forward()
        self._show()

    def _on_n_steps(self, change) -> None:
        n = change["new"]
        self.train_button.description = f"train {n} step" + ("" if n == 1 else "s")

    # ---- numbers -----------------------------------------------------------------
    def _forward(self) -> None:
        """Run the library's forward pass and read off every step's loss."""
        self.cache = self.model.forward(self.inputs)
        steps = np.arange(self.T)
        self.ps = self.cache.ps[:, :, 0]                               # (T, V)
        self.step_losses = -self.cache.logps[steps, self.targets, 0]   # (T,)
        self.loss = self.model.loss(self.cache, self.targets)
        if not self.history or self.history[-1][0] != self.iteration:
            self.history.append((self.iteration, self.loss))

    def _show(self) -> None:
        t = self.t = int(self.slider.value)
        i = t - 1                                       # arrays are 0-based, steps 1-based
        self.input_char = self.vocab.chars[int(self.inputs[i])]
        self.target_char = self.vocab.chars[int(self.targets[i])]
        self.y_t = self.cache.ys[i]                     # (V, 1)
        self.p_t = self.cache.ps[i]                     # (V, 1)
        self.p_target = float(self.p_t[self.targets[i], 0])
        self._draw()
        self.readout.value = self._readout_html()

    # ---- drawing -----------------------------------------------------------------
    def _draw(self) -> None:
        # the weights, so what is drawn, are fixed by the iteration reached from the start
        self.view.show((self.t, self.iteration), self._figure)

    def _figure(self):
        chars = self.vocab.chars
        target = int(self.targets[self.t - 1])
        fig, axes = self.view.figure, self.view.axes
        # a move of the slider changes the bars; training changes the loss curve too
        redraw = axes[:2] if self.iteration == self._curve_iteration else axes
        for ax in redraw:
            ax.clear()
        plots.logit_bars(self.y_t, chars, ax=axes[0], title=f"logits $y_{{{self.t}}}$")
        # plain text only: a title with $...$ is laid out by mathtext, which has no
        # fallback font for characters such as Hangul
        plots.prob_bars(self.p_t, chars, target=target, ax=axes[1],
                        title="probabilities:")
        axes[1].axhline(1 / len(chars), color="#555", ls=":", lw=1)
        # named outside the axes, on the right, where no bar can cover it
        axes[1].annotate("1/V", (1, 1 / len(chars)), xycoords=("axes fraction", "data"),
                         xytext=(3, 0), textcoords="offset points", ha="left",
                         va="center", fontsize=8, color="#555", annotation_clip=False)
        title = fig.suptitle(f"step t = {self.t}: input "
                             f"{plots.char_label(self.input_char)!r} → target "
                             f"{plots.char_label(self.target_char)!r}   "
                             f"(iteration {self.iteration})", fontsize=11)
        if len(redraw) == 2:
            return [*redraw, title]
        self._curve_iteration = self.iteration
        h = np.asarray(self.history, dtype=float)
        ax = axes[2]
        ax.plot(h[:, 0], h[:, 1], marker="o", ms=3, lw=1.5, color="#2e6da4",
                label="total loss")
        ax.axhline(self.uniform_loss, color="#555", ls=":", lw=1,
                   label=f"uniform guess, T·log V = {self.uniform_loss:.2f}")
        ax.set_xlabel("training iteration")
        ax.set_ylabel("loss (sum over the T steps)")
        # headroom above the uniform-guess line for the legend
        ax.set_ylim(0, max(self.uniform_loss, float(h[:, 1].max())) * 1.35)
        ax.set_xlim(0, max(10, self.iteration))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="upper right")
        return [*axes, title]

    def _readout_html(self) -> str:
        td = '<td style="padding:1px 10px">'
        rows = []
        for i in range(self.T):
            inp = html.escape(repr(self.vocab.chars[int(self.inputs[i])]))
            tgt = html.escape(repr(self.vocab.chars[int(self.targets[i])]))
            p = float(self.ps[i, self.targets[i]])
            style = f' style="{HIGHLIGHT};font-weight:bold"' if i == self.t - 1 else ""
            rows.append(f"<tr{style}>{td}{i + 1}</td>{td}{inp} → {tgt}</td>{td}{p:.4f}</td>"
                        f"{td}{self.step_losses[i]:.4f}</td></tr>")
        head = "".join(f'<th style="padding:1px 10px">{h}</th>' for h in
                       ("t", "input → target", "p<sub>t</sub>[target]",
                        "loss<sub>t</sub> = −log p"))
        return (f'<div style="font-size:14px">'
                f'<table style="border-collapse:collapse;text-align:right;'
                f'font-family:{MONO}"><tr>{head}</tr>{"".join(rows)}</table>'
                f"<b>total loss</b> = {self.loss:.4f} (a uniform guess scores "
                f"T·log V = {self.T}·log {len(self.vocab)} = {self.uniform_loss:.4f}) · "
                f"iteration {self.iteration}</div>")
