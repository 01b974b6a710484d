"""How rnnlib.plots draws: Hangul from the pip-installed NanumGothic (no system font needed),
one clear warning and code-point labels when that font is missing, and retina-sharp inline
figures in Jupyter."""
import base64
import json
import os
import struct
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from rnnlib import plots  # noqa: E402
from rnnlib.plots import _base  # noqa: E402


# --- Hangul -----------------------------------------------------------------------------

def test_the_hangul_font_is_nanumgothic_from_the_pip_package():
    """The font is the package's file, registered without importing the package (whose
    import would rewrite matplotlib's settings)."""
    assert plots.CJK_FONT == "NanumGothic"
    path = font_manager.findfont(font_manager.FontProperties(family="NanumGothic"),
                                 fallback_to_default=False)
    assert path.replace(os.sep, "/").endswith("koreanize_matplotlib/fonts/NanumGothic.ttf")
    assert "koreanize_matplotlib" not in sys.modules
    assert plt.rcParams["font.family"] == ["DejaVu Sans", "NanumGothic"]


def _draw(text: str) -> np.ndarray:
    fig = plt.figure(figsize=(0.6, 0.6), dpi=100)
    fig.text(0.5, 0.5, text, ha="center", va="center", fontsize=24)
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3].mean(axis=2)
    plt.close(fig)
    return pixels


