"""Checkpoints: arrays and settings in one .npz file, written atomically, read without pickle.

Layout inside the file: ``param/<name>``, ``opt/<name>`` and ``state/<i>`` arrays, plus
``meta``: a JSON string with the format version, the vocabulary and the settings.
Trainer.save and Trainer.load write and read a training run through :func:`save_training`
and :func:`load_training`, which know arrays, dicts and JSON values, not the Trainer.

Shapes: V = vocabulary size, H = hidden size, N = batch. The parameters keep their own
shapes (Wxh (H, V) ...); a saved hidden state is (H, N), an LSTM's pair two such arrays,
a stacked RNN's (L, H, N); the history is (K, 3), one row per iteration (T, the chunk
length, is a setting).
"""
from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any, Iterable, NamedTuple

import numpy as np

from ._io import atomic_write
from .vocab import Vocab

FORMAT = "rnnlib-checkpoint"
VERSION = 1


class CheckpointError(ValueError):
    """A checkpoint file is missing, corrupt, or does not fit the model it is loaded into."""


def save_arrays(path: str | os.PathLike, arrays: dict[str, np.ndarray], meta: dict) -> Path:
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


def load_arrays(path: str | os.PathLike) -> tuple[dict[str, np.ndarray], dict]:
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


def model_kind(names: Iterable[str]) -> str:
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


def restore_params(params: dict[str, np.ndarray], saved: dict[str, np.ndarray],
                   what: str = "param") -> None:
    """Copy the ``saved`` arrays into ``params`` in place, checking names and shapes.

    ``what`` names the arrays in messages: "param" for parameters, "opt" for an
    optimizer's memory.
    """
    have = sorted(saved)
    if sorted(params) != have:
        raise CheckpointError(f"the checkpoint holds {what} arrays {have} but this model has "
                              f"{sorted(params)}; it was saved from a different kind of model "
                              f"(the file's arrays are {model_kind(have)}'s, this model is "
                              f"{model_kind(params)}). Load it into the kind of model that "
                              f"saved it.")
    for k, p in params.items():
        if saved[k].shape != p.shape:
            raise CheckpointError(f"{what}/{k} in the checkpoint has shape {saved[k].shape} "
                                  f"but the model needs {p.shape}; build the model with the "
                                  f"checkpoint's sizes.")
        p[...] = saved[k]


# ---- a training run: parameters, optimizer memory, hidden state, history, settings ------------
# what save_training's ``info`` must hold for load_training to resume a run
TRAINING_INFO = ("vocab", "config", "iteration", "pointer", "smooth_loss", "samples")


class Saved(NamedTuple):
    """A training run as :func:`load_training` reads it back."""
    params: dict            # name -> array, the model's parameters
    optimizer_mem: dict     # name -> array, the optimizer's memory (empty for SGD)
    state: Any              # the hidden state carried between chunks: None, an array, or a
                            # tuple of arrays (an LSTM's (h, c))
    history: np.ndarray     # (K, 3): iteration, loss, smooth loss
    info: dict              # everything else, as given to save_training (JSON values)


def state_arrays(state: Any) -> list[np.ndarray]:
    """A hidden state as a list of arrays: [] for None, [h] for one array, [h, c] for a pair."""
    if state is None:
        return []
    return list(state) if isinstance(state, tuple) else [state]


def save_training(path: str | os.PathLike, params: dict[str, np.ndarray],
                  optimizer_mem: dict[str, np.ndarray], state: Any,
                  history: list | np.ndarray, info: dict) -> Path:
    """Write a training run atomically: arrays under ``param/``, ``opt/``, ``state/`` and
    ``history``; ``info`` (vocabulary, settings, position ... : JSON values, with the keys
    of ``TRAINING_INFO``) in the meta entry."""
    states = state_arrays(state)
    arrays = {f"param/{k}": v for k, v in params.items()}
    arrays.update({f"opt/{k}": v for k, v in optimizer_mem.items()})
    arrays.update({f"state/{i}": s for i, s in enumerate(states)})
    arrays["history"] = np.array(history, dtype=np.float64).reshape(-1, 3)
    return save_arrays(path, arrays,
                       {**info, "n_state": len(states), "has_state": state is not None})


def load_training(path: str | os.PathLike) -> Saved:
    """Read a run written by :func:`save_training` (or by older versions of Trainer.save)."""
    arrays, meta = load_arrays(path)
    missing = [k for k in (*TRAINING_INFO, "n_state", "has_state") if k not in meta]
    if missing or "history" not in arrays:
        raise CheckpointError(f"{str(path)!r} is an rnnlib checkpoint but not one written "
                              f"by Trainer.save (it lacks {missing or ['history']}).")

    def group(what: str) -> dict:
        return {k.split("/", 1)[1]: v for k, v in arrays.items() if k.startswith(what + "/")}
    state = None
    if meta["has_state"]:
        parts = [arrays[f"state/{i}"] for i in range(meta["n_state"])]
        state = parts[0] if len(parts) == 1 else tuple(parts)
    info = {k: v for k, v in meta.items()
            if k not in ("format", "version", "n_state", "has_state")}
    return Saved(group("param"), group("opt"), state, arrays["history"], info)


def check_text(text: str, vocab: Vocab) -> None:
    """A run resumes on ``text`` only if the checkpoint's vocabulary has all its characters."""
    extra = sorted(set(text) - set(vocab.chars))
    if extra:
        raise CheckpointError(f"the text has characters the checkpoint's vocabulary lacks: "
                              f"{extra[:10]}; resume with the text the checkpoint was "
                              f"trained on.")


def check_kind(path: str | os.PathLike, config: dict, model: str | None = None,
               num_layers: int | None = None) -> None:
    """The settings ``config`` of a checkpoint must build the model asked for: ``model`` and
    ``num_layers``, where given; otherwise a CheckpointError names both."""
    want = {k: v for k, v in (("model", model), ("num_layers", num_layers)) if v is not None}
    if any(config.get(k) != v for k, v in want.items()):
        asked = {"model": config.get("model"), "num_layers": config.get("num_layers"), **want}
        raise CheckpointError(
            f"{str(path)!r} holds {describe_config(config)}, but "
            f"{describe_config(asked)} was asked for. Load it with "
            + ", ".join(f"{k}={config.get(k)!r}" for k in want)
            + ", or leave those arguments out to get the model the file holds.")
