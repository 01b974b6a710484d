"""Checkpoints: arrays and settings in one .npz file, written atomically, read without pickle.

Layout inside the file: ``param/<name>``, ``opt/<name>`` and ``state/<name>`` arrays, plus
``meta``: a JSON string with the format version, the vocabulary and the settings.
"""
from __future__ import annotations

import dataclasses
import json
import zipfile
from pathlib import Path

import numpy as np

from ._io import atomic_write
from .vocab import Vocab

FORMAT = "rnnlib-checkpoint"
VERSION = 1


class CheckpointError(ValueError):
    """A checkpoint file is missing, corrupt, or does not fit the model it is loaded into."""


def save_arrays(path, arrays: dict[str, np.ndarray], meta: dict) -> Path:
    """Write ``arrays`` and ``meta`` to ``path`` atomically: a crash never leaves half a file.

    The data go to a temporary file in the same folder, are flushed to disk and then
    renamed over ``path`` in one step, so an earlier checkpoint survives any failure.
    """
    path = Path(path)
    if path.suffix != ".npz":
        raise CheckpointError(f"checkpoint path {str(path)!r} should end in .npz.")
    path.parent.mkdir(parents=True, exist_ok=True)
    for k, v in arrays.items():
        if np.asarray(v).dtype == object:
            raise CheckpointError(f"array {k!r} holds Python objects; only numbers and "
                                  f"text can be saved (no pickle).")
    full_meta = {"format": FORMAT, "version": VERSION, **meta}
    with atomic_write(path) as fh:
        np.savez(fh, meta=np.array(json.dumps(full_meta, ensure_ascii=False)), **arrays)
    return path


def load_arrays(path) -> tuple[dict[str, np.ndarray], dict]:
    """Read a checkpoint written by :func:`save_arrays`; return (arrays, meta)."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"no checkpoint at {str(path)!r}; check the path, or train "
                              f"first and save with trainer.save(path).")
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        raise CheckpointError(f"{str(path)!r} is not a readable checkpoint (corrupt or not "
                              f"an .npz file: {err}); load an earlier checkpoint or retrain."
                              ) from None
    if "meta" not in arrays:
        raise CheckpointError(f"{str(path)!r} is an .npz file but not an rnnlib checkpoint "
                              f"(it has no 'meta' entry); pass a file written by "
                              f"Trainer.save.")
    try:
        meta = json.loads(str(arrays.pop("meta")))
    except json.JSONDecodeError:
        raise CheckpointError(f"{str(path)!r} has a damaged 'meta' entry; load an earlier "
                              f"checkpoint or retrain.") from None
    if meta.get("format") != FORMAT:
        raise CheckpointError(f"{str(path)!r} is not an rnnlib checkpoint (its format is "
                              f"{meta.get('format')!r}, not {FORMAT!r}); pass a file written "
                              f"by Trainer.save.")
    if meta.get("version") != VERSION:
        raise CheckpointError(f"{str(path)!r} has checkpoint format version "
                              f"{meta.get('version')}, this rnnlib reads version {VERSION}; "
                              f"load it with the rnnlib that wrote it, or retrain.")
    return arrays, meta


def model_kind(names) -> str:
    """Which model a set of parameter names belongs to, in words: 'a GRU', 'a 2-layer RNN'."""
    names = set(names)
    layers = sum(1 for k in names if k.startswith("Whh") and k[3:].isdigit())
    if layers:
        return f"a {layers}-layer RNN"
    for kind, keys in (("an RNN", {"Wxh", "Whh", "bh"}), ("an LSTM", {"Wx", "Wh", "b"}),
                       ("a GRU", {"Wx", "Wh", "bx", "bh"})):
        if names == keys | {"Why", "by"}:
            return kind
    return "an unknown model"


def describe_config(config: dict) -> str:
    """The model a Trainer's settings build, in words, e.g. "a GRU (model='gru')"."""
    model, layers = config.get("model", "rnn"), config.get("num_layers", 1)
    if layers > 1:
        return f"a {layers}-layer RNN (model={model!r}, num_layers={layers})"
    name = {"rnn": "an RNN", "lstm": "an LSTM", "gru": "a GRU"}.get(model, model)
    return f"{name} (model={model!r})"


