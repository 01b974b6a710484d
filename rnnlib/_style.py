"""Colours of the HTML that the widgets and exercise checks show, legible in any theme.

Each colour is one of JupyterLab's theme variables, so it follows JupyterLab Light, Dark or
any other theme (Notebook 7 has them too), with a fallback for where they are missing (Colab,
the classic Notebook): there the text keeps the page's own colour (``inherit``) and
backgrounds are translucent tints, light on a light page and dark on a dark one. A style that
sets a background always sets the text colour with it, so the pair is never white on white.
"""

TEXT = "var(--jp-content-font-color1, inherit)"
MUTED_TEXT = "var(--jp-content-font-color2, inherit)"      # captions
BORDER = "var(--jp-border-color2, rgba(128, 128, 128, 0.5))"
# JupyterLab's code font (the static site adds a Hangul font to it), else the browser's
MONO = "var(--jp-code-font-family, monospace)"

# CSS declarations, each a background with the text colour that goes on it
PANEL = (f"background:var(--jp-cell-editor-background, rgba(128, 128, 128, 0.08));"
         f"color:{TEXT};border:1px solid {BORDER}")        # a box of sampled text
HIGHLIGHT = f"background:rgba(245, 124, 0, 0.25);color:{TEXT}"  # the prefix, the current row
ERROR = (f"background:var(--jp-rendermime-error-background, rgba(244, 67, 54, 0.15));"
         f"color:{TEXT}")
SUCCESS = f"background:rgba(76, 175, 80, 0.15);color:{TEXT}"

# coloured edges (not text): a check's verdict
SUCCESS_EDGE = "var(--jp-success-color1, #388e3c)"
ERROR_EDGE = "var(--jp-error-color1, #d32f2f)"
