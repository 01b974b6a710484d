"""Writing files so that a crash never leaves half of one: checkpoints, downloads, pages.

A file written here gets the permissions any other program would give it: a new file
``0o666`` less the user's umask (usually ``-rw-r--r--``, so a web server or a colleague can
read a page or a checkpoint), and a file that is replaced keeps the mode it had (a file
made private, or executable, stays so).
"""
from __future__ import annotations

import os
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    try:  # Linux: read it, so no other thread ever sees a changed umask
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    # Elsewhere the only way is to set it and set it back; set a strict one meanwhile, so a
    # file another thread creates in that instant is more private, never less.
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def _mode_for(path: Path) -> int:
    """The mode ``path`` should have after it is written: its own if it exists, else
    ``0o666 & ~umask``."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return 0o666 & ~current_umask()


@contextmanager
def atomic_write(path: str | os.PathLike[str], suffix: str = ".tmp") -> Iterator[BinaryIO]:
    """Yield a binary file to write; when the block ends without an error it replaces
    ``path`` in one step (the old file, if any, stays whole until then). On an error the
    temporary file is removed and ``path`` is left as it was.

    The new file gets the mode of the file it replaces, or ``0o666`` less the umask for a
    new one (the temporary file itself starts private, as ``mkstemp`` makes it)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """``Path(path).write_text(text)`` in UTF-8, written through :func:`atomic_write`."""
    with atomic_write(path) as fh:
        fh.write(text.encode("utf-8"))
    return Path(path)
