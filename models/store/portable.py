"""Export and import rows: the personal history (feedback, digests, deliveries, sent items)
and the papers it points at, read out and written back as plain dicts.

What travels and how names and channels are mapped is paperround/portable.py's business;
this module only reads and writes the rows (paper ids resolved to keys on the way out).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, and_, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel

from models.tables import Delivery, DigestItem, DigestRecord, Feedback, Paper, SentItem


def _core(model: type[SQLModel]) -> Table:
    """A table class's Core table (SQLModel sets __table__ when the class is made)."""
    return model.__table__  # type: ignore[attr-defined]


PAPER_FIELDS = ("key", "arxiv_id", "doi", "title", "abstract", "authors", "categories", "url")


@dataclass(frozen=True)
class HistoryRows:
    """The store's personal history, rows as plain dicts keyed by profile id and paper key."""

    feedback: tuple[dict[str, Any], ...]  # profile_id, paper, value, origin, created_at
    # profile_id, channel_key, created_at, period_start, period_end, subject, status,
    # attempts, error, sent_at, items (paper, rank, score, version, reasons)
    deliveries: tuple[dict[str, Any], ...]
    sent: tuple[dict[str, Any], ...]  # profile_id, channel_key, paper, version, sent_at
    papers: tuple[dict[str, Any], ...]  # PAPER_FIELDS, announced_at, version


def history_rows(*, engine: Engine) -> HistoryRows:
    """Every feedback, delivered-or-not digest and sent item, and the papers they name."""
    fb, it, dg = _core(Feedback), _core(DigestItem), _core(DigestRecord)
    dl, si, pa = _core(Delivery), _core(SentItem), _core(Paper)
    with engine.connect() as conn:
        keys = dict(conn.execute(select(pa.c.id, pa.c.key)).tuples().all())
        feedback = tuple(
            {"profile_id": f.profile_id, "paper": keys[f.paper_id], "value": f.value,
             "origin": f.origin, "created_at": f.created_at}
            for f in conn.execute(select(fb).order_by(fb.c.id))
        )  # fmt: skip
        items: dict[int, list[dict[str, Any]]] = {}
        for i in conn.execute(select(it).order_by(it.c.rank)):
            items.setdefault(i.digest_id, []).append(
                {"paper": keys[i.paper_id], "rank": i.rank, "score": i.score,
                 "version": i.version, "reasons": i.reasons}
            )  # fmt: skip
        query = (
            select(dg, dl.c.status, dl.c.attempts, dl.c.error, dl.c.sent_at)
            .join(dl, dl.c.digest_id == dg.c.id)
            .order_by(dg.c.id)
        )
        deliveries = tuple(
            {"profile_id": d.profile_id, "channel_key": d.channel_key,
             "created_at": d.created_at, "period_start": d.period_start,
             "period_end": d.period_end, "subject": d.subject, "status": d.status,
             "attempts": d.attempts, "error": d.error, "sent_at": d.sent_at,
             "items": items.get(d.id, [])}
            for d in conn.execute(query)
        )  # fmt: skip
        sent = tuple(
            {"profile_id": s.profile_id, "channel_key": s.channel_key,
             "paper": keys[s.paper_id], "version": s.version, "sent_at": s.sent_at}
            for s in conn.execute(select(si).order_by(si.c.id))
        )  # fmt: skip
        wanted = {f["paper"] for f in feedback} | {s["paper"] for s in sent}
        wanted |= {i["paper"] for d in deliveries for i in d["items"]}
        papers = tuple(
            {f: getattr(r, f) for f in PAPER_FIELDS}
            | {"announced_at": r.announced_at, "version": r.version}
            for r in conn.execute(select(pa).where(pa.c.key.in_(wanted)))
        )
    return HistoryRows(feedback, deliveries, sent, papers)


