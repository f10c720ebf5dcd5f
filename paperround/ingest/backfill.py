"""Backfill: fetch the days a source missed (the service was down, or a new install).

arXiv RSS sources are backfilled through the arXiv API (submittedDate ranges over the feed's
categories, 3 s between calls); Hugging Face Daily Papers day by day. Generic feeds (and
arXiv API query sources) only ever show their latest items, so they cannot be backfilled:
named on the command line they are refused before anything is fetched; in a backfill of
every source they are skipped, each with a line saying why.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine

from models.errors import ConfigError, FetchError, PaperroundError
from models.records import ParseResult, SourceState
from models.settings import get_settings
from models.store.papers import upsert_records
from models.store.sources import select_sources
from paperround.ingest.arxiv_client import ArxivApiClient
from paperround.ingest.fetch import fetch
from paperround.ingest.sources.hf_daily import daily_url

BACKFILLABLE = ("arxiv-rss", "hf-daily")


@dataclass(frozen=True)
class BackfillOutcome:
    source: str
    fetched: int = 0
    new: int = 0
    error: str | None = None
    skipped: str | None = None  # why this source was not backfilled
    offline: bool = False  # its host could not be resolved or reached


def why_not_backfillable(src: SourceState) -> str | None:
    """None when the source can be backfilled, else the reason, in words."""
    if src.kind in BACKFILLABLE:
        return None
    return (
        f"a {src.kind} source only shows its latest items; backfill reads "
        f"{' and '.join(BACKFILLABLE)} sources"
    )


def arxiv_categories(url: str) -> list[str]:
    """cs.LG+stat.ML from https://rss.arxiv.org/rss/cs.LG+stat.ML."""
    last = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    return [c for c in last.split("+") if c]


def _pages(src: SourceState, since: date, until: date) -> tuple[int | None, Iterator[ParseResult]]:
    settings = get_settings()
    if src.kind == "hf-daily":
        days = [since + timedelta(days=n) for n in range((until - since).days + 1)]

        def by_day() -> Iterator[ParseResult]:
            from paperround.ingest.sources import parse

            for day in days:
                url = daily_url(day, src.url)
                body = fetch(
                    url, timeout=settings.fetch_timeout, backoff=settings.fetch_backoff
                ).body
                yield parse("hf-daily", body or b"[]", source=src.name)

        return len(days), by_day()
    if src.kind == "arxiv-rss":
        client = ArxivApiClient(
            base_url=settings.arxiv_api_url, min_interval=settings.arxiv_api_spacing
        )
        return None, client.backfill(since, until, arxiv_categories(src.url))
    raise PaperroundError(
        f"{src.name}: a {src.kind} source only shows its latest items; it cannot be backfilled"
    )


def backfill_source(
    src: SourceState,
    *,
    engine: Engine,
    since: date,
    now: datetime,
    progress: Progress | None = None,
) -> BackfillOutcome:
    """Fetch and store everything since `since` for one source; errors are returned."""
    fetched = new = 0
    try:
        total, pages = _pages(src, since, now.date())
        task = progress.add_task(escape(src.name), total=total) if progress else None
        for page in pages:
            stored = upsert_records(page.records, engine=engine, now=now)
            fetched += len(page.records)
            new += len(stored.new)
            if progress is not None and task is not None:
                progress.advance(task)
    except PaperroundError as exc:
        if isinstance(exc, FetchError) and exc.offline:
            # Offline, the query URL adds nothing to "cannot resolve export.arxiv.org".
            return BackfillOutcome(src.name, fetched, new, exc.reason, offline=True)
        return BackfillOutcome(src.name, fetched, new, str(exc), offline=False)
    return BackfillOutcome(src.name, fetched, new)


def run_backfill(
    *,
    engine: Engine,
    since: date,
    now: datetime,
    names: list[str] | None = None,
    console: Console | None = None,
) -> list[BackfillOutcome]:
    """Backfill every enabled source that can be (or the named ones), with a progress bar.

    A named source that cannot be backfilled is refused (ConfigError) before anything is
    fetched; without names, such sources are skipped with their reason.
    """
    sources = select_sources(names or None, engine=engine)
    if names:
        for s in sources:
            if (reason := why_not_backfillable(s)) is not None:
                raise ConfigError(f"cannot backfill {s.name}: {reason}")
    skipped = [
        BackfillOutcome(s.name, skipped=reason)
        for s in sources
        if (reason := why_not_backfillable(s)) is not None
    ]
    sources = [s for s in sources if why_not_backfillable(s) is None]
    if not sources:
        raise ConfigError(
            "no enabled source can be backfilled: backfill reads "
            f"{' and '.join(BACKFILLABLE)} sources (see: paperround source list)"
        )
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        outcomes = [
            backfill_source(s, engine=engine, since=since, now=now, progress=progress)
            for s in sources
        ]
    if console is not None:
        for o in [*outcomes, *skipped]:
            if o.skipped:
                line = f"{escape(o.source)}: skipped ({escape(o.skipped)})"
            else:
                status = f"[red]failed:[/red] {escape(o.error)}" if o.error else "ok"
                line = f"{escape(o.source)}: {o.fetched} fetched, {o.new} new, {status}"
            console.print(line, highlight=False, soft_wrap=True)
    return [*outcomes, *skipped]
