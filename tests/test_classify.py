import numpy as np
import pytest

import rnnlib
from rnnlib.classify import (RNNClassifier, from_batch_first, one_hot_tokens, order_task,
                             to_batch_first)
from rnnlib.gradcheck import numerical_gradient, rel_error

# "as soon as" -> 1, "as as soon" -> 0, "soon as as" -> 0; as = [1, 0], soon = [0, 1]
AS, SOON = [1.0, 0.0], [0.0, 1.0]
AS_SOON_X = np.array([[AS, SOON, AS], [AS, AS, SOON], [SOON, AS, AS]])   # (N, T, F)
AS_SOON_Y = np.array([1, 0, 0])


def random_classifier(F, H, C, seed, scale=0.6):
    """Weights and biases all large enough that every gradient path matters."""
    m = RNNClassifier(F, H, C, seed=seed)
    rng = np.random.default_rng(seed + 500)
    for p in m.params.values():
        p[...] = rng.standard_normal(p.shape) * scale
    return m


def reference_forward(params, X_ntf, labels):
    """One sequence at a time, one step at a time, in the row convention of other
    tutorials: h_t = tanh(x_t Wxh_row + h_{t-1} Whh_row + bh), Wxh_row = Wxh^T."""
    Wxh_row, Whh_row, Why_row = params["Wxh"].T, params["Whh"].T, params["Why"].T
    bh, by = params["bh"].ravel(), params["by"].ravel()
    losses, probs, last = [], [], []
    for x_seq, label in zip(X_ntf, labels):
        h = np.zeros(Whh_row.shape[0])
        for x in x_seq:
            h = np.tanh(x @ Wxh_row + h @ Whh_row + bh)
        y = h @ Why_row + by
        p = np.exp(y) / np.exp(y).sum()
        losses.append(-np.log(p[label]))
        probs.append(p)
        last.append(h)
    return np.mean(losses), np.array(probs), np.array(last)


@pytest.mark.parametrize("seed", range(6))
def test_every_gradient_matches_centred_differences(seed):
    """Random F, H, C, T, N and a non-zero h_0: check_model finds every gradient right."""
    rng = np.random.default_rng(seed)
    F, H, C, T, N = (int(rng.integers(1, 5)), int(rng.integers(2, 6)), int(rng.integers(2, 5)),
                     int(rng.integers(1, 6)), int(rng.integers(1, 4)))
    m = random_classifier(F, H, C, seed)
    X = rng.standard_normal((T, F, N))
    labels = rng.integers(0, C, N)
    h0 = rng.standard_normal((H, N)) * 0.5
    errors = rnnlib.check_model(m, X, labels, h0)
    assert set(errors) == {"Wxh", "Whh", "Why", "bh", "by"}
    for name, err in errors.items():
        assert err < 1e-7, (name, err, (F, H, C, T, N))


def test_gradient_reaches_h0_and_every_step():
    """dh_prev and each dh_t of the backward pass match finite differences."""
    rng = np.random.default_rng(11)
    F, H, C, T, N = 3, 4, 3, 5, 2
    m = random_classifier(F, H, C, 11, scale=0.8)
    X, labels = rng.standard_normal((T, F, N)), rng.integers(0, C, N)
    h0 = rng.standard_normal((H, N))
    back = m.backward(m.forward(X, h0), labels)
    num = numerical_gradient(lambda: m.loss(m.forward(X, h0), labels), h0)
    assert rel_error(back.dh_prev, num) < 1e-7
    assert np.abs(num).max() > 1e-4            # the signal really crosses all T steps
    # dL/dh_t for t < T: perturb h_0 is not enough, so start a shorter sequence at h_t
    for t in range(T - 1):
        h_t = m.forward(X[:t + 1], h0).hs[-1].copy()
        rest = X[t + 1:]
        num_t = numerical_gradient(lambda: m.loss(m.forward(rest, h_t), labels), h_t)
        assert rel_error(back.dhs[t], num_t) < 1e-7, t
    np.testing.assert_allclose(back.dhs[-1], m.params["Why"].T @ back.dy, rtol=1e-12)


