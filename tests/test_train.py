"""The training loop against an independent, plain min-char-rnn loop, and its edge cases."""
import math
import re

import numpy as np
import pytest

import rnnlib
from rnnlib import TrainConfig, Trainer, TrainingDiverged

from rnnlib.reference import lossfun

TEXT = "the cat sat on the mat. the dog sat on the log. a cat and a dog met.\n" * 2   # 142 chars


def reference_run(text, params, T, N, lr, clip, n_iters):
    """min-char-rnn's main loop, written out plainly, for N streams side by side:
    stream n is data[n*L : (n+1)*L]; each keeps its own hprev; gradients are averaged
    over the streams (the loss is a batch mean); Adagrad by hand. Returns per-iteration
    (loss, smooth_loss, params copy)."""
    chars = sorted(set(text))
    data = [chars.index(c) for c in text]
    V, H = len(chars), params["Whh"].shape[0]
    L = len(data) // N
    params = {k: v.copy() for k, v in params.items()}
    mem = {k: np.zeros_like(v) for k, v in params.items()}
    smooth = -math.log(1.0 / V) * T
    p, hprev = 0, None
    out = []
    for n in range(n_iters):
        if p + T + 1 >= L or n == 0:
            p, hprev = 0, [np.zeros((H, 1)) for _ in range(N)]
        loss, grads = 0.0, {k: np.zeros_like(v) for k, v in params.items()}
        for s in range(N):
            seg = data[s * L + p: s * L + p + T + 1]
            l_s, g_s, hprev[s], _ = lossfun(params, seg[:-1], seg[1:], hprev[s])
            loss += l_s / N
            for k in grads:
                grads[k] += g_s[k] / N
        smooth = smooth * 0.999 + loss * 0.001
        for k in params:
            g = np.clip(grads[k], -clip, clip)
            mem[k] += g * g
            params[k] -= lr * g / np.sqrt(mem[k] + 1e-8)
        p += T
        out.append((loss, smooth, {k: v.copy() for k, v in params.items()}))
    return out


def follow(tr, n_iters):
    """Train one iteration at a time and copy the parameters after each."""
    rows = []
    for _ in range(n_iters):
        prog = tr.train(1)[0]
        rows.append((prog.loss, prog.smooth_loss,
                     {k: v.copy() for k, v in tr.model.params.items()}))
    return rows


@pytest.mark.parametrize("N, clip, n_iters, threads", [
    (1, 5.0, 45, 1), (1, 0.02, 45, 1), (3, 5.0, 16, 1), (3, 5.0, 16, 2), (4, 5.0, 18, 3)])
def test_trainer_reproduces_a_plain_min_char_rnn_loop(N, clip, n_iters, threads):
    """Iteration by iteration: same losses, smooth losses and parameters as the reference,
    across at least two wraps of the data pointer (where h is reset to zero).
    clip=0.02 makes clipping bite on most entries; sampling every 4 iterations must not
    disturb training; splitting the batch's columns across threads changes nothing."""
    T = 7
    cfg = TrainConfig(hidden_size=6, seq_length=T, batch_size=N, clip=clip,
                      sample_every=4, sample_length=10, seed=3, threads=threads)
    tr = Trainer(TEXT, cfg)
    wraps = n_iters * T // (len(TEXT) // N)
    assert wraps >= 2
    ref = reference_run(TEXT, tr.model.params, T, N, 0.1, clip, n_iters)
    got = follow(tr, n_iters)
    for i, ((l, s, P), (rl, rs, rP)) in enumerate(zip(got, ref)):
        assert l == pytest.approx(rl, rel=1e-10), i
        assert s == pytest.approx(rs, rel=1e-12), i
        for k in P:
            np.testing.assert_allclose(P[k], rP[k], rtol=1e-9, atol=1e-12, err_msg=f"{k} at {i}")


