"""The HTML email in a real browser: no horizontal overflow at phone and desktop widths.

Headless Chromium (Debian's package) loads the rendered email; a probe script appended to a
copy of the page reports the document's scroll width against the viewport's. Screenshots go
to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html import escape
from pathlib import Path

import pytest

from paperround.digest.render import render_digest
from tests.digests import fixed_digest

ARTIFACTS = Path(__file__).parent / "artifacts"
# Headless Chromium will not make a window narrower than 500 px, so the email is laid out
# inside an iframe of the wanted width: the iframe is the email's viewport.
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


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("chromium is not installed (make test installs Debian's chromium as root)")
    return path


def _run(chromium: str, tmp_path: Path, width: int, *args: str) -> str:
    profile = tmp_path / f"profile-{width}-{len(args)}"
    window = f"--window-size={max(width, 500)},{HEIGHT}"
    cmd = [chromium, *FLAGS, f"--user-data-dir={profile}", window, *args]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=90, check=True)
    return out.stdout


@pytest.mark.parametrize("width", [375, 1024])
def test_email_has_no_horizontal_overflow(width, tmp_path):
    chromium = _chromium()
    html = render_digest(fixed_digest(12)).html
    probe_page = tmp_path / "probe.html"
    page = PROBE.format(width=width, height=HEIGHT, srcdoc=escape(html, quote=True))
    probe_page.write_text(page, encoding="utf-8")
    dom = _run(chromium, tmp_path, width, "--dump-dom", probe_page.as_uri())
    match = re.search(r"<title>probe:(\d+):(\d+)</title>", dom)
    assert match, dom[:500]
    scroll_width, viewport = int(match.group(1)), int(match.group(2))
    assert viewport == width
    assert scroll_width <= viewport, f"content is {scroll_width}px wide in a {viewport}px viewport"

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"digest-{width}.png"
    _run(chromium, tmp_path, width, f"--screenshot={shot}", probe_page.as_uri())
    assert shot.stat().st_size > 1000
