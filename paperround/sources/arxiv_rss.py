"""arXiv RSS (rss.arxiv.org): one listing day, with announce types new/cross/replace."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from models.records import PaperRecord, ParseResult
from paperround.ids import parse_arxiv_id
from paperround.sources.common import parse_feed

_PREFIX = re.compile(r"^arXiv:\S+\s+Announce Type:\s*(\S+)\s*(?:Abstract:\s*)?", re.DOTALL)


def _date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return parsedate_to_datetime(text).astimezone(UTC)
    except (TypeError, ValueError):
        return None


def split_authors(text: str) -> tuple[str, ...]:
    """Split arXiv's comma-joined dc:creator, keeping suffixes like 'Jr.' with their name."""
    parts = [p.strip() for p in re.split(r",|\band\b", text) if p.strip()]
    out: list[str] = []
    for part in parts:
        if out and re.fullmatch(r"(Jr|Sr|II|III|IV)\.?", part):
            out[-1] = f"{out[-1]}, {part}"
        else:
            out.append(part)
    return tuple(out)


def parse(body: bytes, *, source: str, content_type: str | None = None) -> ParseResult:
    feed = parse_feed(body, source, content_type)
    announced = _date(feed.feed.get("published") or feed.feed.get("updated"))
    records = []
    for e in feed.entries:
        ident = parse_arxiv_id(e.get("id") or e.get("link"))
        if ident is None:
            continue
        desc = e.get("summary", "")
        m = _PREFIX.match(desc)
        announce = e.get("arxiv_announce_type") or (m.group(1) if m else None)
        abstract = desc[m.end() :] if m else desc
        records.append(
            PaperRecord(
                source=source,
                external_id=e.get("id", ""),
                title=" ".join(e.get("title", "").split()),
                abstract=" ".join(abstract.split()),
                authors=split_authors(e.get("author", "")),
                url=f"https://arxiv.org/abs/{ident[0]}",
                arxiv_id=ident[0],
                version=ident[1],
                categories=tuple(t["term"] for t in e.get("tags", [])),
                announce_type=announce,
                published=_date(e.get("published")) or announced,
                license=e.get("rights"),
                pdf_url=f"https://arxiv.org/pdf/{ident[0]}v{ident[1] or 1}",
            )
        )
    day = announced.date() if announced else None
    empty = f"arXiv did not announce on {day:%A} {day}" if not records and day else None
    return ParseResult(tuple(records), feed.feed.get("title", ""), day, empty)
