"""Corpora and the optional download. The network is never touched: every download test
talks to a small HTTP server on 127.0.0.1 that the test starts itself."""
import hashlib
import http.server
import os
import socket
import threading
import time
from pathlib import Path

import pytest

from rnnlib import data

DATA = Path(__file__).resolve().parent.parent / "data"
BODY = ("To be, or not to be: that is the question.\n" * 200).encode("utf-8")
SHA = hashlib.sha256(BODY).hexdigest()


class _Handler(http.server.BaseHTTPRequestHandler):
    hits: list = []

    def do_GET(self):
        type(self).hits.append(self.path)
        if self.path == "/slow.txt":
            time.sleep(1.5)      # longer than the timeout the test passes
        if self.path in ("/input.txt", "/slow.txt"):
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)
        else:
            self.send_error(404, "Not Found")

    def log_message(self, *args):
        pass


@pytest.fixture
def server(monkeypatch):
    """Base URL of a local server; proxies are switched off so requests stay on 127.0.0.1."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    _Handler.hits = []
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    srv.daemon_threads = True
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("RNNLIB_CACHE", str(folder))
    return folder


def closed_port_url() -> str:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()             # nobody listens there any more: a refused connection
    return f"http://127.0.0.1:{port}/input.txt"


# ---- bundled corpora -------------------------------------------------------------
def test_hello_is_the_running_example():
    assert data.load("hello") == "hello"


def test_python_docs_is_long_english_text_from_the_standard_library():
    text = data.load("python_docs")
    assert isinstance(text, str) and len(text) > 100_000
    assert "def " in text and "class" in text
    assert data.load("python_docs") == text        # deterministic


def test_korean_is_read_as_utf8_from_the_bundled_folder(tmp_path, monkeypatch):
    (tmp_path / "korean.txt").write_text("안녕하세요. 반갑습니다.\n", encoding="utf-8")
    monkeypatch.setattr(data, "bundled_folder", lambda: tmp_path)
    assert data.load("korean") == "안녕하세요. 반갑습니다.\n"


def test_missing_bundled_file_says_where_it_looked_and_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "bundled_folder", lambda: tmp_path)
    with pytest.raises(FileNotFoundError, match=r"korean.txt is missing from .*Reinstall rnnlib"):
        data.load("korean")


def test_bundled_texts_are_the_installed_package_rnnlib_corpora():
    """data/ of the project is installed as rnnlib.corpora: every text in it is readable
    through importlib.resources, byte for byte."""
    from importlib import resources
    folder = resources.files("rnnlib.corpora")
    texts = sorted(p.name for p in DATA.glob("*.txt"))
    assert "korean.txt" in texts
    for name in texts:
        assert folder.joinpath(name).read_bytes() == (DATA / name).read_bytes(), name
    assert data.bundled_folder().joinpath("korean.txt").read_bytes() == \
        (DATA / "korean.txt").read_bytes()


def test_every_bundled_text_has_a_corpus_name():
    """A text added to data/ without a name in CORPORA could never be loaded."""
    loaded = {data.load(name) for name in data.CORPORA}
    for path in DATA.glob("*.txt"):
        assert path.read_text(encoding="utf-8") in loaded, \
            f"data/{path.name} is not loaded by any corpus of rnnlib.data.CORPORA"


def test_a_source_tree_that_was_never_installed_reads_its_data_folder(monkeypatch):
    """Without the package rnnlib.corpora (rnnlib imported from a clone pip never saw),
    the data/ folder beside rnnlib/ is read instead."""
    def no_package(name):
        raise ModuleNotFoundError(f"No module named {name!r}")
    monkeypatch.setattr(data.resources, "files", no_package)
    assert data.bundled_folder() == DATA
    assert data.load("korean") == (DATA / "korean.txt").read_text(encoding="utf-8")


def test_unknown_corpus_lists_the_choices():
    with pytest.raises(ValueError, match=r"unknown corpus 'shakespear'.*python_docs.*tiny_shakespeare"):
        data.load("shakespear")


def test_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("RNNLIB_CACHE", str(tmp_path / "c"))
    assert data.cache_dir() == tmp_path / "c"
    monkeypatch.delenv("RNNLIB_CACHE")
    assert data.cache_dir() == data.Path.home() / ".cache" / "rnnlib"


def test_tiny_shakespeare_entry_carries_size_and_checksum():
    r = data.REMOTE["tiny_shakespeare"]
    assert r.size == 1_115_394
    assert r.url.startswith("https://") and r.url.endswith("/input.txt")
    assert len(r.sha256) == 64 and set(r.sha256) <= set("0123456789abcdef")


# ---- download against the local server --------------------------------------------
def test_download_writes_the_file_into_the_cache(server, cache):
    path = data.download(server + "/input.txt", sha256=SHA)
    assert path == cache / "input.txt"
    assert path.read_bytes() == BODY
    assert sorted(os.listdir(cache)) == ["input.txt"]       # no temporary file left


def test_second_download_is_a_cache_hit_without_network(server, cache):
    data.download(server + "/input.txt", sha256=SHA)
    assert len(_Handler.hits) == 1
    # same file name, but an address nobody answers at: only the cache can serve it
    url = closed_port_url()
    assert data.download(url, sha256=SHA).read_bytes() == BODY
    assert len(_Handler.hits) == 1


def test_damaged_cached_copy_is_fetched_again(server, cache):
    cache.mkdir()
    (cache / "input.txt").write_bytes(b"half a fil")
    assert data.download(server + "/input.txt", sha256=SHA).read_bytes() == BODY
    assert len(_Handler.hits) == 1


def test_wrong_checksum_names_both_digests_and_keeps_nothing(server, cache):
    wrong = "0" * 64
    with pytest.raises(data.DownloadError) as info:
        data.download(server + "/input.txt", sha256=wrong)
    assert SHA in str(info.value) and wrong in str(info.value)
    assert "not kept" in str(info.value)
    assert not cache.exists() or os.listdir(cache) == []


def test_wrong_size_names_both_sizes(server, cache):
    with pytest.raises(data.DownloadError, match=rf"{len(BODY):,} bytes but 1,115,394"):
        data.download(server + "/input.txt", size=1_115_394)
    assert os.listdir(cache) == []


def test_not_found_names_the_status(server, cache):
    with pytest.raises(data.DownloadError, match=r"answered HTTP 404"):
        data.download(server + "/missing.txt")
    assert os.listdir(cache) == []


def test_slow_server_times_out_with_a_clear_message(server, cache):
    with pytest.raises(data.DownloadError, match=r"within 0.3 s \(timeout\).*python_docs"):
        data.download(server + "/slow.txt", timeout=0.3)
    assert os.listdir(cache) == []


def test_offline_suggests_a_bundled_corpus(cache):
    with pytest.raises(data.DownloadError, match=r"offline.*load\('python_docs'\)"):
        data.download(closed_port_url())


def test_load_of_a_remote_corpus_downloads_once(server, cache, monkeypatch):
    entry = data.Remote(server + "/input.txt", "play.txt", len(BODY), SHA, "test text")
    monkeypatch.setitem(data.REMOTE, "play", entry)
    assert data.load("play") == BODY.decode("utf-8")
    assert data.load("play") == BODY.decode("utf-8")
    assert len(_Handler.hits) == 1
    assert (cache / "play.txt").exists()
