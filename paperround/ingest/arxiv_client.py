"""A polite arXiv API client: one connection, one request at a time, >= 3 s apart.

arXiv asks API users for no more than one request every three seconds on a single
connection. The lock serialises callers (threads included) and the interval is measured
from the end of one response to the start of the next request, so the server never sees
two requests closer than `min_interval`. Returns ParseResults; HTTP lives in fetch().
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from urllib.parse import urlencode

import httpx

from models.errors import FetchError
from models.records import ParseResult
from models.settings import ARXIV_API_SPACING, ARXIV_API_URL, FETCH_TIMEOUT
from paperround.ingest.fetch import fetch, ssl_context
from paperround.ingest.sources import arxiv_api

MAX_PAGE = 2000  # the API refuses larger pages


def backfill_query(date_from: date, date_to: date, categories: Sequence[str]) -> str:
    """search_query for papers submitted between two days (inclusive, GMT) in any category."""
    if date_to < date_from:
        raise ValueError(f"backfill range is reversed: {date_from} > {date_to}")
    span = f"submittedDate:[{date_from:%Y%m%d}0000 TO {date_to:%Y%m%d}2359]"
    if not categories:
        return span
    cats = " OR ".join(f"cat:{c}" for c in categories)
    return f"({cats}) AND {span}" if len(categories) > 1 else f"{cats} AND {span}"


class ArxivApiClient:
    """query() one page, search()/backfill() every page, lookup() ids in batches."""

    def __init__(
        self,
        *,
        base_url: str = ARXIV_API_URL,
        min_interval: float = ARXIV_API_SPACING,
        source: str = "arxiv-api",
        client: httpx.Client | None = None,
        timeout: float = FETCH_TIMEOUT,
        retries: int = 3,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url
        self.min_interval = min_interval
        self.source = source
        self.retries = retries
        self.timeout = timeout
        self._own_client = client is None
        self._client = client or httpx.Client(
            follow_redirects=True,
            timeout=timeout,
            verify=ssl_context(),
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        )
        self._sleep = sleep
        self._clock = clock
        self._lock = threading.Lock()
        self._last_done: float | None = None

    def close(self) -> None:
        if self._own_client:
            self._client.close()

    def __enter__(self) -> ArxivApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def query(
        self,
        *,
        search_query: str = "",
        id_list: Iterable[str] = (),
        start: int = 0,
        max_results: int = 100,
        sort_by: str = "submittedDate",
        sort_order: str = "descending",
    ) -> ParseResult:
        """One API page. An API "Error" entry (HTTP 400) raises FeedError with its message."""
        params = {
            "search_query": search_query,
            "id_list": ",".join(id_list),
            "start": start,
            "max_results": min(max_results, MAX_PAGE),
            "sortBy": sort_by,
            "sortOrder": sort_order,
        }
        url = f"{self.base_url}?{urlencode(params)}"
        with self._lock:
            if self._last_done is not None:
                wait = self.min_interval - (self._clock() - self._last_done)
                if wait > 0:
                    self._sleep(wait)
            try:
                result = fetch(
                    url,
                    client=self._client,
                    timeout=self.timeout,
                    retries=self.retries,
                    backoff=max(self.min_interval, 1.0),
                    allow_status=(400,),
                    sleep=self._sleep,
                )
            finally:
                self._last_done = self._clock()
        body = result.body or b""
        if result.status == 400 and b"<entry" not in body:  # a 400 without the Atom error entry
            raise FetchError(url, "HTTP 400 Bad Request", status=400)
        parsed = arxiv_api.parse(body, source=self.source, content_type=result.content_type)
        if result.status == 400:  # an entry, yet not the error entry the parser reports
            raise FetchError(url, "HTTP 400 Bad Request", status=400)
        return parsed

    def search(
        self,
        search_query: str,
        *,
        page_size: int = 100,
        limit: int | None = None,
        sort_by: str = "submittedDate",
        sort_order: str = "descending",
    ) -> Iterator[ParseResult]:
        """Every page of a query, until totalResults, an empty page, or `limit` records."""
        start = 0
        seen: set[str] = set()
        while True:
            size = page_size if limit is None else min(page_size, limit - start)
            page = self.query(
                search_query=search_query,
                start=start,
                max_results=size,
                sort_by=sort_by,
                sort_order=sort_order,
            )
            ids = {r.external_id for r in page.records}
            if ids and ids <= seen:
                return  # the API served a page we already have: it is not advancing
            seen |= ids
            yield page
            start += len(page.records)
            total = page.total_results or 0
            if not page.records or start >= total or (limit is not None and start >= limit):
                return

    def lookup(self, ids: Sequence[str], *, batch: int = 100) -> Iterator[ParseResult]:
        """Records for known ids (enrichment: primary category, DOI, journal_ref, comment)."""
        for i in range(0, len(ids), batch):
            chunk = ids[i : i + batch]
            yield self.query(id_list=chunk, max_results=len(chunk), sort_by="relevance")

    def backfill(
        self,
        date_from: date,
        date_to: date,
        categories: Sequence[str],
        *,
        page_size: int = 200,
        limit: int | None = None,
    ) -> Iterator[ParseResult]:
        """Papers submitted in [date_from, date_to] in the categories, oldest first."""
        query = backfill_query(date_from, date_to, categories)
        yield from self.search(
            query, page_size=page_size, limit=limit, sort_by="submittedDate", sort_order="ascending"
        )
