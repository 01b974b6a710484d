"""The clip_by_norm checker of notebook 09 flags scaling the caller's arrays in place."""
import numpy as np

from rnnlib.exercises.gradients import check_clip_by_norm


def clip_new_arrays(grads, max_norm):
    total = np.sqrt(sum((g * g).sum() for g in grads.values()))
    factor = min(1.0, max_norm / total)
    return {k: g * factor for k, g in grads.items()}


def clip_in_place(grads, max_norm):
    total = np.sqrt(sum((g * g).sum() for g in grads.values()))
    factor = min(1.0, max_norm / total)
    for g in grads.values():
        g *= factor                      # the caller's arrays change too
    return grads


def test_clip_returning_new_arrays_passes():
    assert check_clip_by_norm(clip_new_arrays)


def test_clip_that_scales_the_callers_arrays_in_place_is_flagged():
    fb = check_clip_by_norm(clip_in_place)
    assert not fb
    assert "the result is right" in fb.message and "in place" in fb.message
    assert "Wxh" in fb.message and "g * factor" in fb.message