def test_hangul_is_drawn_as_letters_not_as_missing_glyph_boxes():
    """Two different syllables give two different pictures, with no missing-glyph warning
    (without a Hangul font both would be the same empty box)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        box = _draw("\ue000")                                  # U+E000: no font has it
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        han, guk = _draw("한"), _draw("국")
    assert not [w for w in caught if "missing from font" in str(w.message)], \
        [str(w.message) for w in caught]
    for pixels in (han, guk):
        assert (pixels < 128).sum() > 20                       # something dark was drawn
        assert np.abs(pixels - box).sum() > 0                  # and it is not the box
    assert np.abs(han - guk).sum() > 1000


def test_labels_show_hangul_itself():
    assert plots.char_label("한") == "한"
    assert [plots.jamo_label(c) for c in "\u1112\u1161\u11ab"] == ["ㅎ-", "ㅏ", "-ㄴ"]
    assert plots.char_label(" ") == "␣"


HIDDEN_PACKAGE = r'''
import json, sys, warnings
sys.modules["koreanize_matplotlib"] = None       # as if the package were not installed
import matplotlib
matplotlib.use("Agg")
from matplotlib import font_manager              # and no system font with Hangul either
font_manager.fontManager.ttflist = [f for f in font_manager.fontManager.ttflist
                                    if f.name.startswith("DejaVu")]
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import rnnlib.plots as plots
    import rnnlib.widgets.encoding as encoding
    import matplotlib.pyplot as plt
    import numpy as np
    import rnnlib
    text = "안녕하세요, RNN!"
    v = rnnlib.Vocab.from_text(text)
    ax = plots.one_hot_heatmap(v.one_hot(v.encode(text)), v.chars, text)
    ax.figure.savefig(sys.argv[1])
    explorer = encoding.OneHotExplorer(text)
print(json.dumps({"font": plots.CJK_FONT, "label": plots.char_label("한"),
                  "ticks": [t.get_text() for t in ax.get_xticklabels()][:2],
                  "warnings": [[w.category.__name__, str(w.message)] for w in caught
                               if w.category.__name__ == "FontWarning"],
                  "explorer_T": explorer.T}))
'''


def test_without_the_font_package_one_warning_and_code_point_labels(tmp_path):
    """No font package and no system font: importing and plotting Korean still works, with
    exactly one warning that says what happened and what to run; Hangul is labelled U+XXXX."""
    script = tmp_path / "hidden.py"
    script.write_text(HIDDEN_PACKAGE, encoding="utf-8")
    r = subprocess.run([sys.executable, str(script), str(tmp_path / "fig.png")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["font"] is None
    assert out["label"] == "U+D55C"
    assert out["ticks"] == ["1\nU+C548", "2\nU+B155"]
    assert len(out["warnings"]) == 1, out["warnings"]
    message = out["warnings"][0][1]
    assert "koreanize-matplotlib is not installed" in message
    assert "U+D55C" in message and "pip install koreanize-matplotlib" in message
    assert out["explorer_T"] == 11
    assert (tmp_path / "fig.png").stat().st_size > 1000


def test_a_damaged_font_file_warns_and_falls_back(tmp_path, monkeypatch):
    broken = tmp_path / "NanumGothic.ttf"
    broken.write_bytes(b"not a font" * 10)
    monkeypatch.setattr(_base, "korean_font_file", lambda: broken)
    monkeypatch.setattr(_base, "_find_cjk_font", lambda: None)
    with pytest.warns(_base.FontWarning, match=r"could not be read.*labelled by code point"):
        assert _base.register_korean_font() is None
    monkeypatch.setattr(_base, "_find_cjk_font", lambda: "Noto Sans CJK KR")
    with pytest.warns(_base.FontWarning, match=r"system font 'Noto Sans CJK KR' instead"):
        assert _base.register_korean_font() == "Noto Sans CJK KR"
    monkeypatch.setattr(_base, "korean_font_file", lambda: tmp_path / "gone.ttf")
    with pytest.warns(_base.FontWarning, match=r"gone.ttf of koreanize-matplotlib could not"):
        _base.register_korean_font()


def test_the_font_file_is_found_without_importing_the_package():
    path = _base.korean_font_file()
    assert path.is_file() and path.name == "NanumGothic.ttf"
    assert "koreanize_matplotlib" not in sys.modules


# --- retina figures -----------------------------------------------------------------------

def test_use_retina_does_nothing_outside_jupyter():
    assert plots.use_retina() is False


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])                  # IHDR: width, height


@pytest.mark.notebook
def test_inline_figures_are_retina_without_any_setting_in_the_notebook():
    """A notebook that imports rnnlib.plots (as every notebook of the course does) shows a figure of figsize (4, 3) as a PNG of
    about 4 x 3 inches * dpi * 2 pixels, displayed at half that size; a format chosen in
    the notebook (svg here) is kept."""
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell, new_notebook
    nb = new_notebook(cells=[new_code_cell(textwrap.dedent(src)) for src in (
        """
        import matplotlib.pyplot as plt
        from rnnlib import plots
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.plot([0, 1], [0, 1])
        ax.set_title("안녕하세요")
        print(fig.dpi)
        plt.show()
        """,
        "%config InlineBackend.figure_format = 'svg'",
        """
        print(plots.use_retina())
        plt.plot([0, 1])
        plt.show()
        """)])
    kernel = os.environ.get("RNNLIB_KERNEL", "python3")
    NotebookClient(nb, timeout=120, kernel_name=kernel).execute()

    outs = nb.cells[0].outputs
    dpi = float(next(o for o in outs if o.output_type == "stream" and o.name == "stdout").text)
    image = next(o for o in outs if "image/png" in o.get("data", {}))
    width, height = _png_size(base64.b64decode(image.data["image/png"]))
    shown = image.metadata["image/png"]
    assert abs(width - 2 * shown["width"]) <= 1 and abs(height - 2 * shown["height"]) <= 1
    # bbox_inches="tight" trims or pads the figure a little: within 15% of figsize*dpi*2
    assert 0.85 < width / (4 * dpi * 2) < 1.15, (width, dpi)
    assert 0.85 < height / (3 * dpi * 2) < 1.15, (height, dpi)
    assert not [o for o in outs if o.output_type == "stream" and o.name == "stderr"], \
        "the figure drew with warnings (a missing Hangul glyph?)"

    last = nb.cells[2].outputs
    assert last[0].text.strip() == "False"
    assert any("image/svg+xml" in o.get("data", {}) for o in last)


def test_code_point_labels_of_the_one_hot_matrix_stand_upright_so_they_do_not_overlap(monkeypatch):
    """With no font that draws Hangul, the columns of "안녕하세요, RNN!" are labelled U+XXXX,
    too wide to stand side by side: they are turned upright. With the font they stay level."""
    import rnnlib
    from rnnlib.plots import _base, activations
    text = "안녕하세요, RNN!"
    vocab = rnnlib.Vocab.from_text(text)
    x = vocab.one_hot(vocab.encode(text))
    level = activations.one_hot_heatmap(x, vocab.chars, text=text)
    assert {t.get_rotation() for t in level.get_xticklabels()} == {0.0}
    monkeypatch.setattr(_base, "CJK_FONT", None)
    upright = activations.one_hot_heatmap(x, vocab.chars, text=text)
    labels = upright.get_xticklabels()
    assert labels[0].get_text() == "1\nU+C548"
    assert {t.get_rotation() for t in labels} == {90.0}
    plt.close("all")
