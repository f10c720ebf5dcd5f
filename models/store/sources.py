"""Configured sources and their fetch state (conditional GET validators, error counts), and
the rule that ties profiles to them: a profile reads only sources that exist (a name that
names none would read nothing, silently, for ever)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from difflib import get_close_matches
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import Engine, delete, func
from sqlmodel import Session, col, select

from models.errors import DuplicateError, InUseError, NotFoundError
from models.records import IngestRunRecord, SourceState
from models.tables import IngestRun, Profile, Source
from models.userinput import check_name
from models.utctime import utcnow

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
        raise unknown_source(sorted(unknown)[0], [s.name for s in found])
    return [s for s in found if s.name in names]


def unknown_source(name: str, known: Iterable[str], where: str = "") -> NotFoundError:
    """'no source named X' (where), with the likely meant name when one is close: a case
    difference first (arxiv-cs.lg for arxiv-cs.LG is the usual typo), else difflib's."""
    known = sorted(known)
    same_case = [k for k in known if k.casefold() == name.casefold()]
    close = same_case or get_close_matches(name, known, n=1, cutoff=0.8)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return NotFoundError(f"no source named {name!r}{where} ({hint}see: paperround source list)")


def _stored_names(session: Session) -> list[str]:
    return list(session.exec(select(Source.name)).all())


def check_source_names(names: Sequence[str], *, engine: Engine, reader: str) -> None:
    """Refuse (NotFoundError) a name in `names` that no source has, writing nothing: the
    check a command makes before its first write (`profile apply`, `import`). A store with no
    sources at all reads the defaults (ensure_default_sources), so those names are known."""
    if not names:
        return
    with Session(engine) as session:
        known = _stored_names(session) or [n for n, _, _ in DEFAULT_SOURCES]
    for name in names:
        if name not in known:
            raise unknown_source(name, known, f" for profile {reader!r}")


def hold_read_sources(session: Session, names: Sequence[str], *, reader: str) -> None:
    """In a transaction saving a profile that reads `names`: refuse a name no source has, and
    keep the named sources until the commit. Call it after the transaction's first write: on
    SQLite that write took the store's write lock, so no remove_source runs between this
    check and the commit; on PostgreSQL the rows are read FOR SHARE, which a remove_source's
    DELETE waits for (and a DELETE that came first makes the row vanish here). A store with no
    sources at all is given its defaults, in this transaction, as `source list` would."""
    if not names:
        return
    if not _stored_names(session):
        _add_defaults(session)
        session.flush()
    held = select(Source.name).where(col(Source.name).in_(list(names))).with_for_update(read=True)
    found = set(session.exec(held).all())
    for name in names:
        if name not in found:
            raise unknown_source(name, _stored_names(session), f" for profile {reader!r}")


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


def remove_source(
    name: str, *, engine: Engine, force: bool = False, now: datetime | None = None
) -> dict[str, list[str]]:
    """Remove a source. While profiles read it this is an InUseError naming them, unless
    force: then it also leaves their source lists (updated at `now`), in the same
    transaction. Returns each profile changed with the sources it reads now (an empty list
    reads every source)."""
    with Session(engine) as session:
        src = session.exec(select(Source).where(Source.name == name)).first()
        if src is None:
            raise unknown_source(name, _stored_names(session))
        # The delete first: it takes the write lock (SQLite) or the row lock a profile save
        # reading this source holds (PostgreSQL, hold_read_sources), so no profile can start
        # reading it between the check below and the commit.
        session.delete(src)
        session.flush()
        # FOR UPDATE (PostgreSQL): a profile save in flight is waited for and its committed
        # sources read, or --force would write back a list computed from the row before it.
        profiles = select(Profile).order_by(Profile.name).with_for_update()
        readers = [p for p in session.exec(profiles) if name in p.sources]
        if readers and not force:
            names = ", ".join(repr(p.name) for p in readers)
            raise InUseError(
                f"source {name!r} is read by profile(s) {names}: give them other sources first "
                "(paperround profile edit NAME -s SOURCE, or --all-sources), or remove it with "
                "--force, which takes it out of their lists (a profile left with none reads "
                "every source)"
            )
        changed = {}
        for prof in readers:
            prof.sources = [s for s in prof.sources if s != name]
            prof.updated_at = now or utcnow()
            session.add(prof)
            changed[prof.name] = list(prof.sources)
        session.commit()
        return changed


def _add_defaults(session: Session) -> None:
    for name, kind, url in DEFAULT_SOURCES:
        session.add(Source(name=name, kind=kind, url=url))


def ensure_default_sources(*, engine: Engine) -> None:
    """Give a fresh install its default sources (only when it has none at all)."""
    with Session(engine) as session:
        if session.exec(select(Source)).first() is not None:
            return
        _add_defaults(session)
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
