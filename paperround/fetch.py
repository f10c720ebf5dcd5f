"""HTTP fetching (walking-skeleton version): httpx GET with conditional-request validators."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from paperround import __version__
from paperround.errors import FetchError

USER_AGENT = f"paperround/{__version__} (+self-hosted research digest)"


@dataclass(frozen=True)
class FetchResult:
    status: int
    body: bytes | None
    etag: str | None
    last_modified: str | None
    content_type: str | None
    not_modified: bool


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = 30.0,
    max_bytes: int = 50 * 1024 * 1024,
) -> FetchResult:
    headers = {"User-Agent": USER_AGENT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    try:
        resp = httpx.get(url, headers=headers, timeout=timeout, follow_redirects=True)
    except httpx.HTTPError as exc:
        raise FetchError(url, f"{type(exc).__name__}: {exc}", transient=True) from None
    if resp.status_code == 304:
        return FetchResult(304, None, etag, last_modified, None, True)
    if resp.status_code >= 400:
        raise FetchError(url, f"HTTP {resp.status_code}", status=resp.status_code)
    if len(resp.content) > max_bytes:
        raise FetchError(url, f"response larger than {max_bytes} bytes")
    return FetchResult(
        resp.status_code,
        resp.content,
        resp.headers.get("ETag"),
        resp.headers.get("Last-Modified"),
        resp.headers.get("Content-Type"),
        False,
    )
