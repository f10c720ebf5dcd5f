"""Every store fault ends in one line on stderr and exit 1, in seconds, with nothing changed.

The real `paperround` console script runs as a subprocess against each fault: a read-only
home, a home that is a file, a lock held past the busy timeout, malformed and unreachable
database URLs, a directory that does not exist, and corrupt stores. A read-only home is made
with a read-only bind mount in a private mount namespace (`unshare -m`: chmod does not stop
root), or with chmod 0555 when the tests do not run as root.
"""

from __future__ import annotations

import hashlib
import os
import random
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from models.db import make_engine, upgrade

BIN = Path(sys.executable).with_name("paperround")
# A hang guard, not a threshold: before the fix a read-only home took ~100 s to fail.
HANG_GUARD = 60
# Mount the directory $0 read-only in this private mount namespace, then run the command.
RO_MOUNT = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'

# Hold the write lock on the store argv[1] until stdin closes.
HOLD_LOCK = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
"""


@dataclass
class Fault:
    """A broken store: the environment that shows it, a command prefix, the tree to watch."""

    env: dict[str, str]
    watch: Path
    prefix: tuple[str, ...] = ()


def _store(path: Path, revision: str = "head") -> Path:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine, revision)
    engine.dispose()
    return path


def _snapshot(root: Path) -> dict[str, str]:
    """Every path under root with its content hash (or "dir"): what "unchanged" means."""
    if root.is_file():
        return {root.name: hashlib.sha256(root.read_bytes()).hexdigest()}
    out = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        out[rel] = "dir" if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _run(fault: Fault, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAPERROUND_", "PREFECT_"))}
    env.update(fault.env)
    return subprocess.run(
        [*fault.prefix, str(BIN), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )


def _read_only(home: Path, request) -> tuple[str, ...]:
    """A command prefix under which home is read-only, even for root (or a skip)."""
    if os.geteuid() != 0:
        home.chmod(0o555)
        request.addfinalizer(lambda: home.chmod(0o755))
        return ()
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", RO_MOUNT, str(home), "sh", "-c", '! touch "$0/probe"', home],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0 or (home / "probe").exists():
        pytest.skip(f"cannot make a read-only bind mount as root here: {probe.stderr.strip()}")
    return ("unshare", "-m", "sh", "-c", RO_MOUNT, str(home))


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port on 127.0.0.1 that refuses connections: bound, never listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def _home_store(tmp: Path, request) -> Fault:
    home = tmp / "home"
    home.mkdir()
    _store(home / "paperround.db")
    return Fault({"PAPERROUND_HOME": str(home)}, home)


def readonly_home(tmp: Path, request) -> Fault:
    fault = _home_store(tmp, request)
    (fault.watch / "prefect").mkdir()  # as after a first run: Prefect's home exists
    fault.prefix = _read_only(fault.watch, request)
    return fault


def home_is_a_file(tmp: Path, request) -> Fault:
    home = tmp / "home"
    home.write_text("not a directory\n")
    return Fault({"PAPERROUND_HOME": str(home)}, tmp)


def locked(tmp: Path, request, revision: str = "head") -> Fault:
    home = tmp / "home"
    home.mkdir()
    # Another process: closing any descriptor of the file (as _snapshot does) drops every
    # POSIX lock this process holds on it, so the holder cannot live in the test process.
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(_store(home / "paperround.db", revision))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    request.addfinalizer(lambda: (holder.communicate(""), holder.wait()))
    assert holder.stdout.readline() == "locked\n"
    return Fault({"PAPERROUND_HOME": str(home), "PAPERROUND_BUSY_TIMEOUT": "0.2"}, home)


def locked_store_behind_head(tmp: Path, request) -> Fault:
    return locked(tmp, request, revision="0002")  # opening it must migrate, so write


def _url(url: str) -> Callable[[Path, object], Fault]:
    def fault(tmp: Path, request) -> Fault:
        home = tmp / "home"
        home.mkdir()
        full = url.format(
            tmp=tmp, port=request.getfixturevalue("closed_port") if "{port" in url else 0
        )
        env = {"PAPERROUND_HOME": str(home), "PAPERROUND_DATABASE_URL": full}
        return Fault({**env, "PAPERROUND_CONNECT_TIMEOUT": "2"}, tmp)

    fault.__name__ = url
    return fault


def corrupt(tmp: Path, request) -> Fault:
    home = tmp / "home"
    home.mkdir()
    (home / "paperround.db").write_bytes(random.Random(7).randbytes(100_000))
    return Fault({"PAPERROUND_HOME": str(home)}, home)


def corrupt_pages(tmp: Path, request) -> Fault:
    """A real store whose header and first page are intact and every later page is garbage."""
    fault = _home_store(tmp, request)
    db = fault.watch / "paperround.db"
    data = db.read_bytes()
    page = 16384
    db.write_bytes(data[: 2 * page] + random.Random(7).randbytes(len(data) - 2 * page))
    return fault


LIST = ("source", "list")
ADD = ("profile", "add", "p", "-k", "foo")
UPGRADE = ("db", "upgrade")
CASES = [
    (readonly_home, LIST),
    (readonly_home, ADD),
    (readonly_home, UPGRADE),
    (readonly_home, ("ingest",)),
    (home_is_a_file, LIST),
    (home_is_a_file, ("ingest",)),
    (locked, ADD),
    (locked_store_behind_head, LIST),
    (_url("not a url"), LIST),
    (_url("postgresql+psycopg://u@127.0.0.1:notaport/db"), LIST),
    (_url("nosuchdriver://u@127.0.0.1/db"), LIST),
    (_url("postgresql+psycopg://u@127.0.0.1:{port}/db"), LIST),
    (_url("postgresql+psycopg://u@127.0.0.1:{port}/db"), UPGRADE),
    (_url("sqlite:///{tmp}/nonexistent-dir/x.db"), LIST),
    (_url("sqlite:///{tmp}/nonexistent-dir/x.db"), UPGRADE),
    (corrupt, LIST),
    (corrupt, ADD),
    (corrupt, UPGRADE),
    (corrupt, ("ingest",)),
    (corrupt_pages, ("profile", "list")),
    (corrupt_pages, UPGRADE),
]


@pytest.mark.parametrize(
    ("make", "args"), CASES, ids=[f"{m.__name__}:{' '.join(a)}" for m, a in CASES]
)
def test_a_store_fault_is_one_line_exit_1_and_changes_nothing(make, args, tmp_path, request):
    fault = make(tmp_path, request)
    before = _snapshot(fault.watch)
    done = _run(fault, *args)
    after = _snapshot(fault.watch)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert "Traceback" not in done.stdout + done.stderr, done.stderr[-3000:]
    assert done.returncode == 1, done.stderr[-3000:]
    assert len(lines) == 1, done.stderr[-3000:]
    assert lines[0].startswith("error: "), lines[0]
    assert after == before


@pytest.mark.parametrize("how", ["--debug", "PAPERROUND_DEBUG=1"])
def test_debug_shows_the_traceback(how, tmp_path, request):
    fault = corrupt(tmp_path, request)
    if how == "--debug":
        done = _run(fault, "--debug", *LIST)
    else:
        fault.env["PAPERROUND_DEBUG"] = "1"
        done = _run(fault, *LIST)
    assert done.returncode == 1
    assert "Traceback" in done.stderr
    assert "sqlite3.DatabaseError" in done.stderr  # the driver's own error is in the chain
    assert done.stderr.strip().splitlines()[-1].startswith("error: ")


def test_a_sqlite_url_in_the_default_home_still_creates_it(tmp_path):
    home = tmp_path / "a" / "b"
    done = _run(Fault({"PAPERROUND_HOME": str(home)}, tmp_path), *LIST)
    assert done.returncode == 0, done.stderr
    assert (home / "paperround.db").is_file()


def test_a_store_outside_the_home_is_used_when_its_directory_exists(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    url = f"sqlite:///{tmp_path / 'elsewhere' / 'x.db'}"
    env = {"PAPERROUND_HOME": str(tmp_path / "home"), "PAPERROUND_DATABASE_URL": url}
    done = _run(Fault(env, tmp_path), *LIST)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "elsewhere" / "x.db").is_file()


def test_an_unexpected_error_is_one_line_that_points_at_debug(monkeypatch, capsys):
    import models.db
    from tests.cli import run_cli

    def broken(url=None):
        raise RuntimeError("boom [/b]\nsecond line")

    monkeypatch.setattr(models.db, "get_engine", broken)
    result = run_cli(capsys, *LIST)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "error: RuntimeError: boom [/b]. Rerun with --debug for the traceback."
    ]