@pytest.mark.parametrize("optimizer", ["adagrad", "sgd"])
def test_clip_none_turns_clipping_off(optimizer):
    """TrainConfig(clip=None) gives the optimizer clip=None, as SGD and Adagrad accept, and
    training then follows the plain loop with no clipping at all (np.clip to +-inf); at these
    settings a clip of 0.02 would have changed the weights, so the comparison has teeth."""
    T, n_iters = 7, 12
    cfg = TrainConfig(hidden_size=6, seq_length=T, clip=None, optimizer=optimizer,
                      sample_every=0, seed=3)
    tr = Trainer(TEXT, cfg)
    assert tr.optimizer.clip is None
    assert isinstance(tr.optimizer, rnnlib.Adagrad if optimizer == "adagrad" else rnnlib.SGD)
    start = {k: v.copy() for k, v in tr.model.params.items()}
    got = follow(tr, n_iters)
    clipped = Trainer(TEXT, TrainConfig(hidden_size=6, seq_length=T, clip=0.02,
                                        optimizer=optimizer, sample_every=0, seed=3))
    clipped.train(n_iters)
    assert not np.allclose(clipped.model.params["Why"], got[-1][2]["Why"])
    if optimizer == "adagrad":
        ref = reference_run(TEXT, start, T, 1, 0.1, np.inf, n_iters)
        for i, ((l, _, P), (rl, _, rP)) in enumerate(zip(got, ref)):
            assert l == pytest.approx(rl, rel=1e-10), i
            for k in P:
                np.testing.assert_allclose(P[k], rP[k], rtol=1e-9, atol=1e-12,
                                           err_msg=f"{k} at {i}")


def test_clip_none_is_kept_by_a_checkpoint(tmp_path):
    tr = Trainer(TEXT, TrainConfig(hidden_size=4, seq_length=6, clip=None, sample_every=0))
    tr.train(3)
    back = Trainer.load(tr.save(tmp_path / "run.npz"), TEXT)
    assert back.config.clip is None and back.optimizer.clip is None


@pytest.mark.parametrize("clip", [0, 0.0, -5.0, float("nan"), float("inf"), "five"])
def test_a_clip_that_is_not_a_positive_number_names_the_value(clip):
    """0, negative and non-finite clips are errors (only None turns clipping off), and the
    message names the value and says how to turn clipping off."""
    with pytest.raises((ValueError, TypeError),
                       match=re.escape(f"clip must be a finite number greater than 0, "
                                       f"got {clip!r}.") + r".*clip=None turns clipping off"
                       if clip != "five" else
                       r"clip must be a number greater than 0, got 'five'.*clip=None"):
        Trainer(TEXT, TrainConfig(clip=clip))


