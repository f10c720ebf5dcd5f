"""Run claims: which dispatcher sends which profile's scheduled slot.

The unique (profile_id, slot) constraint is the lock: every dispatcher INSERTs with
ON CONFLICT DO NOTHING and only the one whose row went in sends. A claim left 'running'
by a dispatcher that died (at once if it was a process of this machine, else after an hour),
or a 'failed' one, can be taken over later by a compare-and-swap
UPDATE on (status, attempts), so exactly one contender wins that too, on SQLite and
PostgreSQL alike.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, select, update
from sqlalchemy.dialects import postgresql, sqlite

from models.records import ProfileSchedule
from models.schedule_words import stored_cron
from models.tables import Channel, Profile, RunClaim

STALE_AFTER = timedelta(hours=1)  # a 'running' claim older than this belongs to a dead run
RETRY_AFTER = timedelta(minutes=15)  # a failed slot is tried again after this
MAX_ATTEMPTS = 3  # then the slot is left alone; the ledger keeps its papers pending

_T = RunClaim.__table__


@dataclass(frozen=True)
class Claim:
    """A slot this dispatcher now owns and must finish (done or failed)."""

    id: int
    profile_id: int
    slot: datetime
    attempts: int


def _insert(engine: Engine):
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(_T)


def claim_slot(
    profile_id: int,
    slot: datetime,
    *,
    engine: Engine,
    worker: str,
    now: datetime,
    stale_after: timedelta = STALE_AFTER,
    retry_after: timedelta = RETRY_AFTER,
    max_attempts: int = MAX_ATTEMPTS,
) -> Claim | None:
    """Claim (profile, slot) for `worker`; None if someone else holds or finished it."""
    stmt = (
        _insert(engine)
        .values(profile_id=profile_id, slot=slot, claimed_by=worker, claimed_at=now, attempts=1)
        .on_conflict_do_nothing(index_elements=["profile_id", "slot"])
        .returning(_T.c.id)
    )
    with engine.begin() as conn:
        new_id = conn.execute(stmt).scalar()
        if new_id is not None:
            return Claim(new_id, profile_id, slot, 1)
        row = conn.execute(
            select(_T).where(_T.c.profile_id == profile_id, _T.c.slot == slot)
        ).one_or_none()
    if row is None:
        return None
    if row.status == "running" and row.claimed_by == worker:  # our own retry: still ours
        return Claim(row.id, profile_id, slot, row.attempts)
    if row.attempts >= max_attempts:
        return None
    stale = row.status == "running" and (
        row.claimed_at < now - stale_after or holder_is_gone(row.claimed_by)
    )
    retry = row.status == "failed" and (row.finished_at or row.claimed_at) < now - retry_after
    if not (stale or retry):
        return None
    takeover = (
        update(_T)
        .where(_T.c.id == row.id, _T.c.status == row.status, _T.c.attempts == row.attempts)
        .values(
            claimed_by=worker,
            claimed_at=now,
            status="running",
            attempts=row.attempts + 1,
            finished_at=None,
            note=f"taken over from {row.claimed_by} ({row.status})",
        )
        .returning(_T.c.id)
    )
    with engine.begin() as conn:
        won = conn.execute(takeover).scalar()
    return Claim(row.id, profile_id, slot, row.attempts + 1) if won is not None else None


def holder_is_gone(worker: str) -> bool:
    """True when a claim's holder ("host:pid[:run]", paperround.schedule.dispatch.worker_id) was a
    process of this machine that no longer runs: a dispatcher killed mid-send frees its slot
    at once instead of after STALE_AFTER. Holders on other machines wait for STALE_AFTER."""
    host, _, rest = worker.partition(":")
    pid = rest.split(":", 1)[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False


def finish_claim(
    claim_id: int, *, engine: Engine, ok: bool, now: datetime, note: str | None = None
) -> None:
    """Mark a claim done or failed (with a one-line note)."""
    with engine.begin() as conn:
        conn.execute(
            update(_T)
            .where(_T.c.id == claim_id)
            .values(status="done" if ok else "failed", finished_at=now, note=note)
        )


def claim_states(
    keys: Iterable[tuple[int, datetime]], *, engine: Engine
) -> dict[tuple[int, datetime], str]:
    """The status of each (profile_id, slot) that has a claim (one query per 500 profiles)."""
    wanted = set(keys)
    if not wanted:
        return {}
    ids = sorted({pid for pid, _ in wanted})
    oldest = min(slot for _, slot in wanted)
    out: dict[tuple[int, datetime], str] = {}
    with engine.connect() as conn:
        for i in range(0, len(ids), 500):
            rows = conn.execute(
                select(_T.c.profile_id, _T.c.slot, _T.c.status).where(
                    _T.c.profile_id.in_(ids[i : i + 500]), _T.c.slot >= oldest
                )
            )
            for pid, slot, status in rows:
                if (pid, slot) in wanted:
                    out[(pid, slot)] = status
    return out


def list_claims(*, engine: Engine, profile_id: int | None = None) -> list[dict]:
    """Claims, oldest slot first (for tests and `paperround` inspection)."""
    query = select(_T).order_by(_T.c.slot, _T.c.profile_id)
    if profile_id is not None:
        query = query.where(_T.c.profile_id == profile_id)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def profile_schedules(*, engine: Engine) -> list[ProfileSchedule]:
    """Every enabled profile's schedule and channel keys (two queries, whatever the count)."""
    p, c = Profile.__table__, Channel.__table__
    with engine.connect() as conn:
        keys: dict[int, list[str]] = {}
        for pid, cid in conn.execute(select(c.c.profile_id, c.c.id).order_by(c.c.id)):
            keys.setdefault(pid, []).append(str(cid))
        rows = conn.execute(
            select(
                p.c.id, p.c.name, p.c.schedule, p.c.timezone, p.c.catch_up, p.c.created_at
            ).where(p.c.enabled)
        ).all()
    return [
        ProfileSchedule(
            r.id, r.name, stored_cron(r.schedule), r.timezone, r.catch_up, r.created_at,
            tuple(keys.get(r.id, ())),
        )
        for r in rows
    ]  # fmt: skip
