"""Source adapters: response bytes (plus HTTP metadata) in, ParseResult out.

Parsers never touch the network or the database. feedparser is always given bytes.
"""

from __future__ import annotations

from models.records import ParseResult

SOURCE_KINDS = ("arxiv-rss", "arxiv-api", "hf-daily", "feed")


def parse(kind: str, body: bytes, *, source: str, content_type: str | None = None) -> ParseResult:
    """Parse one response body of a source of the given kind."""
    from paperround.sources import arxiv_api, arxiv_rss, feed, hf_daily

    parsers = {
        "arxiv-rss": arxiv_rss.parse,
        "arxiv-api": arxiv_api.parse,
        "hf-daily": hf_daily.parse,
        "feed": feed.parse,
    }
    try:
        parser = parsers[kind]
    except KeyError:
        raise ValueError(
            f"unknown source kind {kind!r}; one of {', '.join(SOURCE_KINDS)}"
        ) from None
    return parser(body, source=source, content_type=content_type)
