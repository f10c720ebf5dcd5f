"""Ingest flow: fetch -> parse -> upsert for every source; one failure never stops the rest."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from prefect import flow, task

from flows.common import RunFailed, publish_ingest_artifact, transient_error
from models.db import get_engine
from models.store.sources import ensure_default_sources
from paperround.ingest.run import SourceOutcome, ingest_all, ingest_summary


def _run_name() -> str:
    return f"ingest-{datetime.now(UTC):%Y-%m-%dT%H%M}"


# HTTP retries (429/5xx, Retry-After) happen per source inside fetch(); this task-level
# retry only covers the store (a locked SQLite file, a dropped PostgreSQL connection).
@task(
    name="ingest-sources",
    retries=2,
    retry_delay_seconds=[2, 10],
    retry_condition_fn=transient_error,
)
def ingest_sources(names: list[str] | None, now: datetime) -> list[SourceOutcome]:
    """One task for the batch of sources; each source's failure is recorded, not raised."""
    engine = get_engine()
    ensure_default_sources(engine=engine)
    return ingest_all(engine=engine, now=now, names=names)


@flow(name="ingest", flow_run_name=_run_name)
def ingest(sources: list[str] | None = None, now: datetime | None = None) -> dict:
    """Fetch every enabled source (or the named ones) and store what is new.

    Ends Failed, after trying every source, if any source failed.
    """
    now = now or datetime.now(UTC)
    started = time.monotonic()
    outcomes = ingest_sources(sources, now)
    new = sum(o.new for o in outcomes)
    failed = [o.name for o in outcomes if o.status == "failed"]
    line = f"ingest {now:%H:%M} · {len(outcomes)} sources, {new} new papers"
    line += f", failed: {', '.join(failed)}" if failed else ""
    print(f"{line} · {time.monotonic() - started:.1f} s", flush=True)
    publish_ingest_artifact(outcomes, key="ingest")
    summary = ingest_summary(outcomes)
    if summary["failed"]:
        raise RunFailed(f"sources failed: {', '.join(summary['failed'])}", summary)
    return summary
