"""Reading the paper store: for people (list, search and show, as plain dicts), and for the
steps that fill in what a listing or a seed left out (enrichment, seed lookup)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, Text, cast, or_, select

from models.errors import NotFoundError
from models.ids import normalize_doi, parse_arxiv_id
from models.records import SeedPaper
from models.tables import Paper, PaperOccurrence

P = Paper.__table__
O = PaperOccurrence.__table__  # noqa: E741


def paper_dict(row, sources: list[str]) -> dict:
    return {
        "id": row.id,
        "key": row.key,
        "arxiv_id": row.arxiv_id,
        "doi": row.doi,
        "title": row.title,
        "authors": list(row.authors),
        "categories": list(row.categories),
        "url": row.url,
        "pdf_url": row.pdf_url,
        "version": row.version,
        "announced_at": row.announced_at,
        "first_seen_at": row.first_seen_at,
        "revised_at": row.revised_at,
        "upvotes": row.upvotes,
        "journal_ref": row.journal_ref,
        "sources": sources,
        "abstract": row.abstract,
    }


def _sources(conn, ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {i: [] for i in ids}
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        query = select(O.c.paper_id, O.c.source).where(O.c.paper_id.in_(chunk)).order_by(O.c.id)
        for pid, source in conn.execute(query):
            out[pid].append(source)
    return out


def list_papers(
    *,
    engine: Engine,
    since: datetime | None = None,
    source: str | None = None,
    category: str | None = None,
    text: str | None = None,
    limit: int = 50,
) -> list[dict]:
    """Newest announced first; `text` matches title or abstract, case-insensitively."""
    query = select(P).order_by(P.c.announced_at.desc(), P.c.id.desc()).limit(limit)
    if since is not None:
        query = query.where(P.c.announced_at >= since)
    if source:
        query = query.where(P.c.id.in_(select(O.c.paper_id).where(O.c.source == source)))
    if category:
        # JSON lists are stored as text on both engines: match the quoted element.
        query = query.where(cast(P.c.categories, Text).like(f'%"{category}"%'))
    if text:
        pattern = f"%{text}%"
        query = query.where(or_(P.c.title.ilike(pattern), P.c.abstract.ilike(pattern)))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        sources = _sources(conn, [r.id for r in rows])
    return [paper_dict(r, sources[r.id]) for r in rows]


def find_paper(ref: str, *, engine: Engine) -> dict:
    """A paper by arXiv id or URL, DOI (also of a paper since merged into its arXiv row), or key."""
    found = parse_arxiv_id(ref)
    doi = None if found else normalize_doi(ref)
    if found:
        cond = P.c.key == found[0]
    elif doi:
        cond = or_(P.c.key == f"doi:{doi}", P.c.doi == doi)
    else:
        cond = P.c.key == ref.strip()
    with engine.connect() as conn:
        row = conn.execute(select(P).where(cond).order_by(P.c.id).limit(1)).first()
        if row is None:
            raise NotFoundError(f"no paper {ref!r} in the store (see: paperround papers search)")
        occ = conn.execute(
            select(O.c.source, O.c.external_id, O.c.announce_type, O.c.last_seen_at)
            .where(O.c.paper_id == row.id)
            .order_by(O.c.id)
        ).all()
    out = paper_dict(row, [o.source for o in occ])
    out["comment"] = row.comment
    out["license"] = row.license
    out["version_dates"] = dict(row.version_dates)
    out["occurrences"] = [o._asdict() for o in occ]
    return out


def ids_missing_categories(*, engine: Engine, since: datetime) -> list[str]:
    """arXiv ids of papers first seen at or after `since` that no source gave categories."""
    query = select(P.c.arxiv_id, P.c.categories).where(
        P.c.first_seen_at >= since, P.c.arxiv_id.is_not(None)
    )
    with engine.connect() as conn:
        return sorted(aid for aid, cats in conn.execute(query) if not cats)


def seed_papers(keys: list[str], *, engine: Engine) -> dict[str, SeedPaper]:
    """The stored papers among these keys, as seeds (key -> SeedPaper)."""
    with engine.connect() as conn:
        rows = conn.execute(select(P).where(P.c.key.in_(keys)))
        return {r.key: SeedPaper(r.key, r.title, r.abstract, tuple(r.authors)) for r in rows}
