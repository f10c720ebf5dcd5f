"""Driver errors, classified by code, as the typed store errors the CLI prints in one line.

SQLite errors carry `sqlite_errorcode` (the extended code; its low byte is the primary
code) and psycopg errors `sqlstate` (None when no server answered, as when it is down).
Messages are never parsed: they change with versions and locales. The store's URL only
names the store in the message (never its password).
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from models.errors import (
    StoreBusyError,
    StoreCorruptError,
    StoreError,
    StoreUnavailableError,
)

_SQLITE_BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
_SQLITE_CORRUPT = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
_SQLITE_CANNOT_OPEN = {sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM}
# Run the transaction again: serialization failure, deadlock, and a unique key that a
# concurrent transaction inserted first (the batch upsert then merges it as an existing row).
_PG_RETRYABLE = {"40001", "40P01", "23505"}
# Lock waits that gave up: the above, lock_not_available, statement timeout.
_PG_BUSY = {"40001", "40P01", "55P03", "57014"}
_HINT_URL = "PAPERROUND_DATABASE_URL"
_HINT_HOME = "set PAPERROUND_HOME (or PAPERROUND_DATABASE_URL) to a writable place"


def _driver_error(exc: BaseException) -> BaseException:
    return exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc


def _psycopg_error(exc: BaseException) -> bool:
    psycopg = sys.modules.get("psycopg")  # loaded only when a PostgreSQL URL was used
    return psycopg is not None and isinstance(exc, psycopg.Error)


def retryable(exc: BaseException) -> bool:
    """A lock wait or a concurrent writer's conflict: running the transaction again may work."""
    orig = _driver_error(exc)
    if isinstance(orig, sqlite3.Error):
        return (getattr(orig, "sqlite_errorcode", None) or 0) & 0xFF in _SQLITE_BUSY
    return _psycopg_error(orig) and getattr(orig, "sqlstate", None) in _PG_RETRYABLE


def store_error(exc: BaseException, url: str | URL | None) -> StoreError | None:
    """The typed error for a database driver error (wrapped or not), or None for any other."""
    orig = _driver_error(exc)
    parsed = _parse(url)
    if isinstance(orig, sqlite3.Error):
        path = parsed.database if parsed is not None and parsed.database else None
        return _sqlite(orig, path)
    if _psycopg_error(orig):
        where = parsed.render_as_string(hide_password=True) if parsed is not None else "?"
        return _postgres(orig, where)
    return None


@contextmanager
def store_errors(url: str | URL | None) -> Iterator[None]:
    """Raise driver errors met inside the block as StoreError (the driver's is its cause)."""
    try:
        yield
    except Exception as exc:
        err = store_error(exc, url)
        if err is None:
            raise
        raise err from exc


def _parse(url: str | URL | None) -> URL | None:
    try:
        return make_url(url) if url is not None else None
    except Exception:  # the URL was already used; a bad one only loses its name here
        return None


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0].rstrip(".") if lines else type(exc).__name__


def _sqlite(exc: sqlite3.Error, path: str | None) -> StoreError:
    code = getattr(exc, "sqlite_errorcode", None) or 0
    name = getattr(exc, "sqlite_errorname", None) or type(exc).__name__
    store = f"the store {path}" if path else "the store"
    primary = code & 0xFF
    if primary in _SQLITE_BUSY:
        return StoreBusyError(
            f"{store} is locked by another process (a running ingest or digest?) past the busy "
            "timeout: retry when it is done, or raise PAPERROUND_BUSY_TIMEOUT (seconds)"
        )
    if primary in _SQLITE_CORRUPT:
        return StoreCorruptError(
            f"{store} is corrupt or not a SQLite database ({name}): restore it from a backup, "
            "or move it aside to start an empty store"
        )
    if primary in _SQLITE_CANNOT_OPEN:
        folder = Path(path).parent if path else None
        if primary == sqlite3.SQLITE_READONLY or (folder and not os.access(folder, os.W_OK)):
            where = f" (its directory {folder} cannot be written)" if folder else ""
            return StoreUnavailableError(
                f"{store} is read-only{where}: make it writable, or {_HINT_HOME}"
            )
        return StoreUnavailableError(
            f"cannot open {store} ({name}): check that it is a file you can read and write"
        )
    if primary == sqlite3.SQLITE_FULL:
        return StoreUnavailableError(f"the disk holding {store} is full: free some space and retry")
    if primary == sqlite3.SQLITE_IOERR:
        return StoreUnavailableError(
            f"{store} could not be read or written ({name}): check the disk"
        )
    return StoreError(
        f"{store} failed: {_first_line(exc)} ({name}); rerun with --debug for details"
    )


def _postgres(exc: BaseException, where: str) -> StoreError:
    state = getattr(exc, "sqlstate", None) or ""
    detail = _first_line(exc)
    if state in _PG_BUSY:
        return StoreBusyError(
            f"PostgreSQL at {where} gave up waiting for a lock ({state}): retry in a moment"
        )
    if state.startswith("28"):
        return StoreUnavailableError(
            f"PostgreSQL at {where} refused the login ({state}): check the user and password "
            f"in {_HINT_URL}"
        )
    if state == "3D000":
        return StoreUnavailableError(
            f"the database in {where} does not exist: create it (createdb), or fix {_HINT_URL}"
        )
    if state in ("XX001", "XX002"):
        return StoreCorruptError(f"PostgreSQL at {where} reports damaged data ({state}): {detail}")
    if state == "25006":
        return StoreUnavailableError(
            f"PostgreSQL at {where} is read-only: point {_HINT_URL} at the primary"
        )
    no_answer = not state and isinstance(exc, sys.modules["psycopg"].OperationalError)
    if no_answer or state.startswith(("08", "53", "57P")):  # connection, resources, shutdown
        return StoreUnavailableError(
            f"cannot reach PostgreSQL at {where}: {detail}; check that the server is running "
            f"and {_HINT_URL}"
        )
    return StoreError(f"PostgreSQL at {where} failed: {detail} ({state})")
