"""SFTPSource against a real SFTP server on loopback (asyncssh, see servers.py)."""
import os
import socket

import pytest

from et_pipeline.sources import ServerFile, source_from_url
from et_pipeline.sources.sftp import AuthenticationError, HostKeyError, SFTPSource, SFTPSourceError

STATS = "2025-02-20-212233-supply-round-1.txt"
TIMING = "gametime-supply-R1-1740083000.json"


def _source(srv, tmp_path, **kw) -> SFTPSource:
    opts = dict(host=srv.host, port=srv.port, user=srv.user, key_path=srv.client_key_path,
                known_hosts=srv.known_hosts_path, remote_root=srv.remote_root,
                cache_dir=str(tmp_path / "cache"), connect_timeout=5, banner_timeout=5, auth_timeout=5)
    opts.update(kw)
    return SFTPSource(**opts)


def _put(srv, folder: str, name: str, data: bytes, mtime: int = 1_740_000_000) -> None:
    p = srv.root / folder / name
    p.parent.mkdir(exist_ok=True)
    p.write_bytes(data)
    os.utime(p, (mtime, mtime))


def _cache_files(tmp_path) -> list[str]:
    cache = tmp_path / "cache"
    return sorted(str(p.relative_to(cache)) for p in cache.rglob("*") if p.is_file()) if cache.exists() else []


def test_lists_regular_files_of_both_folders(sftp_server, tmp_path):
    _put(sftp_server, "gamestats", STATS, b"stats")
    _put(sftp_server, "gametimes", TIMING, b"{}", mtime=1_740_000_100)
    (sftp_server.root / "gamestats" / "a-folder").mkdir()
    (sftp_server.root / "gamestats" / "link.txt").symlink_to(sftp_server.root / "gamestats" / STATS)

    files = sorted(_source(sftp_server, tmp_path).list_files(), key=lambda f: f.path)

    assert files == [
        ServerFile("gamestats", STATS, 5, 1_740_000_000.0),
        ServerFile("gamestats", "link.txt", 5, 1_740_000_000.0),
        ServerFile("gametimes", TIMING, 2, 1_740_000_100.0),
    ]


def test_missing_folders_list_as_empty(sftp_server, tmp_path):
    assert _source(sftp_server, tmp_path).list_files() == []
    _put(sftp_server, "gametimes", TIMING, b"{}")
    assert [f.path for f in _source(sftp_server, tmp_path).list_files()] == ["gametimes/" + TIMING]


def test_listing_downloads_nothing(sftp_server, tmp_path):
    _put(sftp_server, "gamestats", STATS, b"x" * 1000)
    _source(sftp_server, tmp_path).list_files()
    assert sftp_server.opened == []
    assert _cache_files(tmp_path) == []


def test_read_gives_exact_bytes_and_reuses_the_cache(sftp_server, tmp_path):
    data = os.urandom(100_000) + b"\r\n\x00 end"  # several SFTP reads, binary-safe
    _put(sftp_server, "gamestats", STATS, data)
    source = _source(sftp_server, tmp_path)
    [f] = source.list_files()

    assert dict(source.read_many([f])) == {f: data}
    assert _cache_files(tmp_path) == ["gamestats/" + STATS]
    opens = len(sftp_server.opened)

    with source.open() as conn:
        assert conn.read_bytes(f) == data
    assert len(sftp_server.opened) == opens  # same size and mtime: served from the cache


def test_changed_file_is_downloaded_again(sftp_server, tmp_path):
    _put(sftp_server, "gamestats", STATS, b"first")
    source = _source(sftp_server, tmp_path)
    [f] = source.list_files()
    assert dict(source.read_many([f]))[f] == b"first"
    _put(sftp_server, "gamestats", STATS, b"other", mtime=1_740_000_009)  # same size, new mtime
    assert dict(source.read_many([f]))[f] == b"other"


def test_growing_file_shows_in_the_next_listing(sftp_server, tmp_path):
    """The sensor's settle window relies on a growing file changing size/mtime between ticks."""
    _put(sftp_server, "gamestats", STATS, b"header\n")
    source = _source(sftp_server, tmp_path)
    [before] = source.list_files()
    with open(sftp_server.root / "gamestats" / STATS, "ab") as fh:
        fh.write(b"player line\n")
    os.utime(sftp_server.root / "gamestats" / STATS, (1_740_000_002, 1_740_000_002))
    [after] = source.list_files()

    assert (before.name, after.name) == (STATS, STATS)
    assert after.size == before.size + len(b"player line\n")
    assert after.mtime > before.mtime
    # a read after the listing returns the complete current content
    assert dict(source.read_many([before]))[before] == b"header\nplayer line\n"


def test_one_connection_serves_a_whole_batch(sftp_server, tmp_path):
    for i in range(5):
        _put(sftp_server, "gamestats", "2025-02-20-2122%02d-supply-round-1.txt" % i, b"r%d" % i)
    source = _source(sftp_server, tmp_path)
    with source.open() as conn:
        files = conn.list_files()
        contents = [conn.read_bytes(f) for f in files]
    assert sorted(contents) == [b"r%d" % i for i in range(5)]
    assert sftp_server.connections == 1

    dict(source.read_many(files))
    assert sftp_server.connections == 2


