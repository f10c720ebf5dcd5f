"""Hugging Face Daily Papers (https://huggingface.co/api/daily_papers?date=YYYY-MM-DD).

A JSON array of {"paper": {id, title, summary, authors, upvotes, publishedAt,
submittedOnDailyAt, ai_keywords, githubRepo, ...}, ...}. Every paper is an arXiv paper.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from typing import Any

from models.errors import FeedError
from models.ids import parse_arxiv_id
from models.records import PaperRecord, ParseResult
from paperround.ingest.sources._common import keep_papers, looks_like, one_line, parse_date

HF_DAILY_API = "https://huggingface.co/api/daily_papers"


def daily_url(day: date, base: str = HF_DAILY_API) -> str:
    """The API URL of one day's list (also the way to backfill a missed day)."""
    return f"{base.split('?')[0]}?date={day.isoformat()}"


def parse(body: bytes, *, source: str, content_type: str | None = None) -> ParseResult:
    """Records of one day's list; an empty list is a day nobody submitted (not an error)."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        found = looks_like(body)
        if found == "JSON":
            found = f"broken JSON ({exc})"
        raise FeedError(source, f"expected Hugging Face daily JSON, got {found}") from None
    if isinstance(data, dict) and "error" in data:
        raise FeedError(source, f"Hugging Face API error: {one_line(str(data['error']))}")
    if not isinstance(data, list):
        raise FeedError(source, f"expected a JSON array of papers, got {type(data).__name__}")
    parsed = []
    for i, item in enumerate(data):
        paper = item.get("paper") if isinstance(item, dict) else None
        if not isinstance(paper, dict) or not paper.get("id"):
            raise FeedError(source, f"item {i} has no paper.id: not a Daily Papers response")
        parsed.append(_record(paper, item, source))
    records, dropped = keep_papers(parsed, source=source)
    days = Counter(r.updated.date() for r in records if r.updated)
    announced_on = days.most_common(1)[0][0] if days else None
    return ParseResult(
        records=records,
        dropped=dropped,
        feed_title="Hugging Face Daily Papers",
        announced_on=announced_on,
        empty_reason=None if records else "no papers on the Hugging Face daily list",
    )


def _record(paper: dict[str, Any], item: dict[str, Any], source: str) -> PaperRecord:
    ident = parse_arxiv_id(str(paper["id"]))
    arxiv_id, version = ident if ident else (None, None)
    upvotes = paper.get("upvotes")
    keywords = paper.get("ai_keywords") or ()
    return PaperRecord(
        source=source,
        external_id=str(paper["id"]),
        title=one_line(paper.get("title") or item.get("title")),
        abstract=(paper.get("summary") or item.get("summary") or "").strip(),
        authors=tuple(
            one_line(a["name"])
            for a in paper.get("authors") or ()
            if isinstance(a, dict) and a.get("name")
        ),
        url=f"https://arxiv.org/abs/{arxiv_id}"
        if arxiv_id
        else f"https://huggingface.co/papers/{paper['id']}",
        arxiv_id=arxiv_id,
        version=version,
        published=parse_date(paper.get("publishedAt") or item.get("publishedAt")),
        updated=parse_date(paper.get("submittedOnDailyAt")),
        pdf_url=f"https://arxiv.org/pdf/{arxiv_id}" if arxiv_id else None,
        upvotes=upvotes if isinstance(upvotes, int) else None,
        github_repo=paper.get("githubRepo") or None,
        keywords=tuple(str(k) for k in keywords if k),
    )
