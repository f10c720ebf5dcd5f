"""arXiv API responses (export.arxiv.org/api/query, Atom 1.0 with arxiv: and opensearch:).

The API reports bad queries as a feed with one entry titled "Error" (and HTTP 400);
that becomes a FeedError carrying the API's own message, never an empty result.
"""

from __future__ import annotations

from models.errors import FeedError
from models.ids import normalize_doi, parse_arxiv_id
from models.records import PaperRecord, ParseResult
from paperround.ingest.sources._common import (
    keep_papers,
    one_line,
    parse_date,
    read_feed,
    repair_mojibake,
)


def parse(body: bytes, *, source: str, content_type: str | None = None) -> ParseResult:
    """Records of one API page, with opensearch:totalResults for pagination."""
    parsed = read_feed(body, source=source, content_type=content_type, sanitize=False)
    entries = parsed.entries
    for entry in entries:
        if _is_error(entry):
            message = one_line(entry.get("summary")) or "unknown error"
            raise FeedError(source, f"arXiv API error: {message}")
    total = _int(parsed.feed.get("opensearch_totalresults"))
    if total is None and "arxiv.org/api" not in (parsed.feed.get("id") or ""):
        raise FeedError(source, "not an arXiv API response (no opensearch:totalResults)")
    records = tuple(r for r in (_record(e, source) for e in entries) if r is not None)
    if entries and not records:
        raise FeedError(source, "API entries carry no arXiv id")
    records, dropped = keep_papers(records, source=source)
    return ParseResult(
        records=records,
        dropped=dropped,
        feed_title=one_line(parsed.feed.get("title")),
        total_results=total if total is not None else len(records),
        empty_reason=None if records else "no results",
    )


def _is_error(entry) -> bool:
    return entry.get("title") == "Error" and "/api/errors" in (entry.get("id") or "")


def _int(value: object) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _record(entry, source: str) -> PaperRecord | None:
    ident = parse_arxiv_id(entry.get("id")) or parse_arxiv_id(entry.get("link"))
    if ident is None:
        return None
    arxiv_id, version = ident
    primary = (entry.get("arxiv_primary_category") or {}).get("term")
    categories = [primary] if primary else []
    for tag in entry.get("tags", ()):
        term = tag.get("term")
        if term and term not in categories:
            categories.append(term)
    pdf_url = None
    for link in entry.get("links", ()):
        if link.get("title") == "pdf" or link.get("type") == "application/pdf":
            pdf_url = link.get("href")
            break
    return PaperRecord(
        source=source,
        external_id=entry.get("id") or f"http://arxiv.org/abs/{arxiv_id}",
        title=repair_mojibake(one_line(entry.get("title"))),
        abstract=repair_mojibake(one_line(entry.get("summary"))),
        authors=tuple(
            repair_mojibake(one_line(a["name"])) for a in entry.get("authors", ()) if a.get("name")
        ),
        url=f"https://arxiv.org/abs/{arxiv_id}",
        arxiv_id=arxiv_id,
        version=version,
        doi=normalize_doi(entry.get("arxiv_doi")),
        categories=tuple(categories),
        published=parse_date(entry.get("published")),
        updated=parse_date(entry.get("updated")),
        journal_ref=one_line(entry.get("arxiv_journal_ref")) or None,
        comment=one_line(entry.get("arxiv_comment")) or None,
        pdf_url=pdf_url or (f"https://arxiv.org/pdf/{arxiv_id}v{version}" if version else None),
    )
