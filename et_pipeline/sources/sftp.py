"""The game server's folder over SFTP (paramiko), read-only and trust-on-nothing.

* The host key must already be in the given known_hosts file: an unknown or changed key
  is refused (`HostKeyError`), never added. Authentication is by that one key file only
  (no agent, no ~/.ssh key hunting), so what runs in production is what was configured.
* `open()` is one SSH connection for a batch (a sensor tick, a run's reads).
* Listing uses `listdir_iter` (a pipelined `listdir_attr`) and downloads nothing. Reads
  go to a local cache under a temporary name, are checked against the size the server
  reports, then `os.replace`d: a dropped connection never leaves a half file under the
  final name, and a cached copy with the server's size and mtime is reused. Nothing on the server is ever written,
  renamed or deleted.

Errors: `HostKeyError` / `AuthenticationError` / `SFTPSourceError` are configuration or
trust problems that retrying will not fix; network trouble (refused, timeouts, dropped
connection) is a `ConnectionError`, and a failed read is an `OSError`, so the caller
records it and a later tick retries.
"""
import contextlib
import errno
import hashlib
import os
import posixpath
import re
import stat
import tempfile
from urllib.parse import unquote, urlsplit

import paramiko

from et_pipeline.parsers.bounds import MAX_FILE_BYTES, oversized
from et_pipeline.sources.base import FOLDERS, RefusedFile, ServerFile, SourceConnection, StatsSource
from et_pipeline.sources.errors import (AuthenticationError, HostKeyError, KeyFileError,  # noqa: F401 (re-exported)
                                       PasswordInURLError, SFTPSourceError, SourceURLError)

_CHUNK = 32768  # SFTP's usual maximum read size


class _RejectUnknownHost(paramiko.RejectPolicy):
    """`RejectPolicy` with an error that says what to do about it."""

    def missing_host_key(self, client, hostname, key):
        raise HostKeyError(
            "host key of %s (%s %s) is not in the known_hosts file; verify the fingerprint "
            "with the server's admin, then add it (e.g. `ssh-keyscan -p PORT HOST >> KNOWN_HOSTS`)"
            % (hostname, key.get_name(), key.fingerprint)
        )


@contextlib.contextmanager
def _wire_errors(where: str):
    """paramiko reports a lost connection as SSHException/EOFError: make it an OSError."""
    try:
        yield
    except (paramiko.SSHException, EOFError) as e:
        raise ConnectionError("%s: connection lost (%s)" % (where, e or type(e).__name__)) from e


def _listdir_names_as_bytes(sftp: paramiko.SFTPClient, remote: str) -> list[paramiko.SFTPAttributes]:
    """A folder listing whose names need not be UTF-8 (undecodable bytes become surrogate
    escapes, as os.listdir gives them locally). paramiko decodes names strictly, so one
    such file would make the whole folder unlistable; this speaks the same READDIR
    protocol through paramiko's request layer, one request at a time. Only used for a
    folder whose fast listing failed on a name."""
    from paramiko import sftp as proto

    t, msg = sftp._request(proto.CMD_OPENDIR, remote)
    if t != proto.CMD_HANDLE:
        raise paramiko.SFTPError("Expected handle")
    handle = msg.get_binary()
    out = []
    try:
        while True:
            try:
                t, msg = sftp._request(proto.CMD_READDIR, handle)
            except EOFError:   # end of the folder (paramiko's reading of SSH_FX_EOF)
                break
            if t != proto.CMD_NAME:
                raise paramiko.SFTPError("Expected name response")
            for _ in range(msg.get_int()):
                name = msg.get_binary().decode("utf-8", "surrogateescape")
                longname = msg.get_binary().decode("utf-8", "replace")
                attr = paramiko.SFTPAttributes._from_msg(msg, name, longname)
                if name not in (".", ".."):
                    out.append(attr)
    finally:
        sftp._request(proto.CMD_CLOSE, handle)
    return out


