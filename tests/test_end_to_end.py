"""The whole path through real parts: HTTP feeds -> ingest flow -> digest flow -> SMTP inbox.

Runs the Prefect flows (session-scoped harness), fetches from a server on 127.0.0.1 and
delivers with Apprise to an aiosmtpd server. A second digest run must send nothing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from models.store.profiles import create_profile
from models.store.sources import add_source
from models.tables import Profile
from tests.servers import SmtpSink, StaticFeeds, text_parts

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "feeds"


@pytest.mark.prefect
def test_ingest_then_digest_delivers_email_once(engine, prefect_harness):
    from flows.digest import digest
    from flows.ingest import ingest

    files = {
        "/rss/cs.LG": ((EXAMPLES / "arxiv-rss-cs.LG.xml").read_bytes(), "application/rss+xml"),
        "/api/daily_papers": ((EXAMPLES / "hf-daily-papers.json").read_bytes(), "application/json"),
    }
    with StaticFeeds(files) as feeds, SmtpSink() as smtp:
        add_source("arxiv-cs.LG", "arxiv-rss", f"{feeds.base}/rss/cs.LG", engine=engine)
        add_source("hf-daily", "hf-daily", f"{feeds.base}/api/daily_papers", engine=engine)
        create_profile(
            Profile(name="theory", keywords=[["gradient", 1.0], ["generalization", 2.0]]),
            engine=engine,
            channels=[smtp.mailto()],
        )

        summary = ingest()
        assert summary["failed"] == []
        assert summary["new"] == 38  # 30 RSS papers + 11 HF entries, 3 of which are the same
        assert {r.path for r in feeds.requests} == {"/rss/cs.LG", "/api/daily_papers"}

        result = digest()
        assert result["failed"] == []
        assert len(smtp.messages) == 1
        msg = smtp.messages[0]
        assert re.fullmatch(r"\d+ papers · .+ and \d+ more", msg["Subject"]), msg["Subject"]
        assert msg["To"] == "reader@example.org"
        parts = text_parts(msg)
        assert {"html", "plain"} <= set(parts)
        title = "Tuning without Peeking: Provable Privacy and Generalization Bounds"
        assert title in parts["html"] and title in parts["plain"]
        assert 'href="https://arxiv.org/abs/2507.01752"' in parts["html"]
        assert "https://arxiv.org/abs/2507.01752" in parts["plain"]

        # Ingest again: the server answers 304, nothing is new; digest again: nothing is sent.
        again = ingest()
        assert again["new"] == 0
        digest()
        assert len(smtp.messages) == 1


@pytest.mark.prefect
def test_ingest_cli_shows_every_source_then_the_failure(engine, prefect_harness, capsys):
    from tests.cli import run_cli

    page = b"<!doctype html><html><head><title>Maintenance</title></head></html>"
    files = {
        "/rss/cs.LG": ((EXAMPLES / "arxiv-rss-cs.LG.xml").read_bytes(), "application/rss+xml"),
        "/rss/down": (page, "text/html"),
    }
    with StaticFeeds(files) as feeds:
        add_source("arxiv-cs.LG", "arxiv-rss", f"{feeds.base}/rss/cs.LG", engine=engine)
        add_source("lab-blog", "feed", f"{feeds.base}/rss/down", engine=engine)
        r = run_cli(capsys, "ingest", "--json")
    assert r.exit_code == 1
    assert "error: ingest failed: sources failed: lab-blog" in r.output
    summary = json.loads(r.stdout[: r.stdout.rindex("}") + 1])
    by_name = {s["name"]: s for s in summary["sources"]}
    assert by_name["arxiv-cs.LG"]["status"] == "ok" and by_name["arxiv-cs.LG"]["new"] == 30
    assert by_name["lab-blog"]["status"] == "failed"
    assert 'HTML page, not a feed (page title "Maintenance")' in by_name["lab-blog"]["note"]
