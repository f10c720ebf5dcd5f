"""fetch() and the arXiv API client against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

import pytest

from models.errors import FeedError, FetchError
from paperround.ingest.arxiv_client import ArxivApiClient, backfill_query
from paperround.ingest.fetch import fetch, retry_after_seconds
from paperround.ingest.sources import parse
from tests import feedserver
from tests.feedserver import FeedServer, Reply
from tests.fixtures import FIXTURES, api_body
from tests.servers import free_port

RSS = b'<rss version="2.0"><channel><title>t</title><item><title>A</title></item></channel></rss>'
feed_server = feedserver.feed_server


class Sleeps(list):
    """Injected sleep: records each wait instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def test_plain_get(feed_server: FeedServer) -> None:
    url = feed_server.route("/rss", Reply(body=RSS))
    result = fetch(url)
    assert (result.status, result.body, result.not_modified) == (200, RSS, False)
    assert result.content_type == "application/rss+xml; charset=utf-8"
    assert result.url == url
    assert feed_server.requests[0].headers["user-agent"].startswith("paperround/")


def test_etag_gives_304_and_no_body(feed_server: FeedServer) -> None:
    url = feed_server.route("/rss", Reply(body=RSS, etag='"v1"'))
    first = fetch(url)
    assert first.etag == '"v1"'
    second = fetch(url, etag=first.etag)
    assert (second.status, second.body, second.not_modified, second.etag) == (
        304,
        None,
        True,
        '"v1"',
    )
    assert feed_server.requests[1].headers["if-none-match"] == '"v1"'


def test_last_modified_gives_304(feed_server: FeedServer) -> None:
    stamp = "Mon, 27 Apr 2026 04:00:01 GMT"
    url = feed_server.route("/rss", Reply(body=RSS, last_modified=stamp))
    first = fetch(url)
    assert first.last_modified == stamp
    second = fetch(url, last_modified=first.last_modified)
    assert second.not_modified and second.body is None
    assert feed_server.requests[1].headers["if-modified-since"] == stamp


def test_429_honours_retry_after_seconds(feed_server: FeedServer) -> None:
    url = feed_server.route(
        "/rss", Reply(status=429, headers={"Retry-After": "7"}), Reply(body=RSS)
    )
    sleeps = Sleeps()
    result = fetch(url, sleep=sleeps, backoff=1.0)
    assert result.body == RSS and result.attempts == 2
    assert sleeps == [7.0]


def test_retry_after_is_capped(feed_server: FeedServer) -> None:
    url = feed_server.route(
        "/rss", Reply(status=503, headers={"Retry-After": "86400"}), Reply(body=RSS)
    )
    sleeps = Sleeps()
    assert fetch(url, sleep=sleeps, max_wait=30.0).body == RSS
    assert sleeps == [30.0]


