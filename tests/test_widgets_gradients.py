"""Notebook 09: the GradientFlow widget, driven without a browser, and the checks of the
scale-to-radius and clip-by-norm exercises."""
import numpy as np
import pytest

from rnnlib.exercises.gradients import check_clip_by_norm, check_scale_to_radius
from rnnlib.widgets.gradients import GradientFlow


def test_linear_case_is_a_matrix_power_of_whh_transposed():
    """Input scale 0 keeps every h_t at 0, so tanh' = 1 and the gradient k steps back is
    (Whh^T)^k dh_T with dh_T = Why^T (p - onehot(0)) and p = softmax(by) = (1/2, 1/2)."""
    w = GradientFlow(radius=0.8, input_scale=0.0, steps=30)
    P = w.model.params
    dy = np.array([[-0.5], [0.5]])                  # by = 0 and h_T = 0: p is uniform
    dh = P["Why"].T @ dy
    expected = []
    for _ in range(30):
        expected.append(np.linalg.norm(dh))
        dh = P["Whh"].T @ dh
    np.testing.assert_allclose(w.norms, expected, rtol=1e-10)
    np.testing.assert_allclose(w.relative, np.array(expected) / expected[0], rtol=1e-10)
    assert w.mean_tanh_grad == 1.0


@pytest.mark.parametrize("r", [0.5, 0.95, 1.0, 1.35])
def test_slider_sets_the_spectral_radius_of_whh(r):
    w = GradientFlow()
    w.radius_slider.value = r
    assert w.radius == r
    assert w.spectral_radius == pytest.approx(r, rel=1e-9)
    eig = np.abs(np.linalg.eigvals(w.model.params["Whh"])).max()
    assert eig == pytest.approx(r, rel=1e-9)
    # the readout's singular value is the Whh in use's; for a random matrix it is above
    # the spectral radius
    Whh = w.model.params["Whh"]
    assert w.largest_singular_value == pytest.approx(np.linalg.norm(Whh, 2), rel=1e-9)
    assert w.largest_singular_value > w.spectral_radius


@pytest.mark.parametrize("r", [0.5, 0.9, 1.1, 1.5])
def test_linear_gradient_shrinks_or_grows_by_about_r_per_step(r):
    """Over 80 steps the top eigenvalue dominates: the factor per step is close to r."""
    w = GradientFlow(radius=r, input_scale=0.0, steps=80)
    assert w.factor_per_step == pytest.approx(r, rel=0.05)
    if r < 1:
        assert w.relative[-1] < 1e-3 and "vanishes" in w.readout.value
    else:
        assert w.relative[-1] > 10 and "explodes" in w.readout.value


def test_saturated_tanh_makes_the_gradient_vanish_faster():
    """Stronger inputs push h_t towards +-1: 1 - h^2 falls, and so does the far gradient,
    even at a radius that explodes in the linear case."""
    w = GradientFlow(radius=1.5, steps=50)
    tanh_grads, far = [], []
    for s in (0.0, 0.5, 1.0, 2.0):
        w.input_slider.value = s
        tanh_grads.append(w.mean_tanh_grad)
        far.append(w.relative[-1])
    assert all(a > b for a, b in zip(tanh_grads, tanh_grads[1:])), tanh_grads
    assert all(a > b for a, b in zip(far, far[1:])), far
    assert far[0] > 1e6 and far[-1] < 1e-6


def test_steps_slider_changes_how_far_back_the_curve_goes():
    w = GradientFlow(steps=20)
    assert len(w.norms) == 20 and "after 19 steps back" in w.readout.value
    w.steps_slider.value = 60
    assert len(w.norms) == 60 and "after 59 steps back" in w.readout.value


@pytest.mark.parametrize("kwargs, word", [({"radius": 3.0}, "radius"),
                                          ({"input_scale": -1}, "input_scale"),
                                          ({"steps": 500}, "steps"),
                                          ({"steps": 12.5}, "steps")])
def test_bad_settings_are_named(kwargs, word):
    with pytest.raises(ValueError, match=word):
        GradientFlow(**kwargs)


# ---- exercise: scale a matrix to spectral radius r ------------------------------------

def good_scale(W, r):
    return W * (r / np.abs(np.linalg.eigvals(W)).max())


def test_scale_to_radius_accepts_a_right_answer():
    fb = check_scale_to_radius(good_scale)
    assert fb, fb.message


@pytest.mark.parametrize("wrong, words", [
    (lambda W, r: W * r / np.linalg.norm(W, 2), "singular value"),
    (lambda W, r: W * r / np.linalg.norm(W), "Frobenius"),
    (lambda W, r: W * r / np.max(np.linalg.eigvals(W).real), "absolute value"),
    (lambda W, r: W * r, "divide by the current radius"),
    (lambda W, r: W * np.abs(np.linalg.eigvals(W)).max() / r, "upside down"),
])
def test_scale_to_radius_names_the_mistake(wrong, words):
    fb = check_scale_to_radius(wrong)
    assert not fb and words in fb.message, fb.message