class _SFTPConnection(SourceConnection):
    def __init__(self, source: "SFTPSource", sftp: paramiko.SFTPClient, client: paramiko.SSHClient | None = None):
        self._source = source
        self._sftp = sftp
        self._client = client

    def _listdir(self, remote: str) -> list[paramiko.SFTPAttributes]:
        try:
            # pipelined READDIRs: ~40 % faster than listdir_attr's one request at a time
            return list(self._sftp.listdir_iter(remote, read_aheads=32))
        except UnicodeDecodeError:
            if self._client is None:
                raise
        # the failed listing left read-ahead answers on its channel: a new channel, then
        # the byte-safe listing (a file with a non-UTF-8 name is quarantined, not fatal)
        self._sftp.close()
        self._sftp = self._client.open_sftp()
        self._sftp.get_channel().settimeout(self._source.io_timeout)
        return _listdir_names_as_bytes(self._sftp, remote)

    def _remote(self, *parts: str) -> str:
        return posixpath.join(self._source.remote_root, *parts)

    def list_files(self) -> list[ServerFile]:
        out = []
        for folder in FOLDERS:
            remote = self._remote(folder)
            with _wire_errors(self._source.describe()):
                try:
                    entries = self._listdir(remote)
                except (FileNotFoundError, NotADirectoryError):
                    continue
                for a in entries:
                    name = a.filename
                    if stat.S_ISLNK(a.st_mode or 0):  # a link the server resolves inside its own folder
                        try:
                            a = self._sftp.stat(posixpath.join(remote, name))
                        except (FileNotFoundError, UnicodeEncodeError):
                            continue
                    if stat.S_ISREG(a.st_mode or 0):
                        out.append(ServerFile(folder, name, a.st_size, float(a.st_mtime or 0)))
        return out

    def read_bytes(self, f: ServerFile) -> bytes:
        if f.folder not in FOLDERS or "/" in f.name or f.name in ("", ".", ".."):
            raise ValueError("not a server file: %r" % (f,))
        remote = self._remote(f.folder, f.name)
        local = os.path.join(self._source.cache_dir, f.folder, f.name)
        with _wire_errors("%s/%s/%s" % (self._source.describe(), f.folder, f.name)):
            st = self._sftp.stat(remote)
            if not stat.S_ISREG(st.st_mode or 0):
                raise OSError(errno.EISDIR, "not a regular file on the server", remote)
            if oversized(st.st_size or 0):
                raise RefusedFile(errno.EFBIG, oversized(st.st_size), remote)
            cached = _read_cached(local, st.st_size, st.st_mtime)
            if cached is not None:
                return cached
            return self._download(remote, local, st)

    def _download(self, remote: str, local: str, st: paramiko.SFTPAttributes) -> bytes:
        folder = os.path.dirname(local)
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(local) + ".", suffix=".part")
        try:
            chunks, got = [], 0
            with os.fdopen(fd, "wb") as out, self._sftp.open(remote, "rb") as rf:
                while chunk := rf.read(_CHUNK):
                    out.write(chunk)
                    chunks.append(chunk)
                    got += len(chunk)
                    if got > MAX_FILE_BYTES:      # the cap holds while reading: it grew since the stat
                        raise RefusedFile(errno.EFBIG, oversized(got, at_least=True), remote)
            data = b"".join(chunks)
            if len(data) != st.st_size:
                raise OSError(
                    errno.EAGAIN,
                    "size changed during download (server said %d bytes, got %d)" % (st.st_size, len(data)),
                    remote,
                )
            if st.st_mtime is not None:
                os.utime(tmp, (st.st_mtime, st.st_mtime))
            os.replace(tmp, local)
            return data
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise


