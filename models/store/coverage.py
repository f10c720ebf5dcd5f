"""How far each channel has been served: the store sequence and the time its next window
starts after (docs/reliability.md, "Windows by commit order").

A channel is served by its delivered digests, and by its quiet runs: a run that read its
window and found nothing to send (no paper ranked, send_empty off) marks that window read
(`quiet_windows`, one row per channel), as a sent digest would. So a profile that matches
nothing for weeks reads one day's papers a day, not every paper since its last digest, and
its next digest says "since" the last run that looked.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, func, select, type_coerce, union_all
from sqlalchemy.dialects import postgresql, sqlite

from models.tables import Delivery, DigestRecord, QuietWindow
from models.utctime import UTCDateTime


def last_success(profile_id: int, channel_key: str, *, engine: Engine) -> datetime | None:
    """When this channel last received a digest for this profile."""
    d = Delivery.__table__
    with engine.connect() as conn:
        return conn.execute(
            select(func.max(d.c.sent_at)).where(
                d.c.profile_id == profile_id, d.c.channel_key == channel_key, d.c.status == "sent"
            )
        ).scalar()


def first_digest_at(profile_id: int, channel_key: str, *, engine: Engine) -> datetime | None:
    """When this channel's first digest was recorded, delivered or not (None: never)."""
    g = DigestRecord.__table__
    with engine.connect() as conn:
        return conn.execute(
            select(type_coerce(func.min(g.c.created_at), UTCDateTime())).where(
                g.c.profile_id == profile_id, g.c.channel_key == channel_key
            )
        ).scalar()


def _reaches(profile_id: int | None = None, channel_key: str | None = None):
    """(profile id, channel key, seq reach, time reach) of each sent digest and quiet run.

    A digest reaches its send time, except a catch-up digest, which stops at its slot.
    """
    d, g, q = Delivery.__table__, DigestRecord.__table__, QuietWindow.__table__
    sent = (
        select(
            d.c.profile_id,
            d.c.channel_key,
            g.c.seq_to.label("seq"),
            func.coalesce(g.c.period_end, d.c.sent_at).label("at"),
        )
        .select_from(d.join(g, g.c.id == d.c.digest_id))
        .where(d.c.status == "sent")
    )
    quiet = select(q.c.profile_id, q.c.channel_key, q.c.seq_to, q.c.reach)
    if profile_id is not None:
        sent = sent.where(d.c.profile_id == profile_id, d.c.channel_key == channel_key)
        quiet = quiet.where(q.c.profile_id == profile_id, q.c.channel_key == channel_key)
    return union_all(sent, quiet).subquery()


def _coverage_query(profile_id: int | None = None, channel_key: str | None = None):
    """(profile id, channel key, seq reach, time reach) per channel served. The time is typed
    UTCDateTime: tz-aware UTC on every engine (SQLite keeps no zone)."""
    r = _reaches(profile_id, channel_key)
    return select(
        r.c.profile_id,
        r.c.channel_key,
        func.max(r.c.seq),
        type_coerce(func.max(r.c.at), UTCDateTime()),
    ).group_by(r.c.profile_id, r.c.channel_key)


def covered_until(profile_id: int, channel_key: str, *, engine: Engine) -> datetime | None:
    """How far this channel's delivered digests and quiet runs reach in time."""
    with engine.connect() as conn:
        row = conn.execute(_coverage_query(profile_id, channel_key)).first()
    return None if row is None else row[3]


def coverage(*, engine: Engine) -> dict[tuple[int, str], datetime]:
    """covered_until of every channel ever served, in one query: (profile id, key) -> reach."""
    with engine.connect() as conn:
        return {(pid, key): at for pid, key, _, at in conn.execute(_coverage_query())}


def covered_seq(profile_id: int, channel_key: str, *, engine: Engine) -> int | None:
    """The store sequence this channel's next window starts after (None: never served)."""
    with engine.connect() as conn:
        row = conn.execute(_coverage_query(profile_id, channel_key)).first()
    return None if row is None else row[2]


def mark_quiet(
    profile_id: int, channel_key: str, *, seq_to: int, reach: datetime, engine: Engine
) -> None:
    """A run read this channel's window up to seq_to and found nothing to send: the next
    window starts after it. reach: the run's time, or a catch-up slot's end. Never moves back.
    """
    q = QuietWindow.__table__
    pg = engine.dialect.name == "postgresql"
    greater = func.greatest if pg else func.max  # SQLite's two-argument max() is scalar
    row = {"profile_id": profile_id, "channel_key": channel_key, "seq_to": seq_to, "reach": reach}
    stmt = (postgresql if pg else sqlite).insert(q).values(row)
    stmt = stmt.on_conflict_do_update(
        index_elements=["profile_id", "channel_key"],
        set_={
            "seq_to": greater(q.c.seq_to, stmt.excluded.seq_to),
            "reach": greater(q.c.reach, stmt.excluded.reach),
        },
    )
    with engine.begin() as conn:
        conn.execute(stmt)
