"""Corpora by name: three that need no download, and public ones fetched once into a cache.

Bundled (always there, no network):

- ``hello``: the four-letter running example of the course.
- ``python_docs``: the Python reference manual's topics (English prose with code), read at
  run time from the standard library's ``pydoc_data``, so every Python install has it.
  Its exact text follows the Python version.
- ``korean``: a short Korean text written for this course (data/korean.txt), to show
  a Unicode vocabulary.

The texts live in the project's data/ folder, which is installed inside rnnlib as the
package ``rnnlib.corpora``: they are read with ``importlib.resources``, so they are there in
a wheel or a ``pip install .`` as well as in a clone.

Downloaded on first use (see ``REMOTE``), then read from the cache folder, which is
``$RNNLIB_CACHE`` if set, else ``~/.cache/rnnlib``:

- ``tiny_shakespeare``: the 1,115,394-byte Shakespeare text of Karpathy's char-rnn.

``download(url, sha256=...)`` is the general tool: it fetches any file once, checks its
size and sha256, and writes it atomically so the cache never holds half a file.
"""
from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from ._io import atomic_write

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

HELLO = "hello"


def _python_docs() -> str:
    from pydoc_data.topics import topics
    return "\n\n".join(topics[k].strip() for k in sorted(topics)) + "\n"


def bundled_folder() -> Traversable:
    """Where the bundled texts are: the package ``rnnlib.corpora`` (the project's data/).

    A source tree used without installing it (rnnlib imported from a clone that pip never
    saw) has no such package; there the data/ folder beside rnnlib/ is read directly.
    """
    try:
        return resources.files("rnnlib.corpora")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "data"


def _file(name: str) -> Callable[[], str]:
    def read() -> str:
        folder = bundled_folder()
        path = folder / name
        if not path.is_file():
            raise FileNotFoundError(
                f"{name} is missing from {folder}; "
                f"rnnlib's bundled texts are installed with it from the project's data/ "
                f"folder. Reinstall rnnlib (pip install -e . in a clone of the project, or "
                f"pip install --force-reinstall of the wheel).")
        return path.read_text(encoding="utf-8")
    return read


CORPORA = {
    "hello": lambda: HELLO,
    "python_docs": _python_docs,
    "korean": _file("korean.txt"),
}


@dataclass(frozen=True)
class Remote:
    """A public text that ``load`` downloads once and then reads from the cache."""
    url: str
    filename: str
    size: int              # bytes
    sha256: str | None     # None: only the size can be checked
    about: str


REMOTE = {
    "tiny_shakespeare": Remote(
        url="https://raw.githubusercontent.com/karpathy/char-rnn/master/data/"
            "tinyshakespeare/input.txt",
        filename="tiny_shakespeare.txt",
        size=1_115_394,
        # the digest published in TensorFlow Datasets' checksum list for this URL
        sha256="86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
        about="40,000 lines from Shakespeare's plays, the corpus of Karpathy's char-rnn"),
}


class DownloadError(OSError):
    """A download failed: offline, too slow, not found, or not the expected file."""


def cache_dir() -> Path:
    """Where downloads are kept: ``$RNNLIB_CACHE``, or ``~/.cache/rnnlib``."""
    env = os.environ.get("RNNLIB_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "rnnlib"


def _sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _offline_hint() -> str:
    return ("Without a network, use a bundled corpus instead: "
            "rnnlib.data.load('python_docs') (or 'korean', 'hello').")


def download(url: str, sha256: str | None = None, *, filename: str | None = None,
             size: int | None = None, timeout: float = 30.0,
             cache: str | os.PathLike[str] | None = None) -> Path:
    """Fetch ``url`` once into the cache folder and return the local path.

    A file already in the cache (with the right size and sha256, when given) is used
    without touching the network. A new download goes to a temporary file in the same
    folder and is renamed into place only after its size and sha256 are checked, so an
    interrupted or corrupt download never stays in the cache.

    timeout: seconds to wait for the server at each step (connecting, each read).
    cache: the folder to keep the file in (default: ``cache_dir()``).
    """
    folder = Path(cache) if cache is not None else cache_dir()
    name = filename or Path(urllib.parse.urlparse(url).path).name
    if not name:
        raise ValueError(f"cannot tell a file name from the URL {url!r}; pass filename=.")
    path = folder / name
    if path.exists():
        if _matches(path, sha256, size):
            return path
        path.unlink()            # a stale or damaged copy: fetch it again
    folder.mkdir(parents=True, exist_ok=True)

    digest = hashlib.sha256()
    n = 0
    try:
        # the file appears under its name only once it is whole and checked
        with atomic_write(path, suffix=".part") as out:
            with urllib.request.urlopen(url, timeout=timeout) as resp:
                for block in iter(lambda: resp.read(1 << 16), b""):
                    out.write(block)
                    digest.update(block)
                    n += len(block)
            if size is not None and n != size:
                raise DownloadError(
                    f"the download from {url} has {n:,} bytes but {size:,} were expected; "
                    f"the incomplete file was not kept. Try again.")
            got = digest.hexdigest()
            if sha256 is not None and got != sha256.lower():
                raise DownloadError(
                    f"the download from {url} has sha256 {got}, but {sha256.lower()} was "
                    f"expected; the corrupt file was not kept. Try again, or check the URL.")
    except urllib.error.HTTPError as err:
        raise DownloadError(f"{url} answered HTTP {err.code} ({err.reason}); check the "
                            f"address. {_offline_hint()}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as err:
        reason = getattr(err, "reason", err)
        if isinstance(reason, TimeoutError):
            raise DownloadError(f"no answer from {url} within {timeout} s (timeout); the "
                                f"network may be slow or blocked. {_offline_hint()}") from None
        raise DownloadError(f"could not reach {url} ({reason}); you seem to be offline. "
                            f"{_offline_hint()}") from None
    return path


def _matches(path: Path, sha256: str | None, size: int | None) -> bool:
    if size is not None and path.stat().st_size != size:
        return False
    return sha256 is None or _sha256_of(path) == sha256.lower()


def names() -> list[str]:
    """Every corpus ``load`` knows: bundled first, then downloadable."""
    return sorted(CORPORA) + sorted(REMOTE)


def load(name: str, timeout: float = 30.0) -> str:
    """Return the text of a corpus: one of ``CORPORA`` or, downloaded once, ``REMOTE``."""
    if name in CORPORA:
        return CORPORA[name]()
    if name in REMOTE:
        r = REMOTE[name]
        path = download(r.url, r.sha256, filename=r.filename, size=r.size, timeout=timeout)
        return path.read_text(encoding="utf-8")
    raise ValueError(f"unknown corpus {name!r}; choose one of {names()} "
                     f"(the last {len(REMOTE)} are downloaded on first use).")