def _read_cached(local: str, size: int, mtime) -> bytes | None:
    """The cached copy if it has the server's size and mtime (SFTP mtimes are whole seconds)."""
    if mtime is None:
        return None
    try:
        st = os.stat(local)
        if st.st_size != size or int(st.st_mtime) != int(mtime):
            return None
        with open(local, "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    return data if len(data) == size else None


def _private_dir(path: str) -> str:
    """Create `path` for this user only, refusing one somebody else prepared (shared /tmp)."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    st = os.lstat(path)
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o022:
        raise SFTPSourceError("cache folder %s is not a private folder of this user" % path)
    return path


class SFTPSource(StatsSource):
    def __init__(
        self,
        host: str,
        port: int = 22,
        user: str | None = None,
        key_path: str | None = None,
        known_hosts: str | None = None,
        remote_root: str = ".",
        connect_timeout: float = 10,
        banner_timeout: float = 15,
        auth_timeout: float = 15,
        cache_dir: str | None = None,
        io_timeout: float = 60,
    ):
        missing = [n for n, v in (("user", user), ("key_path", key_path), ("known_hosts", known_hosts)) if not v]
        if not host or missing:
            raise (KeyFileError if host and user else SFTPSourceError)("SFTP source needs host, user, key_path and known_hosts (missing: %s)"
                                  % ", ".join((["host"] if not host else []) + missing))
        self.host = host
        self.port = int(port)
        self.user = user
        self.key_path = os.path.expanduser(key_path)
        self.known_hosts = os.path.expanduser(known_hosts)
        self.remote_root = remote_root or "."
        self.connect_timeout = connect_timeout
        self.banner_timeout = banner_timeout
        self.auth_timeout = auth_timeout
        self.io_timeout = io_timeout
        self._cache_dir = cache_dir

    @classmethod
    def from_url(cls, url: str, **options) -> "SFTPSource":
        """`sftp://user@host[:port]/abs/path`; `/~/rel/path` is relative to the login folder.
        Options: key_path, known_hosts, cache_dir and the timeouts. No password in the URL."""
        u = urlsplit(url)
        if u.scheme != "sftp" or not u.hostname:
            raise ValueError("not an sftp://user@host[:port]/path URL: %r" % url)
        if u.password is not None:
            raise PasswordInURLError("the SFTP URL for %s carries a password: remove it, key authentication only "
                                     "(--sftp-key / ET_SFTP_KEY_PATH)" % (u.hostname,))
        try:
            port = u.port or 22
        except ValueError:          # urllib: "Port could not be cast to integer value", "Port out of range"
            raise SourceURLError("%s: the port is not a number from 1 to 65535" % url) from None
        path = unquote(u.path)
        if path == "/~" or path.startswith("/~/"):
            path = path[3:] or "."
        return cls(host=u.hostname, port=port, user=unquote(u.username or "") or None,
                   remote_root=path or ".", **options)

    @property
    def cache_dir(self) -> str:
        if self._cache_dir is None:
            slug = re.sub(r"[^A-Za-z0-9._@-]+", "_", "%s@%s_%d_%s" % (self.user, self.host, self.port, self.remote_root))
            digest = hashlib.sha256(self.describe().encode()).hexdigest()[:8]
            top = _private_dir(os.path.join(tempfile.gettempdir(), "et-pipeline-sftp-%d" % os.getuid()))
            self._cache_dir = os.path.join(top, "%s-%s" % (slug.strip("_")[:80], digest))
        return self._cache_dir

    def describe(self) -> str:
        host = "[%s]" % self.host if ":" in self.host else self.host
        root = self.remote_root
        path = root if root.startswith("/") else "/~" + ("" if root in (".", "./") else "/" + root)
        return "sftp://%s@%s:%d%s" % (self.user, host, self.port, path)

    def _connect(self) -> paramiko.SSHClient:
        try:
            pkey = paramiko.PKey.from_path(self.key_path)
        except Exception as e:  # missing file, unknown type, passphrase-protected ...
            raise KeyFileError("cannot load SSH key %s: %s" % (self.key_path, e)) from e
        client = paramiko.SSHClient()
        try:
            try:
                client.get_host_keys().load(self.known_hosts)
            except OSError as e:
                raise KeyFileError("cannot read known_hosts file %s: %s" % (self.known_hosts, e)) from e
            client.set_missing_host_key_policy(_RejectUnknownHost())
            client.connect(
                self.host, port=self.port, username=self.user, pkey=pkey,
                timeout=self.connect_timeout, banner_timeout=self.banner_timeout,
                auth_timeout=self.auth_timeout, channel_timeout=self.connect_timeout,
                allow_agent=False, look_for_keys=False,
            )
        except paramiko.BadHostKeyException as e:
            client.close()
            raise HostKeyError(
                "host key of %s CHANGED: server sent %s %s, known_hosts has %s %s; refusing to connect"
                % (self.describe(), e.key.get_name(), e.key.fingerprint,
                   e.expected_key.get_name(), e.expected_key.fingerprint)
            ) from e
        except paramiko.AuthenticationException as e:
            client.close()
            raise AuthenticationError("%s refused the key %s: %s" % (self.describe(), self.key_path, e)) from e
        except (paramiko.SSHException, EOFError, OSError) as e:
            client.close()
            raise ConnectionError("cannot connect to %s: %s" % (self.describe(), e or type(e).__name__)) from e
        except BaseException:
            client.close()
            raise
        return client

    @contextlib.contextmanager
    def open(self):
        client = self._connect()
        try:
            with _wire_errors(self.describe()):
                sftp = client.open_sftp()
            sftp.get_channel().settimeout(self.io_timeout)
            yield _SFTPConnection(self, sftp, client)
        finally:
            client.close()
