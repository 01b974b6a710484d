"""Checkpoints: arrays and settings in one .npz file, written atomically, read without pickle.

Layout inside the file: ``param/<name>``, ``opt/<name>`` and ``state/<name>`` arrays, plus
``meta``: a JSON string with the format version, the vocabulary and the settings.
"""
from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

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
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, meta=np.array(json.dumps(full_meta, ensure_ascii=False)), **arrays)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
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
                              f"(it has no 'meta' entry).")
    try:
        meta = json.loads(str(arrays.pop("meta")))
    except json.JSONDecodeError:
        raise CheckpointError(f"{str(path)!r} has a damaged 'meta' entry.") from None
    if meta.get("format") != FORMAT:
        raise CheckpointError(f"{str(path)!r} is not an rnnlib checkpoint.")
    if meta.get("version") != VERSION:
        raise CheckpointError(f"{str(path)!r} has checkpoint format version "
                              f"{meta.get('version')}, this rnnlib reads version {VERSION}.")
    return arrays, meta


def restore_params(params: dict, saved: dict, what: str = "param") -> None:
    """Copy saved arrays into ``params`` in place, checking names and shapes."""
    have = sorted(k.split("/", 1)[1] for k in saved if k.startswith(what + "/"))
    if sorted(params) != have:
        raise CheckpointError(f"the checkpoint holds {what} arrays {have} but this model has "
                              f"{sorted(params)}; it was saved from a different kind of model.")
    for k, p in params.items():
        key = f"{what}/{k}"
        if saved[key].shape != p.shape:
            raise CheckpointError(f"{key} in the checkpoint has shape {saved[key].shape} "
                                  f"but the model needs {p.shape}; build the model with the "
                                  f"checkpoint's sizes.")
        p[...] = saved[key]
