import re

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from rnnlib.classify import RNNClassifier, one_hot_tokens  # noqa: E402
from rnnlib.widgets.neurons import (NeuronText, SequenceProbe,  # noqa: E402
                                    coloured_text_html)


def small_classifier(seed=0):
    m = RNNClassifier(3, 4, 2, seed=seed)
    rng = np.random.default_rng(seed)
    for p in m.params.values():
        p[...] = rng.standard_normal(p.shape)
    return m


def test_probe_buttons_build_the_sequence_and_show_the_models_numbers():
    """Clicking A, x, B runs the model on exactly that sequence; ⌫ and Clear undo."""
    m = small_classifier()
    probe = SequenceProbe(m, ["A", "B", "x"], ["B first", "A first"])
    assert probe.tokens == [] and probe.p is None and "empty" in probe.readout.value
    for name in "AxB":
        probe.token_buttons["ABx".index(name)].click()
    assert probe.tokens == [0, 2, 1]
    X = one_hot_tokens(np.array([0, 2, 1]), 3)
    np.testing.assert_allclose(probe.p, m.predict_proba(X)[:, 0])
    np.testing.assert_allclose(probe.hs, m.forward(X).hs[:, :, 0])
    assert probe.p_over_time.shape == (3, 2) and probe.hs.shape == (3, 4)
    assert probe.prediction == int(m.predict(X)[0])
    assert "A x B" in probe.readout.value
    assert f"{probe.p[1]:.3f}" in probe.readout.value
    probe.back_button.click()
    assert probe.tokens == [0, 2]
    np.testing.assert_allclose(probe.p, m.predict_proba(X[:2])[:, 0])
    probe.clear_button.click()
    assert probe.tokens == [] and probe.prediction is None


def test_probe_starts_from_a_given_sequence_and_rejects_a_wrong_token_count():
    m = small_classifier(1)
    probe = SequenceProbe(m, ["A", "B", "x"], start="xAB")
    assert probe.tokens == [2, 0, 1] and probe.p_over_time.shape == (3, 2)
    with pytest.raises(ValueError, match="reads 3 features per step but 2 token names"):
        SequenceProbe(m, ["A", "B"])
    with pytest.raises(ValueError, match="unknown token 'C'"):
        SequenceProbe(m, ["A", "B", "x"], start="C")
    with pytest.raises(ValueError, match=r"token 7 is not a token number: use 0\.\.2"):
        SequenceProbe(m, ["A", "B", "x"], start=[7])


def test_neuron_text_colours_each_character_by_the_chosen_unit():
    """One span per character; the red/blue follows the sign of h; the dropdown switches unit."""
    text = "ab\n(c)"
    hs = np.zeros((len(text), 3))
    hs[:, 1] = [-1, -0.5, 0, 0.5, 1, 0.9]
    hs[:, 2] = np.linspace(0.2, -0.2, len(text))
    w = NeuronText(text, hs, notes={1: "inside parentheses"})
    assert w.unit == 1                                  # the noted unit is listed first
    np.testing.assert_array_equal(w.values, hs[:, 1])
    spans = re.findall(r'<span style="background:#([0-9a-f]{6})[^"]*" title="([^"]+)">([^<]*)'
                       r'</span>', w.html.value)
    assert [s[2] for s in spans] == ["a", "b", "↵", "(", "c", ")"]
    assert [float(s[1]) for s in spans] == pytest.approx(hs[:, 1])
    red = lambda hexcol: int(hexcol[:2], 16) - int(hexcol[4:], 16)   # noqa: E731
    assert red(spans[0][0]) < 0 < red(spans[4][0])      # -1 is blue, +1 is red
    assert abs(red(spans[2][0])) < 10                   # 0 is (near) white
    w.dropdown.value = 2
    assert w.unit == 2 and "unit 2" in w.summary.value
    np.testing.assert_array_equal(w.values, hs[:, 2])


def test_neuron_text_escapes_html_and_checks_lengths():
    html = coloured_text_html("<b>&", [0, 0, 0, 0])
    assert ">&lt;</span>" in html and ">&amp;</span>" in html and "<b>" not in html
    with pytest.raises(ValueError, match=r"T = len\(text\) = 3"):
        NeuronText("abc", np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"unit 5 is not a hidden unit .* 0\.\.1 \(H = 2\)"):
        NeuronText("abc", np.zeros((3, 2)), unit=5)
    with pytest.raises(ValueError, match=r"unit 3 is not a hidden unit"):
        NeuronText("abc", np.zeros((3, 2)), notes={3: "a unit that is not there"})



# ---- notebook 08's exercise check -----------------------------------------------------

def test_pointer_walk_counts_the_chunks_the_trainer_really_takes():
    """walk_pointer (what the check trusts) equals the iterations a Trainer makes before its
    pointer wraps back to 0, for texts at the edges of the wrap rule."""
    import rnnlib
    from rnnlib.exercises.training import walk_pointer
    for L, T in ((39, 8), (50, 25), (51, 25), (52, 25), (27, 25), (101, 10)):
        text = ("abcdefghij" * 11)[:L]
        tr = rnnlib.Trainer(text, rnnlib.TrainConfig(hidden_size=3, seq_length=T,
                                                     sample_every=0))
        starts = []
        for _ in range(2 * L // T + 3):
            tr.train(1)
            starts.append(tr.pointer - T)          # where the chunk just used began
        per_pass = starts.index(0, 1)              # iterations until it starts at 0 again
        assert walk_pointer(L, T) == per_pass, (L, T)


def test_chunks_exercise_accepts_the_formula_and_names_near_misses():
    from rnnlib.exercises.training import check_chunks_per_pass
    assert check_chunks_per_pass(lambda L, T: (L - 2) // T)
    fb = check_chunks_per_pass(lambda L, T: L // T)
    assert not fb and "L // T counts chunks" in fb.message
    fb = check_chunks_per_pass(lambda L, T: (L - 1) // T)
    assert not fb and ">=, not >" in fb.message
    fb = check_chunks_per_pass(lambda L, T: -(-L // T))
    assert not fb and "partial chunk" in fb.message
    assert "returned None" in check_chunks_per_pass(lambda L, T: None).message
