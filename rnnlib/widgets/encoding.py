"""Type a text and see how the network will read it: vocabulary, indices, one-hot columns.

``OneHotExplorer`` builds ``Vocab.from_text`` of whatever is typed (Korean included) and
draws the one-hot array x (T, V, 1) as a V x T matrix whose column t is x_t. A choice of
Unicode form shows that the same Korean text in decomposed form (NFD, one character per
jamo) has a different vocabulary and a longer sequence than in composed form (NFC).
"""
from __future__ import annotations

import html
import unicodedata

import ipywidgets as widgets

from .. import plots
from .._style import BORDER, ERROR
from ..vocab import Vocab
from .figure_view import FigureView

FORMS = ("as typed", "NFC", "NFD")
MAX_SHOWN = 60     # columns drawn; longer texts are encoded in full but drawn in part


class OneHotExplorer(widgets.VBox):
    """A text box, its vocabulary and indices, and the heatmap of its one-hot matrix.

    Press Enter or click "encode" after typing. The numbers shown are kept as attributes:
    ``text`` (what was encoded, after the chosen Unicode form), ``vocab``, ``ixs`` (T,),
    ``x`` (T, V, 1), ``V`` and ``T``, and ``error`` (a message, or None).
    """

    def __init__(self, text: str = "hello", form: str = "as typed"):
        if form not in FORMS:
            raise ValueError(f"form must be one of {FORMS}, got {form!r}.")
        self.text_box = widgets.Text(value=text, description="text",
                                     placeholder="type any text, e.g. 안녕하세요",
                                     continuous_update=False,
                                     layout=widgets.Layout(width="460px"),
                                     style={"description_width": "40px"})
        self.form_buttons = widgets.ToggleButtons(options=list(FORMS), value=form,
                                                  description="Unicode form",
                                                  style={"description_width": "initial",
                                                         "button_width": "80px"})
        self.button = widgets.Button(description="encode", button_style="primary",
                                     layout=widgets.Layout(width="90px"))
        self.info = widgets.HTML()
        self.view = FigureView((3.5, 2.2), layout="tight")
        self.plot_out = self.view.out
        self.text_box.observe(lambda change: self.update(), names="value")
        self.form_buttons.observe(lambda change: self.update(), names="value")
        self.button.on_click(lambda _: self.update())
        super().__init__([widgets.HBox([self.text_box, self.button]), self.form_buttons,
                          self.info, self.plot_out])
        self.update()

    def update(self) -> None:
        """Encode the text box's current text and redraw."""
        form = self.form_buttons.value
        raw = self.text_box.value
        self.text = raw if form == "as typed" else unicodedata.normalize(form, raw)
        if not self.text:
            self.error = "Type at least one character above, then press Enter."
            self.vocab, self.ixs, self.x, self.V, self.T = None, None, None, 0, 0
            self.info.value = f'<p style="{ERROR};padding:4px 8px">{self.error}</p>'
            self.plot_out.clear_output()
            return
        self.error = None
        self.vocab = Vocab.from_text(self.text)
        self.ixs = self.vocab.encode(self.text)          # (T,)
        self.x = self.vocab.one_hot(self.ixs)            # (T, V, 1)
        self.T, self.V = len(self.ixs), len(self.vocab)
        self.info.value = self._info_html()
        self._draw()

    def _info_html(self) -> str:
        cell = f'style="padding:1px 6px;border:1px solid {BORDER};text-align:center"'
        chars = "".join(f"<td {cell}>{html.escape(plots.jamo_label(c))}</td>"
                        for c in self.vocab.chars)
        nums = "".join(f"<td {cell}>{i}</td>" for i in range(self.V))
        shown = self.ixs[:MAX_SHOWN]
        codes = " ".join(str(int(i)) for i in shown) + (" …" if self.T > MAX_SHOWN else "")
        form = self.form_buttons.value
        note = ""
        if form == "as typed" and not unicodedata.is_normalized("NFC", self.text):
            alt = unicodedata.normalize("NFC", self.text)
            note = (f"<br>This text is decomposed (not NFC): composed, it would have "
                    f"T = {len(alt)} and V = {len(set(alt))}.")
        elif form != "as typed":
            other = "NFD" if form == "NFC" else "NFC"
            alt = unicodedata.normalize(other, self.text)
            note = (f"<br>In {other} the same text would have T = {len(alt)} and "
                    f"V = {len(set(alt))}.")
        return (f'<div style="font-size:14px;line-height:1.5">'
                f"<b>T = {self.T}</b> characters, <b>V = {self.V}</b> distinct "
                f"(sorted by code point):"
                f'<table style="border-collapse:collapse;margin:4px 0">'
                f"<tr><th {cell}>char</th>{chars}</tr>"
                f"<tr><th {cell}>index</th>{nums}</tr></table>"
                f"<b>indices</b> = vocab.encode(text) = <code>[{codes}]</code>{note}</div>")

    def _draw(self) -> None:
        T = min(self.T, MAX_SHOWN)
        w = max(3.5, 0.42 * T + 2.2)
        h = max(2.2, 0.3 * self.V + 1.3)
        self.view.resize((min(w, 16), min(h, 14)))
        self.view.show(self.text, self._figure)

    def _figure(self) -> None:
        T = min(self.T, MAX_SHOWN)
        ax = self.view.axes
        ax.clear()
        title = f"one-hot matrix: V = {self.V} rows, T = {self.T} columns"
        if self.T > MAX_SHOWN:
            title += f" (first {MAX_SHOWN} drawn)"
        plots.one_hot_heatmap(self.x[:T], self.vocab.chars, self.text[:T], ax=ax, title=title)


__all__ = ["OneHotExplorer"]
