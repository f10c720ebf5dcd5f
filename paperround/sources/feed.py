"""Any RSS 0.9x / 1.0 / 2.0 or Atom feed: bioRxiv, medRxiv, journals, lab blogs."""

from __future__ import annotations

import re

from models.records import PaperRecord, ParseResult
from paperround.errors import FeedError
from paperround.ids import normalize_doi, parse_arxiv_id
from paperround.sources.common import entry_time, parse_feed, text_of


def _doi(entry) -> str | None:
    for key in ("prism_doi", "dc_identifier", "id", "link"):
        value = entry.get(key)
        if value and ("10." in value):
            doi = normalize_doi(value)
            if doi:
                return doi
    return None


_INITIALS = re.compile(r"^(?:[A-Z][a-z]?\.?[\s-]*)+$")


def split_creators(text: str) -> tuple[str, ...]:
    """One dc:creator string to names: "A. Smith, B. Jones" or bioRxiv's "SMITH, A., Jones, B. C."
    (surname, initials pairs become "A. SMITH")."""
    sep = ";" if ";" in text else ","
    parts = [p.strip() for p in text.split(sep) if p.strip()]
    names: list[str] = []
    for part in parts:
        if names and sep == "," and _INITIALS.match(part) and " " not in names[-1].strip():
            names[-1] = f"{part} {names[-1]}"
        else:
            names.append(part)
    return tuple(names)


def _authors(entry) -> tuple[str, ...]:
    names = [a.get("name", "") for a in entry.get("authors", []) if a.get("name")]
    if len(names) == 1 and ("," in names[0] or ";" in names[0]):
        return split_creators(names[0])
    return tuple(names)


def parse(body: bytes, *, source: str, content_type: str | None = None) -> ParseResult:
    feed = parse_feed(body, source, content_type)
    records = []
    for entry in feed.entries:
        title = text_of(entry.get("title"))
        if not title:
            continue  # an item without a title is not a paper we can show
        link = "".join((entry.get("link") or "").split())
        arxiv = None
        for candidate in [link, entry.get("id", "")] + [
            ln.get("href", "") for ln in entry.get("links", [])
        ]:
            found = parse_arxiv_id(candidate) if "arxiv" in candidate.lower() else None
            if found:
                arxiv = found
                break
        records.append(
            PaperRecord(
                source=source,
                external_id=entry.get("id") or link or title,
                title=title,
                abstract=text_of(entry.get("summary") or entry.get("description")),
                authors=_authors(entry),
                url=link,
                arxiv_id=arxiv[0] if arxiv else None,
                version=arxiv[1] if arxiv else None,
                doi=_doi(entry),
                categories=tuple(t["term"] for t in entry.get("tags", []) if t.get("term")),
                published=entry_time(entry),
            )
        )
    if feed.entries and not records:
        raise FeedError(source, f"{len(feed.entries)} items but none has a title")
    empty = None if records else "the feed has no items"
    return ParseResult(tuple(records), text_of(feed.feed.get("title")), empty_reason=empty)
