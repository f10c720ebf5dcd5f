"""Any RSS 0.9x/1.0/2.0 or Atom feed: journals, bioRxiv/medRxiv, lab blogs.

Identity comes from what the feed offers: a DOI (dc:identifier, prism:doi, a doi.org link)
and/or an arXiv id (an arxiv.org link), else the canonical title key decides later.
"""

from __future__ import annotations

import re

from models.ids import normalize_doi, parse_arxiv_id
from models.records import PaperRecord, ParseResult
from paperround.ingest.sources._common import (
    html_to_text,
    keep_papers,
    one_line,
    parse_date,
    read_feed,
)
from paperround.ingest.sources.arxiv_rss import split_authors

MAX_ABSTRACT = 3000  # blog feeds put whole posts in <description>
_INITIALS = re.compile(r"^(?:[A-Z][a-z]?\.?[\s-]*)+$")


def parse(body: bytes, *, source: str, content_type: str | None = None) -> ParseResult:
    """Records of a generic feed. Items with neither a title nor an id or link are junk:
    dropped and counted (keep_papers)."""
    parsed = read_feed(body, source=source, content_type=content_type)
    records, dropped = keep_papers((_record(e, source) for e in parsed.entries), source=source)
    return ParseResult(
        records=records,
        feed_title=one_line(html_to_text(parsed.feed.get("title"))),
        empty_reason=None if records else "feed has no items",
        dropped=dropped,
    )


def _record(entry, source: str) -> PaperRecord:
    link = "".join((entry.get("link") or "").split())
    title = one_line(html_to_text(entry.get("title")))
    doi = None
    for key in ("prism_doi", "dc_identifier", "id"):
        value = entry.get(key) or ""
        if key == "id" and "doi" not in value.lower():
            continue
        doi = normalize_doi(value)
        if doi:
            break
    links = [link] + [x.get("href", "") for x in entry.get("links", ())]
    if doi is None:
        doi = next((normalize_doi(u) for u in links if "doi.org/" in u), None)
    ident = next((parse_arxiv_id(u) for u in links if "arxiv.org/" in u), None)
    arxiv_id, version = ident if ident else (None, None)
    summary = entry.get("summary") or ""
    if not summary and entry.get("content"):
        summary = entry["content"][0].get("value", "")
    abstract = html_to_text(summary)
    if len(abstract) > MAX_ABSTRACT:
        abstract = abstract[:MAX_ABSTRACT].rsplit(" ", 1)[0] + " …"
    categories = tuple(t["term"] for t in entry.get("tags", ()) if t.get("term"))
    return PaperRecord(
        source=source,
        external_id=entry.get("id") or link or title,
        title=title,  # none: keep_papers names it by its link or drops it as junk
        abstract=abstract,
        authors=_authors(entry),
        url=link,
        arxiv_id=arxiv_id,
        version=version,
        doi=doi,
        categories=categories,
        published=parse_date(
            entry.get("published")
            or dict.get(entry, "updated")
            or entry.get("prism_publicationdate")
        ),
        updated=parse_date(dict.get(entry, "updated")),
        license=one_line(entry.get("rights")) or None,
    )


def _authors(entry) -> tuple[str, ...]:
    names = [one_line(a.get("name")) for a in entry.get("authors", ()) if a.get("name")]
    if len(names) != 1 or "," not in names[0]:
        return tuple(names)
    parts = [p.strip() for p in names[0].split(",") if p.strip()]
    # bioRxiv style "LAPALU, N., SIMON, A., O'Connell, R. J.": surname, initials pairs.
    if len(parts) % 2 == 0 and all(_INITIALS.match(p) for p in parts[1::2]):
        return tuple(
            f"{given} {surname}" for surname, given in zip(parts[::2], parts[1::2], strict=True)
        )
    return split_authors(names[0])