def test_dropped_connection_mid_download_leaves_no_partial_file(sftp_server, tmp_path):
    data = os.urandom(200_000)
    _put(sftp_server, "gamestats", STATS, data)
    source = _source(sftp_server, tmp_path)
    [f] = source.list_files()
    sftp_server.drop_next_transfer_after(70_000)

    [(got_file, result)] = list(source.read_many([f]))
    assert got_file == f
    assert isinstance(result, OSError)
    assert sftp_server.drop_after is None  # the drop really happened mid-file
    assert _cache_files(tmp_path) == []    # neither the final name nor a temp file remains

    assert dict(source.read_many([f]))[f] == data  # a later tick completes it
    assert _cache_files(tmp_path) == ["gamestats/" + STATS]


def test_read_of_vanished_file_is_an_oserror(sftp_server, tmp_path):
    source = _source(sftp_server, tmp_path)
    [(_, result)] = list(source.read_many([ServerFile("gamestats", STATS, 1, 0.0)]))
    assert isinstance(result, FileNotFoundError)


def test_never_writes_on_the_server(sftp_server, tmp_path):
    _put(sftp_server, "gamestats", STATS, os.urandom(50_000))
    _put(sftp_server, "gamestats", STATS.replace(".txt", "-endstats.txt"), b"awards")
    _put(sftp_server, "gametimes", TIMING, b"{}")
    before = sftp_server.snapshot()
    source = _source(sftp_server, tmp_path)

    files = source.list_files()
    list(source.read_many(files))
    sftp_server.drop_next_transfer_after(10_000)
    list(source.read_many(files))  # a failed download cleans up locally, not remotely
    list(source.read_many(files))  # cache hits

    assert sftp_server.write_ops == []
    assert all(flags == 1 for _, flags in sftp_server.opened)  # FXF_READ only
    assert sftp_server.snapshot() == before


def test_unknown_host_key_is_refused(sftp_server, tmp_path):
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(open(sftp_server.known_hosts_path).read().replace("127.0.0.1", "example.org"))
    with pytest.raises(HostKeyError, match="not in the known_hosts"):
        _source(sftp_server, tmp_path, known_hosts=str(known_hosts)).list_files()
    assert known_hosts.read_text().count("\n") == 1  # never added


def test_changed_host_key_is_refused(sftp_server, tmp_path):
    with pytest.raises(HostKeyError, match="CHANGED"):
        _source(sftp_server, tmp_path, known_hosts=sftp_server.wrong_known_hosts_path).list_files()
    assert sftp_server.opened == []


def test_missing_known_hosts_file_is_a_clear_error(sftp_server, tmp_path):
    with pytest.raises(SFTPSourceError, match="known_hosts"):
        _source(sftp_server, tmp_path, known_hosts=str(tmp_path / "nope")).list_files()


def test_wrong_client_key_is_refused(sftp_server, tmp_path, monkeypatch):
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    with pytest.raises(AuthenticationError):
        _source(sftp_server, tmp_path, key_path=sftp_server.other_key_path).list_files()


def test_silent_server_hits_the_banner_timeout(tmp_path, sftp_server):
    with socket.socket() as listener:  # accepts TCP (backlog) but never says a word
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        source = _source(sftp_server, tmp_path, port=listener.getsockname()[1], banner_timeout=0.5)
        with pytest.raises(ConnectionError, match="cannot connect"):
            source.list_files()


def test_refused_connection_is_a_connection_error(sftp_server, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ConnectionError):
        _source(sftp_server, tmp_path, port=port).list_files()


def test_from_url_and_describe(tmp_path):
    opts = dict(key_path="/k", known_hosts="/kh", cache_dir=str(tmp_path))
    s = source_from_url("sftp://et@game.example.org:2222/srv/et/legacy", **opts)
    assert isinstance(s, SFTPSource)
    assert (s.user, s.host, s.port, s.remote_root) == ("et", "game.example.org", 2222, "/srv/et/legacy")
    assert s.describe() == "sftp://et@game.example.org:2222/srv/et/legacy"

    home = SFTPSource.from_url("sftp://et@game.example.org/~/legacy", **opts)
    assert (home.port, home.remote_root) == (22, "legacy")
    assert home.describe() == "sftp://et@game.example.org:22/~/legacy"

    with pytest.raises(ValueError, match="password"):
        SFTPSource.from_url("sftp://et:secret@game.example.org/x", **opts)
    with pytest.raises(SFTPSourceError, match="known_hosts"):
        SFTPSource.from_url("sftp://et@game.example.org/x", key_path="/k")


def test_default_cache_dir_is_private_and_per_server():
    a = SFTPSource("h", 22, "u", "/k", "/kh", "/srv/a")
    b = SFTPSource("h", 2222, "u", "/k", "/kh", "/srv/a")
    assert a.cache_dir != b.cache_dir
    top = os.path.dirname(a.cache_dir)
    assert os.stat(top).st_mode & 0o077 == 0


def test_file_growing_during_download_is_not_cached(sftp_server, tmp_path, monkeypatch):
    import paramiko

    _put(sftp_server, "gamestats", STATS, b"header\n")
    source = _source(sftp_server, tmp_path)
    [f] = source.list_files()
    real_stat = paramiko.SFTPClient.stat

    def stat_then_grow(self, path):  # the game server appends between our stat and read
        st = real_stat(self, path)
        with open(sftp_server.root / "gamestats" / STATS, "ab") as fh:
            fh.write(b"more\n")
        return st

    monkeypatch.setattr(paramiko.SFTPClient, "stat", stat_then_grow)
    [(_, result)] = list(source.read_many([f]))
    assert isinstance(result, OSError) and "size changed" in str(result)
    assert _cache_files(tmp_path) == []
