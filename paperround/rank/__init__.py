"""Ranking: score each candidate for each profile, with the reasons it was picked. Pure.

Papers, profiles, "now" and a fitted TextIndex go in; scored papers with reasons come out.
No database, no Prefect. Signals, each about [0, 1] before the profile's weights:
- keywords: weighted phrase matches over title + abstract (a title match counts double);
- seeds: cosine to the profile's query vector: its seeds and likes, expanded with their
  nearest papers in the background window (pseudo-relevance feedback: five seeds are too few
  words to describe a field) minus the window's mean vector (what every paper says); as
  seeds and feedback grow, blended with a discriminative model of them against the window
  (profile_model.py);
- feedback: once a profile has likes or dislikes, its cached linear model (feedback.py);
- authors: followed authors, names folded (accents, case, initials, "Last, First" order);
- categories: the profile's arXiv categories when the source gives them, primary above
  cross-list;
- popularity: Hugging Face upvotes, log-scaled, a small prior;
and a penalty for closeness to a disliked paper. Excluded words drop a paper outright.
`rank_many` vectorises the candidates once and scores every profile with sparse products,
which is what makes a thousand profiles cheap; `rank` is the one-profile form. Each pick's
reasons come from reasons.py: only the signals that set it apart from the day's others.
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from models.gcpause import gc_paused
from models.records import Candidate, ProfileSpec, ScoredPaper
from paperround.rank.feedback import model_for
from paperround.rank.names import author_key, fold
from paperround.rank.profile_model import blend, blend_weight, model_scores
from paperround.rank.query import seed_similarities
from paperround.rank.reasons import explain_many
from paperround.rank.select import collapse_and_cut
from paperround.rank.signals import PaperSignals
from paperround.rank.text import TextIndex, build_index

__all__ = ["DEFAULT_WEIGHTS", "TextIndex", "author_key", "build_index", "fold", "rank"]
__all__ += ["rank_many"]

DEFAULT_WEIGHTS = {
    "keywords": 1.0,
    "seeds": 1.5,
    "feedback": 0.15,  # measured on the dev draw: the likes model adds little to seeds
    "authors": 1.0,
    "categories": 0.4,
    "popularity": 0.15,
    "dislikes": 0.8,
    "diversity": 0.0,  # > 0 turns on MMR re-ranking with this trade-off
}


def rank(
    candidates: Sequence[Candidate],
    profile: ProfileSpec,
    *,
    now: datetime,
    index: TextIndex | None = None,
    cache: MutableMapping[str, Any] | None = None,
) -> list[ScoredPaper]:
    """Candidates scored for one profile, best first, cut to max_items and min_score."""
    return rank_many(candidates, [profile], now=now, index=index, cache=cache)[0]


def _signals(
    candidates: Sequence[Candidate], index: TextIndex, cache: MutableMapping[str, Any]
) -> PaperSignals:
    """The candidates' signals, reused while the next profile ranks the same candidates
    with the same index (a dispatch run ranks profile after profile over one day's papers):
    vectors, folded texts and phrase hits are then computed once per run, not per profile."""
    key = (index.fingerprint, tuple(candidates))
    held = cache.get("signals")
    if held is not None and held[0] == key:
        return held[1]
    signals = PaperSignals(candidates, index)
    cache["signals"] = (key, signals)
    return signals


def rank_many(
    candidates: Sequence[Candidate],
    profiles: Sequence[ProfileSpec],
    *,
    now: datetime,
    index: TextIndex | None = None,
    cache: MutableMapping[str, Any] | None = None,
) -> list[list[ScoredPaper]]:
    """Each profile's ranked papers, in the order of `profiles`.

    Without an index (tests, a store too young for a window) one is fitted on the
    candidates and the profiles' papers, as the old per-call vectoriser did. `cache` keeps
    each profile's query and feedback model between runs (keyed by what they depend on);
    pass the same mapping to every run so they are recomputed only when those change.
    """
    with gc_paused():  # each full collection would walk the fitted index's objects
        return _rank_many(candidates, profiles, now=now, index=index, cache=cache)


def _rank_many(
    candidates: Sequence[Candidate],
    profiles: Sequence[ProfileSpec],
    *,
    now: datetime,
    index: TextIndex | None,
    cache: MutableMapping[str, Any] | None,
) -> list[list[ScoredPaper]]:
    if index is None:
        extra = [p for prof in profiles for p in (*prof.seeds, *prof.liked, *prof.disliked)]
        index = build_index([*candidates, *extra])
    cache = cache if cache is not None else {}
    signals = _signals(candidates, index, cache)
    sims = seed_similarities(profiles, signals, cache)
    # the feedback models' small dense solves are slower with a thread pool than without,
    # and so are the reasons' small products
    with threadpool_limits(1):
        drafts = [_rank_one(p, signals, s, cache) for p, s in zip(profiles, sims, strict=True)]
        whys = explain_many(
            profiles,
            signals,
            [[(i, values) for i, (_, values) in picked] for picked, _ in drafts],
            seed_sims=sims,
            feedbacks=[fb for _, fb in drafts],
            cache=cache,
        )
    return [
        [
            replace(s, reasons=tuple(r.text for r in w), why=w)
            for (_, (s, _)), w in zip(picked, why, strict=True)
        ]
        for (picked, _), why in zip(drafts, whys, strict=True)
    ]


def _feedback_scores(
    profile: ProfileSpec, signals: PaperSignals, cache: MutableMapping[str, Any]
) -> np.ndarray | None:
    """The likes model's probability-like score per candidate, or None without feedback."""
    positives = (*profile.seeds, *profile.liked)
    if not (profile.liked or profile.disliked) or not positives:
        return None
    model = model_for(positives, profile.disliked, signals, cache)
    return 1.0 / (1.0 + np.exp(-2.0 * model.decision(signals)))


def _rank_one(
    profile: ProfileSpec,
    signals: PaperSignals,
    seed_sim: np.ndarray,
    cache: MutableMapping[str, Any],
) -> tuple[list[tuple[int, tuple[ScoredPaper, dict[str, float]]]], np.ndarray | None]:
    """The profile's picks as (row, (paper, signal values)), reasons still to come."""
    weights = {**DEFAULT_WEIGHTS, **profile.weights}
    parts: dict[str, np.ndarray] = {}
    if profile.keywords:
        parts["keywords"] = weights["keywords"] * signals.keyword_share(profile.keywords)
    has_seeds = bool(profile.seeds or profile.liked)
    if has_seeds:
        share = blend_weight(profile) if signals.index.latent_dims else 0.0
        if share > 0:  # many seeds or much feedback: the discriminative model joins in
            seed_sim = blend(seed_sim, model_scores(profile, signals, cache), share)
        parts["seeds"] = weights["seeds"] * seed_sim
    fb = _feedback_scores(profile, signals, cache)
    if fb is not None:
        parts["feedback"] = weights["feedback"] * (2 * fb - 1)  # dislike-like papers go down
    if profile.authors:
        parts["authors"] = weights["authors"] * signals.followed(profile.authors)[0]
    if profile.categories:
        parts["categories"] = weights["categories"] * signals.category_match(profile.categories)
    if signals.any_upvotes:
        parts["popularity"] = weights["popularity"] * signals.popularity
    if not parts:
        return [], None
    stack = np.vstack(list(parts.values()))
    score = stack.sum(axis=0)
    if profile.disliked and fb is None:  # a likes model, when there is one, knows the dislikes
        score = score - weights["dislikes"] * signals.max_similarity(profile.disliked)
    # A paper needs a signal for it; a negative min_score (the benchmark) keeps every paper.
    ok = ((stack > 0).any(axis=0) | has_seeds) & (score >= profile.min_score)
    if profile.min_score >= 0:
        ok &= score > 0
    if profile.excluded:
        ok &= ~signals.excluded(profile.excluded)
    idx = np.flatnonzero(ok)
    limit = max(3 * profile.max_items, 30)
    if len(idx) > limit:  # the short list; ties at its edge are broken by key below
        idx = idx[np.argpartition(-score[idx], limit - 1)[:limit]]
    idx = idx[np.lexsort((signals.key_order[idx], -score[idx]))]  # best first, ties by key
    cands, short = signals.candidates, zip(idx.tolist(), score[idx].tolist(), strict=True)
    picked = collapse_and_cut(
        # lazily: without diversity the cut stops after max_items distinct titles
        (ScoredPaper(cands[i], round(v, 4)) for i, v in short),
        signals,
        max_items=profile.max_items,
        diversity=weights["diversity"],
    )
    names = list(parts)
    rows = [signals.position[s.paper.key] for s in picked]
    values = stack[:, rows].T.tolist()
    drafts = [
        (i, (s, dict(zip(names, v, strict=True))))
        for i, s, v in zip(rows, picked, values, strict=True)
    ]
    return drafts, fb
