"""Ranking: score each candidate for a profile, with the reasons it was picked. Pure.

Signals, each in [0, 1] before weighting:
- keywords: weighted phrase matches over title + abstract (a title match counts double);
- seeds: tf-idf cosine to the closest seed paper (liked papers count as seeds, disliked
  ones pull down), vectorised over the candidates plus the seeds, sublinear tf, 1-2 grams;
- authors: followed authors, names folded (accents, case, initials, "Last, First" order);
- categories: the profile's arXiv categories, primary above cross-list;
- popularity: Hugging Face upvotes, log-scaled, a small prior.
Excluded words drop a paper outright.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime

from models.records import Candidate, ProfileSpec, ScoredPaper

DEFAULT_WEIGHTS = {
    "keywords": 1.0,
    "seeds": 1.5,
    "authors": 1.0,
    "categories": 0.4,
    "popularity": 0.15,
    "dislikes": 0.8,
}


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def author_key(name: str) -> tuple[str, str]:
    """(surname, first initial): "Smith, John", "J. Smith" and "John Smith" agree."""
    name = fold(name).strip()
    if "," in name:
        last, first = (p.strip() for p in name.split(",", 1))
    else:
        parts = name.replace(".", ". ").split()
        last, first = (parts[-1], " ".join(parts[:-1])) if parts else ("", "")
    last = re.sub(r"[^a-z]", "", last)
    first = re.sub(r"[^a-z]", "", first)
    return last, first[:1]


def _phrase(term: str) -> re.Pattern:
    return re.compile(rf"\b{re.escape(fold(term))}\b")


def _seed_similarity(candidates, seeds, disliked):
    """(best cosine to a seed, index of that seed, best cosine to a disliked paper) per paper."""
    if not seeds and not disliked:
        return [(0.0, None, 0.0)] * len(candidates)
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [f"{c.title} {c.title} {c.abstract}" for c in candidates]
    refs = [f"{s.title} {s.title} {s.abstract}" for s in (*seeds, *disliked)]
    vec = TfidfVectorizer(
        sublinear_tf=True,
        ngram_range=(1, 2),
        stop_words="english",
        min_df=1,
        max_df=0.5 if len(docs) > 20 else 1.0,
    )
    try:
        matrix = vec.fit_transform(docs + refs)
    except ValueError:  # nothing but stop words
        return [(0.0, None, 0.0)] * len(candidates)
    sims = (matrix[: len(docs)] @ matrix[len(docs) :].T).toarray()
    out = []
    for row in sims:
        seed_part, dis_part = row[: len(seeds)], row[len(seeds) :]
        best = int(seed_part.argmax()) if len(seed_part) else None
        out.append(
            (
                float(seed_part.max()) if len(seed_part) else 0.0,
                best,
                float(dis_part.max()) if len(dis_part) else 0.0,
            )
        )
    return out


def _near_duplicate(title: str, seen: set[str]) -> bool:
    key = re.sub(r"[^a-z0-9]+", " ", fold(title)).strip()
    if key in seen:
        return True
    seen.add(key)
    return False


def rank(
    candidates: Sequence[Candidate], profile: ProfileSpec, *, now: datetime, **_: object
) -> list[ScoredPaper]:
    """Candidates scored for one profile, best first, cut to max_items and min_score."""
    weights = {**DEFAULT_WEIGHTS, **profile.weights}
    excluded = [_phrase(x) for x in profile.excluded]
    keywords = [(term, w, _phrase(term)) for term, w in profile.keywords]
    kw_total = sum(w for _, w, _ in keywords) or 1.0
    followed = {author_key(a): a for a in profile.authors}
    cats = set(profile.categories)
    pool = [
        c
        for c in candidates
        if not any(p.search(fold(f"{c.title} {c.abstract}")) for p in excluded)
    ]
    seeds = (*profile.seeds, *profile.liked)
    sims = _seed_similarity(pool, seeds, profile.disliked)
    scored: list[ScoredPaper] = []
    for cand, (seed_sim, seed_idx, dis_sim) in zip(pool, sims, strict=True):
        parts: list[tuple[float, str]] = []
        title, text = fold(cand.title), fold(f"{cand.title} {cand.abstract}")
        hits = [(t, w * (2 if p.search(title) else 1)) for t, w, p in keywords if p.search(text)]
        if hits:
            share = min(1.0, sum(w for _, w in hits) / kw_total)
            best = max(hits, key=lambda h: h[1])[0]
            parts.append((weights["keywords"] * share, f"matches '{best}'"))
        if seed_idx is not None and seed_sim > 0.05:
            seed = seeds[seed_idx]
            parts.append(
                (
                    weights["seeds"] * seed_sim,
                    f"close to your seed paper {seed.title} ({seed_sim:.2f})",
                )
            )
        authors = [followed[k] for k in map(author_key, cand.authors) if k in followed]
        if authors:
            parts.append((weights["authors"], f"by {authors[0]}, whom you follow"))
        if cats and cand.categories:
            if cand.categories[0] in cats:
                parts.append((weights["categories"], f"in your category {cand.categories[0]}"))
            elif cats & set(cand.categories):
                cat = sorted(cats & set(cand.categories))[0]
                parts.append((weights["categories"] / 2, f"cross-listed in {cat}"))
        if cand.upvotes:
            parts.append(
                (
                    weights["popularity"] * min(1.0, math.log1p(cand.upvotes) / 5),
                    f"{cand.upvotes} upvotes on Hugging Face",
                )
            )
        if not parts:
            continue
        score = sum(v for v, _ in parts) - weights["dislikes"] * dis_sim
        if score <= 0 or score < profile.min_score:
            continue
        reasons = tuple(r for _, r in sorted(parts, key=lambda p: -p[0]) if r)[:3]
        if not reasons:
            continue
        scored.append(ScoredPaper(paper=cand, score=round(score, 4), reasons=reasons))
    scored.sort(key=lambda s: (-s.score, s.paper.key))
    seen: set[str] = set()
    unique = [s for s in scored if not _near_duplicate(s.paper.title, seen)]
    return unique[: profile.max_items]
