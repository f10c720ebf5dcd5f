"""Reading the digest archive for people: `digest list`, `digest show` and `profile history`,
as plain dicts."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, func, select

from models.errors import NotFoundError
from models.tables import Channel, Delivery, DigestItem, DigestRecord, Feedback, Paper, Profile

_FEEDBACK = {1: "like", -1: "dislike"}


def _items(conn: Connection, digest_id: int) -> list[dict]:
    """A digest's papers in rank order: rank, score, version, reasons, paper id, key, title, url."""
    i, p = DigestItem.__table__, Paper.__table__
    query = (
        select(i.c.rank, i.c.score, i.c.version, i.c.reasons, p.c.id, p.c.key, p.c.title, p.c.url)
        .join(p, p.c.id == i.c.paper_id)
        .where(i.c.digest_id == digest_id)
        .order_by(i.c.rank)
    )
    return [r._asdict() for r in conn.execute(query)]


def list_digests(*, engine: Engine, profile: str | None = None, limit: int = 20) -> list[dict]:
    """Archived digests, newest first, with each one's delivery status."""
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


def digest_owner(digest_id: int, named: str, *, engine: Engine) -> str:
    """The current name of the profile a digest's link was made for, under the name the link
    carries: a `profile rename` since keeps its links working. NotFoundError when the digest
    (or its profile) is gone, or when the digest's profile never had that name: a link never
    acts for another profile, even one that got a removed profile's digest id (SQLite reuses
    the highest ids) or took its name.
    """
    d, p = DigestRecord.__table__, Profile.__table__
    with engine.connect() as conn:
        owner = conn.execute(
            select(p.c.name, p.c.former_names)
            .join(d, d.c.profile_id == p.c.id)
            .where(d.c.id == digest_id)
        ).first()
    if owner is None or (owner.name != named and named not in (owner.former_names or [])):
        raise NotFoundError("this digest is no longer in the archive")
    return owner.name


def latest_digest_id(*, engine: Engine) -> int | None:
    """The newest archived digest's id (None: none yet)."""
    with engine.connect() as conn:
        return conn.execute(select(func.max(DigestRecord.id))).scalar()


def get_digest(digest_id: int, *, engine: Engine) -> dict | None:
    """One archived digest: metadata, papers (rank, score, reasons), deliveries and bodies.

    "channel_url" is the stored Apprise URL (None for the file channel or a removed channel):
    it may hold a secret, so callers redact it before showing it.
    """
    d, dl = DigestRecord.__table__, Delivery.__table__
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
        items = [{k: v for k, v in r.items() if k != "id"} for r in _items(conn, digest_id)]
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
        "items": items,
        "deliveries": [r._asdict() for r in deliveries],
        "html": row.html,
        "text": row.text,
        "markdown": row.markdown,
    }


def history(name: str, *, engine: Engine, limit: int = 50) -> list[dict]:
    """What was sent (or attempted) when, paper by paper (its key: what `like` takes), with
    the reasons it was picked and the feedback given (and where it came from)."""
    d, dl, p, f = DigestRecord.__table__, Delivery.__table__, Profile.__table__, Feedback.__table__
    with engine.connect() as conn:
        pid = conn.execute(select(p.c.id).where(p.c.name == name)).scalar()
        if pid is None:
            raise NotFoundError(f"no profile named {name!r} (see: paperround profile list)")
        rows = conn.execute(
            select(d.c.id, d.c.created_at, dl.c.status, dl.c.error)
            .join(dl, dl.c.digest_id == d.c.id)
            .where(d.c.profile_id == pid)
            .order_by(d.c.id.desc())
            .limit(limit)
        ).all()
        query = select(f.c.paper_id, f.c.value, f.c.origin).where(f.c.profile_id == pid)
        feedback = {paper: (value, origin) for paper, value, origin in conn.execute(query)}
        return [
            {
                "digest": r.id,
                "created_at": r.created_at,
                "status": r.status,
                "error": r.error,
                "papers": [
                    {
                        "rank": item["rank"],
                        "paper": item["key"],
                        "title": item["title"],
                        "reasons": item["reasons"],
                        "feedback": _FEEDBACK.get(feedback.get(item["id"], (0, None))[0]),
                        "origin": feedback.get(item["id"], (0, None))[1],
                    }
                    for item in _items(conn, r.id)
                ],
            }
            for r in rows
        ]
