"""Checkpoints: round trip, atomic writes, and every way a file can be wrong."""
import json
import os

import numpy as np
import pytest

from rnnlib import CheckpointError, TrainConfig, Trainer
from rnnlib import checkpoint as ckpt

TEXT = "말은 곱게, 글은 바르게. words and 글자 together.\n" * 4


@pytest.fixture
def trained(tmp_path):
    tr = Trainer(TEXT, TrainConfig(hidden_size=5, seq_length=6, sample_every=2,
                                   sample_length=5))
    tr.train(5)
    path = tr.save(tmp_path / "run.npz")
    return tr, path


def test_round_trip_keeps_everything(trained):
    tr, path = trained
    back = Trainer.load(path, TEXT)
    assert back.vocab == tr.vocab                     # Unicode vocabulary intact
    assert back.config == tr.config
    assert (back.iteration, back.pointer) == (tr.iteration, tr.pointer)
    assert back.smooth_loss == tr.smooth_loss and back.history == tr.history
    assert back.samples == tr.samples
    np.testing.assert_array_equal(back.state, tr.state)
    for k in tr.model.params:
        np.testing.assert_array_equal(back.model.params[k], tr.model.params[k])
        np.testing.assert_array_equal(back.optimizer.mem[k], tr.optimizer.mem[k])


def test_file_is_a_plain_npz_readable_without_pickle(trained):
    _, path = trained
    with np.load(path, allow_pickle=False) as z:
        assert "param/Wxh" in z.files and "opt/Whh" in z.files
        meta = json.loads(str(z["meta"]))
    assert meta["format"] == "rnnlib-checkpoint" and meta["version"] == 1
    assert meta["iteration"] == 5


def test_failed_write_leaves_the_previous_file_intact(trained, monkeypatch):
    tr, path = trained
    before = path.read_bytes()
    tr.train(3)

    def broken_savez(fh, **arrays):
        fh.write(b"PK\x03\x04 half a zip")      # some bytes reach the disk, then...
        raise OSError("disk full")
    monkeypatch.setattr(np, "savez", broken_savez)
    with pytest.raises(OSError, match="disk full"):
        tr.save(path)
    assert path.read_bytes() == before
    assert os.listdir(path.parent) == ["run.npz"]      # no temporary file left behind
    monkeypatch.undo()
    assert Trainer.load(path, TEXT).iteration == 5


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(CheckpointError, match=r"no checkpoint at '.*nothing.npz'"):
        Trainer.load(tmp_path / "nothing.npz", TEXT)


def test_truncated_file_is_reported(trained):
    _, path = trained
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match=r"run.npz' is not a readable checkpoint"):
        Trainer.load(path, TEXT)


def test_random_bytes_are_reported(tmp_path):
    path = tmp_path / "noise.npz"
    path.write_bytes(np.random.default_rng(0).bytes(2000))
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        Trainer.load(path, TEXT)


def test_other_npz_is_not_taken_for_a_checkpoint(tmp_path):
    path = tmp_path / "weights.npz"
    np.savez(path, W=np.zeros((2, 2)))
    with pytest.raises(CheckpointError, match="an .npz file but not an rnnlib checkpoint"):
        Trainer.load(path, TEXT)


def test_pickled_objects_are_refused(tmp_path):
    path = tmp_path / "obj.npz"
    np.savez(path, meta=np.array([{"format": "rnnlib-checkpoint"}], dtype=object))
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        Trainer.load(path, TEXT)
    with pytest.raises(CheckpointError, match="holds Python objects"):
        ckpt.save_arrays(tmp_path / "x.npz", {"a": np.array([None])}, {})


def _rewrite(path, change_meta=None, drop=(), rename=None):
    """Load a checkpoint's raw contents, tamper with them, and save them again."""
    arrays, meta = ckpt.load_arrays(path)
    if change_meta:
        change_meta(meta)
    for k in drop:
        del arrays[k]
    for old, new in (rename or {}).items():
        arrays[new] = arrays.pop(old)
    meta = {k: v for k, v in meta.items() if k not in ("format", "version")}
    ckpt.save_arrays(path, arrays, meta)


def test_wrong_sizes_are_named(trained):
    _, path = trained
    _rewrite(path, lambda m: m["config"].update(hidden_size=7))
    with pytest.raises(CheckpointError, match=r"param/Wxh in the checkpoint has shape "
                                              r"\(5, \d+\) but the model needs \(7, \d+\)"):
        Trainer.load(path, TEXT)


def test_other_model_kind_is_named(trained):
    _, path = trained
    _rewrite(path, rename={"param/Wxh": "param/Wx", "param/Whh": "param/Wh"})
    with pytest.raises(CheckpointError, match=r"holds param arrays \['Wh', 'Why', 'Wx', .*different "
                                              r"kind of model"):
        Trainer.load(path, TEXT)


def test_vocabulary_must_cover_the_text(trained):
    _, path = trained
    with pytest.raises(CheckpointError, match=r"lacks: \['Z', '한'\]"):
        Trainer.load(path, TEXT + "Z한")


def test_other_version_and_damaged_meta(tmp_path, trained):
    _, path = trained
    _rewrite(path, lambda m: m.update(samples=None), drop=("history",))
    with pytest.raises(CheckpointError, match="not one written by Trainer.save"):
        Trainer.load(path, TEXT)
    other = tmp_path / "v9.npz"
    np.savez(other, meta=np.array(json.dumps({"format": "rnnlib-checkpoint", "version": 9})))
    with pytest.raises(CheckpointError, match="format version 9, this rnnlib reads version 1"):
        Trainer.load(other, TEXT)
    broken = tmp_path / "broken.npz"
    np.savez(broken, meta=np.array("{not json"))
    with pytest.raises(CheckpointError, match="damaged 'meta'"):
        Trainer.load(broken, TEXT)


