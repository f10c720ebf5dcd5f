"""Enrichment: what a listing leaves out, filled in from the arXiv API.

Hugging Face Daily Papers and generic feeds give an arXiv id but no categories, so a
profile's categories could never match those papers. After each ingest, the papers first
seen in that run with an arXiv id and no categories are looked up on the arXiv API (batches
of 100 ids, through the polite client: >= 3 s apart, one connection) and merged into their
rows like any other source: categories with the primary first, DOI, journal_ref, comment.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine  # a type hint only: the SQL is in models/store/

from models.errors import FetchError, PaperroundError
from models.records import SourceOutcome
from models.settings import get_settings
from models.store import papers
from models.store.paper_queries import ids_missing_categories

SOURCE = "arxiv-api-enrich"


def enrich_new_papers(*, engine: Engine, now: datetime, client=None):
    """Look up this run's papers that lack categories; returns a SourceOutcome (never raises
    for an API problem: one failing lookup must not lose the ingest that came before)."""
    # Here for start-up speed, not a cycle: httpx and feedparser cost ~0.5 s, and most
    # ingests have no paper to look up.
    from paperround.ingest.arxiv_client import ArxivApiClient

    ids = ids_missing_categories(engine=engine, since=now)
    if not ids:
        return None
    settings = get_settings()
    own = client is None
    client = client or ArxivApiClient(
        base_url=settings.arxiv_api_url, min_interval=settings.arxiv_api_spacing, source=SOURCE
    )
    fetched = revised = 0
    wanted = set(ids)
    try:
        for page in client.lookup(ids):
            records = [r for r in page.records if r.arxiv_id in wanted]
            stored = papers.upsert_records(records, engine=engine, now=now)
            fetched += len(records)
            revised += len(stored.revised)
    except PaperroundError as exc:
        # A warning, not a failure: the papers are stored (and lack only their categories).
        note = f"{len(ids)} papers lack categories; arXiv API lookup failed: {exc}"
        offline = isinstance(exc, FetchError) and exc.offline
        return SourceOutcome(SOURCE, "warning", fetched=fetched, note=note, offline=offline)
    finally:
        if own:
            client.close()
    note = f"categories and DOIs for {fetched} of {len(ids)} papers from the arXiv API"
    return SourceOutcome(SOURCE, "ok", fetched=fetched, revised=revised, note=note)
