"""Placeholder until the parser lands in this branch."""

from __future__ import annotations

from models.records import ParseResult


def parse(body: bytes, *, source: str, content_type: str | None = None) -> ParseResult:
    """Not written yet."""
    raise NotImplementedError("feed parser not written yet")
