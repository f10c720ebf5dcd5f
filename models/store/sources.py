"""Configured sources and their fetch state (conditional GET validators, error counts)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import Engine, delete, func
from sqlmodel import Session, col, select

from models.errors import DuplicateError, NotFoundError
from models.records import IngestRunRecord, SourceState
from models.tables import IngestRun, Source
from models.userinput import check_name

# A fresh install reads these; `paperround source list|add|remove` shows and changes them.
DEFAULT_SOURCES: tuple[tuple[str, str, str], ...] = (
    ("arxiv-cs.LG", "arxiv-rss", "https://rss.arxiv.org/rss/cs.LG+stat.ML"),
    ("arxiv-cs.AI", "arxiv-rss", "https://rss.arxiv.org/rss/cs.AI+cs.CL"),
    ("hf-daily", "hf-daily", "https://huggingface.co/api/daily_papers"),
)


def _state(src: Source) -> SourceState:
    return SourceState(
        name=src.name,
        kind=src.kind,
        url=src.url,
        enabled=src.enabled,
        etag=src.etag,
        last_modified=src.last_modified,
        error_count=src.error_count,
        last_error=src.last_error,
        last_attempt_at=src.last_attempt_at,
        last_success_at=src.last_success_at,
        last_announced_on=src.last_announced_on,
        last_empty_reason=src.last_empty_reason,
    )


def list_sources(*, engine: Engine, enabled_only: bool = False) -> list[SourceState]:
    with Session(engine) as session:
        query = select(Source).order_by(Source.name)
        if enabled_only:
            query = query.where(Source.enabled)
        return [_state(s) for s in session.exec(query).all()]


def select_sources(names: list[str] | None, *, engine: Engine) -> list[SourceState]:
    """The enabled sources, or the named ones (enabled or not); a name no source has is a
    NotFoundError, so a typo on the command line is said, not ingested as nothing."""
    found = list_sources(engine=engine, enabled_only=names is None)
    if names is None:
        return found
    unknown = set(names) - {s.name for s in found}
    if unknown:
        raise NotFoundError(f"no source named {sorted(unknown)[0]!r} (see: paperround source list)")
    return [s for s in found if s.name in names]


def last_runs(*, engine: Engine) -> dict[str, IngestRunRecord]:
    """Each source's latest fetch from the ingest log (what `source list` shows)."""
    latest = select(func.max(IngestRun.id)).group_by(IngestRun.source)
    with Session(engine) as session:
        rows = session.exec(select(IngestRun).where(col(IngestRun.id).in_(latest))).all()
        return {
            r.source: IngestRunRecord(
                r.source, r.started_at, r.status, r.fetched, r.new, r.revised, r.note
            )
            for r in rows
        }


def add_source(name: str, kind: str, url: str, *, engine: Engine) -> SourceState:
    name = check_name(name, "source")
    if not urlsplit(url).scheme:  # a local path: absolute, so any directory reads the same file
        url = str(Path(url).expanduser().resolve())
    with Session(engine) as session:
        if session.exec(select(Source).where(Source.name == name)).first():
            raise DuplicateError(f"a source named {name!r} already exists")
        src = Source(name=name, kind=kind, url=url)
        session.add(src)
        session.commit()
        session.refresh(src)
        return _state(src)


def remove_source(name: str, *, engine: Engine) -> None:
    with Session(engine) as session:
        src = session.exec(select(Source).where(Source.name == name)).first()
        if src is None:
            raise NotFoundError(f"no source named {name!r} (see: paperround source list)")
        session.delete(src)
        session.commit()


def ensure_default_sources(*, engine: Engine) -> None:
    """Give a fresh install its default sources (only when it has none at all)."""
    with Session(engine) as session:
        if session.exec(select(Source)).first() is not None:
            return
        for name, kind, url in DEFAULT_SOURCES:
            session.add(Source(name=name, kind=kind, url=url))
        session.commit()


RUNS_KEPT = timedelta(days=90)  # a source's fetch history kept: about 300 rows a day in all


def record_fetch(
    name: str,
    *,
    engine: Engine,
    now: datetime,
    status: str,
    fetched: int = 0,
    new: int = 0,
    revised: int = 0,
    note: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    announced_on: date | None = None,
) -> None:
    """Record one fetch: a success resets the error count, a failure increments it. The
    source's runs older than RUNS_KEPT go in the same transaction (`source list` shows the
    last run; the table would otherwise grow by every fetch for ever)."""
    with Session(engine) as session:
        src = session.exec(select(Source).where(Source.name == name)).first()
        if src is not None:
            src.last_attempt_at = now
            if status == "failed":
                src.error_count += 1
                src.last_error = note
            else:
                src.error_count = 0
                src.last_success_at = now
                if status == "not-modified":
                    # Same content as last time: its "no announcement" note still holds, and
                    # a 304 may repeat only some validators.
                    src.etag = etag or src.etag
                    src.last_modified = last_modified or src.last_modified
                else:
                    if etag is not None or last_modified is not None:
                        src.etag, src.last_modified = etag, last_modified
                    src.last_empty_reason = note if status == "empty" else None
                if announced_on is not None:
                    src.last_announced_on = announced_on
            session.add(src)
        session.add(
            IngestRun(
                source=name,
                started_at=now,
                status=status,
                fetched=fetched,
                new=new,
                revised=revised,
                note=note,
            )
        )
        session.exec(
            delete(IngestRun).where(
                col(IngestRun.source) == name, col(IngestRun.started_at) < now - RUNS_KEPT
            )
        )
        session.commit()