def test_scale_to_radius_flags_in_place_changes_none_and_errors():
    def in_place(W, r):
        W *= r / np.abs(np.linalg.eigvals(W)).max()
        return W
    fb = check_scale_to_radius(in_place)
    assert not fb and "in place" in fb.message
    fb = check_scale_to_radius(lambda W, r: None)
    assert not fb and "None" in fb.message
    fb = check_scale_to_radius(lambda W, r: W @ np.ones(7))
    assert not fb and "ValueError" in fb.message
    assert not check_scale_to_radius(None)


# ---- exercise: clip a whole gradient by its global norm --------------------------------

def good_clip(grads, max_norm):
    total = np.sqrt(sum((g ** 2).sum() for g in grads.values()))
    factor = min(1.0, max_norm / total)
    return {k: g * factor for k, g in grads.items()}


def test_clip_by_norm_accepts_a_right_answer():
    fb = check_clip_by_norm(good_clip)
    assert fb, fb.message


def test_clip_by_norm_names_the_mistake():
    per_array = lambda grads, m: {k: g * min(1.0, m / np.linalg.norm(g))
                                  for k, g in grads.items()}
    elementwise = lambda grads, m: {k: np.clip(g, -m, m) for k, g in grads.items()}

    def always(grads, m):
        total = np.sqrt(sum((g ** 2).sum() for g in grads.values()))
        return {k: g * m / total for k, g in grads.items()}

    for fn, words in [(per_array, "own norm"), (elementwise, "np.clip"),
                      (always, "already small enough")]:
        fb = check_clip_by_norm(fn)
        assert not fb and words in fb.message, (words, fb.message)


def test_clip_by_norm_explains_wrong_returns():
    fb = check_clip_by_norm(lambda grads, m: None)
    assert not fb and "None" in fb.message
    fb = check_clip_by_norm(lambda grads, m: list(grads.values()))
    assert not fb and "dict" in fb.message
    fb = check_clip_by_norm(lambda grads, m: {k: g * 0.5 for k, g in grads.items()})
    assert not fb and "clipped[" in fb.message


def test_scale_to_radius_catches_complex_and_zero_real_parts():
    fb = check_scale_to_radius(lambda W, r: W * r / np.max(np.linalg.eigvals(W)))
    assert not fb and "complex" in fb.message, fb.message
    with np.errstate(divide="ignore", invalid="ignore"):
        # +-2i has real part 0: the division gives inf and nan
        fb = check_scale_to_radius(lambda W, r: W * r / np.linalg.eigvals(W).real.max()
                                   if W.shape == (2, 2) and W[0, 0] == 0 else good_scale(W, r))
    assert not fb and "inf or nan" in fb.message, fb.message


def test_the_x_axis_ends_at_the_last_step_shown():
    """k runs from 0 to T - 1: the axis follows the steps slider instead of staying at 80."""
    from rnnlib.widgets.gradients import GradientFlow
    w = GradientFlow(steps=50)
    assert w.view.axes.get_xlim() == (0, 49)
    for T in (80, 20, 35):
        w.steps_slider.value = T
        assert w.view.axes.get_xlim() == (0, T - 1)
        assert w.view.axes.lines[0].get_xdata()[-1] == T - 1


def test_the_curve_never_runs_off_the_bottom_of_the_plot():
    """The y-axis keeps its fixed range while the curve and its r^k guide fit in it, and
    goes lower, a decade under them, when they do not (a small radius over many steps,
    saturated units); moving back brings the fixed range back."""
    from rnnlib.widgets.gradients import YLIM, GradientFlow
    w = GradientFlow(radius=1.0, input_scale=0.0, steps=50)
    assert w.view.axes.get_ylim() == YLIM
    for radius, scale, steps in [(0.5, 0.0, 80), (0.5, 2.0, 80), (1.0, 2.0, 80)]:
        w.radius_slider.value, w.input_slider.value = radius, scale
        w.steps_slider.value = steps
        low, high = w.view.axes.get_ylim()
        lowest = min(w.relative.min(), radius ** (steps - 1))
        assert low < YLIM[0] and lowest / 100 <= low <= lowest / 10 and high == YLIM[1]
        for line in w.view.axes.lines:
            y = np.asarray(line.get_ydata(), dtype=float)
            y = y[np.isfinite(y)]
            assert (y >= low).all() and (y <= high).all()
    w.radius_slider.value, w.input_slider.value, w.steps_slider.value = 1.0, 0.0, 50
    assert w.view.axes.get_ylim() == YLIM
