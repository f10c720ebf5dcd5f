"""What every feed parser needs: feedparser on bytes, and refusing what is not a feed."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import feedparser

from paperround.errors import FeedError

_TAGS = re.compile(r"<[^>]+>")
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.I | re.S)
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]", re.I)


def parse_feed(body: bytes, source: str, content_type: str | None = None):
    """feedparser's result for bytes, or FeedError when the body is not a feed at all."""
    if not body.strip():
        raise FeedError(source, "empty response body")
    head = body[:2048]
    if _HTML_START.search(head) and not _FEED_ROOT.search(body[:65536]):
        title = re.search(rb"<title[^>]*>(.*?)</title>", body[:65536], re.I | re.S)
        shown = (
            f" ({html.unescape(title.group(1).decode('utf-8', 'replace')).strip()[:80]!r})"
            if title
            else ""
        )
        raise FeedError(source, f"the server sent an HTML page{shown}, not a feed")
    headers = {"content-type": content_type} if content_type else None
    parsed = feedparser.parse(body, response_headers=headers)
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        detail = f": {str(reason).splitlines()[0][:120]}" if reason else ""
        raise FeedError(source, f"not an RSS or Atom feed{detail}")
    return parsed


def text_of(value: str | None) -> str:
    """Plain text from feed HTML: tags removed, entities decoded, whitespace collapsed."""
    if not value:
        return ""
    return " ".join(html.unescape(_TAGS.sub(" ", value)).split())


def entry_time(entry) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            return datetime(*parsed[:6], tzinfo=UTC)
    return None