def test_unusable_settings_are_reported(trained):
    _, path = trained
    _rewrite(path, lambda m: m["config"].update(seq_length=0))
    with pytest.raises(CheckpointError, match="seq_length must be a positive whole number"):
        Trainer.load(path, TEXT)


def test_path_must_end_in_npz(tmp_path):
    with pytest.raises(CheckpointError, match=r"should end in .npz"):
        ckpt.save_arrays(tmp_path / "run.ckpt", {}, {})


def test_lstm_checkpoint_round_trip_and_kind_mismatch(tmp_path):
    """An LSTM carries the pair (h, c) between chunks: both survive the round trip, and
    an LSTM checkpoint whose settings claim an RNN is reported as another kind of model."""
    cfg = TrainConfig(hidden_size=4, seq_length=6, model="lstm", sample_every=0)
    straight = Trainer(TEXT, cfg)
    straight.train(9)
    first = Trainer(TEXT, cfg)
    first.train(4)
    path = first.save(tmp_path / "lstm.npz")
    resumed = Trainer.load(path, TEXT)
    assert isinstance(resumed.state, tuple) and len(resumed.state) == 2
    resumed.train(5)
    assert resumed.history == straight.history
    for k in straight.model.params:
        np.testing.assert_array_equal(resumed.model.params[k], straight.model.params[k])
    _rewrite(path, lambda m: m["config"].update(model="rnn"))
    with pytest.raises(CheckpointError, match=r"holds param arrays \['Wh', 'Why', 'Wx', 'b', "
                                              r"'by'\] but this model has \['Whh', 'Why', "
                                              r"'Wxh', 'bh', 'by'\]"):
        Trainer.load(path, TEXT)


@pytest.mark.parametrize("kw", [dict(model="gru"), dict(num_layers=2, batch_size=2)])
def test_gru_and_stacked_checkpoints_resume_exactly(tmp_path, kw):
    """Stop, save, load, continue: the same losses, parameters and state as a run that never
    stopped (a stacked RNN's state (L, H, N) included)."""
    cfg = TrainConfig(hidden_size=4, seq_length=6, sample_every=3, sample_length=5, **kw)
    straight = Trainer(TEXT, cfg)
    straight.train(9)
    first = Trainer(TEXT, cfg)
    first.train(4)
    resumed = Trainer.load(first.save(tmp_path / "run.npz"), TEXT)
    assert type(resumed.model) is type(straight.model)
    np.testing.assert_array_equal(resumed.state, first.state)
    resumed.train(5)
    assert resumed.history == straight.history and resumed.samples == straight.samples
    np.testing.assert_array_equal(resumed.state, straight.state)
    for k in straight.model.params:
        np.testing.assert_array_equal(resumed.model.params[k], straight.model.params[k])


def test_gru_checkpoint_loaded_as_an_lstm_is_refused(tmp_path):
    """Asking for model='lstm' names what the file holds and how to load it; a file whose
    settings were changed to say 'lstm' is caught by its arrays, a GRU's."""
    tr = Trainer(TEXT, TrainConfig(hidden_size=4, seq_length=6, model="gru", sample_every=0))
    tr.train(2)
    path = tr.save(tmp_path / "gru.npz")
    with pytest.raises(CheckpointError, match=r"gru.npz' holds a GRU \(model='gru'\), but an "
                                              r"LSTM \(model='lstm'\) was asked for. Load it "
                                              r"with model='gru'"):
        Trainer.load(path, TEXT, model="lstm")
    assert type(Trainer.load(path, TEXT, model="gru").model).__name__ == "GRU"
    _rewrite(path, lambda m: m["config"].update(model="lstm"))
    with pytest.raises(CheckpointError, match=r"the file's arrays are a GRU's, this model is "
                                              r"an LSTM"):
        Trainer.load(path, TEXT)


def test_stacked_checkpoint_with_another_layer_count_is_refused(tmp_path):
    tr = Trainer(TEXT, TrainConfig(hidden_size=4, seq_length=6, num_layers=2, sample_every=0))
    tr.train(2)
    path = tr.save(tmp_path / "deep.npz")
    with pytest.raises(CheckpointError, match=r"holds a 2-layer RNN \(model='rnn', "
                                              r"num_layers=2\), but a 3-layer RNN .*was asked "
                                              r"for. Load it with num_layers=2"):
        Trainer.load(path, TEXT, num_layers=3)
    with pytest.raises(CheckpointError, match=r"holds a 2-layer RNN .* but an RNN "
                                              r"\(model='rnn'\) was asked for"):
        Trainer.load(path, TEXT, num_layers=1)
    _rewrite(path, lambda m: m["config"].update(num_layers=3))
    with pytest.raises(CheckpointError, match=r"arrays are a 2-layer RNN's, this model is a "
                                              r"3-layer RNN"):
        Trainer.load(path, TEXT)


def test_checkpoint_from_before_num_layers_still_loads(trained):
    """Settings saved without the num_layers field load as one layer."""
    _, path = trained
    _rewrite(path, lambda m: m["config"].pop("num_layers"))
    assert Trainer.load(path, TEXT).config.num_layers == 1


def test_checkpoint_from_before_fast_path_still_loads_and_trains_on(trained):
    """Settings saved without the fast_path field load with the default, the fast path."""
    tr, path = trained
    _rewrite(path, lambda m: m["config"].pop("fast_path"))
    back = Trainer.load(path, TEXT)
    assert back.config.fast_path is True and back.config == tr.config
    back.train(2)
