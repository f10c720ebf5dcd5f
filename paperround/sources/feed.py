"""Any RSS/Atom feed (walking-skeleton version)."""

from __future__ import annotations

from models.records import ParseResult
from paperround.errors import FeedError


def parse(body: bytes, *, source: str, content_type: str | None = None) -> ParseResult:
    raise FeedError(source, "generic feeds are not supported yet")
