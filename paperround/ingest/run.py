"""The ingest stage as plain functions: what flows orchestrate and tests call directly.

fetch -> parse -> store (dedup); the digest stage that follows is paperround/digest/run.py.
Each function takes the engine and "now" explicitly; none imports Prefect.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

from sqlalchemy import Engine

from models.errors import FetchError, PaperroundError
from models.records import ParseResult, SourceOutcome, SourceState
from models.settings import get_settings
from models.store import papers, sources
from paperround.ingest.enrich import enrich_new_papers
from paperround.seed_lookup import resolve_pending

log = logging.getLogger(__name__)


# -- ingest ---------------------------------------------------------------------------------


def fetch_source(src: SourceState) -> tuple[bytes | None, dict]:
    """Fetch a source's bytes; local paths and file:// URLs are read from disk (demo, tests)."""
    parsed = urlparse(src.url)
    if parsed.scheme in ("", "file"):
        path = Path(parsed.path if parsed.scheme == "file" else src.url)
        try:
            return path.read_bytes(), {}
        except OSError as exc:
            raise PaperroundError(f"{src.name}: cannot read {path}: {exc.strerror}") from None
    # Here for start-up speed, not a cycle: httpx costs ~0.5 s, and local files need none.
    from paperround.ingest.fetch import fetch

    settings = get_settings()
    result = fetch(
        src.url,
        etag=src.etag,
        last_modified=src.last_modified,
        timeout=settings.fetch_timeout,
        max_bytes=settings.fetch_max_bytes,
        backoff=settings.fetch_backoff,
    )
    meta = {
        "etag": result.etag,
        "last_modified": result.last_modified,
        "content_type": result.content_type,
    }
    return (None if result.not_modified else result.body), meta


def parse_source(src: SourceState, body: bytes, content_type: str | None = None) -> ParseResult:
    from paperround.ingest.sources import parse

    return parse(src.kind, body, source=src.name, content_type=content_type)


def ingest_source(src: SourceState, *, engine: Engine, now: datetime) -> SourceOutcome:
    """Fetch, parse and store one source; any error is recorded on the source, not raised."""
    try:
        body, meta = fetch_source(src)
        if body is None:
            outcome = SourceOutcome(src.name, "not-modified")
        else:
            result = parse_source(src, body, meta.get("content_type"))
            stored = papers.upsert_records(result.records, engine=engine, now=now)
            status = "empty" if not result.records else "ok"
            outcome = SourceOutcome(
                src.name,
                status,
                fetched=len(result.records),
                new=len(stored.new),
                revised=len(stored.revised),
                note=result.empty_reason or _dropped(result.dropped),
            )
            meta["announced_on"] = result.announced_on
    except FetchError as exc:
        # Offline, the URL adds nothing to "cannot resolve rss.arxiv.org".
        note = exc.reason if exc.offline else _without_name(str(exc), src.name)
        outcome = SourceOutcome(src.name, "failed", note=note, offline=exc.offline)
        meta = {}
    except PaperroundError as exc:
        outcome = SourceOutcome(src.name, "failed", note=_without_name(str(exc), src.name))
        meta = {}
    except Exception as exc:  # a bug must not stop the other sources; it is logged in full
        log.exception("ingest of %s failed", src.name)
        outcome = SourceOutcome(src.name, "failed", note=f"{type(exc).__name__}: {exc}")
        meta = {}
    sources.record_fetch(
        src.name,
        engine=engine,
        now=now,
        status=outcome.status,
        fetched=outcome.fetched,
        new=outcome.new,
        revised=outcome.revised,
        note=outcome.note,
        etag=meta.get("etag"),
        last_modified=meta.get("last_modified"),
        announced_on=meta.get("announced_on"),
    )
    return outcome


# Progress of a run: (items done, items in all, what was just done), for a terminal's bar.
Progress = Callable[[int, int, str], None]


def _without_name(message: str, name: str) -> str:
    """A source's error as recorded: every listing and the digest footer name the source
    already, so "notfeed: notfeed: not a feed" loses its first prefix."""
    return message.removeprefix(f"{name}: ")


def _dropped(n: int) -> str | None:
    return f"{n} junk item(s) dropped (no title, id or link)" if n else None


def ingest_all(
    *,
    engine: Engine,
    now: datetime,
    names: list[str] | None = None,
    progress: Progress | None = None,
) -> list[SourceOutcome]:
    """Ingest every enabled source (or the named ones); one failing source never stops others."""
    todo = sources.select_sources(names, engine=engine)
    outcomes = []
    for done, src in enumerate(todo, 1):
        outcomes.append(ingest_source(src, engine=engine, now=now))
        if progress is not None:
            o = outcomes[-1]
            progress(done, len(todo), f"{o.name}: {o.status}, {o.new} new")

    if get_settings().enrich:
        enriched = enrich_new_papers(engine=engine, now=now)
        if enriched is not None:
            outcomes.append(enriched)
    pending = pending_seeds_outcome(engine=engine)
    if pending is not None:
        outcomes.append(pending)
    return outcomes


def pending_seeds_outcome(*, engine: Engine) -> SourceOutcome | None:
    """Look up the seeds named while the arXiv API was unreachable (seed_lookup.py), now
    that papers may have arrived or the network may be back; None when none are pending.
    A seed still pending is a warning: the ingest itself went fine."""
    report = resolve_pending(engine=engine)
    if not (report.resolved or report.pending):
        return None
    note = f"{len(report.resolved)} pending seed(s) looked up"
    if report.pending:
        note += f"; still pending: {', '.join(report.pending)} ({report.problem})"
    status = "warning" if report.pending else "ok"
    return SourceOutcome("pending-seeds", status, fetched=len(report.resolved), note=note)


def ingest_summary(outcomes: list[SourceOutcome]) -> dict:
    """What an ingest run did, as the CLI's --json and the flow's result show it."""
    return {
        "sources": [asdict(o) for o in outcomes],
        "fetched": sum(o.fetched for o in outcomes),
        "new": sum(o.new for o in outcomes),
        "revised": sum(o.revised for o in outcomes),
        "failed": [o.name for o in outcomes if o.status == "failed"],
        "offline": [o.name for o in outcomes if o.offline],
    }
