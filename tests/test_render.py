"""Rendering: golden files for the three formats, escaping, size, subjects, empty digests."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from paperround.render import escape_markdown, escape_slack, render_digest, render_markdown_blocks
from tests.digests import EVIL_TITLE, fixed_digest

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("fmt,attr", [("html", "html"), ("txt", "text"), ("md", "markdown")])
def test_golden(fmt, attr):
    rendered = render_digest(fixed_digest())
    path = GOLDEN / f"digest.{fmt}"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(getattr(rendered, attr), encoding="utf-8")
    assert getattr(rendered, attr) == path.read_text(encoding="utf-8"), (
        f"{path.name} changed; rerun with UPDATE_GOLDEN=1 if intended"
    )


def test_feed_text_is_escaped_never_executed():
    r = render_digest(fixed_digest())
    assert EVIL_TITLE not in r.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.html
    assert "{{ 7*7 }}" in r.text and "49" not in r.text
    assert "{{ 7*7 }}" in r.html.replace("&#123;", "{")
    assert "\\<script\\>alert\\(1\\)\\</script\\>" in r.markdown
    assert "\\[x\\]\\(http://evil\\)" in r.markdown


def test_every_link_is_visible_in_text_and_html():
    r = render_digest(fixed_digest())
    for url in (
        "https://arxiv.org/abs/2611.00002",
        "https://arxiv.org/pdf/2611.00002v1",
        "https://huggingface.co/papers/2611.00001",
        "https://github.com/example/repo",
    ):
        assert url in r.text
        assert f">{url}</a>" in r.html  # visible, so Apprise's own text part keeps it


def test_details_badges_authors_and_health():
    r = render_digest(fixed_digest())
    assert "updated v3" in r.html and "[updated v3]" in r.text
    assert "Author 0, Author 1, Author 2, … +9 more" in r.text
    assert "Sources failing: biorxiv: HTTP 503." in r.text
    assert "arXiv did not announce on Sunday 2026-11-22" in r.html
    assert "Fri 20 Nov – Mon 23 Nov 2026 · 3 of 289 new papers" in r.text
    assert "paperround profile pause theory" in r.markdown


def test_subject_is_one_clean_line():
    d = replace(fixed_digest(), profile="evil\r\nBcc: victim@example.org\x00")
    subject = render_digest(d).subject
    assert "\n" not in subject and "\r" not in subject and "\x00" not in subject
    assert subject == "Paperround · evil Bcc: victim@example.org · 2026-11-23 · 3 papers"


def test_empty_digest_says_why():
    d = replace(fixed_digest(), items=(), empty_reason="arXiv did not announce on Saturday")
    r = render_digest(d)
    assert "arXiv did not announce on Saturday" in r.text
    assert "arXiv did not announce on Saturday" in r.html
    assert r.subject.endswith("· 0 papers")


def test_fifty_papers_stay_under_gmail_clipping():
    r = render_digest(fixed_digest(50))
    assert len(r.html.encode()) < 100 * 1024
    assert r.html.count('class="card"') == 51 or r.html.count("<h2") == 50


def test_markdown_blocks_are_whole_papers():
    blocks = render_markdown_blocks(fixed_digest(5))
    assert len(blocks) == 7  # header, 5 papers, footer
    assert all(b.startswith(f"**{i}. [") for i, b in enumerate(blocks[1:6], 1))


def test_escapers():
    assert escape_markdown("a_b*c[d](e)") == "a\\_b\\*c\\[d\\]\\(e\\)"
    assert escape_slack("<@U1> & <!channel>") == "&lt;@U1&gt; &amp; &lt;!channel&gt;"


def test_slack_blocks_escape_mentions_and_links():
    from dataclasses import replace as _replace

    d = fixed_digest(2)
    first = d.items[0]
    evil = _replace(first, paper=_replace(first.paper, title="<!channel> & <@U123>"))
    r = render_digest(_replace(d, items=(evil, d.items[1])))
    assert "&lt;!channel&gt; &amp; &lt;@\u200bU123&gt;" in r.slack_blocks[1]
    assert "<!channel>" not in "".join(r.slack_blocks)


def test_only_http_links_reach_the_digest():
    from dataclasses import replace as _replace

    d = fixed_digest(1)
    item = d.items[0]
    evil = _replace(
        item,
        paper=_replace(
            item.paper, url="javascript:alert(1)", github_repo="data:text/html,<b>x</b>"
        ),
    )
    r = render_digest(_replace(d, items=(evil,)))
    for body in (r.html, r.text, r.markdown):
        assert "javascript:" not in body and "data:text" not in body
    assert "https://arxiv.org/pdf/2611.00001v1" in r.text  # the safe links stay


def test_a_feed_url_cannot_break_out_of_a_chat_link():
    from dataclasses import replace as _replace

    d = fixed_digest(1)
    item = d.items[0]
    url = "https://x.org/a)**[click](https://evil.example|x"
    evil = _replace(item, paper=_replace(item.paper, url=url))
    r = render_digest(_replace(d, items=(evil,)))
    encoded = "https://x.org/a%29**%5Bclick%5D%28https://evil.example%7Cx"
    for blocks in (r.markdown_blocks, r.slack_blocks):
        paper = blocks[1]
        assert f"]({encoded})**" in paper, paper
        assert "[click]" not in paper and "](https://evil.example" not in paper
    assert encoded in r.html and url not in r.html
