"""Ranking: score each candidate for each profile, with the reasons it was picked. Pure.

Papers, profiles, "now" and a fitted TextIndex go in; scored papers with reasons come out.
No database, no Prefect. Signals, each about [0, 1] before the profile's weights:
- keywords: weighted phrase matches over title + abstract (a title match counts double);
- seeds: cosine to the profile's query vector: its seeds and likes, expanded with their
  nearest papers in the background window (pseudo-relevance feedback: five seeds are too few
  words to describe a field) minus the window's mean vector (what every paper says);
- feedback: once a profile has likes or dislikes, its cached linear model (feedback.py);
- authors: followed authors, names folded (accents, case, initials, "Last, First" order);
- categories: the profile's arXiv categories when the source gives them, primary above
  cross-list;
- popularity: Hugging Face upvotes, log-scaled, a small prior;
and a penalty for closeness to a disliked paper. Excluded words drop a paper outright.
`rank_many` vectorises the candidates once and scores every profile with sparse products,
which is what makes a thousand profiles cheap; `rank` is the one-profile form.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from datetime import datetime

import numpy as np
import scipy.sparse as sp

from models.records import Candidate, ProfileSpec, ScoredPaper
from paperround.rank.feedback import FeedbackModel, model_for
from paperround.rank.names import author_key, fold
from paperround.rank.select import collapse_and_cut
from paperround.rank.signals import PaperSignals
from paperround.rank.text import TextIndex, build_index

__all__ = ["DEFAULT_WEIGHTS", "TextIndex", "author_key", "build_index", "fold", "rank"]
__all__ += ["rank_many"]

DEFAULT_WEIGHTS = {
    "keywords": 1.0,
    "seeds": 1.5,
    "feedback": 0.5,
    "authors": 1.0,
    "categories": 0.4,
    "popularity": 0.15,
    "dislikes": 0.8,
    "diversity": 0.0,  # > 0 turns on MMR re-ranking with this trade-off
}
EXPANSION_NEIGHBOURS = 50  # background papers nearest the seeds, added to the query
EXPANSION_WEIGHT = 2.0
BACKGROUND_WEIGHT = 4.0  # how much of the window's mean vector is subtracted
SEED_FLOOR = 0.0  # a seed similarity must exceed this to count as a signal


def rank(
    candidates: Sequence[Candidate],
    profile: ProfileSpec,
    *,
    now: datetime,
    index: TextIndex | None = None,
    feedback_cache: MutableMapping[str, FeedbackModel] | None = None,
) -> list[ScoredPaper]:
    """Candidates scored for one profile, best first, cut to max_items and min_score."""
    return rank_many(candidates, [profile], now=now, index=index, feedback_cache=feedback_cache)[0]


def rank_many(
    candidates: Sequence[Candidate],
    profiles: Sequence[ProfileSpec],
    *,
    now: datetime,
    index: TextIndex | None = None,
    feedback_cache: MutableMapping[str, FeedbackModel] | None = None,
) -> list[list[ScoredPaper]]:
    """Each profile's ranked papers, in the order of `profiles`.

    Without an index (tests, a store too young for a window) one is fitted on the
    candidates and the profiles' papers, as the old per-call vectoriser did.
    """
    if index is None:
        extra = [p for prof in profiles for p in (*prof.seeds, *prof.liked, *prof.disliked)]
        index = build_index([*candidates, *extra])
    signals = PaperSignals(candidates, index)
    queries = _seed_queries(profiles, signals)
    out = []
    for profile, query in zip(profiles, queries, strict=True):
        out.append(_rank_one(profile, signals, query, feedback_cache))
    return out


def _seed_queries(profiles: Sequence[ProfileSpec], signals: PaperSignals) -> list[np.ndarray]:
    """Each profile's similarity to every candidate (zeros without seeds or likes)."""
    index = signals.index
    means, who = [], []
    for i, prof in enumerate(profiles):
        seeds = (*prof.seeds, *prof.liked)
        if seeds:
            vecs = signals.paper_vectors(seeds)
            means.append(sp.csr_matrix(vecs.mean(axis=0)))
            who.append(i)
    result = [np.zeros(len(signals.candidates), np.float32) for _ in profiles]
    if not who:
        return result
    q = sp.vstack(means).tocsr()  # profiles x terms
    k = min(EXPANSION_NEIGHBOURS, len(index) // 20)
    if k:
        near = np.asarray((index.background @ q.T).todense())  # background x profiles
        top = np.argpartition(-near, k - 1, axis=0)[:k]  # k x profiles
        rows = np.repeat(np.arange(len(who)), k)
        pick = sp.csr_matrix(
            (np.full(rows.size, EXPANSION_WEIGHT / k, np.float32), (rows, top.T.ravel())),
            shape=(len(who), len(index)),
        )
        q = (q + pick @ index.background).tocsr()
    m = BACKGROUND_WEIGHT if len(index) >= 50 else 0.0
    mean = index.mean
    dots = np.asarray((signals.vectors @ q.T).todense())  # candidates x profiles
    dots -= m * (signals.vectors @ mean)[:, None]
    qmu = np.asarray(q @ mean).ravel()
    qq = np.asarray(q.multiply(q).sum(axis=1)).ravel()
    norms = np.sqrt(np.maximum(qq - 2 * m * qmu + m * m * float(mean @ mean), 1e-12))
    sims = dots / norms[None, :]
    for j, i in enumerate(who):
        result[i] = sims[:, j].astype(np.float32)
    return result


def _feedback_scores(
    profile: ProfileSpec, signals: PaperSignals, cache: MutableMapping[str, FeedbackModel] | None
) -> np.ndarray | None:
    """The likes model's probability-like score per candidate, or None without feedback."""
    positives = (*profile.seeds, *profile.liked)
    if not (profile.liked or profile.disliked) or not positives:
        return None
    pos = signals.paper_vectors(positives)
    neg = signals.paper_vectors(profile.disliked) if profile.disliked else None
    model = model_for(
        [(p.key, pos[i]) for i, p in enumerate(positives)],
        [(p.key, neg[i]) for i, p in enumerate(profile.disliked)] if neg is not None else [],
        signals.index,
        cache,
    )
    return 1.0 / (1.0 + np.exp(-2.0 * model.decision(signals.vectors)))


def _rank_one(
    profile: ProfileSpec,
    signals: PaperSignals,
    seed_sim: np.ndarray,
    cache: MutableMapping[str, FeedbackModel] | None,
) -> list[ScoredPaper]:
    weights = {**DEFAULT_WEIGHTS, **profile.weights}
    parts: dict[str, np.ndarray] = {}
    if profile.keywords:
        parts["keywords"] = weights["keywords"] * signals.keyword_share(profile.keywords)
    has_seeds = bool(profile.seeds or profile.liked)
    if has_seeds:
        parts["seeds"] = weights["seeds"] * np.where(seed_sim > SEED_FLOOR, seed_sim, 0.0)
    fb = _feedback_scores(profile, signals, cache)
    if fb is not None:
        parts["feedback"] = weights["feedback"] * fb
    if profile.authors:
        parts["authors"] = weights["authors"] * signals.followed(profile.authors)[0]
    if profile.categories:
        parts["categories"] = weights["categories"] * signals.category_match(profile.categories)
    if signals.any_upvotes:
        parts["popularity"] = weights["popularity"] * signals.popularity
    if not parts:
        return []
    stack = np.vstack(list(parts.values()))
    score = stack.sum(axis=0)
    if profile.disliked:
        score = score - weights["dislikes"] * signals.max_similarity(profile.disliked)
    ok = (stack > 0).any(axis=0) & (score > 0) & (score >= profile.min_score)
    if profile.excluded:
        ok &= ~signals.excluded(profile.excluded)
    idx = np.flatnonzero(ok)
    order = idx[np.lexsort(([signals.candidates[i].key for i in idx], -score[idx]))]
    names = list(parts)
    scored = [
        ScoredPaper(
            paper=signals.candidates[i],
            score=round(float(score[i]), 4),
            reasons=_reasons(
                profile, signals, i, {k: stack[j, i] for j, k in enumerate(names)}, fb
            ),
        )
        for i in order[: max(3 * profile.max_items, 30)]
    ]
    scored = [s for s in scored if s.reasons]
    return collapse_and_cut(
        scored, signals, max_items=profile.max_items, diversity=weights["diversity"]
    )


def _reasons(
    profile: ProfileSpec,
    signals: PaperSignals,
    i: int,
    values: dict[str, float],
    fb: np.ndarray | None,
) -> tuple[str, ...]:
    """One to three reasons, the strongest contributions first."""
    cand = signals.candidates[i]
    found: list[tuple[float, str]] = []
    for name, value in values.items():
        if value <= 0:
            continue
        if name == "keywords":
            text = f"matches '{signals.best_keyword(profile.keywords, i)}'"
        elif name == "seeds":
            title, sim = signals.closest_seed((*profile.seeds, *profile.liked), i)
            text = f"close to your seed paper {title} ({sim:.2f})"
        elif name == "feedback":
            text = f"your likes model: {fb[i]:.2f}"
        elif name == "authors":
            text = f"by {signals.followed(profile.authors)[1][i]}, whom you follow"
        elif name == "categories":
            text = signals.category_reason(profile.categories, i)
        else:
            text = f"{cand.upvotes} upvotes on Hugging Face"
        found.append((value, text))
    found.sort(key=lambda f: -f[0])
    return tuple(t for _, t in found[:3])
