"""End to end in a real browser: one click in the emailed digest teaches the next digest.

A feed server on 127.0.0.1 -> ingest -> the digest emailed to an aiosmtpd sink, its links
pointing (PAPERROUND_PUBLIC_URL) at a real `paperround web` process (uvicorn on 127.0.0.1)
-> the first "more like this" link of the received HTML part opened in headless Chromium
(tests/cdp.py) -> the GET alone records nothing -> the confirm button, clicked -> the
feedback exists, with origin "email" -> undo removes it -> confirmed again -> the next day's
digest holds a paper only the like can bring in (it matches none of the profile's keywords;
a twin profile without the like does not get it).

Screenshots of the confirmation page and of the digest's "view in browser" page, at 375 and
1024 px, go to tests/artifacts/ (git-ignored); scripts/web_screenshots.py reruns this test
and copies them to docs/.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from email.utils import format_datetime
from html.parser import HTMLParser
from pathlib import Path
from xml.sax.saxutils import escape

from models.settings import get_settings
from models.store.feedback import feedback_target
from models.store.paper_queries import find_paper
from models.store.profiles import create_profile
from models.store.sources import add_source
from models.tables import Profile
from paperround.digest.render import short_title
from paperround.digest.run import digest_profile, preview_digest
from paperround.ingest.run import ingest_all
from paperround.web.tokens import load_secrets, verify
from tests.browser import chromium
from tests.cdp import Chromium
from tests.feedgen import CHANNEL_HEAD, CHANNEL_TAIL, ITEM
from tests.feedserver import Reply
from tests.servers import SmtpSink, StaticFeeds, free_port, text_parts

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "feeds"
ARTIFACTS = Path(__file__).parent / "artifacts"
KEYWORDS = [["gradient", 1.0], ["generalization", 2.0]]
# Words that would match a keyword: taken out of the follow-up paper, so that only the like
# (its similarity to the liked paper) can bring it into a digest.
_KEYWORD_WORDS = re.compile(r"\S*(gradient|generali[sz])\S*", re.IGNORECASE)


class WebProcess:
    """`paperround web` in a process of its own, on 127.0.0.1; listening once it has said so
    (it binds its socket before printing that line: paperround/web/server.py)."""

    def __init__(self, home: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "PAPERROUND_HOME": str(home), "PYTHONUNBUFFERED": "1"}

    def __enter__(self) -> WebProcess:
        cmd = [sys.executable, "-c", "from paperround.cli import main; main()", "web",
               "--port", str(self.port), "--public-url", self.url]  # fmt: skip
        self.proc = subprocess.Popen(
            cmd, cwd=REPO, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if "feedback links served" not in line:
            self.proc.kill()
            _, err = self.proc.communicate(timeout=60)
            raise AssertionError(f"paperround web did not start: {line}{err}")
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        _, err = self.proc.communicate(timeout=60)
        assert "Traceback" not in err, err


class _Links(HTMLParser):
    """The received email's anchors: (href, aria-label, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str]] = []
        self._open: tuple[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            a = dict(attrs)
            self._open = (a.get("href") or "", a.get("aria-label") or "")

    def handle_data(self, data):
        if self._open is not None:
            self.found.append((*self._open, data.strip()))
            self._open = None


def _links(html: str) -> list[tuple[str, str, str]]:
    parser = _Links()
    parser.feed(html)
    return parser.found


def _day_two(liked: dict, pub: datetime) -> bytes:
    """The next day's listing: a follow-up of the liked paper that shares its words but none
    of the profile's keywords, and three keyword matches on other subjects."""
    date = format_datetime(pub)
    follow_title = "Further results on " + _KEYWORD_WORDS.sub("", liked["title"])
    follow_abstract = _KEYWORD_WORDS.sub("", liked["abstract"])
    others = [
        ("Gradient noise in speech recognition pipelines", "We study gradient noise in speech "
         "recognition and its generalization to new speakers across accents."),
        ("Generalization of graph kernels for chemistry", "Graph kernels for molecules: a "
         "generalization bound and gradient-free fitting on reaction datasets."),
        ("Gradient compression for federated vision", "We compress gradient updates in federated "
         "vision training and measure generalization on held-out clients."),
    ]  # fmt: skip
    items = [(f"2612.0000{n}", title, abstract) for n, (title, abstract) in enumerate(others, 1)]
    items.append(("2612.00009", follow_title, follow_abstract))
    body = [CHANNEL_HEAD.format(cat="cs.LG", build=date, pub=date)]
    for ident, title, abstract in items:
        body.append(
            ITEM.format(
                title=escape(title), id=ident, version=1, kind="new", abstract=escape(abstract),
                categories="      <category>cs.LG</category>", pub=date,
                rights="http://creativecommons.org/licenses/by/4.0/", authors="A. Author",
            )
        )  # fmt: skip
    body.append(CHANNEL_TAIL)
    return "".join(body).encode()


def _feedback(key: str, engine) -> tuple[str | None, str | None]:
    found = feedback_target("theory", key, engine=engine)
    return found.feedback, found.origin


def _shoot(page: Chromium, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (375, 1024):
        shot = ARTIFACTS / f"{name}-{width}.png"
        page.screenshot(shot, width)
        assert shot.stat().st_size > 1000
        # Readable at a phone's width: nothing wider than the screen.
        assert page.js("document.documentElement.scrollWidth") <= width


def test_a_more_like_this_link_in_the_email_teaches_the_next_digest(
    engine, paperround_home, monkeypatch
):
    browser = chromium()
    # The web app reads the real clock, so the links are signed at it too.
    now = datetime.now(UTC).replace(microsecond=0)
    rss = (EXAMPLES / "arxiv-rss-cs.LG.xml").read_bytes()
    files = {"/rss/day1": (rss, "application/rss+xml")}
    with StaticFeeds(files) as feeds, SmtpSink() as smtp, WebProcess(paperround_home) as web:
        monkeypatch.setenv("PAPERROUND_PUBLIC_URL", web.url)
        get_settings.cache_clear()
        add_source("day1", "arxiv-rss", f"{feeds.base}/rss/day1", engine=engine)
        prof = create_profile(
            Profile(name="theory", keywords=KEYWORDS), engine=engine, channels=[smtp.mailto()]
        )
        twin = create_profile(Profile(name="twin", keywords=KEYWORDS), engine=engine)
        assert not [o for o in ingest_all(engine=engine, now=now) if o.status == "failed"]
        assert digest_profile(prof, engine=engine, now=now, home=paperround_home).ok
        # The twin reads day one too (into its digest files), so its next window is day two.
        assert digest_profile(twin, engine=engine, now=now, home=paperround_home).ok

        html = text_parts(smtp.messages[0])["html"]
        links = _links(html)
        more = [(href, label) for href, label, text in links if text == "More like this"]
        assert len(more) == len([t for *_, t in links if t == "Less like this"]) > 1
        href, label = more[0]  # the first card's
        assert href.startswith(f"{web.url}/f/")
        claim = verify(
            href.rsplit("/", 1)[1], load_secrets(paperround_home), now=int(now.timestamp())
        )
        key = claim.paper
        assert key is not None
        liked_title = feedback_target("theory", key, engine=engine).title
        assert label == f"More like this: {short_title(liked_title)}"  # the first card's

        with Chromium(browser) as page:
            assert page.open(href) == 200
            assert "Yes, more like this" in page.text()
            _shoot(page, "web-confirm")
            assert _feedback(key, engine) == (None, None)  # the GET alone recorded nothing

            assert page.click_button("Yes, more like this") == 200
            assert "Recorded: more like this" in page.text()
            assert _feedback(key, engine) == ("like", "email")

            assert page.click_button("Undo") == 200
            assert "Undone" in page.text()
            assert _feedback(key, engine) == (None, None)

            assert page.open(href) == 200  # the link again: confirm again
            assert page.click_button("Yes, more like this") == 200
            assert _feedback(key, engine) == ("like", "email")

            [view] = [h for h, _, text in links if text == "View in browser"]
            assert page.open(view) == 200
            assert "you want more like this" in page.text()
            _shoot(page, "web-digest")

        # The next day: a follow-up of the liked paper that matches no keyword.
        day_two = _day_two(find_paper(key, engine=engine), now)
        feeds.route("/rss/day2", Reply(body=day_two, content_type="application/rss+xml"))
        add_source("day2", "arxiv-rss", f"{feeds.base}/rss/day2", engine=engine)
        later = datetime.now(UTC).replace(microsecond=0)
        assert not [o for o in ingest_all(engine=engine, now=later, names=["day2"])
                    if o.status == "failed"]  # fmt: skip
        assert digest_profile(prof, engine=engine, now=later, home=paperround_home).ok
        assert len(smtp.messages) == 2
        second = text_parts(smtp.messages[1])["html"]
        assert "Further results on" in second  # brought in by the like alone
        # The twin, same keywords and no like, ranks the same day without it.
        twin_day_two = preview_digest(twin, engine=engine, now=later).html
        assert "Gradient noise in speech recognition" in twin_day_two
        assert "Further results on" not in twin_day_two
