"""The HTML email in a real browser: no horizontal overflow at phone and desktop widths.

Headless Chromium (Debian's package) loads the rendered email; a probe script appended to a
copy of the page reports the document's scroll width against the viewport's (tests/browser.py).
Screenshots go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from paperround.digest.render import render_digest
from tests.browser import chromium, measure, run_chromium
from tests.digests import fixed_digest, signed_links

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.mark.parametrize("width", [375, 1024])
def test_email_has_no_horizontal_overflow(width, tmp_path):
    browser = chromium()
    digest = fixed_digest(12)
    html = render_digest(replace(digest, links=signed_links(digest))).html  # as sent
    assert html.count(">More like this</a>") == 12
    scroll_width, viewport, probe_page = measure(browser, tmp_path, html, width)
    assert viewport == width
    assert scroll_width <= viewport, f"content is {scroll_width}px wide in a {viewport}px viewport"

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"digest-{width}.png"
    run_chromium(browser, tmp_path, width, f"--screenshot={shot}", probe_page.as_uri())
    assert shot.stat().st_size > 1000
