"""Real servers on 127.0.0.1 for integration tests: a static feed server, an SMTP sink (that
can refuse or require a password), a webhook sink and a server that accepts and hangs. The
HTTP ones are tests/feedserver.py's LoopbackHttp."""

from __future__ import annotations

import email
import json
import socket
import threading
from collections.abc import Callable
from email import policy
from email.message import Message

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.feedserver import FeedServer, LoopbackHttp, QuietHandler, Reply


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (aiosmtpd's Controller cannot take port 0)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class StaticFeeds(FeedServer):
    """Serve {path: (bytes, content_type)} on 127.0.0.1 with ETag / 304 support."""

    def __init__(self, files: dict[str, tuple[bytes, str]]) -> None:
        super().__init__()
        for path, (body, ctype) in files.items():
            etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
            self.route(path, Reply(body=body, content_type=ctype, etag=etag))


def text_parts(msg: Message) -> dict[str, str]:
    """A received email's text parts by subtype: {"plain": ..., "html": ...}."""
    return {
        p.get_content_subtype(): p.get_content()
        for p in msg.walk()
        if p.get_content_maintype() == "text"
    }


class SmtpSink:
    """An aiosmtpd server on 127.0.0.1 that keeps every message it receives.

    `rcpt_reply` / `data_reply` (e.g. "451 4.3.0 Try again later") make it refuse at RCPT or
    after DATA instead. With `password`, it requires AUTH (PLAIN or LOGIN, over plain TCP
    since this is a test) as `user` with that password; `logins` records each attempt.
    on_message(message) runs after a message is kept and before the server answers 250: a
    test can kill the sender there (accepted by the server, never acknowledged to it).
    """

    def __init__(
        self,
        port: int | None = None,
        *,
        rcpt_reply: str | None = None,
        data_reply: str | None = None,
        user: str = "digest",
        password: str | None = None,
        on_message: Callable[[Message], None] | None = None,
    ) -> None:
        self.messages: list[Message] = []
        self.logins: list[tuple[str, bool]] = []  # (login, accepted)
        outer = self

        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if rcpt_reply:
                    return rcpt_reply
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server, session, envelope):
                if data_reply:
                    return data_reply
                message = email.message_from_bytes(envelope.content, policy=policy.default)
                outer.messages.append(message)
                if on_message is not None:
                    on_message(message)
                return "250 OK"

        def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
            login = auth_data.login.decode()
            ok = login == user and auth_data.password.decode() == password
            outer.logins.append((login, ok))
            return AuthResult(success=ok)

        auth = (
            {"authenticator": authenticator, "auth_required": True, "auth_require_tls": False}
            if password is not None
            else {}
        )
        self.user = user
        self.controller = Controller(
            Handler(), hostname="127.0.0.1", port=port or free_port(), **auth
        )

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return self.controller.port

    def mailto(self, to: str = "reader@example.org", password: str | None = None) -> str:
        """The channel URL for this sink; with `password`, logging in as the sink's user."""
        login = f"{self.user}:{password}@" if password is not None else ""
        return (
            f"mailto://{login}127.0.0.1:{self.port}?mode=insecure&from=digest@example.org&to={to}"
        )


class HangingServer:
    """Accepts TCP connections on 127.0.0.1 and never answers (a hung SMTP or HTTP server).

    It keeps each connection open for at most `patience` seconds; `client_gave_up` is set
    when a client closes its end first, `server_gave_up` when the patience ran out first.
    """

    def __init__(self, patience: float) -> None:
        self.patience = patience
        self.client_gave_up = threading.Event()
        self.server_gave_up = threading.Event()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def port(self) -> int:
        return self.sock.getsockname()[1]

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:  # closed by __exit__
                return
            threading.Thread(target=self._hold, args=(conn,), daemon=True).start()

    def _hold(self, conn: socket.socket) -> None:
        conn.settimeout(self.patience)
        with conn:
            try:
                while conn.recv(4096):
                    pass
                self.client_gave_up.set()
            except TimeoutError:
                self.server_gave_up.set()
            except OSError:
                self.client_gave_up.set()  # reset by the client

    def __enter__(self) -> HangingServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.sock.close()


class _SinkHandler(QuietHandler):
    def do_POST(self) -> None:
        sink = self.server.owner
        length = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(length)
        sink.posts.append({"path": self.path, "json": json.loads(raw or b"null")})
        broken = sink.fail_after is not None and len(sink.posts) > sink.fail_after
        self.send_response(500 if broken else sink.status)
        self.send_header("Content-Length", "0")
        self.end_headers()


class HttpSink(LoopbackHttp):
    """An HTTP server on 127.0.0.1 that records POSTed JSON bodies (a webhook receiver).

    Set `status` to answer with an error instead (e.g. 500), or `fail_after` to answer 500
    to every post after the first n (a service that breaks in the middle of a digest).
    """

    handler = _SinkHandler

    def __init__(self) -> None:
        self.posts: list[dict] = []
        self.status = 200
        self.fail_after: int | None = None
        super().__init__()

    def url(self, path: str = "/hook") -> str:
        """The Apprise URL that posts JSON to this sink."""
        return f"json://127.0.0.1:{self.port}{path}"