def test_retry_after_http_date() -> None:
    now = datetime(2026, 4, 27, 4, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("Mon, 27 Apr 2026 04:00:42 GMT", now=now) == 42.0
    assert retry_after_seconds("Mon, 27 Apr 2026 03:00:00 GMT", now=now) == 0.0
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("soon") is None


def test_503_then_success_backs_off_exponentially(feed_server: FeedServer) -> None:
    url = feed_server.route("/rss", Reply(status=503), Reply(status=502), Reply(body=RSS))
    sleeps = Sleeps()
    result = fetch(url, sleep=sleeps, backoff=2.0)
    assert result.body == RSS and result.attempts == 3
    assert sleeps == [2.0, 4.0]
    assert len(feed_server.requests_for("/rss")) == 3


def test_5xx_gives_up_after_retries(feed_server: FeedServer) -> None:
    url = feed_server.route("/rss", Reply(status=503))
    sleeps = Sleeps()
    with pytest.raises(FetchError, match=r"HTTP 503 Service Unavailable after 3 attempts") as info:
        fetch(url, sleep=sleeps, retries=2)
    assert info.value.status == 503 and info.value.transient
    assert len(feed_server.requests_for("/rss")) == 3


@pytest.mark.parametrize("status", [400, 403, 404, 410])
def test_other_4xx_fail_fast(feed_server: FeedServer, status: int) -> None:
    url = feed_server.route("/rss", Reply(status=status, body=b"nope"))
    sleeps = Sleeps()
    with pytest.raises(FetchError, match=rf"HTTP {status}") as info:
        fetch(url, sleep=sleeps)
    assert info.value.status == status and not info.value.transient
    assert sleeps == [] and len(feed_server.requests_for("/rss")) == 1


def test_slow_headers_time_out(feed_server: FeedServer) -> None:
    url = feed_server.route("/slow", Reply(body=RSS, delay=2.0))
    sleeps = Sleeps()
    with pytest.raises(FetchError, match=r"timed out after 0\.2 s") as info:
        fetch(url, timeout=0.2, retries=1, sleep=sleeps)
    assert info.value.transient and len(sleeps) == 1


def test_slow_body_is_cut_at_max_time(feed_server: FeedServer) -> None:
    url = feed_server.route("/drip", Reply(body=b"x" * 4000, chunk=100, drip=0.05))
    with pytest.raises(FetchError, match=r"took longer than 0\.3 s"):
        fetch(url, max_time=0.3, retries=0)


def test_slow_but_steady_body_arrives_whole(feed_server: FeedServer) -> None:
    url = feed_server.route("/drip", Reply(body=RSS, chunk=20, drip=0.01))
    assert fetch(url, timeout=5.0).body == RSS


def test_html_error_page_is_a_clear_feed_error(feed_server: FeedServer) -> None:
    page = (FIXTURES / "broken" / "distill_html_page_not_a_feed_hf_blog_smollm.html").read_bytes()
    url = feed_server.route("/rss", Reply(body=page, content_type="text/html; charset=utf-8"))
    result = fetch(url)
    with pytest.raises(FeedError, match="got an HTML page, not a feed"):
        parse("feed", result.body, source="blog", content_type=result.content_type)


def test_truncated_body_is_an_error(feed_server: FeedServer) -> None:
    url = feed_server.route("/rss", Reply(body=RSS, content_length=len(RSS) + 500))
    with pytest.raises(FetchError, match="connection closed before the full response") as info:
        fetch(url, retries=1, sleep=Sleeps())
    assert info.value.transient


def test_redirect_is_followed(feed_server: FeedServer) -> None:
    target = feed_server.route("/new", Reply(body=RSS))
    url = feed_server.route("/old", Reply(status=301, location="/new"))
    result = fetch(url)
    assert result.body == RSS and result.url == target
    assert [r.path for r in feed_server.requests] == ["/old", "/new"]


def test_oversized_body_is_refused(feed_server: FeedServer) -> None:
    url = feed_server.route("/big", Reply(body=b"x" * 5000))
    with pytest.raises(FetchError, match="exceeds the 1000-byte cap") as info:
        fetch(url, max_bytes=1000)
    assert not info.value.transient


def test_gzip_is_decoded_and_capped_after_decoding(feed_server: FeedServer) -> None:
    url = feed_server.route("/gz", Reply(body=RSS * 50, gzip=True))
    assert fetch(url).body == RSS * 50
    bomb = feed_server.route("/bomb", Reply(body=b"\0" * 200_000, gzip=True))
    with pytest.raises(FetchError, match="exceeds the 10000-byte cap"):
        fetch(bomb, max_bytes=10_000)


def test_connection_refused_is_transient() -> None:
    port = free_port()  # nothing listens there
    sleeps = Sleeps()
    with pytest.raises(FetchError, match="connection failed") as info:
        fetch(f"http://127.0.0.1:{port}/rss", retries=2, backoff=0.5, sleep=sleeps)
    assert info.value.transient and sleeps == [0.5, 1.0]


def test_arxiv_api_spacing_and_pagination(feed_server: FeedServer) -> None:
    feed_server.route(
        "/api/query",
        Reply(body=api_body("arxivpy_q-testing_start0_max10.json")),
        Reply(body=api_body("arxivpy_q-testing_start10_max10.json")),
    )
    with ArxivApiClient(base_url=feed_server.url("/api/query"), min_interval=0.2) as api:
        pages = list(api.search("all:testing", page_size=10, limit=20))
    assert [len(p.records) for p in pages] == [10, 10]
    assert pages[0].total_results == 214881
    assert pages[1].records[0].arxiv_id == "2403.16981"
    seen = feed_server.requests_for("/api/query")
    assert "start=0" in seen[0].path and "start=10" in seen[1].path
    assert "search_query=all%3Atesting" in seen[0].path
    assert seen[1].at - seen[0].at >= 0.2


def test_arxiv_api_spacing_holds_across_threads(feed_server: FeedServer) -> None:
    from concurrent.futures import ThreadPoolExecutor

    feed_server.route("/api/query", Reply(body=api_body("arxivpy_id_1605.08386.json")))
    api = ArxivApiClient(base_url=feed_server.url("/api/query"), min_interval=0.2)
    with api, ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: api.query(id_list=["1605.08386"]), range(4)))
    assert {r.records[0].arxiv_id for r in results} == {"1605.08386"}
    times = sorted(r.at for r in feed_server.requests_for("/api/query"))
    assert all(b - a >= 0.2 for a, b in itertools.pairwise(times))


def test_arxiv_api_error_entry_with_http_400(feed_server: FeedServer) -> None:
    feed_server.route(
        "/api/query",
        Reply(status=400, body=api_body("arxivpy_id_abc_http400_error_entry.json")),
    )
    api = ArxivApiClient(base_url=feed_server.url("/api/query"), min_interval=0)
    with api, pytest.raises(FeedError, match="arXiv API error: incorrect id format for abc"):
        api.query(id_list=["abc"])
    assert len(feed_server.requests) == 1


def test_arxiv_api_client_timeout_applies_to_each_request(feed_server: FeedServer) -> None:
    # The server holds the headers back for 2 s; a client built with a 0.2 s timeout must
    # give up, not fall back to fetch()'s 30 s default.
    feed_server.route("/api/query", Reply(delay=2.0, body=api_body("arxivpy_id_1605.08386.json")))
    api = ArxivApiClient(
        base_url=feed_server.url("/api/query"), min_interval=0, timeout=0.2, retries=0
    )
    with api, pytest.raises(FetchError, match=r"timed out after 0\.2 s"):
        api.query(id_list=["1605.08386"])


def test_backfill_query() -> None:
    q = backfill_query(date(2026, 4, 25), date(2026, 4, 27), ["cs.LG", "stat.ML"])
    assert q == "(cat:cs.LG OR cat:stat.ML) AND submittedDate:[202604250000 TO 202604272359]"
    with pytest.raises(ValueError, match="reversed"):
        backfill_query(date(2026, 4, 27), date(2026, 4, 25), ["cs.LG"])
