"""Driver errors are classified by their code, never by their message text."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from models.db import make_engine
from models.db_errors import retryable, store_error
from models.errors import StoreBusyError, StoreCorruptError, StoreUnavailableError
from models.store.papers import _retryable


def _busy_error(path) -> sqlite3.Error:
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        sqlite3.connect(path, timeout=0).execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        return exc
    finally:
        holder.close()
    raise AssertionError("the second writer got the lock")


def test_a_real_sqlite_lock_conflict_is_retryable_and_busy(tmp_path):
    exc = _busy_error(tmp_path / "x.db")
    assert exc.sqlite_errorcode == sqlite3.SQLITE_BUSY
    assert retryable(exc)
    assert _retryable(DBAPIError("BEGIN", {}, exc))
    assert isinstance(store_error(exc, f"sqlite:///{tmp_path / 'x.db'}"), StoreBusyError)


def test_the_message_text_alone_classifies_nothing():
    # The words of a lock error without its code: another locale, another version.
    exc = sqlite3.OperationalError("database is locked")
    assert not retryable(exc)
    assert not _retryable(DBAPIError("BEGIN", {}, exc))
    assert type(store_error(exc, None)).__name__ == "StoreError"  # the generic kind only


def test_a_file_that_is_not_a_database_is_corrupt(tmp_path):
    path = tmp_path / "x.db"
    path.write_bytes(b"\x01" * 4096)
    with pytest.raises(sqlite3.Error) as caught:
        sqlite3.connect(path).execute("SELECT * FROM sqlite_master").fetchall()
    err = store_error(caught.value, f"sqlite:///{path}")
    assert isinstance(err, StoreCorruptError) and str(path) in str(err)
    assert not retryable(caught.value)


def test_postgresql_errors_are_classified_by_sqlstate(pg_url):
    import psycopg.errors

    for state, retry in (("40001", True), ("40P01", True), ("23505", True), ("42P01", False)):
        assert retryable(psycopg.errors.lookup(state)("any words")) is retry
    engine = make_engine(pg_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (k int PRIMARY KEY)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
        with pytest.raises(DBAPIError) as caught, engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
        assert caught.value.orig.sqlstate == "23505" and _retryable(caught.value)
    finally:
        engine.dispose()


def test_postgresql_that_cannot_be_reached_or_has_no_such_database(pg_url):
    missing = pg_url.rsplit("/", 1)[0] + "/no_such_db"
    engine = make_engine(missing, connect_timeout=2)
    with pytest.raises(DBAPIError) as caught:
        engine.connect()
    err = store_error(caught.value, missing)
    assert isinstance(err, StoreUnavailableError) and "does not exist" in str(err)
    assert not retryable(caught.value)
