"""Real servers on loopback for resource tests: a PostgreSQL cluster, an SFTP server, a
Redis broker and a celery worker.

`postgres_server` starts PostgreSQL once per test run (Debian's server binaries, as the
`postgres` user when the tests run as root, which PostgreSQL requires). `sftp_server` is
asyncssh in-process, its event loop in a background thread, with hooks to count
connections, record anything that would modify the server, and drop a connection in the
middle of a transfer.
"""
import asyncio
import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# --------------------------------------------------------------------------- PostgreSQL


def _pg_bin_dir() -> str | None:
    """`PG_BINDIR`, else the newest of Debian's `/usr/lib/postgresql/<major>/bin`, else PATH."""
    candidates = [os.environ.get("PG_BINDIR", "")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                         key=lambda p: [int(x) if x.isdigit() else 0 for x in p.split("/")[-2].split(".")],
                         reverse=True)
    on_path = shutil.which("pg_ctl")
    candidates.append(os.path.dirname(on_path) if on_path else "")
    for d in candidates:
        if d and all(os.access(os.path.join(d, b), os.X_OK) for b in ("initdb", "pg_ctl", "postgres")):
            return d
    return None


def stop_process_group(proc: subprocess.Popen, grace: float = 30) -> None:
    """Stop a server started in its own session (`start_new_session=True`) with everything
    it forked (a daemon's run workers, a celery worker's pool): SIGTERM to the group, then
    SIGKILL when it has not exited after `grace` seconds."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """A throw-away cluster: trust auth for `postgres` on 127.0.0.1, no fsync."""

    def __init__(self, bin_dir: str, base: str, as_postgres: bool):
        self.bin_dir = bin_dir
        self.base = base
        self.data = os.path.join(base, "data")
        self.log = os.path.join(base, "postgres.log")
        self._prefix = ["runuser", "-u", "postgres", "--"] if as_postgres else []
        self.port = 0

    def _run(self, *args: str) -> None:
        cmd = self._prefix + [os.path.join(self.bin_dir, args[0]), *args[1:]]
        p = subprocess.run(cmd, cwd=self.base, capture_output=True, text=True, timeout=60)
        if p.returncode:
            log = Path(self.log).read_text(errors="replace") if os.path.exists(self.log) else ""
            raise RuntimeError("%s failed (%d):\n%s%s\n%s" % (" ".join(cmd), p.returncode, p.stdout, p.stderr, log))

    def start(self) -> None:
        self._run("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C", "--no-sync", "--no-instructions")
        for attempt in range(3):  # the free port may be taken between probe and bind
            self.port = _free_port()
            opts = ("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off "
                    "-c full_page_writes=off" % (self.port, self.base))
            try:
                self._run("pg_ctl", "-D", self.data, "-l", self.log, "-o", opts, "-w", "-t", "30", "start")
                return
            except RuntimeError:
                if attempt == 2:
                    raise

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")

    def url(self, dbname: str = "postgres") -> str:
        return "postgresql+psycopg2://postgres@127.0.0.1:%d/%s" % (self.port, dbname)

    def _admin(self, sql: str) -> None:
        import psycopg2

        conn = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(sql)
        finally:
            conn.close()

    def create_database(self, name: str) -> str:
        self._admin('CREATE DATABASE "%s"' % name.replace('"', '""'))
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self._admin('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name.replace('"', '""'))


def _unavailable(why: str):
    """Never skip in CI (a skipped suite looks green); locally, say how to get the server."""
    if os.environ.get("CI"):
        pytest.fail("PostgreSQL tests cannot run in CI: %s" % why, pytrace=False)
    pytest.skip("%s; run `make test` (it installs the PostgreSQL server)" % why)


@pytest.fixture(scope="session")
def postgres_server():
    bin_dir = _pg_bin_dir()
    if bin_dir is None:
        _unavailable("PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin")
    as_postgres = os.geteuid() == 0
    if as_postgres and not shutil.which("runuser"):
        _unavailable("running as root but `runuser` is missing (PostgreSQL refuses root)")
    base = tempfile.mkdtemp(prefix="et-pipeline-pg-")
    try:
        if as_postgres:
            import pwd

            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                _unavailable("running as root but there is no `postgres` user (PostgreSQL refuses root)")
            os.chown(base, pw.pw_uid, pw.pw_gid)
        server = PostgresServer(bin_dir, base, as_postgres)
        server.start()
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server):
    """A fresh, empty database for one test."""
    name = "test_" + uuid.uuid4().hex[:12]
    url = postgres_server.create_database(name)
    yield url
    postgres_server.drop_database(name)


# --------------------------------------------------------------------------- SFTP


@dataclass
class SFTPServerState:
    """What a test sees of the SFTP server, and the knobs it may turn."""

    host: str
    port: int
    user: str
    root: Path                  # local folder served as `remote_root`
    remote_root: str            # that folder's path as the SFTP client names it
    client_key_path: str        # authorised private key (OpenSSH format)
    known_hosts_path: str       # has the server's real host key
    other_key_path: str         # a valid key pair the server does not know
    wrong_known_hosts_path: str  # same host, a different host key
    host_key_fingerprint: str
    connections: int = 0
    opened: list = field(default_factory=list)     # (path, pflags) of every open
    write_ops: list = field(default_factory=list)  # anything that would change the server
    refused: set = field(default_factory=set)      # file names whose open answers "permission denied"
    slow_reads: dict = field(default_factory=dict)  # file name -> seconds its first read waits (a slow link)
    drop_after: int | None = None                  # see drop_next_transfer_after()
    drops_left: int = 1
    _live: list = field(default_factory=list)

    def drop_next_transfer_after(self, nbytes: int, times: int = 1) -> None:
        """The next read at or past offset `nbytes` aborts the whole connection (`times`
        times, once per connection): reads below it are served, capped at `nbytes`."""
        self.drop_after = nbytes
        self.drops_left = times

    def snapshot(self) -> dict:
        """Every path under the root with its size, mtime, mode and content."""
        out = {}
        for p in sorted(self.root.rglob("*")):
            st = p.lstat()
            out[str(p.relative_to(self.root))] = (
                st.st_size, st.st_mtime_ns, st.st_mode, p.read_bytes() if p.is_file() else None)
        return out


def _sftp_server_class():
    import asyncssh

    write_flags = asyncssh.FXF_WRITE | asyncssh.FXF_APPEND | asyncssh.FXF_CREAT | asyncssh.FXF_TRUNC

    class RecordingSFTPServer(asyncssh.SFTPServer):
        def __init__(self, chan, state: SFTPServerState, chroot: str):
            super().__init__(chan, chroot=chroot.encode())
            self._state = state
            self._names = {}

        def _write(self, op, *paths):
            self._state.write_ops.append((op,) + tuple(p.decode(errors="replace") for p in paths))

        def open(self, path, pflags, attrs):
            self._state.opened.append((path.decode(errors="replace"), pflags))
            if pflags & write_flags:
                self._write("open-for-write", path)
            name = os.path.basename(path.decode(errors="replace"))
            if name in self._state.refused:
                raise asyncssh.SFTPPermissionDenied("permission denied")
            file_obj = super().open(path, pflags, attrs)
            self._names[id(file_obj)] = name
            return file_obj

        def read(self, file_obj, offset, size):
            delay = self._state.slow_reads.get(self._names.get(id(file_obj))) if offset == 0 else None
            if delay:
                async def slow():       # the server's loop keeps serving other requests meanwhile
                    await asyncio.sleep(delay)
                    return self._read(file_obj, offset, size)
                return slow()
            return self._read(file_obj, offset, size)

        def _read(self, file_obj, offset, size):
            limit = self._state.drop_after
            if limit is not None:
                if offset >= limit:
                    self._state.drops_left -= 1
                    if self._state.drops_left <= 0:
                        self._state.drop_after = None
                    self.connection.abort()
                    raise asyncssh.SFTPFailure("connection dropped by the test server")
                size = min(size, limit - offset)
            return super().read(file_obj, offset, size)

        def write(self, file_obj, offset, data):
            self._state.write_ops.append(("write", offset, len(data)))
            return super().write(file_obj, offset, data)

        def remove(self, path):
            self._write("remove", path)
            return super().remove(path)

        def rename(self, oldpath, newpath):
            self._write("rename", oldpath, newpath)
            return super().rename(oldpath, newpath)

        def posix_rename(self, oldpath, newpath):
            self._write("posix_rename", oldpath, newpath)
            return super().posix_rename(oldpath, newpath)

        def mkdir(self, path, attrs):
            self._write("mkdir", path)
            return super().mkdir(path, attrs)

        def rmdir(self, path):
            self._write("rmdir", path)
            return super().rmdir(path)

        def setstat(self, path, attrs):
            self._write("setstat", path)
            return super().setstat(path, attrs)

        def lsetstat(self, path, attrs):
            self._write("lsetstat", path)
            return super().lsetstat(path, attrs)

        def fsetstat(self, file_obj, attrs):
            self._state.write_ops.append(("fsetstat",))
            return super().fsetstat(file_obj, attrs)

        def symlink(self, oldpath, newpath):
            self._write("symlink", oldpath, newpath)
            return super().symlink(oldpath, newpath)

        def link(self, oldpath, newpath):
            self._write("link", oldpath, newpath)
            return super().link(oldpath, newpath)

    class CountingSSHServer(asyncssh.SSHServer):
        def __init__(self, state: SFTPServerState):
            self._state = state

        def connection_made(self, conn):
            self._state.connections += 1
            self._state._live.append(conn)

    return RecordingSFTPServer, CountingSSHServer


async def sftp_listen(state: SFTPServerState, chroot: str, host_key, client_key):
    """Start the recording SFTP server on 127.0.0.1 (a free port): key-only login for
    `client_key`, serving `chroot`. Used by the fixture below and by bench/bench.py."""
    import asyncssh

    sftp_cls, ssh_cls = _sftp_server_class()
    return await asyncssh.listen(
        "127.0.0.1", 0,
        server_factory=lambda: ssh_cls(state),
        server_host_keys=[host_key],
        authorized_client_keys=asyncssh.import_authorized_keys(client_key.export_public_key().decode()),
        sftp_factory=lambda chan: sftp_cls(chan, state, chroot), allow_scp=False,
        password_auth=False, kbdint_auth=False, agent_forwarding=False, x11_forwarding=False,
    )


def _known_hosts_line(host: str, port: int, key) -> str:
    name = host if port == 22 else "[%s]:%d" % (host, port)
    return "%s %s\n" % (name, " ".join(key.export_public_key().decode().split()[:2]))


@pytest.fixture
def sftp_server(tmp_path):
    """An SFTP server on 127.0.0.1 serving `<tmp>/chroot/srv/legacy` as `/srv/legacy`."""
    import asyncssh

    keys = tmp_path / "keys"
    keys.mkdir()
    host_key = asyncssh.generate_private_key("ssh-ed25519")
    other_host_key = asyncssh.generate_private_key("ssh-ed25519")
    client_key = asyncssh.generate_private_key("ssh-ed25519", comment="et-pipeline-test")
    other_key = asyncssh.generate_private_key("ssh-ed25519", comment="unrelated")
    for name, key in (("client", client_key), ("other", other_key)):
        key.write_private_key(str(keys / name))
        os.chmod(keys / name, 0o600)
        key.write_public_key(str(keys / (name + ".pub")))
    chroot = tmp_path / "chroot"
    root = chroot / "srv" / "legacy"
    root.mkdir(parents=True)

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="sftp-server", daemon=True)
    thread.start()
    state = SFTPServerState(
        host="127.0.0.1", port=0, user="etserver", root=root, remote_root="/srv/legacy",
        client_key_path=str(keys / "client"), known_hosts_path=str(keys / "known_hosts"),
        other_key_path=str(keys / "other"), wrong_known_hosts_path=str(keys / "wrong_known_hosts"),
        host_key_fingerprint=host_key.get_fingerprint(),
    )
    acceptor = asyncio.run_coroutine_threadsafe(sftp_listen(state, str(chroot), host_key, client_key), loop).result(10)
    state.port = acceptor.get_port()
    (keys / "known_hosts").write_text(_known_hosts_line(state.host, state.port, host_key))
    (keys / "wrong_known_hosts").write_text(_known_hosts_line(state.host, state.port, other_host_key))
    try:
        yield state
    finally:
        async def _stop():
            acceptor.close()
            for conn in state._live:
                conn.abort()
            await acceptor.wait_closed()
            pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in pending:
                t.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(_stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


# --------------------------------------------------------------------------- Redis + celery


def _wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 20) -> None:
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise RuntimeError("redis-server exited with %s" % proc.returncode)
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("redis-server did not listen on %d" % port)


@pytest.fixture
def redis_url(tmp_path):
    """Debian's redis-server on a free loopback port, nothing persisted."""
    exe = shutil.which("redis-server")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing: `make system-deps` installs it")
        pytest.skip("redis-server is not installed (make system-deps)")
    port = _free_port()
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        _wait_for_port(port, proc)
        yield "redis://127.0.0.1:%d/0" % port
    finally:
        stop_process_group(proc, grace=15)


@contextlib.contextmanager
def celery_worker(folder: Path, broker: str, env: dict):
    """One local celery worker with the app dagster-celery ships (`dagster_celery.app`),
    configured the way `dagster-celery worker start -y` does (a dagster_celery_config
    module), in its own session; `env` is the worker's environment (DAGSTER_HOME, ET_*).
    Yields the path of its log."""
    conf = folder / "celery_config"
    conf.mkdir(exist_ok=True)
    (conf / "dagster_celery_config.py").write_text("broker_url = %r\nresult_backend = %r\n" % (broker, broker))
    env = dict(env, PYTHONPATH=os.pathsep.join([str(conf), os.environ.get("PYTHONPATH", "")]))
    celery = str(Path(sys.executable).with_name("celery"))
    log_path = folder / "worker.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen([celery, "-A", "dagster_celery.app", "worker", "-Q", "dagster", "--concurrency", "1",
                             "--prefetch-multiplier", "1", "--loglevel", "WARNING", "-n", "et-test@%h"],
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield log_path
    finally:
        stop_process_group(proc, grace=15)
        log.close()
