"""arXiv API (export.arxiv.org/api/query): Atom with arxiv: extensions."""

from __future__ import annotations

from datetime import UTC, datetime

from models.records import PaperRecord, ParseResult
from paperround.errors import FeedError
from paperround.ids import normalize_doi, parse_arxiv_id
from paperround.sources.common import parse_feed


def _date(parsed) -> datetime | None:
    return datetime(*parsed[:6], tzinfo=UTC) if parsed else None


def parse(body: bytes, *, source: str, content_type: str | None = None) -> ParseResult:
    feed = parse_feed(body, source, content_type)
    records = []
    for e in feed.entries:
        if e.get("title") == "Error":
            raise FeedError(source, f"arXiv API error: {' '.join(e.get('summary', '').split())}")
        ident = parse_arxiv_id(e.get("id"))
        if ident is None:
            continue
        primary = (e.get("arxiv_primary_category") or {}).get("term")
        cats = [t["term"] for t in e.get("tags", [])]
        if primary:
            cats = [primary, *[c for c in cats if c != primary]]
        pdf = next((ln["href"] for ln in e.get("links", []) if ln.get("title") == "pdf"), None)
        records.append(
            PaperRecord(
                source=source,
                external_id=e.get("id", ""),
                title=" ".join(e.get("title", "").split()),
                abstract=" ".join(e.get("summary", "").split()),
                authors=tuple(a.get("name", "") for a in e.get("authors", []) if a.get("name")),
                url=f"https://arxiv.org/abs/{ident[0]}",
                arxiv_id=ident[0],
                version=ident[1],
                doi=normalize_doi(e.get("arxiv_doi")),
                categories=tuple(cats),
                published=_date(e.get("published_parsed")),
                updated=_date(e.get("updated_parsed")),
                journal_ref=e.get("arxiv_journal_ref"),
                comment=e.get("arxiv_comment"),
                pdf_url=pdf,
            )
        )
    total = feed.feed.get("opensearch_totalresults")
    return ParseResult(
        tuple(records), feed.feed.get("title", ""), total_results=int(total) if total else None
    )
