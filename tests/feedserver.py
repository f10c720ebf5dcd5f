"""Real HTTP servers on 127.0.0.1: the base every test server uses (LoopbackHttp), and a
feed server for fetch tests, with programmable misbehaviour.

    server.route("/feed", Reply(body=xml, etag='"v1"'))              # 200, then 304 on match
    server.route("/flaky", Reply(status=503), Reply(body=xml))       # replies used in turn
    server.url("/feed")  ->  "http://127.0.0.1:PORT/feed"
    server.requests      ->  every request seen: path, headers, monotonic arrival time
    gate = Gate(); server.route("/held", Reply(body=xml, hold=gate))
    gate.arrived.wait(); ...; gate.release()                      # a reply held until released

Each route's replies are served in order; the last one repeats. Runs in a daemon thread;
`feed_server` is the pytest fixture: `pytest_plugins = ["tests.feedserver"]` in
tests/conftest.py, or `feed_server = feedserver.feed_server` in one test module.
"""

from __future__ import annotations

import contextlib
import gzip as gzip_module
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that logs nothing; self.server.owner is its LoopbackHttp."""

    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: Any


class LoopbackHttp:
    """A threaded HTTP/1.0 server on 127.0.0.1, port chosen by the OS, in a daemon thread.

    A subclass names its `handler` (a QuietHandler); start()/stop(), or use it in `with`.
    """

    handler: type[QuietHandler]

    def __init__(self) -> None:
        self._httpd = _Server(("127.0.0.1", 0), self.handler)
        self._httpd.owner = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Any:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class Gate:
    """Holds replies until released: `arrived` is set when a request reaches the hold, so a
    test (or bench/faults.py) can act while the client is mid-fetch, then let it go on."""

    def __init__(self, timeout: float = 600.0) -> None:
        self.arrived = threading.Event()
        self.released = threading.Event()
        self.timeout = timeout  # a forgotten gate cannot hang the server's thread forever

    def release(self) -> None:
        self.released.set()


@dataclass(frozen=True)
class Reply:
    """One programmed response."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/rss+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None  # answer 304 when If-None-Match matches
    last_modified: str | None = None  # answer 304 when If-Modified-Since matches
    delay: float = 0.0  # seconds before the status line (slow headers)
    drip: float = 0.0  # seconds between body chunks (slow body)
    chunk: int = 1024
    content_length: int | None = None  # lie about the length (truncated body)
    gzip: bool = False
    location: str | None = None  # redirect target (use with status=301/302/307)
    hold: Gate | None = None  # wait for hold.release() before the status line


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]
    at: float  # time.monotonic() on arrival


class _Handler(QuietHandler):
    def do_GET(self) -> None:
        owner = self.server.owner
        owner._record(
            Seen(self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
        )
        reply = owner._next(self.path)
        # The client may give up (timeout, size cap): that is the point of those tests.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._send(reply)

    def _send(self, reply: Reply | None) -> None:
        if reply is None:
            self.send_error(404, "no route")
            return
        if reply.hold is not None:
            reply.hold.arrived.set()
            reply.hold.released.wait(reply.hold.timeout)
        if reply.delay:
            time.sleep(reply.delay)
        if (reply.etag and self.headers.get("If-None-Match") == reply.etag) or (
            reply.last_modified and self.headers.get("If-Modified-Since") == reply.last_modified
        ):
            self.send_response(304)
            self._validators(reply)
            self.end_headers()
            return
        body = gzip_module.compress(reply.body) if reply.gzip else reply.body
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(reply.content_length or len(body)))
        if reply.gzip:
            self.send_header("Content-Encoding", "gzip")
        if reply.location:
            self.send_header("Location", reply.location)
        self._validators(reply)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if not reply.drip:
            self.wfile.write(body)
            return
        for start in range(0, len(body), reply.chunk):
            self.wfile.write(body[start : start + reply.chunk])
            self.wfile.flush()
            time.sleep(reply.drip)

    def _validators(self, reply: Reply) -> None:
        if reply.etag:
            self.send_header("ETag", reply.etag)
        if reply.last_modified:
            self.send_header("Last-Modified", reply.last_modified)


class FeedServer(LoopbackHttp):
    """Serves each route's programmed replies; records every request."""

    handler = _Handler

    def __init__(self) -> None:
        self._routes: dict[str, list[Reply]] = {}
        self._served: dict[str, int] = {}
        self._lock = threading.Lock()
        self.requests: list[Seen] = []
        super().__init__()

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def route(self, path: str, *replies: Reply) -> str:
        """Program a path (query string included if given); returns its URL."""
        with self._lock:
            self._routes[path] = list(replies)
            self._served[path] = 0
        return self.url(path)

    def requests_for(self, path: str) -> list[Seen]:
        with self._lock:
            return [r for r in self.requests if r.path.split("?")[0] == path.split("?")[0]]

    def _record(self, seen: Seen) -> None:
        with self._lock:
            self.requests.append(seen)

    def _next(self, path: str) -> Reply | None:
        with self._lock:
            key = path if path in self._routes else path.split("?")[0]
            replies = self._routes.get(key)
            if not replies:
                return None
            index = min(self._served[key], len(replies) - 1)
            self._served[key] += 1
            return replies[index]


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer().start()
    try:
        yield server
    finally:
        server.stop()
