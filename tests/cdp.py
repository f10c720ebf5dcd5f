"""Headless Chromium driven through the DevTools protocol: open a page, read it, click a
button as a user does (mouse events at its place), take a screenshot at a width.

tests/browser.py only lays out a file and dumps it; a feedback link needs a page that is
loaded from a server, a real click and the page its form POST leads to. The protocol is
spoken over the `websockets` package already installed (with Prefect): a page target's
socket, one command at a time, events read until the one awaited.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import os
import re
import signal
import subprocess
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

from tests.browser import FLAGS

WAIT = 60.0  # seconds any one protocol answer or page load may take (a bound, not a clock)


class CdpError(RuntimeError):
    pass


class Chromium:
    """One headless Chromium with one page; use as a context manager."""

    def __init__(self, browser: str, profile_dir: Path | None = None) -> None:
        # Chromium's helpers (crashpad, utilities) may still write here for a moment after the
        # browser exits: its removal must not fail a test that has passed.
        self._tmp = tempfile.TemporaryDirectory(
            prefix="paperround-cdp-", ignore_cleanup_errors=True
        )
        profile = profile_dir or Path(self._tmp.name)
        flags = [f for f in FLAGS if not f.startswith("--virtual-time-budget")]
        self.proc = subprocess.Popen(
            [browser, *flags, f"--user-data-dir={profile}", "--remote-debugging-port=0",
             "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group: close() ends every helper too
        )  # fmt: skip
        self.port = self._devtools_port()
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list", timeout=WAIT) as r:
            pages = [t for t in json.load(r) if t["type"] == "page"]
        self.ws = connect(pages[0]["webSocketDebuggerUrl"], max_size=None, open_timeout=WAIT)
        self._ids = itertools.count(1)
        self._events: list[dict] = []  # events read while awaiting a command's answer
        for domain in ("Page", "Runtime", "Network"):
            self.send(f"{domain}.enable")

    def _devtools_port(self) -> int:
        """Chromium prints "DevTools listening on ws://127.0.0.1:PORT/..." once it is ready."""
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            found = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line)
            if found:
                return int(found.group(1))
        raise CdpError(f"chromium exited ({self.proc.wait()}) before opening DevTools")

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self._signal_group(signal.SIGTERM)
            try:
                self.proc.wait(timeout=WAIT)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.proc.wait()
            if self.proc.stderr is not None:
                self.proc.stderr.close()
            self._tmp.cleanup()

    def _signal_group(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):  # the whole group is gone
            os.killpg(self.proc.pid, sig)

    # -- the protocol ----------------------------------------------------------------------

    def send(self, method: str, **params: Any) -> dict:
        """Run one command; its result (events arriving meanwhile are kept for _next)."""
        ident = next(self._ids)
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv(timeout=WAIT))
            if msg.get("id") == ident:
                if "error" in msg:
                    raise CdpError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self._events.append(msg)

    def _next(self) -> dict:
        return self._events.pop(0) if self._events else json.loads(self.ws.recv(timeout=WAIT))

    # -- what a test does ------------------------------------------------------------------

    def width(self, px: int, height: int = 900) -> None:
        """Lay pages out `px` wide, as a phone (below 600 px) or a desktop window."""
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=px, height=height, deviceScaleFactor=1, mobile=px < 600,
        )  # fmt: skip

    def open(self, url: str) -> int:
        """Load a page and wait for its load event; the HTTP status of the document."""
        self._events.clear()
        self.send("Page.navigate", url=url)
        return self._load_status()

    def _load_status(self) -> int:
        """Read events until the page's load event; the status of its main document."""
        status = 0
        while True:
            msg = self._next()
            method = msg.get("method")
            if method == "Network.responseReceived" and msg["params"].get("type") == "Document":
                status = msg["params"]["response"]["status"]
            elif method == "Page.loadEventFired":
                return status

    def js(self, expression: str) -> Any:
        out = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in out:
            raise CdpError(f"{expression}: {out['exceptionDetails']}")
        return out["result"].get("value")

    def text(self) -> str:
        return self.js("document.body.innerText")

    def click_button(self, label: str) -> int:
        """Click the (first visible) button whose text is `label` with the mouse, and wait
        for the page its form leads to; that page's HTTP status."""
        found = self.js(
            "(() => { const b = [...document.querySelectorAll('button')].find("
            f"e => e.innerText.trim() === {json.dumps(label)}); if (!b) return null;"
            " b.scrollIntoView({block: 'center'}); const r = b.getBoundingClientRect();"
            " return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        if found is None:
            raise CdpError(f"no button {label!r} on the page: {self.text()[:300]!r}")
        x, y = found
        self._events.clear()
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)
        return self._load_status()

    def screenshot(self, path: Path, width: int) -> None:
        """The whole page, `width` px wide, as a PNG."""
        self.width(width, 300)  # short, so that the page's own height is what is measured
        height = int(self.js("document.documentElement.scrollHeight"))
        self.width(width, max(height, 300))
        data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        path.write_bytes(base64.b64decode(data["data"]))
