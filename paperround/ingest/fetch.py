"""HTTP in: one GET with conditional headers, a size cap, and retries on transient failures.

This is one of the few places with side effects (network, clock). Parsing lives in
paperround.ingest.sources and never sees an httpx object: fetch() returns a frozen FetchResult.

Retry policy (miniflux / Prefect examples): retry only what may succeed later (connection
errors, timeouts, truncated bodies, 429, 5xx), honour Retry-After (capped), back off
exponentially otherwise, and fail fast on every other 4xx. A host that cannot be resolved or
a network that is unreachable fails at once, marked `offline`: retrying within seconds cannot
help a machine without a network (an offline `paperround ingest` took 47 s of backoff to say
so; it now takes about a second), and the next scheduled ingest comes anyway. Connecting has
its own short timeout (CONNECT_TIMEOUT); a slow server keeps the full read timeout.
"""

from __future__ import annotations

import errno
import socket
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cache

import httpx

from models.errors import FetchError
from models.settings import FETCH_BACKOFF, FETCH_MAX_BYTES, FETCH_TIMEOUT
from paperround import __version__

USER_AGENT = f"paperround/{__version__} (self-hosted research-paper digest)"
DEFAULT_TIMEOUT = FETCH_TIMEOUT
# A server that does not accept a connection within this is down or filtered; one that has
# accepted may take the full `timeout` for each read.
CONNECT_TIMEOUT = 10.0
DEFAULT_MAX_TIME = 180.0
DEFAULT_MAX_BYTES = FETCH_MAX_BYTES


@cache
def ssl_context():
    """httpx's default verification context (certifi, or SSL_CERT_FILE/DIR), built once:
    loading the CA bundle costs ~30 ms, which every new client would pay again."""
    return httpx.create_ssl_context()


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one GET gave; body is None when the server answered 304 Not Modified."""

    url: str  # final URL, after redirects
    status: int
    body: bytes | None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    not_modified: bool = False
    elapsed: float = 0.0  # seconds, all attempts included
    attempts: int = 1


def timeouts(timeout: float) -> httpx.Timeout:
    """`timeout` for each read and write, at most CONNECT_TIMEOUT to connect."""
    return httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT))


class _Transient(Exception):
    """Internal: one attempt failed in a way worth retrying (unless offline)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        wait: float | None = None,
        offline: bool = False,
    ):
        super().__init__(message)
        self.status = status
        self.wait = wait
        self.offline = offline


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    client: httpx.Client | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_time: float | None = DEFAULT_MAX_TIME,
    max_bytes: int = DEFAULT_MAX_BYTES,
    retries: int = 3,
    backoff: float = FETCH_BACKOFF,
    max_wait: float = 120.0,
    allow_status: Collection[int] = (),
    headers: Mapping[str, str] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> FetchResult:
    """GET url and return its (decoded) body, or raise FetchError with one clear line.

    timeout bounds each connect/read; max_time bounds one whole attempt (a server that
    dribbles bytes forever). max_bytes caps the decoded body, so a gzip bomb stops too.
    Statuses in allow_status are returned instead of raised (the arXiv API explains a
    400 in its Atom body). sleep is injectable so tests need not wait.
    """
    request_headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
    if etag:
        request_headers["If-None-Match"] = etag
    if last_modified:
        request_headers["If-Modified-Since"] = last_modified
    request_headers.update(headers or {})
    own_client = client is None
    if client is None:
        client = httpx.Client(
            follow_redirects=True, timeout=timeouts(timeout), verify=ssl_context()
        )
    started = time.monotonic()
    try:
        for attempt in range(retries + 1):
            try:
                result = _attempt(
                    client, url, request_headers, timeout, max_time, max_bytes, allow_status
                )
            except _Transient as exc:
                if attempt >= retries or exc.offline:
                    tries = f" after {attempt + 1} attempts" if attempt else ""
                    raise FetchError(
                        url,
                        f"{exc}{tries}",
                        status=exc.status,
                        transient=True,
                        offline=exc.offline,
                    ) from None
                wait = backoff * 2**attempt if exc.wait is None else exc.wait
                sleep(min(max(wait, 0.0), max_wait))
                continue
            return _replace_timing(result, time.monotonic() - started, attempt + 1)
    finally:
        if own_client:
            client.close()
    raise AssertionError("unreachable")  # pragma: no cover


