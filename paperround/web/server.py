"""Run the feedback app under uvicorn: alone (`paperround web`) or in a thread (`serve`).

The listening socket is bound before uvicorn starts, so the port is taken (and connections
queue) the moment `bind()` returns: no polling for readiness, and port 0 picks a free port.
X-Forwarded-For/-Proto are honoured only when asked (proxy_headers), and then only from
the addresses in forwarded_allow_ips. Uvicorn's access log is off: every URL here carries a
token, and a log is no place for one.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass

import uvicorn

from paperround.web.app import WebConfig, create_app


@dataclass(frozen=True)
class Listen:
    host: str = "127.0.0.1"
    port: int = 8300
    proxy_headers: bool = False
    forwarded_allow_ips: str | None = None  # e.g. "127.0.0.1" (implies proxy_headers)


def bind(listen: Listen) -> socket.socket:
    """A listening TCP socket on (host, port); OSError if the port is taken."""
    family = socket.AF_INET6 if ":" in listen.host else socket.AF_INET
    # proto=IPPROTO_TCP, not the default 0: asyncio turns Nagle off (TCP_NODELAY) only on
    # connections whose socket says TCP. Without it every response (headers and body are two
    # writes) waited for the client's delayed ACK: 44 ms per request instead of ~2 ms
    # (bench/web_latency.py, healthz_ms, same machine).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((listen.host, listen.port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def make_server(config: WebConfig, listen: Listen) -> uvicorn.Server:
    proxied = listen.proxy_headers or listen.forwarded_allow_ips is not None
    return uvicorn.Server(
        uvicorn.Config(
            create_app(config),
            proxy_headers=proxied,
            forwarded_allow_ips=listen.forwarded_allow_ips or "127.0.0.1",
            access_log=False,
            log_config=None,  # keep the CLI's one-line logging
            server_header=False,
            lifespan="off",
            timeout_graceful_shutdown=5,
        )
    )


class WebThread:
    """The app in a daemon thread of this process (`paperround serve`, the tests, the bench).

    Use as a context manager; the socket is listening once __enter__ returns.
    """

    def __init__(
        self, config: WebConfig, listen: Listen | None = None, sock: socket.socket | None = None
    ) -> None:
        self.listen = listen or Listen(port=0)
        self.sock = sock or bind(self.listen)
        self.port = self.sock.getsockname()[1]
        self.server = make_server(config, self.listen)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, name="paperround-web",
            daemon=True,
        )  # fmt: skip

    @property
    def url(self) -> str:
        host = self.listen.host
        return f"http://{f'[{host}]' if ':' in host else host}:{self.port}"

    def __enter__(self) -> WebThread:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()
