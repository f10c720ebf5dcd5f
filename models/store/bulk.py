"""The two bulk writes of an ingest, as fast as each engine allows.

SQLite: the DB-API's executemany with values converted here exactly as SQLAlchemy's types
would (JSON text with json.dumps defaults, UTC datetimes as naive "YYYY-MM-DD HH:MM:SS.ffffff");
SQLAlchemy's per-value bind processing was most of the store's time. The caller holds the
write lock (BEGIN IMMEDIATE), so every key that was absent is inserted by us.
PostgreSQL: Core INSERT ... ON CONFLICT DO NOTHING RETURNING (psycopg reports rowcount -1),
so keys another ingest inserted meanwhile are told apart.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from json.encoder import encode_basestring_ascii as _quote
from operator import itemgetter

from sqlalchemy import JSON, Connection, select
from sqlalchemy.dialects import postgresql

from models.tables import Paper, PaperOccurrence, UTCDateTime

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
    """json.dumps(value), byte for byte; lists of strings (authors) take a C shortcut."""
    if not value:
        return "[]" if isinstance(value, list) else "{}"
    if isinstance(value, list) and all(type(v) is str for v in value):
        return "[" + ", ".join(map(_quote, value)) + "]"
    return _dumps(value)


def _converters(table, cols: list[str]) -> list:
    out = []
    for name in cols:
        kind = table.c[name].type
        out.append(
            _json
            if isinstance(kind, JSON)
            else _sqlite_dt
            if isinstance(kind, UTCDateTime)
            else None
        )
    return out


def _sqlite_rows(table, cols: list[str], rows: list[dict]) -> list[tuple]:
    get = itemgetter(*cols)
    conv = [(i, f) for i, f in enumerate(_converters(table, cols)) if f is not None]
    out = []
    for row in rows:
        values = list(get(row))
        for i, f in conv:
            values[i] = f(values[i])
        out.append(tuple(values))
    return out


def insert_papers(conn: Connection, rows: list[dict]) -> dict[str, int]:
    """Insert rows (skipping keys that exist); returns key -> id of the rows inserted here."""
    if conn.dialect.name != "sqlite":
        stmt = postgresql.insert(P).on_conflict_do_nothing(index_elements=["key"])
        return {k: i for i, k in conn.execute(stmt.returning(P.c.id, P.c.key), rows).all()}
    cols = [c.name for c in P.c if c.name != "id"]
    top = "SELECT coalesce(max(id), 0) FROM papers"
    before = conn.exec_driver_sql(top).scalar()
    inserted = conn.exec_driver_sql(
        f"INSERT INTO papers ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
        "ON CONFLICT (key) DO NOTHING",
        _sqlite_rows(P, cols, rows),
    ).rowcount
    # Every row went in, under our write lock: SQLite gave them rowids max + 1, max + 2...
    # in order (papers.id is a rowid without AUTOINCREMENT), so no read-back is needed.
    if inserted == len(rows) and conn.exec_driver_sql(top).scalar() == before + len(rows):
        return {r["key"]: before + n for n, r in enumerate(rows, 1)}
    keys = [r["key"] for r in rows]
    out: dict[str, int] = {}
    for start in range(0, len(keys), 5000):
        query = select(P.c.key, P.c.id).where(P.c.key.in_(keys[start : start + 5000]))
        out.update(conn.execute(query).all())
    return out


def upsert_occurrences(conn: Connection, rows: list[dict]) -> None:
    """One row per (paper, source); a repeat updates the id, announce type and last seen."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        stmt = postgresql.insert(O)
        stmt = stmt.on_conflict_do_update(
            index_elements=["paper_id", "source"],
            set_={c: stmt.excluded[c] for c in _OCC_UPDATE},
        )
        conn.execute(stmt, rows)
        return
    cols = list(rows[0])
    conn.exec_driver_sql(
        f"INSERT INTO paper_occurrences ({', '.join(cols)}) VALUES "
        f"({', '.join('?' * len(cols))}) ON CONFLICT (paper_id, source) DO UPDATE SET "
        + ", ".join(f"{c} = excluded.{c}" for c in _OCC_UPDATE),
        _sqlite_rows(O, cols, rows),
    )
