"""Plots of the course (matplotlib only). Each takes arrays and ``ax=None`` and returns the axes.

Shapes follow the library: hs (T, H, N) or (T, H), ps (T, V, N) or (T, V). One module per
topic; everything is importable from ``rnnlib.plots``.

Importing it registers a font that draws Hangul (see ``_base``) and, inside Jupyter, makes
inline figures retina-sharp (``use_retina``).
"""
from ._base import CJK_FONT, FontWarning, char_label, jamo_label, use_retina
from .training import loss_curve, loss_running_mean, bits_axis, uniform_guess_line, curves, eps_sweep, adagrad_steps_by_char, step_size_boxes
from .activations import hidden_heatmap, column_heatmap, mark_time_step, columns_side_by_side, signed_heatmap, gate_column, one_hot_heatmap
from .outputs import prob_bars, logit_bars, neg_log_curve, cdf_segments, vocab_growth
from .gradients import grad_norms, step_norms, grad_flow, unrolled_graph
from .classify import final_states, class_scatter, proba_steps

__all__ = [
    "CJK_FONT",
    "FontWarning",
    "use_retina",
    "char_label",
    "jamo_label",
    "loss_curve",
    "loss_running_mean",
    "bits_axis",
    "uniform_guess_line",
    "curves",
    "eps_sweep",
    "adagrad_steps_by_char",
    "step_size_boxes",
    "hidden_heatmap",
    "column_heatmap",
    "mark_time_step",
    "columns_side_by_side",
    "signed_heatmap",
    "gate_column",
    "one_hot_heatmap",
    "prob_bars",
    "logit_bars",
    "neg_log_curve",
    "cdf_segments",
    "vocab_growth",
    "grad_norms",
    "step_norms",
    "grad_flow",
    "unrolled_graph",
    "final_states",
    "class_scatter",
    "proba_steps",
]
