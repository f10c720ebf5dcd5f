"""Fetching against a real HTTP server on 127.0.0.1: every polite and every failure path."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from paperround.errors import FeedError, FetchError
from paperround.fetch import ArxivApiClient, fetch, hf_daily_url, retry_after_seconds
from tests.servers import Reply, ScriptedServer

FEED = b'<rss version="2.0"><channel><title>t</title></channel></rss>'
HTML = b"<!doctype html><html><head><title>503 Service Unavailable</title></head></html>"


class Sleeps(list):
    """An injectable sleep that records instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def test_etag_then_304_parses_nothing():
    with ScriptedServer({"/f": [Reply(200, FEED, {"ETag": '"v1"'})]}) as srv:
        first = fetch(srv.url("/f"))
        assert first.body == FEED and first.etag == '"v1"' and not first.not_modified
        second = fetch(srv.url("/f"), etag=first.etag)
        assert second.not_modified and second.body is None
        assert srv.log[1][2].get("If-None-Match") == '"v1"'


def test_last_modified_is_sent_back():
    lm = "Mon, 23 Nov 2026 04:00:00 GMT"
    with ScriptedServer({"/f": [Reply(200, FEED, {"Last-Modified": lm}), Reply(304)]}) as srv:
        assert fetch(srv.url("/f")).last_modified == lm
        assert fetch(srv.url("/f"), last_modified=lm).not_modified
        assert srv.log[1][2].get("If-Modified-Since") == lm


def test_429_honours_retry_after_then_succeeds():
    sleeps = Sleeps()
    script = [Reply(429, b"", {"Retry-After": "7"}), Reply(200, FEED)]
    with ScriptedServer({"/f": script}) as srv:
        result = fetch(srv.url("/f"), sleep=sleeps)
    assert result.body == FEED and result.attempts == 2
    assert sleeps == [7.0]


def test_503_backs_off_exponentially_then_succeeds():
    sleeps = Sleeps()
    with ScriptedServer({"/f": [Reply(503), Reply(503), Reply(200, FEED)]}) as srv:
        result = fetch(srv.url("/f"), sleep=sleeps, backoff=1.0)
    assert result.attempts == 3 and sleeps == [1.0, 2.0]


def test_503_forever_gives_up_with_a_clear_line():
    sleeps = Sleeps()
    with ScriptedServer({"/f": [Reply(503)]}) as srv, pytest.raises(FetchError) as err:
        fetch(srv.url("/f"), sleep=sleeps, retries=2)
    assert str(err.value).endswith("HTTP 503 (after 3 attempts)")
    assert len(sleeps) == 2


def test_404_fails_fast_without_retrying():
    sleeps = Sleeps()
    with ScriptedServer({"/other": [Reply()]}) as srv, pytest.raises(FetchError, match="HTTP 404"):
        fetch(srv.url("/missing"), sleep=sleeps)
    assert sleeps == [] and len(srv.log) == 1


def test_timeout_on_slow_headers_and_slow_body():
    sleeps = Sleeps()
    with ScriptedServer(
        {"/slow": [Reply(200, FEED, delay=1.5)], "/drip": [Reply(200, FEED, body_delay=1.5)]}
    ) as srv:
        with pytest.raises(FetchError, match="timed out"):
            fetch(srv.url("/slow"), timeout=0.3, retries=1, sleep=sleeps)
        with pytest.raises(FetchError, match="timed out"):
            fetch(srv.url("/drip"), timeout=0.3, retries=0, sleep=sleeps)


def test_truncated_body_is_an_error():
    truncated = Reply(200, FEED, declared_length=len(FEED) + 500)
    with ScriptedServer({"/t": [truncated]}) as srv, pytest.raises(FetchError, match="broken"):
        fetch(srv.url("/t"), retries=0)


def test_redirect_is_followed():
    with ScriptedServer(
        {"/old": [Reply(301, b"", {"Location": "/new"})], "/new": [Reply(200, FEED)]}
    ) as srv:
        result = fetch(srv.url("/old"))
    assert result.body == FEED and result.url.endswith("/new")


def test_oversized_body_is_refused_while_streaming():
    big = b"x" * 50_000
    with (
        ScriptedServer({"/big": [Reply(200, big)]}) as srv,
        pytest.raises(FetchError, match="over the 10000-byte cap"),
    ):
        fetch(srv.url("/big"), max_bytes=10_000)


def test_gzip_is_decoded():
    with ScriptedServer({"/gz": [Reply(200, FEED, gzip_body=True)]}) as srv:
        assert fetch(srv.url("/gz")).body == FEED


