"""The delivery ledger: digests kept as an archive, deliveries, and what each channel received.

Papers of a failed delivery stay pending (no sent_items row), so the next run sends them;
a successful delivery writes sent_items under a unique (profile, channel, paper) key. A chat
digest split in several messages that failed part way has still delivered the papers of the
messages that went out: those are marked sent, so the retry does not repeat them.
A delivery's attempts count the runs that tried to serve this channel since its last success.

Guarantee (docs/reliability.md): a digest is recorded, with its delivery 'pending', before it
is sent; a process that dies between the send and finish_delivery leaves it pending, and the
next run for that channel resends the same recorded message (same body, same Message-ID)
instead of ranking a new one: at least once, and a repeat is the same message. Callers hold
the channel's lock (models/store/locks.py) from reading the window to finishing the delivery.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

from sqlalchemy import Engine, and_, func, or_, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from models.errors import NotFoundError
from models.records import RenderedDigest, ScoredPaper
from models.store.coverage import last_success
from models.tables import Delivery, DigestItem, DigestRecord, SentItem


@dataclass(frozen=True)
class OpenDelivery:
    """A recorded digest whose delivery was never finished: what to send again, as it was."""

    digest_id: int
    delivery_id: int
    message_id: str | None
    rendered: RenderedDigest
    item_count: int
    created_at: datetime


def open_deliveries(profile_id: int, channel_key: str, *, engine: Engine) -> list[OpenDelivery]:
    """This channel's deliveries left pending by a run that died, oldest first.

    Only a run holding the channel's lock records and finishes deliveries, so under that
    lock every pending one belongs to a run that is gone.
    """
    d, g = Delivery.__table__, DigestRecord.__table__
    query = (
        select(d.c.id.label("delivery_id"), d.c.message_id, g)
        .join(g, g.c.id == d.c.digest_id)
        .where(
            d.c.profile_id == profile_id,
            d.c.channel_key == channel_key,
            d.c.status == "pending",
        )
        .order_by(d.c.id)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    out = []
    for r in rows:
        parts = r.parts or {}
        rendered = RenderedDigest(
            r.subject,
            r.html,
            r.text,
            r.markdown,
            markdown_blocks=tuple(parts.get("markdown", ())),
            slack_blocks=tuple(parts.get("slack", ())),
        )
        out.append(
            OpenDelivery(r.id, r.delivery_id, r.message_id, rendered, r.item_count, r.created_at)
        )
    return out


def day_rank(digest_id: int, *, engine: Engine, zone: tzinfo = UTC) -> tuple[datetime, int]:
    """A digest's day (the date, in `zone`, its period ends: its send time, or a catch-up
    slot's end) and its rank, by id, among the digests of its profile and channel that end
    that day.

    A file digest is named by both (paperround/digest/compose.py write_digest_files): the
    rank comes from the store, so a resend of the same digest gets the same name, and any
    other digest of that day another one.
    """
    g = DigestRecord.__table__
    with engine.connect() as conn:
        row = conn.execute(
            select(g.c.profile_id, g.c.channel_key, g.c.period_end, g.c.created_at).where(
                g.c.id == digest_id
            )
        ).first()
        if row is None:
            raise NotFoundError(f"digest {digest_id} does not exist")
        at: datetime = (row.period_end or row.created_at).astimezone(zone)
        start = datetime.combine(at.date(), time(), zone)
        end = datetime.combine(at.date() + timedelta(days=1), time(), zone)  # 23 or 25 h: DST
        rank = conn.execute(
            select(func.count()).where(
                g.c.profile_id == row.profile_id,
                g.c.channel_key == row.channel_key,
                g.c.id <= digest_id,
                or_(
                    and_(g.c.period_end >= start, g.c.period_end < end),
                    and_(g.c.period_end.is_(None), g.c.created_at >= start, g.c.created_at < end),
                ),
            )
        ).scalar_one()
    return at, rank


def record_digest(
    *,
    engine: Engine,
    profile_id: int,
    channel_key: str,
    rendered: RenderedDigest | Callable[[int], RenderedDigest],
    items: Sequence[ScoredPaper],
    period_start: datetime | None,
    now: datetime,
    period_end: datetime | None = None,
    seq_from: int | None = None,
    seq_to: int | None = None,
    message_id: str | None = None,
) -> tuple[int, int]:
    """Archive a rendered digest and open its pending delivery; returns (digest_id, delivery_id).

    `rendered` may be a function of the new digest's id that renders it: a digest whose
    links carry its own id (paperround/digest/links.py) is rendered inside this transaction,
    so it is never recorded without its bodies, and a resend carries the same links.
    (seq_from, seq_to] is the store window it read; message_id the email Message-ID that
    this delivery and any resend of it carry.
    """
    with Session(engine) as session:
        digest = DigestRecord(
            profile_id=profile_id,
            channel_key=channel_key,
            created_at=now,
            period_start=period_start,
            period_end=period_end or now,
            seq_from=seq_from,
            seq_to=seq_to,
            subject="",
            item_count=len(items),
            html="",
            text="",
            markdown="",
        )
        session.add(digest)
        session.flush()
        assert digest.id is not None  # flushed: the database gave it its id
        body = rendered(digest.id) if callable(rendered) else rendered
        digest.parts = {"markdown": list(body.markdown_blocks), "slack": list(body.slack_blocks)}
        digest.subject, digest.html = body.subject, body.html
        digest.text, digest.markdown = body.text, body.markdown
        session.add(digest)
        for rank, item in enumerate(items, 1):
            session.add(
                DigestItem(
                    digest_id=digest.id,
                    paper_id=item.paper.paper_id,
                    rank=rank,
                    score=round(item.score, 6),
                    version=item.paper.version,
                    reasons=list(item.reasons),
                )
            )
        d = Delivery.__table__.c
        since = last_success(profile_id, channel_key, engine=engine)
        failed_before = session.execute(
            select(func.count()).where(
                d.profile_id == profile_id,
                d.channel_key == channel_key,
                d.status == "failed",
                d.created_at > since if since is not None else true(),
            )
        ).scalar_one()
        delivery = Delivery(
            digest_id=digest.id,
            profile_id=profile_id,
            channel_key=channel_key,
            created_at=now,
            attempts=failed_before + 1,
            message_id=message_id,
        )
        session.add(delivery)
        session.commit()
        assert delivery.id is not None  # the commit assigned it
        return digest.id, delivery.id


def finish_delivery(
    delivery_id: int,
    *,
    engine: Engine,
    ok: bool,
    error: str | None,
    now: datetime,
    papers_sent: int = 0,
    error_class: str | None = None,
) -> None:
    """Close a delivery; mark its papers sent to that channel (at their version): all of them
    on success, the first `papers_sent` (digest order) of a delivery that failed part way."""
    with Session(engine) as session:
        delivery = session.get(Delivery, delivery_id)
        if delivery is None:
            raise NotFoundError(f"delivery {delivery_id} does not exist")
        delivery.status = "sent" if ok else "failed"
        delivery.error = None if ok else error
        delivery.error_class = None if ok else error_class
        delivery.sent_at = now if ok else None
        session.add(delivery)
        session.flush()
        if ok or papers_sent:
            query = (
                select(col(DigestItem.paper_id), col(DigestItem.version))
                .where(col(DigestItem.digest_id) == delivery.digest_id)
                .order_by(col(DigestItem.rank))
            )
            items = session.execute(query if ok else query.limit(papers_sent)).all()
            rows = [
                {
                    "profile_id": delivery.profile_id,
                    "channel_key": delivery.channel_key,
                    "paper_id": pid,
                    "version": version,
                    "digest_id": delivery.digest_id,
                    "sent_at": now,
                }
                for pid, version in items
            ]
            if rows:
                dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
                stmt = dialect.insert(SentItem.__table__)
                stmt = stmt.on_conflict_do_update(
                    index_elements=["profile_id", "channel_key", "paper_id"],
                    set_={
                        "version": stmt.excluded.version,
                        "digest_id": stmt.excluded.digest_id,
                        "sent_at": stmt.excluded.sent_at,
                    },
                )
                session.execute(stmt, rows)
        session.commit()
