"""arXiv listing feeds from rss.arxiv.org (RSS 2.0, the format in use since 2024).

One item looks like (see tests/feedgen.py for a generator of exactly this shape):

    <guid isPermaLink="false">oai:arXiv.org:2604.21952v1</guid>
    <description>arXiv:2604.21952v1 Announce Type: new \nAbstract: ...</description>
    <category>cs.LG</category> (primary first) ... <arxiv:announce_type>new</...>
    <dc:rights>licence URL</dc:rights> <dc:creator>A, B, C</dc:creator>

This module is on the hot path of the daily ingest (thousands of items), so the work per
item beyond feedparser is kept to a few string operations and cached date parsing.
"""

from __future__ import annotations

import re
from datetime import date

from models.errors import FeedError
from models.ids import parse_arxiv_id
from models.records import PaperRecord, ParseResult
from paperround.ingest.sources._common import keep_papers, one_line, parse_date, read_feed

ANNOUNCE_TYPES = ("new", "cross", "replace", "replace-cross")
_PREFIX = re.compile(r"\s*arXiv:(\S+)\s+Announce Type:\s*([A-Za-z-]+)\s*(?:Abstract:\s*)?")
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "phd", "ph.d."})
_PARENS = re.compile(r"\s*\([^()]*\)")


def parse(body: bytes, *, source: str, content_type: str | None = None) -> ParseResult:
    """Records of one rss.arxiv.org listing; an item-less feed is a day without announcement.

    HTML is not sanitised: arXiv sends abstracts as plain text, and sanitising would
    silently eat text such as "<script>" that an abstract may legitimately mention.
    """
    parsed = read_feed(body, source=source, content_type=content_type, sanitize=False)
    feed = parsed.feed
    announced_on = _channel_day(feed.get("published") or dict.get(feed, "updated"))
    records = []
    for entry in parsed.entries:
        record = _record(entry, source)
        if record is not None:
            records.append(record)
    if parsed.entries and not records:
        raise FeedError(source, "feed items carry no arXiv id: not an arXiv listing")
    kept, dropped = keep_papers(records, source=source)
    empty_reason = None
    if not records:
        when = f"{announced_on:%A} {announced_on}" if announced_on else "this day"
        empty_reason = f"arXiv did not announce on {when}"  # weekends, holidays: not an error
    return ParseResult(
        records=kept,
        feed_title=one_line(feed.get("title")),
        announced_on=announced_on,
        empty_reason=empty_reason,
        dropped=dropped,
    )


def _channel_day(text: str | None) -> date | None:
    """The listing day, in arXiv's own time zone (pubDate carries -0400/-0500)."""
    value = parse_date(text)
    return value.date() if value else None


def _record(entry, source: str) -> PaperRecord | None:
    # dict.get, not entry.get: FeedParserDict's key aliasing costs more than the rest here.
    get = dict.get.__get__(entry)
    guid = get("id") or ""
    description = get("summary") or ""
    announce_type = get("arxiv_announce_type")
    abstract = description
    prefix_id = None
    m = _PREFIX.match(description)
    if m:
        prefix_id, prefix_type = m.group(1), m.group(2)
        announce_type = announce_type or prefix_type
        abstract = description[m.end() :]
    ident = parse_arxiv_id(guid) or parse_arxiv_id(prefix_id) or parse_arxiv_id(get("link"))
    if ident is None:
        return None
    arxiv_id, version = ident
    if version is None and prefix_id:
        other = parse_arxiv_id(prefix_id)
        version = other[1] if other else None
    announce_type = announce_type.strip().lower() if announce_type else None
    categories = tuple(term for t in get("tags", ()) if (term := dict.get(t, "term")))
    link = (get("link") or f"https://arxiv.org/abs/{arxiv_id}").strip()
    return PaperRecord(
        source=source,
        external_id=guid or f"oai:arXiv.org:{arxiv_id}v{version or 1}",
        title=one_line(get("title")),
        abstract=abstract.strip(),
        authors=split_authors(get("author")),
        url=link,
        arxiv_id=arxiv_id,
        version=version,
        categories=categories,
        announce_type=announce_type,
        published=parse_date(get("published")),
        license=(get("rights") or "").strip() or None,
        pdf_url=f"https://arxiv.org/pdf/{arxiv_id}v{version}" if version else None,
    )


def split_authors(text: str | None) -> tuple[str, ...]:
    """Names from arXiv's single comma-joined dc:creator.

    "A, John Smith, Jr., B and C" -> ("A", "John Smith Jr.", "B", "C"). Parenthesised
    affiliations ("Jane Doe (MIT, USA)") are dropped so names match across sources.
    """
    if not text:
        return ()
    if "(" in text:
        text = _PARENS.sub("", text)
    names: list[str] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if names and part.lower() in _SUFFIXES:
            names[-1] = f"{names[-1]} {part}"
        else:
            names.append(part)
    if names and names[-1].startswith("and "):
        names[-1] = names[-1][4:]
    if names and " and " in names[-1]:
        last = names.pop()
        names.extend(p.strip() for p in last.split(" and ") if p.strip())
    return tuple(" ".join(n.split()) if "  " in n or "\n" in n else n for n in names)


def feed_url(categories: list[str] | tuple[str, ...]) -> str:
    """rss.arxiv.org URL for one or more categories: ["cs.LG", "stat.ML"] -> .../cs.LG+stat.ML."""
    if not categories:
        raise ValueError("at least one arXiv category is needed")
    return "https://rss.arxiv.org/rss/" + "+".join(categories)