def test_html_error_page_is_not_an_empty_success():
    from paperround.sources import parse

    with ScriptedServer({"/feed": [Reply(200, HTML, {"Content-Type": "text/html"})]}) as srv:
        body = fetch(srv.url("/feed")).body
    for kind in ("arxiv-rss", "feed", "arxiv-api"):
        with pytest.raises(FeedError, match=r"HTML page \('503 Service Unavailable'\)"):
            parse(kind, body, source="s")


def test_retry_after_forms():
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("garbage") is None


def test_arxiv_api_spacing_and_pagination():
    page = (
        b'<feed xmlns="http://www.w3.org/2005/Atom" '
        b'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
        b"<title>q</title><opensearch:totalResults>3</opensearch:totalResults>%s</feed>"
    )
    entry = (
        b"<entry><id>http://arxiv.org/abs/2501.0000%dv1</id><title>Paper %d</title>"
        b"<summary>s</summary><author><name>A</name></author></entry>"
    )
    pages = [Reply(200, page % (entry % (n, n))) for n in (1, 2, 3)]
    with ScriptedServer({"/api/query": pages}) as srv:
        client = ArxivApiClient(srv.url("/api/query"), spacing=0.2, page_size=1)
        results = list(client.search("cat:cs.LG"))
        times = [t for t, _, _ in srv.requests_to("/api/query")]
    assert [r.records[0].arxiv_id for r in results] == ["2501.00001", "2501.00002", "2501.00003"]
    assert all(b - a >= 0.2 for a, b in itertools.pairwise(times))
    assert "start=2" in srv.log[2][1] and "max_results=1" in srv.log[2][1]


def test_arxiv_api_400_is_a_clear_error():
    with (
        ScriptedServer({"/api/query": [Reply(400, b"")]}) as srv,
        pytest.raises(FetchError, match="arXiv API rejected the query"),
    ):
        ArxivApiClient(srv.url("/api/query"), spacing=0).query(id_list="abc")


def test_hf_daily_url():
    url = hf_daily_url("https://huggingface.co/api/daily_papers", date(2026, 11, 20))
    assert url == "https://huggingface.co/api/daily_papers?date=2026-11-20"


def test_backfill_hf_by_day_and_arxiv_through_the_api(engine, monkeypatch):
    from datetime import UTC, datetime

    from models.settings import get_settings
    from models.store.sources import add_source
    from paperround.backfill import arxiv_categories, run_backfill
    from tests.conftest import shared_path

    hf = shared_path("fixtures", "hf-daily", "sotawhat_hf_api_daily_papers_2026-06-12.json")
    api_page = shared_path(
        "fixtures", "arxiv-api", "sotawhat_api_all-transformer_AND_cat-cs.LG_max5_2026-06-14.xml"
    )
    routes = {
        "/api/daily_papers": [Reply(200, hf.read_bytes()), Reply(200, b"[]")],
        "/api/query": [Reply(200, api_page.read_bytes())],
        "/rss/bair": [Reply(200, FEED)],
    }
    with ScriptedServer(routes) as srv:
        monkeypatch.setenv("PAPERROUND_ARXIV_API_URL", srv.url("/api/query"))
        monkeypatch.setenv("PAPERROUND_ARXIV_API_SPACING", "0")
        get_settings.cache_clear()
        add_source("hf", "hf-daily", srv.url("/api/daily_papers"), engine=engine)
        add_source("arxiv-cs.LG", "arxiv-rss", srv.url("/rss/cs.LG+stat.ML"), engine=engine)
        add_source("bair", "feed", srv.url("/rss/bair"), engine=engine)
        now = datetime(2026, 6, 14, 12, tzinfo=UTC)
        outcomes = {
            o.source: o for o in run_backfill(engine=engine, since=date(2026, 6, 12), now=now)
        }
        hf_days = [p for _, p, _ in srv.requests_to("/api/daily_papers")]
        api_calls = [p for _, p, _ in srv.requests_to("/api/query")]
    assert hf_days == [f"/api/daily_papers?date=2026-06-{d}" for d in (12, 13, 14)]
    assert outcomes["hf"].fetched == 30 and outcomes["hf"].new == 30
    assert outcomes["arxiv-cs.LG"].fetched == 5 and outcomes["arxiv-cs.LG"].error is None
    assert "cat%3Acs.LG+OR+cat%3Astat.ML" in api_calls[0]
    assert "submittedDate%3A%5B202606120000+TO+202606142359%5D" in api_calls[0]
    assert "cannot be backfilled" in outcomes["bair"].error
    assert arxiv_categories("https://rss.arxiv.org/rss/cs.LG+stat.ML") == ["cs.LG", "stat.ML"]
