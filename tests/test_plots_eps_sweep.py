"""plots.eps_sweep marks each curve's best step and keeps the labels readable."""
import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402

from rnnlib import plots  # noqa: E402


def sweep():
    """Errors shaped like notebook 05's: float64 dips to 1e-10 at eps ~ 1e-5, float32 sits at
    1 for small eps and dips to ~1e-4 at eps ~ 1e-2."""
    eps = np.logspace(-1, -12, 45)
    e64 = np.maximum(1e-16 / eps, eps ** 2) * 0.5
    e32 = np.minimum(1.0, np.maximum(1e-7 / eps, eps ** 2) * 0.4)
    return eps, {"float64": e64, "float32": e32}


def test_each_curve_gets_a_star_and_a_label_at_its_minimum():
    eps, errors = sweep()
    ax = plots.eps_sweep(eps, errors)
    labels = [t for t in ax.texts if t.get_text().startswith("best")]
    assert len(labels) == 2
    for (name, err), label in zip(errors.items(), labels):
        i = int(np.argmin(err))
        assert label.get_text() == f"best {err[i]:.0e}\nat ε = {eps[i]:.0e}", name
        assert np.allclose(label.xy, (eps[i], err[i]))


def test_no_label_sits_on_a_curve():
    """Each "best" label sits where no curve runs: no point of either curve, sampled finely
    between its markers (in display coordinates), falls inside a label's box."""
    eps, errors = sweep()
    ax = plots.eps_sweep(eps, errors)
    fig = ax.figure
    fig.canvas.draw()
    boxes = [t.get_window_extent() for t in ax.texts if t.get_text().startswith("best")]
    x = np.logspace(np.log10(eps.min()), np.log10(eps.max()), 2000)
    for name, err in errors.items():
        y = np.interp(np.log10(x), np.log10(eps[::-1]), np.log10(err[::-1]))
        pts = ax.transData.transform(np.column_stack([x, 10 ** y]))
        for k, box in enumerate(boxes):
            inside = ((pts[:, 0] >= box.x0) & (pts[:, 0] <= box.x1)
                      & (pts[:, 1] >= box.y0) & (pts[:, 1] <= box.y1))
            assert not inside.any(), f"label {k} covers the {name} curve"
    matplotlib.pyplot.close(fig)