@pytest.mark.parametrize("model", ["rnn", "lstm"])
def test_threads_give_the_numbers_of_one_thread(model):
    """Data parallelism: the batch mean is the groups' means weighted by their share of the
    columns, so 2 or 3 threads follow 1 thread to round-off, hidden state included."""
    if model == "lstm":
        pytest.importorskip("rnnlib.lstm")
    runs = []
    for threads in (1, 2, 3):
        cfg = TrainConfig(hidden_size=5, seq_length=6, batch_size=5, model=model,
                          sample_every=0, threads=threads)
        tr = Trainer(TEXT, cfg)
        losses = [p.loss for p in tr.train(12)]
        runs.append((losses, tr.model.params, tr.state))
    for losses, params, state in runs[1:]:
        np.testing.assert_allclose(losses, runs[0][0], rtol=1e-12)
        for k in params:
            np.testing.assert_allclose(params[k], runs[0][1][k], rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(np.vstack(state if model == "lstm" else [state]),
                                   np.vstack(runs[0][2] if model == "lstm" else [runs[0][2]]),
                                   rtol=1e-10, atol=1e-14)


def test_hidden_state_is_carried_between_chunks_and_reset_at_the_wrap():
    cfg = TrainConfig(hidden_size=5, seq_length=10, sample_every=0)
    tr = Trainer(TEXT, cfg)
    seen = []
    real = tr.model.loss_and_grads

    def spy(inputs, targets, h_prev):
        loss, grads, h_last = real(inputs, targets, h_prev)
        seen.append((None if h_prev is None else h_prev.copy(), h_last.copy(), tr.pointer))
        return loss, grads, h_last
    tr.model.loss_and_grads = spy
    tr.train(30)
    for i, (h_prev, _, pointer) in enumerate(seen):
        if pointer == 0:
            assert h_prev is None or not np.any(h_prev), i        # fresh start: h = 0
        else:
            np.testing.assert_array_equal(h_prev, seen[i - 1][1])  # carried from the chunk before
    # the pointer wrapped: 142 characters give 13 chunks of 10 before the end
    assert [p for _, _, p in seen].count(0) == 3


def test_batch_streams_are_contiguous_slices():
    """Column n reads stream n = data[n*L:(n+1)*L] chunk after chunk; targets are the
    inputs shifted by one character."""
    N, T = 4, 5
    tr = Trainer(TEXT, TrainConfig(hidden_size=4, seq_length=T, batch_size=N, sample_every=0))
    data, L = tr.data, len(tr.data) // N
    assert tr.stream_len == L
    cols = []
    for _ in range(5):
        x, y = tr.batch()
        assert x.shape == (T, N)
        np.testing.assert_array_equal(x[1:], y[:-1])
        cols.append((x, y))
        tr.train(1)
    xs = np.concatenate([c[0] for c in cols])              # (5 T, N)
    ys = np.concatenate([c[1] for c in cols])
    for n in range(N):
        np.testing.assert_array_equal(xs[:, n], data[n * L: n * L + 5 * T])
        np.testing.assert_array_equal(ys[:, n], data[n * L + 1: n * L + 5 * T + 1])


def test_progress_callback_sees_every_iteration():
    cfg = TrainConfig(hidden_size=4, seq_length=6, batch_size=2, sample_every=3,
                      sample_length=12)
    tr = Trainer(TEXT, cfg)
    seen = []
    out = tr.train(7, callback=seen.append)
    assert seen == out
    assert [p.iteration for p in seen] == list(range(1, 8))
    assert [p.chars_seen for p in seen] == [i * 6 * 2 for i in range(1, 8)]
    due = [p.iteration - 1 for p in seen if p.sample is not None]
    assert due == [0, 3, 6]
    assert [i for i, _ in tr.samples] == [0, 3, 6]
    for _, s in tr.samples:
        assert len(s) == 12 and set(s) <= set(TEXT)
    assert all(a.elapsed <= b.elapsed for a, b in zip(seen, seen[1:]))  # time since the call


def test_smooth_loss_starts_at_the_loss_of_uniform_guessing():
    tr = Trainer(TEXT, TrainConfig(hidden_size=4, seq_length=9, sample_every=0))
    V = len(set(TEXT))
    assert tr.smooth_loss == pytest.approx(9 * math.log(V))
    first = tr.train(1)[0]
    assert first.smooth_loss == pytest.approx(0.999 * 9 * math.log(V) + 0.001 * first.loss)
    # an untrained model (weights ~0.01) predicts nearly uniformly
    assert first.loss == pytest.approx(9 * math.log(V), rel=0.01)


def test_periodic_checkpoints(tmp_path):
    path = tmp_path / "run.npz"
    cfg = TrainConfig(hidden_size=4, seq_length=6, sample_every=0, checkpoint_every=5,
                      checkpoint_path=str(path))
    tr = Trainer(TEXT, cfg)
    tr.train(12)
    back = Trainer.load(path, TEXT)
    assert back.iteration == 10
    assert len(back.history) == 10


def test_divergence_stops_before_the_update_and_keeps_the_last_checkpoint(tmp_path):
    """A non-finite gradient at iteration 6: training stops with a clear error, the
    parameters and Adagrad memory are those after iteration 6 (not touched by nan), and
    the checkpoint written at iteration 4 is intact and loads."""
    path = tmp_path / "run.npz"
    cfg = TrainConfig(hidden_size=4, seq_length=6, sample_every=0, checkpoint_every=4,
                      checkpoint_path=str(path))
    tr = Trainer(TEXT, cfg)
    real = tr.model.loss_and_grads
    calls = []

    def flaky(inputs, targets, h_prev):
        loss, grads, h = real(inputs, targets, h_prev)
        calls.append(1)
        if len(calls) == 7:
            grads["Whh"][0, 0] = np.nan
            loss = float("nan")
        return loss, grads, h
    tr.model.loss_and_grads = flaky
    snaps = {}
    tr_snap = lambda p: snaps.setdefault(p.iteration, (
        {k: v.copy() for k, v in tr.model.params.items()},
        {k: v.copy() for k, v in tr.optimizer.mem.items()}))
    with pytest.raises(TrainingDiverged, match=r"iteration 6: the loss is nan.*\['Whh'\]"):
        tr.train(20, callback=tr_snap)
    assert tr.iteration == 6
    for k, v in tr.model.params.items():
        assert np.all(np.isfinite(v)) and np.all(np.isfinite(tr.optimizer.mem[k]))
        np.testing.assert_array_equal(v, snaps[6][0][k])
        np.testing.assert_array_equal(tr.optimizer.mem[k], snaps[6][1][k])
    back = Trainer.load(path, TEXT)
    assert back.iteration == 4
    for k, v in back.model.params.items():
        np.testing.assert_array_equal(v, snaps[4][0][k])


def test_natural_divergence_is_caught():
    """A learning rate far too high in float32: the weights grow until the logits overflow;
    the trainer reports it instead of carrying on with nan."""
    cfg = TrainConfig(hidden_size=8, seq_length=10, learning_rate=1e37, clip=1e38,
                      optimizer="sgd", dtype="float32", sample_every=0)
    tr = Trainer(TEXT, cfg)
    with np.errstate(all="ignore"), pytest.raises(TrainingDiverged, match="not finite"):
        tr.train(50)
    assert all(np.all(np.isfinite(v)) for v in tr.model.params.values())


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_save_load_continue_equals_training_straight_through(tmp_path, dtype):
    cfg = TrainConfig(hidden_size=6, seq_length=8, batch_size=2, sample_every=3,
                      sample_length=15, dtype=dtype, seed=11)
    straight = Trainer(TEXT, cfg)
    straight.train(17)

    first = Trainer(TEXT, cfg)
    first.train(7)                       # the pointer wraps after iteration 8
    first.save(tmp_path / "mid.npz")
    resumed = Trainer.load(tmp_path / "mid.npz", TEXT)
    resumed.train(10)

    assert resumed.iteration == straight.iteration == 17
    assert resumed.pointer == straight.pointer
    assert resumed.history == straight.history
    assert resumed.samples == straight.samples
    assert resumed.smooth_loss == straight.smooth_loss
    np.testing.assert_array_equal(resumed.state, straight.state)
    for k in straight.model.params:
        assert resumed.model.params[k].dtype == np.dtype(dtype)
        np.testing.assert_array_equal(resumed.model.params[k], straight.model.params[k])
        np.testing.assert_array_equal(resumed.optimizer.mem[k], straight.optimizer.mem[k])


# ---- bad input -------------------------------------------------------------------------
def test_empty_text_is_a_clear_error():
    with pytest.raises(ValueError, match="text is empty"):
        Trainer("", TrainConfig())


def test_too_short_text_names_its_length():
    with pytest.raises(ValueError, match=r"the text has 20 characters, too short for "
                                         r"seq_length=25 and batch_size=1"):
        Trainer("a" * 10 + "b" * 10, TrainConfig())
    with pytest.raises(ValueError, match=r"each of the 8 streams needs at least 27"):
        Trainer(TEXT, TrainConfig(batch_size=8))


@pytest.mark.parametrize("field, value, msg", [
    ("hidden_size", 0, "hidden_size must be a positive whole number, got 0"),
    ("seq_length", -5, "seq_length must be a positive whole number, got -5"),
    ("batch_size", 2.5, "batch_size must be a positive whole number, got 2.5"),
    ("learning_rate", 0.0, "learning_rate must be a finite number greater than 0, got 0.0"),
    ("temperature", -1, "temperature must be a finite number greater than 0, got -1"),
    ("sample_every", -1, "sample_every must be a whole number >= 0"),
    ("model", "transformer", "model must be one of .*'gru'.*got 'transformer'"),
    ("optimizer", "adam", "optimizer must be 'adagrad' or 'sgd', got 'adam'"),
    ("dtype", "float16", "dtype must be float64 or float32, got float16"),
    ("threads", 0, "threads must be a positive whole number, got 0"),
    ("threads", 2, "threads=2 is more than batch_size=1"),
    ("fast_path", "yes", "fast_path must be True or False, got 'yes'"),
])
def test_bad_settings_name_the_value(field, value, msg):
    with pytest.raises((ValueError, TypeError), match=msg):
        Trainer(TEXT, TrainConfig(**{field: value}))


def test_checkpoint_every_needs_a_path():
    with pytest.raises(ValueError, match="checkpoint_every is set but checkpoint_path is not"):
        Trainer(TEXT, TrainConfig(checkpoint_every=10))


def test_character_outside_a_given_vocabulary_is_named():
    with pytest.raises(ValueError, match=r"character '\.' \(U\+002E\)"):
        Trainer(TEXT, TrainConfig(seq_length=5),
                vocab=rnnlib.Vocab.from_text(TEXT.replace(".", "")))


def test_bad_iteration_count():
    tr = Trainer(TEXT, TrainConfig(hidden_size=3, seq_length=5))
    with pytest.raises(ValueError, match="n_iters must be a whole number >= 0, got -1"):
        tr.train(-1)
    assert tr.train(0) == []


def test_korean_text_trains():
    text = "가나다라 마바사 아자차카 타파하. " * 8
    tr = Trainer(text, TrainConfig(hidden_size=8, seq_length=10, sample_every=5,
                                   sample_length=6))
    out = tr.train(10)
    assert out[-1].loss < out[0].loss
    assert set(tr.samples[-1][1]) <= set(text)


def test_sample_now_takes_zero_and_explicit_values_as_given():
    """n=0 gives no characters (not the configured length); a temperature of 0 is an error
    (not silently the configured one)."""
    tr = Trainer(TEXT, TrainConfig(hidden_size=4, seq_length=5, sample_every=0, sample_length=9))
    assert tr.sample_now(0) == ""
    assert len(tr.sample_now()) == 9 and len(tr.sample_now(3)) == 3
    with pytest.raises(ValueError, match="temperature must be a finite number greater than 0"):
        tr.sample_now(5, temperature=0)


# ---- the GRU and the stacked RNN ------------------------------------------------------
@pytest.mark.parametrize("kw, kind, state_shape", [
    (dict(model="gru"), rnnlib.GRU, (16, 1)),
    (dict(num_layers=2), rnnlib.StackedRNN, (2, 16, 1)),
    (dict(num_layers=2, batch_size=3), rnnlib.StackedRNN, (2, 16, 3)),
])
def test_trainer_trains_a_gru_and_a_stacked_rnn(kw, kind, state_shape):
    """The loss falls on a repeated text, the state keeps its shape between chunks, and
    sampling starts from one column of it."""
    text = "the cat sat on the mat. " * 30
    cfg = TrainConfig(hidden_size=16, seq_length=10, sample_every=0, seed=1, **kw)
    tr = Trainer(text, cfg)
    assert isinstance(tr.model, kind)
    tr.train(120)
    first = np.mean([l for _, l, _ in tr.history[:10]])
    last = np.mean([l for _, l, _ in tr.history[-10:]])
    assert last < 0.6 * first, (first, last)
    assert tr.state.shape == state_shape
    s = tr.sample_now(30)
    assert len(s) == 30 and set(s) <= set(text)


def test_one_layer_rnn_stays_the_plain_rnn():
    """num_layers=1 (the default) builds RNN, whose numbers are min-char-rnn's."""
    assert type(Trainer(TEXT, TrainConfig(hidden_size=4, seq_length=5)).model) is rnnlib.RNN


def test_stacked_state_is_carried_between_chunks_and_reset_at_the_wrap():
    tr = Trainer(TEXT, TrainConfig(hidden_size=5, seq_length=10, sample_every=0,
                                   num_layers=3))
    seen = []
    real = tr.model.loss_and_grads

    def spy(inputs, targets, h_prev):
        loss, grads, h_last = real(inputs, targets, h_prev)
        seen.append((None if h_prev is None else h_prev.copy(), h_last.copy(), tr.pointer))
        return loss, grads, h_last
    tr.model.loss_and_grads = spy
    tr.train(30)
    for i, (h_prev, h_last, pointer) in enumerate(seen):
        assert h_last.shape == (3, 5, 1)
        if pointer == 0:
            assert h_prev is None, i
        else:
            np.testing.assert_array_equal(h_prev, seen[i - 1][1])
    assert [p for _, _, p in seen].count(0) == 3


@pytest.mark.parametrize("kw", [dict(model="gru"), dict(num_layers=2)])
def test_threads_give_the_numbers_of_one_thread_for_gru_and_stacked(kw):
    """Splitting the batch's columns over threads splits a stacked state (L, H, N) along
    its last axis, as it does h (H, N)."""
    runs = []
    for threads in (1, 2):
        cfg = TrainConfig(hidden_size=5, seq_length=6, batch_size=4, sample_every=0,
                          threads=threads, **kw)
        tr = Trainer(TEXT, cfg)
        runs.append(([p.loss for p in tr.train(10)], tr.model.params, tr.state))
    (l1, p1, s1), (l2, p2, s2) = runs
    np.testing.assert_allclose(l2, l1, rtol=1e-12)
    for k in p1:
        np.testing.assert_allclose(p2[k], p1[k], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(s2, s1, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("kw, msg", [
    (dict(num_layers=0), r"num_layers must be a whole number of layers, at least 1 .*got 0"),
    (dict(num_layers=-1), r"at least 1 .*got -1"),
    (dict(num_layers=2.0), r"at least 1 .*got 2.0"),
    (dict(num_layers=2, model="lstm"), r"num_layers=2 stacks vanilla RNN layers, so it needs "
                                       r"model='rnn'; model='lstm' has one layer here"),
    (dict(num_layers=3, model="gru"), r"Use num_layers=1 with 'gru', or model='rnn'"),
])
def test_bad_num_layers_name_the_value(kw, msg):
    with pytest.raises(ValueError, match=msg):
        Trainer(TEXT, TrainConfig(**kw))


# ---- loss per character: bits --------------------------------------------------------

def test_bits_per_char_is_each_loss_of_the_history_over_T_ln2():
    tr = Trainer(TEXT, TrainConfig(hidden_size=8, seq_length=7, batch_size=2, sample_every=0))
    tr.train(30)
    its, bits, smooth = tr.bits_per_char()
    hist = np.array(tr.history)
    np.testing.assert_array_equal(its, np.arange(1, 31))
    np.testing.assert_allclose(bits, hist[:, 1] / (7 * np.log(2)), rtol=1e-14)
    np.testing.assert_allclose(smooth, hist[:, 2] / (7 * np.log(2)), rtol=1e-14)
    assert bits.shape == smooth.shape == (30,)


def test_bits_per_char_of_a_trainer_that_has_not_trained_are_empty():
    its, bits, smooth = Trainer(TEXT, TrainConfig(hidden_size=4, seq_length=5)).bits_per_char()
    assert its.shape == bits.shape == smooth.shape == (0,)


def test_a_fresh_model_starts_near_log2_V_bits_and_learns_to_go_below():
    """Untrained, every character gets about 1/V: the first chunk costs about log2(V) bits
    each (the smooth loss starts exactly there); training brings the bits down."""
    tr = Trainer(TEXT, TrainConfig(hidden_size=16, seq_length=10, sample_every=0, seed=1))
    V = len(tr.vocab)
    first = tr.train(1)[0]
    assert first.bits_per_char == pytest.approx(rnnlib.metrics.uniform_bits_per_char(V),
                                                rel=0.02)
    start = first.smooth_bits_per_char - 0.001 * (first.bits_per_char - np.log2(V))
    assert start == pytest.approx(np.log2(V), rel=1e-12)   # 0.999 of the start + 0.001 loss
    tr.train(300)
    assert tr.bits_per_char()[1][-50:].mean() < 0.6 * np.log2(V)


def test_progress_carries_bits_per_char_at_the_end_of_its_fields():
    tr = Trainer(TEXT, TrainConfig(hidden_size=6, seq_length=9, sample_every=0))
    progress = tr.train(5)
    Progress = rnnlib.Progress
    assert Progress._fields[:6] == ("iteration", "loss", "smooth_loss", "chars_seen",
                                    "elapsed", "sample")
    assert Progress._fields[6:] == ("bits_per_char", "smooth_bits_per_char")
    its, bits, smooth = tr.bits_per_char()
    for p, b, s in zip(progress, bits, smooth):
        assert p.bits_per_char == pytest.approx(b, rel=1e-14)
        assert p.smooth_bits_per_char == pytest.approx(s, rel=1e-14)
        assert p.bits_per_char == pytest.approx(rnnlib.metrics.bits_per_char(p.loss, 9))
    # made by hand with the six old fields, a Progress still works (bits left as nan)
    old = Progress(1, 2.0, 3.0, 4, 0.1, None)
    assert old.loss == 2.0 and np.isnan(old.bits_per_char)


def test_the_loss_curve_reads_in_bits_on_a_second_axis_or_draws_in_bits():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from rnnlib import plots
    tr = Trainer(TEXT, TrainConfig(hidden_size=6, seq_length=9, sample_every=0))
    tr.train(40)
    ax = plots.loss_curve(tr.history, seq_length=9)
    sec, = ax.child_axes
    ax.figure.draw_without_rendering()
    assert sec.get_ylabel() == "bits per character"
    for loss in (5.0, 20.0):
        assert (sec.transData.transform((0, loss / (9 * np.log(2))))[1]
                == pytest.approx(ax.transData.transform((0, loss))[1], abs=1e-6))
    plt.close(ax.figure)
    ax = plots.loss_curve(tr.history, seq_length=9, unit="bits")
    its, bits, smooth = tr.bits_per_char()
    np.testing.assert_allclose(ax.lines[0].get_ydata(), bits)
    np.testing.assert_allclose(ax.lines[1].get_ydata(), smooth)
    assert ax.get_ylabel() == "bits per character" and not ax.child_axes
    line = plots.uniform_guess_line(ax, len(tr.vocab), 9, unit="bits")
    assert line.get_ydata()[0] == pytest.approx(np.log2(len(tr.vocab)))
    plt.close(ax.figure)


def test_the_loss_curves_legend_names_both_lines():
    """The pale line of every chunk's loss and the smooth loss each have a legend entry; a
    label given names both, the per-chunk one marked as such."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from rnnlib import plots
    tr = Trainer(TEXT, TrainConfig(hidden_size=6, seq_length=9, sample_every=0))
    tr.train(20)
    for kw, want in [({}, ["loss of each chunk", "smooth loss"]),
                     ({"unit": "bits"}, ["each chunk, in bits", "smooth loss, in bits"]),
                     ({"label": "RNN"}, ["RNN (per chunk)", "RNN"])]:
        ax = plots.loss_curve(tr.history, seq_length=9, **kw)
        assert [t.get_text() for t in ax.get_legend().get_texts()] == want, kw
        plt.close(ax.figure)
    with pytest.raises(ValueError, match="unit='bits' needs seq_length"):
        plots.loss_curve(tr.history, unit="bits")
    with pytest.raises(ValueError, match="unit must be 'loss'.*got 'nats'"):
        plots.loss_curve(tr.history, seq_length=9, unit="nats")


@pytest.mark.parametrize("model", ["rnn", "lstm"])
@pytest.mark.parametrize("batch_size, threads", [(1, 1), (4, 1), (4, 2)])
def test_fast_path_and_plain_path_train_alike(model, batch_size, threads):
    """TrainConfig(fast_path=False) trains through the model's own loss_and_grads, the
    default through rnnlib.fastpath: the runs follow each other to round-off."""
    runs = []
    for fast in (True, False):
        cfg = TrainConfig(hidden_size=6, seq_length=7, batch_size=batch_size, model=model,
                          sample_every=0, threads=threads, fast_path=fast)
        tr = Trainer(TEXT, cfg)
        runs.append(([p.loss for p in tr.train(15)], tr.model.params))
    np.testing.assert_allclose(runs[0][0], runs[1][0], rtol=1e-11)
    for k in runs[0][1]:
        np.testing.assert_allclose(runs[0][1][k], runs[1][1][k], rtol=1e-9, atol=1e-12)


def test_trainer_calls_fastpath_by_default_and_the_model_when_told(monkeypatch):
    """The default computes every chunk with rnnlib.fastpath.loss_and_grads; fast_path=False
    calls model.loss_and_grads instead."""
    calls = []
    for name in ("loss_and_grads", "fused"):       # fused: the fused code without checks
        real = getattr(rnnlib.fastpath, name)
        monkeypatch.setattr(rnnlib.fastpath, name,
                            lambda *a, _real=real, **kw: calls.append("fast") or _real(*a, **kw))
    tr = Trainer(TEXT, TrainConfig(hidden_size=4, seq_length=5, sample_every=0))
    tr.train(2)
    assert calls == ["fast", "fast"]
    tr = Trainer(TEXT, TrainConfig(hidden_size=4, seq_length=5, sample_every=0,
                                   fast_path=False))
    plain = tr.model.loss_and_grads
    tr.model.loss_and_grads = lambda *a: calls.append("plain") or plain(*a)
    tr.train(2)
    assert calls == ["fast", "fast", "plain", "plain"]


class ByGradientForgetsTheTarget(rnnlib.RNN):
    """A learner's backward with one slip: dby sums p_t instead of p_t - onehot(target_t)."""

    def backward(self, cache, targets, trace=False):
        back = super().backward(cache, targets, trace)
        back.grads["by"] = cache.ps.sum(axis=(0, 2))[:, None] / cache.ps.shape[-1]
        return back


@pytest.mark.parametrize("threads", [1, 2])
def test_trainer_uses_the_backward_of_a_model_that_overrides_it(threads):
    """Training a subclass of RNN that overrides only backward runs that backward (the fast
    path steps aside): one SGD step moves by by exactly -lr times the slipped gradient,
    which is not the true one."""
    cfg = TrainConfig(hidden_size=5, seq_length=6, batch_size=2, optimizer="sgd",
                      learning_rate=0.5, clip=None, sample_every=0, threads=threads)
    tr = Trainer(TEXT, cfg)
    V = len(tr.vocab)
    tr.model = ByGradientForgetsTheTarget(V, 5, seed=3)
    inputs, targets = tr.batch()
    _, slipped, _ = tr.model.loss_and_grads(inputs, targets)
    true = rnnlib.RNN.backward(tr.model, tr.model.forward(inputs), targets).grads
    assert not np.allclose(slipped["by"], true["by"])
    before = {k: v.copy() for k, v in tr.model.params.items()}
    tr.train(1)
    for k in before:
        np.testing.assert_allclose(before[k] - tr.model.params[k], 0.5 * slipped[k],
                                   rtol=1e-10, atol=1e-14, err_msg=k)


# ---- the flat buffers: parameters and gradients laid end to end, for speed ------------------
def flat_ways(monkeypatch):
    """Which way each optimizer step went, 'each' or 'flat', in order (see rnnlib.optim)."""
    ways = []
    for cls in (rnnlib.Adagrad, rnnlib.SGD):
        for way in ("each", "flat"):
            real = getattr(cls, f"_step_{way}")
            monkeypatch.setattr(cls, f"_step_{way}",
                                lambda self, *a, _r=real, _w=way: ways.append(_w) or _r(self, *a))
    return ways


@pytest.mark.parametrize("model, batch_size", [("rnn", 1), ("rnn", 3), ("lstm", 1), ("gru", 2)])
def test_the_trainers_parameters_are_views_of_one_buffer_and_take_the_flat_update(
        monkeypatch, model, batch_size):
    """Every model's params become views of one flat buffer (same values as the model
    built alone); every step takes the flat update, and training follows a trainer whose
    parameters were made separate arrays again (the per-parameter update) bit for bit."""
    ways = flat_ways(monkeypatch)
    cfg = TrainConfig(hidden_size=6, seq_length=7, batch_size=batch_size, model=model,
                      sample_every=0)
    tr, separate = Trainer(TEXT, cfg), Trainer(TEXT, cfg)
    built = rnnlib.train.build_model(cfg, len(tr.vocab))
    found = rnnlib.optim.find_flat(tr.model.params)
    assert found is not None and found.keys == tuple(built.params)
    for k in built.params:
        np.testing.assert_array_equal(tr.model.params[k], built.params[k])
        separate.model.params[k] = separate.model.params[k].copy()
    tr.train(12)
    assert ways == ["flat"] * 12
    separate.train(12)
    assert ways[12:] == ["each"] * 12
    for k in built.params:
        np.testing.assert_array_equal(tr.model.params[k], separate.model.params[k], err_msg=k)
        np.testing.assert_array_equal(tr.optimizer.mem[k], separate.optimizer.mem[k], err_msg=k)


def test_a_parameter_rebound_mid_training_is_the_one_trained(monkeypatch):
    """model.params["Whh"] = new_array between train calls: the new array is updated, the
    old view of the buffer is not, and the run goes on exactly as the per-parameter one."""
    ways = flat_ways(monkeypatch)
    cfg = TrainConfig(hidden_size=6, seq_length=7, sample_every=0)
    tr, straight = Trainer(TEXT, cfg), Trainer(TEXT, cfg)
    tr.train(4)
    straight.train(4)
    old = tr.model.params["Whh"]
    tr.model.params["Whh"] = mine = old.copy()
    frozen = old.copy()
    tr.train(5)
    straight.train(5)
    assert ways == ["flat"] * 8 + ["each"] * 5 + ["flat"] * 5
    assert tr.model.params["Whh"] is mine and not np.array_equal(mine, frozen)
    np.testing.assert_array_equal(old, frozen)
    for k in tr.model.params:
        np.testing.assert_array_equal(tr.model.params[k], straight.model.params[k], err_msg=k)


def test_a_swapped_optimizer_and_a_loaded_checkpoint_keep_the_flat_update(monkeypatch, tmp_path):
    """Notebook 06 sets tr.optimizer = ...; Trainer.load puts saved memories in new arrays.
    Both still take the flat update, with the right numbers."""
    ways = flat_ways(monkeypatch)
    cfg = TrainConfig(hidden_size=6, seq_length=7, sample_every=0)
    tr = Trainer(TEXT, cfg)
    tr.optimizer = rnnlib.SGD(lr=0.05)
    plain = Trainer(TEXT, cfg)
    plain.optimizer = rnnlib.SGD(lr=0.05)
    plain.model.params = {k: v.copy() for k, v in plain.model.params.items()}
    tr.train(3)
    plain.train(3)
    assert ways == ["flat"] * 3 + ["each"] * 3
    for k in tr.model.params:
        np.testing.assert_array_equal(tr.model.params[k], plain.model.params[k])

    first = Trainer(TEXT, cfg)
    first.train(5)
    first.save(tmp_path / "run.npz")
    first.train(4)
    resumed = Trainer.load(tmp_path / "run.npz", TEXT)
    del ways[:]
    resumed.train(4)
    assert ways == ["flat"] * 4
    for k in first.model.params:
        np.testing.assert_array_equal(resumed.model.params[k], first.model.params[k])
        np.testing.assert_array_equal(resumed.optimizer.mem[k], first.optimizer.mem[k])
    assert rnnlib.optim.find_flat(resumed.optimizer.mem) is not None


def test_a_models_grads_of_the_wrong_shape_are_still_a_clear_error():
    """A learner's model whose grads do not fit the parameters is told so by the optimizer,
    not broadcast into the flat buffer."""
    class ShortGrads(rnnlib.GRU):
        def loss_and_grads(self, inputs, targets, h_prev=None):
            loss, grads, h = super().loss_and_grads(inputs, targets, h_prev)
            grads["by"] = np.zeros(1)
            return loss, grads, h
    tr = Trainer(TEXT, TrainConfig(hidden_size=4, seq_length=5, sample_every=0, model="gru"))
    tr.model.__class__ = ShortGrads
    with pytest.raises(ValueError, match=r"grads\['by'\] has shape \(1,\) but params\['by'\]"):
        tr.train(1)
