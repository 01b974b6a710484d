"""Shared pieces of the plots: a font that can draw Hangul, sharp inline figures, readable
character labels.

Korean needs a font with Hangul, and many machines (Colab, a plain Linux box, some Windows
and macOS installs) have none. rnnlib depends on the PyPI package ``koreanize-matplotlib``,
which ships NanumGothic (SIL Open Font License); at import the font file is handed to
matplotlib's font manager and added as a fallback after DejaVu Sans, so Latin text keeps its
usual look and Hangul comes from NanumGothic. The package itself is never imported: its
import would rewrite matplotlib's settings. Without it (or with a damaged font file) a font
with Hangul installed on the system is used, or, failing that, Korean characters are
labelled by code point (``U+D55C``), after one warning.
"""
from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path

import numpy as np
import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.axes import Axes
from numpy.typing import ArrayLike

FONT_PACKAGE = "koreanize-matplotlib"        # the pip name; imported as koreanize_matplotlib
FONT_FILE = "fonts/NanumGothic.ttf"          # inside that package

_CJK_FONTS = ("Noto Sans CJK KR", "Noto Sans KR", "NanumGothic", "Noto Sans CJK JP",
              "Malgun Gothic", "AppleGothic", "Droid Sans Fallback")


class FontWarning(UserWarning):
    """The font that draws Hangul could not be used; plots fall back as the message says."""


def _find_cjk_font() -> str | None:
    """The first font installed on the system that can draw Hangul, or None."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in _CJK_FONTS if n in names), None)


def korean_font_file() -> Path | None:
    """NanumGothic.ttf of koreanize-matplotlib, found without importing the package; None
    if the package is not installed (a path that may not exist if it is installed but
    damaged)."""
    spec = importlib.util.find_spec("koreanize_matplotlib")
    folders = [Path(f) for f in (spec.submodule_search_locations or [])] if spec else []
    if not folders:
        return None
    return next((f / FONT_FILE for f in folders if (f / FONT_FILE).is_file()),
                folders[0] / FONT_FILE)


def register_korean_font() -> str | None:
    """Make Hangul drawable: register koreanize-matplotlib's NanumGothic with matplotlib
    and return its family name. If that cannot be done, warn once and return the name of
    a system font with Hangul, or None (labels then show code points, see char_label)."""
    path = korean_font_file()
    if path is None:
        problem = f"the package {FONT_PACKAGE} is not installed"
    else:
        try:
            font_manager.fontManager.addfont(str(path))
            return font_manager.FontProperties(fname=str(path)).get_name()
        except (OSError, RuntimeError, ValueError) as err:
            problem = f"the font {path} of {FONT_PACKAGE} could not be read ({err})"
    system = _find_cjk_font()
    instead = (f"Korean text is drawn with the system font {system!r} instead."
               if system else
               "Korean characters in plots are labelled by code point (e.g. U+D55C for 한) "
               "instead.")
    warnings.warn(f"rnnlib.plots: {problem}, so {instead} To draw Hangul, run "
                  f"`pip install {FONT_PACKAGE}` and restart the kernel.",
                  FontWarning, stacklevel=2)
    return system


CJK_FONT = register_korean_font()


if CJK_FONT:  # Latin text keeps DejaVu Sans; characters it lacks come from the Hangul font
    plt.rcParams["font.family"] = ["DejaVu Sans", CJK_FONT]


def use_retina() -> bool:
    """Inline figures at twice the pixel density (sharp on HiDPI screens and projectors).

    Inside IPython/Jupyter this sets the inline backend's figure format to 'retina', as
    ``%config InlineBackend.figure_formats = {'retina'}`` would: every figure shown (by
    ``plt.show()``, at the end of a cell, or inside an ``Output`` widget) is a PNG of
    figsize * dpi * 2 pixels, displayed at figsize * dpi. A format someone chose already
    (e.g. 'svg') is kept. Returns whether inline figures are now retina; outside IPython
    it does nothing and returns False. Called once when rnnlib.plots is imported.
    """
    ipython = sys.modules.get("IPython")
    if ipython is None or ipython.get_ipython() is None:
        return False
    try:
        from matplotlib_inline.config import InlineBackend
    except ImportError:           # no inline backend to configure
        return False
    cfg = InlineBackend.instance()
    if set(cfg.figure_formats) == {"png"}:      # the default: nobody chose otherwise
        cfg.figure_formats = {"retina"}         # also reconfigures a running inline backend
    return "retina" in cfg.figure_formats


use_retina()


def char_label(ch: str) -> str:
    """A printable label for one character: space, newline and tab made visible; Hangul
    shown as its code point when no installed font can draw it."""
    special = {" ": "␣", "\n": "↵", "\t": "⇥"}
    if ch in special:
        return special[ch]
    if ord(ch) > 0x2FFF and CJK_FONT is None:
        return f"U+{ord(ch):04X}"
    return ch


_JAMO_PLACE = {"CHOSEONG": "{}-", "JUNGSEONG": "{}", "JONGSEONG": "-{}"}


def jamo_label(ch: str) -> str:
    """Like :func:`char_label`, but a conjoining Hangul jamo (U+1100..U+11FF, what NFD
    gives) is shown as the standalone letter marked by its place in the syllable: 'ㅎ-'
    initial, 'ㅏ' vowel, '-ㄴ' final. Drawn alone, conjoining jamo are hard-to-read fragments."""
    if not 0x1100 <= ord(ch) <= 0x11FF:
        return char_label(ch)
    import unicodedata
    try:
        _, place, letter = unicodedata.name(ch).split(" ", 2)
        shown = unicodedata.lookup("HANGUL LETTER " + letter)
        if CJK_FONT is None:
            raise KeyError(shown)
        return _JAMO_PLACE[place].format(shown)
    except (ValueError, KeyError):     # archaic jamo, or no font that can draw Hangul
        return f"U+{ord(ch):04X}"


def axes_or_new(ax: Axes | None, figsize: tuple[float, float] = (6, 3)) -> Axes:
    """The axes to draw on: ``ax``, or a new figure's axes of ``figsize`` when ax is None."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def first_column(a: ArrayLike) -> np.ndarray:
    """(T, K, N) -> (T, K) for the first sequence of the batch; (T, K) unchanged."""
    a = np.asarray(a)
    return a[..., 0] if a.ndim == 3 else a
