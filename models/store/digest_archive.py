"""Reading the digest archive for people: `digest list` and `digest show`, as plain dicts."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from models.tables import Delivery, DigestItem, DigestRecord


def list_digests(*, engine: Engine, profile: str | None = None, limit: int = 20) -> list[dict]:
    """Archived digests, newest first, with each one's delivery status."""
    from models.tables import Profile

    d, p, dl = DigestRecord.__table__, Profile.__table__, Delivery.__table__
    query = (
        select(
            d.c.id,
            p.c.name,
            d.c.created_at,
            d.c.item_count,
            d.c.subject,
            dl.c.status,
            dl.c.error,
            dl.c.error_class,
        )
        .join(p, p.c.id == d.c.profile_id)
        .outerjoin(dl, dl.c.digest_id == d.c.id)
        .order_by(d.c.id.desc())
        .limit(limit)
    )
    if profile:
        query = query.where(p.c.name == profile)
    with engine.connect() as conn:
        return [
            {
                "id": r.id,
                "profile": r.name,
                "created_at": r.created_at,
                "item_count": r.item_count,
                "subject": r.subject,
                "status": r.status or "pending",
                "error": r.error,
                "error_class": r.error_class,
            }
            for r in conn.execute(query)
        ]


def latest_digest_id(*, engine: Engine) -> int | None:
    """The newest archived digest's id (None: none yet)."""
    with engine.connect() as conn:
        return conn.execute(select(func.max(DigestRecord.id))).scalar()


def get_digest(digest_id: int, *, engine: Engine) -> dict | None:
    """One archived digest: metadata, papers (rank, score, reasons), deliveries and bodies.

    "channel_url" is the stored Apprise URL (None for the file channel or a removed channel):
    it may hold a secret, so callers redact it before showing it.
    """
    from models.tables import Channel, Paper, Profile

    d, i, p, dl = (t.__table__ for t in (DigestRecord, DigestItem, Paper, Delivery))
    profiles, channels = Profile.__table__, Channel.__table__
    with engine.connect() as conn:
        row = conn.execute(
            select(d, profiles.c.name.label("profile"))
            .join(profiles, profiles.c.id == d.c.profile_id)
            .where(d.c.id == digest_id)
        ).first()
        if row is None:
            return None
        url = None
        if row.channel_key.isdigit():  # else the file channel
            url = conn.execute(
                select(channels.c.url).where(channels.c.id == int(row.channel_key))
            ).scalar()
        items = conn.execute(
            select(i.c.rank, i.c.score, i.c.version, i.c.reasons, p.c.key, p.c.title, p.c.url)
            .join(p, p.c.id == i.c.paper_id)
            .where(i.c.digest_id == digest_id)
            .order_by(i.c.rank)
        ).all()
        deliveries = conn.execute(
            select(
                dl.c.status,
                dl.c.attempts,
                dl.c.error,
                dl.c.error_class,
                dl.c.message_id,
                dl.c.created_at,
                dl.c.sent_at,
            )
            .where(dl.c.digest_id == digest_id)
            .order_by(dl.c.id)
        ).all()
    return {
        "id": row.id,
        "profile": row.profile,
        "channel_key": row.channel_key,
        "channel_url": url,
        "created_at": row.created_at,
        "period_start": row.period_start,
        "subject": row.subject,
        "item_count": row.item_count,
        "items": [r._asdict() for r in items],
        "deliveries": [r._asdict() for r in deliveries],
        "html": row.html,
        "text": row.text,
        "markdown": row.markdown,
    }
