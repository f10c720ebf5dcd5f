"""HTTP in: polite, bounded fetching with httpx.

- conditional GET (ETag / Last-Modified): a 304 returns no body and parses nothing;
- timeouts, gzip (httpx decodes it), redirects, and a size cap enforced while streaming;
- retries with exponential backoff only for transient failures (connection errors,
  timeouts, 429, 5xx), honouring Retry-After; any other 4xx fails at once;
- ArxivApiClient: at least `spacing` seconds between arXiv API calls and one at a time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode

import httpx

from models.records import ParseResult
from paperround import __version__
from paperround.errors import FetchError

USER_AGENT = f"paperround/{__version__} (self-hosted research digest)"
MAX_RETRY_AFTER = 300.0  # never sleep longer than this on a server's say-so


@dataclass(frozen=True)
class FetchResult:
    status: int
    body: bytes | None  # None when not modified
    etag: str | None
    last_modified: str | None
    content_type: str | None
    url: str  # after redirects
    not_modified: bool = False
    attempts: int = 1


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: either a number or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


def _read_capped(resp: httpx.Response, url: str, max_bytes: int) -> bytes:
    declared = resp.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(url, f"response is {int(declared)} bytes, over the {max_bytes}-byte cap")
    chunks, size = [], 0
    for chunk in resp.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(url, f"response exceeds the {max_bytes}-byte cap")
        chunks.append(chunk)
    return b"".join(chunks)


def _once(client: httpx.Client, url: str, headers: dict, max_bytes: int) -> FetchResult:
    try:
        with client.stream("GET", url, headers=headers) as resp:
            status = resp.status_code
            if status == 304:
                return FetchResult(
                    304,
                    None,
                    resp.headers.get("ETag"),
                    resp.headers.get("Last-Modified"),
                    None,
                    str(resp.url),
                    True,
                )
            if status == 429 or status >= 500:
                raise FetchError(
                    url,
                    f"HTTP {status}",
                    status=status,
                    transient=True,
                    retry_after=retry_after_seconds(resp.headers.get("Retry-After")),
                )
            if status >= 400:
                raise FetchError(url, f"HTTP {status}", status=status)
            body = _read_capped(resp, url, max_bytes)
            return FetchResult(
                status,
                body,
                resp.headers.get("ETag"),
                resp.headers.get("Last-Modified"),
                resp.headers.get("Content-Type"),
                str(resp.url),
            )
    except httpx.TimeoutException:
        raise FetchError(url, "timed out", transient=True) from None
    except httpx.RemoteProtocolError as exc:
        raise FetchError(url, f"connection broken: {exc}", transient=True) from None
    except httpx.TransportError as exc:
        raise FetchError(url, f"cannot connect: {exc}", transient=True) from None


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    client: httpx.Client | None = None,
    timeout: float = 30.0,
    max_bytes: int = 50 * 1024 * 1024,
    retries: int = 3,
    backoff: float = 2.0,
    sleep: Callable[[float], None] = time.sleep,
) -> FetchResult:
    """GET a URL politely; raise FetchError with a one-line reason when it cannot be had."""
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    own = client is None
    client = client or httpx.Client(timeout=timeout, follow_redirects=True, max_redirects=5)
    try:
        for attempt in range(1, retries + 2):
            try:
                result = _once(client, url, headers, max_bytes)
                return FetchResult(**{**result.__dict__, "attempts": attempt})
            except FetchError as exc:
                if not exc.transient or attempt > retries:
                    if attempt > 1:
                        raise FetchError(
                            url,
                            f"{exc.reason} (after {attempt} attempts)",
                            status=exc.status,
                            transient=exc.transient,
                        ) from None
                    raise
                wait = (
                    exc.retry_after if exc.retry_after is not None else backoff * 2 ** (attempt - 1)
                )
                sleep(min(wait, MAX_RETRY_AFTER))
        raise AssertionError("unreachable")
    finally:
        if own:
            client.close()


class ArxivApiClient:
    """The arXiv API, as its terms ask: one request at a time, `spacing` seconds apart."""

    def __init__(
        self,
        base_url: str = "https://export.arxiv.org/api/query",
        *,
        spacing: float = 3.0,
        page_size: int = 200,
        fetcher: Callable[..., FetchResult] = fetch,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url, self.spacing, self.page_size = base_url, spacing, page_size
        self._fetch, self._clock, self._sleep = fetcher, clock, sleep
        self._lock = threading.Lock()
        self._last: float | None = None

    def query(self, **params: object) -> ParseResult:
        """One API call (search_query, id_list, start, max_results, sortBy...)."""
        from paperround.sources import parse

        url = f"{self.base_url}?{urlencode({k: v for k, v in params.items() if v is not None})}"
        with self._lock:
            if self._last is not None:
                wait = self.spacing - (self._clock() - self._last)
                if wait > 0:
                    self._sleep(wait)
            try:
                result = self._fetch(url)
            except FetchError as exc:
                if exc.status == 400:  # the API explains a bad query in an Atom Error entry
                    raise FetchError(
                        url, "arXiv API rejected the query (HTTP 400)", status=400
                    ) from None
                raise
            finally:
                self._last = self._clock()
        return parse("arxiv-api", result.body or b"", source="arxiv-api")

    def lookup(self, ids: list[str]) -> ParseResult:
        return self.query(id_list=",".join(ids), max_results=len(ids))

    def search(self, search_query: str, *, limit: int | None = None) -> Iterator[ParseResult]:
        """All pages of a search, newest submissions first."""
        start = 0
        while True:
            size = self.page_size if limit is None else min(self.page_size, limit - start)
            page = self.query(
                search_query=search_query,
                start=start,
                max_results=size,
                sortBy="submittedDate",
                sortOrder="descending",
            )
            yield page
            start += len(page.records)
            total = page.total_results or 0
            if not page.records or start >= total or (limit is not None and start >= limit):
                return

    def backfill(self, categories: list[str], since: date, until: date) -> Iterator[ParseResult]:
        """Papers submitted in [since, until] in any of the categories, page by page."""
        cats = " OR ".join(f"cat:{c}" for c in categories)
        span = f"submittedDate:[{since:%Y%m%d}0000 TO {until:%Y%m%d}2359]"
        yield from self.search(f"({cats}) AND {span}")


def hf_daily_url(base: str, day: date) -> str:
    """The Hugging Face Daily Papers API for one day."""
    return f"{base.split('?')[0]}?date={day.isoformat()}"
