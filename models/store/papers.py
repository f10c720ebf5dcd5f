"""Papers: batch upserts with dedup on the canonical key, and selection of unsent papers.

The merge rules live in models/store/paper_merge.py. Here is only the I/O: per chunk of
CHUNK groups, one SELECT of the rows they may match (by key, by DOI key, by DOI column),
one INSERT ... ON CONFLICT DO NOTHING RETURNING of the new ones, one executemany UPDATE of
the changed ones and one upsert of the occurrences. Each chunk is one write transaction;
on SQLite it is BEGIN IMMEDIATE (the write lock is taken before reading, so a concurrent
ingest waits on busy_timeout instead of failing on a stale snapshot), on PostgreSQL the
matched rows are locked FOR UPDATE and a row another ingest inserted meanwhile is merged
like any existing one. Lock waits that still fail (deadlock, busy timeout) retry the chunk.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, Engine, bindparam, or_, select, text
from sqlalchemy.exc import DBAPIError

from models.db_errors import retryable
from models.gcpause import gc_paused
from models.records import PaperRecord
from models.store import bulk
from models.store.paper_merge import (
    group_records,
    key_rank,
    merge_record,
    merge_rows,
    new_row,
    record_key,
)
from models.tables import Paper, PaperOccurrence

__all__ = [
    "UpsertResult",
    "next_seq",
    "record_key",
    "upsert_records",
]

CHUNK = 2000
RETRIES = 6
P = Paper.__table__
O = PaperOccurrence.__table__  # noqa: E741
_UPDATABLE = [c.name for c in P.c if c.name not in ("id", "first_seen_at")]
# Tables pointing at papers, with the columns that (with paper_id) must stay unique.
_CHILDREN = {
    "paper_occurrences": ("source",),
    "feedback": ("profile_id",),
    "digest_items": ("digest_id",),
    "sent_items": ("profile_id", "channel_key"),
}


@dataclass(frozen=True)
class UpsertResult:
    """What a batch did to the store: later stages act only on new and revised papers."""

    new: tuple[int, ...] = ()
    revised: tuple[int, ...] = ()
    seen: int = 0
    keys: dict[str, int] = field(default_factory=dict)  # each record's canonical key -> id
    merged: int = 0  # stored rows folded into another (a DOI row meeting its arXiv row)


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction that may write; on SQLite it holds the write lock from the start."""
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        yield conn


def _retryable(exc: DBAPIError) -> bool:
    return retryable(exc)  # by code: SQLite busy/locked, PostgreSQL 40001, 40P01, 23505


def upsert_records(
    records: Iterable[PaperRecord], *, engine: Engine, now: datetime
) -> UpsertResult:
    """Insert new papers, merge known ones, record occurrences. One transaction per chunk."""
    with gc_paused():
        return _upsert_records(records, engine=engine, now=now)


def _upsert_records(
    records: Iterable[PaperRecord], *, engine: Engine, now: datetime
) -> UpsertResult:
    groups = sorted(group_records(records).items())  # a fixed order keeps PG lock order
    new: list[int] = []
    revised: list[int] = []
    keys: dict[str, int] = {}
    merged = 0
    for start in range(0, len(groups), CHUNK):
        chunk = dict(groups[start : start + CHUNK])
        for attempt in range(RETRIES):
            try:
                with write_transaction(engine) as conn:
                    out = _upsert_chunk(conn, chunk, now)
                break
            except DBAPIError as exc:
                if attempt == RETRIES - 1 or not _retryable(exc):
                    raise
                time.sleep(0.05 * 2**attempt)
        new += out[0]
        revised += out[1]
        keys.update(out[2])
        merged += out[3]
    return UpsertResult(tuple(new), tuple(revised), len(groups), keys, merged)


