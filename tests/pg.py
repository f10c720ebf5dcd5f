"""A throwaway PostgreSQL cluster on 127.0.0.1, for tests (fixture) and bench/ingest.py.

Finds Debian's server binaries (/usr/lib/postgresql/*/bin), runs initdb and pg_ctl as the
`postgres` user when we are root (PostgreSQL refuses to run as root), with fsync off, on a
free port, in a temporary directory that is removed at the end. When nothing can start,
`Cluster.start` raises PgUnavailable with the precise reason and the fixture skips with it.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.servers import free_port


class PgUnavailable(RuntimeError):
    """PostgreSQL cannot be started here; str() says why."""


def find_bindir() -> Path:
    """The newest /usr/lib/postgresql/N/bin with initdb and pg_ctl (or $PG_BINDIR)."""
    env = os.environ.get("PG_BINDIR")
    dirs = [env] if env else glob.glob("/usr/lib/postgresql/*/bin")
    dirs = [d for d in dirs if Path(d, "initdb").exists() and Path(d, "pg_ctl").exists()]
    if not dirs:
        raise PgUnavailable(
            "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin "
            "(install them: bash scripts/install-test-deps.sh, or make test)"
        )
    return Path(sorted(dirs, key=lambda d: int(Path(d).parent.name or 0))[-1])


class Cluster:
    """One initdb'd data directory and its running server."""

    def __init__(self) -> None:
        self.bindir = find_bindir()
        self.tmp = Path(tempfile.mkdtemp(prefix="paperround-pg-"))
        self.data = self.tmp / "data"
        self.port = free_port()
        self.user: str | None = None
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise PgUnavailable("running as root and there is no `postgres` user") from None
            os.chown(self.tmp, pw.pw_uid, pw.pw_gid)
            self.user = "postgres"
        self.db_user = self.user or pwd.getpwuid(os.geteuid()).pw_name

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        cmd = [str(a) for a in args]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=self.tmp)

    def _check(self, what: str, proc: subprocess.CompletedProcess) -> None:
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            raise PgUnavailable(f"{what} failed (exit {proc.returncode}): {' | '.join(tail)}")

    def start(self) -> None:
        self._check(
            "initdb",
            self._run(
                self.bindir / "initdb",
                "-D",
                self.data,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "-U",
                self.db_user,
            ),
        )
        opts = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -c fsync=off "
            f"-c synchronous_commit=off -c full_page_writes=off -k {self.tmp} "
            "-c max_connections=100"
        )
        self._check(
            "pg_ctl start",
            self._run(
                self.bindir / "pg_ctl",
                "-D",
                self.data,
                "-o",
                opts,
                "-l",
                self.tmp / "log",
                "-w",
                "-t",
                "60",
                "start",
            ),
        )

    def create_database(self, name: str) -> str:
        """Create a database; returns its SQLAlchemy URL (psycopg 3)."""
        self._check(
            f"createdb {name}",
            self._run(
                self.bindir / "createdb",
                "-h",
                "127.0.0.1",
                "-p",
                self.port,
                "-U",
                self.db_user,
                name,
            ),
        )
        return f"postgresql+psycopg://{self.db_user}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self.data.exists():
            self._run(self.bindir / "pg_ctl", "-D", self.data, "-m", "immediate", "stop")
        shutil.rmtree(self.tmp, ignore_errors=True)


@contextmanager
def running_cluster() -> Iterator[Cluster]:
    """Start a cluster, yield it, always stop and remove it."""
    cluster = Cluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """The session's PostgreSQL cluster, or a skip that says exactly why there is none."""
    try:
        with running_cluster() as cluster:
            yield cluster
    except PgUnavailable as exc:
        print(f"\nPostgreSQL tests skipped: {exc}")
        pytest.skip(f"PostgreSQL unavailable: {exc}")


_counter = iter(range(1, 1_000_000))


@pytest.fixture
def pg_url(pg_cluster: Cluster) -> str:
    """A fresh, empty database in the session's cluster, one per test."""
    return pg_cluster.create_database(f"t{next(_counter)}")


@pytest.fixture(params=["sqlite", "postgresql"])
def any_engine(request, paperround_home, monkeypatch):
    """A migrated store on each engine; PostgreSQL is also what the CLI sees (env var set)."""
    from models.db import get_engine, reset_engines
    from models.settings import get_settings

    if request.param == "postgresql":
        monkeypatch.setenv("PAPERROUND_DATABASE_URL", request.getfixturevalue("pg_url"))
        get_settings.cache_clear()
        reset_engines()
    engine = get_engine()
    yield engine
    engine.dispose()
