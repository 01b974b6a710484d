"""Writing files so that a crash never leaves half of one: checkpoints, downloads, pages."""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_write(path, suffix: str = ".tmp"):
    """Yield a binary file to write; when the block ends without an error it replaces
    ``path`` in one step (the old file, if any, stays whole until then). On an error the
    temporary file is removed and ``path`` is left as it was."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text_atomic(path, text: str) -> Path:
    """``Path(path).write_text(text)`` in UTF-8, written through :func:`atomic_write`."""
    with atomic_write(path) as fh:
        fh.write(text.encode("utf-8"))
    return Path(path)
