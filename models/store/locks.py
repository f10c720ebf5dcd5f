"""One sender per (profile, channel), across processes and machines.

Every path that delivers (the dispatcher, `digest`, `digest send`, the digest-now deployment)
holds this lock from reading the channel's window to recording the delivery's result, so two
runs can neither read the same window nor both send it. The lock belongs to the operating
system or the database session, never to a row: a process killed with -9 releases it at once,
and nothing has to expire.

- PostgreSQL: a session advisory lock on its own connection (pg_try_advisory_lock).
- SQLite (one machine by nature): flock on a file beside the database.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

POLL = 0.05  # seconds between tries while another run holds the lock
_memory_locks: dict[tuple[str, int, str], threading.Lock] = {}
_memory_guard = threading.Lock()


class LockTimeout(RuntimeError):
    """Another run kept the channel's lock longer than we were willing to wait."""


@contextmanager
def channel_lock(
    profile_id: int, channel_key: str, *, engine: Engine, timeout: float
) -> Iterator[None]:
    """Hold the (profile, channel) lock; wait up to `timeout` seconds, then LockTimeout."""
    if engine.dialect.name == "postgresql":
        with _pg_lock(engine, profile_id, channel_key, timeout):
            yield
        return
    database = engine.url.database
    if not database or database == ":memory:":
        with _thread_lock((str(engine.url), profile_id, channel_key), timeout):
            yield
        return
    with _file_lock(Path(database), profile_id, channel_key, timeout):
        yield


def _deadline_passed(deadline: float, profile_id: int, channel_key: str, timeout: float) -> None:
    if time.monotonic() >= deadline:
        raise LockTimeout(
            f"another run has been sending profile {profile_id}'s channel {channel_key} "
            f"for over {timeout:.0f} s"
        )


@contextmanager
def _pg_lock(engine: Engine, profile_id: int, channel_key: str, timeout: float) -> Iterator[None]:
    # Two int4 keys: the profile, and the channel key's CRC folded into int4's range.
    key = zlib.crc32(channel_key.encode()) - 2**31
    deadline = time.monotonic() + timeout
    conn = engine.connect()
    try:
        while not conn.execute(
            text("SELECT pg_try_advisory_lock(:p, :c)"), {"p": profile_id, "c": key}
        ).scalar():
            conn.rollback()
            _deadline_passed(deadline, profile_id, channel_key, timeout)
            time.sleep(POLL)
        conn.commit()  # the lock is the session's: no transaction stays open while we work
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:p, :c)"), {"p": profile_id, "c": key})
            conn.commit()
    finally:
        conn.close()


@contextmanager
def _file_lock(database: Path, profile_id: int, channel_key: str, timeout: float) -> Iterator[None]:
    folder = database.with_name(database.name + ".locks")
    folder.mkdir(exist_ok=True)
    digest = hashlib.sha1(channel_key.encode()).hexdigest()[:12]
    fd = os.open(folder / f"channel-{profile_id}-{digest}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                _deadline_passed(deadline, profile_id, channel_key, timeout)
                time.sleep(POLL)
        yield  # closing the descriptor below (or the process dying) releases the lock
    finally:
        os.close(fd)


@contextmanager
def _thread_lock(key: tuple[str, int, str], timeout: float) -> Iterator[None]:
    with _memory_guard:
        lock = _memory_locks.setdefault(key, threading.Lock())
    if not lock.acquire(timeout=timeout):
        raise LockTimeout(f"another run has been sending {key[1:]} for over {timeout:.0f} s")
    try:
        yield
    finally:
        lock.release()
