"""Feed text is hostile in every output: the terminal, chat, email, and the store itself."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from html import escape as html_escape

import pytest

from models.errors import FeedError
from models.records import PaperRecord
from models.store import candidates, papers
from models.store.sources import add_source, list_sources
from paperround.digest.render import render_digest
from paperround.ingest.sources import parse
from tests.browser import chromium, measure
from tests.cli import run_cli
from tests.digests import fixed_digest
from tests.records import arxiv_record, fake_id

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def _source(name: str, *, engine):
    """The configured source of this name, as the ingest stage reads it."""
    (src,) = [s for s in list_sources(engine=engine) if s.name == name]
    return src


MARKUP_TITLE = "[/b] Notes [re] on [link=https://evil.example]here[/link]"


def _rss(*items: str, title: str = "A journal") -> bytes:
    body = "".join(f"<item>{i}</item>" for i in items)
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"{body}</channel></rss>"
    ).encode()


def _item(title: str, link: str = "https://example.org/a", extra: str = "") -> str:
    return f"<title>{html_escape(title)}</title><link>{link}</link>{extra}"


def _store(engine, title: str) -> None:
    record = arxiv_record(
        fake_id(1),
        source="journal",
        external_id="e1",
        title=title,
        abstract="Abstract.",
        authors=("Ada Lovelace",),
        published=NOW,
    )
    papers.upsert_records([record], engine=engine, now=NOW)


# -- the terminal ------------------------------------------------------------------------


def test_papers_list_prints_titles_as_written(engine, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # one table row per paper
    title = "[/b] Notes [re] on [x] things"  # a crash, then text that Rich would swallow
    _store(engine, title)
    r = run_cli(capsys, "papers", "list")
    assert r.exit_code == 0, r.output
    assert title in r.stdout


def test_papers_show_makes_no_link_of_link_markup(engine, capsys):
    _store(engine, MARKUP_TITLE)
    r = run_cli(capsys, "papers", "show", "2611.00001")
    assert r.exit_code == 0, r.output
    assert "[link=https://evil.example]here[/link]" in r.stdout


def test_feedback_prints_the_title_as_written(engine, capsys):
    _store(engine, "[/b] closing tag")
    assert run_cli(capsys, "profile", "add", "p", "-k", "x").exit_code == 0
    r = run_cli(capsys, "like", "2611.00001", "--profile", "p")
    assert r.exit_code == 0, r.output
    assert "[/b] closing tag" in r.stdout


def test_source_test_prints_titles_as_written_without_terminal_escapes(capsys, tmp_path):
    path = tmp_path / "feed.xml"
    osc8 = "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\"
    path.write_bytes(_rss(_item("[/b] crash"), _item(f"Hyper{osc8}link", "https://e.org/b")))
    r = run_cli(capsys, "source", "test", str(path))
    assert r.exit_code == 0, r.output
    assert "[/b] crash" in r.stdout
    assert "\x1b" not in r.output and "click" in r.stdout


def test_errors_quoting_typed_or_fetched_text_are_one_line(engine, capsys, tmp_path):
    r = run_cli(capsys, "profile", "show", "[/b]")
    assert (
        r.exit_code == 1
        and r.stderr.strip() == "error: no profile named '[/b]' (see: paperround profile list)"
    ), r.output
    page = tmp_path / "page.html"
    page.write_text("<!doctype html><html><title>[/red] Login [b]</title></html>")
    r = run_cli(capsys, "source", "test", str(page))
    assert r.exit_code == 1 and "[/red] Login [b]" in r.stderr, r.output
    assert len(r.stderr.strip().splitlines()) == 1


def test_source_list_shows_a_hostile_last_error(engine, capsys, tmp_path):
    from paperround.ingest.run import ingest_source

    page = tmp_path / "page.html"
    page.write_text("<!doctype html><html><title>[/b] Sign in</title></html>")
    add_source("evil", "feed", str(page), engine=engine)
    assert ingest_source(_source("evil", engine=engine), engine=engine, now=NOW).status == (
        "failed"
    )
    r = run_cli(capsys, "source", "list")
    assert r.exit_code == 0, r.output
    assert "[/b]" in r.stdout


# -- chat -----------------------------------------------------------------------------------

MENTIONS = ("@everyone", "@here", "@channel")


def _mention_digest():
    d = fixed_digest(2)
    first = d.items[0]
    paper = replace(
        first.paper,
        title="@everyone read this <@123> <!channel>",
        abstract="Ping @here and @channel, or <@&456> and <!here>.",
        authors=("@everyone", "Ada Lovelace"),
    )
    health = replace(d.health, sources_failed=("journal: @everyone broke",))
    return replace(d, items=(replace(first, paper=paper), d.items[1]), health=health)


def test_chat_renderings_neutralise_mentions():
    r = render_digest(_mention_digest())
    for body in (r.markdown, *r.markdown_blocks, *r.slack_blocks):
        for mention in MENTIONS:
            assert mention not in body, (mention, body)
        assert not re.search(r"<@[!&]?\d", body), body  # Discord user and role mentions
    for body in r.slack_blocks:
        assert "<!" not in body and "<@" not in body, body  # Slack's <!channel>, <@U123>
    assert "@\u200beveryone" in r.markdown  # still readable, just not a ping
    assert "@\u200beveryone" in r.slack_blocks[1]


def test_email_and_text_keep_at_signs():
    r = render_digest(_mention_digest())
    assert "@everyone read this" in r.text


# -- sizes ----------------------------------------------------------------------------------


def _one(body: bytes, kind: str = "feed") -> PaperRecord:
    (record,) = parse(kind, body, source="journal").records
    return record


def test_titles_and_fields_are_capped_once_at_normalisation():
    words = " ".join(f"word{i}" for i in range(600))  # ~5,000 characters
    authors = "".join(f"<author><name>Author {i}</name></author>" for i in range(3000))
    atom = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        f"<entry><id>https://example.org/a</id><title>{words}</title>"
        f'<link href="https://example.org/a"/><summary>{"x" * 2_000_000}</summary>'
        f"{authors}</entry></feed>"
    ).encode()
    record = _one(atom)
    assert len(record.title) <= 300 and record.title.endswith(" …")
    assert record.title[:-2] == words[: len(record.title) - 2]  # cut at a word boundary
    assert len(record.abstract) <= 20_000
    assert len(record.authors) <= 1000


def test_an_unbroken_title_is_cut_hard():
    record = _one(_rss(_item("A" * 3000)))
    assert len(record.title) <= 300 and record.title.endswith("…")


@pytest.mark.parametrize("kind", ["arxiv-rss", "hf-daily"])
def test_every_source_kind_is_capped(kind):
    title = "T" * 3000
    if kind == "hf-daily":
        body = json.dumps([{"paper": {"id": "2611.00001", "title": title, "summary": "s"}}])
        record = _one(body.encode(), kind)
    else:
        desc = "arXiv:2611.00001v1 Announce Type: new Abstract: " + "z " * 20_000
        extra = f"<guid>oai:arXiv.org:2611.00001v1</guid><description>{desc}</description>"
        record = _one(_rss(_item(title, "https://arxiv.org/abs/2611.00001", extra)), kind)
    assert len(record.title) <= 300 and len(record.abstract) <= 20_000


def test_control_characters_never_reach_the_store():
    record = _one(_rss(_item("Nul\x01 and esc\x1b[31m", extra="<author>A\x07B</author>")))
    assert not re.search(r"[\x00-\x1f\x7f]", record.title + "".join(record.authors))


# -- junk -----------------------------------------------------------------------------------


def test_junk_items_are_dropped_and_counted(engine, capsys, tmp_path):
    from paperround.ingest.run import ingest_source

    path = tmp_path / "feed.xml"
    junk = "<guid>x</guid>"  # no title, and a guid that is no link
    path.write_bytes(_rss(_item("Good one"), junk, _item("Good two", "https://e.org/2"), junk))
    r = run_cli(capsys, "source", "test", str(path), "--json")
    assert r.exit_code == 0, r.output
    shown = json.loads(r.stdout)
    assert shown["records"] == 2 and shown["dropped"] == 2
    assert [i["title"] for i in shown["items"]] == ["Good one", "Good two"]
    add_source("mixed", "feed", str(path), engine=engine)
    outcome = ingest_source(_source("mixed", engine=engine), engine=engine, now=NOW)
    assert (outcome.status, outcome.new) == ("ok", 2)
    assert outcome.note.startswith("2 junk item(s) dropped")
    assert candidates.count_papers(engine=engine) == 2


def test_a_feed_of_only_junk_is_an_error_and_stores_nothing(engine, capsys, tmp_path):
    from paperround.ingest.run import ingest_source

    path = tmp_path / "junk.xml"
    path.write_bytes(_rss("<guid>x</guid>", "<description>no title</description>"))
    r = run_cli(capsys, "source", "test", str(path))
    assert r.exit_code == 1 and len(r.stderr.strip().splitlines()) == 1, r.output
    assert "2 item(s) but none has a title or link" in r.stderr
    add_source("junk", "feed", str(path), engine=engine)
    outcome = ingest_source(_source("junk", engine=engine), engine=engine, now=NOW)
    assert outcome.status == "failed" and candidates.count_papers(engine=engine) == 0


# -- error messages -------------------------------------------------------------------------


def test_a_parse_error_names_the_source_once(engine, tmp_path):
    from paperround.digest.compose import source_health
    from paperround.ingest.run import ingest_source

    path = tmp_path / "notfeed.xml"
    path.write_text("this is not a feed")
    add_source("notfeed", "feed", str(path), engine=engine)
    ingest_source(_source("notfeed", engine=engine), engine=engine, now=NOW)
    assert not _source("notfeed", engine=engine).last_error.startswith("notfeed")
    (failed,) = source_health(engine=engine).sources_failed
    assert failed.startswith("notfeed: not an RSS or Atom feed"), failed


@pytest.mark.parametrize(
    "body,found",
    [
        (_rss(_item("A paper")), "expected Hugging Face daily JSON, got an RSS/Atom feed"),
        (b"<!doctype html><html><title>Hi</title></html>", "got an HTML page"),
        (b"\x00\x01 garbage", "got something else"),
    ],
)
def test_a_source_of_the_wrong_kind_says_what_it_found(capsys, tmp_path, body, found):
    path = tmp_path / "wrong"
    path.write_bytes(body)
    r = run_cli(capsys, "source", "test", str(path), "--kind", "hf-daily")
    assert r.exit_code == 1 and found in r.stderr, r.output


def test_a_json_list_given_as_a_feed_says_so():
    with pytest.raises(FeedError, match=r"got JSON, .*kind hf-daily"):
        parse("feed", b'[{"paper": {"id": "2611.00001"}}]', source="x")


# -- email ----------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [375])
def test_long_unbroken_text_wraps_in_the_email(width, tmp_path):
    browser = chromium()
    d = fixed_digest(2)
    first = d.items[0]
    paper = replace(first.paper, title="W" * 300, abstract="x" * 3000, authors=("A" * 200,))
    d = replace(d, items=(replace(first, paper=paper), d.items[1]), description="D" * 400)
    scroll_width, viewport, _ = measure(browser, tmp_path, render_digest(d).html, width)
    assert scroll_width <= viewport, (scroll_width, viewport)


def test_a_chat_messages_title_pings_nobody_and_links_nothing():
    """Apprise sends the subject as the title beside the body (Discord puts it in the
    message's text): a feed's title leads the subject, so it is neutralised there too, and
    Markdown-escaped only where the service reads Markdown (a backslash shows elsewhere)."""
    from paperround.digest.deliver import deliver
    from paperround.digest.escape import chat_title
    from tests.servers import HttpSink

    d = _mention_digest()
    first = d.items[0]
    title = "@everyone [win](https://evil.example) <@123>"
    d = replace(d, items=(replace(first, paper=replace(first.paper, title=title)), d.items[1]))
    rendered = render_digest(d)
    assert "@everyone" in rendered.subject  # the email subject keeps it as written
    with HttpSink() as sink:  # a JSON webhook: a plain-text title
        assert deliver(rendered, sink.url()).ok
    (post,) = sink.posts
    sent = post["json"]["title"]
    assert "@everyone" not in sent and "@\u200beveryone" in sent and "\\" not in sent
    discord = chat_title(rendered.subject, scheme="discord")
    assert "@everyone" not in discord and "[win](" not in discord and "<@123" not in discord
    assert "\\[win\\]" in discord and "\\<@" in discord