def test_forward_matches_a_row_convention_reference_loop():
    """The column version on (T, F, N) equals a per-sequence loop on (N, T, F) with X W."""
    rng = np.random.default_rng(2)
    F, H, C, T, N = 4, 5, 3, 6, 4
    m = random_classifier(F, H, C, 2)
    X_ntf = rng.standard_normal((N, T, F))
    labels = rng.integers(0, C, N)
    ref_loss, ref_p, ref_h = reference_forward(m.params, X_ntf, labels)
    cache = m.forward(from_batch_first(X_ntf))
    assert m.loss(cache, labels) == pytest.approx(ref_loss, rel=1e-12)
    np.testing.assert_allclose(cache.p, ref_p.T, rtol=1e-12)
    np.testing.assert_allclose(cache.h_last, ref_h.T, rtol=1e-12)


def test_batch_is_the_mean_of_separate_sequences():
    """Columns are independent: loss and grads are the mean over N single-sequence runs."""
    rng = np.random.default_rng(3)
    m = random_classifier(3, 4, 2, 3)
    X, labels = rng.standard_normal((5, 3, 4)), rng.integers(0, 2, 4)
    loss, grads, h_last = m.loss_and_grads(X, labels)
    runs = [m.loss_and_grads(X[:, :, n], labels[n:n + 1]) for n in range(4)]
    assert loss == pytest.approx(np.mean([r[0] for r in runs]), rel=1e-12)
    for k in grads:
        np.testing.assert_allclose(grads[k], np.mean([r[1][k] for r in runs], axis=0),
                                   rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(h_last, np.hstack([r[2] for r in runs]), rtol=1e-12)


def test_layout_conversion_moves_axes_without_mixing_values():
    """X_cols[t, :, n] is sequence n's features at step t, and the round trip is exact."""
    rng = np.random.default_rng(4)
    N, T, F = 3, 5, 2
    X_ntf = rng.standard_normal((N, T, F))
    X_cols = from_batch_first(X_ntf)
    assert X_cols.shape == (T, F, N)
    for n in range(N):
        for t in range(T):
            np.testing.assert_array_equal(X_cols[t, :, n], X_ntf[n, t, :])
    np.testing.assert_array_equal(to_batch_first(X_cols), X_ntf)
    # a reshape to the same shape would scramble the sequences; the conversion must not
    assert not np.array_equal(X_cols, X_ntf.reshape(T, F, N))


def test_as_soon_as_batch_layout_and_one_hot_tokens():
    """The (3, 3, 2) batch of the notes becomes (3, 2, 3), the same as one-hot token ids."""
    X = from_batch_first(AS_SOON_X)
    assert X.shape == (3, 2, 3)
    np.testing.assert_array_equal(X[:, :, 0], [AS, SOON, AS])       # "as soon as"
    ids = np.array([[0, 1, 0], [0, 0, 1], [1, 0, 0]])              # as = 0, soon = 1
    np.testing.assert_array_equal(one_hot_tokens(ids, 2), X)


def test_a_seed_gives_the_same_randn_draw_as_always():
    """The initial weights are randn * init_scale drawn in the order Wxh, Whh, Why from
    default_rng(seed), biases zero: a seed gives the same classifier as it always has."""
    for seed, scale in ((0, 0.1), (4, 0.5)):
        rng = np.random.default_rng(seed)
        want = {"Wxh": rng.standard_normal((3, 2)) * scale,
                "Whh": rng.standard_normal((3, 3)) * scale,
                "Why": rng.standard_normal((2, 3)) * scale}
        P = RNNClassifier(2, 3, 2, seed=seed, init_scale=scale).params
        assert list(P) == ["Wxh", "Whh", "Why", "bh", "by"]
        for name, w in want.items():
            np.testing.assert_array_equal(P[name], w, err_msg=name)
        assert not P["bh"].any() and not P["by"].any()


def test_one_hot_tokens_puts_a_one_where_each_token_is():
    """X[t, k, n] = 1 exactly when sequence n has token k at step t, checked by a loop."""
    rng = np.random.default_rng(9)
    ids = rng.integers(0, 4, (5, 6))                               # (N, T)
    X = one_hot_tokens(ids, 4)
    assert X.shape == (6, 4, 5)
    for n in range(5):
        for t in range(6):
            for k in range(4):
                assert X[t, k, n] == (1.0 if ids[n, t] == k else 0.0)
    assert one_hot_tokens(ids[0], 4).shape == (6, 4, 1)            # one sequence (T,)
    assert one_hot_tokens(ids, 4, dtype=np.float32).dtype == np.float32


@pytest.mark.parametrize("opt", [rnnlib.Adagrad(lr=0.1), rnnlib.SGD(lr=0.5)],
                         ids=["adagrad", "sgd"])
def test_training_separates_as_soon_as(opt):
    """With the library's optimizers, H = 3 as in the notes, the three sentences are all
    classified right; the bag of words alone is the same for all three."""
    assert (AS_SOON_X.sum(axis=1) == AS_SOON_X[0].sum(axis=0)).all()
    X = from_batch_first(AS_SOON_X)
    m = RNNClassifier(2, 3, 2, seed=0)
    first = m.loss(m.forward(X), AS_SOON_Y)
    for _ in range(500):
        loss, grads, _ = m.loss_and_grads(X, AS_SOON_Y)
        opt.step(m.params, grads)
    assert m.accuracy(X, AS_SOON_Y) == 1.0
    assert loss < 0.2 * first
    np.testing.assert_array_equal(m.predict(X), AS_SOON_Y)


def test_two_class_softmax_is_a_sigmoid_of_the_logit_difference():
    """p[1] = sigmoid(y[1] - y[0]): the single-logit sigmoid model is the C = 2 case."""
    rng = np.random.default_rng(5)
    m = random_classifier(2, 3, 2, 5)
    c = m.forward(rng.standard_normal((4, 2, 6)))
    np.testing.assert_allclose(c.p[1], 1 / (1 + np.exp(-(c.y[1] - c.y[0]))), rtol=1e-12)
    np.testing.assert_allclose(c.p.sum(axis=0), 1.0)


def test_proba_over_time_ends_with_the_prediction():
    """The read-out at every step; its last step is predict_proba."""
    rng = np.random.default_rng(6)
    m = random_classifier(3, 4, 3, 6)
    X = rng.standard_normal((5, 3, 2))
    pt = m.proba_over_time(X)
    assert pt.shape == (5, 3, 2)
    np.testing.assert_allclose(pt[-1], m.predict_proba(X), rtol=1e-12)
    np.testing.assert_allclose(pt[1], m.predict_proba(X[:2]), rtol=1e-12)


def test_order_task_labels_follow_the_order_of_a_and_b():
    """One A (0) and one B (1) per sequence, label 1 iff A first, no repeats, balanced."""
    tokens, labels = order_task(300, length=6, seed=1)
    assert tokens.shape == (300, 6) and labels.shape == (300,)
    assert ((tokens == 0).sum(axis=1) == 1).all() and ((tokens == 1).sum(axis=1) == 1).all()
    assert (tokens >= 0).all() and (tokens <= 4).all()
    a_first = np.argmax(tokens == 0, axis=1) < np.argmax(tokens == 1, axis=1)
    np.testing.assert_array_equal(labels, a_first.astype(int))
    assert len({row.tobytes() for row in tokens}) == 300
    assert labels.sum() == 150
    np.testing.assert_array_equal(order_task(300, 6, seed=1)[0], tokens)   # seeded


def test_an_rnn_learns_the_order_task_and_generalises_to_unseen_sequences():
    rng_tokens, labels = order_task(500, length=7, seed=3)
    X = one_hot_tokens(rng_tokens, 5)
    m = RNNClassifier(5, 8, 2, seed=0)
    opt = rnnlib.Adagrad(lr=0.1)
    for _ in range(200):
        opt.step(m.params, m.loss_and_grads(X[:, :, :400], labels[:400])[1])
    assert m.accuracy(X[:, :, 400:], labels[400:]) >= 0.95


def test_bad_shapes_and_labels_are_clear_errors():
    m = RNNClassifier(2, 3, 2, seed=0)
    with pytest.raises(ValueError, match=r"looks like \(N, T, F\).*from_batch_first"):
        m.forward(np.zeros((4, 3, 2)))
    with pytest.raises(ValueError, match=r"X must have shape \(T, F, N\).*got \(3, 5, 1\)"):
        m.forward(np.zeros((3, 5, 1)))
    X = np.zeros((3, 2, 4))
    with pytest.raises(ValueError, match=r"labels must have shape \(N,\) = \(4,\)"):
        m.loss_and_grads(X, [0, 1])
    with pytest.raises(ValueError, match=r"labels\[2\] = 2 is not a class: use 0..1"):
        m.loss_and_grads(X, [0, 1, 2, 0])
    with pytest.raises(TypeError, match="labels must be whole class numbers"):
        m.loss_and_grads(X, [0.5, 1, 0, 0])
    with pytest.raises(ValueError, match=r"h_prev must have shape \(3, 4\)"):
        m.loss_and_grads(X, [0, 1, 0, 1], np.zeros((2, 4)))
    with pytest.raises(ValueError, match="num_classes must be at least 2"):
        RNNClassifier(2, 3, 1)
    with pytest.raises(ValueError, match=r"token ids must be in 0..1"):
        one_hot_tokens([[0, 2]], 2)


def test_a_single_sequence_may_be_given_as_t_by_f():
    m = random_classifier(2, 3, 2, 7)
    X = np.random.default_rng(7).standard_normal((4, 2))
    np.testing.assert_allclose(m.predict_proba(X), m.predict_proba(X[:, :, None]))


def test_layout_exercise_check_accepts_transpose_and_names_the_usual_mistakes():
    from rnnlib.exercises.classify import check_to_columns
    assert check_to_columns(lambda X: X.transpose(1, 2, 0))
    assert check_to_columns(from_batch_first)
    fb = check_to_columns(lambda X: X.reshape(X.shape[1], X.shape[2], X.shape[0]))
    assert not fb and "reshape" in fb.message
    fb = check_to_columns(lambda X: X.T)
    assert not fb and "reverses all axes" in fb.message
    fb = check_to_columns(lambda X: X.transpose(1, 0, 2))
    assert not fb and "(T, N, F)" in fb.message
    fb = check_to_columns(lambda X: None)
    assert not fb and "returned None" in fb.message


def test_output_backward_check_accepts_the_formula_and_names_mistakes():
    from rnnlib.exercises.classify import check_output_backward

    def right(p, labels, Why):
        dy = p.copy()
        dy[labels, np.arange(p.shape[1])] -= 1
        dy /= p.shape[1]
        return dy, Why.T @ dy

    def no_mean(p, labels, Why):
        dy, _ = right(p, labels, Why)
        return dy * p.shape[1], Why.T @ (dy * p.shape[1])

    assert check_output_backward(right)
    fb = check_output_backward(no_mean)
    assert not fb and "divide p - onehot by N" in fb.message
    fb = check_output_backward(lambda p, l, W: (right(p, l, W)[0], (W.T @ right(p, l, W)[0]).T))
    assert not fb and "transposed" in fb.message
    fb = check_output_backward(lambda p, l, W: (None, None))
    assert not fb and "None" in fb.message
    fb = check_output_backward(lambda p, l, W: W @ p)
    assert not fb and "raised" in fb.message
