"""Atomic writes: a file is replaced whole or not at all."""
import pytest

from rnnlib._io import atomic_write, write_text_atomic


def test_a_finished_write_replaces_the_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("old")
    write_text_atomic(path, "새 내용, new")
    assert path.read_text(encoding="utf-8") == "새 내용, new"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]     # no temporary left


def test_an_error_mid_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "model.npz"
    path.write_bytes(b"the good copy")
    with pytest.raises(RuntimeError, match="crash"):
        with atomic_write(path) as fh:
            fh.write(b"half of a new")
            raise RuntimeError("crash")
    assert path.read_bytes() == b"the good copy"
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]


# ---- permissions: what any other program would give the file ------------------------------
import os  # noqa: E402
import shutil  # noqa: E402
import stat  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from rnnlib import _io, checkpoint, data  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(params=[0o022, 0o077], ids=["umask022", "umask077"])
def umask(request):
    """Run the test under this umask, then put the old one back."""
    old = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(old)


def test_current_umask_reads_the_umask_and_leaves_it_as_it_was(umask):
    assert _io.current_umask() == umask
    assert _io.current_umask() == umask      # still the same: reading did not change it


def test_current_umask_without_proc_falls_back_and_restores_it(umask, monkeypatch):
    def no_proc(*args, **kwargs):
        raise FileNotFoundError("/proc/self/status")
    monkeypatch.setattr(_io, "open", no_proc, raising=False)
    assert _io.current_umask() == umask
    monkeypatch.undo()
    assert _io.current_umask() == umask


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_a_new_file_gets_0666_less_the_umask(tmp_path, umask):
    expected = 0o666 & ~umask                     # 0o644 under 022, 0o600 under 077
    write_text_atomic(tmp_path / "page.html", "<p>hi</p>")
    with atomic_write(tmp_path / "raw.bin") as fh:
        fh.write(b"\x00\x01")
    assert mode(tmp_path / "page.html") == expected
    assert mode(tmp_path / "raw.bin") == expected


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
@pytest.mark.parametrize("old_mode", [0o644, 0o640, 0o600, 0o755], ids=oct)
def test_a_replaced_file_keeps_its_own_mode_whatever_the_umask(tmp_path, umask, old_mode):
    """Rewriting a file (README, a notebook, a checkpoint) never changes who may read it:
    an executable stays executable, a private file stays private."""
    path = tmp_path / "notes.txt"
    path.write_text("old")
    os.chmod(path, old_mode)
    write_text_atomic(path, "new")
    assert path.read_text() == "new" and mode(path) == old_mode


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_checkpoints_and_downloads_get_the_umask_mode(tmp_path, umask):
    expected = 0o666 & ~umask
    ck = checkpoint.save_arrays(tmp_path / "ck" / "run.npz", {"w": np.eye(2)}, {"note": "x"})
    assert mode(ck) == expected
    src = tmp_path / "remote.txt"
    src.write_bytes(b"some corpus text\n")
    got = data.download(src.as_uri(), filename="corpus.txt", cache=tmp_path / "cache")
    assert got.read_bytes() == b"some corpus text\n" and mode(got) == expected


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_set_repo_leaves_readme_and_notebooks_readable(tmp_path, umask):
    """scripts/nbtools.py set-repo rewrites README, the notebooks and itself in place: each
    keeps the mode it had, even under a strict umask."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import nbtools
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    (tmp_path / "scripts").mkdir()
    (tmp_path / "notebooks").mkdir()
    shutil.copy(ROOT / "scripts" / "nbtools.py", tmp_path / "scripts" / "nbtools.py")
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    nb = next((ROOT / "notebooks").glob("00_*.ipynb"))
    shutil.copy(nb, tmp_path / "notebooks" / nb.name)
    files = [tmp_path / "scripts" / "nbtools.py", tmp_path / "README.md",
             tmp_path / "notebooks" / nb.name]
    for f in files:
        os.chmod(f, 0o644)
    changed = nbtools.set_repo("my-uni/rnn-course", root=tmp_path)
    assert sorted(changed) == sorted(files)
    assert {f.name: mode(f) for f in files} == {f.name: 0o644 for f in files}