def restore_params(params: dict, saved: dict, what: str = "param") -> None:
    """Copy saved arrays into ``params`` in place, checking names and shapes."""
    have = sorted(k.split("/", 1)[1] for k in saved if k.startswith(what + "/"))
    if sorted(params) != have:
        raise CheckpointError(f"the checkpoint holds {what} arrays {have} but this model has "
                              f"{sorted(params)}; it was saved from a different kind of model "
                              f"(the file's arrays are {model_kind(have)}'s, this model is "
                              f"{model_kind(params)}). Load it into the kind of model that "
                              f"saved it.")
    for k, p in params.items():
        key = f"{what}/{k}"
        if saved[key].shape != p.shape:
            raise CheckpointError(f"{key} in the checkpoint has shape {saved[key].shape} "
                                  f"but the model needs {p.shape}; build the model with the "
                                  f"checkpoint's sizes.")
        p[...] = saved[key]


# ---- a Trainer's whole state ------------------------------------------------------------
def save_trainer(tr, path) -> Path:
    """Write a Trainer: parameters, optimizer memory, hidden state, vocabulary, settings,
    position in the text, history, samples and the sampler's generator."""
    arrays = {f"param/{k}": v for k, v in tr.model.params.items()}
    arrays.update({f"opt/{k}": v for k, v in getattr(tr.optimizer, "mem", {}).items()})
    states = tr._state_list()
    arrays.update({f"state/{i}": s for i, s in enumerate(states)})
    arrays["history"] = np.array(tr.history, dtype=np.float64).reshape(-1, 3)
    meta = {"vocab": "".join(tr.vocab.chars), "config": dataclasses.asdict(tr.config),
            "iteration": tr.iteration, "pointer": tr.pointer, "smooth_loss": tr.smooth_loss,
            "n_state": len(states), "has_state": tr.state is not None,
            "samples": [[i, s] for i, s in tr.samples],
            # the sampler's generator, so a resumed run samples the same text
            "rng": tr.rng.bit_generator.state}
    return save_arrays(path, arrays, meta)


def load_trainer(trainer_cls, config_cls, path, text: str, model: str | None = None,
                 num_layers: int | None = None):
    """Rebuild a Trainer from :func:`save_trainer`'s file, to continue on ``text``.

    ``model`` and ``num_layers``, if given, are what the caller expects the file to hold:
    a checkpoint of another kind is an error that names both.
    """
    arrays, meta = load_arrays(path)
    missing = [k for k in ("vocab", "config", "iteration", "pointer", "smooth_loss",
                           "n_state", "has_state", "samples") if k not in meta]
    if missing or "history" not in arrays:
        raise CheckpointError(f"{str(path)!r} is an rnnlib checkpoint but not one written "
                              f"by Trainer.save (it lacks {missing or ['history']}).")
    vocab = Vocab(meta["vocab"])
    extra = sorted(set(text) - set(vocab.chars))
    if extra:
        raise CheckpointError(f"the text has characters the checkpoint's vocabulary lacks: "
                              f"{extra[:10]}; resume with the text the checkpoint was "
                              f"trained on.")
    try:
        cfg = config_cls(**meta["config"]).validate()
    except (TypeError, ValueError) as err:
        raise CheckpointError(f"{str(path)!r} has settings this rnnlib cannot use: "
                              f"{err}") from None
    want = {k: v for k, v in (("model", model), ("num_layers", num_layers)) if v is not None}
    if any(getattr(cfg, k) != v for k, v in want.items()):
        asked = {"model": cfg.model, "num_layers": cfg.num_layers, **want}
        raise CheckpointError(
            f"{str(path)!r} holds {describe_config(dataclasses.asdict(cfg))}, but "
            f"{describe_config(asked)} was asked for. Load it with "
            + ", ".join(f"{k}={getattr(cfg, k)!r}" for k in want)
            + ", or leave those arguments out to get the model the file holds.")
    tr = trainer_cls(text, cfg, vocab=vocab)
    restore_params(tr.model.params, arrays, "param")
    if any(k.startswith("opt/") for k in arrays) and hasattr(tr.optimizer, "mem"):
        tr.optimizer.mem = {k: np.zeros_like(v) for k, v in tr.model.params.items()}
        restore_params(tr.optimizer.mem, arrays, "opt")
    tr.iteration, tr.pointer = meta["iteration"], meta["pointer"]
    tr.smooth_loss = meta["smooth_loss"]
    if meta["has_state"]:
        parts = [arrays[f"state/{i}"] for i in range(meta["n_state"])]
        tr.state = parts[0] if len(parts) == 1 else tuple(parts)
    tr.history = [(int(i), float(a), float(b)) for i, a, b in arrays["history"]]
    tr.samples = [(int(i), s) for i, s in meta["samples"]]
    if "rng" in meta:
        tr.rng.bit_generator.state = meta["rng"]
    return tr
