"""Papers: batch upserts with dedup on the canonical key, and selection of unsent papers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, and_, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from models.records import Candidate, PaperRecord
from models.tables import Paper, PaperOccurrence, SentItem
from paperround.ids import canonical_key

CHUNK = 500


@dataclass(frozen=True)
class UpsertResult:
    """What a batch did to the store: later stages act only on new and revised papers."""

    new: tuple[int, ...] = ()
    revised: tuple[int, ...] = ()
    seen: int = 0
    keys: dict[str, int] = field(default_factory=dict)


def record_key(rec: PaperRecord) -> str:
    return canonical_key(rec.arxiv_id, rec.doi, rec.title, rec.authors)


def _insert(engine: Engine, table):
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _richer(old, new):
    """The richer of two values: a longer string or list wins; None never replaces."""
    if new in (None, "", [], ()):
        return old
    if old in (None, "", [], ()):
        return new
    if isinstance(old, str | list | tuple) and len(new) > len(old):
        return new
    return old


def _union_categories(old: list[str], new: Sequence[str]) -> list[str]:
    out = list(old)
    for c in new:
        if c not in out:
            out.append(c)
    return out


def _row_from_record(key: str, rec: PaperRecord, now: datetime) -> dict:
    version = rec.version or 1
    day = (rec.published or now).date().isoformat()
    return {
        "key": key,
        "arxiv_id": rec.arxiv_id,
        "doi": rec.doi,
        "title": rec.title,
        "abstract": rec.abstract,
        "authors": list(rec.authors),
        "categories": list(rec.categories),
        "url": rec.url,
        "pdf_url": rec.pdf_url,
        "version": version,
        "version_dates": {str(version): day},
        "license": rec.license,
        "journal_ref": rec.journal_ref,
        "comment": rec.comment,
        "upvotes": rec.upvotes,
        "github_repo": rec.github_repo,
        "keywords": list(rec.keywords),
        "announced_at": rec.published or now,
        "first_seen_at": now,
        "updated_at": now,
        "revised_at": None,
    }


def _merge(row: dict, rec: PaperRecord, now: datetime) -> tuple[dict, bool]:
    """Merge a record into an existing row's values; returns (changes, revised)."""
    changes: dict = {}
    for name in ("title", "abstract", "url", "pdf_url", "license", "journal_ref", "comment"):
        val = _richer(row[name], getattr(rec, name))
        if val != row[name]:
            changes[name] = val
    for name in ("doi", "arxiv_id", "github_repo"):
        if row[name] is None and getattr(rec, name):
            changes[name] = getattr(rec, name)
    authors = _richer(row["authors"], list(rec.authors))
    if authors != row["authors"]:
        changes["authors"] = authors
    cats = _union_categories(row["categories"], rec.categories)
    if cats != row["categories"]:
        changes["categories"] = cats
    kws = _union_categories(row["keywords"], rec.keywords)
    if kws != row["keywords"]:
        changes["keywords"] = kws
    if rec.upvotes is not None and rec.upvotes != row["upvotes"]:
        changes["upvotes"] = rec.upvotes
    revised = False
    if rec.version and rec.version > (row["version"] or 1):
        revised = True
        dates = dict(row["version_dates"])
        dates[str(rec.version)] = (rec.published or now).date().isoformat()
        changes.update(version=rec.version, version_dates=dates, revised_at=now)
        # A new version brings its own abstract and title: take them even if shorter.
        for name in ("title", "abstract"):
            if getattr(rec, name):
                changes[name] = getattr(rec, name)
    if changes:
        changes["updated_at"] = now
    return changes, revised


def upsert_records(
    records: Iterable[PaperRecord], *, engine: Engine, now: datetime
) -> UpsertResult:
    """Insert new papers, merge known ones, record occurrences. One transaction per chunk."""
    by_key: dict[str, list[PaperRecord]] = {}
    for rec in records:
        by_key.setdefault(record_key(rec), []).append(rec)
    new: list[int] = []
    revised: list[int] = []
    keys: dict[str, int] = {}
    items = list(by_key.items())
    cols = Paper.__table__.c
    for start in range(0, len(items), CHUNK):
        chunk = dict(items[start : start + CHUNK])
        with engine.begin() as conn:
            existing = {
                r.key: r._asdict()
                for r in conn.execute(select(Paper.__table__).where(cols.key.in_(chunk)))
            }
            fresh = [
                _row_from_record(k, recs[0], now) for k, recs in chunk.items() if k not in existing
            ]
            if fresh:
                stmt = _insert(engine, Paper.__table__).on_conflict_do_nothing(
                    index_elements=["key"]
                )
                conn.execute(stmt, fresh)
            ids = dict(conn.execute(select(cols.key, cols.id).where(cols.key.in_(chunk))).all())
            fresh_keys = {r["key"] for r in fresh}
            for key, recs in chunk.items():
                row = existing.get(key)
                todo = recs if row is not None else recs[1:]
                if row is None:
                    new.append(ids[key])
                    if not todo:
                        continue
                    row = conn.execute(select(Paper.__table__).where(cols.id == ids[key])).one()
                    row = row._asdict()
                was_revised = False
                for rec in todo:
                    changes, rev = _merge(row, rec, now)
                    if changes:
                        row.update(changes)
                        conn.execute(
                            Paper.__table__.update().where(cols.id == row["id"]).values(**changes)
                        )
                    was_revised = was_revised or rev
                if was_revised and key not in fresh_keys:
                    revised.append(row["id"])
            occ = [
                {
                    "paper_id": ids[key],
                    "source": rec.source,
                    "external_id": rec.external_id,
                    "announce_type": rec.announce_type,
                    "first_seen_at": now,
                    "last_seen_at": now,
                }
                for key, recs in chunk.items()
                for rec in recs
            ]
            stmt = _insert(engine, PaperOccurrence.__table__)
            stmt = stmt.on_conflict_do_update(
                index_elements=["paper_id", "source"],
                set_={
                    "external_id": stmt.excluded.external_id,
                    "announce_type": stmt.excluded.announce_type,
                    "last_seen_at": stmt.excluded.last_seen_at,
                },
            )
            conn.execute(stmt, occ)
            keys.update(ids)
    return UpsertResult(new=tuple(new), revised=tuple(revised), seen=len(by_key), keys=keys)


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


def unsent_candidates(
    *,
    engine: Engine,
    profile_id: int,
    channel_key: str,
    since: datetime,
    sources: Sequence[str] = (),
) -> list[Candidate]:
    """Papers first seen (or revised) since `since` that this channel has not received.

    A paper sent at an older version comes back as revised, with the "updated" badge.
    """
    p = Paper.__table__
    s = SentItem.__table__
    joined = p.outerjoin(
        s,
        and_(s.c.paper_id == p.c.id, s.c.profile_id == profile_id, s.c.channel_key == channel_key),
    )
    query = (
        select(p, s.c.version.label("sent_version"))
        .select_from(joined)
        .where(
            or_(
                and_(s.c.id.is_(None), p.c.first_seen_at >= since),
                and_(s.c.id.is_not(None), s.c.version < p.c.version, p.c.revised_at >= since),
            )
        )
    )
    if sources:
        o = PaperOccurrence.__table__
        query = query.where(p.c.id.in_(select(o.c.paper_id).where(o.c.source.in_(list(sources)))))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [to_candidate(r, sent_version=r.sent_version) for r in rows]