def restore_history(
    *,
    engine: Engine,
    feedback: Sequence[dict[str, Any]],
    digests: Sequence[dict[str, Any]],
    sent: Sequence[dict[str, Any]],
    held: int,
    top: int,
) -> int:
    """Write restored history in one transaction; returns the number of digests added.

    feedback: profile_id, paper_id, value, origin, created_at (upserted by (profile, paper));
    digests: profile_id, channel_key, created_at, period_start, period_end, subject, status,
    attempts, error, sent_at, items (paper_id, rank, score, version, reasons), skipped when
    one with the same (profile, channel, created_at, subject) exists; sent: profile_id,
    channel_key, paper_id, version, sent_at (kept when already there).

    A restored digest covers the papers this store held before the import (sequence at or
    below `held`) and had first seen by the end of the digest's period, as migration 0004
    did for digests made before sequences: a paper ingested here since stays in its
    channel's next window. When no such paper is left after it, it also covers the papers
    the import wrote (up to `top`, the high-water mark after them), so those are not sent
    again as news. Otherwise they lie inside the channel's next window (a sequence range
    cannot skip them), and one the channel never received (a liked paper, one of a digest
    that was never delivered) may be sent then.
    """
    dialect: Any = postgresql if engine.dialect.name == "postgresql" else sqlite
    added = 0
    with engine.begin() as conn:
        if feedback:
            stmt = dialect.insert(_core(Feedback))
            conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=["profile_id", "paper_id"],
                    set_={"value": stmt.excluded.value, "origin": stmt.excluded.origin},
                ),
                list(feedback),
            )
        for d in digests:
            added += _restore_digest(conn, d, held, top)
        if sent:
            stmt = dialect.insert(_core(SentItem)).on_conflict_do_nothing(
                index_elements=["profile_id", "channel_key", "paper_id"]
            )
            conn.execute(stmt, list(sent))
    return added


def _covered(conn: Connection, end: datetime, held: int, top: int) -> int:
    """The store sequence a restored digest whose period ended at `end` read up to."""
    p = _core(Paper)
    seen = conn.execute(
        select(func.coalesce(func.max(p.c.seq), 0)).where(p.c.seq <= held, p.c.first_seen_at <= end)
    ).scalar_one()
    later = conn.execute(
        select(p.c.id)
        .where(
            or_(
                and_(p.c.seq > seen, p.c.seq <= held),
                and_(p.c.revised_seq > seen, p.c.revised_seq <= held),
            )
        )
        .limit(1)
    ).first()
    return seen if later is not None else top


def _restore_digest(conn: Connection, d: dict[str, Any], held: int, top: int) -> int:
    t = _core(DigestRecord)
    found = conn.execute(
        select(t.c.id).where(
            t.c.profile_id == d["profile_id"],
            t.c.channel_key == d["channel_key"],
            t.c.created_at == d["created_at"],
            t.c.subject == d["subject"],
        )
    ).first()
    if found is not None:
        return 0
    covered = _covered(conn, d["period_end"] or d["created_at"], held, top)
    inserted = conn.execute(
        t.insert().values(
            profile_id=d["profile_id"], channel_key=d["channel_key"],
            created_at=d["created_at"], period_start=d["period_start"],
            period_end=d["period_end"], seq_to=covered, subject=d["subject"],
            item_count=len(d["items"]), html="", text="", markdown="",
        )
    ).inserted_primary_key  # fmt: skip
    assert inserted is not None  # an INSERT of one row
    digest_id = inserted[0]
    conn.execute(
        _core(Delivery).insert().values(
            digest_id=digest_id, profile_id=d["profile_id"], channel_key=d["channel_key"],
            status=d["status"], attempts=d["attempts"], error=d["error"],
            created_at=d["created_at"], sent_at=d["sent_at"],
        )
    )  # fmt: skip
    if d["items"]:
        conn.execute(
            _core(DigestItem).insert(), [{"digest_id": digest_id, **i} for i in d["items"]]
        )
    return 1
