"""Backfill through real HTTP on 127.0.0.1: HF day by day, arXiv RSS sources via the API."""

from __future__ import annotations

from datetime import UTC, date, datetime

from models.settings import get_settings
from models.store.sources import add_source
from paperround.ingest.backfill import arxiv_categories, run_backfill
from tests.feedserver import Reply
from tests.fixtures import FIXTURES

FEED = b'<rss version="2.0"><channel><title>t</title></channel></rss>'


def test_backfill_hf_by_day_and_arxiv_through_the_api(engine, feed_server, monkeypatch):
    hf = FIXTURES / "hf-daily" / "sotawhat_hf_api_daily_papers_2026-06-12.json"
    page = FIXTURES / "arxiv-api" / "sotawhat_api_all-transformer_AND_cat-cs.LG_max5_2026-06-14.xml"
    feed_server.route("/api/daily_papers", Reply(body=hf.read_bytes()), Reply(body=b"[]"))
    feed_server.route("/api/query", Reply(body=page.read_bytes()))  # the same page, forever
    monkeypatch.setenv("PAPERROUND_ARXIV_API_URL", feed_server.url("/api/query"))
    monkeypatch.setenv("PAPERROUND_ARXIV_API_SPACING", "0")
    get_settings.cache_clear()
    add_source("hf", "hf-daily", feed_server.url("/api/daily_papers"), engine=engine)
    add_source("arxiv-cs.LG", "arxiv-rss", feed_server.url("/rss/cs.LG+stat.ML"), engine=engine)
    add_source("bair", "feed", feed_server.route("/rss/bair", Reply(body=FEED)), engine=engine)

    now = datetime(2026, 6, 14, 12, tzinfo=UTC)
    outcomes = {o.source: o for o in run_backfill(engine=engine, since=date(2026, 6, 12), now=now)}

    hf_days = [r.path for r in feed_server.requests_for("/api/daily_papers")]
    assert hf_days == [f"/api/daily_papers?date=2026-06-{d}" for d in (12, 13, 14)]
    assert outcomes["hf"].fetched == 30 and outcomes["hf"].new == 30
    # The API kept serving the same 5 papers: the client notices and stops paging.
    assert outcomes["arxiv-cs.LG"].fetched == 5 and outcomes["arxiv-cs.LG"].error is None
    api_calls = [r.path for r in feed_server.requests_for("/api/query")]
    assert len(api_calls) == 2
    assert "cat%3Acs.LG+OR+cat%3Astat.ML" in api_calls[0]
    assert "submittedDate%3A%5B202606120000+TO+202606142359%5D" in api_calls[0]
    assert outcomes["bair"].skipped.startswith("a feed source only shows its latest items")
    assert feed_server.requests_for("/rss/bair") == []
    assert arxiv_categories("https://rss.arxiv.org/rss/cs.LG+stat.ML") == ["cs.LG", "stat.ML"]
