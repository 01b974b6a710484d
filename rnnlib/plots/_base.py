"""Shared pieces of the plots: a font that can draw Hangul, readable character labels."""
from __future__ import annotations

import numpy as np
import matplotlib.pyplot as plt
from matplotlib import font_manager


_CJK_FONTS = ("Noto Sans CJK KR", "Noto Sans KR", "NanumGothic", "Noto Sans CJK JP",
              "Malgun Gothic", "AppleGothic", "Droid Sans Fallback")


def _find_cjk_font() -> str | None:
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in _CJK_FONTS if n in names), None)


CJK_FONT = _find_cjk_font()


if CJK_FONT:  # let Korean labels fall back to a font that has Hangul
    plt.rcParams["font.family"] = ["DejaVu Sans", CJK_FONT]


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


def _ax(ax, figsize=(6, 3)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _first_column(a: np.ndarray) -> np.ndarray:
    """(T, K, N) -> (T, K) for the first sequence of the batch; (T, K) unchanged."""
    a = np.asarray(a)
    return a[..., 0] if a.ndim == 3 else a
