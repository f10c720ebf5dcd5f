"""A local Prefect server run as a child process, for `paperround serve` (embedded mode).

Prefect only fires cron schedules against a real API server (its ephemeral mode never
schedules), so a one-machine install starts `prefect server start` on 127.0.0.1 itself,
with Prefect's database under PAPERROUND_HOME, waits for /api/health, and stops the whole
process group on the way out so no server outlives the command.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from models.errors import PaperroundError

STARTUP_TIMEOUT = 120.0  # ~14 s cold and ~6 s warm on the reference machine


SERVE_MARKER = "serve.json"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free on host right now."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def is_healthy(api_url: str, timeout: float = 2.0) -> bool:
    """Whether a Prefect API answers its health check."""
    try:
        return httpx.get(f"{api_url.rstrip('/')}/health", timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


class PrefectServer:
    """`prefect server start` as a child in its own process group.

    Use as a context manager, or call start() and stop().
    """

    def __init__(
        self,
        *,
        home: Path,
        port: int | None = None,
        host: str = "127.0.0.1",
        ui: bool = False,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.home = home
        self.extra_env = extra_env or {}
        self.host = host
        self.port = port or free_port(host)
        self.ui = ui
        self.proc: subprocess.Popen | None = None
        self.log_path = home / "server.log"

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.port}/api"

    def _env(self) -> dict[str, str]:
        env = {**os.environ}  # the child's environment: Prefect's server reads its settings there
        env.pop("PREFECT_API_URL", None)  # the server must not try to reach another one
        env.update(
            {
                "PREFECT_HOME": str(self.home),
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                "DO_NOT_TRACK": "1",
                "PREFECT_UI_ENABLED": "true" if self.ui else "false",
                "PREFECT_SERVER_API_HOST": self.host,
                "PREFECT_SERVER_API_PORT": str(self.port),
                **self.extra_env,
            }
        )
        return env

    def start(self, timeout: float = STARTUP_TIMEOUT) -> PrefectServer:
        """Start the server and return once /api/health answers; raise if it cannot."""
        self.home.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        cmd = [sys.executable, "-m", "prefect", "server", "start"]
        cmd += ["--host", self.host, "--port", str(self.port)]
        self.proc = subprocess.Popen(
            cmd,
            env=self._env(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # our own group: Ctrl-C reaches us first, we stop it
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise PaperroundError(
                    f"Prefect server exited with code {self.proc.returncode} while starting "
                    f"(see {self.log_path})"
                )
            if is_healthy(self.api_url, timeout=1.0):
                return self
            time.sleep(0.25)
        self.stop()
        raise PaperroundError(
            f"Prefect server not healthy after {timeout:.0f} s (see {self.log_path})"
        )

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the server and everything it started (SIGTERM to the group, then SIGKILL)."""
        if self.proc is None:
            return
        pgid = self.proc.pid  # start_new_session: the child leads its own group
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGINT, 5.0), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                break
            try:
                self.proc.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue
            if not group_alive(pgid):
                break
            time.sleep(0.2)
            if not group_alive(pgid):
                break
        self.proc = None

    def __enter__(self) -> PrefectServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def group_alive(pgid: int) -> bool:
    """Whether any process of the group is still running."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def announce_serving(home: Path, api_url: str) -> Path:
    """Record that `paperround serve` of this home runs, with its Prefect API: the CLI's
    runs then go through it as flow runs (serving_api_url). The caller removes the file."""
    home.mkdir(parents=True, exist_ok=True)
    marker = home / SERVE_MARKER
    marker.write_text(json.dumps({"api_url": api_url, "pid": os.getpid()}), encoding="utf-8")
    return marker


def serving_api_url(home: Path) -> str | None:
    """The Prefect API of a `paperround serve` of this home that is running, else None."""
    try:
        data = json.loads((home / SERVE_MARKER).read_text(encoding="utf-8"))
        os.kill(int(data["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no marker, a broken one, or its serve is gone
    url = str(data["api_url"])
    return url if is_healthy(url, timeout=1.0) else None
