"""Real servers on 127.0.0.1 for integration tests: a static feed server and an SMTP sink."""

from __future__ import annotations

import email
import json
import socket
import threading
from collections.abc import Callable
from email import policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (aiosmtpd's Controller cannot take port 0)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StaticFeeds:
    """Serve {path: (bytes, content_type)} on 127.0.0.1 with ETag / 304 support."""

    def __init__(self, files: dict[str, tuple[bytes, str]]) -> None:
        self.files = files
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests.append(self.path)
                entry = outer.files.get(self.path.split("?")[0])
                if entry is None:
                    self.send_error(404)
                    return
                body, ctype = entry
                etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> StaticFeeds:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


class SmtpSink:
    """An aiosmtpd server on 127.0.0.1 that keeps every message it receives.

    on_message(message) runs after a message is kept and before the server answers 250: a
    test can kill the sender there (accepted by the server, never acknowledged to it).
    """

    def __init__(
        self, port: int | None = None, on_message: Callable[[Message], None] | None = None
    ) -> None:
        self.messages: list[Message] = []
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                message = email.message_from_bytes(envelope.content, policy=policy.default)
                outer.messages.append(message)
                if on_message is not None:
                    on_message(message)
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port or free_port())

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return self.controller.port

    def mailto(self, to: str = "reader@example.org") -> str:
        return f"mailto://127.0.0.1:{self.port}?mode=insecure&from=digest@example.org&to={to}"


class HttpSink:
    """An HTTP server on 127.0.0.1 that records POSTed JSON bodies (a webhook receiver).

    Set `status` to answer with an error instead (e.g. 500), or `fail_after` to answer 500
    to every post after the first n (a service that breaks in the middle of a digest).
    """

    def __init__(self) -> None:
        self.posts: list[dict] = []
        self.status = 200
        self.fail_after: int | None = None
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                outer.posts.append({"path": self.path, "json": json.loads(raw or b"null")})
                broken = outer.fail_after is not None and len(outer.posts) > outer.fail_after
                self.send_response(500 if broken else outer.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str = "/hook") -> str:
        return f"json://127.0.0.1:{self.server.server_address[1]}{path}"

    def __enter__(self) -> HttpSink:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
