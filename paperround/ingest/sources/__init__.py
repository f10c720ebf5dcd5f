"""Source adapters: response bytes (plus HTTP metadata) in, ParseResult out.

Parsers never touch the network or the database. feedparser is always given bytes.
"""

from __future__ import annotations

from importlib import import_module

from models.records import ParseResult

# kind -> module in this package exposing parse(body, *, source, content_type) -> ParseResult
_MODULES = {
    "arxiv-rss": "arxiv_rss",
    "arxiv-api": "arxiv_api",
    "hf-daily": "hf_daily",
    "feed": "feed",
}
SOURCE_KINDS = tuple(_MODULES)


def parse(kind: str, body: bytes, *, source: str, content_type: str | None = None) -> ParseResult:
    """Parse one response body of a source of the given kind."""
    try:
        module = import_module(f"paperround.ingest.sources.{_MODULES[kind]}")
    except KeyError:
        raise ValueError(
            f"unknown source kind {kind!r}; one of {', '.join(SOURCE_KINDS)}"
        ) from None
    return module.parse(body, source=source, content_type=content_type)
