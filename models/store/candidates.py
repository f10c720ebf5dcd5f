"""What the digest and the ranker read from the paper store, as frozen records.

A digest's window follows the store sequence (models/store/papers.py next_seq), which is
commit order: a reader that sees the counter at H sees every paper written at or below H, so
a window (after, H] taken while an ingest is still writing cannot pass over its papers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import Engine, and_, func, or_, select, text

from models.records import Candidate
from models.tables import Paper, PaperOccurrence, SentItem

P = Paper.__table__


def high_water(*, engine: Engine) -> int:
    """The store sequence every committed paper write is at or below (0: none yet)."""
    with engine.connect() as conn:
        value = conn.execute(text("SELECT value FROM store_counters WHERE name = 'papers'"))
        return int(value.scalar() or 0)


def to_candidate(row, *, sent_version: int | None = None) -> Candidate:
    """Strip a papers row to the ranker's record."""
    hf = f"https://huggingface.co/papers/{row.arxiv_id}" if row.upvotes is not None else None
    return Candidate(
        paper_id=row.id,
        key=row.key,
        title=row.title,
        abstract=row.abstract,
        authors=tuple(row.authors),
        categories=tuple(row.categories),
        url=row.url,
        pdf_url=row.pdf_url,
        announced=row.announced_at,
        upvotes=row.upvotes,
        github_repo=row.github_repo,
        hf_url=hf,
        version=row.version,
        revised=sent_version is not None and row.version > sent_version,
    )


@dataclass(frozen=True)
class Window:
    """Which papers a digest reads, by store sequence (commit order): (after, upto].

    A channel's first digest (after None) reads the papers first seen since `since`, up to
    the same `upto`. A revised paper counts by the sequence of the write that revised it.
    """

    upto: int
    after: int | None = None
    since: datetime | None = None


def window_end(*, engine: Engine, after: int | None, upto: int, until: datetime) -> int:
    """Where a catch-up digest that stops at `until` (a missed slot) ends: before the first
    write in (after, upto] that came after it, so the next window loses nothing."""
    lo = after or 0
    with engine.connect() as conn:
        first_after = conn.execute(
            select(func.min(P.c.seq)).where(
                P.c.seq > lo, P.c.seq <= upto, P.c.first_seen_at > until
            )
        ).scalar()
        revised_after = conn.execute(
            select(func.min(P.c.revised_seq)).where(
                P.c.revised_seq > lo, P.c.revised_seq <= upto, P.c.revised_at > until
            )
        ).scalar()
    found = [v for v in (first_after, revised_after) if v is not None]
    return min(found) - 1 if found else upto


def unsent_candidates(
    *,
    engine: Engine,
    profile_id: int,
    channel_key: str,
    window: Window,
    sources: Sequence[str] = (),
    decoded: dict[int, tuple[datetime, Candidate]] | None = None,
) -> list[Candidate]:
    """Papers written (or revised) inside `window` that this channel has not received.

    A paper sent at an older version comes back as revised, with the "updated" badge.
    `decoded` is a run's cache of decoded papers (id -> (updated_at, candidate)): a dispatch
    run selects the same day's papers for profile after profile, and decoding the rows
    (JSON, dates) was most of each selection. Only ids and change stamps are read per
    channel; full rows only for papers the cache lacks or holds at an older update.
    """
    p = Paper.__table__
    s = SentItem.__table__
    joined = p.outerjoin(
        s,
        and_(s.c.paper_id == p.c.id, s.c.profile_id == profile_id, s.c.channel_key == channel_key),
    )
    if window.after is not None:
        new = and_(p.c.seq > window.after, p.c.seq <= window.upto)
        revised = and_(p.c.revised_seq > window.after, p.c.revised_seq <= window.upto)
    else:
        since = window.since or datetime.min.replace(tzinfo=UTC)
        new = and_(p.c.first_seen_at >= since, p.c.seq <= window.upto)
        revised = and_(p.c.revised_at >= since, p.c.revised_seq <= window.upto)
    picked = (p.c.id, p.c.updated_at) if decoded is not None else (p,)
    query = (
        select(*picked, s.c.version.label("sent_version"))
        .select_from(joined)
        .where(
            or_(
                and_(s.c.id.is_(None), new),
                and_(s.c.id.is_not(None), s.c.version < p.c.version, revised),
            )
        )
    )
    if sources:
        o = PaperOccurrence.__table__
        query = query.where(p.c.id.in_(select(o.c.paper_id).where(o.c.source.in_(list(sources)))))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        if decoded is None:
            return [to_candidate(r, sent_version=r.sent_version) for r in rows]
        stale = [r.id for r in rows if decoded.get(r.id, (None,))[0] != r.updated_at]
        for start in range(0, len(stale), 5000):
            chunk = stale[start : start + 5000]
            for full in conn.execute(select(p).where(p.c.id.in_(chunk))):
                decoded[full.id] = (full.updated_at, to_candidate(full))
    out = []
    for r in rows:
        if r.id not in decoded:  # merged into another row between the two reads
            continue
        cand = decoded[r.id][1]
        if r.sent_version is not None and cand.version > r.sent_version:
            cand = replace(cand, revised=True)
        out.append(cand)
    return out


def recent_papers(*, engine: Engine, since: datetime, limit: int) -> list[Candidate]:
    """The newest papers first seen since `since`, at most `limit`: the ranker's window.

    The ranker fits its vocabulary on a bounded recent window, never on the whole store.
    """
    p = Paper.__table__
    query = (
        select(p.c.id, p.c.key, p.c.title, p.c.abstract, p.c.authors)
        .where(p.c.first_seen_at >= since)
        .order_by(p.c.first_seen_at.desc(), p.c.id.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        Candidate(
            paper_id=r.id, key=r.key, title=r.title, abstract=r.abstract, authors=tuple(r.authors)
        )
        for r in rows
    ]


def count_papers(*, engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Paper.__table__)).scalar_one())