def _select_rows(conn: Connection, keys: set[str], dois: set[str]) -> dict[int, dict]:
    cond: ColumnElement[bool] = P.c.key.in_(keys)
    if dois:
        cond = or_(cond, P.c.doi.in_(dois))
    query = select(P).where(cond).order_by(P.c.id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    return {r.id: r._asdict() for r in conn.execute(query)}


def _matches(key: str, recs: list[PaperRecord], rows: dict[int, dict], index) -> list[int]:
    """Stored rows that are this group's paper, best identity first."""
    by_key, by_doi = index
    dois = {r.doi for r in recs if r.doi}
    found = {by_key[key]} if key in by_key else set()
    for doi in dois:
        if f"doi:{doi}" in by_key:
            found.add(by_key[f"doi:{doi}"])
        found.update(by_doi.get(doi, ()))
    ranked = sorted(found, key=lambda i: (key_rank(rows[i]["key"]), i))
    arxiv = (
        key
        if key_rank(key) == 0
        else next((rows[i]["arxiv_id"] for i in ranked if rows[i]["arxiv_id"]), None)
    )
    # Two different arXiv papers never merge, even if a source gave them one DOI.
    return [i for i in ranked if rows[i]["arxiv_id"] in (None, arxiv)]


def _index(rows: dict[int, dict]):
    by_key = {r["key"]: i for i, r in rows.items()}
    by_doi: dict[str, list[int]] = {}
    for i, r in rows.items():
        if r["doi"]:
            by_doi.setdefault(r["doi"], []).append(i)
    return by_key, by_doi


def _absorb(conn: Connection, winner: int, loser: int) -> None:
    """Point everything at loser to winner (dropping what winner already has), delete loser."""
    for table, cols in _CHILDREN.items():
        same = " AND ".join(f"w.{c} = {table}.{c}" for c in cols)
        conn.execute(
            text(
                f"DELETE FROM {table} WHERE paper_id = :l AND EXISTS (SELECT 1 FROM {table} w "
                f"WHERE w.paper_id = :w AND {same})"
            ),
            {"l": loser, "w": winner},
        )
        conn.execute(
            text(f"UPDATE {table} SET paper_id = :w WHERE paper_id = :l"),
            {
                "l": loser,
                "w": winner,
            },
        )
    conn.execute(P.delete().where(P.c.id == loser))


_NEXT_SEQ = text(
    "INSERT INTO store_counters (name, value) VALUES ('papers', 1) "
    "ON CONFLICT (name) DO UPDATE SET value = store_counters.value + 1 RETURNING value"
)


def next_seq(conn: Connection) -> int:
    """Take the store's next sequence value inside the caller's write transaction.

    The counter row stays locked until that transaction commits (PostgreSQL's row lock;
    SQLite's single writer), so a later writer gets a higher value only after the earlier
    one's papers are visible: a reader that sees the counter at H sees every paper <= H.
    """
    return int(conn.execute(_NEXT_SEQ).scalar_one())


def _upsert_chunk(conn: Connection, chunk: dict[str, list[PaperRecord]], now: datetime):
    seq = next_seq(conn)  # first: every writer takes the counter before any paper row
    dois = {r.doi for recs in chunk.values() for r in recs if r.doi}
    rows = _select_rows(conn, set(chunk) | {f"doi:{d}" for d in dois}, dois)
    index = _index(rows)
    unresolved: dict[str, str] = {}  # chunk key -> key of its fresh row, an id once inserted
    fresh: dict[str, dict] = {}
    existing: dict[str, list[int]] = {}
    for key, recs in chunk.items():
        found = _matches(key, recs, rows, index) if rows else []
        if found:
            existing[key] = found
        else:
            row = new_row(key, recs[0], now)
            for rec in recs[1:]:
                merge_record(row, rec, now)
            row["seq"], row["revised_seq"] = seq, None
            fresh[row["key"]] = row
            unresolved[key] = row["key"]
    inserted = bulk.insert_papers(conn, list(fresh.values())) if fresh else {}
    raced = {k for k in fresh if k not in inserted}  # another ingest inserted it meanwhile
    if raced:
        rows.update(_select_rows(conn, raced, set()))
        index = _index(rows)
        for key, row_key in list(unresolved.items()):
            if row_key in raced:
                existing[key] = [index[0][row_key]]
                del unresolved[key]
    ids = {key: inserted[row_key] for key, row_key in unresolved.items()}
    revised: set[int] = set()
    changed: set[int] = set()
    merged = 0
    for key, found in existing.items():
        winner, *losers = found
        row = rows[winner]
        before = dict(row)
        for loser in losers:
            if loser in rows and loser != winner:
                merge_rows(row, rows.pop(loser))
                _absorb(conn, winner, loser)
                merged += 1
        for rec in chunk[key]:
            if merge_record(row, rec, now):
                revised.add(winner)
                row["revised_seq"] = seq
        if row != before:
            row["updated_at"] = now
            changed.add(winner)
        ids[key] = winner
    if changed:
        stmt = (
            P.update()
            .where(P.c.id == bindparam("u_id"))
            .values({c: bindparam(f"u_{c}") for c in _UPDATABLE})
        )
        conn.execute(
            stmt,
            [{f"u_{c}": rows[i][c] for c in _UPDATABLE} | {"u_id": i} for i in sorted(changed)],
        )
    occ: dict[tuple[int, str], dict] = {}
    for key, recs in chunk.items():
        for rec in recs:
            occ[(ids[key], rec.source)] = {
                "paper_id": ids[key],
                "source": rec.source,
                "external_id": rec.external_id,
                "announce_type": rec.announce_type,
                "first_seen_at": now,
                "last_seen_at": now,
            }
    bulk.upsert_occurrences(conn, list(occ.values()))
    new_ids = sorted(inserted.values())
    return new_ids, sorted(revised), ids, merged