def _attempt(
    client: httpx.Client,
    url: str,
    headers: dict[str, str],
    timeout: float,
    max_time: float | None,
    max_bytes: int,
    allow_status: Collection[int],
) -> FetchResult:
    started = time.monotonic()
    try:
        with client.stream(
            "GET", url, headers=headers, timeout=timeouts(timeout), follow_redirects=True
        ) as resp:
            status = resp.status_code
            if status == 304:
                return _result(resp, None, not_modified=True)
            if status == 429 or status >= 500:
                raise _Transient(
                    f"HTTP {status} {resp.reason_phrase}".strip(),
                    status=status,
                    wait=retry_after_seconds(resp.headers.get("Retry-After")),
                )
            if status >= 400 and status not in allow_status:
                raise FetchError(url, f"HTTP {status} {resp.reason_phrase}".strip(), status=status)
            declared = resp.headers.get("Content-Length")
            if (
                declared
                and declared.isdigit()
                and int(declared) > max_bytes
                and not (resp.headers.get("Content-Encoding"))
            ):
                raise FetchError(
                    url, f"response of {int(declared)} bytes exceeds the {max_bytes}-byte cap"
                )
            chunks: list[bytes] = []
            size = 0
            for chunk in resp.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(url, f"response exceeds the {max_bytes}-byte cap")
                if max_time is not None and time.monotonic() - started > max_time:
                    raise _Transient(f"response took longer than {max_time:g} s")
                chunks.append(chunk)
            return _result(resp, b"".join(chunks))
    except httpx.ConnectTimeout:
        limit = min(timeout, CONNECT_TIMEOUT)
        raise _Transient(f"could not connect within {limit:g} s (ConnectTimeout)") from None
    except httpx.TimeoutException as exc:
        raise _Transient(f"timed out after {timeout:g} s ({type(exc).__name__})") from None
    except httpx.RemoteProtocolError as exc:
        raise _Transient(f"connection closed before the full response arrived ({exc})") from None
    except httpx.TooManyRedirects:
        raise FetchError(url, "too many redirects") from None
    except httpx.DecodingError as exc:
        raise FetchError(url, f"could not decode the compressed response ({exc})") from None
    except httpx.ConnectError as exc:
        offline = _offline_cause(exc, _host(exc))
        if offline is not None:
            raise _Transient(offline, offline=True) from None
        raise _Transient(f"connection failed ({type(exc).__name__}: {exc})") from None
    except httpx.TransportError as exc:
        raise _Transient(f"connection failed ({type(exc).__name__}: {exc})") from None
    except httpx.InvalidURL as exc:
        raise FetchError(url, f"invalid URL ({exc})") from None


def _host(exc: httpx.RequestError) -> str:
    try:
        return exc.request.url.host  # after redirects, the host that failed
    except RuntimeError:  # no request attached
        return ""


_NO_ROUTE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN}


def _offline_cause(exc: BaseException, host: str) -> str | None:
    """'cannot resolve HOST' / 'network unreachable' when the OSError under httpx's
    ConnectError says so (by its type and errno, not its words); None for anything else,
    such as a refused connection (a server restarting: worth a retry)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, socket.gaierror):
            return f"cannot resolve {host or 'the host name'}"
        if isinstance(seen, OSError) and seen.errno in _NO_ROUTE:
            return f"network unreachable ({errno.errorcode[seen.errno]})"
        seen = seen.__cause__ or seen.__context__
    return None


def _result(resp: httpx.Response, body: bytes | None, *, not_modified: bool = False) -> FetchResult:
    return FetchResult(
        url=str(resp.url),
        status=resp.status_code,
        body=body,
        etag=resp.headers.get("ETag"),
        last_modified=resp.headers.get("Last-Modified"),
        content_type=resp.headers.get("Content-Type"),
        not_modified=not_modified,
    )


def _replace_timing(result: FetchResult, elapsed: float, attempts: int) -> FetchResult:
    from dataclasses import replace

    return replace(result, elapsed=elapsed, attempts=attempts)


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None if absent."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
