"""Delivery through real servers: SMTP (aiosmtpd), a JSON webhook sink; failure and recovery."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import apprise
import pytest

from models.errors import ConfigError
from models.store import coverage, papers, profiles
from models.store.profiles import create_profile
from models.tables import Delivery, Profile
from paperround.digest.deliver import deliver, redact_url, resolve_env, validate_channel_url
from paperround.digest.escape import chat_title
from paperround.digest.render import render_digest
from paperround.digest.run import digest_profile
from tests.digests import fixed_digest, signed_links
from tests.records import arxiv_record, fake_id
from tests.servers import HttpSink, SmtpSink, free_port, text_parts


def test_email_parts_links_and_escaping():
    rendered = render_digest(fixed_digest())
    with SmtpSink() as smtp:
        result = deliver(rendered, smtp.mailto())
    assert result.ok and result.messages_sent == 1
    (msg,) = smtp.messages
    assert msg["Subject"] == "3 papers · <script>alert(1)</script> and 2 more"
    parts = text_parts(msg)
    assert set(parts) == {"html", "plain"}
    for url in ("https://arxiv.org/abs/2611.00002", "https://github.com/example/repo"):
        assert url in parts["html"] and url in parts["plain"]
    assert "<script>alert(1)</script>" not in parts["html"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in parts["html"]
    assert "{{ 7*7 }}" in parts["plain"] and "49" not in parts["plain"]


def test_the_plain_text_part_is_the_rendered_text_with_its_links():
    """Apprise derives an email's text/plain part from the HTML and drops every href, so a
    reader whose client shows plain text got "More like this" with no link; the part is the
    text rendering now (feedback URLs, paper ids, the CLI line)."""
    digest = fixed_digest()
    rendered = render_digest(replace(digest, links=signed_links(digest)))
    with SmtpSink() as smtp:
        assert deliver(rendered, smtp.mailto()).ok
        # Any other HTML email (no text rendering of its own) keeps Apprise's conversion.
        app = apprise.Apprise()
        app.add(smtp.mailto())
        assert app.notify(title="t", body="<p>a <b>b</b></p>", body_format="html")
    plain = text_parts(smtp.messages[0])["plain"]
    more, _less = next(iter(signed_links(digest).papers.values()))
    assert more in rendered.text and more in plain  # the link itself, not just its label
    assert plain.strip().splitlines() == rendered.text.strip().splitlines()
    assert "a b" in text_parts(smtp.messages[1])["plain"]


@pytest.mark.parametrize(
    "url,limit",
    [
        ("tgram://123456789:abcdefghijklmnopqrstuvwxyzABCDEFGHI/12345", 4096),
        ("discord://1234567890/abcdefghijklmnopqrstuvwxyz", 2000),
    ],
)
def test_chat_parts_fit_the_service_limit_as_the_service_receives_them(url, limit):
    import apprise
    from apprise.conversion import convert_between

    from paperround.digest.chat_split import chat_measure, pack_blocks

    app = apprise.Apprise()
    assert app.add(url)
    service = app[0]
    assert service.body_maxlen == limit
    rendered = render_digest(fixed_digest(40))
    title = f"{rendered.subject} (99/99)"
    parts = pack_blocks(rendered.markdown_blocks, limit, chat_measure(service, title))
    assert len(parts) > 1
    for body in parts:
        sent = convert_between(apprise.NotifyFormat.MARKDOWN, service.notify_format, body)
        if service.title_maxlen == 0:  # Telegram: Apprise puts the title into the body
            sent = f"<b>{title}</b>\r\n{sent}"
        assert len(sent) <= limit, (len(sent), limit)
    assert "\n\n".join(parts).count("**") == "\n\n".join(rendered.markdown_blocks).count("**")


def test_webhook_payload_and_splitting_keep_papers_whole():
    rendered = render_digest(fixed_digest(12))
    with HttpSink() as sink:
        result = deliver(rendered, sink.url(), chat_limit=1200)
    assert result.ok
    bodies = [p["json"]["message"] for p in sink.posts]
    assert len(bodies) == result.messages_sent > 1
    assert all(len(b) <= 1200 for b in bodies)
    assert sink.posts[0]["json"]["title"] == chat_title(rendered.subject, scheme="json")
    assert sink.posts[1]["json"]["title"].endswith(f"(2/{len(bodies)})")
    joined = "\n\n".join(bodies)
    for n in range(1, 13):  # every paper exactly once, never cut between messages
        assert joined.count(f"**{n}. [") == 1
        assert sum(f"**{n}. [" in b and f"2611.{n:05d})" in b for b in bodies) == 1


def test_webhook_error_is_a_failure_with_a_reason():
    rendered = render_digest(fixed_digest())
    with HttpSink() as sink:
        sink.status = 500
        result = deliver(rendered, sink.url())
    assert not result.ok
    assert "500" in result.error


def test_env_placeholders_and_redaction(monkeypatch):
    url = "mailtos://reader:{env:SMTP_PASSWORD}@smtp.example.org?to=me@example.org"
    assert validate_channel_url(url) == url
    monkeypatch.setenv("SMTP_PASSWORD", "hunter2-secret")
    assert "hunter2-secret" in resolve_env(url)
    assert "hunter2" not in redact_url(resolve_env(url))
    monkeypatch.delenv("SMTP_PASSWORD")
    with pytest.raises(ConfigError, match="SMTP_PASSWORD"):
        resolve_env(url)
    assert "hunter2" not in redact_url("discord://123456/hunter2-secret-token")


def test_bad_url_is_a_clear_error():
    with pytest.raises(ConfigError, match="unparseable Apprise URL"):
        validate_channel_url("notascheme://whatever")


def _subtitle(n: int) -> str:
    """A long title of words of its own: chat blocks large enough to need several messages
    (near-duplicate titles would be collapsed by the ranker)."""
    return ": " + " ".join(f"w{n}x{i}" for i in range(40))


def _store_papers(engine, now, count: int = 3, abstract_sentences: int = 0, long: bool = False):
    """`count` feature-learning papers first seen at `now` (long abstracts and titles on
    request: chat shows the title and a one-line TL;DR, never the abstract)."""
    records = [
        arxiv_record(
            fake_id(n),
            title=f"Feature learning dynamics, paper {n}" + (_subtitle(n) if long else ""),
            abstract=f"Feature learning beyond the kernel regime, case {n}. " * abstract_sentences
            or "Feature learning beyond the kernel regime.",
            authors=("Ada Lovelace",),
            published=now,
        )
        for n in range(1, count + 1)
    ]
    papers.upsert_records(records, engine=engine, now=now)


def test_failed_delivery_keeps_papers_pending_then_sends_once(engine, paperround_home):
    now = datetime(2026, 11, 23, 7, tzinfo=UTC)
    _store_papers(engine, now - timedelta(hours=1))
    port = free_port()
    url = f"mailto://127.0.0.1:{port}?mode=insecure&from=d@example.org&to=r@example.org"
    prof = create_profile(
        Profile(name="theory", keywords=[["feature learning", 1.0]]), engine=engine, channels=[url]
    )

    down = digest_profile(prof, engine=engine, now=now, home=paperround_home)
    assert not down.ok
    assert down.channels[0].items == 3
    with engine.connect() as conn:
        (status, error) = conn.execute(
            Delivery.__table__.select().with_only_columns(
                Delivery.__table__.c.status, Delivery.__table__.c.error
            )
        ).one()
    assert status == "failed" and error

    with SmtpSink(port) as sink:  # the server comes up where the channel points
        later = now + timedelta(hours=1)
        up = digest_profile(prof, engine=engine, now=later, home=paperround_home)
        assert up.ok and up.channels[0].items == 3
        assert len(sink.messages) == 1
        again = digest_profile(
            prof, engine=engine, now=later + timedelta(hours=1), home=paperround_home
        )
        assert again.channels == ()  # nothing new: nothing sent (send-empty is off)
        assert len(sink.messages) == 1
    channel_key = str(profiles.channels_of(prof.id, engine=engine)[0].id)
    assert coverage.last_success(prof.id, channel_key, engine=engine) == later


def test_send_empty_says_why(engine, paperround_home):
    from models.store.sources import add_source, record_fetch

    now = datetime(2026, 11, 21, 7, tzinfo=UTC)
    add_source("arxiv-cs.LG", "arxiv-rss", "https://rss.arxiv.org/rss/cs.LG", engine=engine)
    record_fetch(
        "arxiv-cs.LG",
        engine=engine,
        now=now,
        status="empty",
        note="arXiv did not announce on Saturday 2026-11-21",
    )
    prof = create_profile(
        Profile(name="theory", keywords=[["feature learning", 1.0]], send_empty=True),
        engine=engine,
    )
    outcome = digest_profile(prof, engine=engine, now=now, home=paperround_home)
    assert outcome.ok and outcome.channels[0].items == 0
    text = (paperround_home / "digests" / "theory" / "2026-11-21.txt").read_text()
    assert "arXiv did not announce on Saturday 2026-11-21" in text

    # Papers arrived but none matched: a different sentence.
    records = [
        arxiv_record(
            fake_id(9999), external_id="x1", title="Protein folding at scale", published=now
        )
    ]
    papers.upsert_records(records, engine=engine, now=now + timedelta(days=2))
    digest_profile(prof, engine=engine, now=now + timedelta(days=2), home=paperround_home)
    text = (paperround_home / "digests" / "theory" / "2026-11-23.txt").read_text()
    assert "nothing matched your profile among 1 new papers" in text


def test_quiet_profile_sends_nothing_when_nothing_matched(engine, paperround_home):
    now = datetime(2026, 11, 23, 7, tzinfo=UTC)
    prof = create_profile(Profile(name="quiet", keywords=[["nothing", 1.0]]), engine=engine)
    assert digest_profile(prof, engine=engine, now=now, home=paperround_home).channels == ()
    assert not (paperround_home / "digests").exists()


def test_a_chat_digest_that_breaks_part_way_resends_only_what_did_not_arrive(
    engine, paperround_home
):
    now = datetime(2026, 11, 23, 7, tzinfo=UTC)
    _store_papers(engine, now - timedelta(hours=1), count=80, abstract_sentences=12, long=True)
    with HttpSink() as sink:
        prof = create_profile(
            Profile(name="theory", keywords=[["feature learning", 1.0]], max_items=80),
            engine=engine,
            channels=[sink.url()],
        )
        sink.fail_after = 1  # the first message arrives, the second gets a 500
        first = digest_profile(prof, engine=engine, now=now, home=paperround_home)
        assert not first.ok and first.channels[0].items == 80
        arrived = {p for p in range(1, 81) if f"2611.{p:05d})" in sink.posts[0]["json"]["message"]}
        assert 0 < len(arrived) < 80

        sink.fail_after = None
        sink.posts.clear()
        later = now + timedelta(hours=1)
        second = digest_profile(prof, engine=engine, now=later, home=paperround_home)
        assert second.ok and second.channels[0].items == 80 - len(arrived)
        resent = {
            p
            for p in range(1, 81)
            for post in sink.posts
            if f"2611.{p:05d})" in post["json"]["message"]
        }
        assert resent == set(range(1, 81)) - arrived  # each paper reached the channel once
    with engine.connect() as conn:
        rows = conn.execute(
            Delivery.__table__.select()
            .with_only_columns(Delivery.__table__.c.status, Delivery.__table__.c.attempts)
            .order_by(Delivery.__table__.c.id)
        ).all()
    assert [tuple(r) for r in rows] == [("failed", 1), ("sent", 2)]


def test_apprise_lines_never_reach_the_console_handlers():
    """Apprise logs recipient addresses at DEBUG; a console (serve's, Prefect's) with a DEBUG
    root handler must not show them: they go to the delivery's capture only."""
    import logging

    seen: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    root = logging.getLogger()
    handler, old_level = Keep(logging.DEBUG), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        with SmtpSink() as smtp:
            assert deliver(render_digest(fixed_digest()), smtp.mailto(to="secret@example.org")).ok
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    assert not [r for r in seen if r.name.startswith("apprise")]
