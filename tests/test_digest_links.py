"""Feedback links inside digests: every format, escaped, within chat limits, and recorded
with the digest so a resend carries the same links (paperround/digest/links.py)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from models.records import FeedbackLinks
from models.settings import get_settings
from models.store.digest_archive import list_digests
from models.store.profiles import create_profile
from models.tables import Profile
from paperround.digest import channel as digest_channel
from paperround.digest.chat_split import pack_blocks
from paperround.digest.deliver import deliver
from paperround.digest.render import render_digest, short_title
from paperround.digest.run import digest_profile
from paperround.web.tokens import load_secrets, verify
from tests.digests import fixed_digest, longest_digest, signed_links
from tests.records import arxiv_record, fake_id
from tests.servers import HttpSink, SmtpSink, text_parts

PUBLIC = "https://papers.example.org/base"
NOW = datetime(2026, 11, 23, 7, tzinfo=UTC)
HOSTILE = "\"'><img src=x onerror=alert(1)> @everyone <!channel> [x](javascript:alert(1))"


def _links(digest) -> FeedbackLinks:
    """Hand-made links (real ones are signed tokens; these only need to be distinct)."""
    papers = {
        s.paper.paper_id: (
            f"{PUBLIC}/f/more-{s.paper.paper_id:03d}",
            f"{PUBLIC}/f/less-{s.paper.paper_id:03d}",
        )
        for s in digest.items
    }
    return FeedbackLinks(view=f"{PUBLIC}/d/view-token", papers=papers)


def _with_links(n: int = 3):
    digest = fixed_digest(n)
    return replace(digest, links=_links(digest))


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[dict] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "a":
            self.anchors.append(dict(attrs))


def test_every_card_carries_more_and_less_in_every_format():
    digest = _with_links()
    r = render_digest(digest)
    for n in (1, 2, 3):
        more, less = f"{PUBLIC}/f/more-{n:03d}", f"{PUBLIC}/f/less-{n:03d}"
        for body in (r.html, r.text, r.markdown, "\n".join(r.slack_blocks)):
            assert body.count(more) == 1 and body.count(less) == 1
        # Chat: one paper's block holds its own links (a block is never split).
        assert more in r.markdown_blocks[n] and less in r.markdown_blocks[n]
        assert f"[More like this]({more}) · [Less like this]({less})" in r.markdown_blocks[n]
    for body in (r.html, r.text, r.markdown):
        assert f"{PUBLIC}/d/view-token" in body
        assert "nothing is recorded until you confirm" in body
        assert "paperround like ID -p theory" in body  # the CLI way is named too
    assert f'<a href="{PUBLIC}/d/view-token">View in browser</a>' in r.html


def test_without_a_public_url_the_footer_gives_the_cli_way_and_every_card_its_id():
    r = render_digest(fixed_digest())
    for body in (r.html, r.text, r.markdown):
        assert "/f/" not in body and "More like this" not in body
        assert "View in browser" not in body
        assert "confirm" not in body
        assert "paperround like ID -p theory" in body
        for n in (1, 2, 3):  # what `paperround like` takes (kept on one line in HTML)
            assert f"ID 2611.{n:05d}" in body.replace("\xa0", " ").replace("&nbsp;", " ")


def test_a_profile_name_with_a_space_is_quoted_in_the_command():
    r = render_digest(replace(fixed_digest(), profile="deep theory"))
    assert "paperround like ID -p 'deep theory'" in r.text


def test_link_labels_keep_a_hostile_title_text():
    digest = fixed_digest(1)
    hostile = replace(digest.items[0], paper=replace(digest.items[0].paper, title=HOSTILE))
    digest = replace(digest, items=(hostile,))
    digest = replace(digest, links=_links(digest))
    r = render_digest(digest)
    parser = _Anchors()
    parser.feed(r.html)
    assert "img" not in parser.tags  # the title never became markup
    feedback = [a for a in parser.anchors if "/f/" in a.get("href", "")]
    short = short_title(HOSTILE)  # the paper's name, cut to 50 characters
    assert short.startswith("\"'><img src=x onerror=alert(1)>")
    assert [a["aria-label"] for a in feedback] == [
        f"More like this: {short}",
        f"Less like this: {short}",
    ]
    block = r.markdown_blocks[1]
    assert "@everyone" not in block and "[x](javascript" not in block
    assert "<!channel>" not in r.slack_blocks[1]


def test_a_public_url_that_is_not_http_gives_no_links():
    digest = fixed_digest(1)
    bad = FeedbackLinks(
        view="javascript:alert(1)", papers={1: ("javascript:alert(1)", "data:text/html,x")}
    )
    r = render_digest(replace(digest, links=bad))
    assert "javascript:" not in r.html + r.text + r.markdown
    assert "More like this" not in r.html


def test_an_ordinary_digest_with_links_keeps_everything():
    digest = fixed_digest(20)
    r = render_digest(replace(digest, links=signed_links(digest)))
    assert r.html.count('class="abstract"') == 19  # paper 1's abstract is its TL;DR
    assert r.html.count('aria-label="More like this: ') == 20
    assert ">https://arxiv.org/pdf/2611.00020v1</a>" in r.html  # source links written out


def test_fifty_papers_at_their_longest_with_links_stay_under_gmail_clipping():
    """Links cost ~550 bytes a paper: over the budget, the abstracts' openings go first,
    then the written-out source URLs, then the links' names; the links themselves stay."""
    digest = longest_digest(50)
    r = render_digest(replace(digest, links=signed_links(digest)))
    assert len(r.html.encode()) < 100 * 1024, len(r.html.encode())
    assert r.html.count(">More like this</a>") == 50
    assert r.html.count(">Less like this</a>") == 50
    assert 'class="abstract"' not in r.html
    assert r.html.count('class="tldr"') == 50


