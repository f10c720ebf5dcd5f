"""Shared helpers for the feed parsers: feedparser on bytes, dates, HTML to text.

Every parser calls `read_feed` so that "this is not a feed" is decided in one place and
always ends as a FeedError with one clear line, never as an empty success.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any

import feedparser

from paperround.errors import FeedError

_HTML_SNIFF = re.compile(rb"<\s*(?:!doctype\s+html|html[\s>])", re.IGNORECASE)
_FEED_SNIFF = re.compile(rb"<\s*(?:rss|feed|rdf:rdf|channel)[\s>]", re.IGNORECASE)
_HTML_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_BLOCKS = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\s*\n\s*")


def read_feed(
    body: bytes, *, source: str, content_type: str | None = None, sanitize: bool = True
) -> Any:
    """Run feedparser on bytes and refuse anything that is not a feed.

    Raises FeedError for an empty body, an HTML page, a document with no RSS/Atom root,
    and a broken document (XML error) that yielded no items. A bozo feed that still
    yielded items is accepted: the callers keep the items that make sense.
    """
    if not isinstance(body, bytes | bytearray):
        raise TypeError("read_feed takes the response bytes, never a URL or str")
    if not body.strip():
        raise FeedError(source, "empty response body, expected a feed")
    head = bytes(body[:4096])
    if head.lstrip()[:1] in (b"{", b"["):
        raise FeedError(source, "got JSON, not an RSS or Atom feed")
    if _HTML_SNIFF.search(head) and not _FEED_SNIFF.search(head):
        raise FeedError(source, f"got an HTML page, not a feed{_html_title(body)}")
    headers = {"content-type": content_type} if content_type else None
    parsed = feedparser.parse(
        bytes(body),
        response_headers=headers,
        sanitize_html=sanitize,
        resolve_relative_uris=sanitize,
    )
    if not parsed.version:
        if content_type and "html" in content_type.lower():
            raise FeedError(source, f"got an HTML page ({content_type}), not a feed")
        raise FeedError(source, f"not an RSS or Atom feed{_xml_error(parsed)}")
    if parsed.bozo and not parsed.entries and _is_xml_error(parsed):
        raise FeedError(source, f"broken feed with no items{_xml_error(parsed)}")
    return parsed


def _is_xml_error(parsed: Any) -> bool:
    exc = parsed.get("bozo_exception")
    return exc is not None and not isinstance(exc, feedparser.CharacterEncodingOverride)


def _xml_error(parsed: Any) -> str:
    exc = parsed.get("bozo_exception")
    if exc is None:
        return ""
    text = str(exc).replace("<unknown>:", "line ").strip()
    return f" (XML error: {text})" if text else ""


def _html_title(body: bytes) -> str:
    m = _HTML_TITLE.search(body[:65536])
    if not m:
        return ""
    title = html.unescape(m.group(1).decode("utf-8", "replace"))
    title = " ".join(title.split())[:80]
    return f' (page title "{title}")' if title else ""


@lru_cache(maxsize=256)
def parse_date(text: str | None) -> datetime | None:
    """RFC 822 or ISO 8601 date string to an aware datetime; None when unreadable.

    Cached: a feed repeats the same few date strings thousands of times.
    """
    if not text:
        return None
    text = text.strip()
    try:
        value = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def html_to_text(value: str | None) -> str:
    """Plain text from an HTML fragment: tags dropped, entities decoded, space tidied."""
    if not value:
        return ""
    if "<" in value:
        value = _BLOCKS.sub(" ", _COMMENT.sub(" ", value))
        value = re.sub(r"<\s*(?:br|/p|/div|/li|/h\d)\b[^>]*>", "\n", value, flags=re.IGNORECASE)
        value = _TAG.sub(" ", value)
    value = html.unescape(value)
    value = _SPACES.sub(" ", value)
    return _BLANK_LINES.sub("\n", value).strip()


def repair_mojibake(value: str) -> str:
    """Undo UTF-8 read as Latin-1 ("JosÃ© RaÃºl" -> "José Raúl"); unchanged if not that."""
    if "Ã" not in value and "Â" not in value:
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def one_line(value: str | None) -> str:
    """Collapse all whitespace (titles wrap across lines in some feeds)."""
    return " ".join(value.split()) if value else ""
