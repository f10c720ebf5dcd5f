"""Ingest over real HTTP: one failing source never stops the others; state is kept per source."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from models.store.sources import add_source, list_sources
from paperround.pipeline import ingest_all
from tests.cli import run_cli
from tests.feedserver import Reply

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "feeds"
NOW = datetime(2026, 11, 23, 21, tzinfo=UTC)


def test_failures_are_isolated_counted_and_cleared(engine, feed_server, monkeypatch):
    monkeypatch.setattr("paperround.fetch.time.sleep", lambda s: None)  # no real backoff waits
    rss = (EXAMPLES / "arxiv-rss-cs.LG.xml").read_bytes()
    good = feed_server.route("/rss/cs.LG", Reply(body=rss, etag='"day1"'))
    html = b"<!doctype html><html><head><title>Oops</title></head><body>down</body></html>"
    bad = feed_server.route("/rss/broken", Reply(body=html, content_type="text/html"))
    gone = feed_server.route("/rss/gone", Reply(status=404))
    add_source("good", "arxiv-rss", good, engine=engine)
    add_source("html", "arxiv-rss", bad, engine=engine)
    add_source("gone", "feed", gone, engine=engine)

    outcomes = {o.name: o for o in ingest_all(engine=engine, now=NOW)}
    assert outcomes["good"].status == "ok" and outcomes["good"].new == 30
    assert (
        outcomes["html"].status == "failed"
        and 'HTML page, not a feed (page title "Oops")' in outcomes["html"].note
    )
    assert outcomes["gone"].status == "failed" and "HTTP 404" in outcomes["gone"].note
    state = {s.name: s for s in list_sources(engine=engine)}
    assert state["good"].etag == '"day1"' and state["good"].error_count == 0
    assert state["html"].error_count == 1 and "HTML page" in state["html"].last_error
    assert state["html"].last_success_at is None

    # Next hour: the good feed answers 304 (nothing parsed), the broken one recovers.
    feed_server.route("/rss/broken", Reply(body=rss))
    later = {o.name: o for o in ingest_all(engine=engine, now=NOW + timedelta(hours=1))}
    assert later["good"].status == "not-modified" and later["good"].fetched == 0
    assert later["html"].status == "ok" and later["html"].new == 0  # same papers: deduplicated
    state = {s.name: s for s in list_sources(engine=engine)}
    assert state["html"].error_count == 0 and state["gone"].error_count == 2
    assert feed_server.requests_for("/rss/cs.LG")[1].headers.get("if-none-match") == '"day1"'


def test_source_test_prints_what_would_be_ingested_and_stores_nothing(engine, capsys):
    fixtures = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
    cases = [
        ("arxiv-rss", EXAMPLES / "arxiv-rss-cs.LG.xml", "30 records"),
        ("arxiv-api", EXAMPLES / "arxiv-api-page.xml", "5 records"),
        ("hf-daily", EXAMPLES / "hf-daily-papers.json", "11 records"),
    ]
    biorxiv = fixtures / "biorxiv" / "feedrs_biorxiv_genomics_rss1.0_2023-12-16.xml"
    if biorxiv.exists():
        cases.append(("feed", biorxiv, "1 records"))
    for kind, path, expected in cases:
        r = run_cli(capsys, "source", "test", str(path), "--kind", kind)
        assert r.exit_code == 0, r.output
        assert expected in r.stdout
    with engine.connect() as conn:
        assert conn.exec_driver_sql("select count(*) from papers").scalar() == 0


WEEKEND = b"""<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:arxiv="http://arxiv.org/schemas/atom" version="2.0"><channel>
<title>cs.LG updates on arXiv.org</title><link>http://rss.arxiv.org/rss/cs.LG</link>
<description>cs.LG updates on the arXiv.org e-print archive.</description>
<lastBuildDate>Sat, 21 Nov 2026 05:00:00 +0000</lastBuildDate>
<pubDate>Sat, 21 Nov 2026 00:00:00 -0500</pubDate>
<skipDays><day>Saturday</day><day>Sunday</day></skipDays>
</channel></rss>"""


def test_a_304_keeps_the_no_announcement_note_and_both_validators(engine, feed_server):
    lm = "Sat, 21 Nov 2026 05:00:00 GMT"
    url = feed_server.route("/rss/cs.LG", Reply(body=WEEKEND, etag='"sat"', last_modified=lm))
    add_source("arxiv-cs.LG", "arxiv-rss", url, engine=engine)
    first = ingest_all(engine=engine, now=NOW)[0]
    assert first.status == "empty" and first.note == "arXiv did not announce on Saturday 2026-11-21"

    later = ingest_all(engine=engine, now=NOW + timedelta(hours=1))[0]
    assert later.status == "not-modified"
    (src,) = list_sources(engine=engine)
    assert src.last_empty_reason == "arXiv did not announce on Saturday 2026-11-21"
    assert (src.etag, src.last_modified) == ('"sat"', lm)
    assert src.last_success_at == NOW + timedelta(hours=1)