def test_messages_exactly_at_the_limit_split_between_papers_never_inside_their_links():
    r = render_digest(_with_links(12))
    blocks = r.markdown_blocks
    limit = len("\n\n".join(blocks[:3]))  # header and two papers fill the first message exactly
    with HttpSink() as sink:
        result = deliver(r, sink.url(), chat_limit=limit)
    assert result.ok
    bodies = [p["json"]["message"] for p in sink.posts]
    assert len(bodies[0]) == limit and all(len(b) <= limit for b in bodies)
    assert len(bodies) == result.messages_sent > 3
    for n in range(1, 13):
        more, less = f"{PUBLIC}/f/more-{n:03d}", f"{PUBLIC}/f/less-{n:03d}"
        [holder] = [b for b in bodies if f"2611.{n:05d})" in b]  # the paper: one message
        assert f"[More like this]({more}) · [Less like this]({less})" in holder
        assert sum(more in b for b in bodies) == 1


@pytest.mark.parametrize(
    "url,limit",
    [
        ("tgram://123456789:abcdefghijklmnopqrstuvwxyzABCDEFGHI/12345", 4096),
        ("discord://1234567890/abcdefghijklmnopqrstuvwxyz", 2000),
    ],
)
def test_a_paper_too_long_for_one_message_is_cut_before_its_links(url, limit):
    import apprise
    from apprise.conversion import convert_between

    from paperround.digest.chat_split import chat_measure

    app = apprise.Apprise()
    assert app.add(url)
    service = app[0]
    digest = fixed_digest(2)
    long = replace(digest.items[1], reasons=tuple("because " * 300 + str(i) for i in range(3)))
    digest = replace(digest, items=(digest.items[0], long))
    r = render_digest(replace(digest, links=_links(digest)))
    assert len(r.markdown_blocks[2]) > limit  # the paper alone overflows a message
    title = f"{r.subject} (99/99)"
    parts = pack_blocks(r.markdown_blocks, limit, chat_measure(service, title))
    [cut] = [p for p in parts if "2611.00002)" in p]
    links = (
        "\n…\n\n[Abstract](https://arxiv.org/abs/2611.00002) · "
        "[PDF](https://arxiv.org/pdf/2611.00002v1)\n"
        f"[More like this]({PUBLIC}/f/more-002) · [Less like this]({PUBLIC}/f/less-002)"
    )
    assert links in cut  # cut before its links paragraph, which goes whole
    for body in parts:
        sent = convert_between(apprise.NotifyFormat.MARKDOWN, service.notify_format, body)
        if service.title_maxlen == 0:
            sent = f"<b>{title}</b>\r\n{sent}"
        assert len(sent) <= limit


# -- links made where the digest is recorded ------------------------------------------------


