"""Ingest over real HTTP: one failing source never stops the others; state is kept per source."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from models.store.sources import add_source, list_sources
from paperround.ingest.run import ingest_all, ingest_summary
from tests.cli import run_cli
from tests.feedserver import Reply
from tests.fixtures import FIXTURES

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "feeds"
NOW = datetime(2026, 11, 23, 21, tzinfo=UTC)


def test_failures_are_isolated_counted_and_cleared(engine, feed_server):
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


def test_a_feed_failing_in_passing_is_retried_with_the_configured_backoff(
    engine, feed_server, monkeypatch
):
    import paperround.ingest.fetch
    from models.settings import get_settings

    monkeypatch.setenv("PAPERROUND_FETCH_BACKOFF", "0.01")
    get_settings.cache_clear()
    real_fetch, backoffs = paperround.ingest.fetch.fetch, []

    def fetch(url, **kw):
        backoffs.append(kw.get("backoff"))
        return real_fetch(url, **kw)

    monkeypatch.setattr(paperround.ingest.fetch, "fetch", fetch)
    rss = (EXAMPLES / "arxiv-rss-cs.LG.xml").read_bytes()
    url = feed_server.route("/rss/cs.LG", Reply(status=503), Reply(body=rss))
    add_source("lg", "arxiv-rss", url, engine=engine)

    (outcome,) = ingest_all(engine=engine, now=NOW)
    assert outcome.status == "ok" and outcome.new == 30
    assert len(feed_server.requests_for("/rss/cs.LG")) == 2  # the 503, then the retry
    assert backoffs == [0.01]  # the setting, not fetch()'s 2 s default


def test_source_test_prints_what_would_be_ingested_and_stores_nothing(engine, capsys):
    cases = [
        ("arxiv-rss", EXAMPLES / "arxiv-rss-cs.LG.xml", "30 records"),
        ("arxiv-api", EXAMPLES / "arxiv-api-page.xml", "5 records"),
        ("hf-daily", EXAMPLES / "hf-daily-papers.json", "11 records"),
        (
            "feed",
            FIXTURES / "biorxiv" / "feedrs_biorxiv_genomics_rss1.0_2023-12-16.xml",
            "1 records",
        ),
    ]
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


def _api_entry(arxiv_id: str, title: str, categories: tuple[str, ...], doi: str) -> str:
    """One entry in the arXiv API's own Atom format (see examples/feeds/arxiv-api-page.xml)."""
    cats = "".join(
        f'<category term="{c}" scheme="http://arxiv.org/schemas/atom"/>' for c in categories
    )
    return f"""<entry><id>http://arxiv.org/abs/{arxiv_id}v2</id><title>{title}</title>
<updated>2026-06-11T17:59:49Z</updated><published>2026-06-10T17:59:49Z</published>
<link href="https://arxiv.org/abs/{arxiv_id}v2" rel="alternate" type="text/html"/>
<summary>Abstract.</summary><author><name>A. Author</name></author>
<arxiv:doi>{doi}</arxiv:doi><arxiv:primary_category term="{categories[0]}"/>{cats}</entry>"""


def _api_page(*entries: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom"><title>arXiv Query</title>'
        f"<opensearch:totalResults>{len(entries)}</opensearch:totalResults>"
        "<opensearch:startIndex>0</opensearch:startIndex>" + "".join(entries) + "</feed>"
    ).encode()


def _hf_with_api(engine, feed_server, monkeypatch, hf: bytes, api: Reply) -> None:
    """A Hugging Face source, and enrichment on, against an arXiv API on 127.0.0.1."""
    from models.settings import get_settings

    feed_server.route("/api/query", api)
    monkeypatch.setenv("PAPERROUND_ENRICH", "true")
    monkeypatch.setenv("PAPERROUND_ARXIV_API_URL", feed_server.url("/api/query"))
    monkeypatch.setenv("PAPERROUND_ARXIV_API_SPACING", "0")
    get_settings.cache_clear()
    add_source(
        "hf", "hf-daily", feed_server.route("/api/daily_papers", Reply(body=hf)), engine=engine
    )


def test_papers_without_categories_are_enriched_from_the_arxiv_api(
    engine, feed_server, monkeypatch
):
    import json

    from models.store.paper_queries import find_paper

    hf = (EXAMPLES / "hf-daily-papers.json").read_bytes()
    ids = sorted(e["paper"]["id"] for e in json.loads(hf))
    page = _api_page(
        _api_entry(ids[0], "Anything", ("stat.ML", "cs.LG"), "10.1000/one"),
        _api_entry(ids[1], "Anything", ("cs.CL",), "10.1000/two"),
    )
    _hf_with_api(engine, feed_server, monkeypatch, hf, Reply(body=page))

    outcomes = {o.name: o for o in ingest_all(engine=engine, now=NOW)}
    assert outcomes["hf"].new == len(ids)
    assert outcomes["arxiv-api-enrich"].status == "ok"
    assert outcomes["arxiv-api-enrich"].fetched == 2
    (call,) = feed_server.requests_for("/api/query")
    assert "id_list=" + "%2C".join(ids) in call.path  # one batch, every new id
    paper = find_paper(ids[0], engine=engine)
    assert paper["categories"] == ["stat.ML", "cs.LG"] and paper["doi"] == "10.1000/one"
    assert set(paper["sources"]) == {"hf", "arxiv-api-enrich"}
    assert find_paper(ids[2], engine=engine)["categories"] == []  # the API did not know it

    # Next run: nothing new lacks categories, so the API is not asked again.
    feed_server.route("/api/daily_papers", Reply(body=hf))
    later = {o.name for o in ingest_all(engine=engine, now=NOW + timedelta(hours=1))}
    assert "arxiv-api-enrich" not in later and len(feed_server.requests_for("/api/query")) == 1


def test_an_arxiv_api_outage_is_recorded_and_loses_no_paper(engine, feed_server, monkeypatch):
    hf = (EXAMPLES / "hf-daily-papers.json").read_bytes()
    _hf_with_api(engine, feed_server, monkeypatch, hf, Reply(status=400, content_type="text/plain"))

    outcomes = {o.name: o for o in ingest_all(engine=engine, now=NOW)}
    assert outcomes["hf"].status == "ok" and outcomes["hf"].new == 11
    failed = outcomes["arxiv-api-enrich"]
    assert failed.status == "warning" and "arXiv API lookup failed" in failed.note
    assert "HTTP 400" in failed.note
    assert ingest_summary(list(outcomes.values()))["failed"] == []  # the ingest did not fail
