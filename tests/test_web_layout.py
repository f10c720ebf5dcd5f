"""The confirmation page and the digest view fit a 375 px phone (no sideways scrolling) and
have a dark scheme, laid out by headless Chromium."""

from __future__ import annotations

import httpx
import pytest

from models.db import get_engine
from tests.browser import chromium, measure
from tests.records import fake_id
from tests.web_site import ROOMY, Site, build_store, serve


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    home = tmp_path_factory.mktemp("web-layout")
    engine = get_engine(f"sqlite:///{home / 'paperround.db'}")
    digest = build_store(engine)
    with engine.begin() as conn:  # a long unbroken title: the worst case for a narrow screen
        conn.exec_driver_sql(
            "UPDATE papers SET title = ? WHERE key = ?",
            ("Supercalifragilistic" * 6 + " and a long tail of words " * 4, fake_id(2)),
        )
    with serve(engine, home, limits=ROOMY) as web:
        site = Site(engine, home, web, digest)
        confirm = httpx.get(f"{site.url}/f/{site.token(fake_id(2), 'like')}").text
        view = httpx.get(f"{site.url}/d/{site.token(None, 'view', digest=digest)}").text
    return {"confirm": confirm, "digest": view}


@pytest.mark.parametrize("name", ["confirm", "digest"])
def test_pages_fit_a_375_px_phone_and_have_a_dark_scheme(pages, name, tmp_path):
    html = pages[name]
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "@media (prefers-color-scheme: dark)" in html
    scroll, viewport, probe = measure(chromium(), tmp_path, html, 375)
    assert viewport == 375 and scroll <= viewport, probe
