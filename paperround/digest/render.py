"""Render a Digest as an HTML email, plain text and Markdown for chat. Pure: no I/O but templates.

Feed text is data, never template source: every feed-supplied string reaches a template as a
variable and is escaped for its format (HTML autoescape; Markdown and Slack: escape.py).
"""

from __future__ import annotations

import re
import shlex
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from models.records import Digest, FeedbackLinks, Reason, RenderedDigest, ScoredPaper
from paperround.digest.escape import (
    clean_line,
    escape_markdown,
    escape_slack_markdown,
    safe_url,
)
from paperround.digest.mathtext import tex_to_text
from paperround.digest.template_files import load_template, templates_dir
from paperround.digest.tldr import extractive_tldr

BLOCK_MARKER = "\x1e"  # record separator: cut Markdown into per-paper blocks, then removed
ABSTRACT_WORDS = 40  # the HTML card's opening of the abstract; the rest is behind its link
# Gmail clips an HTML email over 102 KB. A digest over this budget goes without its
# abstracts' openings (they are behind each card's "Abstract" link), then with its source
# links as words ("Abstract · PDF") instead of written-out URLs, then with its feedback
# links unnamed (no aria-label). Only one with feedback links gets there: 50 papers with
# every field at its cap are 94 KiB without them; with them 121 KiB, 109 without openings,
# 101 compact, 93 unnamed (tests/test_render.py, tests/test_digest_links.py).
HTML_BUDGET = 100 * 1024
MAX_AUTHORS = 4
SUBJECT_TITLE_CHARS = 50


def trim_words(text: str, limit: int) -> str:
    words = text.split()
    return text if len(words) <= limit else " ".join(words[:limit]) + " …"


def short_authors(authors: tuple[str, ...], limit: int = MAX_AUTHORS) -> str:
    if len(authors) <= limit:
        return ", ".join(authors)
    return f"{', '.join(authors[: limit - 1])}, … +{len(authors) - limit + 1} more"


