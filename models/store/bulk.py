"""The two bulk writes of an ingest, as fast as each engine allows.

SQLite: the DB-API's executemany with values converted here exactly as SQLAlchemy's types
would (JSON text with json.dumps defaults, UTC datetimes as naive "YYYY-MM-DD HH:MM:SS.ffffff");
SQLAlchemy's per-value bind processing was most of the store's time. The caller holds the
write lock (BEGIN IMMEDIATE), so every key that was absent is inserted by us.
PostgreSQL: psycopg's executemany of one prepared INSERT ... ON CONFLICT DO NOTHING RETURNING
(psycopg reports rowcount -1, so the returned keys tell apart those another ingest inserted
meanwhile), sent in pipeline mode. SQLAlchemy's insertmanyvalues instead builds one
statement with 22,000 placeholders per 1,000 rows, which psycopg re-parses uncached: a
6,000-paper upsert took 2.3-2.7 s that way, 1.1 s this way. Values are converted as for
SQLite, except that datetimes stay tz-aware (timestamptz); JSON goes as text, which
PostgreSQL casts to the json column.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from json.encoder import encode_basestring_ascii as _quote
from operator import itemgetter
from typing import TYPE_CHECKING, cast

from sqlalchemy import JSON, Connection, select

from models.tables import Paper, PaperOccurrence
from models.utctime import UTCDateTime

if TYPE_CHECKING:
    import psycopg

P = Paper.__table__
O = PaperOccurrence.__table__  # noqa: E741
_OCC_UPDATE = ("external_id", "announce_type", "last_seen_at")


def _sqlite_dt(value: datetime | None, _cache: dict = {}) -> str | None:  # noqa: B006
    # A batch shares a few datetimes (now, the feed's day): format each once.
    if value is None:
        return None
    out = _cache.get(value)
    if out is None:
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass a tz-aware value")
        if len(_cache) > 4096:
            _cache.clear()
        out = _cache[value] = value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return out


_dumps = json.JSONEncoder().encode  # json.dumps' defaults, without its per-call checks


def _json(value) -> str:
    """json.dumps(value), byte for byte. Lists of strings (authors, categories) and
    string-to-string dicts (version dates) take a shortcut through the C string quoter,
    which raises TypeError on anything else."""
    if not value:
        return "[]" if isinstance(value, list) else "{}"
    try:
        if isinstance(value, list):
            return "[" + ", ".join(map(_quote, value)) + "]"
        if isinstance(value, dict):
            return "{" + ", ".join([f"{_quote(k)}: {_quote(v)}" for k, v in value.items()]) + "}"
    except TypeError:
        pass
    return _dumps(value)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: pass a tz-aware value")
    return value


def _converters(table, cols: list[str], dialect: str) -> list:
    dt = _sqlite_dt if dialect == "sqlite" else _aware
    out = []
    for name in cols:
        kind = table.c[name].type
        json_or_dt = _json if isinstance(kind, JSON) else dt
        out.append(json_or_dt if isinstance(kind, JSON | UTCDateTime) else None)
    return out


def _db_rows(table, cols: list[str], rows: list[dict], dialect: str) -> list[tuple]:
    """Rows as DB-API parameter tuples, values converted as SQLAlchemy's types would."""
    get = itemgetter(*cols)
    conv = [(i, f) for i, f in enumerate(_converters(table, cols, dialect)) if f is not None]
    out = []
    for row in rows:
        values = list(get(row))
        for i, f in conv:
            values[i] = f(values[i])
        out.append(tuple(values))
    return out


def insert_papers(conn: Connection, rows: list[dict]) -> dict[str, int]:
    """Insert rows (skipping keys that exist); returns key -> id of the rows inserted here."""
    cols = [c.name for c in P.c if c.name != "id"]
    if conn.dialect.name != "sqlite":
        # psycopg's cursor (SQLAlchemy types it as any DB-API cursor): executemany(returning=)
        cursor = cast("psycopg.Cursor[tuple[int, str]]", conn.connection.cursor())
        try:
            cursor.executemany(
                f"INSERT INTO papers ({', '.join(cols)}) VALUES "
                f"({', '.join(['%s'] * len(cols))}) ON CONFLICT (key) DO NOTHING "
                "RETURNING id, key",
                _db_rows(P, cols, rows, "postgresql"),
                returning=True,
            )
            out: dict[str, int] = {}
            while True:
                for ident, key in cursor.fetchall():
                    out[key] = ident
                if not cursor.nextset():
                    return out
        finally:
            cursor.close()
    top = "SELECT coalesce(max(id), 0) FROM papers"
    before: int = conn.exec_driver_sql(top).scalar_one()
    inserted = conn.exec_driver_sql(
        f"INSERT INTO papers ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
        "ON CONFLICT (key) DO NOTHING",
        _db_rows(P, cols, rows, "sqlite"),
    ).rowcount
    # Every row went in, under our write lock: SQLite gave them rowids max + 1, max + 2...
    # in order (papers.id is a rowid without AUTOINCREMENT), so no read-back is needed.
    if inserted == len(rows) and conn.exec_driver_sql(top).scalar() == before + len(rows):
        return {r["key"]: before + n for n, r in enumerate(rows, 1)}
    keys = [r["key"] for r in rows]
    out = {}
    for start in range(0, len(keys), 5000):
        query = select(P.c.key, P.c.id).where(P.c.key.in_(keys[start : start + 5000]))
        out.update(conn.execute(query).tuples().all())
    return out


def upsert_occurrences(conn: Connection, rows: list[dict]) -> None:
    """One row per (paper, source); a repeat updates the id, announce type and last seen."""
    if not rows:
        return
    dialect = conn.dialect.name
    mark = "?" if dialect == "sqlite" else "%s"
    cols = list(rows[0])
    conn.exec_driver_sql(
        f"INSERT INTO paper_occurrences ({', '.join(cols)}) VALUES "
        f"({', '.join([mark] * len(cols))}) ON CONFLICT (paper_id, source) DO UPDATE SET "
        + ", ".join(f"{c} = excluded.{c}" for c in _OCC_UPDATE),
        _db_rows(O, cols, rows, dialect),
    )
