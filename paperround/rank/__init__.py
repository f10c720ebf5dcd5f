"""Ranking (walking-skeleton version): keyword and phrase matches over title + abstract."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from models.records import Candidate, ProfileSpec, ScoredPaper


def _text(c: Candidate) -> str:
    return f"{c.title} {c.abstract}".lower()


def rank(
    candidates: Sequence[Candidate], profile: ProfileSpec, *, now: datetime, **_: object
) -> list[ScoredPaper]:
    """Score each candidate by weighted keyword matches; excluded words drop a paper."""
    scored = []
    for cand in candidates:
        text = _text(cand)
        if any(re.search(rf"\b{re.escape(x)}\b", text) for x in profile.excluded):
            continue
        hits = [
            (term, weight)
            for term, weight in profile.keywords
            if re.search(rf"\b{re.escape(term.lower())}\b", text)
        ]
        score = sum(w for _, w in hits)
        if score <= 0 or score < profile.min_score:
            continue
        hits.sort(key=lambda h: -h[1])
        reasons = tuple(f"matches '{t}'" for t, _ in hits[:3])
        scored.append(ScoredPaper(paper=cand, score=score, reasons=reasons))
    scored.sort(key=lambda s: (-s.score, s.paper.key))
    return scored[: profile.max_items]
