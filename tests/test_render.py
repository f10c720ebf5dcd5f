"""Rendering: golden files for the three formats, escaping, size, subjects, empty digests."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from paperround.digest.escape import escape_markdown, escape_slack
from paperround.digest.render import render_digest, render_markdown_blocks
from tests.digests import EVIL_TITLE, fixed_digest, longest_digest

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


def test_reasons_from_feed_text_are_escaped_and_the_seed_title_is_the_hover():
    """A reason quotes feed text (a seed's title, an author's name, a paper's terms)."""
    from dataclasses import replace
    from html.parser import HTMLParser

    from models.records import Reason

    evil = Reason("very close to your seed “<b>x</b> @everyone”", '"><script>alert(2)</script>')
    d = fixed_digest(1)
    item = replace(d.items[0], reasons=(evil.text,), why=(evil,))
    r = render_digest(replace(d, items=(item,)))
    tags: list[tuple[str, dict]] = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag, attrs):
            tags.append((tag, dict(attrs)))

    Tags().feed(r.html)  # as a browser parses it: the hover is one attribute, no element
    assert not [t for t, _ in tags if t in ("script", "b")]
    assert [a["title"] for t, a in tags if t == "span"] == [evil.detail]
    assert "&lt;b&gt;x&lt;/b&gt;" in r.html
    assert "\\<b\\>x\\</b\\>" in r.markdown and "@\u200beveryone" in r.markdown
    assert "<b>x</b>" in r.text  # plain text: shown as it is, nothing interprets it
    plain = render_digest(fixed_digest())  # a hand-built digest (no details): no hover
    assert 'title="Tensor Programs IV: Feature Learning' in plain.html
    assert plain.html.count("<span title=") == 1


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
    assert "arXiv did not announce on Sunday 2026-11-22" in r.html
    assert "Fri 20 Nov – Mon 23 Nov 2026 · 3 of 289 new papers" in r.text
    assert "paperround profile pause theory" in r.markdown


def test_subject_is_one_clean_line():
    d = replace(fixed_digest(), profile="evil\r\nBcc: victim@example.org\x00")
    subject = render_digest(d).subject
    assert "\n" not in subject and "\r" not in subject and "\x00" not in subject
    assert subject == "3 papers · <script>alert(1)</script> and 2 more"
    d = replace(d, items=(), profile="evil\r\nBcc: victim@example.org\x00")
    assert "\n" not in render_digest(d).subject and "\x00" not in render_digest(d).subject


def test_empty_digest_says_why():
    d = replace(fixed_digest(), items=(), empty_reason="arXiv did not announce on Saturday")
    r = render_digest(d)
    assert "arXiv did not announce on Saturday" in r.text
    assert "arXiv did not announce on Saturday" in r.html
    assert r.subject == "No new papers · theory · Mon 23 Nov"


def test_fifty_papers_at_their_longest_stay_under_100_kb():
    """Gmail clips an email over 102 KB. Every field at its cap: 300-character titles, 12
    authors, three long reasons, four links, a 20,000-character abstract full of TeX."""
    r = render_digest(longest_digest(50))
    assert r.html.count('class="tldr"') == 50
    assert r.html.count('class="abstract"') == 50  # nothing had to go
    assert len(r.html.encode()) < 100 * 1024, len(r.html.encode())


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


def _titled(title: str, n: int = 8):
    d = fixed_digest(n)
    first = d.items[0]
    return replace(d, items=(replace(first, paper=replace(first.paper, title=title)), *d.items[1:]))


def test_subject_names_the_count_and_the_top_paper():
    title = "Tensor Programs VI: Feature Learning in Infinite-Depth Neural Networks"
    assert render_digest(_titled(title)).subject == "8 papers · Tensor Programs VI and 7 more"
    assert render_digest(_titled(title, 1)).subject == "1 paper · Tensor Programs VI"
    long = "A very long title without any colon that goes on and on about many things"
    assert render_digest(_titled(long, 2)).subject == (
        "2 papers · A very long title without any colon that goes on… and 1 more"
    )
    tex = r"Learning in $\mathbb{R}^d$ with $\varepsilon$ noise"
    assert (
        render_digest(_titled(tex, 2)).subject
        == "2 papers · Learning in ℝ^d with ε noise and 1 more"
    )


def test_a_one_day_period_is_written_once():
    d = fixed_digest()
    same_day = replace(d, period_start=d.generated_at.replace(hour=1))
    r = render_digest(same_day)
    assert "Mon 23 Nov 2026 · 3 of 289 new papers" in r.text
    assert "–" not in r.text.splitlines()[1]
    new_year = replace(d, period_start=d.generated_at.replace(year=2025))
    assert "Sun 23 Nov 2025 – Mon 23 Nov 2026" in render_digest(new_year).text


def test_maths_reads_as_unicode_in_every_format():
    r = render_digest(_titled(r"Bounds in $\mathbb{R}^d$ for $O(n \log n)$ sorting", 2))
    for body in (r.html, r.text, r.markdown, "".join(r.slack_blocks)):
        assert "$" not in body and "\\mathbb" not in body and "\\log" not in body
        assert "ℝ^d" in body
    assert "O(n log n) sorting" in r.html and "O(n log n) sorting" in r.text
    assert "ε-error" in r.html  # the abstract's opening, converted too


def test_each_card_has_a_tldr_and_a_collapsed_abstract():
    import re

    r = render_digest(fixed_digest(3))
    lines = re.findall(r'<p class="tldr"[^>]*>(.*?)</p>', r.html, re.DOTALL)
    assert len(lines) == 3
    assert lines[1] == (
        "We prove that gradient descent on ℝ^d learns features in O(n log n) steps, "
        "up to an ε-error."
    )
    opening = re.findall(r'<p class="abstract"[^>]*>(.*?)</p>', r.html, re.DOTALL)[1]
    assert opening.strip().endswith("…")
    after = r.html.split(opening, 1)[1]  # the abstract link comes right after the opening
    assert re.match(
        r'</p>\s*<p class="links"[^>]*>\s*Abstract: <a href="https://arxiv.org/abs/2611.00002"',
        after,
    )
    assert "Experiments on image and text" in r.html  # within the first 40 words
    assert "explains when the width helps" not in r.html  # behind the link
    for body in (r.text, r.markdown):  # text and chat: the line and the links, no abstract
        assert lines[1] in body.replace("\n   ", " ").replace("\\", "")
        assert "Wide two-layer networks are a standard model" not in body
        assert "https://arxiv.org/abs/2611.00002" in body


def test_a_model_line_is_escaped_like_feed_text():
    d = fixed_digest(1)
    evil = "<b>Big</b> **claims** @everyone [x](http://evil)"
    r = render_digest(replace(d, items=(replace(d.items[0], tldr=evil),)))
    assert "<b>Big</b>" not in r.html and "&lt;b&gt;Big&lt;/b&gt;" in r.html
    assert "@everyone" not in r.markdown and "\\*\\*claims\\*\\*" in r.markdown


def test_the_reader_sees_a_count_of_failing_sources_never_the_error():
    r = render_digest(fixed_digest())
    for body in (r.html, r.text, r.markdown):
        assert "1 of 3 sources could not be read today." in body
        assert "HTTP 503" not in body and "biorxiv" not in body
