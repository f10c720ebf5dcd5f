"""Hugging Face Daily Papers (huggingface.co/api/daily_papers): JSON, ids are arXiv ids."""

from __future__ import annotations

import json
from datetime import datetime

from models.records import PaperRecord, ParseResult
from paperround.errors import FeedError
from paperround.ids import parse_arxiv_id


def _date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def parse(body: bytes, *, source: str, content_type: str | None = None) -> ParseResult:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedError(
            source, f"not JSON ({exc.__class__.__name__}): is this the daily_papers API?"
        ) from None
    if not isinstance(data, list):
        raise FeedError(source, "expected a JSON list of daily papers")
    records = []
    for entry in data:
        paper = entry.get("paper") if isinstance(entry, dict) else None
        if not isinstance(paper, dict) or not paper.get("id"):
            raise FeedError(source, "a daily-papers entry has no paper.id")
        ident = parse_arxiv_id(paper["id"])
        arxiv_id = ident[0] if ident else None
        repo = paper.get("githubRepo")
        records.append(
            PaperRecord(
                source=source,
                external_id=paper["id"],
                title=" ".join((paper.get("title") or entry.get("title") or "").split()),
                abstract=" ".join((paper.get("summary") or "").split()),
                authors=tuple(a["name"] for a in paper.get("authors", []) if a.get("name")),
                url=f"https://arxiv.org/abs/{arxiv_id}" if arxiv_id else "",
                arxiv_id=arxiv_id,
                published=_date(paper.get("publishedAt")),
                updated=_date(paper.get("submittedOnDailyAt")),
                upvotes=int(paper.get("upvotes") or 0),
                github_repo=repo or None,
                keywords=tuple(paper.get("ai_keywords") or ()),
            )
        )
    return ParseResult(tuple(records), "Hugging Face Daily Papers")
