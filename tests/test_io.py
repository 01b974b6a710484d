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
