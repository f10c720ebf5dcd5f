"""Headless Chromium (Debian's package) measuring an HTML email at a given width.

A probe page lays the email out in an iframe of that width (Chromium will not make a window
narrower than 500 px, so the iframe is the email's viewport) and reports the document's
scroll width against the viewport's in its title.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html import escape
from pathlib import Path

import pytest

PROBE = """<!doctype html><html><head><title>waiting</title></head>
<body style="margin:0"><iframe id="f" style="border:0;width:{width}px;height:{height}px"
srcdoc="{srcdoc}" onload="var d=this.contentDocument.documentElement;
document.title='probe:'+d.scrollWidth+':'+this.contentWindow.innerWidth;"></iframe></body></html>
"""
HEIGHT = 2400
FLAGS = [
    "--virtual-time-budget=5000",
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--hide-scrollbars",
]


def chromium() -> str:
    """The browser's path; skips the test (saying why) when it is not installed."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("chromium is not installed (make test installs Debian's chromium as root)")
    return path


def run_chromium(browser: str, tmp_path: Path, width: int, *args: str) -> str:
    profile = tmp_path / f"profile-{width}-{len(args)}"
    window = f"--window-size={max(width, 500)},{HEIGHT}"
    cmd = [browser, *FLAGS, f"--user-data-dir={profile}", window, *args]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=90, check=True)
    return out.stdout


def measure(browser: str, tmp_path: Path, html: str, width: int) -> tuple[int, int, Path]:
    """(scroll width, viewport width, probe page) of `html` laid out `width` px wide."""
    probe_page = tmp_path / "probe.html"
    page = PROBE.format(width=width, height=HEIGHT, srcdoc=escape(html, quote=True))
    probe_page.write_text(page, encoding="utf-8")
    dom = run_chromium(browser, tmp_path, width, "--dump-dom", probe_page.as_uri())
    match = re.search(r"<title>probe:(\d+):(\d+)</title>", dom)
    assert match, dom[:500]
    return int(match.group(1)), int(match.group(2)), probe_page