@pytest.fixture
def public_url(monkeypatch):
    monkeypatch.setenv("PAPERROUND_PUBLIC_URL", PUBLIC)
    get_settings.cache_clear()
    yield PUBLIC
    get_settings.cache_clear()


def _papers(engine, count: int = 3) -> None:
    from models.store import papers

    records = [
        arxiv_record(
            fake_id(n),
            title=f"Feature learning dynamics, paper {n}",
            abstract="Feature learning beyond the kernel regime.",
            published=NOW - timedelta(hours=1),
        )
        for n in range(1, count + 1)
    ]
    papers.upsert_records(records, engine=engine, now=NOW - timedelta(hours=1))


def _hrefs(html: str, kind: str) -> list[str]:
    parser = _Anchors()
    parser.feed(html)
    return [a["href"] for a in parser.anchors if f"/{kind}/" in a.get("href", "")]


def _claims(hrefs: list[str], home) -> list:
    secrets = load_secrets(home)
    return [verify(h.rsplit("/", 1)[1], secrets, now=int(NOW.timestamp())) for h in hrefs]


def _theory(engine, channel: str):
    """The profile these tests send: the keyword every stored paper matches."""
    return create_profile(
        Profile(name="theory", keywords=[["feature learning", 1.0]]),
        engine=engine,
        channels=[channel],
    )


def test_an_email_digest_carries_signed_links_to_its_recorded_id(
    engine, paperround_home, public_url
):
    _papers(engine)
    with SmtpSink() as smtp:
        prof = _theory(engine, smtp.mailto())
        assert digest_profile(prof, engine=engine, now=NOW, home=paperround_home).ok
    [row] = list_digests(engine=engine)
    html = text_parts(smtp.messages[0])["html"]
    feedback = _claims(_hrefs(html, "f"), paperround_home)
    assert len(feedback) == 6
    assert {(c.action, c.digest, c.profile, c.via) for c in feedback} == {
        ("like", row["id"], "theory", None),  # None: email, the token's default
        ("dislike", row["id"], "theory", None),
    }
    assert {c.paper for c in feedback} == {fake_id(n) for n in (1, 2, 3)}
    [view] = _claims(_hrefs(html, "d"), paperround_home)
    assert (view.action, view.digest) == ("view", row["id"])
    assert all(h.startswith(f"{PUBLIC}/f/") for h in _hrefs(html, "f"))


def test_a_chat_digest_s_links_carry_the_chat_origin(engine, paperround_home, public_url):
    _papers(engine)
    with HttpSink() as sink:
        prof = _theory(engine, sink.url())
        assert digest_profile(prof, engine=engine, now=NOW, home=paperround_home).ok
    body = "\n".join(p["json"]["message"] for p in sink.posts)
    hrefs = re.findall(r"\((https://papers\.example\.org/base/f/[^)]+)\)", body)
    claims = _claims(hrefs, paperround_home)
    assert len(claims) == 6 and {c.via for c in claims} == {"chat"}


def test_a_resent_pending_digest_carries_the_same_links(
    engine, paperround_home, public_url, monkeypatch
):
    """A run that dies after recording leaves the delivery pending; the next run resends the
    recorded bodies, links and all, unchanged."""
    _papers(engine)

    def die(*args, **kwargs):
        raise SystemExit("killed between record and send")

    with SmtpSink() as smtp:
        prof = _theory(engine, smtp.mailto())
        # the new digest is sent by channel.py; the resend of a pending one by run.py
        monkeypatch.setattr(digest_channel, "send_rendered", die)
        with pytest.raises(SystemExit):
            digest_profile(prof, engine=engine, now=NOW, home=paperround_home)
        [row] = list_digests(engine=engine)
        assert row["status"] == "pending" and not smtp.messages
        later = NOW + timedelta(hours=2)
        outcome = digest_profile(prof, engine=engine, now=later, home=paperround_home)
        assert [c.resent for c in outcome.channels] == [True]
    html = text_parts(smtp.messages[0])["html"]
    claims = _claims(_hrefs(html, "f"), paperround_home)
    assert len(claims) == 6 and {c.digest for c in claims} == {row["id"]}
    assert {c.expires for c in claims} == {int(NOW.timestamp()) + 60 * 86400}  # made at NOW