@cache
def _env(path: Path, slack: bool = False) -> Environment:
    env = Environment(
        loader=FileSystemLoader(path),
        autoescape=select_autoescape(["html.j2"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = escape_slack_markdown if slack else escape_markdown
    return env


def short_title(title: str, limit: int = SUBJECT_TITLE_CHARS) -> str:
    """A title as a subject can hold it: before its colon or dash when that part is long
    enough to name the paper ("Tensor Programs VI: Feature Learning..." -> "Tensor
    Programs VI"), else cut at a word boundary with "…"."""
    title = clean_line(tex_to_text(title))
    head = re.split(r":\s|\s[—–-]\s", title, maxsplit=1)[0].strip()
    if len(head) >= 8 and head != title:
        title = head
    if len(title) <= limit:
        return title
    cut = title[: limit - 1].rsplit(" ", 1)[0] if " " in title[: limit - 1] else title[: limit - 1]
    return cut.rstrip(" ,;:-–—") + "…"


def subject_for(digest: Digest) -> str:
    """The count and what leads the digest: "8 papers · Tensor Programs VI and 7 more"."""
    n = len(digest.items)
    if n == 0:
        day = digest.period_end or digest.generated_at
        return clean_line(f"No new papers · {digest.profile} · {day:%a %d %b}")
    top = short_title(digest.items[0].paper.title)
    if n == 1:
        return clean_line(f"1 paper · {top}")
    return clean_line(f"{n} papers · {top} and {n - 1} more")


def _period(digest: Digest) -> str:
    """The days a digest covers; a period within one day is that day, written once."""
    end_at = digest.period_end or digest.generated_at
    end = f"{end_at:%a %d %b %Y}"
    if digest.period_start is None or digest.period_start.date() == end_at.date():
        return end
    if digest.period_start.year != end_at.year:
        return f"{digest.period_start:%a %d %b %Y} – {end}"
    return f"{digest.period_start:%a %d %b} – {end}"


def _item(scored: ScoredPaper, feedback: FeedbackLinks | None = None) -> dict:
    p = scored.paper
    candidates = (
        ("Abstract", p.url),
        ("PDF", p.pdf_url),
        ("Hugging Face", p.hf_url),
        ("Code", p.github_repo),
    )
    links = [(label, safe) for label, url in candidates if (safe := safe_url(url))]
    abstract = clean_line(tex_to_text(p.abstract))
    head = trim_words(abstract, ABSTRACT_WORDS)
    # The digest stage fills the line (a model's, or the extractive one); a digest built by
    # hand gets the extractive line here.
    tldr = clean_line(scored.tldr or extractive_tldr(abstract))
    if len(abstract.split()) <= len(tldr.split()) + 8:
        head = ""  # a short abstract that is hardly more than its TL;DR: shown once
    more, less = feedback.papers.get(p.paper_id, (None, None)) if feedback else (None, None)
    return {
        "title": clean_line(tex_to_text(p.title)),
        "short_title": short_title(p.title),  # names the paper in its links' aria-label
        "id": clean_line(p.key),  # what `paperround like` takes
        "more": safe_url(more),
        "less": safe_url(less),
        "url": safe_url(p.url) or "",
        "authors": clean_line(short_authors(p.authors)),
        "categories": " ".join(p.categories[:4]),
        "reasons": [clean_line(r) for r in scored.reasons],
        # with the ranker's details (a seed's full title) for the HTML card's hover
        "why": [
            {"text": clean_line(r.text), "detail": clean_line(r.detail)}
            for r in scored.why or [Reason(r) for r in scored.reasons]
        ],
        "tldr": tldr,
        "abstract": head,
        "abstract_cut": head != abstract,
        "links": links,
        "revised": p.revised,
        "version": p.version,
    }


def _health(digest: Digest) -> list[str]:
    """What a reader needs to know about the sources: how many could not be read, never
    the operator's error text (that is in `paperround source list`, the serve console and
    the Prefect artifacts), and why a listing was empty."""
    h = digest.health
    lines = []
    if h.sources_failed:
        total = len(h.sources_ok) + len(h.sources_failed)
        lines.append(f"{len(h.sources_failed)} of {total} sources could not be read today.")
    lines.extend(h.notes)
    return [clean_line(line) for line in lines]


def _feedback_hint(digest: Digest, links: bool) -> list[str]:
    """How feedback works, in the footer: the links (when there are), and the CLI way."""
    name = shlex.quote(clean_line(digest.profile))
    cli = f"paperround like ID -p {name} (or dislike), with the ID shown on each card"
    if links:
        return [
            "More like this / less like this: the link opens a page, and nothing is "
            "recorded until you confirm there.",
            f"Or from the command line: {cli}.",
        ]
    return [f"Teach it your taste from the command line: {cli}."]


def context(digest: Digest) -> dict:
    links = digest.links
    items = [_item(s, links) for s in digest.items]
    return {
        "subject": subject_for(digest),
        "profile": clean_line(digest.profile),
        "description": clean_line(digest.description),
        "period": _period(digest),
        "candidates": digest.candidates,
        "items": items,
        "view_url": safe_url(links.view) if links else None,
        "feedback_hint": _feedback_hint(digest, any(i["more"] for i in items)),
        "empty_reason": clean_line(digest.empty_reason) if digest.empty_reason else None,
        "health": _health(digest),
        "manage_hint": clean_line(digest.manage_hint),
        "marker": BLOCK_MARKER,
        "compact": False,  # source links as words, not written-out URLs (HTML_BUDGET)
        "named": True,  # feedback links named by their paper for screen readers
    }


def _inline_css(html: str) -> str:
    import css_inline

    # Keep the <style> block too: media queries (dark mode, phone widths) cannot be inlined.
    return css_inline.CSSInliner(keep_style_tags=True).inline(html)


def render_markdown_blocks(digest: Digest, *, slack: bool = False) -> tuple[str, ...]:
    """The chat Markdown as blocks: header, one per paper, footer."""
    md = load_template(_env(templates_dir(), slack), "digest.md.j2").render(context(digest))
    return tuple(b.strip("\n") for b in md.split(BLOCK_MARKER) if b.strip())


def _no_openings(ctx: dict) -> None:
    for item in ctx["items"]:
        item["abstract"] = ""


def _compact_links(ctx: dict) -> None:
    ctx["compact"] = True


def _unnamed_feedback(ctx: dict) -> None:
    ctx["named"] = False


# In order, while the HTML is over HTML_BUDGET.
_SHRINKS = (_no_openings, _compact_links, _unnamed_feedback)


def render_digest(digest: Digest) -> RenderedDigest:
    """Render every format of one digest."""
    env = _env(templates_dir())
    html_template = load_template(env, "digest.html.j2")
    ctx = context(digest)
    blocks = render_markdown_blocks(digest)
    html = _inline_css(html_template.render(ctx))
    for shrink in _SHRINKS:
        if len(html.encode()) <= HTML_BUDGET:
            break
        shrink(ctx)
        html = _inline_css(html_template.render(ctx))
    return RenderedDigest(
        subject=ctx["subject"],
        html=html,
        text=load_template(env, "digest.txt.j2").render(ctx),
        markdown="\n\n".join(blocks) + "\n",
        markdown_blocks=blocks,
        slack_blocks=render_markdown_blocks(digest, slack=True),
    )
